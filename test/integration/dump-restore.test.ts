// DUMP and RESTORE against redis-server 7.0: DUMP bytes equal to Redis's for every value
// whose RDB encoding is deterministic, payloads moved both ways and read back with each
// type's commands, and restored keys (with their TTLs) surviving a restart.

import t from 'tap';
import { startBoth } from '../helpers/differential';
import { startCinnabar } from '../helpers/server';
import { RawConnection, bulks } from '../helpers/resp';
import { dataDir, rng } from '../helpers/durability';
import { crc64 } from '../../src/keyspace/rdb/crc64';

/** The bytes of a bulk string reply (latin1), null for a nil bulk; throws on anything else. */
function bulkOf(reply: string): string | null {
  if (reply === '$-1\r\n' || reply === '_\r\n') return null;
  if (reply[0] !== '$') throw new Error(`not a bulk reply: ${JSON.stringify(reply.slice(0, 80))}`);
  const nl = reply.indexOf('\r\n');
  return reply.slice(nl + 2, nl + 2 + Number(reply.slice(1, nl)));
}

async function dump(c: RawConnection, key: string): Promise<string | null> {
  return bulkOf(await c.call('DUMP', key));
}

async function run(c: RawConnection, commands: string[][]): Promise<void> {
  for (const cmd of commands) {
    const r = await c.call(...cmd);
    if (r[0] === '-') throw new Error(`${cmd.slice(0, 3).join(' ')}: ${r}`);
  }
}

/** A key's content, read with its type's commands, in an order that does not depend on encoding. */
async function contentOf(c: RawConnection, key: string): Promise<unknown> {
  const type = (await c.call('TYPE', key)).slice(1, -2);
  const encoding = await c.call('OBJECT', 'ENCODING', key);
  switch (type) {
    case 'string':
      return { type, encoding, value: bulkOf(await c.call('GET', key)) };
    case 'list':
      return { type, encoding, value: bulks(await c.call('LRANGE', key, '0', '-1')) };
    case 'set':
      return { type, encoding, value: bulks(await c.call('SMEMBERS', key)).sort() };
    case 'zset':
      return { type, encoding, value: bulks(await c.call('ZRANGE', key, '0', '-1', 'WITHSCORES')) };
    case 'hash': {
      const flat = bulks(await c.call('HGETALL', key));
      const pairs: string[] = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push(flat[i] + '\x00' + flat[i + 1]);
      return { type, encoding, value: pairs.sort() };
    }
    default:
      return { type };
  }
}

const rand = rng(20260417);
const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
const bytes = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(int(0, 255))).join('');
const words = (n: number): string => Array.from({ length: n }, () => ['foo', 'bar', 'baz', 'redis', ' ', ':'][int(0, 5)]).join('');

