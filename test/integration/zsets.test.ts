// Sorted sets over the wire: a random workload of every deterministic sorted set command
// compared byte for byte with redis-server (small listpack limits so both encodings and the
// conversions between them are exercised; RESP2 then RESP3), ZRANDMEMBER's reply shapes
// (random, so checked for shape and membership), a 100k-member set for the skiplist's
// speed and for rank and range answers at scale, and blocking pops served by later writes.

import t from 'tap';
import { compareWithRedis, prng, startBoth } from '../helpers/differential';
import { RawConnection } from '../helpers/resp';
import { startCinnabar } from '../helpers/server';
import { call, dataDir, dumpKeyspace, pipeline, sleep, sortedEntries, type Reply } from '../helpers/durability';

/** Random sorted set commands over a few keys; lex commands only touch keys whose scores are all 0. */
function workload(rand: (n: number) => number, count: number): string[][] {
  const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)];
  const key = (): string => pick(['z1', 'z2', 'z3', 'z4']);
  const lexKey = (): string => pick(['l1', 'l2']);
  const member = (): string => 'm' + rand(60);
  const score = (): string =>
    pick([
      () => String(rand(20) - 10),
      () => (rand(2000) / 7 - 100).toString(),
      () => pick(['inf', '-inf', '+inf', '0', '-0', '0x1p-3', '1e-5', '3.5e10']),
      () => String(rand(1000) / 8),
    ])();
  const bound = (): string => pick(['-inf', '+inf', '', '(']) + (rand(3) === 0 ? '' : String(rand(24) - 12));
  const lexBound = (): string => pick(['-', '+', '[m' + rand(60), '(m' + rand(60), '[m' + rand(6), '(']);
  const idx = (): string => String(rand(30) - 15);
  const opts = (): string[] => {
    const o: string[] = [];
    if (rand(4) === 0) o.push(pick(['NX', 'XX']));
    if (rand(4) === 0) o.push(pick(['GT', 'LT']));
    if (rand(3) === 0) o.push('CH');
    return o;
  };
  const keys = (): string[] => {
    const n = 1 + rand(3);
    return [String(n), ...Array.from({ length: n }, key)];
  };
  const makers: Array<[number, () => string[]]> = [
    [12, () => ['ZADD', key(), ...opts(), ...Array.from({ length: 1 + rand(6) }, () => [score(), member()]).flat()]],
    [3, () => ['ZADD', key(), 'INCR', ...opts(), score(), member()]],
    [4, () => ['ZINCRBY', key(), score(), member()]],
    [4, () => ['ZADD', lexKey(), ...Array.from({ length: 1 + rand(5) }, () => ['0', member()]).flat()]],
    [3, () => ['ZREM', key(), member(), member()]],
    [2, () => ['ZREM', lexKey(), member()]],
    [3, () => ['ZSCORE', key(), member()]],
    [2, () => ['ZMSCORE', key(), member(), member(), member()]],
    [2, () => ['ZCARD', key()]],
    [3, () => ['ZRANK', key(), member()]],
    [2, () => ['ZREVRANK', key(), member()]],
    [4, () => ['ZRANGE', key(), idx(), idx(), ...(rand(2) ? ['REV'] : []), ...(rand(2) ? ['WITHSCORES'] : [])]],
    [
      4,
      () => [
        'ZRANGE',
        key(),
        bound(),
        bound(),
        'BYSCORE',
        ...(rand(2) ? ['REV'] : []),
        ...(rand(2) ? ['LIMIT', String(rand(5) - 1), String(rand(6) - 1)] : []),
        ...(rand(2) ? ['WITHSCORES'] : []),
      ],
    ],
    [3, () => ['ZRANGEBYLEX', lexKey(), lexBound(), lexBound(), ...(rand(2) ? ['LIMIT', String(rand(4)), String(rand(5) - 1)] : [])]],
    [2, () => ['ZREVRANGEBYLEX', lexKey(), lexBound(), lexBound()]],
    [2, () => ['ZREVRANGEBYSCORE', key(), bound(), bound(), 'WITHSCORES']],
    [2, () => ['ZCOUNT', key(), bound(), bound()]],
    [2, () => ['ZLEXCOUNT', lexKey(), lexBound(), lexBound()]],
    [1, () => ['ZREMRANGEBYRANK', key(), idx(), idx()]],
    [1, () => ['ZREMRANGEBYSCORE', key(), bound(), bound()]],
    [1, () => ['ZREMRANGEBYLEX', lexKey(), lexBound(), lexBound()]],
    [2, () => ['ZPOPMIN', key(), ...(rand(2) ? [String(rand(4))] : [])]],
    [2, () => ['ZPOPMAX', key(), ...(rand(2) ? [String(rand(4))] : [])]],
    [2, () => ['ZMPOP', ...keys(), pick(['MIN', 'MAX']), ...(rand(2) ? ['COUNT', String(1 + rand(3))] : [])]],
    [
      3,
      () => {
        const ks = keys();
        const n = Number(ks[0]);
        return [
          pick(['ZUNION', 'ZINTER']),
          ...ks,
          ...(rand(2) ? ['WEIGHTS', ...Array.from({ length: n }, () => pick(['1', '2', '-1', '0.5', '0', 'inf']))] : []),
          ...(rand(2) ? ['AGGREGATE', pick(['SUM', 'MIN', 'MAX'])] : []),
          'WITHSCORES',
        ];
      },
    ],
    [2, () => ['ZDIFF', ...keys(), 'WITHSCORES']],
    [2, () => [pick(['ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE']), key(), ...keys()]],
    [1, () => ['ZINTERCARD', ...keys(), ...(rand(2) ? ['LIMIT', String(rand(4))] : [])]],
    [2, () => ['ZRANGESTORE', key(), key(), bound(), bound(), 'BYSCORE']],
    [1, () => ['ZRANGESTORE', key(), key(), idx(), idx()]],
    [2, () => ['OBJECT', 'ENCODING', pick([key(), lexKey()])]],
  ];
  const total = makers.reduce((s, [w]) => s + w, 0);
  const out: string[][] = [];
  for (let i = 0; i < count; i++) {
    let r = rand(total);
    for (const [w, make] of makers) {
      if (r < w) {
        out.push(make());
        break;
      }
      r -= w;
    }
  }
  return out;
}

