// Hashes and sets over the wire: a random workload compared byte for byte with redis-server
// where Redis's replies are deterministic (listpack hashes keep insertion order, intsets are
// sorted), the shapes and rough uniformity of SPOP / SRANDMEMBER / HRANDFIELD (random in both
// servers, so not comparable byte for byte), encodings switching on big collections, and
// HSCAN/SSCAN over hashtables visiting every element once while elements are deleted.

import t from 'tap';
import { compareWithRedis, prng, sendToBoth, startBoth } from '../helpers/differential';
import { startCinnabar } from '../helpers/server';
import { RawConnection, bulks } from '../helpers/resp';
import { call, pipeline, parseReply, type Reply } from '../helpers/durability';

/** Commands over a few small hashes and integer sets, whose replies Redis orders deterministically. */
function deterministicWorkload(rand: (n: number) => number, count: number): string[][] {
  const hkey = (): string => 'h' + rand(4);
  const skey = (): string => 's' + rand(5);
  const field = (): string => 'f' + rand(12);
  const int = (): string => String(rand(40) - 20);
  const value = (): string => ['', 'x', String(rand(1000)), 'v' + rand(99), '-7', '3.5'][rand(6)];
  const makers: Array<() => string[]> = [
    () => ['HSET', hkey(), field(), value(), ...(rand(2) ? [field(), value()] : [])],
    () => ['HMSET', hkey(), field(), value()],
    () => ['HSETNX', hkey(), field(), value()],
    () => ['HDEL', hkey(), field(), field()],
    () => ['HINCRBY', hkey(), field(), String(rand(200) - 100)],
    () => ['HINCRBYFLOAT', hkey(), field(), ['1.5', '-0.25', '0.1', '3', '1e3', 'x'][rand(6)]],
    () => ['HGETALL', hkey()],
    () => ['HKEYS', hkey()],
    () => ['HVALS', hkey()],
    () => ['HMGET', hkey(), field(), field()],
    () => ['HGET', hkey(), field()],
    () => ['HLEN', hkey()],
    () => ['HSTRLEN', hkey(), field()],
    () => ['HEXISTS', hkey(), field()],
    () => ['HSCAN', hkey(), '0'],
    () => ['OBJECT', 'ENCODING', hkey()],
    () => ['SADD', skey(), int(), int(), int()],
    () => ['SREM', skey(), int(), int()],
    () => ['SMEMBERS', skey()],
    () => ['SCARD', skey()],
    () => ['SISMEMBER', skey(), int()],
    () => ['SMISMEMBER', skey(), int(), int()],
    () => ['SMOVE', skey(), skey(), int()],
    () => ['SINTER', skey(), skey()],
    () => ['SINTERCARD', '2', skey(), skey(), 'LIMIT', String(rand(4))],
    () => ['SUNION', skey(), skey(), skey()],
    () => ['SDIFF', skey(), skey()],
    () => ['SINTERSTORE', skey(), skey(), skey()],
    () => ['SUNIONSTORE', skey(), skey(), skey()],
    () => ['SDIFFSTORE', skey(), skey(), skey()],
    () => ['SSCAN', skey(), '0'],
    () => ['SRANDMEMBER', skey(), '100'],
    () => ['OBJECT', 'ENCODING', skey()],
    () => ['SADD', hkey(), '1'],
    () => ['HSET', skey(), 'f', 'v'],
  ];
  const out: string[][] = [];
  for (let i = 0; i < count; i++) out.push(makers[rand(makers.length)]());
  return out;
}

t.test('random hash and set commands match redis-server, RESP2 and RESP3', async (t) => {
  const { redis, cinnabar } = await startBoth(t);
  const rand = prng(4242);
  await compareWithRedis(t, redis, cinnabar, deterministicWorkload(rand, 3000));
  await sendToBoth(redis, cinnabar, [['HELLO', '3']]);
  await compareWithRedis(t, redis, cinnabar, deterministicWorkload(rand, 1500));
  await sendToBoth(redis, cinnabar, [['HELLO', '2']]);
});

function counts(items: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of items) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

