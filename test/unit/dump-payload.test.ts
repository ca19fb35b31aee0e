// DUMP payload pieces: Redis's CRC-64 check value, LZF round trips, listpack/ziplist decoding,
// payloads of older RDB versions (ziplist quicklists) and the two RESTORE payload errors.

import t from 'tap';
import { crc64 } from '../../src/keyspace/rdb/crc64';
import { lzfCompress, lzfDecompress } from '../../src/keyspace/rdb/lzf';
import { decodeListpack, encodeListpack } from '../../src/keyspace/rdb/listpack';
import { BadDataFormat, PayloadVersionOrChecksumWrong, dumpPayload, parsePayload } from '../../src/keyspace/dump-payload';
import { RdbWriter } from '../../src/keyspace/rdb/rdb-io';
import { ListValue } from '../../src/types/list';
import { HashValue } from '../../src/types/hash';
import { SetValue } from '../../src/types/set';
import { ZSetValue } from '../../src/types/zset';

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

/** The value part of a payload (type byte and value, without version and CRC). */
function bodyOf(p: Buffer): Buffer {
  return p.subarray(0, p.length - 10);
}

/** One value of every type and RDB encoding DUMP writes, compressed and not. */
function samplePayloads(): Buffer[] {
  const limits = { maxListpackEntries: 128, maxListpackValue: 64 };
  const small = new HashValue();
  small.set('f', 'v', limits);
  small.set('n', '12345', limits);
  const big = new HashValue();
  big.set('long', 'x'.repeat(100), limits);
  const intset = SetValue.forFirstMember('1');
  for (const m of ['1', '2', '70000']) intset.add(m, 512);
  const table = SetValue.forFirstMember('a');
  for (let i = 0; i < 600; i++) table.add(`m${i}`, 512);
  const values = [
    'hello', '12', 'y'.repeat(200), ListValue.of(['a', '1', 'b'.repeat(40), '-70000']), small, big, intset, table,
    ZSetValue.fromEntries([['a', 1], ['b', 2.5]], limits),
    ZSetValue.fromEntries(Array.from({ length: 200 }, (_, i): [string, number] => [`m${i}`, i / 3]), limits),
  ];
  const out: Buffer[] = [];
  for (const v of values) for (const compress of [true, false]) out.push(dumpPayload(v, { compress, listFill: -2 }));
  return out;
}