t.test('random workload matches redis-server', async (t) => {
  const { redis, cinnabar } = await startBoth(t, ['--zset-max-listpack-entries', '16', '--zset-max-listpack-value', '20']);
  const rand = prng(2024);
  const replies = await compareWithRedis(t, redis, cinnabar, workload(rand, 4000));
  // The workload must mostly do things, not collect errors and empty replies.
  const errors = replies.filter((r) => r.startsWith('-')).length;
  t.ok(errors < replies.length / 5, `${errors} error replies of ${replies.length}`);
  const encodings = new Set(replies.filter((r) => /^\$8\r\n(listpack|skiplist)/.test(r)));
  t.equal(encodings.size, 2, 'both encodings seen');
  for (const c of [redis, cinnabar]) await c.call('HELLO', '3');
  await compareWithRedis(t, redis, cinnabar, workload(rand, 3000));
  // The final contents, whole.
  const dump = ['z1', 'z2', 'z3', 'z4', 'l1', 'l2'].map((k) => ['ZRANGE', k, '0', '-1', 'WITHSCORES']);
  const final = await compareWithRedis(t, redis, cinnabar, dump);
  t.ok(final.filter((r) => r !== '*0\r\n').length >= 4, 'most keys hold members at the end');
});

t.test('ZRANDMEMBER reply shapes', async (t) => {
  const node = await startCinnabar(t);
  const c = await RawConnection.connect(node.port);
  t.teardown(() => c.close());
  const members = Array.from({ length: 10 }, (_, i) => 'm' + i);
  await call(c, 'ZADD', 'z', ...members.flatMap((m, i) => [String(i / 2), m]));
  const isMember = (m: Reply): boolean => typeof m === 'string' && members.includes(m);

  const one = await call(c, 'ZRANDMEMBER', 'z');
  t.ok(isMember(one), 'no count: one member');
  t.equal(await call(c, 'ZRANDMEMBER', 'missing'), null, 'no count, no key: nil');

  const seen = new Set<Reply>();
  for (let i = 0; i < 200; i++) seen.add(await call(c, 'ZRANDMEMBER', 'z'));
  t.equal(seen.size, 10, 'every member comes up over 200 picks');

  for (const count of [1, 3, 9]) {
    const r = (await call(c, 'ZRANDMEMBER', 'z', String(count))) as string[];
    t.equal(r.length, count, `count ${count}: that many`);
    t.equal(new Set(r).size, count, `count ${count}: distinct`);
    t.ok(r.every(isMember), `count ${count}: members`);
  }
  const all = (await call(c, 'ZRANDMEMBER', 'z', '25')) as string[];
  t.same([...all].sort(), [...members].sort(), 'count above the size: every member once');

  const rep = (await call(c, 'ZRANDMEMBER', 'z', '-50')) as string[];
  t.equal(rep.length, 50, 'negative count: exactly |count|');
  t.ok(rep.every(isMember), 'negative count: members');
  t.ok(new Set(rep).size < 50, 'negative count: repeats allowed');

  const ws = (await call(c, 'ZRANDMEMBER', 'z', '4', 'WITHSCORES')) as string[];
  t.equal(ws.length, 8, 'WITHSCORES in RESP2: a flat array of pairs');
  for (let i = 0; i < ws.length; i += 2) t.equal(ws[i + 1], String(Number(ws[i].slice(1)) / 2), `score of ${ws[i]}`);
  const wsNeg = (await call(c, 'ZRANDMEMBER', 'z', '-7', 'WITHSCORES')) as string[];
  t.equal(wsNeg.length, 14, 'negative count WITHSCORES');

  await c.call('HELLO', '3');
  const raw = await c.call('ZRANDMEMBER', 'z', '2', 'WITHSCORES');
  t.match(raw, /^\*2\r\n\*2\r\n\$2\r\nm\d\r\n,[\d.]+\r\n\*2\r\n\$2\r\nm\d\r\n,[\d.]+\r\n$/, 'RESP3: pairs of member and double');
  t.equal(await c.call('ZRANDMEMBER', 'missing', '3'), '*0\r\n', 'missing key with count: empty array');
});

