// Snapshot entry format: the numbers and byte layouts written to disk are pinned, and every
// key and value (binary, empty, long, with and without TTL, typed via a codec) round-trips.

import t from 'tap';
import { createHash } from 'node:crypto';
import type { TypedValue } from '../../src/keyspace/value';
import {
  DIRECT_KEY_MAX,
  EntryReader,
  KeyKind,
  META_BYTES,
  META_FORMAT_VERSION,
  SNAPSHOT_FORMAT_VERSION,
  ValueFlag,
  ValueTag,
  decodeMeta,
  encodeLmdbKey,
  encodeLmdbValue,
  encodeMeta,
  lmdbKeySize,
  lmdbValueSize,
  registerTypedValueCodec,
} from '../../src/persistence/value-codec';

function decode(lmdbKey: Buffer, lmdbValue: Buffer): EntryReader {
  const buf = Buffer.concat([lmdbKey, lmdbValue]);
  const r = new EntryReader();
  r.read(buf, 0, lmdbKey.length, lmdbKey.length, buf.length);
  return r;
}

t.test('format numbers never change', async (t) => {
  t.equal(SNAPSHOT_FORMAT_VERSION, 1);
  t.equal(META_FORMAT_VERSION, 1);
  t.same(ValueTag, { String: 1, List: 2, Set: 3, ZSet: 4, Hash: 5, Stream: 6 });
  t.same(ValueFlag, { HasExpiry: 1, LongKey: 2 });
  t.same(KeyKind, { Direct: 0, Hashed: 1 });
  t.equal(DIRECT_KEY_MAX, 400);
  t.equal(META_BYTES, 25);
});

t.test('pinned bytes: keys', async (t) => {
  t.equal(encodeLmdbKey('foo').toString('hex'), '00666f6f');
  t.equal(encodeLmdbKey('').toString('hex'), '00', 'the empty key still has a non-empty LMDB key');
  t.equal(encodeLmdbKey('\x00\xff').toString('hex'), '0000ff');
  const long = 'a'.repeat(400) + 'bc';
  const k = encodeLmdbKey(long);
  t.equal(k.length, 433);
  t.equal(k[0], 1);
  t.equal(k.subarray(1, 401).toString('latin1'), 'a'.repeat(400));
  t.same(k.subarray(401), createHash('sha256').update(long, 'latin1').digest());
  t.equal(encodeLmdbKey('a'.repeat(400)).length, 401, '400 bytes is still direct');
});

t.test('pinned bytes: values', async (t) => {
  t.equal(encodeLmdbValue('k', 'bar', undefined).toString('hex'), '010100626172');
  t.equal(encodeLmdbValue('k', 'bar', 1700000000000).toString('hex'), '010101' + '00008056febc7842' + '626172');
  t.equal(encodeLmdbValue('k', '', undefined).toString('hex'), '010100');
  const long = 'x'.repeat(401);
  t.equal(
    encodeLmdbValue(long, 'v', 1700000000000).toString('hex'),
    '010103' + '00008056febc7842' + '91010000' + Buffer.from(long).toString('hex') + '76',
  );
});

t.test('pinned bytes: meta', async (t) => {
  const meta = { offset: 79619149295, createdAt: 1700000000000, keyCount: 3 };
  const b = encodeMeta(meta);
  t.equal(b.toString('hex'), '01' + 'efcdab8912000000' + '00008056febc7842' + '0300000000000000');
  t.same(decodeMeta(b), meta);
  t.throws(() => decodeMeta(Buffer.from('02' + b.toString('hex').slice(2), 'hex')), /unknown format version 2/);
  t.throws(() => decodeMeta(b.subarray(0, 20)), /bad length/);
});

