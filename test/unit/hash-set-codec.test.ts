// Snapshot codecs of hashes and sets: pinned payload bytes, and round trips of contents,
// order and encoding (binary fields and members, empty strings, large collections, with and
// without TTL); plus the encoding rules of the value classes.

import t from 'tap';
import { EntryReader, ValueTag, encodeLmdbKey, encodeLmdbValue } from '../../src/persistence/value-codec';
import { HashEncodingByte, HashValue, hashCodec } from '../../src/types/hash';
import { SetEncodingByte, SetValue, setCodec } from '../../src/types/set';

const limits = { maxListpackEntries: 512, maxListpackValue: 64 };

function roundTrip(key: string, v: HashValue | SetValue, expireAt?: number): EntryReader {
  const k = encodeLmdbKey(key);
  const val = encodeLmdbValue(key, v, expireAt);
  const buf = Buffer.concat([k, val]);
  const r = new EntryReader();
  r.read(buf, 0, k.length, k.length, buf.length);
  return r;
}

t.test('pinned bytes', async (t) => {
  t.same(HashEncodingByte, { Listpack: 0, Hashtable: 1 });
  t.same(SetEncodingByte, { Intset: 0, Hashtable: 1 });
  const h = new HashValue();
  h.set('a', 'bc', limits);
  const hv = encodeLmdbValue('k', h, undefined);
  t.equal(hv.toString('hex'), '01' + '05' + '00' + '00' + '01000000' + '01000000' + '61' + '02000000' + '6263');
  const s = new SetValue();
  s.add('7', 512);
  const sv = encodeLmdbValue('k', s, undefined);
  t.equal(sv[1], ValueTag.Set);
  t.equal(sv.subarray(3).toString('hex'), '00' + '01000000' + '01000000' + '37');
});

t.test('hashes round-trip with order and encoding', async (t) => {
  const h = new HashValue();
  h.set('', '', limits);
  h.set('bin\x00\r\n\xff', 'v\x00\xfe', limits);
  h.set('z', '1', limits);
  h.set('a', '2', limits);
  const r = roundTrip('hk', h, 1234567890123.5);
  const back = r.value as HashValue;
  t.ok(back instanceof HashValue);
  t.same([...back.fields], [...h.fields], 'fields and values in insertion order');
  t.equal(back.encoding(), 'listpack');
  t.equal(r.expireAt, 1234567890123.5);
  t.equal(r.key, 'hk');

  const big = new HashValue();
  for (let i = 0; i < 1000; i++) big.set('f' + i, 'x'.repeat(i % 100), limits);
  t.equal(big.encoding(), 'hashtable');
  const bigBack = roundTrip('k'.repeat(450), big).value as HashValue;
  t.equal(bigBack.encoding(), 'hashtable');
  t.same([...bigBack.fields], [...big.fields]);
  t.equal(hashCodec.encodedSize(big), encodeLmdbValue('x', big, undefined).length - 3);
});

t.test('sets round-trip with members and encoding', async (t) => {
  const ints = new SetValue();
  for (const m of ['5', '-3', '9223372036854775807', '0']) ints.add(m, 512);
  t.equal(ints.encoding(), 'intset');
  const back = roundTrip('s', ints).value as SetValue;
  t.ok(back instanceof SetValue);
  t.equal(back.encoding(), 'intset');
  t.same(back.ordered(), ['-3', '0', '5', '9223372036854775807']);
  const mixed = SetValue.forFirstMember('x');
  for (const m of ['x', '', '\x00\xff', '12']) mixed.add(m, 512);
  const mixedBack = roundTrip('m', mixed, 99).value as SetValue;
  t.equal(mixedBack.encoding(), 'hashtable');
  t.same([...mixedBack.members], [...mixed.members]);
  t.equal(setCodec.encodedSize(mixed), encodeLmdbValue('m', mixed, undefined).length - 3);
});

t.test('corrupt payloads are refused', async (t) => {
  const h = new HashValue();
  h.set('a', 'b', limits);
  const p = Buffer.alloc(hashCodec.encodedSize(h));
  hashCodec.encode(h, p, 0);
  t.throws(() => hashCodec.decode(p, 0, p.length - 1), /past its end/);
  t.throws(() => hashCodec.decode(Buffer.concat([p, Buffer.from([0])]), 0, p.length + 1), /trailing/);
  const bad = Buffer.from(p);
  bad[0] = 7;
  t.throws(() => hashCodec.decode(bad, 0, bad.length), /unknown encoding/);
  const s = new SetValue();
  s.add('1', 512);
  const sp = Buffer.alloc(setCodec.encodedSize(s));
  setCodec.encode(s, sp, 0);
  t.throws(() => setCodec.decode(sp, 0, 3), /too short/);
  t.throws(() => setCodec.decode(sp, 0, sp.length - 1), /past its end/);
});

t.test('encoding rules', async (t) => {
  const small = { maxListpackEntries: 2, maxListpackValue: 3 };
  const h = new HashValue();
  h.set('a', '1', small);
  h.set('b', '2', small);
  h.set('a', '3', small);
  t.equal(h.encoding(), 'listpack', 'updates do not count as entries');
  h.set('c', '3', small);
  t.equal(h.encoding(), 'hashtable', 'more entries than the limit');
  h.delete('c');
  h.delete('b');
  t.equal(h.encoding(), 'hashtable', 'never converted back');
  const v = new HashValue();
  v.set('abc', 'abc', small);
  t.equal(v.encoding(), 'listpack');
  v.set('x', 'abcd', small);
  t.equal(v.encoding(), 'hashtable', 'a value longer than the limit');
  const copy = v.copy();
  copy.set('y', '1', small);
  t.equal(v.get('y'), undefined, 'copies are independent');
  t.equal(copy.encoding(), 'hashtable');

  for (const [m, enc] of [['1', 'intset'], ['-1', 'intset'], ['01', 'hashtable'], ['-0', 'hashtable'], ['+1', 'hashtable'], ['9223372036854775808', 'hashtable'], ['a', 'hashtable']]) {
    t.equal(SetValue.forFirstMember(m).encoding(), enc, `first member ${JSON.stringify(m)}`);
  }
  const s = new SetValue();
  s.add('1', 2);
  s.add('2', 2);
  s.add('2', 2);
  t.equal(s.encoding(), 'intset');
  s.add('3', 2);
  t.equal(s.encoding(), 'hashtable', 'more integers than set-max-intset-entries');
  const n = new SetValue();
  n.add('10', 512);
  n.add('-20', 512);
  n.add('3', 512);
  t.same(n.ordered(), ['-20', '3', '10'], 'an intset walks in numeric order');
  n.add('b', 512);
  t.same(n.ordered(), ['10', '-20', '3', 'b'], 'a hashtable walks in insertion order here');
});
