// Cluster creation end to end: `redis-cli --cluster create` on 3 primaries and on 3 primaries
// with a replica each, `redis-cli --cluster check`, CLUSTER NODES agreed on by every node,
// CLUSTER INFO fields, and the shape of CLUSTER SLOTS / CLUSTER SHARDS / CLUSTER MYID.
// Runs against Cinnabar (and redis-server with CLUSTER_TEST_SERVERS=redis,cinnabar).

import t, { type Test } from 'tap';
import {
  SLOTS,
  bulkText,
  clusterInfo,
  clusterNodes,
  clusterTestKinds,
  ownedSlots,
  rawCommand,
  runTool,
  skipUnless,
  skipUnlessCommand,
  startCluster,
  topologyKey,
  type ClusterNode,
  type NodeLine,
} from '../helpers/cluster';
import { parseReply, type Reply } from '../helpers/durability';
import { eventually } from '../helpers/server';

/** The fields CLUSTER INFO prints first, in Redis 7.0's order. */
const INFO_FIELDS = [
  'cluster_state',
  'cluster_slots_assigned',
  'cluster_slots_ok',
  'cluster_slots_pfail',
  'cluster_slots_fail',
  'cluster_known_nodes',
  'cluster_size',
  'cluster_current_epoch',
  'cluster_my_epoch',
];

async function checkOutput(t: Test, port: number): Promise<void> {
  const check = await runTool('redis-cli', ['--cluster', 'check', `127.0.0.1:${port}`]);
  t.equal(check.code, 0, 'redis-cli --cluster check exits 0');
  t.match(check.stdout, '[OK] All nodes agree about slots configuration.', 'check: all nodes agree');
  t.match(check.stdout, '[OK] All 16384 slots covered.', 'check: all slots covered');
  t.notMatch(check.stdout, '[ERR]', 'check: no error', { detail: check.stdout });
  t.notMatch(check.stdout, '[WARNING]', 'check: no warning', { detail: check.stdout });
}

/** Every node prints the same topology; each names itself `myself` on its own port. */
async function checkNodesAgree(t: Test, nodes: readonly ClusterNode[]): Promise<NodeLine[]> {
  const views = await Promise.all(nodes.map((n) => clusterNodes(n.port)));
  const keys = views.map(topologyKey);
  for (let i = 1; i < views.length; i++) t.equal(keys[i], keys[0], `CLUSTER NODES on ${nodes[i].port} agrees with ${nodes[0].port}`);
  views.forEach((v, i) => {
    t.equal(v.length, nodes.length, `node ${nodes[i].port} knows ${nodes.length} nodes`);
    const mine = v.filter((n) => n.flags.includes('myself'));
    t.equal(mine.length, 1, `node ${nodes[i].port}: one myself line`);
    t.equal(mine[0]?.port, nodes[i].port, 'myself is the node asked');
    t.equal(mine[0]?.busPort, nodes[i].port + 10000, 'bus port is port + 10000');
    for (const n of v) {
      t.match(n.id, /^[0-9a-f]{40}$/, 'node id: 40 hex digits');
      t.match(n.address, new RegExp(`^127\\.0\\.0\\.1:${n.port}@${n.busPort}$`), 'address ip:port@cport');
      t.equal(n.linkState, 'connected', `${n.port} link connected`);
      t.notOk(n.flags.some((f) => f.startsWith('fail') || f === 'handshake' || f === 'noaddr'), `${n.port} flags ${n.flags.join(',')}`);
    }
  });
  // The slots are split among the primaries, each exactly once.
  const owner = new Array<string | undefined>(SLOTS);
  let doubly = 0;
  for (const n of views[0]) {
    for (const s of ownedSlots(n)) {
      if (owner[s] !== undefined) doubly++;
      owner[s] = n.id;
    }
  }
  t.equal(doubly, 0, 'no slot owned twice');
  t.equal(owner.filter((o) => o !== undefined).length, SLOTS, 'all 16384 slots owned');
  return views[0];
}

