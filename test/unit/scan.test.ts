// Unit tests for SCAN cursors over JS Maps/Sets (live iterators, LRU fallback, cursor
// parsing as strtoul) and for random picks without random access.

import t from 'tap';
import { ScanCursors, parseScanCursor, randomEntry, type ScanSource } from '../../src/keyspace/scan';

/** Runs a whole SCAN iteration, calling `between` after every call; returns what was seen. */
function scanAll<K>(
  cursors: ScanCursors,
  source: ScanSource<K>,
  count: number,
  between: (calls: number) => void = () => undefined,
): { seen: K[]; calls: number; cursors: number[] } {
  const seen: K[] = [];
  const issued: number[] = [];
  let cursor = 0;
  let calls = 0;
  do {
    cursor = cursors.step(source, cursor, count, (k) => seen.push(k));
    issued.push(cursor);
    calls++;
    between(calls);
    if (calls > 1e6) throw new Error('SCAN does not terminate');
  } while (cursor !== 0);
  return { seen, calls, cursors: issued };
}

function mapOf(n: number, prefix = 'k'): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < n; i++) m.set(prefix + i, i);
  return m;
}

t.test('a full iteration returns every entry once, COUNT entries per call', async (t) => {
  const m = mapOf(1000);
  const cursors = new ScanCursors();
  const { seen, calls, cursors: issued } = scanAll(cursors, m, 10);
  t.equal(seen.length, 1000);
  t.equal(new Set(seen).size, 1000);
  t.equal(calls, 100, 'the call that examines the last entry returns 0');
  for (const c of issued.slice(0, -1)) {
    t.ok(c > 0 && Number.isSafeInteger(c), 'cursors are positive safe integers');
  }
  t.equal(cursors.size, 0, 'finished iterations hold nothing');
});

t.test('small and empty collections finish in one call', async (t) => {
  const cursors = new ScanCursors();
  const seen: string[] = [];
  t.equal(cursors.step(new Map<string, number>(), 0, 10, (k) => seen.push(k)), 0);
  t.equal(cursors.step(mapOf(10), 0, 10, (k) => seen.push(k)), 0, 'exactly COUNT entries: done at once');
  t.equal(seen.length, 10);
  t.not(cursors.step(mapOf(11), 0, 10, () => undefined), 0);
});

t.test('Sets are walked too', async (t) => {
  const s = new Set(['a', 'b', 'c', 'd', 'e']);
  const { seen } = scanAll(new ScanCursors(), s, 2);
  t.same(seen.sort(), ['a', 'b', 'c', 'd', 'e']);
});

t.test('entries present throughout are returned exactly once despite inserts and deletes', async (t) => {
  const m = mapOf(5000);
  const stable = new Set<string>();
  for (let i = 0; i < 5000; i += 2) stable.add('k' + i);
  let extra = 0;
  const { seen } = scanAll(new ScanCursors(), m, 7, (calls) => {
    // Churn: delete odd keys, add new ones (forcing V8 to rehash the table several times).
    for (let j = 0; j < 3; j++) m.set('new' + extra++, 0);
    const odd = 'k' + (2 * calls + 1);
    m.delete(odd);
    // A burst of inserts then deletes: V8 grows, then compacts and shrinks the table.
    if (calls === 50) for (let j = 0; j < 20000; j++) m.set('tmp' + j, 0);
    if (calls === 100) for (let j = 0; j < 20000; j++) m.delete('tmp' + j);
  });
  const counts = new Map<string, number>();
  for (const k of seen) counts.set(k, (counts.get(k) ?? 0) + 1);
  let missing = 0;
  let dup = 0;
  for (const k of stable) {
    const n = counts.get(k) ?? 0;
    if (n === 0) missing++;
    if (n > 1) dup++;
  }
  t.equal(missing, 0, 'nothing that stayed is missed');
  t.equal(dup, 0, 'nothing is returned twice');
  t.ok(seen.length > 5000, 'keys added during the scan may be returned');
});

t.test('visit may delete the entry it is given', async (t) => {
  const m = mapOf(100);
  const cursors = new ScanCursors();
  const seen: string[] = [];
  let cursor = 0;
  do {
    cursor = cursors.step(m, cursor, 9, (k) => {
      seen.push(k);
      m.delete(k);
    });
  } while (cursor !== 0);
  t.equal(seen.length, 100);
  t.equal(m.size, 0);
});

t.test('an entry read ahead and deleted before the next call is not returned', async (t) => {
  const m = mapOf(3);
  const cursors = new ScanCursors();
  const seen: string[] = [];
  const cursor = cursors.step(m, 0, 1, (k) => seen.push(k));
  t.not(cursor, 0);
  m.delete('k1');
  t.equal(cursors.step(m, cursor, 10, (k) => seen.push(k)), 0);
  t.same(seen, ['k0', 'k2']);
});

