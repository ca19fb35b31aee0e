// A damaged WAL on disk, with real processes: a torn last record (a partial record appended,
// or the file cut mid-record) is cut off at start-up with a warning and the data before it
// kept; a flipped byte mid-log stops start-up naming the file, the byte and the repair
// command, and cinnabar-check-wal --fix then lets the node start with the intact prefix.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, startCinnabar, type Running } from '../helpers/server';
import { RawConnection } from '../helpers/resp';
import { call, dataDir, infoField, locateRecords, pipeline } from '../helpers/durability';
import { encodeCommand, encodedSize } from '../../src/persistence/wal-record';
import { listSegments } from '../../src/persistence/wal-segments';

const CHECK_WAL = path.join(REPO_ROOT, 'dist', 'src', 'tools', 'wal-check.js');

async function loadKeys(port: number, count: number, valueBytes = 0, batch = 500): Promise<void> {
  const c = await RawConnection.connect(port);
  try {
    for (let from = 0; from < count; from += batch) {
      const cmds: string[][] = [];
      for (let i = from; i < Math.min(count, from + batch); i++) cmds.push(['SET', `k:${i}`, `v:${i}:`.padEnd(valueBytes, 'x')]);
      for (const r of await pipeline(c, cmds)) if (r !== 'OK') throw new Error(`SET replied ${JSON.stringify(r)}`);
    }
  } finally {
    c.close();
  }
}

