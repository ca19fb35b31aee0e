// Cluster mode over real processes: three Cinnabar nodes joined by `redis-cli --cluster
// create`, checked by `redis-cli --cluster check`; MOVED/CROSSSLOT from the nodes; CLUSTER
// NODES agreement; the per-slot key index; garbage on the bus port; failure detection; and
// a kill -9 restart that keeps id, epochs and slots from nodes.conf.

import t from 'tap';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { RawConnection, bulks } from '../helpers/resp';
import { bulkText as text, createCluster, rawCommand, redisCli, startClusterNodes } from '../helpers/cluster';
import { eventually, poll } from '../helpers/server';

/** Nodes that log to the data dir's WAL, so a kill -9 restart replays it. */
const NODE_OPTIONS = { args: ['--appendonly', 'yes'] };

/** Each node's view: "id addr role primary epoch slots" lines, without myself/time fields. */
async function nodesView(port: number): Promise<string[]> {
  const lines = text(await rawCommand(port, ['CLUSTER', 'NODES'])).trim().split('\n');
  return lines
    .map((l) => {
      const f = l.split(' ');
      const role = f[2].replace('myself,', '');
      return [f[0], f[1], role, f[3], f[6], f[7], ...f.slice(8)].join(' ');
    })
    .sort();
}

