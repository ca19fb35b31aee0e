// DUMP, RESTORE and RESTORE-ASKING: payload bytes of every type whose RDB encoding is
// deterministic, payloads taken from redis-server 7.0 restored on both, every error reply,
// TTL/ABSTTL/REPLACE/BUSYKEY, IDLETIME/FREQ validation and the keyspace events.

import { integerWithin, notificationScenario, readPushed, scenario, type Scenario } from '../lib/scenario';

/** Payloads redis-server 7.0 DUMPed (hex), restored on both servers. */
const FROM_REDIS = {
  string: hex('000568656c6c6f0a006372df766534200a'), // "hello"
  int: hex('00c139300a009d94ea2793fc08b9'), // 12345
  list: hex('1201021111000000040081610281620201010201ff0a006d72713e9b43482b'), // a b 1 2
  intset: hex('0b0e02000000030000000100020003000a00a5025ce26d6e4d1b'), // 1 2 3
  zset: hex('111111000000040081610201018162020201ff0a00ba07f224a9d28f55'), // a:1 b:2
  hash: hex('10121200000004008166028176028167020c01ff0a00de133993f783817e'), // f=v g=12
};

function hex(s: string): Buffer {
  return Buffer.from(s, 'hex');
}

/** A payload with one byte changed: a bad checksum. */
function corrupted(p: Buffer, at: number): Buffer {
  const b = Buffer.from(p);
  b[at] ^= 0xff;
  return b;
}

/** `p` with its RDB version set to `v` (the CRC no longer matches, as Redis checks the version first). */
function withVersion(p: Buffer, v: number): Buffer {
  const b = Buffer.from(p);
  b.writeUInt16LE(v, b.length - 10);
  return b;
}

const LONG = 'The quick brown fox jumps over the lazy dog. '.repeat(20);
const BINARY = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');

