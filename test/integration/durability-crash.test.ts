// Crash durability with real processes: under appendfsync always a node killed with SIGKILL
// at random moments keeps every acknowledged write (counters land between their last
// acknowledged value and the number of INCRs sent); under everysec the loss is bounded by
// the fsync interval, and `always` really fsyncs once per acknowledged turn.

import t from 'tap';
import { startCinnabar } from '../helpers/server';
import { RawConnection } from '../helpers/resp';
import { call, dataDir, infoField, pipeline, rng, sleep } from '../helpers/durability';

const WORKERS = 4;
const CYCLES = 5;

interface Counter {
  /** Highest INCR reply received. */
  acked: number;
  /** Value before this cycle plus the INCRs sent in it: the most the counter can be. */
  sent: number;
}

/** One command at a time until the connection dies, recording what was acknowledged. */
async function worker(
  port: number,
  name: string,
  rand: () => number,
  ackedSets: Map<string, string>,
  counter: Counter,
  counterKey: string,
): Promise<number> {
  let c: RawConnection;
  try {
    c = await RawConnection.connect(port);
  } catch {
    return 0;
  }
  let done = 0;
  try {
    for (let i = 0; ; i++) {
      if (rand() < 0.5) {
        const key = `${name}:${i}`;
        const value = `${i}:${Math.floor(rand() * 1e9)}`;
        const r = await c.call('SET', key, value);
        if (r !== '+OK\r\n') throw new Error(`SET replied ${JSON.stringify(r)}`);
        ackedSets.set(key, value);
      } else {
        counter.sent++;
        const r = await c.call('INCR', counterKey);
        const n = Number(/^:(-?\d+)\r\n$/.exec(r)?.[1]);
        if (!Number.isInteger(n)) throw new Error(`INCR replied ${JSON.stringify(r)}`);
        counter.acked = n;
      }
      done++;
    }
  } catch (err) {
    // The kill closes the connection mid-command; anything else is a real failure.
    if (!/connection closed|ECONNRESET|EPIPE/.test((err as Error).message)) throw err;
  } finally {
    c.close();
  }
  return done;
}

t.test('appendfsync always: SIGKILL at random moments loses no acknowledged write', async (t) => {
  const dir = dataDir(t);
  const seed = Number(process.env.DURABILITY_SEED ?? Date.now() % 1_000_000);
  t.comment(`seed ${seed} (DURABILITY_SEED=${seed} replays the kill moments)`);
  const rand = rng(seed);
  const ackedSets = new Map<string, string>();
  const counters: Counter[] = Array.from({ length: WORKERS }, () => ({ acked: 0, sent: 0 }));
  let acknowledged = 0;

  const verify = async (port: number, cycle: number): Promise<void> => {
    const c = await RawConnection.connect(port);
    try {
      const keys = [...ackedSets.keys()];
      const values = await pipeline(c, keys.map((k) => ['GET', k]));
      const missing = keys.filter((k, i) => values[i] !== ackedSets.get(k));
      t.same(missing.slice(0, 10), [], `restart ${cycle}: all ${keys.length} acknowledged SETs are there`);
      for (let w = 0; w < WORKERS; w++) {
        const v = Number((await call(c, 'GET', `counter:${w}`)) ?? 0);
        const { acked, sent } = counters[w];
        if (!(v >= acked && v <= sent && sent - v <= 1)) {
          t.fail(`restart ${cycle}: counter:${w} is ${v}, last acknowledged ${acked}, sent up to ${sent}`);
        }
        counters[w].sent = v;
        counters[w].acked = v;
      }
      // Besides acknowledged keys and counters, only a worker's one in-flight SET per cycle.
      const extra = ((await call(c, 'DBSIZE')) as number) - keys.length - counters.filter((x) => x.sent > 0).length;
      t.ok(extra >= 0 && extra <= WORKERS * cycle, `restart ${cycle}: ${extra} unacknowledged in-flight SETs made it`);
    } finally {
      c.close();
    }
  };

  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const node = await startCinnabar(t, { dir, args: ['--appendfsync', 'always'] });
    if (cycle > 0) await verify(node.port, cycle);
    const workers = counters.map((counter, w) =>
      worker(node.port, `c${cycle}w${w}`, rng(seed * 31 + cycle * 7 + w), ackedSets, counter, `counter:${w}`),
    );
    await sleep(150 + Math.floor(rand() * 450));
    await node.stop('SIGKILL');
    for (const n of await Promise.all(workers)) acknowledged += n;
  }
  const node = await startCinnabar(t, { dir, args: ['--appendfsync', 'always'] });
  await verify(node.port, CYCLES);
  t.ok(acknowledged > 100, `${acknowledged} acknowledged commands over ${CYCLES} kills`);
  t.match(node.output(), /DB loaded from the WAL/);
});