t.test('crafted payloads with a valid CRC are Bad data format, never another exception', async (t) => {
  const lzfString = (lenBytes: number[]): Buffer => payload(Buffer.from([0, 0xc3, 2, ...lenBytes, 0x00, 0x61]), 10);
  // Decompressed lengths above buffer.constants.MAX_LENGTH, above the longest JS string,
  // and more than LZF can expand 2 bytes to.
  t.throws(() => parsePayload(lzfString([0x81, 0, 0, 0x02, 0, 0, 0, 0, 0])), BadDataFormat, 'LZF length 2^41');
  t.throws(() => parsePayload(lzfString([0x81, 0, 0, 0, 0x01, 0, 0, 0, 0])), BadDataFormat, 'LZF length 2^32');
  t.throws(() => parsePayload(lzfString([0x80, 0x20, 0, 0, 0x01])), BadDataFormat, 'LZF length 2^29 + 1 (over the longest string)');
  t.throws(() => parsePayload(lzfString([0x40 | 1, 0])), BadDataFormat, 'LZF length 256 from 2 bytes');
  t.throws(() => parsePayload(payload(Buffer.from([0, 0x80, 0xff, 0xff, 0xff, 0xff]), 10)), BadDataFormat, 'string length 2^32 - 1');
  t.throws(() => parsePayload(payload(Buffer.from([0, 0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 10)), BadDataFormat, 'string length 2^64 - 1');
  for (const type of [1, 2, 3, 4, 5, 14, 18]) {
    t.throws(() => parsePayload(payload(Buffer.from([type, 0x81, 0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 10)), BadDataFormat, `type ${type}: 2^53 - 1 elements`);
    t.throws(() => parsePayload(payload(Buffer.from([type, 0x80, 0xff, 0xff, 0xff, 0xff, 1, 0x61]), 10)), BadDataFormat, `type ${type}: 2^32 - 1 elements`);
  }
  let checked = 0;
  for (const p of samplePayloads()) {
    const body = bodyOf(p);
    t.doesNotThrow(() => parsePayload(p), 'the whole payload parses');
    for (let cut = 0; cut < body.length; cut++) {
      try {
        parsePayload(payload(body.subarray(0, cut), 10));
        t.fail(`payload of type ${body[0]} cut at ${cut} of ${body.length} parsed`);
      } catch (e) {
        if (!(e instanceof BadDataFormat)) t.fail(`payload of type ${body[0]} cut at ${cut}: ${String(e)}`);
      }
      checked++;
    }
  }
  t.ok(checked > 1000, `${checked} truncations refused`);
});

t.test('LZF amplification: a small payload cannot grow past the decode budget', async (t) => {
  // Ten quicklist nodes, each one LZF-compressed listpack of a million "0" entries: 10M
  // elements from about 250 KB, beyond 8M plus the payload's length.
  const node = encodeListpack(Array.from({ length: 1_000_000 }, () => '0'));
  const w = new RdbWriter(true);
  w.byte(18);
  w.len(10);
  for (let i = 0; i < 10; i++) {
    w.len(2);
    w.blob(node);
  }
  const manyElements = payload(w.bytes(), 10);
  t.ok(manyElements.length < 400_000, `${manyElements.length} bytes`);
  t.throws(() => parsePayload(manyElements), BadDataFormat, '10M listpack entries');
  // 65 PLAIN nodes, each 8 MiB of zeros LZF-compressed: 520 MiB from about 6 MB.
  const chunk = 8 * 1024 * 1024;
  const packed = lzfCompress(Buffer.alloc(chunk), chunk - 4)!;
  const p = new RdbWriter(false);
  p.byte(18);
  p.len(65);
  for (let i = 0; i < 65; i++) {
    p.len(1);
    p.byte(0xc3);
    p.len(packed.length);
    p.len(chunk);
    p.raw(packed);
  }
  t.throws(() => parsePayload(payload(p.bytes(), 10)), BadDataFormat, '520 MiB of LZF strings');
  // Within the budget: a list of a million small entries in 4 nodes still restores.
  const w2 = new RdbWriter(true);
  w2.byte(18);
  w2.len(4);
  for (let i = 0; i < 4; i++) {
    w2.len(2);
    w2.blob(encodeListpack(Array.from({ length: 250_000 }, () => '7')));
  }
  t.equal((parsePayload(payload(w2.bytes(), 10)) as ListValue).length, 1_000_000);
});

t.test('LZF: output does not depend on earlier calls (the hash table is reused, never stale)', async (t) => {
  const target = Buffer.from('abcabcabc-xyzxyz-abcabcabc-' + 'q'.repeat(40) + '-abcabc');
  const first = lzfCompress(target, target.length - 4);
  t.ok(first !== null);
  // Earlier inputs that fill the table with positions where `target` has matching trigrams.
  for (const earlier of ['abcabcabc'.repeat(50), 'xyz'.repeat(300), 'q'.repeat(5000), target.toString() + 'abc'.repeat(100)]) {
    lzfCompress(Buffer.from(earlier), earlier.length);
    t.same(lzfCompress(target, target.length - 4), first, `same bytes after compressing ${earlier.slice(0, 12)}…`);
  }
});

t.test('a quicklist node of zero bytes, PLAIN or PACKED, is Bad data format (rdbLoadObject)', async (t) => {
  t.same((parsePayload(payload(Buffer.from([18, 1, 1, 1, 0x61]), 10)) as ListValue).range(0, 0), ['a'], 'a one-byte PLAIN node restores');
  t.throws(() => parsePayload(payload(Buffer.from([18, 1, 1, 0]), 10)), BadDataFormat, 'empty PLAIN node');
  t.throws(() => parsePayload(payload(Buffer.from([18, 2, 1, 1, 0x61, 1, 0]), 10)), BadDataFormat, 'empty PLAIN node after another');
  t.throws(() => parsePayload(payload(Buffer.from([18, 1, 2, 0]), 10)), BadDataFormat, 'empty PACKED node');
});
