// Transactions survive crashes whole or not at all: a WAL whose tail was torn inside a
// transaction's MULTI … EXEC records restarts without any of that transaction (and the log
// is cut back to its MULTI, so later writes replay cleanly); nodes killed with SIGKILL while
// clients run transactions over two databases come back with every transaction all-or-nothing
// and every acknowledged one present; a snapshot started inside EXEC does not replay its
// first half twice.

import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { startCinnabar } from '../helpers/server';
import { RawConnection } from '../helpers/resp';
import { call, dataDir, locateRecords, rng, sleep } from '../helpers/durability';

function copyDir(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
}

t.test('a WAL torn inside a transaction replays without that transaction', async (t) => {
  const dir = dataDir(t);
  const node = await startCinnabar(t, { dir, args: ['--appendfsync', 'always'] });
  const c = await RawConnection.connect(node.port);
  await c.call('SET', 'a', '10');
  await c.call('SET', 'b', '20');
  await c.call('MULTI');
  await c.call('INCR', 'a');
  await c.call('SET', 'big', 'x'.repeat(5000));
  await c.call('INCR', 'b');
  t.match(await c.call('EXEC'), /^\*3\r\n:11\r\n\+OK\r\n:21\r\n$/);
  c.close();
  await node.stop('SIGKILL');

  const records = locateRecords(dir);
  const names = records.map((r) => r.args[0]);
  t.same(names.slice(-5), ['MULTI', 'INCR', 'SET', 'INCR', 'EXEC'], 'the transaction is logged as MULTI … EXEC');
  const multi = records[records.length - 5];
  const exec = records[records.length - 1];
  const big = records[records.length - 3];
  const cuts: Array<[string, number]> = [
    ['after MULTI', multi.pos + multi.size],
    ['inside the third record', big.pos + 100],
    ['just before EXEC', exec.pos],
    ['inside EXEC', exec.pos + exec.size - 1],
  ];
  for (const [label, cutAt] of cuts) {
    const copy = dataDir(t);
    copyDir(dir, copy);
    const file = path.join(copy, 'wal', path.basename(multi.file));
    fs.truncateSync(file, cutAt);
    const n = await startCinnabar(t, { dir: copy });
    const r = await RawConnection.connect(n.port);
    t.same([await call(r, 'GET', 'a'), await call(r, 'GET', 'b'), await call(r, 'EXISTS', 'big')], ['10', '20', 0], `cut ${label}: none of the transaction`);
    t.match(n.output(), /torn/i, `cut ${label}: the cut is reported`);
    t.equal(fs.statSync(file).size, multi.pos, `cut ${label}: the log is cut back to the MULTI record`);
    // Writes after the repaired tail replay cleanly on the next start (checked for two cuts).
    if (label === 'inside the third record' || label === 'just before EXEC') {
      r.close();
      await n.stop('SIGKILL');
      continue;
    }
    await r.call('INCR', 'a');
    r.close();
    await n.stop('SIGKILL');
    const n2 = await startCinnabar(t, { dir: copy });
    const r2 = await RawConnection.connect(n2.port);
    t.same([await call(r2, 'GET', 'a'), await call(r2, 'GET', 'b')], ['11', '20'], `cut ${label}: later writes kept`);
    r2.close();
    await n2.stop('SIGKILL');
  }
  // The whole log (EXEC included) replays the whole transaction.
  const n = await startCinnabar(t, { dir });
  const r = await RawConnection.connect(n.port);
  t.same([await call(r, 'GET', 'a'), await call(r, 'GET', 'b'), await call(r, 'STRLEN', 'big')], ['11', '21', 5000], 'the complete transaction replays');
  r.close();
});

t.test('a transaction with one effect is logged alone; failed and read-only ones not at all', async (t) => {
  const dir = dataDir(t);
  const node = await startCinnabar(t, { dir, args: ['--appendfsync', 'always'] });
  const c = await RawConnection.connect(node.port);
  t.teardown(() => c.close());
  for (const cmds of [
    [['SET', 'one', '1'], ['GET', 'one']],
    [['GET', 'one'], ['INCR', 'nope', 'extra']],
    [['GET', 'one']],
  ]) {
    await c.call('MULTI');
    for (const cmd of cmds) await c.call(...cmd);
    await c.call('EXEC');
  }
  await c.call('WATCH', 'one');
  await c.call('SET', 'one', '2');
  await c.call('MULTI');
  await c.call('SET', 'one', '3');
  t.equal(await c.call('EXEC'), '*-1\r\n');
  await node.stop('SIGKILL');
  t.same(
    locateRecords(dir).map((r) => r.args),
    [
      ['SET', 'one', '1'],
      ['SET', 'one', '2'],
    ],
  );
});

