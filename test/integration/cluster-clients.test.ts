// Real cluster clients against a 3-primary cluster: ioredis Cluster and node-redis
// createCluster each write 10k keys the other reads back, the keys land on the nodes that own
// their slots (CLUSTER COUNTKEYSINSLOT summed per node against an independent CRC16), hash-tagged
// MSET/MGET and MULTI/EXEC in one slot, CROSSSLOT with Redis's text, `redis-cli -c` following
// MOVED, and the exact bytes of -MOVED on a raw connection. Runs against Cinnabar (and
// redis-server with CLUSTER_TEST_SERVERS=redis,cinnabar).

import IORedis from 'ioredis';
import { createCluster as createNodeRedisCluster } from 'redis';
import t from 'tap';
import {
  SLOTS,
  clusterNodes,
  clusterTestKinds,
  keySlot,
  ownedSlots,
  rawCommand,
  runTool,
  skipUnless,
  skipUnlessCommand,
  startCluster,
  type NodeLine,
} from '../helpers/cluster';
import { RawConnection } from '../helpers/resp';

const KEYS = 10000;
const BATCH = 500;
const CROSSSLOT = "-CROSSSLOT Keys in request don't hash to the same slot\r\n";

/** The node (port) owning each slot, from one CLUSTER NODES view. */
function slotOwners(lines: NodeLine[]): number[] {
  const owner = new Array<number>(SLOTS).fill(-1);
  for (const l of lines) for (const s of ownedSlots(l)) owner[s] = l.port;
  return owner;
}

/** A key (prefix + n) whose slot is owned by `port`. */
function keyOwnedBy(owner: number[], port: number, prefix: string): string {
  for (let i = 0; ; i++) if (owner[keySlot(`${prefix}${i}`)] === port) return `${prefix}${i}`;
}

/** Sum of CLUSTER COUNTKEYSINSLOT over the node's own slots, pipelined on one connection. */
async function countKeysInOwnSlots(port: number, slots: number[]): Promise<number> {
  const c = await RawConnection.connect(port);
  try {
    for (const s of slots) c.send('CLUSTER', 'COUNTKEYSINSLOT', String(s));
    let sum = 0;
    for (let i = 0; i < slots.length; i++) {
      const r = await c.reply(10000);
      if (!r.startsWith(':')) throw new Error(`COUNTKEYSINSLOT ${slots[i]} on ${port}: ${r}`);
      sum += Number(r.slice(1, -2));
    }
    return sum;
  } finally {
    c.close();
  }
}