t.test('a cursor evicted from the LRU falls back to skipping its position', async (t) => {
  const m = mapOf(100);
  const cursors = new ScanCursors(2);
  const seen: string[] = [];
  const first = cursors.step(m, 0, 30, (k) => seen.push(k));
  // Three other scans push the first one out of a registry of two.
  for (let i = 0; i < 3; i++) cursors.step(m, 0, 5, () => undefined);
  t.equal(cursors.size, 2);
  let cursor = first;
  do cursor = cursors.step(m, cursor, 30, (k) => seen.push(k));
  while (cursor !== 0);
  t.same(seen, [...m.keys()], 'same order, nothing missed or repeated');
});

t.test('a cursor is consumed when used: repeating it restarts from its position', async (t) => {
  const m = mapOf(20);
  const cursors = new ScanCursors();
  const cursor = cursors.step(m, 0, 5, () => undefined);
  const a: string[] = [];
  const b: string[] = [];
  cursors.step(m, cursor, 5, (k) => a.push(k));
  cursors.step(m, cursor, 5, (k) => b.push(k));
  t.same(a, ['k5', 'k6', 'k7', 'k8', 'k9']);
  t.same(b, a, 'a retried call sees the same entries');
});

t.test('a cursor presented for another collection is not resumed on it', async (t) => {
  const a = mapOf(50, 'a');
  const b = mapOf(50, 'b');
  const cursors = new ScanCursors();
  const cursor = cursors.step(a, 0, 10, () => undefined);
  const seen: string[] = [];
  cursors.step(b, cursor, 5, (k) => seen.push(k));
  t.same(seen, ['b10', 'b11', 'b12', 'b13', 'b14']);
  const rest: string[] = [];
  cursors.step(a, cursor, 3, (k) => rest.push(k));
  t.same(rest, ['a10', 'a11', 'a12'], "the other collection's iteration is left alone");
  t.equal(cursors.size, 2);
});

t.test('unknown cursors: past the end is done, small ones start over', async (t) => {
  const m = mapOf(10);
  const cursors = new ScanCursors();
  const seen: string[] = [];
  t.equal(cursors.step(m, 2 ** 53, 10, (k) => seen.push(k)), 0);
  t.equal(cursors.step(m, 18446744073709551615, 10, (k) => seen.push(k)), 0);
  t.same(seen, []);
  t.equal(cursors.step(m, 5, 100, (k) => seen.push(k)), 0);
  t.equal(seen.length, 10);
});

t.test('iterators idle for minutes are dropped', async (t) => {
  const m = mapOf(100);
  const cursors = new ScanCursors();
  const now = 1_000_000;
  const cursor = cursors.step(m, 0, 10, () => undefined, now);
  t.equal(cursors.size, 1);
  cursors.step(m, 0, 10, () => undefined, now + 6 * 60 * 1000);
  t.equal(cursors.size, 1, 'the idle one went, the new one stays');
  const seen: string[] = [];
  cursors.step(m, cursor, 3, (k) => seen.push(k), now + 6 * 60 * 1000);
  t.same(seen, ['k10', 'k11', 'k12'], 'the dropped cursor still works by position');
});

t.test('parseScanCursor follows strtoul as Redis uses it', async (t) => {
  const cases: Array<[string, number | undefined]> = [
    ['0', 0],
    ['', 0],
    ['+0', 0],
    ['-0', 0],
    ['123', 123],
    ['007', 7],
    ['18446744073709551615', 18446744073709551615],
    ['-1', 18446744073709551615],
    ['18446744073709551616', undefined],
    ['-18446744073709551616', undefined],
    [' 0', undefined],
    ['\t1', undefined],
    ['0 ', undefined],
    ['1a', undefined],
    ['abc', undefined],
    ['+', undefined],
    ['-', undefined],
    ['0x10', undefined],
    ['1.0', undefined],
    ['5\x00junk', 5],
  ];
  for (const [s, expected] of cases) t.equal(parseScanCursor(s), expected, JSON.stringify(s));
});

t.test('randomEntry', async (t) => {
  t.equal(randomEntry(new Map()), undefined, 'empty');
  const small = new Set(['a', 'b', 'c']);
  const hits = new Map<string, number>();
  for (let i = 0; i < 3000; i++) {
    const k = randomEntry(small)!;
    hits.set(k, (hits.get(k) ?? 0) + 1);
  }
  t.same([...hits.keys()].sort(), ['a', 'b', 'c']);
  for (const n of hits.values()) t.ok(n > 800 && n < 1200, `uniform on small sets (${n})`);

  const big = mapOf(10000);
  const buckets = new Array<number>(10).fill(0);
  const picks = 200000;
  for (let i = 0; i < picks; i++) buckets[Math.floor(big.get(randomEntry(big)!)! / 1000)]++;
  for (const n of buckets) t.ok(n > picks / 10 / 2 && n < (picks / 10) * 2, `every region is reached (${n})`);

  const changing = mapOf(500);
  let dead = 0;
  for (let i = 0; i < 2000; i++) {
    const k = randomEntry(changing)!;
    if (!changing.has(k)) dead++;
    changing.delete(k);
    changing.set('n' + i, i);
  }
  t.equal(dead, 0, 'only live entries while the map changes');
});
