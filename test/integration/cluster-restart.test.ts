// Node restarts and failure detection in a 3-primary cluster: a node killed with -9 and
// restarted with the same nodes.conf comes back with the same id, slots and epoch and the
// cluster is ok again; a node left down is flagged fail? and then fail by the others after
// cluster-node-timeout, the cluster goes to fail (a slot range is uncovered), and it heals
// when the node returns. Runs against Cinnabar (and redis-server with CLUSTER_TEST_SERVERS).

import { readFileSync } from 'node:fs';
import t from 'tap';
import {
  clusterInfo,
  clusterNodes,
  clusterTestKinds,
  ownedSlots,
  skipUnless,
  startCluster,
  waitForNodesOk,
  type ClusterNode,
  type NodeLine,
} from '../helpers/cluster';
import { eventually } from '../helpers/server';

const NODE_TIMEOUT_MS = 1000;

function myself(lines: NodeLine[]): NodeLine {
  const m = lines.find((l) => l.flags.includes('myself'));
  if (!m) throw new Error('no myself line');
  return m;
}

function flagsOf(lines: NodeLine[], id: string): string[] {
  return lines.find((l) => l.id === id)?.flags ?? [];
}

for (const kind of clusterTestKinds()) {
  t.test(`${kind}: restarts and failure detection`, skipUnless(kind, null), async (top) => {
    // One cluster for both parts (each start costs seconds); restarted nodes belong to `top`.
    const nodes = await startCluster(top, kind, 3, 0, { nodeTimeoutMs: NODE_TIMEOUT_MS });

    await top.test('kill -9 and restart with the same nodes.conf', async (t) => {
      const victim = nodes[1];
      const before = myself(await clusterNodes(victim.port));
      const seenByOthers = (await clusterNodes(nodes[0].port)).find((l) => l.id === before.id);
      t.ok(seenByOthers, 'the others know the node by its id');
      t.match(readFileSync(victim.configFile, 'utf8'), before.id, 'nodes.conf holds the node id');

      await victim.kill9();
      await victim.start(top);
      const agreed = await waitForNodesOk(nodes, 20000);
      const after = myself(await clusterNodes(victim.port));
      t.equal(after.id, before.id, 'same node id after restart');
      t.same(after.slots, before.slots, 'same slots after restart');
      t.equal(after.configEpoch, before.configEpoch, 'same config epoch after restart');
      t.equal(after.busPort, victim.port + 10000, 'same bus port');
      t.equal(agreed.length, 3, 'three nodes known');
      for (const n of nodes) t.equal((await clusterInfo(n.port)).cluster_state, 'ok', `cluster_state:ok on ${n.port}`);
    });

    await top.test('a node left down is flagged fail? then fail; the cluster heals when it returns', async (t) => {
      const [a, b, down] = nodes as [ClusterNode, ClusterNode, ClusterNode];
      const downId = myself(await clusterNodes(down.port)).id;
      await down.kill9();
      const killedAt = Date.now();

      const seen = new Set<string>();
      // Either flag may be missed between two polls (fail? lasts until a majority agrees), so
      // record every flag seen on both survivors while waiting for fail.
      await eventually(
        'both survivors flag the node fail',
        async () => {
          const views = await Promise.all([a, b].map((n) => clusterNodes(n.port)));
          for (const v of views) for (const f of flagsOf(v, downId)) seen.add(f);
          return views.map((v) => flagsOf(v, downId));
        },
        { until: (flags) => flags.every((f) => f.includes('fail')), timeoutMs: 20000 },
      );
      const elapsed = Date.now() - killedAt;
      t.ok(elapsed >= NODE_TIMEOUT_MS * 0.9, `not flagged fail before cluster-node-timeout (${elapsed} ms)`);
      t.ok(seen.has('fail'), `flagged fail by the survivors (flags seen while waiting: ${[...seen].join(',')})`);
      const lines = await clusterNodes(a.port);
      t.equal(lines.find((l) => l.id === downId)?.linkState, 'disconnected', 'link to the dead node is disconnected');

      await eventually('survivors report cluster_state:fail', () => Promise.all([a, b].map((n) => clusterInfo(n.port))), {
        until: (infos) => infos.every((i) => i.cluster_state === 'fail'),
        timeoutMs: 10000,
      });
      t.pass('the cluster is down while a slot range is uncovered (cluster-require-full-coverage yes)');
      const info = await clusterInfo(a.port);
      t.equal(info.cluster_slots_fail, String(ownedSlots(lines.find((l) => l.id === downId)!).length), 'cluster_slots_fail counts the dead node slots');

      await down.start(top);
      await waitForNodesOk(nodes, 20000);
      for (const n of nodes) t.equal((await clusterInfo(n.port)).cluster_state, 'ok', `cluster_state:ok on ${n.port} after the node returned`);
      t.equal(myself(await clusterNodes(down.port)).id, downId, 'it came back with its id');
    });
  });
}
