// nodes.conf: Redis's file parses, our rendering round-trips (ids, addresses, flags,
// primaries, epochs, slots, open slots), saving is atomic, corrupt files are refused.

import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadNodesConf, parseNodesConf, renderNodesConf, saveNodesConf } from '../../src/cluster/nodes-conf';
import { ClusterNode, NodeFlag, NodeTable } from '../../src/cluster/node-table';
import { clusterNodes } from '../../src/cluster/render';

// Written by redis-server 7.0.15 after `redis-cli --cluster create` of three nodes.
const REDIS_FILE = `09cd72c11989ad0be2b1a089ac54d62ad836ca7e 127.0.0.1:17003@27003 master - 0 1796156008548 3 connected 10923-16383
3effb496abe9e0d299d9a2411afdfcd4052601e1 127.0.0.1:17002@27002 master - 0 1796156009249 2 connected 5461-10922
e811b2716fbbfbf2b178cc386b8679cc102dea08 127.0.0.1:17001@27001 myself,master - 0 0 1 connected 0-5460
vars currentEpoch 3 lastVoteEpoch 0
`;

/** Lines without the ping/pong times and the link state (they describe the moment of saving). */
function stripVolatile(text: string): string[] {
  return text.split('\n').map((l) => (l.startsWith('vars') ? l : l.split(' ').filter((_, i) => i !== 4 && i !== 5 && i !== 7).join(' ')));
}

t.test("Redis's nodes.conf", async (t) => {
  const table = parseNodesConf(REDIS_FILE);
  t.equal(table.myself.id, 'e811b2716fbbfbf2b178cc386b8679cc102dea08');
  t.equal(table.nodes.size, 3);
  t.equal(table.currentEpoch, 3);
  t.equal(table.lastVoteEpoch, 0);
  const n3 = table.get('09cd72c11989ad0be2b1a089ac54d62ad836ca7e')!;
  t.equal(n3.ip, '127.0.0.1');
  t.equal(n3.port, 17003);
  t.equal(n3.cport, 27003);
  t.equal(n3.configEpoch, 3);
  t.equal(n3.numSlots, 5461);
  t.equal(table.slots[10923], n3);
  t.equal(table.slots[0], table.myself);
  t.equal(table.size, 3);
  // Rendering it again gives the same lines, times and link states aside.
  t.same(stripVolatile(renderNodesConf(table)).sort(), stripVolatile(REDIS_FILE).sort());
});

function sampleTable(): NodeTable {
  const me = new ClusterNode('a'.repeat(40), NodeFlag.MYSELF | NodeFlag.MASTER);
  me.ip = '10.0.0.1';
  me.port = 7000;
  me.cport = 17000;
  me.configEpoch = 5;
  const table = new NodeTable(me);
  const other = new ClusterNode('b'.repeat(40), NodeFlag.MASTER | NodeFlag.PFAIL);
  other.ip = '10.0.0.2';
  other.port = 7001;
  other.cport = 17001;
  other.hostname = 'host-b';
  other.configEpoch = 7;
  table.add(other);
  const replica = new ClusterNode('c'.repeat(40), NodeFlag.REPLICA);
  replica.ip = '::1';
  replica.port = 7002;
  replica.cport = 17002;
  table.add(replica);
  table.setPrimary(replica, me);
  for (let s = 0; s < 100; s++) table.addSlot(me, s);
  table.addSlot(me, 200);
  for (let s = 1000; s < 16384; s++) table.addSlot(other, s);
  table.migratingTo[5] = other;
  table.importingFrom[1000] = other;
  table.currentEpoch = 9;
  table.lastVoteEpoch = 8;
  return table;
}

t.test('round trip of our own file', async (t) => {
  const table = sampleTable();
  const text = renderNodesConf(table);
  t.match(text, /^a{40} 10\.0\.0\.1:7000@17000 myself,master - 0 0 5 connected 0-99 200 \[5->-b{40}\] \[1000-<-b{40}\]$/m);
  t.match(text, /^b{40} 10\.0\.0\.2:7001@17001,host-b master,fail\? - 0 0 7 disconnected 1000-16383$/m);
  t.match(text, /^c{40} ::1:7002@17002 slave a{40} 0 0 5 disconnected$/m, 'a replica shows its primary and its epoch');
  t.match(text, /vars currentEpoch 9 lastVoteEpoch 8\n$/);
  const back = parseNodesConf(text);
  t.same(stripVolatile(renderNodesConf(back)), stripVolatile(text), 'same text');
  t.equal(back.myself.id, 'a'.repeat(40));
  t.equal(back.get('c'.repeat(40))!.replicaOf, back.myself);
  t.same(back.myself.replicas.map((r) => r.id), ['c'.repeat(40)]);
  t.equal(back.get('c'.repeat(40))!.ip, '::1');
  t.equal(back.get('b'.repeat(40))!.hostname, 'host-b');
  t.equal(back.migratingTo[5]?.id, 'b'.repeat(40));
  t.equal(back.importingFrom[1000]?.id, 'b'.repeat(40));
  t.equal(back.currentEpoch, 9);
  t.equal(back.lastVoteEpoch, 8);
  t.equal(back.myself.numSlots, 101);
  t.match(clusterNodes(back, Date.now()), /myself,master/);
});

t.test('atomic save and load', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cinnabar-nodesconf-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'nodes.conf');
  t.equal(loadNodesConf(file), null, 'no file: new node');
  writeFileSync(file, '');
  t.equal(loadNodesConf(file), null, 'empty file: new node');
  const table = sampleTable();
  saveNodesConf(file, table);
  t.same(readdirSync(dir), ['nodes.conf'], 'no temp file left behind');
  t.equal(readFileSync(file, 'latin1'), renderNodesConf(table));
  t.equal(loadNodesConf(file)!.myself.id, table.myself.id);
});

t.test('corrupt files are refused', async (t) => {
  const bad = [
    'vars currentEpoch 1 lastVoteEpoch 0\n',
    'zz 127.0.0.1:1@2 myself,master - 0 0 0 connected\n',
    `${'a'.repeat(40)} 127.0.0.1:1@2 myself,master - 0 0 0\n`,
    `${'a'.repeat(40)} 127.0.0.1:1@2 myself,master - 0 0 0 connected 16384\n`,
    `${'a'.repeat(40)} 127.0.0.1:x@2 myself,master - 0 0 0 connected\n`,
    `${'a'.repeat(40)} 127.0.0.1:1@2 myself,master - 0 0 0 maybe\n`,
    `${'a'.repeat(40)} 127.0.0.1:1@2 myself,master - 0 0 0 connected\n${'b'.repeat(40)} 127.0.0.1:3@4 myself,master - 0 0 0 connected\n`,
  ];
  for (const text of bad) t.throws(() => parseNodesConf(text), { name: 'NodesConfError' }, JSON.stringify(text));
});