t.test('random picks: shapes and distribution', async (t) => {
  const node = await startCinnabar(t);
  const c = await RawConnection.connect(node.port);
  t.teardown(() => c.close());
  const members = Array.from({ length: 10 }, (_, i) => 'm' + i);
  await call(c, 'SADD', 'small', ...members);

  t.test('SRANDMEMBER with a negative count: repeats, every member about equally often', async (t) => {
    const picks = (await call(c, 'SRANDMEMBER', 'small', '-20000')) as string[];
    t.equal(picks.length, 20000);
    const seen = counts(picks);
    t.equal(seen.size, 10, 'every member picked');
    for (const [m, n] of seen) t.ok(n > 1600 && n < 2400, `${m} picked ${n} times of ~2000`);
    t.equal(await call(c, 'SCARD', 'small'), 10, 'nothing removed');
  });

  t.test('SRANDMEMBER with a positive count: distinct members', async (t) => {
    for (const n of [1, 3, 7, 9]) {
      const picks = (await call(c, 'SRANDMEMBER', 'small', String(n))) as string[];
      t.equal(picks.length, n);
      t.equal(new Set(picks).size, n, `count ${n}: distinct`);
      t.ok(picks.every((p) => members.includes(p)), 'members of the set');
    }
    const whole = (await call(c, 'SRANDMEMBER', 'small', '50')) as string[];
    t.same([...whole].sort(), [...members].sort(), 'a count above the size gives the whole set');
    // Single picks over many calls reach every member.
    const singles = (await pipeline(c, Array.from({ length: 2000 }, () => ['SRANDMEMBER', 'small']))) as string[];
    const seen = counts(singles);
    t.equal(seen.size, 10);
    for (const [m, n] of seen) t.ok(n > 120 && n < 290, `${m}: ${n} of ~200 single picks`);
  });

  t.test('big set: distinct picks in both strategies, rough uniformity of single picks', async (t) => {
    const big = Array.from({ length: 1000 }, (_, i) => 'b' + i);
    await call(c, 'SADD', 'big', ...big);
    for (const n of [10, 200, 400, 999]) {
      const picks = (await call(c, 'SRANDMEMBER', 'big', String(n))) as string[];
      t.equal(new Set(picks).size, n, `count ${n}: ${n} distinct members`);
    }
    const singles = (await pipeline(c, Array.from({ length: 20000 }, () => ['SRANDMEMBER', 'big']))) as string[];
    const seen = counts(singles);
    t.ok(seen.size > 950, `${seen.size} of 1000 members picked in 20000 single picks`);
    t.ok(Math.max(...seen.values()) < 80, 'no member picked far more than ~20 times');
  });

  t.test('SPOP: removes what it returns', async (t) => {
    await call(c, 'DEL', 'p');
    const all = Array.from({ length: 100 }, (_, i) => 'p' + i);
    await call(c, 'SADD', 'p', ...all);
    const one = (await call(c, 'SPOP', 'p')) as string;
    t.ok(all.includes(one));
    t.equal(await call(c, 'SISMEMBER', 'p', one), 0);
    // Few popped (one by one), then most of the rest (survivors drawn into a new set).
    const few = (await call(c, 'SPOP', 'p', '5')) as string[];
    const many = (await call(c, 'SPOP', 'p', '90')) as string[];
    const left = (await call(c, 'SMEMBERS', 'p')) as string[];
    t.equal(few.length, 5);
    t.equal(many.length, 90);
    t.equal(left.length, 4);
    const union = new Set([one, ...few, ...many, ...left]);
    t.equal(union.size, 100, 'popped and left are disjoint and cover the set');
    const rest = (await call(c, 'SPOP', 'p', '10')) as string[];
    t.same([...rest].sort(), [...left].sort(), 'a count above the size pops everything');
    t.equal(await call(c, 'EXISTS', 'p'), 0, 'the emptied key is gone');
    // Integer survivors of a SPOP that keeps few members make an intset again, as in Redis.
    await call(c, 'SADD', 'mixed', 'x', '1', '2', '3', '4', '5', '6', '7', '8', '9');
    t.equal(await call(c, 'OBJECT', 'ENCODING', 'mixed'), 'hashtable');
    let encoding = 'hashtable';
    for (let i = 0; i < 20 && encoding === 'hashtable'; i++) {
      await call(c, 'DEL', 'mixed');
      await call(c, 'SADD', 'mixed', 'x', '1', '2', '3', '4', '5', '6', '7', '8', '9');
      await call(c, 'SPOP', 'mixed', '9');
      encoding = (await call(c, 'OBJECT', 'ENCODING', 'mixed')) as string;
      if (encoding === 'hashtable') t.same(await call(c, 'SMEMBERS', 'mixed'), ['x'], 'only x left keeps a hashtable');
    }
    t.equal(encoding, 'intset', 'an integer survivor is stored as an intset');
  });

  t.test('HRANDFIELD shapes in RESP2 and RESP3', async (t) => {
    const fields = ['a', 'b', 'c', 'd'];
    await call(c, 'HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
    const flat = (await call(c, 'HRANDFIELD', 'h', '-7', 'WITHVALUES')) as string[];
    t.equal(flat.length, 14, 'RESP2: a flat field, value array');
    for (let i = 0; i < flat.length; i += 2) t.equal(flat[i + 1], String(fields.indexOf(flat[i]) + 1), 'value follows its field');
    const two = (await call(c, 'HRANDFIELD', 'h', '2')) as string[];
    t.equal(new Set(two).size, 2);
    const rep = (await call(c, 'HRANDFIELD', 'h', '-500')) as string[];
    const seen = counts(rep);
    t.equal(seen.size, 4);
    for (const [f, n] of seen) t.ok(n > 70 && n < 180, `${f}: ${n} of ~125`);
    await c.call('HELLO', '3');
    const raw = await c.call('HRANDFIELD', 'h', '-3', 'WITHVALUES');
    t.match(raw, /^\*3\r\n(\*2\r\n\$1\r\n[abcd]\r\n\$1\r\n[1-4]\r\n){3}$/, 'RESP3: an array of [field, value] pairs');
    t.match(await c.call('HRANDFIELD', 'h', '2'), /^\*2\r\n(\$1\r\n[abcd]\r\n){2}$/);
    t.match(await c.call('SPOP', 'small', '2'), /^~2\r\n(\$2\r\nm\d\r\n){2}$/, 'SPOP with a count replies a RESP3 set');
    t.match(await c.call('SRANDMEMBER', 'small', '2'), /^\*2\r\n/, 'SRANDMEMBER with a count replies an array');
    await c.call('HELLO', '2');
  });
});

t.test('big collections switch encodings and scan every element once', async (t) => {
  const node = await startCinnabar(t);
  const c = await RawConnection.connect(node.port);
  t.teardown(() => c.close());

  const ints = Array.from({ length: 600 }, (_, i) => String(i * 3 - 900));
  await pipeline(c, ints.map((m) => ['SADD', 'ints', m]));
  t.equal(await call(c, 'OBJECT', 'ENCODING', 'ints'), 'hashtable', 'more than 512 integers: hashtable');
  t.equal(await call(c, 'SCARD', 'ints'), 600);
  await call(c, 'SADD', 'few', ...ints.slice(0, 512));
  t.equal(await call(c, 'OBJECT', 'ENCODING', 'few'), 'intset', '512 integers: intset');
  const sorted = (await call(c, 'SMEMBERS', 'few')) as string[];
  t.same(sorted, [...ints.slice(0, 512)].sort((a, b) => Number(a) - Number(b)), 'an intset replies in numeric order');

  const fields: string[] = [];
  for (let i = 0; i < 2000; i++) fields.push('field:' + i, 'value:' + i);
  await call(c, 'HSET', 'bigh', ...fields);
  t.equal(await call(c, 'OBJECT', 'ENCODING', 'bigh'), 'hashtable');

  // SCAN guarantee: elements present for the whole scan are returned, none twice.
  const scanAll = async (cmd: string, key: string, deleteEvery: number, pairs: boolean): Promise<{ got: string[]; deleted: Set<string> }> => {
    let cursor = '0';
    const got: string[] = [];
    const deleted = new Set<string>();
    let calls = 0;
    do {
      const reply = parseReply(await c.call(cmd, key, cursor, 'COUNT', '25')) as [string, string[]];
      cursor = reply[0];
      const items = reply[1];
      for (let i = 0; i < items.length; i += pairs ? 2 : 1) got.push(items[i]);
      if (++calls % deleteEvery === 0 && items.length > 0) {
        // Delete an element not returned yet, if the scan has not seen it.
        const victim = pairs ? 'field:' + ((calls * 37) % 2000) : String(((calls * 37) % 600) * 3 - 900);
        if (!got.includes(victim)) {
          await c.call(pairs ? 'HDEL' : 'SREM', key, victim);
          deleted.add(victim);
        }
      }
    } while (cursor !== '0');
    return { got, deleted };
  };
  const s = await scanAll('SSCAN', 'ints', 3, false);
  t.equal(new Set(s.got).size, s.got.length, 'SSCAN: no member twice');
  t.same(new Set(s.got), new Set(ints.filter((m) => !s.deleted.has(m))), 'SSCAN: every member not deleted');
  const h = await scanAll('HSCAN', 'bigh', 4, true);
  t.equal(new Set(h.got).size, h.got.length, 'HSCAN: no field twice');
  t.equal(h.got.length + h.deleted.size, 2000, 'HSCAN: every field not deleted');

  // Encodings survive COPY, RENAME and MOVE; TYPE and SCAN TYPE see the types.
  await call(c, 'COPY', 'few', 'few2');
  t.equal(await call(c, 'OBJECT', 'ENCODING', 'few2'), 'intset');
  await call(c, 'SADD', 'few2', 'x');
  t.equal(await call(c, 'OBJECT', 'ENCODING', 'few'), 'intset', 'the copy is independent');
  t.equal(await call(c, 'SCARD', 'few'), 512);
  await call(c, 'RENAME', 'bigh', 'bigh2');
  t.equal(await call(c, 'TYPE', 'bigh2'), 'hash');
  t.equal(await call(c, 'HLEN', 'bigh2'), 2000 - h.deleted.size);
  const setKeys = (await call(c, 'SCAN', '0', 'TYPE', 'set', 'COUNT', '100')) as Reply[];
  t.same([...(setKeys[1] as string[])].sort(), ['few', 'few2', 'ints']);
  t.same(bulks(await c.call('KEYS', 'big*')), ['bigh2']);
});
