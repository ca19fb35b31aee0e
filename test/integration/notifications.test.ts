// Keyspace notifications: for a script of string, key and expiry commands, the events a
// `PSUBSCRIBE __key*__:*` subscriber receives from Cinnabar equal those from redis-server,
// byte for byte, under several notify-keyspace-events settings (everything, and narrower ones
// that leave out whole classes, the keyspace or keyevent channel, or add "new" and keymiss).

import t from 'tap';
import { startCinnabar, startRedis } from '../helpers/server';
import { RawConnection } from '../helpers/resp';
import { sleep } from '../helpers/durability';

/** Commands in order; a number is a pause in ms (keys with short TTLs expire meanwhile). */
const SCRIPT: Array<string[] | number> = [
  ['SET', 'a', '1'],
  ['SET', 'a', '2'],
  ['SET', 'b', '1', 'EX', '100'],
  ['SET', 'c', '1', 'PX', '100000', 'GET'],
  ['SET', 'c', '2', 'KEEPTTL'],
  ['SET', 'd', '1', 'NX'],
  ['SET', 'd', '1', 'NX'],
  ['SET', 'd', '2', 'XX'],
  ['SET', 'e', '1', 'XX'],
  ['SET', 'e', '1', 'EXAT', '99999999999'],
  ['SETNX', 'f', '1'],
  ['SETNX', 'f', '1'],
  ['SETEX', 'g', '100', 'v'],
  ['PSETEX', 'h', '100000', 'v'],
  ['GETSET', 'a', '5'],
  ['GETSET', 'nn', '5'],
  ['GETDEL', 'nn'],
  ['GETDEL', 'nn'],
  ['GETEX', 'a', 'EX', '100'],
  ['GETEX', 'a', 'PERSIST'],
  ['GETEX', 'a', 'PERSIST'],
  ['GETEX', 'a'],
  ['GETEX', 'a', 'PXAT', '1'],
  ['MSET', 'm1', '1', 'm2', '2'],
  ['MSETNX', 'm3', '1', 'm4', '2'],
  ['MSETNX', 'm3', '1', 'm5', '2'],
  ['APPEND', 'ap', 'x'],
  ['APPEND', 'ap', 'y'],
  ['SETRANGE', 'sr', '3', 'abc'],
  ['SETRANGE', 'sr', '0', ''],
  ['SETRANGE', 'sr2', '0', ''],
  ['SETRANGE', 'sr', '1', 'Z'],
  ['INCR', 'i'],
  ['DECR', 'i'],
  ['INCRBY', 'i', '5'],
  ['DECRBY', 'i', '5'],
  ['INCR', 'ap'],
  ['INCRBYFLOAT', 'fl', '1.5'],
  ['INCRBYFLOAT', 'fl', '1e400'],
  ['DEL', 'm1', 'm2', 'nothere'],
  ['UNLINK', 'm3'],
  ['RENAME', 'm4', 'r1'],
  ['RENAME', 'r1', 'r1'],
  ['RENAMENX', 'r1', 'r9'],
  ['SET', 'x', '1'],
  ['RENAMENX', 'x', 'r9'],
  ['RENAME', 'x', 'r9'],
  ['COPY', 'r9', 'r2'],
  ['COPY', 'r9', 'r2'],
  ['COPY', 'r9', 'r2', 'REPLACE'],
  ['COPY', 'r9', 'r3', 'DB', '1'],
  ['MOVE', 'r3', '1'],
  ['MOVE', 'r2', '2'],
  ['EXPIRE', 'r9', '100'],
  ['PEXPIRE', 'r9', '200000', 'GT'],
  ['EXPIRE', 'r9', '10', 'GT'],
  ['EXPIREAT', 'r9', '99999999999'],
  ['PEXPIREAT', 'r9', '99999999999000', 'NX'],
  ['EXPIRE', 'r9', '-1'],
  ['EXPIRE', 'nothere', '10'],
  ['SET', 'p', '1', 'EX', '100'],
  ['PERSIST', 'p'],
  ['PERSIST', 'p'],
  // One key at a time: Redis's active cycle visits expired keys in hash-table order.
  ['SET', 'active', '1', 'PX', '20'],
  300,
  ['SET', 'lazy', '1', 'PX', '20'],
  50,
  ['GET', 'lazy'],
  ['GET', 'missing'],
  ['MGET', 'missing', 'p', 'alsomissing'],
  ['EXISTS', 'missing'],
  ['TYPE', 'missing'],
  ['TTL', 'missing'],
  ['STRLEN', 'missing'],
  ['GETRANGE', 'missing', '0', '1'],
  ['TOUCH', 'missing', 'p'],
  ['SELECT', '3'],
  ['SET', 'in3', 'v'],
  ['DEL', 'in3'],
  ['SELECT', '0'],
  ['SWAPDB', '0', '1'],
  ['SWAPDB', '0', '1'],
  ['FLUSHDB'],
  ['SET', 'z', '1'],
  ['FLUSHALL'],
  ['SET', 'last', '1'],
];