async function checkInfo(t: Test, nodes: readonly ClusterNode[], lines: NodeLine[], primaries: number): Promise<void> {
  const byPort = new Map(lines.map((l) => [l.port, l]));
  const maxEpoch = Math.max(...lines.map((l) => l.configEpoch));
  for (const n of nodes) {
    const raw = bulkText(await rawCommand(n.port, ['CLUSTER', 'INFO']));
    t.match(raw, /\r\n$/, 'CLUSTER INFO lines end with CRLF');
    const fields = raw.split('\r\n').filter(Boolean).map((l) => l.split(':')[0]);
    t.same(fields.slice(0, INFO_FIELDS.length), INFO_FIELDS, `CLUSTER INFO on ${n.port}: fields in Redis's order`);
    const info = await clusterInfo(n.port);
    t.equal(info.cluster_state, 'ok');
    t.equal(info.cluster_slots_assigned, '16384');
    t.equal(info.cluster_slots_ok, '16384');
    t.equal(info.cluster_slots_pfail, '0');
    t.equal(info.cluster_slots_fail, '0');
    t.equal(info.cluster_known_nodes, String(nodes.length));
    t.equal(info.cluster_size, String(primaries), 'cluster_size counts primaries serving slots');
    // redis-cli --cluster create gives every node (replicas too) its own config epoch 1..N.
    t.equal(info.cluster_current_epoch, String(nodes.length), 'current epoch: one epoch per node from redis-cli');
    t.ok(Number(info.cluster_current_epoch) >= maxEpoch, 'current epoch >= every config epoch');
    t.equal(info.cluster_my_epoch, String(byPort.get(n.port)?.configEpoch), 'my epoch is my config epoch (a replica: its primary)');
    t.match(info.cluster_stats_messages_sent, /^\d+$/, 'messages sent counted');
    t.match(info.cluster_stats_messages_received, /^\d+$/, 'messages received counted');
    const myid = parseReply(await rawCommand(n.port, ['CLUSTER', 'MYID']));
    t.equal(myid, byPort.get(n.port)?.id, 'CLUSTER MYID is the myself id');
  }
}

/** CLUSTER SLOTS: [start, end, [ip, port, id, []], replicas...] per range, matching CLUSTER NODES. */
function checkSlots(t: Test, reply: Reply, lines: NodeLine[], replicasPerRange: number): void {
  t.ok(Array.isArray(reply), 'CLUSTER SLOTS is an array');
  const ranges = reply as Reply[][];
  const byId = new Map(lines.map((l) => [l.id, l]));
  let covered = 0;
  for (const r of ranges) {
    t.equal(r.length, 3 + replicasPerRange, `range ${r[0]}-${r[1]}: primary and ${replicasPerRange} replica(s)`);
    const [start, end, ...endpoints] = r as [number, number, ...Reply[][]];
    covered += end - start + 1;
    for (const [i, e] of endpoints.entries()) {
      t.same(e.length, 4, 'endpoint: ip, port, id, metadata');
      const [ip, port, id, meta] = e as [string, number, string, Reply[]];
      t.equal(ip, '127.0.0.1');
      const line = byId.get(id);
      t.ok(line, `endpoint id ${id} is in CLUSTER NODES`);
      t.equal(port, line?.port, 'endpoint port matches CLUSTER NODES');
      t.same(meta, [], 'no extra networking metadata');
      if (i === 0) t.ok(line?.flags.includes('master'), 'first endpoint is the primary');
      else t.equal(line?.master, (endpoints[0] as string[])[2], 'later endpoints replicate the primary');
      if (i === 0) t.ok(ownedSlots(line!).includes(start), 'the primary owns the range');
    }
  }
  t.equal(covered, SLOTS, 'CLUSTER SLOTS covers every slot');
}

