// WAL writer: group-committed records read back in order across segment rotation and
// reopening; under `always` durability is reported only after fsync; failed writes keep
// their data and leave the file on a record boundary; write and fsync errors clear once the
// disk works again. Disk failures are simulated by replacing fs functions for one test.

import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Wal, type FsyncPolicy } from '../../src/persistence/wal';
import { readWal } from '../../src/persistence/wal-reader';
import { listSegments } from '../../src/persistence/wal-segments';
import type { WalRecord } from '../../src/persistence/wal-record';
import { eventually } from '../helpers/server';

function tempDir(t: Test): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-wal-writer-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface Events {
  durable: number[];
  errors: Array<string | null>;
}

function openWal(t: Test, dir: string, policy: FsyncPolicy, startOffset = 0, segmentBytes = 1 << 20): { wal: Wal; ev: Events } {
  const ev: Events = { durable: [], errors: [] };
  const wal = new Wal({
    dir,
    startOffset,
    policy,
    segmentBytes,
    onDurable: (o) => ev.durable.push(o),
    onError: (err) => ev.errors.push(err === null ? null : ((err as NodeJS.ErrnoException).code ?? err.message)),
  });
  t.teardown(() => {
    try {
      wal.close();
    } catch {
      /* already closed */
    }
  });
  return { wal, ev };
}

function readBack(dir: string): { records: WalRecord[]; endOffset: number; tornBytes: number } {
  const records: WalRecord[] = [];
  const r = readWal(dir, { fromOffset: 0, truncateTornTail: false }, (rec) => records.push(rec));
  return { records, endOffset: r.endOffset, tornBytes: r.tornBytes };
}

/** Replaces fs[name] until the test ends (or `restore` is called). */
function patchFs<K extends 'writeSync' | 'fsync' | 'fsyncSync' | 'fdatasyncSync'>(t: Test, name: K, impl: (typeof fs)[K]): () => void {
  const original = fs[name];
  fs[name] = impl;
  const restore = (): void => {
    fs[name] = original;
  };
  t.teardown(restore);
  return restore;
}

