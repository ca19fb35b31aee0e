// CLUSTER subcommands, ASKING/READONLY/READWRITE and the routing errors of a single
// cluster-enabled node, side by side with redis-server 7.0 started the same way: replies and
// error strings must be byte-identical (node ids aside, which are random).

import t, { type Test } from 'tap';
import fs from 'node:fs';
import { eventually, freePort, startCinnabar, startRedis, waitForPing } from '../helpers/server';
import { RawConnection } from '../helpers/resp';
import { compareWithRedis, startBoth } from '../helpers/differential';

async function clusterPair(t: Test) {
  const [rBus, cBus] = [await freePort(), await freePort()];
  const redisNode = await startRedis(t, ['--cluster-enabled', 'yes', '--cluster-port', String(rBus)]);
  const cinnabarNode = await startCinnabar(t, { noWait: true, args: ['--cluster-enabled', 'yes', '--cluster-port', String(cBus)] });
  await waitForPing(cinnabarNode.port, 40000); // a loaded machine starts slowly
  const redis = await RawConnection.connect(redisNode.port);
  const cinnabar = await RawConnection.connect(cinnabarNode.port);
  t.teardown(() => {
    redis.close();
    cinnabar.close();
  });
  return { redis, cinnabar, redisPort: redisNode.port, cinnabarPort: cinnabarNode.port, redisDir: redisNode.dir, cinnabarDir: cinnabarNode.dir };
}

/**
 * Sends the commands one at a time: cluster state is re-evaluated before each server sleeps
 * (Redis's beforeSleep), so a pipelined CLUSTER INFO would see it or not by chance.
 */
async function compareOneByOne(t: Test, redis: RawConnection, cinnabar: RawConnection, commands: string[][]): Promise<void> {
  let same = 0;
  for (const cmd of commands) {
    const [a, b] = [await redis.call(...cmd), await cinnabar.call(...cmd)];
    if (a === b) same++;
    else t.equal(b, a, JSON.stringify(cmd));
  }
  t.equal(same, commands.length, `${commands.length} replies identical`);
}

async function waitOk(c: RawConnection): Promise<void> {
  await eventually('cluster_state:ok', () => c.call('CLUSTER', 'INFO'), { until: (info) => info.includes('cluster_state:ok'), timeoutMs: 15000 });
}