t.test('100k members: speed, encoding and answers at scale', async (t) => {
  const node = await startCinnabar(t);
  const c = await RawConnection.connect(node.port);
  t.teardown(() => c.close());
  const N = 100000;
  // Member i gets score (i * 7919) % N, a permutation: the member at rank r is known.
  const scoreOf = (i: number): number => (i * 7919) % N;
  const started = Date.now();
  const batches: string[][] = [];
  for (let i = 0; i < N; i += 1000) {
    const args = ['ZADD', 'big'];
    for (let j = i; j < i + 1000; j++) args.push(String(scoreOf(j)), 'member:' + j);
    batches.push(args);
  }
  for (let b = 0; b < batches.length; b += 20) {
    const replies = await pipeline(c, batches.slice(b, b + 20));
    t.ok(replies.every((r) => r === 1000), 'each batch adds 1000');
  }
  const addMs = Date.now() - started;
  t.ok(addMs < 20000, `100k ZADDs in ${addMs} ms`);
  t.equal(await call(c, 'ZCARD', 'big'), N);
  t.equal(await call(c, 'OBJECT', 'ENCODING', 'big'), 'skiplist');

  // 7919 is invertible mod N: the member with score s is i = s * inv mod N.
  let inv = 1;
  while ((7919 * inv) % N !== 1) inv++;
  const memberAt = (rank: number): string => 'member:' + ((rank * inv) % N);
  const queries: string[][] = [];
  const expected: Reply[] = [];
  const r2 = prng(9);
  for (let i = 0; i < 2000; i++) {
    const rank = r2(N);
    queries.push(['ZRANK', 'big', memberAt(rank)]);
    expected.push(rank);
    queries.push(['ZRANGE', 'big', String(rank), String(rank)]);
    expected.push([memberAt(rank)]);
    queries.push(['ZCOUNT', 'big', String(rank), '+inf']);
    expected.push(N - rank);
  }
  const q0 = Date.now();
  const got = await pipeline(c, queries);
  const queryMs = Date.now() - q0;
  t.same(got, expected, 'ranks, ranges by rank and counts agree');
  t.ok(queryMs < 10000, `6000 rank/range/count queries in ${queryMs} ms`);

  t.same(await call(c, 'ZRANGE', 'big', '50000', '50002', 'BYSCORE', 'WITHSCORES'), [memberAt(50000), '50000', memberAt(50001), '50001', memberAt(50002), '50002']);
  t.equal(await call(c, 'ZREMRANGEBYRANK', 'big', '0', '49999'), 50000, 'remove the lower half');
  t.equal(await call(c, 'ZRANK', 'big', memberAt(50000)), 0, 'ranks shift down');
  t.same(await call(c, 'ZPOPMAX', 'big'), [memberAt(N - 1), String(N - 1)]);
  const full = (await call(c, 'ZRANGE', 'big', '0', '-1')) as string[];
  t.equal(full.length, N / 2 - 1, 'a 50k ZRANGE');
  t.equal(full[0], memberAt(50000));
});