t.test('three nodes: create, check, redirections, restart', async (t) => {
  const nodes = await startClusterNodes(t, 'cinnabar', 3, NODE_OPTIONS);
  const addrs = nodes.map((n) => `127.0.0.1:${n.port}`);

  await t.test('redis-cli --cluster create', async (t) => {
    // The helper runs redis-cli --cluster create and waits until cluster_state:ok everywhere.
    const r = await createCluster(nodes, 0);
    t.equal(r.code, 0, r.stdout + r.stderr);
    t.match(r.stdout, '[OK] All nodes agree about slots configuration.');
    t.match(r.stdout, '[OK] All 16384 slots covered.');
  });

  await t.test('redis-cli --cluster check and info', async (t) => {
    const r = await redisCli(['--cluster', 'check', addrs[1]]);
    t.equal(r.code, 0, r.out);
    t.match(r.out, '[OK] All nodes agree about slots configuration.');
    t.match(r.out, '[OK] All 16384 slots covered.');
    t.notMatch(r.out, /ERR|WARNING/);
    const info = await redisCli(['--cluster', 'info', addrs[2]]);
    t.equal(info.code, 0, info.out);
    t.match(info.out, /\[OK\] 0 keys in 3 masters/);
  });

  await t.test('every node has the same view of the cluster', async (t) => {
    // redis-cli's check compares slots; config epochs reach every node with the next PING/PONG,
    // so give gossip a few seconds to bring every view to the same place.
    const { last: views } = await poll(
      () => Promise.all(nodes.map((n) => nodesView(n.port))),
      (views) => views.every((v) => JSON.stringify(v) === JSON.stringify(views[0])),
      { timeoutMs: 5000 },
    );
    t.equal(views[0].length, 3);
    t.same(views[1], views[0]);
    t.same(views[2], views[0]);
    const info = text(await rawCommand(nodes[0].port, ['CLUSTER', 'INFO']));
    t.match(info, 'cluster_known_nodes:3\r\n');
    t.match(info, 'cluster_size:3\r\n');
    t.match(info, 'cluster_current_epoch:3\r\n');
    t.match(info, /cluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\n/);
    const slots = await rawCommand(nodes[0].port, ['CLUSTER', 'SLOTS']);
    t.match(slots, /^\*3\r\n\*3\r\n:0\r\n:5460\r\n\*4\r\n\$9\r\n127\.0\.0\.1\r\n/);
  });

  await t.test('MOVED, CROSSSLOT, hash tags, SELECT', async (t) => {
    // foo is slot 12182, served by the third node (slots 10923-16383).
    t.equal(await rawCommand(nodes[0].port, ['SET', 'foo', 'bar']), `-MOVED 12182 127.0.0.1:${nodes[2].port}\r\n`);
    t.equal(await rawCommand(nodes[2].port, ['SET', 'foo', 'bar']), '+OK\r\n');
    t.equal(await rawCommand(nodes[2].port, ['GET', 'foo']), '$3\r\nbar\r\n');
    t.equal(await rawCommand(nodes[1].port, ['MSET', 'a', '1', 'b', '2']), "-CROSSSLOT Keys in request don't hash to the same slot\r\n");
    t.equal(await rawCommand(nodes[1].port, ['MSET', '{a}x', '1', '{a}y', '2']), `-MOVED 15495 127.0.0.1:${nodes[2].port}\r\n`);
    t.equal(await rawCommand(nodes[2].port, ['MSET', '{a}x', '1', '{a}y', '2', 'a', '3']), '+OK\r\n');
    t.equal(await rawCommand(nodes[2].port, ['CLUSTER', 'COUNTKEYSINSLOT', '15495']), ':3\r\n');
    t.same(bulks(await rawCommand(nodes[2].port, ['CLUSTER', 'GETKEYSINSLOT', '15495', '2'])).length, 2);
    t.equal(await rawCommand(nodes[2].port, ['DEL', '{a}x']), ':1\r\n');
    t.equal(await rawCommand(nodes[2].port, ['CLUSTER', 'COUNTKEYSINSLOT', '15495']), ':2\r\n');
    t.equal(await rawCommand(nodes[0].port, ['PING']), '+PONG\r\n', 'commands without keys run anywhere');
    t.equal(await rawCommand(nodes[0].port, ['SELECT', '1']), '-ERR SELECT is not allowed in cluster mode\r\n');
    t.equal(await rawCommand(nodes[0].port, ['SELECT', '0']), '+OK\r\n');
    const info = text(await rawCommand(nodes[0].port, ['INFO', 'cluster']));
    t.match(info, 'cluster_enabled:1');
    t.match(text(await rawCommand(nodes[0].port, ['INFO', 'server'])), 'redis_mode:cluster');
  });

  await t.test('open slots: ASK, ASKING, TRYAGAIN and the NODES markers', async (t) => {
    const [id0, id2] = [text(await rawCommand(nodes[0].port, ['CLUSTER', 'MYID'])), text(await rawCommand(nodes[2].port, ['CLUSTER', 'MYID']))];
    t.equal(await rawCommand(nodes[0].port, ['CLUSTER', 'SETSLOT', '12182', 'IMPORTING', id2]), '+OK\r\n');
    t.equal(await rawCommand(nodes[2].port, ['CLUSTER', 'SETSLOT', '12182', 'MIGRATING', id0]), '+OK\r\n');
    t.equal(await rawCommand(nodes[2].port, ['GET', 'foo']), '$3\r\nbar\r\n', 'a key still here is served');
    t.equal(await rawCommand(nodes[2].port, ['GET', '{foo}missing']), `-ASK 12182 127.0.0.1:${nodes[0].port}\r\n`);
    t.equal(await rawCommand(nodes[2].port, ['MGET', 'foo', '{foo}missing']), '-TRYAGAIN Multiple keys request during rehashing of slot\r\n');
    t.equal(await rawCommand(nodes[0].port, ['GET', '{foo}x']), `-MOVED 12182 127.0.0.1:${nodes[2].port}\r\n`, 'no ASKING: MOVED');
    const c = await RawConnection.connect(nodes[0].port);
    t.teardown(() => c.close());
    t.equal(await c.call('ASKING'), '+OK\r\n');
    t.equal(await c.call('GET', '{foo}x'), '$-1\r\n', 'ASKING: served by the importing node');
    t.equal(await c.call('GET', '{foo}x'), `-MOVED 12182 127.0.0.1:${nodes[2].port}\r\n`, 'ASKING lasts one command');
    await c.call('ASKING');
    t.equal(await c.call('MGET', '{foo}a', '{foo}b'), '-TRYAGAIN Multiple keys request during rehashing of slot\r\n');
    // RESTORE-ASKING (flagged asking) runs on the importing node without ASKING; RESTORE does not.
    const payload = Buffer.from(text(await rawCommand(nodes[2].port, ['DUMP', 'foo'])), 'latin1');
    t.equal(await rawCommand(nodes[0].port, ['RESTORE', '{foo}r', '0', payload]), `-MOVED 12182 127.0.0.1:${nodes[2].port}\r\n`, 'RESTORE: MOVED');
    t.equal(await rawCommand(nodes[0].port, ['RESTORE-ASKING', '{foo}r', '0', payload]), '+OK\r\n', 'RESTORE-ASKING: restored on the importing node');
    await c.call('ASKING');
    t.equal(await c.call('GET', '{foo}r'), '$3\r\nbar\r\n');
    t.equal(await rawCommand(nodes[1].port, ['RESTORE-ASKING', '{foo}r', '0', payload]), `-MOVED 12182 127.0.0.1:${nodes[2].port}\r\n`, 'RESTORE-ASKING elsewhere: MOVED');
    await c.call('ASKING');
    t.equal(await c.call('DEL', '{foo}r'), ':1\r\n');
    t.match(text(await rawCommand(nodes[2].port, ['CLUSTER', 'NODES'])), ` 10923-16383 [12182->-${id0}]\n`);
    t.match(text(await rawCommand(nodes[0].port, ['CLUSTER', 'NODES'])), ` 0-5460 [12182-<-${id2}]\n`);
    t.equal(await rawCommand(nodes[0].port, ['CLUSTER', 'SETSLOT', '12182', 'STABLE']), '+OK\r\n');
    t.equal(await rawCommand(nodes[2].port, ['CLUSTER', 'SETSLOT', '12182', 'STABLE']), '+OK\r\n');
    t.equal(await rawCommand(nodes[2].port, ['GET', '{foo}missing']), '$-1\r\n');
  });

  await t.test('redis-cli --cluster reshard of empty slots (SETSLOT IMPORTING/MIGRATING/NODE)', async (t) => {
    const [from, to] = [text(await rawCommand(nodes[0].port, ['CLUSTER', 'MYID'])), text(await rawCommand(nodes[1].port, ['CLUSTER', 'MYID']))];
    const r = await redisCli(['--cluster', 'reshard', addrs[0], '--cluster-from', from, '--cluster-to', to, '--cluster-slots', '50', '--cluster-yes']);
    t.equal(r.code, 0, r.out);
    await eventually('every node sees slots 0-49 on the second node', async () => {
      for (const n of nodes) {
        const line = text(await rawCommand(n.port, ['CLUSTER', 'NODES'])).split('\n').find((l) => l.startsWith(to)) ?? '';
        if (!line.includes(' 0-49 5461-10922')) return false;
      }
      return true;
    }, { timeoutMs: 20000 });
    const check = await redisCli(['--cluster', 'check', addrs[2]]);
    t.equal(check.code, 0, check.out);
    t.match(check.out, '[OK] All nodes agree about slots configuration.');
    t.match(text(await rawCommand(nodes[1].port, ['CLUSTER', 'INFO'])), 'cluster_my_epoch:4', 'the importing node bumped its epoch');
    // Give the slots back so the rest of the test sees the original layout.
    const back = await redisCli(['--cluster', 'reshard', addrs[0], '--cluster-from', to, '--cluster-to', from, '--cluster-slots', '50', '--cluster-yes']);
    t.equal(back.code, 0, back.out);
    await eventually('slots 0-49 back on the first node everywhere', async () => {
      for (const n of nodes) {
        const line = text(await rawCommand(n.port, ['CLUSTER', 'NODES'])).split('\n').find((l) => l.startsWith(from)) ?? '';
        if (!line.includes(' 0-5460')) return false;
      }
      return true;
    }, { timeoutMs: 20000 });
  });

  await t.test('garbage on the bus port does not hurt a node', async (t) => {
    const target = nodes[1];
    const payloads = [
      Buffer.from('*1\r\n$4\r\nPING\r\n'),
      Buffer.from('RCmb\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00', 'latin1'),
      Buffer.concat([Buffer.from('CNBR\x00\x01\x00\x00\x00\x00\x10\x00\x00\x00\x00\x00', 'latin1'), Buffer.alloc(5000, 7)]),
      Buffer.from(Array.from({ length: 20000 }, (_, i) => (i * 7919) & 0xff)),
    ];
    for (const p of payloads) {
      await new Promise<void>((resolve) => {
        const s = net.connect(target.busPort, '127.0.0.1', () => s.end(p));
        s.on('close', () => resolve());
        s.on('error', () => resolve());
        s.resume();
      });
    }
    t.equal(await rawCommand(target.port, ['PING']), '+PONG\r\n');
    await new Promise((r) => setTimeout(r, 300));
    t.match(text(await rawCommand(target.port, ['CLUSTER', 'INFO'])), 'cluster_state:ok');
    t.match(target.output(), 'malformed message', 'the bad links were logged');
  });

  await t.test('kill -9 and restart: same id, epochs, slots; back to ok; PFAIL/FAIL meanwhile', async (t) => {
    const victim = nodes[1];
    const id = text(await rawCommand(victim.port, ['CLUSTER', 'MYID']));
    const before = await nodesView(victim.port);
    const conf = readFileSync(victim.configFile, 'latin1');
    const info = text(await rawCommand(victim.port, ['CLUSTER', 'INFO']));
    const myEpoch = /cluster_my_epoch:(\d+)/.exec(info)![1];
    const currentEpoch = /cluster_current_epoch:(\d+)/.exec(info)![1];
    t.match(conf, new RegExp(`^${id} 127\\.0\\.0\\.1:${victim.port}@${victim.busPort} myself,master - 0 0 ${myEpoch} \\w+ 5461-10922$`, 'm'));
    t.match(conf, new RegExp(`^vars currentEpoch ${currentEpoch} lastVoteEpoch 0$`, 'm'));
    await victim.kill9();
    await eventually('the others flag the dead node fail', async () => {
      const line = text(await rawCommand(nodes[0].port, ['CLUSTER', 'NODES'])).split('\n').find((l) => l.startsWith(id)) ?? '';
      return / master,fail /.test(line);
    }, { timeoutMs: 20000 });
    t.match(text(await rawCommand(nodes[0].port, ['CLUSTER', 'INFO'])), 'cluster_state:fail');
    t.equal(await rawCommand(nodes[0].port, ['GET', 'foo']), '-CLUSTERDOWN The cluster is down\r\n');
    await victim.start(t);
    t.equal(text(await rawCommand(victim.port, ['CLUSTER', 'MYID'])), id, 'same node id');
    const infoAfter = text(await rawCommand(victim.port, ['CLUSTER', 'INFO']));
    t.match(infoAfter, `cluster_my_epoch:${myEpoch}\r\n`, 'same config epoch');
    t.match(infoAfter, `cluster_current_epoch:${currentEpoch}\r\n`, 'same current epoch');
    await eventually('cluster_state:ok everywhere after the restart', async () => {
      for (const n of nodes) if (!text(await rawCommand(n.port, ['CLUSTER', 'INFO'])).includes('cluster_state:ok')) return false;
      return true;
    }, { timeoutMs: 20000 });
    t.same(await nodesView(victim.port), before, 'same view as before the crash');
    t.equal(await rawCommand(nodes[2].port, ['GET', 'foo']), '$3\r\nbar\r\n');
  });
});