t.test('a snapshot started inside EXEC does not replay the first half twice', async (t) => {
  const dir = dataDir(t);
  const node = await startCinnabar(t, { dir, args: ['--appendfsync', 'always'] });
  const c = await RawConnection.connect(node.port);
  await c.call('MULTI');
  await c.call('INCR', 'n');
  await c.call('BGSAVE');
  await c.call('INCR', 'n');
  t.match(await c.call('EXEC'), /^\*3\r\n:1\r\n\+Background saving started\r\n:2\r\n$/);
  for (let i = 0; i < 100 && !/rdb_bgsave_in_progress:0/.test(await c.call('INFO', 'persistence')); i++) await sleep(20);
  await c.call('INCR', 'n');
  c.close();
  await node.stop('SIGKILL');
  const n2 = await startCinnabar(t, { dir });
  const r = await RawConnection.connect(n2.port);
  t.equal(await call(r, 'GET', 'n'), '3');
  r.close();
});

/** One client running transactions until its connection dies; returns acknowledged EXECs. */
async function transactionWorker(port: number, w: number, acked: number[]): Promise<void> {
  let c: RawConnection;
  try {
    c = await RawConnection.connect(port);
  } catch {
    return;
  }
  try {
    for (;;) {
      // Two counters in db 0, one in db 1, and a growing value: all move together.
      c.send('MULTI');
      c.send('INCR', `x:${w}`);
      c.send('INCRBY', `y:${w}`, '2');
      c.send('SELECT', '1');
      c.send('INCR', `z:${w}`);
      c.send('SELECT', '0');
      c.send('APPEND', `s:${w}`, 'ab');
      c.send('EXEC');
      for (let i = 0; i < 7; i++) await c.reply();
      const r = await c.reply();
      const m = /^\*6\r\n:(\d+)\r\n/.exec(r);
      if (m === null) throw new Error(`EXEC replied ${JSON.stringify(r)}`);
      acked[w] = Number(m[1]);
    }
  } catch (err) {
    if (!/connection closed|ECONNRESET|EPIPE/.test((err as Error).message)) throw err;
  } finally {
    c.close();
  }
}

t.test('SIGKILL while transactions run: each is all or nothing, acknowledged ones kept', async (t) => {
  const dir = dataDir(t);
  const seed = Number(process.env.DURABILITY_SEED ?? Date.now() % 1_000_000);
  t.comment(`seed ${seed}`);
  const rand = rng(seed);
  const WORKERS = 4;
  const acked = new Array<number>(WORKERS).fill(0);
  const check = async (port: number, cycle: number) => {
    const c = await RawConnection.connect(port);
    try {
      for (let w = 0; w < WORKERS; w++) {
        const x = Number((await call(c, 'GET', `x:${w}`)) ?? 0);
        const y = Number((await call(c, 'GET', `y:${w}`)) ?? 0);
        const len = Number(await call(c, 'STRLEN', `s:${w}`));
        await call(c, 'SELECT', '1');
        const z = Number((await call(c, 'GET', `z:${w}`)) ?? 0);
        await call(c, 'SELECT', '0');
        const whole = y === 2 * x && z === x && len === 2 * x;
        if (!whole) t.fail(`restart ${cycle}, worker ${w}: x=${x} y=${y} z=${z} strlen=${len}`);
        if (x < acked[w] || x > acked[w] + 1) t.fail(`restart ${cycle}, worker ${w}: x=${x} but ${acked[w]} acknowledged`);
        acked[w] = x;
      }
      t.pass(`restart ${cycle}: ${acked.join(', ')} transactions, each whole`);
    } finally {
      c.close();
    }
  };
  const CYCLES = 3;
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    // Small segments: rotation happens between transactions, never inside one.
    const node = await startCinnabar(t, { dir, args: ['--appendfsync', cycle % 2 === 0 ? 'always' : 'everysec', '--wal-segment-size', '1mb'] });
    if (cycle > 0) await check(node.port, cycle);
    const workers = Array.from({ length: WORKERS }, (_, w) => transactionWorker(node.port, w, acked));
    await sleep(200 + Math.floor(rand() * 400));
    await node.stop('SIGKILL');
    await Promise.all(workers);
  }
  const node = await startCinnabar(t, { dir });
  await check(node.port, CYCLES);
  t.ok(acked.reduce((x, y) => x + y, 0) > 100, 'enough transactions ran');
});