t.test('a cluster-enabled node answers as redis-server does', async (t) => {
  const { redis, cinnabar, redisPort, cinnabarPort } = await clusterPair(t);
  // Redis waits 2 s after its first state evaluation before a primary may turn ok: let
  // both nodes pass that point so cluster_size and cluster_state compare.
  await new Promise((r) => setTimeout(r, 2500));
  const cinnabarId = (await cinnabar.call('CLUSTER', 'MYID')).slice(5, 45);

  await t.test('fresh node', async (t) => {
    await compareWithRedis(t, redis, cinnabar, [
      ['CLUSTER', 'INFO'],
      ['CLUSTER', 'HELP'],
      ['CLUSTER'],
      ['CLUSTER', 'NOSUCH'],
      ['CLUSTER', 'LINKS'],
      ['CLUSTER', 'SLOTS'],
      ['CLUSTER', 'KEYSLOT', 'foo'],
      ['CLUSTER', 'KEYSLOT', '{user1000}.following'],
      ['CLUSTER', 'KEYSLOT', 'foo{}{bar}'],
      ['CLUSTER', 'KEYSLOT'],
      ['CLUSTER', 'COUNTKEYSINSLOT', '0'],
      ['CLUSTER', 'COUNTKEYSINSLOT', '16384'],
      ['CLUSTER', 'COUNTKEYSINSLOT', '-1'],
      ['CLUSTER', 'COUNTKEYSINSLOT', 'x'],
      ['CLUSTER', 'GETKEYSINSLOT', '0', '10'],
      ['CLUSTER', 'GETKEYSINSLOT', 'x', '1'],
      ['CLUSTER', 'GETKEYSINSLOT', '1', 'x'],
      ['CLUSTER', 'GETKEYSINSLOT', '1', '-1'],
      ['CLUSTER', 'GETKEYSINSLOT', '16384', '1'],
      ['GET', 'foo'],
      ['MSET', 'a', '1', 'b', '2'],
      ['PING'],
      ['SELECT', '1'],
      ['SELECT', 'x'],
      ['SELECT', '0'],
      ['ASKING'],
      ['READONLY'],
      ['READWRITE'],
      ['ASKING', 'x'],
    ]);
  });

  await t.test("READONLY shows as CLIENT flag 'r' until READWRITE or RESET", async (t) => {
    for (const c of [redis, cinnabar]) {
      const flags = async () => /flags=(\w+)/.exec(await c.call('CLIENT', 'INFO'))![1];
      await c.call('READONLY');
      t.equal(await flags(), 'r');
      await c.call('READWRITE');
      t.equal(await flags(), 'N');
      await c.call('READONLY');
      await c.call('RESET');
      t.equal(await flags(), 'N');
    }
  });

  await t.test('slot assignment', async (t) => {
    await compareOneByOne(t, redis, cinnabar, [
      ['CLUSTER', 'ADDSLOTS', '16384'],
      ['CLUSTER', 'ADDSLOTS', '-1'],
      ['CLUSTER', 'ADDSLOTS', 'x'],
      ['CLUSTER', 'ADDSLOTS', '1', '1'],
      ['CLUSTER', 'ADDSLOTS', '1', '2', '3'],
      ['CLUSTER', 'ADDSLOTS', '2'],
      ['CLUSTER', 'DELSLOTS', '3'],
      ['CLUSTER', 'DELSLOTS', '3'],
      ['CLUSTER', 'DELSLOTS', '1', 'x'],
      ['CLUSTER', 'ADDSLOTSRANGE', '10', '20'],
      ['CLUSTER', 'ADDSLOTSRANGE', '5', '1'],
      ['CLUSTER', 'ADDSLOTSRANGE', '1', '2', '3'],
      ['CLUSTER', 'ADDSLOTSRANGE', '30', '40', '35', '50'],
      ['CLUSTER', 'DELSLOTSRANGE', '10', '12'],
      ['CLUSTER', 'DELSLOTSRANGE', '10', '12'],
      ['CLUSTER', 'INFO'],
      ['CLUSTER', 'FLUSHSLOTS'],
      ['CLUSTER', 'INFO'],
      ['CLUSTER', 'SET-CONFIG-EPOCH', '-1'],
      ['CLUSTER', 'SET-CONFIG-EPOCH', 'x'],
      ['CLUSTER', 'SET-CONFIG-EPOCH', '5'],
      ['CLUSTER', 'SET-CONFIG-EPOCH', '6'],
      ['CLUSTER', 'BUMPEPOCH'],
      ['CLUSTER', 'INFO'],
      ['CLUSTER', 'ADDSLOTSRANGE', '0', '16383'],
    ]);
  });

  await Promise.all([waitOk(redis), waitOk(cinnabar)]);

  await t.test('serving every slot', async (t) => {
    await compareOneByOne(t, redis, cinnabar, [
      ['CLUSTER', 'INFO'],
      ['SET', 'foo', 'bar'],
      ['GET', 'foo'],
      ['MSET', 'a', '1', 'b', '2'],
      ['MSET', '{a}1', '1', '{a}2', '2', 'a', '3'],
      ['MGET', '{a}1', 'a'],
      ['CLUSTER', 'COUNTKEYSINSLOT', '15495'],
      ['CLUSTER', 'COUNTKEYSINSLOT', '12182'],
      ['CLUSTER', 'GETKEYSINSLOT', '12182', '10'],
      ['CLUSTER', 'GETKEYSINSLOT', '15495', '0'],
      ['DEL', '{a}1'],
      ['CLUSTER', 'COUNTKEYSINSLOT', '15495'],
      // Transactions: every queued key must hash to one slot, checked at EXEC.
      ['MULTI'],
      ['SET', 'a', '1'],
      ['SET', 'b', '2'],
      ['EXEC'],
      ['GET', 'b'],
      ['MULTI'],
      ['SET', '{a}1', 'x'],
      ['MGET', '{a}2', 'a'],
      ['EXEC'],
      ['MULTI'],
      ['MSET', 'a', '1', 'b', '2'],
      ['EXEC'],
      ['CLUSTER', 'FLUSHSLOTS'],
      ['CLUSTER', 'RESET'],
      ['CLUSTER', 'RESET', 'foo'],
      ['CLUSTER', 'RESET', 'hard', 'x'],
      ['CLUSTER', 'FORGET', 'abc'],
      ['CLUSTER', 'REPLICATE', 'abc'],
      ['CLUSTER', 'SLAVES', 'abc'],
      ['CLUSTER', 'REPLICAS', 'abc'],
      ['CLUSTER', 'COUNT-FAILURE-REPORTS', 'abc'],
      ['CLUSTER', 'MEET', '1.2.3', '10'],
      ['CLUSTER', 'MEET', '127.0.0.1', 'x'],
      ['CLUSTER', 'MEET', '127.0.0.1', '1', 'x'],
      ['CLUSTER', 'MEET', '127.0.0.1', '99999'],
      ['CLUSTER', 'MEET', '127.0.0.1', '1', '2', '3'],
      ['CLUSTER', 'SETSLOT', '1', 'foo'],
      ['CLUSTER', 'SETSLOT', '1', 'node', 'abc'],
      ['CLUSTER', 'SETSLOT', '1', 'migrating', 'abc'],
      ['CLUSTER', 'SETSLOT', '1', 'importing', 'abc'],
      ['CLUSTER', 'SETSLOT', '1', 'stable', 'x'],
      ['CLUSTER', 'SETSLOT', '16384', 'stable'],
      ['CLUSTER', 'SETSLOT', '1', 'stable'],
      ['CLUSTER', 'SAVECONFIG'],
      ['FLUSHALL'],
      ['CLUSTER', 'COUNTKEYSINSLOT', '12182'],
      ['CLUSTER', 'RESET', 'SOFT'],
      ['CLUSTER', 'SLOTS'],
    ]);
    // State changes are evaluated before the server sleeps: read them a moment later.
    await new Promise((r) => setTimeout(r, 300));
    await compareWithRedis(t, redis, cinnabar, [['CLUSTER', 'INFO']]);
  });

  await t.test('RESP3', async (t) => {
    // HELLO's client id differs; its mode must say cluster.
    t.match(await cinnabar.call('HELLO', '3'), /\$4\r\nmode\r\n\$7\r\ncluster\r\n/);
    await redis.call('HELLO', '3');
    await compareWithRedis(t, redis, cinnabar, [['CLUSTER', 'INFO'], ['CLUSTER', 'LINKS'], ['CLUSTER', 'SLOTS'], ['CLUSTER', 'ADDSLOTS', '0']]);
    // Ports differ between the two servers: compare the shape with ours put in.
    t.equal(await cinnabar.call('CLUSTER', 'SLOTS'), (await redis.call('CLUSTER', 'SLOTS')).replace(`:${redisPort}\r\n`, `:${cinnabarPort}\r\n`).replace(/\$40\r\n[0-9a-f]{40}/, `$40\r\n${cinnabarId}`));
    const shards = await cinnabar.call('CLUSTER', 'SHARDS');
    t.match(shards, /^\*1\r\n%2\r\n\$5\r\nslots\r\n\*2\r\n:0\r\n:0\r\n\$5\r\nnodes\r\n\*1\r\n%7\r\n\$2\r\nid\r\n/);
  });
});