/** CLUSTER SHARDS: one [slots, [s, e...], nodes, [node maps]] per shard. */
function checkShards(t: Test, reply: Reply, lines: NodeLine[], nodesPerShard: number): void {
  t.ok(Array.isArray(reply), 'CLUSTER SHARDS is an array');
  const shards = reply as Reply[][];
  t.equal(shards.length, lines.filter((l) => l.flags.includes('master')).length, 'one shard per primary');
  const byId = new Map(lines.map((l) => [l.id, l]));
  for (const s of shards) {
    t.equal(s[0], 'slots');
    t.equal(s[2], 'nodes');
    const slots = s[1] as number[];
    t.ok(slots.length % 2 === 0 && slots.length > 0, 'slots come as start/end pairs');
    const nodes = s[3] as Reply[][];
    t.equal(nodes.length, nodesPerShard, `${nodesPerShard} node(s) per shard`);
    for (const n of nodes) {
      const keys = n.filter((_, i) => i % 2 === 0);
      t.same(keys, ['id', 'port', 'ip', 'endpoint', 'role', 'replication-offset', 'health'], 'node fields in Redis order');
      const m = new Map<string, Reply>();
      for (let i = 0; i + 1 < n.length; i += 2) m.set(n[i] as string, n[i + 1]);
      const line = byId.get(m.get('id') as string);
      t.ok(line, 'shard node is in CLUSTER NODES');
      t.equal(m.get('port'), line?.port);
      t.equal(m.get('ip'), '127.0.0.1');
      t.equal(m.get('endpoint'), '127.0.0.1');
      t.equal(m.get('role'), line?.flags.includes('master') ? 'master' : 'replica');
      t.equal(typeof m.get('replication-offset'), 'number');
      t.equal(m.get('health'), 'online');
      if (line?.flags.includes('master')) t.same(slots, rangesOf(ownedSlots(line)), 'shard slots are its primary slots');
    }
  }
}

function rangesOf(slots: number[]): number[] {
  const out: number[] = [];
  for (const s of slots) {
    if (out.length > 0 && out[out.length - 1] === s - 1) out[out.length - 1] = s;
    else out.push(s, s);
  }
  return out;
}

/** Replicas show up in CLUSTER SLOTS and as online in SHARDS once they have synced. */
async function waitForReplicasOnline(port: number, timeoutMs = 20000): Promise<void> {
  await eventually(
    'replicas online',
    async () => ({
      shards: await rawCommand(port, ['CLUSTER', 'SHARDS']),
      slots: parseReply(await rawCommand(port, ['CLUSTER', 'SLOTS'])) as Reply[][],
    }),
    { until: ({ shards, slots }) => !shards.includes('loading') && slots.every((r) => r.length === 4), timeoutMs, intervalMs: 200 },
  );
}

for (const kind of clusterTestKinds()) {
  t.test(`${kind}: 3 primaries`, skipUnless(kind, null), async (t) => {
    const nodes = await startCluster(t, kind, 3, 0);
    await checkOutput(t, nodes[0].port);
    const lines = await checkNodesAgree(t, nodes);
    t.equal(lines.filter((l) => l.flags.includes('master')).length, 3, 'three primaries');
    t.same(lines.map((l) => l.configEpoch).sort(), [1, 2, 3], 'distinct config epochs 1..3');
    await checkInfo(t, nodes, lines, 3);
    checkSlots(t, parseReply(await rawCommand(nodes[1].port, ['CLUSTER', 'SLOTS'])), lines, 0);
    checkShards(t, parseReply(await rawCommand(nodes[2].port, ['CLUSTER', 'SHARDS'])), lines, 1);
  });

  t.test(`${kind}: 3 primaries with a replica each`, skipUnless(kind, null), async (t) => {
    const nodes = await startCluster(t, kind, 6, 1);
    await checkOutput(t, nodes[3].port);
    const lines = await checkNodesAgree(t, nodes);
    const primaries = lines.filter((l) => l.flags.includes('master'));
    const replicas = lines.filter((l) => l.flags.includes('slave'));
    t.equal(primaries.length, 3, 'three primaries');
    t.equal(replicas.length, 3, 'three replicas');
    t.same(replicas.map((r) => r.master).sort(), primaries.map((p) => p.id).sort(), 'one replica per primary');
    for (const r of replicas) {
      t.same(r.slots, [], 'a replica lists no slots');
      t.equal(r.configEpoch, primaries.find((p) => p.id === r.master)?.configEpoch, "a replica shows its primary's epoch");
    }
    await checkInfo(t, nodes, lines, 3);
    const noReplication = await skipUnlessCommand(kind, nodes[0].port, 'PSYNC', 'replication (PSYNC): replicas never sync, so SHARDS health stays loading and SLOTS lists no replica');
    await t.test('replicas in CLUSTER SLOTS and SHARDS once synced', noReplication, async (t) => {
      await waitForReplicasOnline(nodes[0].port);
      checkSlots(t, parseReply(await rawCommand(nodes[4].port, ['CLUSTER', 'SLOTS'])), lines, 1);
      checkShards(t, parseReply(await rawCommand(nodes[5].port, ['CLUSTER', 'SHARDS'])), lines, 2);
    });
  });
}
