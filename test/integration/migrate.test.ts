// MIGRATE side by side with redis-server 7.0: the same script run from a redis-server source
// and from a Cinnabar source, each migrating to its own redis-server target, gets the same
// replies byte for byte (errors from the target, IOERR cases, NOKEY, COPY, REPLACE, KEYS,
// AUTH) and leaves the same data on the targets, TTLs included. Also: Cinnabar to Cinnabar
// with every type, the DEL of moved keys surviving a restart, a target that never answers,
// and `redis-cli --cluster reshard` moving slots that hold keys between Cinnabar nodes.

import t from 'tap';
import net from 'node:net';
import { RawConnection, bulks } from '../helpers/resp';
import { expectSameReplies } from '../helpers/differential';
import { freePort, startCinnabar, startRedis, type Running } from '../helpers/server';
import { dataDir } from '../helpers/durability';
import { bulkText as text, rawCommand, redisCli, startCluster } from '../helpers/cluster';
import { keySlot } from '../../src/cluster/slot';
import IORedis from 'ioredis';

const HOST = '127.0.0.1';

/** Every bulk string of a reply, nested arrays included, in order. */
function bulkStrings(raw: string): string[] {
  const out: string[] = [];
  const re = /\$(\d+)\r\n/g;
  for (let m = re.exec(raw); m !== null; m = re.exec(raw)) {
    const n = Number(m[1]);
    out.push(raw.slice(re.lastIndex, re.lastIndex + n));
    re.lastIndex += n + 2;
  }
  return out;
}

/** The script, for a source migrating to `target`; `dead` is a port nothing listens on. */
function script(target: number, dead: number): string[][] {
  const to = (key: string, db: string, timeout: string, ...opts: string[]): string[] => ['MIGRATE', HOST, String(target), key, db, timeout, ...opts];
  return [
    ['SET', 'k', 'v'],
    ['MIGRATE', HOST, String(dead), 'k', '0', '100'],
    ['MIGRATE', HOST, 'notaport', 'k', '0', '100'],
    to('nokey', '0', '100'),
    to('k', '0', '100', 'KEYS', 'a'),
    to('', '0', '100', 'KEYS', 'a', 'b'),
    to('k', '0', '100', 'BOGUS'),
    to('k', '0', '100', 'AUTH'),
    to('k', '0', '100', 'AUTH2', 'u'),
    to('k', 'x', '100'),
    to('k', '0', 'x'),
    to('k', '0', '100', 'COPY', 'REPLACE', 'KEYS'),
    // The target has no password: AUTH fails there, the RESTORE after it still runs, and
    // the key stays here too.
    to('k', '0', '100', 'AUTH', 'pw'),
    ['EXISTS', 'k'],
    to('k', '0', '100', 'AUTH2', 'user', 'pw'),
    to('k', '0', '100'),
    to('k', '0', '100', 'REPLACE'),
    ['EXISTS', 'k'],
    ['SET', 'k2', 'v2', 'EX', '100'],
    to('k2', '3', '100', 'COPY'),
    ['EXISTS', 'k2'],
    to('k2', '3', '100'),
    to('k2', '99', '100'),
    to('k2', '3', '-5', 'REPLACE'),
    ['EXISTS', 'k2'],
    ['MSET', 'm1', '1', 'm2', String(2 ** 40), 'm3', 'x'.repeat(300)],
    ['RPUSH', 'l', 'a', 'b', 'c'],
    ['SADD', 's', '1', '2', '3'],
    to('', '4', '1000', 'KEYS', 'm1', 'missing', 'm2', 'm3', 'l', 's'),
    ['EXISTS', 'm1', 'm2', 'm3', 'l', 's'],
    ['SET', 'busy', 'here'],
    ['SET', 'free', 'here'],
    // One key refused (BUSYKEY), the other moved: the moved one leaves, the error is reported.
    to('', '5', '1000', 'KEYS', 'busy', 'free'),
    ['EXISTS', 'busy', 'free'],
    ['MIGRATE', HOST, String(target)],
  ];
}