/** Keys whose DUMP Redis writes deterministically: the bytes must be equal. */
function deterministicKeys(): Array<[string, string[][]]> {
  const out: Array<[string, string[][]]> = [];
  const strings = [
    '', 'a', '0', '-0', '1', '-1', '127', '128', '-128', '-129', '32767', '32768', '-32768', '-32769',
    '2147483647', '2147483648', '-2147483648', '-2147483649', '9223372036854775807', '-9223372036854775808',
    '9223372036854775808', '01', '+1', '1.5', ' 1', 'x'.repeat(20), 'x'.repeat(21), 'ab'.repeat(11),
    'a\x00b\r\n\xff\x80', bytes(21), bytes(300), bytes(5000), words(100), words(3000), 'z'.repeat(70000),
  ];
  strings.forEach((s, i) => out.push([`str:${i}`, [['SET', `str:${i}`, s]]]));
  const listElements = (n: number, f: () => string): string[] => Array.from({ length: n }, f);
  out.push(['list:small', [['RPUSH', 'list:small', 'a', '1', '-5', '300', '70000', '5000000000', bytes(10), 'x'.repeat(100), 'y'.repeat(5000)]]]);
  out.push(['list:lpush', [['LPUSH', 'list:lpush', 'a', 'b', 'c', '1']]]);
  out.push(['list:big', [['RPUSH', 'list:big', ...listElements(4000, () => words(int(1, 8)))]]]);
  out.push(['list:ints', [['RPUSH', 'list:ints', ...listElements(5000, () => String(int(-100000, 100000)))]]]);
  out.push(['list:huge-elements', [['RPUSH', 'list:huge-elements', ...listElements(20, () => bytes(int(1000, 9000)))]]]);
  out.push(['list:popped', [['RPUSH', 'list:popped', 'a', 'b', 'c', 'd'], ['LPOP', 'list:popped'], ['LSET', 'list:popped', '0', 'B'], ['LINSERT', 'list:popped', 'BEFORE', 'c', 'x']]]);
  out.push(['set:int16', [['SADD', 'set:int16', '5', '-3', '100', '1', '0']]]);
  out.push(['set:int32', [['SADD', 'set:int32', '5', '70000', '-70000']]]);
  out.push(['set:int64', [['SADD', 'set:int64', '5', '7000000000', '-9223372036854775808']]]);
  out.push(['set:many-ints', [['SADD', 'set:many-ints', ...Array.from({ length: 500 }, (_, i) => String(i * 13 - 2000))]]]);
  const scores = (): string => [String(int(-1000, 1000)), (rand() * 100).toFixed(int(0, 6)), String(rand()), '1e20', '-inf', 'inf', '0.1'][int(0, 6)];
  out.push(['zset:listpack', [['ZADD', 'zset:listpack', ...Array.from({ length: 100 }, (_, i) => [scores(), `m${i}`]).flat()]]]);
  out.push(['zset:skiplist', [['ZADD', 'zset:skiplist', ...Array.from({ length: 1000 }, (_, i) => [scores(), `member:${i}`]).flat()]]]);
  out.push(['zset:long-member', [['ZADD', 'zset:long-member', '1', 'a', '2', 'x'.repeat(100)]]]);
  out.push(['hash:listpack', [['HSET', 'hash:listpack', ...Array.from({ length: 60 }, (_, i) => [`f${i}`, i % 3 === 0 ? String(int(-1e6, 1e6)) : words(int(0, 10))]).flat()], ['HDEL', 'hash:listpack', 'f3'], ['HSET', 'hash:listpack', 'f3', 'back', 'f0', 'changed']]]);
  return out;
}

/** Keys stored in hash tables by Redis (dict order is not reproducible): round trips only. */
function hashtableKeys(): Array<[string, string[][]]> {
  return [
    ['set:hashtable', [['SADD', 'set:hashtable', ...Array.from({ length: 300 }, (_, i) => `member:${i}`), 'x'.repeat(200), '42']]],
    ['set:int-overflow', [['SADD', 'set:int-overflow', ...Array.from({ length: 600 }, (_, i) => String(i))]]],
    ['hash:hashtable', [['HSET', 'hash:hashtable', ...Array.from({ length: 700 }, (_, i) => [`field:${i}`, String(i * 7)]).flat()]]],
    ['hash:long-value', [['HSET', 'hash:long-value', 'a', '1', 'b', 'v'.repeat(100)]]],
  ];
}

t.test('DUMP bytes equal redis-server for deterministic encodings', async (t) => {
  const { redis, cinnabar } = await startBoth(t);
  for (const [key, setup] of deterministicKeys()) {
    await run(redis, setup);
    await run(cinnabar, setup);
    const [theirs, ours] = [await dump(redis, key), await dump(cinnabar, key)];
    t.ok(theirs !== null && theirs === ours, `${key}: DUMP bytes equal (${theirs?.length} bytes)`);
  }
  t.equal(await cinnabar.call('DUMP', 'missing'), '$-1\r\n', 'missing key: nil');
});

t.test('payloads move both ways and read back the same', async (t) => {
  const { redis, cinnabar } = await startBoth(t);
  for (const [key, setup] of [...deterministicKeys(), ...hashtableKeys()]) {
    await run(redis, setup);
    await run(cinnabar, setup);
    const expected = await contentOf(redis, key);
    t.same(await contentOf(cinnabar, key), expected, `${key}: same content before`);
    for (const [name, from, to] of [['redis → cinnabar', redis, cinnabar], ['cinnabar → redis', cinnabar, redis]] as const) {
      const payload = await dump(from, key);
      const copy = `${key}:copy`;
      t.equal(await to.call('RESTORE', copy, '0', payload!, 'REPLACE'), '+OK\r\n', `${key}: ${name} RESTORE`);
      t.same(await contentOf(to, copy), expected, `${key}: ${name} same content`);
    }
  }
});

