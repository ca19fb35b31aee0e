// Snapshots through a real node: SAVE/BGSAVE/BGREWRITEAOF replies, a restart (graceful and
// kill -9) from snapshot + WAL tail reproducing the keyspace, WAL segments before a snapshot
// deleted, and SAVE with the WAL off loading back at the next start.

import t from 'tap';
import { startCinnabar } from '../helpers/server';
import { RawConnection } from '../helpers/resp';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

async function dump(c: RawConnection): Promise<string[]> {
  const out: string[] = [];
  for (const db of ['0', '1']) {
    await c.call('SELECT', db);
    const keys = (await c.call('KEYS', '*')).split('\r\n').filter((l, i) => i > 0 && i % 2 === 0).sort();
    for (const k of keys) out.push(`${db} ${k} ${await c.call('GET', k)} ${await c.call('PEXPIRETIME', k)}`);
  }
  await c.call('SELECT', '0');
  return out;
}

t.test('snapshot plus WAL tail survives kill -9 and restarts', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-snap-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const args = ['--wal-segment-size', '1mb', '--appendfsync', 'always'];
  let node = await startCinnabar(t, { dir, args });
  let c = await RawConnection.connect(node.port);
  for (let i = 0; i < 3000; i++) c.send('SET', `k${i}`, 'v'.repeat(400) + i);
  for (let i = 0; i < 3000; i++) await c.reply();
  await c.call('SET', 'ttl', 'x', 'EX', '1000');
  await c.call('SELECT', '1');
  await c.call('INCRBY', 'counter', '41');
  await c.call('SELECT', '0');
  const segsBefore = fs.readdirSync(path.join(dir, 'wal')).length;
  t.ok(segsBefore > 1, `WAL rotated into ${segsBefore} segments`);
  t.equal(await c.call('SAVE'), '+OK\r\n');
  t.equal(fs.readdirSync(path.join(dir, 'wal')).length, 1, 'segments before the snapshot were deleted');
  // Changes after the snapshot live only in the WAL.
  await c.call('SET', 'k1', 'changed');
  await c.call('DEL', 'k2');
  await c.call('SELECT', '1');
  await c.call('INCR', 'counter');
  await c.call('SELECT', '0');
  t.equal(await c.call('BGSAVE'), '+Background saving started\r\n');
  await c.call('SET', 'after-bgsave', '1');
  const before = await dump(c);
  c.close();
  await node.stop('SIGKILL');

  node = await startCinnabar(t, { dir, args });
  c = await RawConnection.connect(node.port);
  t.same(await dump(c), before, 'same keyspace after kill -9');
  t.match(await c.call('INFO', 'persistence'), /rdb_last_bgsave_status:ok/);
  t.equal(await c.call('BGREWRITEAOF'), '+Background append only file rewriting started\r\n');
  await c.call('SET', 'last', 'one');
  const again = await dump(c);
  c.close();
  await node.stop('SIGTERM');
  node = await startCinnabar(t, { dir, args });
  c = await RawConnection.connect(node.port);
  t.same(await dump(c), again, 'same keyspace after a graceful restart');
  c.close();
});

t.test('SAVE with the WAL off is loaded at the next start', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-snap-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  let node = await startCinnabar(t, { dir, args: ['--appendonly', 'no'] });
  let c = await RawConnection.connect(node.port);
  await c.call('SET', 'a', '1');
  t.equal(await c.call('SAVE'), '+OK\r\n');
  await c.call('SET', 'b', 'not saved');
  c.close();
  await node.stop('SIGKILL');
  node = await startCinnabar(t, { dir, args: ['--appendonly', 'no'] });
  c = await RawConnection.connect(node.port);
  t.equal(await c.call('GET', 'a'), '$1\r\n1\r\n');
  t.equal(await c.call('GET', 'b'), '$-1\r\n', 'writes after SAVE are gone without a WAL, as with RDB');
  t.equal(await c.call('BGSAVE', 'x'), '-ERR syntax error\r\n');
  c.close();
});

t.test('kill -9 in the middle of a snapshot loses nothing', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-snap-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const args = ['--appendfsync', 'always'];
  for (let round = 0; round < 3; round++) {
    const node = await startCinnabar(t, { dir, args });
    const c = await RawConnection.connect(node.port);
    for (let i = 0; i < 20000; i++) c.send('SET', `r${round}:${i}`, 'x'.repeat(50));
    for (let i = 0; i < 20000; i++) await c.reply();
    await c.call('INCR', 'rounds');
    t.equal(await c.call('BGSAVE'), '+Background saving started\r\n');
    // Killed while the checkpoint is being serialized or committed.
    await new Promise((r) => setTimeout(r, 5 + round * 20));
    c.close();
    await node.stop('SIGKILL');
  }
  const node = await startCinnabar(t, { dir, args });
  const c = await RawConnection.connect(node.port);
  t.equal(await c.call('DBSIZE'), ':60001\r\n', 'every acknowledged key is back');
  t.equal(await c.call('GET', 'rounds'), '$1\r\n3\r\n');
  t.equal(await c.call('GET', 'r2:19999'), '$50\r\n' + 'x'.repeat(50) + '\r\n');
  c.close();
});