/** What a target holds: the values of the keys the script moves, and whether TTLs survived. */
async function targetView(port: number): Promise<string[]> {
  const c = await RawConnection.connect(port);
  try {
    const out: string[] = [];
    const db = async (n: number, ...cmds: string[][]): Promise<void> => {
      await c.call('SELECT', String(n));
      for (const cmd of cmds) out.push(`${n} ${cmd.join(' ')} -> ${await c.call(...cmd)}`);
    };
    await db(0, ['GET', 'k']);
    await db(3, ['GET', 'k2']);
    const pttl = Number((await c.call('PTTL', 'k2')).slice(1));
    out.push(`k2 ttl kept: ${pttl > 90_000 && pttl <= 100_000}`);
    await db(4, ['MGET', 'm1', 'm2', 'm3'], ['LRANGE', 'l', '0', '-1'], ['SMEMBERS', 's'], ['OBJECT', 'ENCODING', 'm2'], ['TTL', 'm1']);
    await db(5, ['MGET', 'busy', 'free']);
    return out;
  } finally {
    c.close();
  }
}

t.test('MIGRATE replies and effects match redis-server', async (t) => {
  const [redisTarget, cinnabarSourcesTarget, redisSource, cinnabarSource] = await Promise.all([
    startRedis(t),
    startRedis(t),
    startRedis(t),
    startCinnabar(t),
  ]);
  const dead = await freePort();
  for (const target of [redisTarget, cinnabarSourcesTarget]) {
    const c = await RawConnection.connect(target.port);
    await c.call('SELECT', '5');
    await c.call('SET', 'busy', 'there');
    c.close();
  }
  const runScript = async (source: Running, target: Running): Promise<string[]> => {
    const c = await RawConnection.connect(source.port);
    try {
      const replies: string[] = [];
      for (const cmd of script(target.port, dead)) replies.push(await c.call(...cmd));
      return replies;
    } finally {
      c.close();
    }
  };
  const expected = await runScript(redisSource, redisTarget);
  const actual = await runScript(cinnabarSource, cinnabarSourcesTarget);
  expectSameReplies(t, script(0, 0), expected, actual);
  t.same(await targetView(cinnabarSourcesTarget.port), await targetView(redisTarget.port), 'the targets hold the same data');
  t.match(actual.join(''), 'Target instance replied with error: BUSYKEY', 'the script reached the target errors');
});

t.test('a dropped cached connection is reopened; passwords stay out of the slow log', async (t) => {
  const slowlogAll = ['--slowlog-log-slower-than', '0'];
  const [target, redis, cinnabar] = await Promise.all([startRedis(t), startRedis(t, slowlogAll), startCinnabar(t, { args: slowlogAll })]);
  const seen: string[][] = [];
  for (const source of [redis, cinnabar]) {
    const c = await RawConnection.connect(source.port);
    await c.call('MSET', 'a', '1', 'b', '2');
    t.equal(await c.call('MIGRATE', HOST, String(target.port), 'a', '0', '1000', 'REPLACE'), '+OK\r\n');
    // The target drops every client: the source's cached link is dead, the next MIGRATE
    // finds out on its first read and tries once more on a new connection.
    await rawCommand(target.port, ['CLIENT', 'KILL', 'TYPE', 'normal']);
    t.equal(await c.call('MIGRATE', HOST, String(target.port), 'b', '0', '1000', 'REPLACE', 'AUTH2', 'someone', 'secret'), '-ERR Target instance replied with error: WRONGPASS invalid username-password pair or user is disabled.\r\n');
    t.equal(await c.call('MIGRATE', HOST, String(target.port), 'b', '0', '1000', 'REPLACE', 'AUTH', 'secret'), '-ERR Target instance replied with error: ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n');
    const log = await c.call('SLOWLOG', 'GET', '2');
    seen.push(bulkStrings(log).filter((x) => x === 'secret' || x === 'someone' || x === '(redacted)'));
    c.close();
  }
  t.same(seen[1], seen[0], 'the slow log shows what redis-server shows');
  t.same(seen[1], ['(redacted)', '(redacted)', '(redacted)'], 'passwords are redacted');
});