t.test('a node met by one node becomes known to all (gossip)', async (t) => {
  const [a, b, c] = await startClusterNodes(t, 'cinnabar', 3, NODE_OPTIONS);
  t.equal(await rawCommand(a.port, ['CLUSTER', 'MEET', '127.0.0.1', String(b.port), String(b.busPort)]), '+OK\r\n');
  t.equal(await rawCommand(b.port, ['CLUSTER', 'MEET', '127.0.0.1', String(c.port), String(c.busPort)]), '+OK\r\n');
  await eventually('a knows c through b', async () => {
    const nodes = text(await rawCommand(a.port, ['CLUSTER', 'NODES']));
    return nodes.split('\n').filter((l) => l.trim() !== '' && !l.includes('handshake')).length === 3;
  }, { timeoutMs: 20000 });
  await eventually('all views agree', async () => {
    const views = await Promise.all([a, b, c].map((n) => nodesView(n.port)));
    return JSON.stringify(views[0]) === JSON.stringify(views[1]) && JSON.stringify(views[1]) === JSON.stringify(views[2]) && views[0].length === 3;
  }, { timeoutMs: 20000 });
  t.pass('three nodes, one view');
  // Equal config epochs (all 0) are resolved: every primary ends with its own epoch.
  await eventually('config epochs made unique', async () => {
    const epochs = new Set<string>();
    for (const n of [a, b, c]) epochs.add(/cluster_my_epoch:(\d+)/.exec(text(await rawCommand(n.port, ['CLUSTER', 'INFO'])))![1]);
    return epochs.size === 3;
  }, { timeoutMs: 20000 });
  t.pass('config epoch collisions resolved');
});
