// Unit tests for the bulk-string encoder: its output must equal the plain string encoding
// byte for byte, for short and long elements, latin1 bytes above 127, and replies larger
// than its starting buffer.

import t from 'tap';
import { addBulk, beginBulks, encodedLength, finishBulks } from '../../src/resp/bulk-encoder';

function naive(items: readonly string[], header: boolean): string {
  let s = header ? '*' + items.length + '\r\n' : '';
  for (const e of items) s += '$' + e.length + '\r\n' + e + '\r\n';
  return s;
}

function encode(items: readonly string[], header: boolean): string {
  beginBulks(header ? 42 : 0, items.length);
  for (const e of items) addBulk(e);
  return finishBulks();
}

t.test('matches the plain encoding', async (t) => {
  const cases: string[][] = [
    [],
    [''],
    ['a', 'bc', 'xxx'],
    ['x'.repeat(32), 'y'.repeat(33), 'z'.repeat(1000)],
    ['\u00ff\u0080\u0000\r\n', String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i))],
    Array.from({ length: 1234 }, (_, i) => 'element:' + i),
  ];
  for (const items of cases) {
    t.equal(encode(items, true), naive(items, true), `${items.length} items with a header`);
    t.equal(encode(items, false), naive(items, false), `${items.length} items without a header`);
  }
});

t.test('grows past its buffer and starts clean after finishing', async (t) => {
  const big = Array.from({ length: 50 }, (_, i) => String.fromCharCode(97 + (i % 26)).repeat(10_000 + i));
  t.equal(encode(big, true), naive(big, true), 'a 500 KB reply');
  beginBulks(0, 0);
  addBulk('q');
  t.equal(encodedLength(), 7, 'length counts the bytes encoded so far');
  t.equal(finishBulks(), '$1\r\nq\r\n', 'nothing left over from the previous reply');
});