t.test('always fsyncs before every acknowledgement; everysec does not', async (t) => {
  const node = await startCinnabar(t, { args: ['--appendfsync', 'always'] });
  const c = await RawConnection.connect(node.port);
  t.teardown(() => c.close());
  const fsyncs = async (): Promise<number> => Number(await infoField(c, 'wal_fsyncs'));
  const before = await fsyncs();
  for (let i = 0; i < 40; i++) t.equal(await c.call('SET', `k${i}`, 'v'), '+OK\r\n');
  const always = (await fsyncs()) - before;
  t.ok(always >= 40, `40 sequential SETs under always: ${always} fsyncs`);
  t.equal(await infoField(c, 'wal_synced_offset'), await infoField(c, 'wal_written_offset'), 'everything acknowledged is synced');

  t.equal(await c.call('CONFIG', 'SET', 'appendfsync', 'everysec'), '+OK\r\n');
  const before2 = await fsyncs();
  for (let i = 0; i < 40; i++) t.equal(await c.call('SET', `k${i}`, 'w'), '+OK\r\n');
  const everysec = (await fsyncs()) - before2;
  t.ok(everysec <= 3, `40 sequential SETs under everysec: ${everysec} fsyncs`);
});

t.test('appendfsync everysec: SIGKILL after a burst loses at most the last ~2 s', async (t) => {
  const dir = dataDir(t);
  const node = await startCinnabar(t, { dir, args: ['--appendfsync', 'everysec'] });
  const info = await RawConnection.connect(node.port);
  const acks: Array<{ key: string; at: number }> = [];
  let stop = false;
  const writers = Array.from({ length: 3 }, async (_, w) => {
    const c = await RawConnection.connect(node.port);
    try {
      for (let i = 0; !stop; i++) {
        // Small pipelined bursts: many records per event-loop turn.
        const keys = Array.from({ length: 20 }, (_, j) => `w${w}:${i}:${j}`);
        const replies = await pipeline(c, keys.map((k) => ['SET', k, k]));
        const at = Date.now();
        keys.forEach((k, j) => replies[j] === 'OK' && acks.push({ key: k, at }));
        await sleep(2);
      }
    } catch (err) {
      if (!/connection closed|ECONNRESET|EPIPE/.test((err as Error).message)) throw err;
    } finally {
      c.close();
    }
  });
  // While the burst runs, the background fsync keeps up: never more than ~1 s behind.
  let maxAge = 0;
  const until = Date.now() + 2500;
  while (Date.now() < until) {
    await sleep(200);
    maxAge = Math.max(maxAge, Number(await infoField(info, 'wal_last_fsync_age_ms')));
  }
  t.ok(maxAge < 2000, `longest time since the last fsync during the burst: ${maxAge} ms`);
  info.close();
  const killedAt = Date.now();
  await node.stop('SIGKILL');
  stop = true;
  await Promise.all(writers);

  const node2 = await startCinnabar(t, { dir });
  const c = await RawConnection.connect(node2.port);
  t.teardown(() => c.close());
  const values = await pipeline(c, acks.map((a) => ['GET', a.key]));
  const missing = acks.filter((a, i) => values[i] !== a.key);
  const old = missing.filter((a) => a.at < killedAt - 2000);
  t.same(old, [], 'everything acknowledged more than 2 s before the kill is there');
  // A process crash (unlike an OS crash) loses nothing: the turn was written before its replies.
  t.equal(missing.length, 0, `all ${acks.length} acknowledged SETs survived the process crash`);
});