t.test('strings round-trip: binary, empty, long keys, TTLs', async (t) => {
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed % n;
  };
  const bytes = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(rand(256));
    return s;
  };
  const cases: Array<[string, string, number | undefined]> = [
    ['', '', undefined],
    ['', 'v', 1],
    ['k', '', 2 ** 53 - 1],
    ['a'.repeat(400), 'x', undefined],
    ['a'.repeat(401), 'y', 12345],
    [bytes(5000), bytes(70000), 99],
  ];
  for (let i = 0; i < 300; i++) cases.push([bytes(rand(600)), bytes(rand(200)), rand(2) === 0 ? undefined : rand(2 ** 31) * 1000]);
  const wrong: string[] = [];
  for (const [key, value, at] of cases) {
    const k = encodeLmdbKey(key);
    const v = encodeLmdbValue(key, value, at);
    const r = decode(k, v);
    const sizesRight = k.length === lmdbKeySize(key) && v.length === lmdbValueSize(key, value, at);
    if (!sizesRight || r.key !== key || r.value !== value || r.expireAt !== at) {
      wrong.push(`key of ${key.length} bytes, value of ${value.length}, expiry ${at}`);
    }
  }
  t.same(wrong, [], `${cases.length} entries round-trip with their exact sizes`);
});

t.test('a reader rejects what it cannot read', async (t) => {
  const k = encodeLmdbKey('k');
  const v = encodeLmdbValue('k', 'v', undefined);
  t.throws(() => decode(k, Buffer.from([2, 1, 0])), /unknown format version 2/);
  t.throws(() => decode(k, Buffer.from([1, 99, 0])), /unknown type tag 99/);
  t.throws(() => decode(k, v.subarray(0, 2)), /too short/);
  // Followed by more bytes, as in a load batch: the bound is the entry's end, not the buffer's.
  const framed = (v: number[]): Buffer => Buffer.concat([k, Buffer.from(v), Buffer.alloc(16)]);
  const r = new EntryReader();
  t.throws(() => r.read(framed([1, 1, 1, 0, 0]), 0, k.length, k.length, k.length + 5), /header past its end/);
  t.throws(() => r.read(framed([1, 1, 2, 9, 0, 0, 0, 0]), 0, k.length, k.length, k.length + 8), /header past its end/);
  t.throws(() => decode(Buffer.from([2]), v), /bad key/);
});

t.test('typed values go through their registered codec', async (t) => {
  class FakeStream implements TypedValue {
    readonly kind = 'stream' as const;
    constructor(readonly items: string[]) {}
    encoding(): string {
      return 'stream';
    }
    copy(): TypedValue {
      return new FakeStream([...this.items]);
    }
  }
  const v = new FakeStream(['a', 'bc']);
  t.throws(() => encodeLmdbValue('k', v, undefined), /no snapshot codec for stream/);
  registerTypedValueCodec({
    kind: 'stream',
    encodedSize: (x) => (x as FakeStream).items.reduce((n, s) => n + 1 + s.length, 0),
    encode: (x, buf, pos) => {
      for (const s of (x as FakeStream).items) {
        buf[pos++] = s.length;
        pos += buf.write(s, pos, 'latin1');
      }
      return pos;
    },
    decode: (buf, start, end) => {
      const items: string[] = [];
      for (let p = start; p < end; ) {
        const n = buf[p++];
        items.push(buf.toString('latin1', p, p + n));
        p += n;
      }
      return new FakeStream(items);
    },
  });
  const enc = encodeLmdbValue('k', v, 5);
  t.equal(enc.toString('hex'), '010601' + '0000000000001440' + '0161' + '026263', 'tag 6, payload from the codec');
  const r = decode(encodeLmdbKey('k'), enc);
  t.ok(r.value instanceof FakeStream);
  t.same((r.value as FakeStream).items, ['a', 'bc']);
  t.equal(r.expireAt, 5);
  t.throws(() => registerTypedValueCodec({ kind: 'stream', encodedSize: () => 0, encode: (_v, _b, p) => p, decode: () => v }), /twice/);
});
