// CONFIG SET appendonly yes on a node that ran without a WAL: the node keeps serving, and the
// new WAL starts with the whole keyspace, every type and TTL included, so a SIGKILL right
// after and a restart with appendonly yes reproduce it (plus the writes made since).

import t from 'tap';
import { startCinnabar } from '../helpers/server';
import { RawConnection } from '../helpers/resp';
import { call, dataDir, dumpKeyspace, pipeline, sortedEntries, ReplyError } from '../helpers/durability';

const FAR = Date.now() + 3_600_000;
const bytes = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));

t.test('CONFIG SET appendonly yes logs the keyspace of every type, and a restart reproduces it', async (t) => {
  const dir = dataDir(t);
  const node = await startCinnabar(t, { dir, args: ['--appendonly', 'no', '--databases', '4'] });
  const c = await RawConnection.connect(node.port);
  const big = Array.from({ length: 300 }, (_, i) => 'm' + i + bytes.slice(i % 200, (i % 200) + 20));
  const setup: string[][] = [
    ['SET', 'str', bytes],
    ['SET', 'ttl-str', 'x', 'PXAT', String(FAR)],
    ['RPUSH', 'list', 'a', bytes, '', '12'],
    ['RPUSH', 'big-list', ...big],
    ['SADD', 'intset', '1', '2', '-300000'],
    ['SADD', 'set', ...big],
    ['ZADD', 'zset', '1.5', 'a', '-inf', 'b', '0', bytes, '1e300', 'c'],
    ['ZADD', 'big-zset', ...big.flatMap((m, i) => [String(i / 7), m])],
    ['HSET', 'hash', 'f', 'v', bytes, bytes],
    ['HSET', 'big-hash', ...big.flatMap((m) => [m, m + m])],
    ['PEXPIREAT', 'hash', String(FAR + 1)],
    ['SELECT', '2'],
    ['RPUSH', 'list-in-2', 'x', 'y'],
    ['PEXPIREAT', 'list-in-2', String(FAR + 2)],
    ['SET', 'str-in-2', 'two'],
    ['SELECT', '0'],
  ];
  for (const r of await pipeline(c, setup)) t.notOk(r instanceof ReplyError, String(r));
  t.equal(await call(c, 'CONFIG', 'SET', 'appendonly', 'yes'), 'OK');
  t.equal(await call(c, 'PING'), 'PONG', 'the node is still up');
  t.equal(await call(c, 'CONFIG', 'SET', 'appendfsync', 'always'), 'OK');
  // Writes after the switch follow the logged keyspace.
  t.equal(await call(c, 'RPUSH', 'list', 'after'), 5);
  t.equal(await call(c, 'HDEL', 'big-hash', big[0]), 1);
  const before = await dumpKeyspace(node.port, 4);
  c.close();
  t.equal(before.size, 12);
  await node.stop('SIGKILL');

  const again = await startCinnabar(t, { dir, args: ['--appendonly', 'yes', '--databases', '4'] });
  const after = await dumpKeyspace(again.port, 4);
  t.same(sortedEntries(after), sortedEntries(before), 'every key, type, value and TTL is back');
  const c2 = await RawConnection.connect(again.port);
  t.equal(await call(c2, 'OBJECT', 'ENCODING', 'intset'), 'intset');
  t.equal(await call(c2, 'PEXPIRETIME', 'hash'), FAR + 1);
  c2.close();
});
