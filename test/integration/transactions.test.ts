// Transactions over real sockets: WATCH broken by another client (write, expiry, FLUSHALL,
// SWAPDB) compared step by step with redis-server, including Redis 7.0's rule for keys that
// had already expired when WATCHed; EXEC atomic under concurrent clients; WATCH-based
// optimistic locking; pipelined transactions; EXEC refused before AUTH; stats and CLIENT LIST.

import t, { type Test } from 'tap';
import { startCinnabar, startRedis } from '../helpers/server';
import { RawConnection } from '../helpers/resp';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A step: a command on connection `conn` (0 or 1), or a pause. */
type Step = { conn: 0 | 1; cmd: string[] } | { sleep: number };

const a = (...cmd: string[]): Step => ({ conn: 0, cmd });
const b = (...cmd: string[]): Step => ({ conn: 1, cmd });
const pause = (ms: number): Step => ({ sleep: ms });

/** Runs the steps on a server with two fresh connections and returns every reply. */
async function run(t: Test, port: number, steps: Step[]): Promise<string[]> {
  const conns = [await RawConnection.connect(port), await RawConnection.connect(port)];
  t.teardown(() => conns.forEach((c) => c.close()));
  const replies: string[] = [];
  for (const s of steps) {
    if ('sleep' in s) await sleep(s.sleep);
    else replies.push(await conns[s.conn].call(...s.cmd));
  }
  return replies;
}

const MULTI_PING_EXEC = [a('MULTI'), a('PING'), a('EXEC')];

/** Named step lists whose replies must match redis-server's one for one. */
const CASES: Array<[string, Step[]]> = [
  ['write by another client', [a('SET', 'k', '1'), a('WATCH', 'k'), b('SET', 'k', '2'), ...MULTI_PING_EXEC]],
  ['write to another key', [a('SET', 'k', '1'), a('WATCH', 'k'), b('SET', 'j', '2'), ...MULTI_PING_EXEC]],
  ['FLUSHALL of a watched key', [a('SET', 'k', '1'), a('WATCH', 'k'), b('FLUSHALL'), ...MULTI_PING_EXEC]],
  ['FLUSHALL with the watched key missing', [a('SET', 'j', '1'), a('WATCH', 'k'), b('FLUSHALL'), ...MULTI_PING_EXEC]],
  ['SWAPDB bringing the key in', [b('SELECT', '1'), b('SET', 'k', '1'), a('WATCH', 'k'), b('SWAPDB', '0', '1'), ...MULTI_PING_EXEC]],
  ['SWAPDB taking the key away', [a('SET', 'k', '1'), a('WATCH', 'k'), b('SWAPDB', '1', '0'), ...MULTI_PING_EXEC]],
  ['SWAPDB of other databases', [a('SET', 'k', '1'), a('WATCH', 'k'), b('SWAPDB', '1', '2'), ...MULTI_PING_EXEC]],
  // Keys that expire: with the active cycle off they stay in memory past their time.
  ['TTL passes after WATCH (key still in memory)', [a('SET', 'k', '1', 'PX', '150'), a('WATCH', 'k'), pause(250), ...MULTI_PING_EXEC]],
  ['TTL passes after WATCH, removed by a read', [a('SET', 'k', '1', 'PX', '150'), a('WATCH', 'k'), pause(250), b('GET', 'k'), ...MULTI_PING_EXEC]],
  ['already expired at WATCH', [a('SET', 'k', '1', 'PX', '50'), pause(120), a('WATCH', 'k'), ...MULTI_PING_EXEC]],
  ['already expired at WATCH, then removed by a read', [a('SET', 'k', '1', 'PX', '50'), pause(120), a('WATCH', 'k'), b('GET', 'k'), ...MULTI_PING_EXEC]],
  ['already expired at WATCH, then written', [a('SET', 'k', '1', 'PX', '50'), pause(120), a('WATCH', 'k'), b('SET', 'k', '2'), ...MULTI_PING_EXEC]],
  ['already expired at WATCH, then written with a TTL', [a('SET', 'k', '1', 'PX', '50'), pause(120), a('WATCH', 'k'), b('SET', 'k', '2', 'PX', '100000'), ...MULTI_PING_EXEC]],
  ['already expired at WATCH, then FLUSHDB', [a('SET', 'k', '1', 'PX', '50'), pause(120), a('WATCH', 'k'), b('FLUSHDB'), ...MULTI_PING_EXEC]],
  [
    'already expired at WATCH, SWAPDB brings a live key',
    [a('SET', 'k', '1', 'PX', '50'), b('SELECT', '1'), b('SET', 'k', '1'), pause(120), a('WATCH', 'k'), b('SWAPDB', '0', '1'), ...MULTI_PING_EXEC],
  ],
  [
    'already expired at WATCH, SWAPDB brings another expired key',
    [a('SET', 'k', '1', 'PX', '50'), b('SELECT', '1'), b('SET', 'k', '1', 'PX', '50'), pause(120), a('WATCH', 'k'), b('SWAPDB', '0', '1'), ...MULTI_PING_EXEC],
  ],
  [
    'missing at WATCH, SWAPDB brings an expired key',
    [b('SELECT', '1'), b('SET', 'k', '1', 'PX', '50'), pause(120), a('WATCH', 'k'), b('SWAPDB', '0', '1'), ...MULTI_PING_EXEC],
  ],
];