for (const kind of clusterTestKinds()) {
  t.test(`${kind}: cluster clients`, skipUnless(kind, null), async (t) => {
    const nodes = await startCluster(t, kind, 3, 0);
    const ports = nodes.map((n) => n.port);
    const lines = await clusterNodes(ports[0]);
    const owner = slotOwners(lines);

    const io = new IORedis.Cluster([{ host: '127.0.0.1', port: ports[0] }], {
      redisOptions: { connectTimeout: 5000, maxRetriesPerRequest: 1 },
      clusterRetryStrategy: () => null,
    });
    io.on('error', () => undefined); // failures surface through the awaited commands
    t.teardown(() => io.disconnect());
    const nr = createNodeRedisCluster({
      rootNodes: [{ url: `redis://127.0.0.1:${ports[1]}` }],
      defaults: { socket: { connectTimeout: 5000, reconnectStrategy: false } },
    });
    nr.on('error', () => undefined);
    await nr.connect();
    t.teardown(() => nr.destroy());

    await t.test('ioredis writes 10k keys, node-redis reads them', async (t) => {
      for (let i = 0; i < KEYS; i += BATCH) {
        const sets = [];
        for (let j = i; j < i + BATCH; j++) sets.push(io.set(`io:${j}`, `v${j}`));
        await Promise.all(sets);
      }
      let wrong = 0;
      for (let i = 0; i < KEYS; i += BATCH) {
        const gets = [];
        for (let j = i; j < i + BATCH; j++) gets.push(nr.get(`io:${j}`).then((v) => (v === `v${j}` ? 0 : 1)));
        wrong += (await Promise.all(gets)).reduce((a: number, b: number) => a + b, 0);
      }
      t.equal(wrong, 0, `node-redis read back all ${KEYS} ioredis keys`);
    });

    await t.test('node-redis writes 10k keys, ioredis reads them', async (t) => {
      for (let i = 0; i < KEYS; i += BATCH) {
        const sets = [];
        for (let j = i; j < i + BATCH; j++) sets.push(nr.set(`nr:${j}`, `w${j}`));
        await Promise.all(sets);
      }
      let wrong = 0;
      for (let i = 0; i < KEYS; i += BATCH) {
        const gets = [];
        for (let j = i; j < i + BATCH; j++) gets.push(io.get(`nr:${j}`).then((v) => (v === `w${j}` ? 0 : 1)));
        wrong += (await Promise.all(gets)).reduce((a: number, b: number) => a + b, 0);
      }
      t.equal(wrong, 0, `ioredis read back all ${KEYS} node-redis keys`);
    });

    await t.test('keys are on the nodes owning their slots', async (t) => {
      const expected = new Map<number, number>(ports.map((p) => [p, 0]));
      const usedSlots = new Set<number>();
      for (const prefix of ['io:', 'nr:']) {
        for (let i = 0; i < KEYS; i++) {
          const slot = keySlot(`${prefix}${i}`);
          usedSlots.add(slot);
          expected.set(owner[slot], (expected.get(owner[slot]) ?? 0) + 1);
        }
      }
      t.ok(usedSlots.size > SLOTS * 0.6, `keys spread over ${usedSlots.size} slots`);
      let total = 0;
      for (const l of lines) {
        const counted = await countKeysInOwnSlots(l.port, ownedSlots(l));
        total += counted;
        t.equal(counted, expected.get(l.port), `node ${l.port}: COUNTKEYSINSLOT over its slots matches CRC16 routing`);
        t.equal(await rawCommand(l.port, ['DBSIZE']), `:${counted}\r\n`, `node ${l.port}: DBSIZE is that sum`);
      }
      t.equal(total, 2 * KEYS, 'every key counted once');
      const slot = keySlot('io:1');
      t.equal(await rawCommand(owner[slot], ['CLUSTER', 'KEYSLOT', 'io:1']), `:${slot}\r\n`, 'CLUSTER KEYSLOT agrees with CRC16');
      for (const k of ['{user1000}.following', 'foo{}{bar}', 'foo{{bar}}zap', 'foo{bar}{zap}', '{', '']) {
        t.equal(await rawCommand(ports[0], ['CLUSTER', 'KEYSLOT', k]), `:${keySlot(k)}\r\n`, `CLUSTER KEYSLOT '${k}'`);
      }
    });

    await t.test('hash tags: MSET/MGET in one slot', async (t) => {
      t.equal(await io.mset('{user1}:name', 'ann', '{user1}:age', '33'), 'OK', 'ioredis MSET');
      t.same(await io.mget('{user1}:name', '{user1}:age', '{user1}:none'), ['ann', '33', null], 'ioredis MGET');
      t.equal(await nr.mSet(['{user2}:a', '1', '{user2}:b', '2']), 'OK', 'node-redis MSET');
      t.same(await nr.mGet(['{user2}:a', '{user2}:b']), ['1', '2'], 'node-redis MGET');
      t.same(await nr.mGet(['{user1}:name', '{user1}:age']), ['ann', '33'], 'node-redis reads what ioredis wrote');
    });

    const noMulti = await skipUnlessCommand(kind, ports[0], 'MULTI', 'MULTI/EXEC (transactions) not in this build (merged on main, not yet on cluster)');
    await t.test('MULTI/EXEC in one slot; CROSSSLOT inside MULTI', noMulti, async (t) => {
      const ioTx = await io.multi().set('{tx}a', '1').incr('{tx}n').incrby('{tx}n', 9).get('{tx}a').exec();
      t.same(ioTx, [[null, 'OK'], [null, 1], [null, 10], [null, '1']], 'ioredis MULTI/EXEC');
      const nrTx = await nr.multi('{tx}').set('{tx}b', '2').incr('{tx}n').get('{tx}b').exec();
      t.same(nrTx, ['OK', 11, '2'], 'node-redis MULTI/EXEC');
      const c = await RawConnection.connect(owner[keySlot('{t}x')]);
      t.teardown(() => c.close());
      t.equal(await c.call('MULTI'), '+OK\r\n');
      t.equal(await c.call('SET', '{t}x', '1'), '+QUEUED\r\n');
      t.equal(await c.call('MGET', '{t}x', 'a'), CROSSSLOT, 'CROSSSLOT inside MULTI');
      t.equal(await c.call('EXEC'), '-EXECABORT Transaction discarded because of previous errors.\r\n', 'EXEC aborts');
    });

    await t.test('CROSSSLOT', async (t) => {
      const [a, b] = ['a', 'b']; // slots 15495 and 3300: different nodes
      t.not(keySlot(a), keySlot(b));
      for (const [cmd, args] of [['MSET', [a, '1', b, '2']], ['MGET', [a, b]], ['DEL', [a, b]], ['RENAME', [a, b]]] as const) {
        t.equal(await rawCommand(owner[keySlot(a)], [cmd, ...args]), CROSSSLOT, `${cmd} across slots, raw`);
      }
      // Two keys in different slots owned by the same node: still CROSSSLOT.
      const k1 = keyOwnedBy(owner, ports[0], 'x');
      const k2 = keyOwnedBy(owner, ports[0], `${k1}y`);
      if (keySlot(k1) !== keySlot(k2)) t.equal(await rawCommand(ports[0], ['MGET', k1, k2]), CROSSSLOT, 'MGET across slots of one node');
      await t.rejects(io.mset(a, '1', b, '2'), { message: "CROSSSLOT Keys in request don't hash to the same slot" }, 'ioredis sees CROSSSLOT');
    });

    await t.test('MOVED: raw bytes and redis-cli -c', async (t) => {
      for (const key of ['foo', 'io:1', '{user1}:name', 'a', 'b']) {
        const slot = keySlot(key);
        const elsewhere = ports.find((p) => p !== owner[slot])!;
        t.equal(await rawCommand(elsewhere, ['GET', key]), `-MOVED ${slot} 127.0.0.1:${owner[slot]}\r\n`, `GET ${key} on a node not owning slot ${slot}`);
        t.equal(await rawCommand(elsewhere, ['SET', key, 'v']), `-MOVED ${slot} 127.0.0.1:${owner[slot]}\r\n`, `SET ${key} too`);
      }
      const key = keyOwnedBy(owner, ports[1], 'cli:');
      const set = await runTool('redis-cli', ['-c', '-p', String(ports[0]), 'SET', key, 'hello']);
      t.equal(set.stdout, 'OK\n', `redis-cli -c SET via ${ports[0]} follows MOVED to ${ports[1]}`);
      const get = await runTool('redis-cli', ['-c', '-p', String(ports[2]), 'GET', key]);
      t.equal(get.stdout, 'hello\n', `redis-cli -c GET via ${ports[2]}`);
      const plain = await runTool('redis-cli', ['-p', String(ports[0]), 'GET', key]);
      t.equal(plain.stdout, `MOVED ${keySlot(key)} 127.0.0.1:${ports[1]}\n\n`, 'plain redis-cli prints the MOVED error');
      t.equal(await rawCommand(ports[1], ['GET', key]), '$5\r\nhello\r\n', 'the owner has the key');
      // Commands without keys run anywhere.
      t.equal(await rawCommand(ports[2], ['PING']), '+PONG\r\n', 'PING on any node');
    });

    await t.test('ASK while a slot migrates; TRYAGAIN for split multi-key requests', async (t) => {
      const slot = keySlot('foo');
      const src = owner[slot];
      const dst = ports.find((p) => p !== src)!;
      const idOf = (port: number): string => lines.find((l) => l.port === port)!.id;
      t.equal(await rawCommand(src, ['SET', '{foo}here', 'v']), '+OK\r\n', 'a key of the slot stays on the source');
      t.equal(await rawCommand(dst, ['CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', idOf(src)]), '+OK\r\n', 'SETSLOT IMPORTING');
      t.equal(await rawCommand(src, ['CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', idOf(dst)]), '+OK\r\n', 'SETSLOT MIGRATING');
      const ask = `-ASK ${slot} 127.0.0.1:${dst}\r\n`;
      t.equal(await rawCommand(src, ['GET', 'foo']), ask, 'a missing key of a migrating slot: -ASK');
      t.equal(await rawCommand(src, ['SET', 'foo', 'x']), ask, 'SET of a missing key: -ASK');
      t.equal(await rawCommand(src, ['GET', '{foo}here']), '$1\r\nv\r\n', 'an existing key is still served by the source');
      t.equal(await rawCommand(src, ['MGET', '{foo}here', 'foo']), '-TRYAGAIN Multiple keys request during rehashing of slot\r\n', 'some keys here, some gone: TRYAGAIN');
      t.equal(await rawCommand(dst, ['GET', 'foo']), `-MOVED ${slot} 127.0.0.1:${src}\r\n`, 'the target without ASKING: MOVED to the owner');
      const c = await RawConnection.connect(dst);
      t.teardown(() => c.close());
      t.equal(await c.call('ASKING'), '+OK\r\n');
      t.equal(await c.call('SET', 'foo', 'moved-in'), '+OK\r\n', 'after ASKING the importing node serves the key');
      t.equal(await c.call('GET', 'foo'), `-MOVED ${slot} 127.0.0.1:${src}\r\n`, 'ASKING holds for one command only');
      const viaCli = await runTool('redis-cli', ['-c', '-p', String(src), 'GET', 'foo']);
      t.equal(viaCli.stdout, 'moved-in\n', 'redis-cli -c follows ASK');
      t.equal(await io.get('foo'), 'moved-in', 'ioredis follows ASK');
      for (const p of [src, dst]) t.equal(await rawCommand(p, ['CLUSTER', 'SETSLOT', String(slot), 'STABLE']), '+OK\r\n', `SETSLOT STABLE on ${p}`);
      t.equal(await rawCommand(src, ['GET', '{foo}here']), '$1\r\nv\r\n', 'slot stable again on its owner');
    });
  });
}
