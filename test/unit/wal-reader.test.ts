// WAL reader: segments replayed in order with continuous offsets; a torn last record (cut
// at any byte) is cut off and reported; damage anywhere else throws WalCorruption naming the
// file and the byte position of the bad record.

import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeCommand, encodedSize, type WalRecord } from '../../src/persistence/wal-record';
import { readWal, WalCorruption, type ReplayResult } from '../../src/persistence/wal-reader';
import { segmentPath } from '../../src/persistence/wal-segments';

interface Placed {
  file: string;
  /** Byte position in its file. */
  pos: number;
  offset: number;
  size: number;
  db: number;
  args: string[];
}

interface Layout {
  dir: string;
  records: Placed[];
  files: string[];
  /** File contents as written, to restore between damage experiments. */
  original: Map<string, Buffer>;
  endOffset: number;
}

function tempDir(t: Test): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-wal-unit-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes segments holding these commands (db, args), offsets continuous from `start`. */
function writeSegments(dir: string, segments: Array<Array<[number, string[]]>>, start = 0): Layout {
  const records: Placed[] = [];
  const files: string[] = [];
  const original = new Map<string, Buffer>();
  let offset = start;
  for (const seg of segments) {
    const file = segmentPath(dir, offset);
    const buf = Buffer.alloc(seg.reduce((n, [, args]) => n + encodedSize(args), 0));
    let pos = 0;
    for (const [db, args] of seg) {
      const end = encodeCommand(buf, pos, offset, db, args);
      records.push({ file, pos, offset, size: end - pos, db, args });
      offset += end - pos;
      pos = end;
    }
    fs.writeFileSync(file, buf);
    files.push(file);
    original.set(file, buf);
  }
  return { dir, records, files, original, endOffset: offset };
}

function restore(l: Layout): void {
  for (const [file, buf] of l.original) fs.writeFileSync(file, buf);
}

function readAll(dir: string, truncateTornTail = false, fromOffset = 0): { result: ReplayResult; records: WalRecord[] } {
  const records: WalRecord[] = [];
  const result = readWal(dir, { fromOffset, truncateTornTail }, (r) => records.push(r));
  return { result, records };
}

function corruptionOf(dir: string): WalCorruption {
  try {
    readAll(dir);
  } catch (err) {
    if (err instanceof WalCorruption) return err;
    throw err;
  }
  throw new Error('expected WalCorruption, the WAL read cleanly');
}

const SEGMENTS: Array<Array<[number, string[]]>> = [
  [
    [0, ['SET', 'a', '1']],
    [0, ['INCR', 'a']],
    [3, ['SET', 'b', 'x'.repeat(300), 'PXAT', '1893456000000']],
  ],
  [
    [1, ['DEL', 'a']],
    [0, ['APPEND', 'c', '\x00\xff\r\n']],
  ],
  [
    [0, ['MSET', 'k1', 'v1', 'k2', 'v2']],
    [2, ['PEXPIREAT', 'k1', '1893456000000']],
    [0, ['SET', 'last', 'record']],
  ],
];

t.test('segments are read in order with their offsets', async (t) => {
  const l = writeSegments(tempDir(t), SEGMENTS, 1000);
  const { result, records } = readAll(l.dir);
  t.same(
    records,
    l.records.map((r) => ({ type: 1, offset: r.offset, db: r.db, args: r.args })),
  );
  t.same(result, { endOffset: l.endOffset, applied: l.records.length, tornBytes: 0, tornFile: null });

  // Records before fromOffset are skipped (a snapshot holds them), the end is the same.
  const from = l.records[4].offset;
  const partial = readAll(l.dir, false, from);
  t.same(partial.records.map((r) => r.offset), l.records.slice(4).map((r) => r.offset));
  t.equal(partial.result.endOffset, l.endOffset);
  t.equal(partial.result.applied, l.records.length - 4);
});

t.test('an empty or missing WAL directory reads as nothing', async (t) => {
  const dir = tempDir(t);
  t.same(readAll(dir).result, { endOffset: 0, applied: 0, tornBytes: 0, tornFile: null });
  t.same(readAll(path.join(dir, 'nope'), false, 77).result, { endOffset: 77, applied: 0, tornBytes: 0, tornFile: null });
});