t.test('WATCH is broken as in redis-server', async (t) => {
  const args = ['--enable-debug-command', 'yes'];
  const [redis, cinnabar] = await Promise.all([startRedis(t, args), startCinnabar(t, { args })]);
  for (const [name, steps] of CASES) {
    const replies: string[][] = [];
    for (const port of [redis.port, cinnabar.port]) {
      const admin = await RawConnection.connect(port);
      await admin.call('FLUSHALL');
      await admin.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
      admin.close();
      replies.push(await run(t, port, steps));
    }
    t.same(replies[1], replies[0], name);
  }
  // With the active expiry cycle on, the key goes by itself and the watch breaks.
  const active = [a('SET', 'k', '1', 'PX', '100'), a('WATCH', 'k'), pause(400), a('EXISTS', 'k'), ...MULTI_PING_EXEC];
  for (const port of [redis.port, cinnabar.port]) {
    const admin = await RawConnection.connect(port);
    await admin.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    admin.close();
  }
  const [fromRedis, fromCinnabar] = [await run(t, redis.port, active), await run(t, cinnabar.port, active)];
  t.same(fromCinnabar, fromRedis, 'active expiry breaks the watch');
  t.equal(fromCinnabar.at(-1), '*-1\r\n');

  // EXEC refused before AUTH is an EXECABORT with the reason.
  for (const port of [redis.port, cinnabar.port]) {
    const admin = await RawConnection.connect(port);
    await admin.call('CONFIG', 'SET', 'requirepass', 'pw');
    const c = await RawConnection.connect(port);
    t.equal(await c.call('EXEC'), '-EXECABORT Transaction discarded because of: NOAUTH Authentication required.\r\n');
    t.equal(await c.call('MULTI'), '-NOAUTH Authentication required.\r\n');
    await c.call('AUTH', 'pw');
    await c.call('CONFIG', 'SET', 'requirepass', '');
    c.close();
    admin.close();
  }
});