/** Keys k:0..k:count-1 that GET returns, as indexes. */
async function presentKeys(port: number, count: number): Promise<number[]> {
  const c = await RawConnection.connect(port);
  try {
    const values = await pipeline(c, Array.from({ length: count }, (_, i) => ['GET', `k:${i}`]));
    return values.flatMap((v, i) => (typeof v === 'string' && v.startsWith(`v:${i}:`) ? [i] : []));
  } finally {
    c.close();
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

async function exitOf(node: Running, ms = 10000): Promise<number | null> {
  if (node.proc.exitCode !== null) return node.proc.exitCode;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still running after ${ms} ms:\n${node.output()}`)), ms);
    node.proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

function checkWal(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [CHECK_WAL, ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

t.test('a partial record appended to the last segment is cut off at start-up', async (t) => {
  const dir = dataDir(t);
  let node = await startCinnabar(t, { dir });
  await loadKeys(node.port, 300);
  t.equal(await node.stop('SIGTERM'), 0, 'graceful shutdown');

  const segs = listSegments(path.join(dir, 'wal'));
  const last = segs[segs.length - 1];
  const lastRecord = locateRecords(dir).pop()!;
  t.equal(lastRecord.file, last.file);
  // Where the records end; the WAL writes zeros ahead of them, so the file goes on.
  const size = lastRecord.pos + lastRecord.size;
  // The record the next write would have produced, cut in the middle.
  const args = ['SET', 'torn', 'never-acknowledged'];
  const rec = Buffer.alloc(encodedSize(args));
  encodeCommand(rec, 0, last.start + size, 0, args);
  const partial = rec.subarray(0, Math.floor(rec.length / 2));
  const fd = fs.openSync(last.file, 'r+');
  fs.writeSync(fd, partial, 0, partial.length, size);
  fs.closeSync(fd);

  node = await startCinnabar(t, { dir });
  t.match(node.output(), /torn record/, 'start-up warns about the torn tail');
  // The torn record's own length: its header is whole, its end is the zeros written ahead.
  t.match(node.output(), new RegExp(`"bytes":${rec.length}`));
  t.equal(fs.statSync(last.file).size, size, 'the partial record was cut off the file');
  t.same(await presentKeys(node.port, 300), range(300), 'every key written before it is intact');
  const c = await RawConnection.connect(node.port);
  t.teardown(() => c.close());
  t.equal(await call(c, 'GET', 'torn'), null);
  t.equal(await infoField(c, 'wal_torn_tail_bytes'), String(rec.length));
  // Writing continues after the cut, and reads back.
  t.equal(await call(c, 'SET', 'after', 'cut'), 'OK');
  c.close();
  await node.stop('SIGKILL');
  node = await startCinnabar(t, { dir });
  t.notMatch(node.output(), /torn record/);
  const c2 = await RawConnection.connect(node.port);
  t.teardown(() => c2.close());
  t.equal(await call(c2, 'GET', 'after'), 'cut');
  t.equal(await call(c2, 'DBSIZE'), 301);
});

t.test('a segment truncated mid-record loses only that record', async (t) => {
  const dir = dataDir(t);
  let node = await startCinnabar(t, { dir });
  await loadKeys(node.port, 200);
  await node.stop('SIGKILL');
  const records = locateRecords(dir);
  const last = records[records.length - 1];
  t.same(last.args.slice(0, 2), ['SET', 'k:199']);
  fs.truncateSync(last.file, last.pos + last.size - 7);

  node = await startCinnabar(t, { dir });
  t.match(node.output(), /torn record/);
  t.same(await presentKeys(node.port, 200), range(199), 'all but the cut record');
});

t.test('a flipped byte mid-log stops start-up; cinnabar-check-wal --fix repairs it', async (t) => {
  const dir = dataDir(t);
  // 1 MB segments and ~3 KB values: the WAL spans several segments.
  let node = await startCinnabar(t, { dir, args: ['--wal-segment-size', '1mb'] });
  // Small batches: a segment rotates after the write that crosses its size.
  await loadKeys(node.port, 1000, 3000, 20);
  t.equal(await node.stop('SIGTERM'), 0);
  const records = locateRecords(dir);
  const files = listSegments(path.join(dir, 'wal')).map((s) => s.file);
  t.ok(files.length >= 3, `${files.length} segments`);
  // Damage a record in the middle of the first segment.
  const inFirst = records.filter((r) => r.file === files[0]);
  const victimIndex = Math.floor(inFirst.length / 2);
  const victim = inFirst[victimIndex];
  t.same(victim.args.slice(0, 2), ['SET', `k:${victimIndex}`]);
  const buf = fs.readFileSync(victim.file);
  buf[victim.pos + victim.size - 100] ^= 0x04;
  fs.writeFileSync(victim.file, buf);

  node = await startCinnabar(t, { dir, noWait: true });
  t.equal(await exitOf(node), 1, 'start-up fails');
  const line = node.output().split('\n').find((l) => l.startsWith('Could not start:'));
  t.equal(
    line,
    `Could not start: Bad WAL record in ${victim.file} at byte ${victim.pos}: checksum mismatch. ` +
      'Start-up stopped so nothing after it is silently dropped; to truncate the WAL at that record ' +
      `(losing it and everything after it), run: cinnabar-check-wal ${dir} --fix`,
  );

  const check = checkWal(dir);
  t.equal(check.status, 1, 'the checker reports the damage');
  t.match(check.out, `Bad record in ${victim.file} at byte ${victim.pos}: checksum mismatch`);
  t.match(check.out, `Intact before it: ${victimIndex} records.`);
  const lostBytes = fs.statSync(victim.file).size - victim.pos + files.slice(1).reduce((n, f) => n + fs.statSync(f).size, 0);
  t.match(check.out, `Truncating there loses ${lostBytes} bytes (including ${files.length - 1} later segments), about ${1000 - victimIndex} records.`);
  t.equal(listSegments(path.join(dir, 'wal')).length, files.length, 'without --fix nothing changes');

  const fix = checkWal(dir, '--fix');
  t.equal(fix.status, 0, fix.out);
  t.match(fix.out, `Truncated ${victim.file} to ${victim.pos} bytes.`);
  for (const f of files.slice(1)) t.match(fix.out, `Deleted ${f}.`);
  t.match(fix.out, `WAL repaired: ${victimIndex} records`);
  t.equal(checkWal(dir).status, 0, 'the checker is happy afterwards');

  node = await startCinnabar(t, { dir });
  t.same(await presentKeys(node.port, 1000), range(victimIndex), 'the prefix before the bad record is back');
  const c = await RawConnection.connect(node.port);
  t.teardown(() => c.close());
  t.equal(await call(c, 'DBSIZE'), victimIndex);
});

t.test('cinnabar-check-wal on a healthy and a torn WAL, and usage errors', async (t) => {
  const dir = dataDir(t);
  const node = await startCinnabar(t, { dir });
  await loadKeys(node.port, 50);
  await node.stop('SIGKILL');
  let r = checkWal(dir);
  t.equal(r.status, 0);
  t.match(r.out, 'WAL is valid: 50 records');
  // The wal directory itself works too.
  t.equal(checkWal(path.join(dir, 'wal')).status, 0);

  const last = listSegments(path.join(dir, 'wal')).pop()!;
  const lastRecord = locateRecords(dir).pop()!;
  const fd = fs.openSync(last.file, 'r+');
  fs.writeSync(fd, Buffer.from([1, 2, 3]), 0, 3, lastRecord.pos + lastRecord.size);
  fs.closeSync(fd);
  r = checkWal(dir);
  t.equal(r.status, 0, 'a torn tail is not an error: start-up handles it');
  t.match(r.out, `Torn tail: the last 3 bytes of ${last.file}`);
  t.equal(checkWal(dir, '--fix').status, 0);
  t.notMatch(checkWal(dir).out, 'Torn tail', '--fix cut it');

  t.equal(checkWal().status, 2);
  t.equal(checkWal(path.join(dir, 'missing')).status, 2);
});
