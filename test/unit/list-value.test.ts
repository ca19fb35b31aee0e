// The list value's ring buffer against a plain array model (random pushes, pops, sets,
// inserts, trims and filters across growth, wrap-around and shrinking), copy() independence,
// and the snapshot codec: its byte format (pinned) and round trips.

import t from 'tap';
import { ListValue } from '../../src/types/list';
import { encodeLmdbValue, EntryReader, encodeLmdbKey } from '../../src/persistence/value-codec';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function contents(l: ListValue): string[] {
  return l.range(0, l.length - 1);
}

t.test('random operations match an array model', async (t) => {
  const rand = rng(12345);
  const int = (n: number): number => Math.floor(rand() * n);
  const l = new ListValue();
  let model: string[] = [];
  let mismatches = 0;
  for (let step = 0; step < 20000; step++) {
    // Phases that grow and shrink, so the buffer resizes both ways while wrapped around.
    const growing = Math.floor(step / 2500) % 2 === 0;
    const op = int(10);
    const v = 'v' + step;
    if (op < 3) {
      if (growing || rand() < 0.3) {
        l.pushHead(v);
        model.unshift(v);
      } else {
        if (l.popHead() !== model.shift()) mismatches++;
      }
    } else if (op < 6) {
      if (growing || rand() < 0.3) {
        l.pushTail(v);
        model.push(v);
      } else {
        if (l.popTail() !== model.pop()) mismatches++;
      }
    } else if (op === 6 && model.length > 0) {
      const i = int(model.length);
      l.set(i, v);
      model[i] = v;
    } else if (op === 7) {
      const i = int(model.length + 1);
      l.insertAt(i, v);
      model.splice(i, 0, v);
    } else if (op === 8 && rand() < 0.05) {
      const a = int(model.length + 2) - 1;
      const b = int(model.length + 2) - 1;
      l.trim(a, b);
      model = a > b || a >= model.length || b < 0 ? [] : model.slice(Math.max(0, a), b + 1);
    } else if (op === 9 && rand() < 0.2) {
      const mod = 2 + int(5);
      const removed = l.filter((_, i) => i % mod !== 0);
      const kept = model.filter((_, i) => i % mod !== 0);
      if (removed !== model.length - kept.length) mismatches++;
      model = kept;
    }
    if (l.length !== model.length) mismatches++;
    if (step % 97 === 0 && contents(l).join(',') !== model.join(',')) mismatches++;
  }
  t.equal(mismatches, 0, 'no mismatch over 20000 operations');
  t.same(contents(l), model, 'same contents at the end');
  t.equal(l.popHead(), model[0]);
});

t.test('empty list edges', async (t) => {
  const l = new ListValue();
  t.equal(l.popHead(), undefined);
  t.equal(l.popTail(), undefined);
  t.same(l.range(0, -1), []);
  l.pushTail('a');
  l.trim(1, 0);
  t.equal(l.length, 0);
  l.insertAt(0, 'x');
  t.same(contents(l), ['x']);
  t.equal(l.encoding(), 'quicklist');
  t.equal(l.kind, 'list');
});

t.test('copy() is independent', async (t) => {
  const l = ListValue.of(['a', 'b', 'c']);
  const c = l.copy();
  l.pushHead('z');
  c.set(0, 'A');
  t.same(contents(l), ['z', 'a', 'b', 'c']);
  t.same(contents(c), ['A', 'b', 'c']);
});

t.test('snapshot codec: format and round trip', async (t) => {
  const l = ListValue.of(['ab', '', '\x00\xff']);
  const enc = encodeLmdbValue('k', l, undefined);
  t.equal(
    enc.toString('hex'),
    '010200' + '03000000' + '02000000' + '6162' + '00000000' + '02000000' + '00ff',
    'version 1, tag 2 (list), no flags; u32 count; u32 length + bytes per element',
  );
  const key = encodeLmdbKey('k');
  const buf = Buffer.concat([key, enc]);
  const r = new EntryReader();
  r.read(buf, 0, key.length, key.length, buf.length);
  t.equal(r.key, 'k');
  t.ok(r.value instanceof ListValue);
  t.same(contents(r.value as ListValue), ['ab', '', '\x00\xff']);

  const big = new ListValue();
  for (let i = 0; i < 5000; i++) big.pushHead(String(i));
  for (let i = 0; i < 1000; i++) big.popTail();
  const e2 = encodeLmdbValue('big', big, 1234.5);
  const k2 = encodeLmdbKey('big');
  const b2 = Buffer.concat([k2, e2]);
  r.read(b2, 0, k2.length, k2.length, b2.length);
  t.equal(r.expireAt, 1234.5);
  t.same(contents(r.value as ListValue), contents(big));

  const bad = Buffer.concat([key, enc.subarray(0, enc.length - 1)]);
  t.throws(() => r.read(bad, 0, key.length, key.length, bad.length), /past its end/);
});