t.test('transactions under concurrent clients', async (t) => {
  const node = await startCinnabar(t);

  t.test('EXEC is atomic: no reader sees one INCR without the other', async (t) => {
    const writers = await Promise.all(Array.from({ length: 6 }, () => RawConnection.connect(node.port)));
    const reader = await RawConnection.connect(node.port);
    t.teardown(() => [...writers, reader].forEach((c) => c.close()));
    const rounds = 300;
    let readerDone = false;
    let torn = 0;
    let reads = 0;
    const readLoop = (async () => {
      while (!readerDone) {
        const r = await reader.call('MGET', 'x', 'y');
        reads++;
        const m = /^\*2\r\n(?:\$-1|\$\d+\r\n(\d+))\r\n(?:\$-1|\$\d+\r\n(\d+))\r\n$/.exec(r);
        if (m === null || (m[1] ?? '0') !== (m[2] ?? '0')) torn++;
      }
    })();
    await Promise.all(
      writers.map(async (w) => {
        for (let i = 0; i < rounds; i++) {
          // Pipelined: the whole transaction arrives at once, interleaved with the others.
          w.send('MULTI');
          w.send('INCR', 'x');
          w.send('INCR', 'y');
          w.send('EXEC');
          for (let j = 0; j < 3; j++) await w.reply();
          const r = await w.reply();
          if (!r.startsWith('*2\r\n:')) t.fail(`EXEC replied ${JSON.stringify(r)}`);
        }
      }),
    );
    readerDone = true;
    await readLoop;
    t.equal(torn, 0, `${reads} reads saw x = y`);
    t.equal(await reader.call('MGET', 'x', 'y'), `*2\r\n$4\r\n1800\r\n$4\r\n1800\r\n`);
  });

  t.test('WATCH-based optimistic increments lose nothing', async (t) => {
    const clients = await Promise.all(Array.from({ length: 5 }, () => RawConnection.connect(node.port)));
    t.teardown(() => clients.forEach((c) => c.close()));
    const perClient = 60;
    let retries = 0;
    await Promise.all(
      clients.map(async (c) => {
        for (let done = 0; done < perClient; ) {
          await c.call('WATCH', 'cas');
          const cur = await c.call('GET', 'cas');
          const n = cur === '$-1\r\n' ? 0 : Number(cur.split('\r\n')[1]);
          await sleep(Math.random() * 2);
          c.send('MULTI');
          c.send('SET', 'cas', String(n + 1));
          c.send('EXEC');
          await c.reply();
          await c.reply();
          const r = await c.reply();
          if (r === '*-1\r\n') retries++;
          else done++;
        }
      }),
    );
    const final = await clients[0].call('GET', 'cas');
    t.equal(final, `$3\r\n${5 * perClient}\r\n`, `no lost update (${retries} retries after a broken watch)`);
    t.ok(retries > 0, 'some watches were broken by the other clients');
  });

  t.test('a long pipeline of transactions', async (t) => {
    const c = await RawConnection.connect(node.port);
    t.teardown(() => c.close());
    const n = 2000;
    let req = '';
    const cmd = (...args: string[]) => '*' + args.length + '\r\n' + args.map((x) => '$' + x.length + '\r\n' + x + '\r\n').join('');
    for (let i = 0; i < n; i++) req += cmd('MULTI') + cmd('RPUSHX-NOT-A-COMMAND') + cmd('DISCARD') + cmd('MULTI') + cmd('INCR', 'pl') + cmd('GET', 'pl') + cmd('EXEC');
    c.writeRaw(req);
    let bad = 0;
    for (let i = 0; i < n; i++) {
      const got = [];
      for (let j = 0; j < 7; j++) got.push(await c.reply());
      const v = String(i + 1);
      const want = ['+OK\r\n', got[1], '+OK\r\n', '+OK\r\n', '+QUEUED\r\n', '+QUEUED\r\n', `*2\r\n:${v}\r\n$${v.length}\r\n${v}\r\n`];
      if (!got[1].startsWith('-ERR unknown command')) bad++;
      if (JSON.stringify(got) !== JSON.stringify(want) && bad++ < 3) t.same(got, want, `transaction ${i}`);
    }
    t.equal(bad, 0, `${n} pipelined transactions answered in order`);
  });

  t.test('CLIENT LIST and INFO during and after a transaction', async (t) => {
    const c = await RawConnection.connect(node.port);
    t.teardown(() => c.close());
    await c.call('CONFIG', 'RESETSTAT');
    t.match(await c.call('CLIENT', 'INFO'), / flags=N .* multi=-1 /);
    await c.call('MULTI');
    await c.call('SET', 's1', 'v');
    await c.call('CLIENT', 'INFO');
    const r = await c.call('EXEC');
    t.match(r, /flags=x .* multi=2 /, 'CLIENT INFO inside EXEC shows the transaction');
    const stats = await c.call('INFO', 'commandstats');
    t.match(stats, /cmdstat_exec:calls=1,/);
    t.match(stats, /cmdstat_multi:calls=1,/);
    t.match(stats, /cmdstat_set:calls=1,/, 'queued commands count when EXEC runs them');
    t.match(stats, /cmdstat_client\|info:calls=2,/);
    const info = await c.call('INFO', 'stats');
    // CONFIG RESETSTAT, CLIENT INFO, MULTI, EXEC, SET, CLIENT INFO, INFO = 7 (queuing counts nothing).
    t.match(info, /total_commands_processed:7\r\n/);
  });

  t.test('a disconnected client leaves no watch behind', async (t) => {
    const c = await RawConnection.connect(node.port);
    const d = await RawConnection.connect(node.port);
    t.teardown(() => d.close());
    await c.call('WATCH', 'gone1', 'gone2');
    await c.call('MULTI');
    c.close();
    await sleep(50);
    t.equal(await d.call('SET', 'gone1', 'x'), '+OK\r\n', 'writing a key the closed client watched still works');
    t.equal(await d.call('CLIENT', 'LIST').then((s) => s.split('\n').filter((l) => l.includes('multi=0')).length), 0);
  });
});