t.test('a MIGRATE that moves nothing is not logged: a restart does not run it again', async (t) => {
  const dir = dataDir(t);
  const [target, source] = await Promise.all([startRedis(t), startCinnabar(t, { dir, args: ['--appendonly', 'yes'] })]);
  const c = await RawConnection.connect(source.port);
  await rawCommand(target.port, ['SET', 'busy', 'there']);
  await c.call('SET', 'busy', 'here');
  await c.call('SET', 'gone', 'soon', 'PX', '20');
  await new Promise((r) => setTimeout(r, 50));
  // The lookup expires 'gone' (a change), and 'busy' is refused: nothing moves.
  t.match(await c.call('MIGRATE', HOST, String(target.port), '', '0', '1000', 'KEYS', 'gone', 'busy'), 'BUSYKEY');
  c.close();
  await rawCommand(target.port, ['DEL', 'busy']);
  await source.stop();
  const again = await startCinnabar(t, { dir, args: ['--appendonly', 'yes'] });
  t.equal(await rawCommand(again.port, ['GET', 'busy']), '$4\r\nhere\r\n', 'the key is still here');
  t.equal(await rawCommand(target.port, ['EXISTS', 'busy']), ':0\r\n', 'and was not sent again');
});

t.test('a target that never answers: IOERR after the timeout, and the key stays', async (t) => {
  const silent = net.createServer((s) => s.resume());
  await new Promise<void>((resolve) => silent.listen(0, HOST, resolve));
  t.teardown(() => new Promise<void>((resolve) => silent.close(() => resolve())));
  const port = (silent.address() as net.AddressInfo).port;
  const [redis, cinnabar] = await Promise.all([startRedis(t), startCinnabar(t)]);
  for (const source of [redis, cinnabar]) {
    const c = await RawConnection.connect(source.port);
    await c.call('SET', 'k', 'v');
    const t0 = Date.now();
    t.equal(await c.call('MIGRATE', HOST, String(port), 'k', '0', '300'), '-IOERR error or timeout reading to target instance\r\n');
    t.ok(Date.now() - t0 >= 250, 'waited for the timeout');
    t.equal(await c.call('EXISTS', 'k'), ':1\r\n');
    c.close();
  }
  // The node is still serving everyone after its wait.
  t.equal(await rawCommand(cinnabar.port, ['PING']), '+PONG\r\n');
});

t.test('Cinnabar to Cinnabar: every type with its TTL; the moved keys stay deleted after a restart', async (t) => {
  const dir = dataDir(t);
  const [source, target] = await Promise.all([startCinnabar(t, { dir, args: ['--appendonly', 'yes'] }), startCinnabar(t)]);
  const c = await RawConnection.connect(source.port);
  t.teardown(() => c.close());
  await c.call('SET', 'str', 'hello', 'PX', '100000');
  await c.call('SET', 'int', '12345');
  await c.call('RPUSH', 'list', ...Array.from({ length: 200 }, (_, i) => `item${i}`));
  await c.call('SADD', 'intset', '1', '2', '3');
  await c.call('SADD', 'set', ...Array.from({ length: 300 }, (_, i) => `member${i}`));
  await c.call('ZADD', 'zset', '1', 'a', '2.5', 'b', '-3', 'c');
  await c.call('ZADD', 'bigzset', ...Array.from({ length: 300 }, (_, i) => [String(i / 7), `z${i}`]).flat());
  await c.call('HSET', 'hash', 'f1', 'v1', 'f2', 'v2');
  await c.call('HSET', 'bighash', ...Array.from({ length: 600 }, (_, i) => [`f${i}`, `v${i}`]).flat());
  await c.call('SET', 'big', Array.from({ length: 200_000 }, (_, i) => String(i * 7919)).join(','));
  const keys = ['str', 'int', 'list', 'intset', 'set', 'zset', 'bigzset', 'hash', 'bighash', 'big'];
  const read = async (port: number): Promise<string[]> => {
    const r = await RawConnection.connect(port);
    try {
      return [
        await r.call('GET', 'str'),
        await r.call('GET', 'int'),
        await r.call('LRANGE', 'list', '0', '-1'),
        bulks(await r.call('SMEMBERS', 'intset')).sort().join(','),
        bulks(await r.call('SMEMBERS', 'set')).sort().join(','),
        await r.call('ZRANGE', 'zset', '0', '-1', 'WITHSCORES'),
        await r.call('ZRANGE', 'bigzset', '0', '-1', 'WITHSCORES'),
        bulks(await r.call('HGETALL', 'hash')).join(','),
        String(bulks(await r.call('HGETALL', 'bighash')).length),
        await r.call('GET', 'big'),
      ];
    } finally {
      r.close();
    }
  };
  const before = await read(source.port);
  t.equal(await c.call('MIGRATE', HOST, String(target.port), '', '0', '2000', 'KEYS', ...keys), '+OK\r\n');
  t.equal(await c.call('EXISTS', ...keys), ':0\r\n');
  t.same(await read(target.port), before, 'the target reads back the same values');
  const pttl = Number((await rawCommand(target.port, ['PTTL', 'str'])).slice(1));
  t.ok(pttl > 90_000 && pttl <= 100_000, `TTL kept (${pttl} ms)`);

  await c.call('SET', 'stays', 'here');
  c.close();
  await source.stop();
  const again = await startCinnabar(t, { dir, args: ['--appendonly', 'yes'] });
  t.equal(await rawCommand(again.port, ['DBSIZE']), ':1\r\n', 'the DEL of the moved keys was logged');
  t.equal(await rawCommand(again.port, ['GET', 'stays']), '$4\r\nhere\r\n');
});

