// Transactions in the effect stream and the WAL reader: EXEC's effects are emitted as one
// MULTI … EXEC group (a single effect alone, none when nothing changed); the reader applies a
// group only at its EXEC, cuts off a group the log ends inside at every possible byte, and
// refuses groups that cannot come from the writer (nested MULTI, EXEC alone, a group open
// at the end of a segment that is not the last).

import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeCommand, encodedSize, type WalRecord } from '../../src/persistence/wal-record';
import { readWal, WalCorruption } from '../../src/persistence/wal-reader';
import { segmentPath } from '../../src/persistence/wal-segments';
import { EffectStream } from '../../src/persistence/effects';

function tempDir(t: Test): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-wal-txn-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes one segment per list of commands; returns each record's [file, position, size]. */
function write(dir: string, segments: string[][][]): Array<{ file: string; pos: number; size: number }> {
  const placed: Array<{ file: string; pos: number; size: number }> = [];
  let offset = 0;
  for (const seg of segments) {
    const file = segmentPath(dir, offset);
    const buf = Buffer.alloc(seg.reduce((n, args) => n + encodedSize(args), 0));
    let pos = 0;
    for (const args of seg) {
      const end = encodeCommand(buf, pos, offset, 0, args);
      placed.push({ file, pos, size: end - pos });
      offset += end - pos;
      pos = end;
    }
    fs.writeFileSync(file, buf);
  }
  return placed;
}

function replay(dir: string, truncate = false): { args: string[][]; endOffset: number; tornBytes: number } {
  const got: WalRecord[] = [];
  const r = readWal(dir, { fromOffset: 0, truncateTornTail: truncate }, (rec) => got.push(rec));
  return { args: got.map((g) => g.args), endOffset: r.endOffset, tornBytes: r.tornBytes };
}

t.test('effect stream wraps a transaction with several effects', (t) => {
  const fx = new EffectStream();
  const seen: Array<[number, readonly string[]]> = [];
  fx.addSink({ append: (db, args) => seen.push([db, args]) });
  fx.beginAtomic();
  fx.commandDone(0, ['SET', 'a', '1'], true);
  fx.commandDone(0, ['GET', 'a'], false);
  fx.emit(1, ['DEL', 'expired']);
  fx.commandDone(2, ['INCR', 'b'], true);
  t.same(seen, [], 'nothing reaches the sink before EXEC ends');
  fx.endAtomic();
  t.same(seen, [
    [0, ['MULTI']],
    [0, ['SET', 'a', '1']],
    [1, ['DEL', 'expired']],
    [2, ['INCR', 'b']],
    [0, ['EXEC']],
  ]);
  seen.length = 0;
  fx.beginAtomic();
  fx.commandDone(3, ['SET', 'x', 'y'], true);
  fx.endAtomic();
  t.same(seen, [[3, ['SET', 'x', 'y']]], 'one effect needs no wrapping');
  seen.length = 0;
  fx.beginAtomic();
  fx.commandDone(0, ['GET', 'x'], false);
  fx.endAtomic();
  t.same(seen, [], 'a read-only transaction logs nothing');
  // A single command declaring several effects is atomic too.
  fx.propagate(0, ['DEL', 'a']);
  fx.propagate(0, ['SET', 'b', '1']);
  fx.commandDone(0, ['X'], true);
  t.same(seen, [
    [0, ['MULTI']],
    [0, ['DEL', 'a']],
    [0, ['SET', 'b', '1']],
    [0, ['EXEC']],
  ]);
  t.end();
});

t.test('reader applies a whole transaction at its EXEC', (t) => {
  const dir = tempDir(t);
  write(dir, [[['SET', 'a', '1'], ['MULTI'], ['INCR', 'a'], ['INCR', 'b'], ['EXEC'], ['SET', 'c', '1']]]);
  const r = replay(dir);
  t.same(r.args, [['SET', 'a', '1'], ['INCR', 'a'], ['INCR', 'b'], ['SET', 'c', '1']], 'MULTI and EXEC are not applied themselves');
  t.equal(r.tornBytes, 0);
  t.end();
});

t.test('a log that ends inside a transaction loses the whole transaction, cut at any byte', (t) => {
  const dir = tempDir(t);
  const placed = write(dir, [[['SET', 'a', '1'], ['MULTI'], ['INCR', 'a'], ['SET', 'big', 'x'.repeat(40)], ['EXEC']]]);
  const file = placed[0].file;
  const whole = fs.readFileSync(file);
  const multiPos = placed[1].pos;
  let bad = 0;
  for (let cut = multiPos + 1; cut < whole.length; cut++) {
    fs.writeFileSync(file, whole.subarray(0, cut));
    const r = replay(dir, true);
    const ok = JSON.stringify(r.args) === JSON.stringify([['SET', 'a', '1']]) && r.endOffset === multiPos && fs.statSync(file).size === multiPos;
    if (!ok && bad++ < 3) t.fail(`cut at ${cut}: ${JSON.stringify(r)} size ${fs.statSync(file).size}`);
  }
  t.equal(bad, 0, `every cut from ${multiPos + 1} to ${whole.length - 1} drops the transaction and truncates at its MULTI`);
  fs.writeFileSync(file, whole);
  t.same(replay(dir).args.length, 3, 'the whole log applies the transaction');
  t.end();
});

t.test('reports without truncating when asked (cinnabar-check-wal)', (t) => {
  const dir = tempDir(t);
  const placed = write(dir, [[['SET', 'a', '1'], ['MULTI'], ['INCR', 'a']]]);
  const size = fs.statSync(placed[0].file).size;
  const r = replay(dir, false);
  t.equal(r.tornBytes, size - placed[1].pos);
  t.equal(fs.statSync(placed[0].file).size, size, 'file untouched');
  t.end();
});

t.test('impossible groupings are corruption', (t) => {
  for (const [name, segments] of [
    ['nested MULTI', [[['MULTI'], ['SET', 'a', '1'], ['MULTI'], ['EXEC']]]],
    ['EXEC without MULTI', [[['SET', 'a', '1'], ['EXEC']]]],
    ['transaction open at the end of an older segment', [[['MULTI'], ['SET', 'a', '1']], [['SET', 'b', '1']]]],
  ] as const) {
    const dir = tempDir(t);
    write(dir, segments as unknown as string[][][]);
    let thrown: unknown = null;
    try {
      replay(dir, true);
    } catch (err) {
      thrown = err;
    }
    t.ok(thrown instanceof WalCorruption, `${name}: ${String(thrown)}`);
  }
  t.end();
});