t.test('RESTORE TTLs, REPLACE and BUSYKEY against redis-server', async (t) => {
  const { redis, cinnabar } = await startBoth(t);
  await run(redis, [['RPUSH', 'src', 'a', 'b']]);
  const payload = (await dump(redis, 'src'))!;
  const future = String(Date.now() + 3_600_000);
  const steps: string[][] = [
    ['RESTORE', 'k', '0', payload],
    ['RESTORE', 'k', '0', payload],
    ['RESTORE', 'k', '0', payload, 'REPLACE'],
    ['TTL', 'k'],
    ['RESTORE', 'k', future, payload, 'REPLACE', 'ABSTTL'],
    ['PEXPIRETIME', 'k'],
    ['RESTORE', 'k', '1', payload, 'REPLACE', 'ABSTTL'],
    ['EXISTS', 'k'],
    ['RESTORE', 'gone', '1', payload, 'ABSTTL'],
    ['EXISTS', 'gone'],
    ['RESTORE', 'rel', '5000', payload],
    ['TTL', 'rel'],
  ];
  for (const s of steps) t.equal(await cinnabar.call(...s), await redis.call(...s), s.slice(0, 2).concat(s.slice(4)).join(' '));
});

t.test('restored keys and their TTLs survive a restart (WAL and snapshot)', async (t) => {
  const dir = dataDir(t);
  const args = ['--appendfsync', 'always', '--snapshot-interval', '0', '--snapshot-wal-bytes', '0'];
  let node = await startCinnabar(t, { dir, args });
  let c = await RawConnection.connect(node.port);
  await run(c, [
    ['RPUSH', 'l', 'a', 'b', 'c'],
    ['HSET', 'h', 'f', 'v'],
    ['SET', 's', 'x'.repeat(100)],
    ['ZADD', 'z', '1', 'a', '2', 'b'],
  ]);
  const payloads = new Map<string, string>();
  for (const k of ['l', 'h', 's', 'z']) payloads.set(k, (await dump(c, k))!);
  await run(c, [
    ['RESTORE', 'l2', '0', payloads.get('l')!],
    ['RESTORE', 'h2', '600000', payloads.get('h')!],
    ['SAVE'],
    ['RESTORE', 's2', '700000', payloads.get('s')!],
    ['RESTORE', 'z2', String(Date.now() + 800000), payloads.get('z')!, 'ABSTTL'],
    ['RESTORE', 'l', '900000', payloads.get('h')!, 'REPLACE'],
  ]);
  const keys = ['l', 'h', 's', 'z', 'l2', 'h2', 's2', 'z2'];
  const before = await Promise.all(keys.map(async (k) => [k, await contentOf(c, k), await c.call('PEXPIRETIME', k)]));
  c.close();
  await node.stop('SIGKILL');
  node = await startCinnabar(t, { dir, args });
  c = await RawConnection.connect(node.port);
  t.teardown(() => c.close());
  const after = await Promise.all(keys.map(async (k) => [k, await contentOf(c, k), await c.call('PEXPIRETIME', k)]));
  t.same(after, before, 'values, encodings and absolute expiries identical after kill -9 and restart');
});

