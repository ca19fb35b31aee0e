// DUMP payload pieces: Redis's CRC-64 check value, LZF round trips, listpack/ziplist decoding,
// payloads of older RDB versions (ziplist quicklists) and the two RESTORE payload errors.

import t from 'tap';
import { crc64 } from '../../src/keyspace/rdb/crc64';
import { lzfCompress, lzfDecompress } from '../../src/keyspace/rdb/lzf';
import { decodeListpack, encodeListpack } from '../../src/keyspace/rdb/listpack';
import { BadDataFormat, PayloadVersionOrChecksumWrong, dumpPayload, parsePayload } from '../../src/keyspace/dump-payload';
import { ListValue } from '../../src/types/list';
import { HashValue } from '../../src/types/hash';

/** A payload around `body` (type byte and value) with RDB version `version` and a valid CRC. */
function payload(body: Buffer, version = 9): Buffer {
  const v = Buffer.alloc(2);
  v.writeUInt16LE(version, 0);
  const head = Buffer.concat([body, v]);
  return Buffer.concat([head, crc64(head)]);
}

t.test('crc64 is Redis crc64 (Jones): check value of "123456789"', async (t) => {
  t.equal(crc64(Buffer.from('123456789')).readBigUInt64LE(0).toString(16), 'e9c6d914c4b8d9ca');
  t.equal(crc64(Buffer.alloc(0)).toString('hex'), '0000000000000000');
});

t.test('LZF: compress then decompress gives the input back', async (t) => {
  let seed = 7;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < 300; i++) {
    const n = 1 + Math.floor(next() * 5000);
    const alphabet = 1 + Math.floor(next() * 255);
    const input = Buffer.from(Array.from({ length: n }, () => Math.floor(next() * alphabet)));
    const room = n + Math.ceil(n / 16) + 16; // literal runs add one byte per 32
    const packed = lzfCompress(input, room);
    if (packed === null) {
      t.fail(`could not compress ${n} bytes into ${room}`);
      continue;
    }
    const back = lzfDecompress(packed, n);
    if (back === null || !back.equals(input)) t.fail(`round trip of ${n} bytes over ${alphabet} symbols`);
  }
  t.equal(lzfCompress(Buffer.from('abcdefghijklmnopqrstuvwxyz'), 22), null, 'incompressible: null');
  t.equal(lzfDecompress(Buffer.from([0x05, 0x61]), 6), null, 'truncated literal run: null');
});

t.test('listpack: every integer width and string length round-trips', async (t) => {
  const elements = ['0', '127', '128', '-1', '-4096', '4095', '4096', '-32768', '32768', '-8388608', '8388608', '2147483647', '2147483648',
    '-9223372036854775808', '9223372036854775807', '', 'a', '-0', '01', 'x'.repeat(63), 'x'.repeat(64), 'y'.repeat(4095), 'y'.repeat(4096), 'z'.repeat(20000)];
  t.same(decodeListpack(encodeListpack(elements)), elements);
  const broken = encodeListpack(['a', 'b']);
  broken[broken.length - 1] = 0;
  t.equal(decodeListpack(broken), null, 'no terminator: null');
});

t.test('payloads of Redis 6.2 (RDB 9): quicklist of ziplists and ziplist hashes', async (t) => {
  // A ziplist of "a", 12 (immediate) and 300 (int16): zlbytes, zltail, zllen, entries, end.
  const entries = Buffer.from([0x00, 0x01, 0x61, 0x03, 0xfd, 0x02, 0xc0, 0x2c, 0x01]);
  const zl = Buffer.alloc(10 + entries.length + 1);
  zl.writeUInt32LE(zl.length, 0);
  zl.writeUInt32LE(10 + 5, 4);
  zl.writeUInt16LE(3, 8);
  entries.copy(zl, 10);
  zl[zl.length - 1] = 0xff;
  const list = parsePayload(payload(Buffer.concat([Buffer.from([14, 1, zl.length]), zl])));
  t.ok(list instanceof ListValue);
  t.same((list as ListValue).range(0, 2), ['a', '12', '300']);
  const odd = parsePayload(payload(Buffer.concat([Buffer.from([10, zl.length]), zl])));
  t.same((odd as ListValue).range(0, 2), ['a', '12', '300'], 'RDB_TYPE_LIST_ZIPLIST');
  t.throws(() => parsePayload(payload(Buffer.concat([Buffer.from([13, zl.length]), zl]))), BadDataFormat, 'odd hash ziplist: bad data');
});

t.test('payload errors', async (t) => {
  const good = dumpPayload('hello');
  t.equal(parsePayload(good), 'hello');
  t.throws(() => parsePayload(Buffer.from('short')), PayloadVersionOrChecksumWrong);
  const badCrc = Buffer.from(good);
  badCrc[1] ^= 1;
  t.throws(() => parsePayload(badCrc), PayloadVersionOrChecksumWrong);
  t.throws(() => parsePayload(payload(Buffer.from([0, 5, 0x68]), 11)), PayloadVersionOrChecksumWrong, 'RDB version 11');
  t.equal(parsePayload(payload(Buffer.from([0, 1, 0x68]), 1)), 'h', 'old versions accepted');
  t.throws(() => parsePayload(payload(Buffer.from([0, 5, 0x68]))), BadDataFormat, 'truncated string');
  t.throws(() => parsePayload(payload(Buffer.from([15, 0]))), BadDataFormat, 'streams: unsupported type');
  t.throws(() => parsePayload(payload(Buffer.from([2, 0]))), BadDataFormat, 'empty set');
  t.throws(() => parsePayload(payload(Buffer.from([4, 2, 1, 0x61, 1, 0x62, 1, 0x61, 1, 0x63]))), BadDataFormat, 'duplicate hash field');
  const h = parsePayload(payload(Buffer.from([4, 1, 1, 0x61, 1, 0x62])));
  t.ok(h instanceof HashValue && h.encoding() === 'listpack', 'a small RDB_TYPE_HASH becomes a listpack, as rdbLoadObject does');
});