t.test('a torn last record, cut at every byte, is cut off and reported', async (t) => {
  const l = writeSegments(tempDir(t), SEGMENTS);
  const last = l.records[l.records.length - 1];
  const lastFile = l.files[l.files.length - 1];
  for (let keep = 0; keep < last.size; keep++) {
    restore(l);
    fs.truncateSync(lastFile, last.pos + keep);
    const size = last.pos + keep;
    const { result, records } = readAll(l.dir, false);
    t.same(
      result,
      { endOffset: last.offset, applied: l.records.length - 1, tornBytes: keep, tornFile: keep === 0 ? null : lastFile },
      `last record cut after ${keep} bytes`,
    );
    t.equal(records.length, l.records.length - 1);
    t.equal(fs.statSync(lastFile).size, size, 'a read without truncateTornTail leaves the file alone');
    // Start-up mode cuts the file back to the last whole record.
    readAll(l.dir, true);
    t.equal(fs.statSync(lastFile).size, last.pos);
    t.same(readAll(l.dir).result.tornBytes, 0, 'cut once, reads clean afterwards');
  }
});

t.test('zeros after the records end a segment; a record whose end is zeros is torn', async (t) => {
  const l = writeSegments(tempDir(t), SEGMENTS);
  const lastFile = l.files[l.files.length - 1];
  const last = l.records[l.records.length - 1];

  // Zeros written ahead of the records (wal.ts), in every segment: the clean end of each.
  for (const f of l.files) fs.appendFileSync(f, Buffer.alloc(4096));
  let r = readAll(l.dir).result;
  t.same(r, { endOffset: l.endOffset, applied: l.records.length, tornBytes: 0, tornFile: null });
  t.equal(fs.statSync(lastFile).size, l.original.get(lastFile)!.length + 4096, 'the zeros are kept for the writer');

  // Records after zeros in the last segment were written after pages that never reached
  // the disk (no fsync covered them): a torn tail, cut there.
  restore(l);
  const lastBuf = l.original.get(lastFile)!;
  const record = Buffer.from(lastBuf.subarray(lastBuf.length - last.size));
  fs.appendFileSync(lastFile, Buffer.concat([Buffer.alloc(100), record, Buffer.alloc(50)]));
  r = readAll(l.dir, true).result;
  t.same(r, { endOffset: l.endOffset, applied: l.records.length, tornBytes: 100 + record.length, tornFile: lastFile });
  t.equal(fs.statSync(lastFile).size, l.original.get(lastFile)!.length, 'cut at the zeros');

  // In an earlier segment they are damage.
  restore(l);
  const first = l.files[0];
  fs.writeFileSync(first, Buffer.concat([l.original.get(first)!, Buffer.alloc(20), Buffer.from('x')]));
  t.throws(() => readAll(l.dir), /Bad WAL record in .* at byte \d+: zero bytes inside the records of a segment/);

  // The last record has its full length but its end never reached the disk.
  restore(l);
  const buf = Buffer.from(l.original.get(lastFile)!);
  buf.fill(0, buf.length - 10);
  fs.writeFileSync(lastFile, buf);
  r = readAll(l.dir).result;
  t.same(r, { endOffset: last.offset, applied: l.records.length - 1, tornBytes: last.size, tornFile: lastFile });
});

t.test('a flipped byte in any earlier record throws with its file and position', async (t) => {
  const l = writeSegments(tempDir(t), SEGMENTS);
  const earlier = l.records.slice(0, -1);
  let checked = 0;
  for (const rec of earlier) {
    for (let i = 0; i < rec.size; i++) {
      restore(l);
      const buf = Buffer.from(l.original.get(rec.file)!);
      buf[rec.pos + i] ^= 0xff;
      fs.writeFileSync(rec.file, buf);
      const err = corruptionOf(l.dir);
      if (err.file !== rec.file || err.position !== rec.pos) {
        t.fail(`byte ${i} of the record at ${path.basename(rec.file)}:${rec.pos}: got ${err.message}`);
      }
      checked++;
    }
  }
  t.ok(checked > 400, `${checked} single-byte flips, each reported at its record`);
  restore(l);
  const mid = l.records[4];
  const buf = Buffer.from(l.original.get(mid.file)!);
  buf[mid.pos + mid.size - 1] ^= 0xff;
  fs.writeFileSync(mid.file, buf);
  t.equal(corruptionOf(l.dir).message, `Bad WAL record in ${mid.file} at byte ${mid.pos}: checksum mismatch`);
});

