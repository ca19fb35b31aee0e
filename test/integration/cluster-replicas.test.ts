// Six nodes joined by `redis-cli --cluster create --cluster-replicas 1`: CLUSTER REPLICATE
// records each replica's role and primary in the node table, nodes.conf and the bus, so the
// create and `--cluster check` succeed and every node shows three primaries with one replica
// each. (Copying the primary's data is the replication layer's job, in a later issue.)

import t from 'tap';
import { readFileSync } from 'node:fs';
import { bulkText as text, createCluster, rawCommand, redisCli, startClusterNodes } from '../helpers/cluster';

t.test('six nodes with one replica per primary', async (t) => {
  const nodes = await startClusterNodes(t, 'cinnabar', 6, { nodeTimeoutMs: 3000 });
  const addrs = nodes.map((n) => `127.0.0.1:${n.port}`);
  // redis-cli --cluster create --cluster-replicas 1, then a wait until every node is ok and agrees.
  const create = await createCluster(nodes, 1, 90000);
  t.equal(create.code, 0, create.stdout + create.stderr);
  t.match(create.stdout, '[OK] All 16384 slots covered.');
  const check = await redisCli(['--cluster', 'check', addrs[3]]);
  t.equal(check.code, 0, check.out);
  t.match(check.out, '[OK] All nodes agree about slots configuration.');
  t.equal((check.out.match(/1 additional replica\(s\)/g) ?? []).length, 3, 'three primaries with one replica each');

  for (const n of nodes) {
    const lines = text(await rawCommand(n.port, ['CLUSTER', 'NODES'])).trim().split('\n');
    t.equal(lines.length, 6);
    const replicas = lines.filter((l) => l.split(' ')[2].includes('slave'));
    t.equal(replicas.length, 3, `port ${n.port} sees three replicas`);
    for (const r of replicas) {
      const primary = r.split(' ')[3];
      t.ok(lines.some((l) => l.startsWith(primary) && l.split(' ')[2].includes('master')), 'each replica names a known primary');
    }
  }
  // A replica redirects writes to its primary's slots, and keeps its role across a restart.
  const replicaLine = text(await rawCommand(nodes[0].port, ['CLUSTER', 'NODES'])).split('\n').find((l) => / slave /.test(l) || /,slave /.test(l))!;
  const replicaPort = Number(/:(\d+)@/.exec(replicaLine)![1]);
  const replica = nodes.find((n) => n.port === replicaPort)!;
  t.match(await rawCommand(replica.port, ['SET', 'foo', 'bar']), /^-MOVED 12182 127\.0\.0\.1:\d+\r\n$/);
  t.match(readFileSync(replica.configFile, 'latin1'), /myself,slave [0-9a-f]{40} /);
  const shards = await rawCommand(replica.port, ['CLUSTER', 'SHARDS']);
  t.equal((shards.match(/\$4\r\nrole\r\n\$7\r\nreplica\r\n/g) ?? []).length, 3, 'CLUSTER SHARDS lists the replicas');
  t.match(await rawCommand(replica.port, ['CLUSTER', 'SLOTS']), /^\*3\r\n\*4\r\n/, 'CLUSTER SLOTS: each range has its primary and one replica');
});