t.test('CLUSTER SAVECONFIG reports a failed save with the system error text, as Redis', async (t) => {
  const { redis, cinnabar, redisDir, cinnabarDir } = await clusterPair(t);
  await compareWithRedis(t, redis, cinnabar, [['CLUSTER', 'SAVECONFIG']]);
  // Without its directory the temp file cannot be created: ENOENT.
  for (const dir of [redisDir, cinnabarDir]) fs.rmSync(dir, { recursive: true, force: true });
  await compareWithRedis(t, redis, cinnabar, [['CLUSTER', 'SAVECONFIG']]);
  t.equal(await cinnabar.call('CLUSTER', 'SAVECONFIG'), '-ERR error saving the cluster node config: No such file or directory\r\n');
});

t.test('a standalone node refuses cluster commands as redis-server does', async (t) => {
  const { redis, cinnabar } = await startBoth(t);
  await compareWithRedis(t, redis, cinnabar, [
    ['CLUSTER', 'INFO'],
    ['CLUSTER', 'HELP'],
    ['CLUSTER', 'KEYSLOT', 'a'],
    ['CLUSTER', 'NODES'],
    ['READONLY'],
    ['READWRITE'],
    ['ASKING'],
    ['SELECT', '1'],
    ['SELECT', '0'],
    ['INFO', 'cluster'],
  ]);
});