t.test('a flipped byte in the last record: corruption, except a longer length (torn write)', async (t) => {
  const l = writeSegments(tempDir(t), SEGMENTS);
  const last = l.records[l.records.length - 1];
  for (let i = 4; i < last.size; i++) {
    restore(l);
    const buf = Buffer.from(l.original.get(last.file)!);
    buf[last.pos + i] ^= 0x01;
    fs.writeFileSync(last.file, buf);
    const err = corruptionOf(l.dir);
    t.equal(`${err.file}:${err.position}`, `${last.file}:${last.pos}`, `byte ${i}`);
  }
  // A length that runs past the end of the file is what a torn write looks like.
  restore(l);
  const buf = Buffer.from(l.original.get(last.file)!);
  buf.writeUInt32LE(buf.readUInt32LE(last.pos) + 100, last.pos);
  fs.writeFileSync(last.file, buf);
  t.match(readAll(l.dir).result, { tornBytes: last.size, applied: l.records.length - 1 });
});

t.test('a length grown past the end of the file mid-segment is corruption, not a torn tail', async (t) => {
  // Records follow the damaged one: cutting there would silently drop them.
  const l = writeSegments(tempDir(t), SEGMENTS);
  const victim = l.records[l.records.length - 3]; // first record of the last segment
  for (const grow of [100, 0x10000, 0x1000000]) {
    restore(l);
    const buf = Buffer.from(l.original.get(victim.file)!);
    buf.writeUInt32LE(buf.readUInt32LE(victim.pos) + grow, victim.pos);
    fs.writeFileSync(victim.file, buf);
    const err = corruptionOf(l.dir);
    t.equal(`${err.file}:${err.position}`, `${victim.file}:${victim.pos}`, `length + ${grow}`);
    t.equal(fs.readFileSync(victim.file).length, buf.length, 'nothing was cut');
  }
});

t.test('a truncated record in a segment that is not the last is corruption', async (t) => {
  const l = writeSegments(tempDir(t), SEGMENTS);
  const mid = l.records[4]; // last record of the middle segment
  fs.truncateSync(mid.file, mid.pos + 5);
  const err = corruptionOf(l.dir);
  t.equal(err.file, mid.file);
  t.equal(err.position, mid.pos);
  t.equal(err.reason, 'truncated record');
});

t.test('offset continuity', async (t) => {
  const dir = tempDir(t);

  t.test('a well-formed record carrying the wrong offset', async (t) => {
    const l = writeSegments(dir, SEGMENTS);
    const victim = l.records[1];
    const buf = Buffer.from(l.original.get(victim.file)!);
    encodeCommand(buf, victim.pos, victim.offset + 1, victim.db, victim.args);
    fs.writeFileSync(victim.file, buf);
    const err = corruptionOf(dir);
    t.equal(err.file, victim.file);
    t.equal(err.position, victim.pos);
    t.equal(err.reason, `record offset ${victim.offset + 1}, expected ${victim.offset}`);
    for (const f of l.files) fs.rmSync(f);
  });

  t.test('a missing middle segment', async (t) => {
    const l = writeSegments(dir, SEGMENTS);
    fs.rmSync(l.files[1]);
    const err = corruptionOf(dir);
    t.equal(err.file, l.files[2]);
    t.equal(err.position, 0);
    t.match(err.reason, /^segment starts at \d+, expected \d+$/);
    for (const f of l.files) fs.rmSync(f, { force: true });
  });

  t.test('a segment named after the wrong offset', async (t) => {
    const l = writeSegments(dir, SEGMENTS);
    fs.renameSync(l.files[2], segmentPath(dir, l.records[5].offset + 1));
    const err = corruptionOf(dir);
    t.equal(err.file, segmentPath(dir, l.records[5].offset + 1));
    t.equal(err.position, 0);
  });
});