/** Runs the script on a fresh server with `flags`; returns everything the subscriber got and the replies. */
async function run(port: number, flags: string): Promise<{ events: string; replies: string }> {
  const admin = await RawConnection.connect(port);
  const sub = await RawConnection.connect(port);
  try {
    await admin.call('FLUSHALL');
    const set = await admin.call('CONFIG', 'SET', 'notify-keyspace-events', flags);
    if (set !== '+OK\r\n') throw new Error(`CONFIG SET ${flags}: ${set}`);
    await sub.call('PSUBSCRIBE', '__key*__:*');
    let replies = '';
    for (const step of SCRIPT) {
      if (typeof step === 'number') await sleep(step);
      else replies += await admin.call(...step);
    }
    await sleep(100);
    return { events: await sub.untilClosed(100), replies };
  } finally {
    admin.close();
    sub.close();
  }
}

/** The events as readable lines, for failure messages. */
function lines(raw: string): string {
  return raw.split('*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n').join('\n').replace(/\$\d+\r\n/g, '').replace(/\r\n/g, ' ');
}

t.test('keyspace notifications equal redis-server', async (t) => {
  const [redis, cinnabar] = await Promise.all([startRedis(t), startCinnabar(t)]);
  for (const flags of ['KEA', 'Kx', 'E$', 'Kn', 'KEnm', 'Eg', 'K$gx', 'KA', 'Ex', 'KElshzt', 'KEAnm']) {
    const [expected, actual] = [await run(redis.port, flags), await run(cinnabar.port, flags)];
    t.equal(actual.replies, expected.replies, `${flags}: replies`);
    t.equal(lines(actual.events), lines(expected.events), `${flags}: events`);
    t.equal(actual.events, expected.events, `${flags}: bytes`);
    if (flags === 'KEA') t.match(lines(expected.events), /rename_from[\s\S]*copy_to[\s\S]*move_to[\s\S]*expired/, 'the script covers them');
  }
});

t.test('CONFIG SET notify-keyspace-events applies at once, and RESP3 subscribers get pushes', async (t) => {
  const [redis, cinnabar] = await Promise.all([startRedis(t), startCinnabar(t)]);
  const got: string[] = [];
  for (const port of [redis.port, cinnabar.port]) {
    const admin = await RawConnection.connect(port);
    const sub = await RawConnection.connect(port);
    await sub.call('HELLO', '3');
    await sub.call('SUBSCRIBE', '__keyevent@0__:set');
    await admin.call('SET', 'before', '1');
    await admin.call('CONFIG', 'SET', 'notify-keyspace-events', 'E$');
    await admin.call('SET', 'during', '1');
    await admin.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    await admin.call('SET', 'after', '1');
    got.push(await sub.untilClosed(150));
    admin.close();
    sub.close();
  }
  t.equal(got[1], got[0]);
  t.equal(got[0], '>3\r\n$7\r\nmessage\r\n$18\r\n__keyevent@0__:set\r\n$6\r\nduring\r\n');
});
