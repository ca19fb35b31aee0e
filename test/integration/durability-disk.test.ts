// WAL write errors with a real full disk: the data directory is a small tmpfs (needs root to
// mount; skipped otherwise), filled up by a filler file. Writes are then refused with Redis's
// MISCONF error (compared byte for byte with redis-server on the same kind of disk), reads
// still work, the write that failed is answered only once it is on disk, and after space is
// freed writes go through again and nothing acknowledged is lost across a restart.

import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCinnabar, type Running } from '../helpers/server';
import { RawConnection } from '../helpers/resp';
import { call, infoField } from '../helpers/durability';
import { startRedis as startRedisProcess } from '../../redis-compat/lib/servers';

const MISCONF = '-MISCONF Errors writing to the AOF file: No space left on device\r\n';

/** Mounts a tmpfs of `size` on a fresh directory; null when this process cannot mount. */
function mountTmpfs(t: Test, size: string): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cinnabar-full-disk-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    fs.rmdirSync(dir);
    return null;
  }
  t.teardown(() => {
    // Lazy: a server still holding a file open must not keep the mount alive.
    spawnSync('umount', ['-l', dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Fills the file system of `dir` until `leave` bytes are free; returns the filler's path. */
function fillDisk(dir: string, leave: number): string {
  const filler = path.join(dir, 'filler');
  const st = fs.statfsSync(dir);
  const free = st.bavail * st.bsize;
  fs.writeFileSync(filler, Buffer.alloc(Math.max(0, free - leave)));
  return filler;
}

/** Waits up to `ms` for a reply; null when none came (the reply is being held). */
async function replyWithin(c: RawConnection, ms: number): Promise<string | null> {
  try {
    return await c.reply(ms);
  } catch (err) {
    if (/timeout/.test((err as Error).message)) return null;
    throw err;
  }
}

// Larger than the zeros the WAL writes ahead of its records (1 MB), which a full disk leaves usable.
const BIG = 'x'.repeat(1536 * 1024);

const skip = ((): string | false => {
  if (process.platform !== 'linux') return 'needs Linux tmpfs';
  if (process.getuid?.() !== 0) return 'needs root to mount a small tmpfs';
  return false;
})();

t.test('redis-server on a full disk: the replies to compare with', { skip }, async (t) => {
  const dir = mountTmpfs(t, '2m');
  if (dir === null) return t.plan(0, 'mount -t tmpfs failed');
  const redis = await startRedisProcess({ dir, args: ['--appendonly', 'yes', '--auto-aof-rewrite-percentage', '0'] });
  t.teardown(() => redis.stop());
  const c = await RawConnection.connect(redis.port);
  t.teardown(() => c.close());
  t.equal(await c.call('SET', 'before', 'v'), '+OK\r\n');
  fillDisk(dir, 64 * 1024);
  t.equal(await c.call('SET', 'big', BIG), '+OK\r\n', 'redis answers the write whose AOF write fails');
  t.equal(await c.call('SET', 'x', '1'), MISCONF);
  t.equal(await c.call('PING'), MISCONF);
  t.equal(await c.call('GET', 'before'), '$1\r\nv\r\n');
});

t.test('a full disk refuses writes with MISCONF until space is freed; nothing acknowledged is lost', { skip }, async (t) => {
  const dir = mountTmpfs(t, '8m');
  if (dir === null) return t.plan(0, 'mount -t tmpfs failed');
  let node: Running = await startCinnabar(t, { dir, args: ['--appendfsync', 'everysec'] });
  const writer = await RawConnection.connect(node.port);
  const other = await RawConnection.connect(node.port);
  t.teardown(() => {
    writer.close();
    other.close();
  });
  t.equal(await writer.call('SET', 'before', 'v'), '+OK\r\n');

  for (const policy of ['everysec', 'always']) {
    t.equal(await other.call('CONFIG', 'SET', 'appendfsync', policy), '+OK\r\n');
    const filler = fillDisk(dir, 64 * 1024);
    writer.send('SET', `big:${policy}`, BIG);
    t.equal(await replyWithin(writer, 400), null, `${policy}: the write that could not be logged is not acknowledged`);
    t.equal(await other.call('SET', 'x', policy), MISCONF, `${policy}: writes are refused`);
    t.equal(await other.call('INCR', 'n'), MISCONF);
    t.equal(await other.call('PING'), MISCONF, `${policy}: PING too, as in Redis`);
    other.send('GET', 'before');
    t.equal(await replyWithin(other, 1000), '$1\r\nv\r\n', `${policy}: reads still work`);
    t.equal(await infoField(other, 'aof_last_write_status'), 'err');
    t.equal(await infoField(other, 'wal_last_write_error'), 'No space left on device');

    fs.rmSync(filler);
    t.equal(await replyWithin(writer, 3000), '+OK\r\n', `${policy}: acknowledged once the retry reached the disk`);
    t.equal(await infoField(other, 'aof_last_write_status'), 'ok');
    t.equal(await other.call('SET', 'x', policy), '+OK\r\n', `${policy}: writes are accepted again`);
    t.equal(await other.call('INCR', 'n'), policy === 'everysec' ? ':1\r\n' : ':2\r\n');
    t.equal(await other.call('PING'), '+PONG\r\n');
  }
  t.match(node.output(), /WAL write failed: refusing writes/);
  t.match(node.output(), /WAL writes are going through again/);

  await node.stop('SIGKILL');
  node = await startCinnabar(t, { dir });
  const c = await RawConnection.connect(node.port);
  t.teardown(() => c.close());
  t.equal(await call(c, 'GET', 'before'), 'v');
  t.equal(await call(c, 'GET', 'big:everysec'), BIG);
  t.equal(await call(c, 'GET', 'big:always'), BIG);
  t.equal(await call(c, 'GET', 'x'), 'always');
  t.equal(await call(c, 'GET', 'n'), '2');
  t.equal(await call(c, 'DBSIZE'), 5);
  await node.stop('SIGKILL');
});