function errno(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

t.test('records survive rotation and reopening, offsets continuous', async (t) => {
  const dir = tempDir(t);
  const written: string[][] = [];
  let { wal } = openWal(t, dir, 'no', 0, 1000);
  for (let i = 0; i < 300; i++) {
    const args = ['SET', `key:${i}`, 'v'.repeat(i % 37)];
    wal.append(i % 4, args);
    written.push(args);
    if (i % 7 === 6) t.ok(wal.flush());
  }
  wal.close();
  const endOffset = wal.offset;
  const segs = listSegments(dir);
  t.ok(segs.length >= 10, `rotated into ${segs.length} segments`);
  let back = readBack(dir);
  t.same(back.records.map((r) => r.args), written);
  t.equal(back.endOffset, endOffset);
  // Each segment is named after the offset of its first record.
  const firstOffsets = new Set(back.records.map((r) => r.offset));
  for (const s of segs) t.ok(firstOffsets.has(s.start) || s.start === endOffset, `segment ${s.start} starts on a record`);

  ({ wal } = openWal(t, dir, 'everysec', endOffset, 1000));
  wal.append(0, ['INCR', 'after-reopen']);
  written.push(['INCR', 'after-reopen']);
  wal.close();
  back = readBack(dir);
  t.same(back.records.map((r) => r.args), written);
  t.equal(back.records[back.records.length - 1].offset, endOffset);
});

t.test('always: durable when flush returns; one fdatasync covers the turn', async (t) => {
  const dir = tempDir(t);
  const { wal, ev } = openWal(t, dir, 'always');
  let syncs = 0;
  const realSync = fs.fdatasyncSync;
  patchFs(t, 'fdatasyncSync', ((fd: number) => {
    syncs++;
    t.same(ev.durable, [], 'not reported durable before the fdatasync');
    return realSync(fd);
  }) as typeof fs.fdatasyncSync);
  wal.append(0, ['SET', 'a', '1']);
  wal.append(0, ['SET', 'b', '2']);
  t.ok(wal.flush());
  t.equal(syncs, 1, 'one fdatasync for both records');
  t.same(ev.durable, [wal.offset]);
  t.equal(wal.syncedOffset, wal.offset);
  t.equal(wal.stats.fsyncs, 1);
});

t.test('a failed write keeps its data, cuts the partial write, and clears when the disk recovers', async (t) => {
  const dir = tempDir(t);
  const { wal, ev } = openWal(t, dir, 'everysec');
  wal.append(0, ['SET', 'before', 'x']);
  t.ok(wal.flush());
  const file = listSegments(dir)[0].file;
  const goodSize = wal.writtenOffset;
  t.ok(fs.statSync(file).size > goodSize, 'zeros are written ahead of the records');

  // ENOSPC after half of the buffer reached the file, as a nearly full disk does.
  const realWrite = fs.writeSync;
  const restore = patchFs(t, 'writeSync', ((fd: number, buf: Buffer, off: number, len: number, position: number) => {
    if (len > 1) return (realWrite as (fd: number, b: Buffer, o: number, l: number, p: number) => number)(fd, buf, off, Math.floor(len / 2), position);
    throw errno('ENOSPC', 'no space left on device, write');
  }) as typeof fs.writeSync);
  wal.append(0, ['SET', 'during', 'y'.repeat(100)]);
  wal.append(1, ['INCR', 'n']);
  const offsetAfterAppend = wal.offset;
  t.notOk(wal.flush(), 'flush reports the failure');
  t.same(ev.errors, ['ENOSPC']);
  t.equal(wal.lastError?.code, 'ENOSPC');
  t.equal(fs.statSync(file).size, goodSize, 'the partial write was cut back to the record boundary');
  t.ok(wal.pendingBytes > 0, 'the records are kept for a retry');
  t.equal(wal.writtenOffset, goodSize);
  t.notOk(wal.flush(), 'still failing');
  t.same(ev.errors, ['ENOSPC'], 'the error is reported once');

  restore();
  t.ok(wal.flush(), 'the retry goes through');
  t.same(ev.errors, ['ENOSPC', null]);
  t.equal(wal.lastError, null);
  t.equal(wal.writtenOffset, offsetAfterAppend);
  const back = readBack(dir);
  t.same(back.records.map((r) => r.args), [['SET', 'before', 'x'], ['SET', 'during', 'y'.repeat(100)], ['INCR', 'n']]);
  t.equal(back.tornBytes, 0);
});

t.test('a failed fsync is reported, and cleared by the next fsync that succeeds', async (t) => {
  const dir = tempDir(t);
  const { wal, ev } = openWal(t, dir, 'always');
  const realSync = fs.fdatasyncSync;
  const restore = patchFs(t, 'fdatasyncSync', (() => {
    throw errno('EIO', 'i/o error, fdatasync');
  }) as typeof fs.fdatasyncSync);
  wal.append(0, ['SET', 'k', 'v']);
  t.ok(wal.flush(), 'the write itself went through');
  t.same(ev.errors, ['EIO']);
  t.same(ev.durable, [], 'nothing was reported durable');
  t.ok(wal.syncedOffset < wal.offset);

  restore();
  t.equal(fs.fdatasyncSync, realSync);
  // Nothing new is written while writes are refused: the once-a-second retry must clear it.
  await waitFor(() => ev.durable.length > 0, 3000);
  t.same(ev.durable, [wal.offset]);
  await waitFor(() => ev.errors.length > 1, 500).catch(() => undefined);
  t.same(ev.errors, ['EIO', null], 'the error clears once an fsync succeeds');
  t.equal(wal.lastError, null);
});

/** The WAL's timers and fsyncs run in this process: look often. */
function waitFor(cond: () => boolean, ms = 2000): Promise<boolean> {
  return eventually('condition', cond, { timeoutMs: ms, intervalMs: 5 });
}

t.test('always: segments rotating while an fsync is in flight', async (t) => {
  // Under load an fsync is nearly always running when a write crosses the segment size: the
  // descriptor being synced is retired mid-fsync and must be synced and closed exactly once.
  const dir = tempDir(t);
  const { wal, ev } = openWal(t, dir, 'always', 0, 2000);
  const written: string[][] = [];
  for (let i = 0; i < 400; i++) {
    const args = ['SET', `k${i}`, 'v'.repeat(100)];
    wal.append(0, args);
    written.push(args);
    t.ok(wal.flush(), `flush ${i}`);
    if (i % 3 === 0) await new Promise((r) => setImmediate(r));
  }
  await waitFor(() => wal.syncedOffset === wal.offset, 5000);
  t.same(ev.errors, [], 'no fsync failed');
  t.ok(listSegments(dir).length > 15, `${listSegments(dir).length} segments`);
  wal.close();
  t.same(readBack(dir).records.map((r) => r.args), written);
});

t.test('a segment that cannot be created does not throw out of flush', async (t) => {
  const dir = tempDir(t);
  const { wal, ev } = openWal(t, dir, 'everysec', 0, 200);
  const realOpen = fs.openSync;
  const restore = patchFs(t, 'openSync' as 'writeSync', ((...a: Parameters<typeof fs.openSync>) => {
    if (String(a[0]).endsWith('.wal')) throw errno('EMFILE', 'too many open files, open');
    return realOpen(...a);
  }) as unknown as typeof fs.writeSync);
  wal.append(0, ['SET', 'k', 'v'.repeat(300)]);
  let ok: boolean | Error;
  try {
    ok = wal.flush();
  } catch (err) {
    ok = err as Error;
  }
  t.equal(ok, true, 'the data was written; rotation is retried later');
  restore();
  wal.append(0, ['SET', 'k2', 'v'.repeat(300)]);
  t.ok(wal.flush());
  t.ok(listSegments(dir).length >= 2, 'rotated once the file could be created');
  wal.close();
  t.same(readBack(dir).records.map((r) => r.args[1]), ['k', 'k2']);
  t.same(ev.errors.filter((e) => e !== 'EMFILE' && e !== null), []);
});

/** True when `fd` is a directory (the WAL's directory being fsynced). */
function isDir(fd: number): boolean {
  return fs.fstatSync(fd).isDirectory();
}

t.test('always: a new segment is in a durable directory before its records count as durable', async (t) => {
  const dir = path.join(tempDir(t), 'wal');
  const events: string[] = [];
  const realFsyncSync = fs.fsyncSync;
  patchFs(t, 'fsyncSync', ((fd: number) => {
    if (isDir(fd)) events.push('dir');
    return realFsyncSync(fd);
  }) as typeof fs.fsyncSync);
  const { wal, ev } = openWal(t, dir, 'always', 0, 200);
  t.ok(events.length >= 1, 'creating the WAL directory fsynced its parent');
  events.length = 0;
  wal.append(0, ['SET', 'k', 'v']);
  t.ok(wal.flush());
  t.same(events, ['dir'], 'the first segment was created: one directory fsync');
  t.same(ev.durable, [wal.offset]);
  wal.append(0, ['SET', 'k', 'v']);
  t.ok(wal.flush());
  t.same(events, ['dir'], 'no new segment, no directory fsync');
  wal.append(0, ['SET', 'big', 'v'.repeat(300)]);
  t.ok(wal.flush(), 'this write crosses the segment size: a new segment is created');
  t.equal(listSegments(dir).length, 2);
  wal.append(0, ['SET', 'k', 'v']);
  t.ok(wal.flush());
  t.same(events, ['dir', 'dir'], 'the new segment\'s directory entry was fsynced before its first record was durable');
});

t.test('everysec: the background fsync also syncs the directory after a new segment', async (t) => {
  const dir = tempDir(t);
  let dirSyncs = 0;
  const realFsync = fs.fsync;
  patchFs(t, 'fsync', ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
    if (isDir(fd)) dirSyncs++;
    return realFsync(fd, cb);
  }) as typeof fs.fsync);
  const { wal } = openWal(t, dir, 'everysec', 0, 200);
  wal.append(0, ['SET', 'big', 'v'.repeat(300)]);
  t.ok(wal.flush());
  await waitFor(() => wal.syncedOffset === wal.offset && dirSyncs >= 1, 3000);
  t.equal(listSegments(dir).length, 2, 'the write rotated to a second segment');
  t.ok(dirSyncs >= 1, `directory fsynced ${dirSyncs} time(s)`);
});