t.test('crafted RESTORE payloads with a valid CRC answer Bad data format and the node lives', async (t) => {
  const node = await startCinnabar(t);
  const c = await RawConnection.connect(node.port);
  t.teardown(() => c.close());
  const withFooter = (body: number[]): string => {
    const head = Buffer.concat([Buffer.from(body), Buffer.from([10, 0])]);
    return Buffer.concat([head, crc64(head)]).toString('latin1');
  };
  const crafted: Array<[string, number[]]> = [
    ['LZF length 2^41', [0, 0xc3, 2, 0x81, 0, 0, 0x02, 0, 0, 0, 0, 0, 0x00, 0x61]],
    ['LZF length 2^32', [0, 0xc3, 2, 0x81, 0, 0, 0, 0x01, 0, 0, 0, 0, 0x00, 0x61]],
    ['LZF length over the longest string', [0, 0xc3, 2, 0x80, 0x20, 0, 0, 0x01, 0x00, 0x61]],
    ['string length 2^64 - 1', [0, 0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
    ['list of 2^53 - 1 quicklist nodes', [18, 0x81, 0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0]],
  ];
  await run(c, [['RPUSH', 'l', 'a', 'b'], ['HSET', 'h', 'f', 'v']]);
  const body = Buffer.from((await dump(c, 'l'))!, 'latin1');
  for (let cut = 0; cut < body.length - 10; cut++) crafted.push([`list payload cut at ${cut}`, [...body.subarray(0, cut)]]);
  for (const [what, bytes] of crafted) {
    t.equal(await c.call('RESTORE', 'k', '0', withFooter(bytes)), '-ERR Bad data format\r\n', what);
    t.equal(await c.call('PING'), '+PONG\r\n', `${what}: still answers PING`);
  }
});

t.test('a relative TTL that overflows 64 bits with now: OK, no key (as Redis 7.0), and the same after a restart', async (t) => {
  const dir = dataDir(t);
  const args = ['--appendfsync', 'always', '--snapshot-interval', '0', '--snapshot-wal-bytes', '0'];
  let node = await startCinnabar(t, { dir, args });
  let c = await RawConnection.connect(node.port);
  await run(c, [['SET', 's', 'hello'], ['SET', 'old', 'x']]);
  const payload = (await dump(c, 's'))!;
  t.equal(await c.call('RESTORE', 'k1', '9223372036854775807', payload), '+OK\r\n');
  t.equal(await c.call('EXISTS', 'k1'), ':0\r\n', 'already expired: not created');
  t.equal(await c.call('RESTORE', 'old', '9223372036854775807', payload, 'REPLACE'), '+OK\r\n');
  t.equal(await c.call('EXISTS', 'old'), ':0\r\n', 'REPLACE removed the old key');
  // Just below the overflow: the absolute time is near 2^63 and must be logged as a valid one.
  const near = String(9223372036854775807n - BigInt(Date.now()) - 1_000_000_000n);
  t.equal(await c.call('RESTORE', 'k2', near, payload), '+OK\r\n');
  t.equal(await c.call('RESTORE', 'k3', '9223372036854775807', payload, 'ABSTTL'), '+OK\r\n');
  const keys = ['k1', 'old', 'k2', 'k3', 's'];
  const before = await Promise.all(keys.map(async (k) => [k, await c.call('GET', k), await c.call('PEXPIRETIME', k)]));
  t.equal(before[2][1], '$5\r\nhello\r\n', 'k2 exists');
  c.close();
  await node.stop('SIGKILL');
  node = await startCinnabar(t, { dir, args });
  c = await RawConnection.connect(node.port);
  t.teardown(() => c.close());
  const after = await Promise.all(keys.map(async (k) => [k, await c.call('GET', k), await c.call('PEXPIRETIME', k)]));
  t.same(after, before, 'the same keys and absolute expiries after kill -9 and restart');
});

t.test('list-max-listpack-size outside [-5, 32767] is clamped as quicklistSetFill does: DUMP bytes equal', async (t) => {
  const { redis, cinnabar } = await startBoth(t);
  const elements = Array.from({ length: 3000 }, (_, i) => `element-${i}-${'v'.repeat(i % 50)}`);
  for (const fill of ['-100', '-6', '40000', '2147483647']) {
    for (const c of [redis, cinnabar]) await run(c, [['CONFIG', 'SET', 'list-max-listpack-size', fill], ['DEL', 'l'], ['RPUSH', 'l', ...elements]]);
    const [theirs, ours] = [await dump(redis, 'l'), await dump(cinnabar, 'l')];
    t.ok(theirs !== null && theirs === ours, `fill ${fill}: DUMP bytes equal (${theirs?.length} bytes)`);
  }
});