t.test('redis-cli --cluster reshard moves slots holding keys between Cinnabar nodes, under load', async (t) => {
  const nodes = await startCluster(t, 'cinnabar', 3, 0, { args: ['--appendonly', 'yes'] });
  const addrs = nodes.map((n) => `${HOST}:${n.port}`);
  // Keys in slots 0-99, which the first node serves, and keys everywhere for the client.
  const keys: string[] = [];
  for (let i = 0; keys.length < 300; i++) if (keySlot(`key:${i}`) < 100) keys.push(`key:${i}`);
  const writer = await RawConnection.connect(nodes[0].port);
  t.teardown(() => writer.close());
  for (const k of keys) await writer.call('SET', k, `value of ${k}`);
  const io = new IORedis.Cluster([{ host: HOST, port: nodes[0].port }]);
  io.on('error', () => undefined); // failures surface through the awaited commands
  t.teardown(() => io.disconnect());
  const spread = Array.from({ length: 2000 }, (_, i) => `spread:${i}`);
  for (const k of spread) await io.set(k, k);

  // A cluster client keeps reading and writing (MOVED and ASK included) while slots move.
  let stop = false;
  let ops = 0;
  const wrong: string[] = [];
  const traffic = async (seed: number): Promise<void> => {
    for (let i = seed; !stop; i += 7) {
      const k = i % 2 === 0 ? keys[i % keys.length] : spread[i % spread.length];
      const expected = k.startsWith('key:') ? `value of ${k}` : k;
      try {
        const v = await io.get(k);
        if (v !== expected) wrong.push(`${k}=${v}`);
        await io.set(k, expected);
        ops += 2;
      } catch (e) {
        wrong.push(`${k}: ${(e as Error).message}`);
      }
    }
  };
  const clients = [traffic(0), traffic(1), traffic(2)];
  const [from, to] = [text(await rawCommand(nodes[0].port, ['CLUSTER', 'MYID'])), text(await rawCommand(nodes[1].port, ['CLUSTER', 'MYID']))];
  const r = await redisCli(['--cluster', 'reshard', addrs[0], '--cluster-from', from, '--cluster-to', to, '--cluster-slots', '600', '--cluster-yes'], 120_000);
  stop = true;
  await Promise.all(clients);
  t.equal(r.code, 0, r.out.slice(-2000));
  t.same(wrong.slice(0, 5), [], `no wrong reply or error in ${ops} operations during the reshard`);
  t.ok(ops > 0, 'the client ran during the reshard');

  const check = await redisCli(['--cluster', 'check', addrs[2]]);
  t.equal(check.code, 0, check.out);
  t.match(check.out, '[OK] All 16384 slots covered.');
  t.equal(await rawCommand(nodes[0].port, ['CLUSTER', 'COUNTKEYSINSLOT', '0']), ':0\r\n');
  const reader = await RawConnection.connect(nodes[1].port);
  t.teardown(() => reader.close());
  let found = 0;
  for (const k of keys) if ((await reader.call('GET', k)) === `$${`value of ${k}`.length}\r\nvalue of ${k}\r\n`) found++;
  t.equal(found, keys.length, 'every key is on the new owner');
  t.match(await rawCommand(nodes[0].port, ['GET', keys[0]]), /^-MOVED \d+ 127\.0\.0\.1:\d+\r\n$/);

  // The source's WAL has the DEL of every key it gave away: a kill -9 brings none back.
  await nodes[0].kill9();
  await nodes[0].start(t);
  let total = 0;
  for (const n of nodes) total += Number((await rawCommand(n.port, ['DBSIZE'])).slice(1));
  t.equal(total, keys.length + spread.length, 'no key lost or duplicated across the restart');
});