t.test('records go into zeros written ahead; a reopened segment continues after its records', async (t) => {
  const dir = tempDir(t);
  const segmentBytes = 64 * 1024;
  const first = openWal(t, dir, 'always', 0, segmentBytes).wal;
  const sent: string[][] = [];
  for (let i = 0; i < 40; i++) {
    const args = ['SET', `k${i}`, 'v'.repeat(i * 137)];
    sent.push(args);
    first.append(0, args);
    first.flush();
  }
  const file = listSegments(dir)[listSegments(dir).length - 1].file;
  const segStart = listSegments(dir)[listSegments(dir).length - 1].start;
  t.ok(fs.statSync(file).size > first.writtenOffset - segStart, 'the segment file holds zeros past its records');
  t.ok(fs.statSync(file).size <= segmentBytes + 32 * 1024, 'no more than the segment size is written ahead');
  first.close();

  let back = readBack(dir);
  t.same(back.records.map((r) => r.args), sent);
  t.equal(back.tornBytes, 0, 'the zeros are no torn tail');

  // Reopened where recovery found the end: new records overwrite the zeros, not follow them.
  const second = openWal(t, dir, 'always', back.endOffset, segmentBytes).wal;
  for (let i = 0; i < 200; i++) {
    const args = ['INCR', `n${i % 7}`];
    sent.push(args);
    second.append(i % 3, args);
    if (i % 10 === 9) second.flush();
  }
  second.close();
  back = readBack(dir);
  t.same(back.records.map((r) => r.args), sent, 'every record, in order, across rotations');
  t.equal(back.endOffset, second.writtenOffset);
  t.ok(listSegments(dir).length > 1, 'segments rotated');
});
