// redis-benchmark in cluster mode (`--cluster`: it reads CLUSTER NODES, opens clients to every
// primary and sends each request to the owner of its key's slot) against a 3-primary cluster:
// every test it runs must report a requests-per-second figure. Runs against Cinnabar (and
// redis-server with CLUSTER_TEST_SERVERS=redis,cinnabar).

import t from 'tap';
import { clusterTestKinds, rawCommand, runTool, skipUnless, startCluster } from '../helpers/cluster';

const REQUESTS = 20000;

for (const kind of clusterTestKinds()) {
  t.test(`${kind}: redis-benchmark --cluster -t set,get`, skipUnless(kind, null), async (t) => {
    const nodes = await startCluster(t, kind, 3, 0);
    const args = ['--cluster', '-h', '127.0.0.1', '-p', String(nodes[0].port), '-t', 'set,get', '-n', String(REQUESTS), '-q'];
    const r = await runTool('redis-benchmark', args, 90000);
    t.equal(r.code, 0, `redis-benchmark ${args.join(' ')} exits 0`, { detail: r.stdout + r.stderr });
    t.match(r.stdout, /Cluster has 3 master nodes/, 'redis-benchmark found the three primaries');
    // With -q each test ends with `NAME: N requests per second, p50=X msec` (progress lines
    // before it are separated by \r).
    const rps = new Map<string, number>();
    for (const line of r.stdout.split(/[\r\n]+/)) {
      const m = /^\s*(\S+): ([\d.]+) requests per second/.exec(line);
      if (m) rps.set(m[1], Number(m[2]));
    }
    for (const test of ['SET', 'GET']) t.ok((rps.get(test) ?? 0) > 0, `${test}: ${rps.get(test)} requests per second`, { detail: r.stdout });
    t.notMatch(r.stdout + r.stderr, /error|MOVED|CROSSSLOT/i, 'no errors reported');
    // The SETs landed on every primary (key:{tag}__rand_int__ keys spread over the slots).
    for (const n of nodes) {
      const size = await rawCommand(n.port, ['DBSIZE']);
      t.match(size, /^:[1-9]\d*\r\n$/, `node ${n.port} got keys (${size.trim()})`);
    }
  });
}