t.test('encoding switch at zset-max-listpack-entries', async (t) => {
  const node = await startCinnabar(t);
  const c = await RawConnection.connect(node.port);
  t.teardown(() => c.close());
  for (let i = 0; i < 128; i++) await call(c, 'ZADD', 'z', String(i), 'm' + i);
  t.equal(await call(c, 'OBJECT', 'ENCODING', 'z'), 'listpack', '128 members: listpack');
  await call(c, 'ZADD', 'z', '1000', 'one-more');
  t.equal(await call(c, 'OBJECT', 'ENCODING', 'z'), 'skiplist', '129 members: skiplist');
  await call(c, 'ZADD', 'v', '1', 'x'.repeat(64));
  t.equal(await call(c, 'OBJECT', 'ENCODING', 'v'), 'listpack', '64-byte member: listpack');
  await call(c, 'ZADD', 'v', '1', 'x'.repeat(65));
  t.equal(await call(c, 'OBJECT', 'ENCODING', 'v'), 'skiplist', '65-byte member: skiplist');
});

t.test('blocking pops wait for a sorted set, in order, and are logged as ZPOPMIN/ZPOPMAX', async (t) => {
  const dir = dataDir(t);
  const node = await startCinnabar(t, { dir });
  const [a, b, w, other] = await Promise.all([0, 1, 2, 3].map(() => RawConnection.connect(node.port)));
  t.teardown(() => [a, b, w, other].forEach((c) => c.close()));

  // Two clients wait on the same key: the first to block is served first.
  a.send('BZPOPMIN', 'q', 'q2', '0');
  await sleep(50);
  b.send('BZMPOP', '0', '2', 'nokey', 'q', 'MAX', 'COUNT', '2');
  await sleep(50);
  t.equal(await w.call('SET', 'q', 'not a zset'), '+OK\r\n', 'a string at the key...');
  t.equal(await w.call('DEL', 'q'), ':1\r\n', '...serves nobody');
  t.equal(await w.call('ZADD', 'q', '1', 'one', '2', 'two', '3', 'three', '4', 'four'), ':4\r\n');
  t.equal(await a.reply(), '*3\r\n$1\r\nq\r\n$3\r\none\r\n$1\r\n1\r\n', 'BZPOPMIN: key, member, score');
  t.equal(await b.reply(), '*2\r\n$1\r\nq\r\n*2\r\n*2\r\n$4\r\nfour\r\n$1\r\n4\r\n*2\r\n$5\r\nthree\r\n$1\r\n3\r\n', 'BZMPOP: key and pairs');
  t.equal(await w.call('ZRANGE', 'q', '0', '-1'), '*1\r\n$3\r\ntwo\r\n', 'what is left');

  // RESP3 and a timeout.
  await other.call('HELLO', '3');
  const started = Date.now();
  t.equal(await other.call('BZPOPMAX', 'empty', '0.1'), '_\r\n', 'timeout: null (RESP3)');
  t.ok(Date.now() - started >= 90, 'waited for the timeout');
  other.send('BZPOPMAX', 'r', '0');
  await sleep(50);
  await w.call('ZADD', 'r', '1.5', 'x');
  t.equal(await other.reply(), '*3\r\n$1\r\nr\r\n$1\r\nx\r\n,1.5\r\n', 'RESP3: the score as a double');
  t.equal(await w.call('EXISTS', 'r'), ':0\r\n', 'the emptied key is gone');

  // The pops done for blocked clients replay: same keyspace after a restart.
  await w.call('ZADD', 'keep', '1', 'a', '2', 'b');
  a.send('BZPOPMIN', 'keep2', '0');
  await sleep(50);
  await w.call('ZUNIONSTORE', 'keep2', '1', 'keep');
  await a.reply();
  const before = await dumpKeyspace(node.port, 1);
  t.equal(await node.stop('SIGTERM'), 0);
  const restarted = await startCinnabar(t, { dir });
  t.same(sortedEntries(await dumpKeyspace(restarted.port, 1)), sortedEntries(before), 'blocked pops replayed as pops');
});
