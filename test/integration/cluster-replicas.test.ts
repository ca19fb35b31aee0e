// Six nodes joined by `redis-cli --cluster create --cluster-replicas 1`: CLUSTER REPLICATE
// records each replica's role and primary in the node table, nodes.conf and the bus, so the
// create and `--cluster check` succeed and every node shows three primaries with one replica
// each. (Copying the primary's data is the replication layer's job, in a later issue.)

import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startCinnabar, waitForPing, type Running } from '../helpers/server';
import { bulkText as text, rawCommand, redisCli } from '../helpers/cluster';

t.test('six nodes with one replica per primary', async (t) => {
  const nodes: Running[] = [];
  for (let i = 0; i < 6; i++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cinnabar-cluster6-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const bus = await freePort();
    const node = await startCinnabar(t, { dir, noWait: true, args: ['--cluster-enabled', 'yes', '--cluster-port', String(bus), '--cluster-node-timeout', '3000'] });
    await waitForPing(node.port, 40000); // a loaded machine starts slowly
    nodes.push(node);
  }
  const addrs = nodes.map((n) => `127.0.0.1:${n.port}`);
  const create = await redisCli(['--cluster', 'create', ...addrs, '--cluster-replicas', '1', '--cluster-yes'], 90000);
  t.equal(create.code, 0, create.out);
  t.match(create.out, '[OK] All 16384 slots covered.');
  const deadline = Date.now() + 20000;
  for (;;) {
    const states = await Promise.all(nodes.map(async (n) => text(await rawCommand(n.port, ['CLUSTER', 'INFO']))));
    if (states.every((s) => s.includes('cluster_state:ok'))) break;
    if (Date.now() > deadline) throw new Error('cluster never became ok');
    await new Promise((r) => setTimeout(r, 200));
  }
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
  t.match(readFileSync(path.join(replica.dir, 'nodes.conf'), 'latin1'), /myself,slave [0-9a-f]{40} /);
  const shards = await rawCommand(replica.port, ['CLUSTER', 'SHARDS']);
  t.equal((shards.match(/\$4\r\nrole\r\n\$7\r\nreplica\r\n/g) ?? []).length, 3, 'CLUSTER SHARDS lists the replicas');
  t.match(await rawCommand(replica.port, ['CLUSTER', 'SLOTS']), /^\*3\r\n\*4\r\n/, 'CLUSTER SLOTS: each range has its primary and one replica');
});