export const dumpScenarios: Scenario[] = [
  scenario('dump/strings', [
    ['SET', 'short', 'hello'],
    ['SET', 'empty', ''],
    ['MSET', 'i8', '-100', 'i16', '30000', 'i32', '-2000000000', 'i64', '9223372036854775807', 'lead0', '007', 'neg', '-1'],
    ['SET', 'long', LONG],
    ['SET', 'incompressible', BINARY],
    ['SET', 'just21', 'aaaaaaaaaaaaaaaaaaaaa'],
    ['SET', 'bin', 'a\x00b\r\n\xff'],
    ...['short', 'empty', 'i8', 'i16', 'i32', 'i64', 'lead0', 'neg', 'long', 'incompressible', 'just21', 'bin', 'missing'].map((k) => ['DUMP', k]),
    ['APPEND', 'i16', '1'],
    ['DUMP', 'i16'],
  ]),
  scenario('dump/collections', [
    ['RPUSH', 'list', 'a', 'b', '1', '-7', '5000', '100000', 'x'.repeat(100)],
    ['RPUSH', 'biglist', ...Array.from({ length: 3000 }, (_, i) => `item:${i}`)],
    ['SADD', 'intset', '5', '-3', '100', '70000', '1'],
    ['SADD', 'intset64', '5', '7000000000'],
    ['ZADD', 'zlp', '1', 'a', '2.5', 'b', '-0.1', 'c', '1e20', 'd', 'inf', 'e'],
    ['ZADD', 'zsl', ...Array.from({ length: 200 }, (_, i) => [String(i / 7), `m${i}`]).flat()],
    ['HSET', 'hlp', 'f1', 'v1', 'n', '12', 'big', '-70000', 'long', 'z'.repeat(40)],
    ...['list', 'biglist', 'intset', 'intset64', 'zlp', 'zsl', 'hlp'].map((k) => ['DUMP', k]),
    ['DUMP', 'biglist'],
  ]),
  scenario('dump/restore-from-redis', [
    ['RESTORE', 's', '0', FROM_REDIS.string],
    ['RESTORE', 'i', '0', FROM_REDIS.int],
    ['RESTORE', 'l', '0', FROM_REDIS.list],
    ['RESTORE', 'si', '0', FROM_REDIS.intset],
    ['RESTORE', 'z', '0', FROM_REDIS.zset],
    ['RESTORE', 'h', '0', FROM_REDIS.hash],
    ['GET', 's'],
    ['GET', 'i'],
    ['OBJECT', 'ENCODING', 'i'],
    ['LRANGE', 'l', '0', '-1'],
    ['SMEMBERS', 'si'],
    ['OBJECT', 'ENCODING', 'si'],
    ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'],
    ['HGETALL', 'h'],
    ['OBJECT', 'ENCODING', 'h'],
    ['TYPE', 'l'],
    ['TTL', 's'],
    ...['s', 'i', 'l', 'si', 'z', 'h'].map((k) => ['DUMP', k]),
  ]),
  scenario('dump/restore-errors', [
    ['SET', 'k', 'v'],
    ['RESTORE', 'k', '0', FROM_REDIS.string],
    ['RESTORE', 'k', '-1', FROM_REDIS.string],
    ['RESTORE', 'new', '-1', FROM_REDIS.string],
    ['RESTORE', 'new', 'abc', FROM_REDIS.string],
    ['RESTORE', 'new', '0', 'not a payload'],
    ['RESTORE', 'new', '0', ''],
    ['RESTORE', 'new', '0', corrupted(FROM_REDIS.string, 3)],
    ['RESTORE', 'new', '0', corrupted(FROM_REDIS.string, FROM_REDIS.string.length - 1)],
    ['RESTORE', 'new', '0', withVersion(FROM_REDIS.string, 11)],
    ['RESTORE', 'new', '0', FROM_REDIS.string, 'BOGUS'],
    ['RESTORE', 'new', '0', FROM_REDIS.string, 'IDLETIME'],
    ['RESTORE', 'new', '0', FROM_REDIS.string, 'IDLETIME', '-1'],
    ['RESTORE', 'new', '0', FROM_REDIS.string, 'IDLETIME', 'x'],
    ['RESTORE', 'new', '0', FROM_REDIS.string, 'FREQ', '256'],
    ['RESTORE', 'new', '0', FROM_REDIS.string, 'FREQ', '-1'],
    ['RESTORE', 'new', '0', FROM_REDIS.string, 'FREQ', '1', 'IDLETIME', '1'],
    ['RESTORE', 'new', '0', FROM_REDIS.string, 'IDLETIME', '1', 'FREQ', '1'],
    ['RESTORE', 'k', '-1', FROM_REDIS.string, 'REPLACE', 'FREQ', '300'],
    ['RESTORE', 'new', '0', FROM_REDIS.string, 'IDLETIME', '100'],
    ['RESTORE', 'new2', '0', FROM_REDIS.string, 'FREQ', '5', 'ABSTTL'],
    ['RESTORE'],
    ['RESTORE', 'a', '0'],
    ['DUMP'],
    ['DUMP', 'a', 'b'],
    ['RESTORE-ASKING', 'k', '0', FROM_REDIS.string],
    ['RESTORE-ASKING', 'k2', '0', FROM_REDIS.hash],
    ['HGETALL', 'k2'],
    ['MGET', 'k', 'new', 'new2'],
  ]),
  scenario('dump/restore-ttl-replace', [
    ['RESTORE', 'a', '100000', FROM_REDIS.string],
    { cmd: ['PTTL', 'a'], ignore: [integerWithin(99000, 100000)] },
    ['RESTORE', 'a', '0', FROM_REDIS.int],
    ['RESTORE', 'a', '0', FROM_REDIS.int, 'REPLACE'],
    ['GET', 'a'],
    ['TTL', 'a'],
    ['RESTORE', 'b', '4102444800000', FROM_REDIS.list, 'ABSTTL'],
    ['PEXPIRETIME', 'b'],
    ['RESTORE', 'c', '1000', FROM_REDIS.list, 'ABSTTL'],
    ['EXISTS', 'c'],
    ['SET', 'd', 'old'],
    ['RESTORE', 'd', '1000', FROM_REDIS.list, 'ABSTTL', 'REPLACE'],
    ['EXISTS', 'd'],
    ['RESTORE', 'e', '1', FROM_REDIS.string],
    { sleepMs: 20 },
    ['EXISTS', 'e'],
    ['SET', 'f', 'x', 'EX', '100'],
    ['RESTORE', 'f', '0', FROM_REDIS.zset, 'REPLACE'],
    ['TTL', 'f'],
    ['TYPE', 'f'],
    ['DBSIZE'],
  ]),
  notificationScenario('dump/restore-events', { flags: 'KEA', pattern: '__key*__:*', subscriber: 1 }, [
    ['RESTORE', 'a', '0', FROM_REDIS.string],
    ['RESTORE', 'a', '0', FROM_REDIS.hash, 'REPLACE'],
    ['RESTORE', 'a', '1000', FROM_REDIS.hash, 'REPLACE', 'ABSTTL'],
    ['RESTORE', 'b', '100000', FROM_REDIS.list],
    ['DUMP', 'b'],
    ['DUMP', 'nokey'],
    readPushed(1, 10),
  ]),
];
