// Unit tests for the sorted set skip list and value: random inserts, deletes and score
// updates checked against a naive sorted array (order, ranks, seeks by rank, score and lex
// ranges, spans), the strtod-style argument parsers, and the snapshot codec round trip.

import t from 'tap';
import { SkipList, type LexRange, type ScoreRange } from '../../src/types/skiplist';
import { ZSetValue } from '../../src/types/zset';
import { parseLexRange, parseScore, parseScoreRange } from '../../src/commands/zset-args';
import { encodeLmdbValue, EntryReader, encodeLmdbKey } from '../../src/persistence/value-codec';

/** A deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface Entry {
  member: string;
  score: number;
}

function cmp(a: Entry, b: Entry): number {
  if (a.score !== b.score) return a.score < b.score ? -1 : 1;
  return a.member < b.member ? -1 : a.member > b.member ? 1 : 0;
}

function listEntries(l: SkipList): Entry[] {
  return [...l.nodes()].map((n) => ({ member: n.member, score: n.score }));
}

t.test('random operations match a sorted array', async (t) => {
  const rand = prng(42);
  const list = new SkipList(prng(7));
  const model = new Map<string, number>();
  const sorted = (): Entry[] => [...model].map(([member, score]) => ({ member, score })).sort(cmp);
  let mismatches = 0;
  for (let i = 0; i < 20000; i++) {
    const member = 'm' + Math.floor(rand() * 500) + (rand() < 0.1 ? '\xff' : '');
    const score = rand() < 0.3 ? Math.floor(rand() * 10) : rand() < 0.05 ? (rand() < 0.5 ? Infinity : -Infinity) : rand() * 100 - 50;
    const cur = model.get(member);
    const op = rand();
    if (cur === undefined) {
      list.insert(score, member);
      model.set(member, score);
    } else if (op < 0.5) {
      if (!list.delete(cur, member)) mismatches++;
      model.delete(member);
    } else {
      list.updateScore(cur, member, score);
      model.set(member, score);
    }
    if (i % 2000 === 1999) {
      list.check();
      const want = sorted();
      t.same(listEntries(list), want, `order after ${i + 1} operations`);
      t.equal(list.length, want.length, 'length');
      for (let r = 0; r < want.length; r += 7) {
        if (list.rankOf(want[r].score, want[r].member) !== r + 1) mismatches++;
        const n = list.byRank(r + 1);
        if (n === null || n.member !== want[r].member) mismatches++;
      }
      t.equal(list.byRank(0), null, 'rank 0 is nothing');
      t.equal(list.byRank(want.length + 1), null, 'past the end is nothing');
      t.equal(list.rankOf(1234, 'absent'), 0, 'absent member has rank 0');
      t.equal(list.tail?.member, want[want.length - 1]?.member, 'tail');
    }
  }
  t.equal(list.delete(0, 'never-there'), false, 'deleting an absent member');
  t.equal(mismatches, 0, 'ranks, seeks by rank and deletes agree with the model');
});

t.test('score ranges match a filter over the sorted array', async (t) => {
  const rand = prng(3);
  const list = new SkipList(prng(11));
  const entries: Entry[] = [];
  for (let i = 0; i < 3000; i++) {
    const e = { member: 'k' + i, score: Math.floor(rand() * 200) / 4 };
    entries.push(e);
    list.insert(e.score, e.member);
  }
  entries.sort(cmp);
  let bad = 0;
  for (let i = 0; i < 500; i++) {
    const a = Math.floor(rand() * 220) / 4 - 2;
    const b = Math.floor(rand() * 220) / 4 - 2;
    const r: ScoreRange = { min: a, max: b, minExclusive: rand() < 0.5, maxExclusive: rand() < 0.5 };
    const inRange = entries.filter(
      (e) => (r.minExclusive ? e.score > r.min : e.score >= r.min) && (r.maxExclusive ? e.score < r.max : e.score <= r.max),
    );
    const first = list.firstInRange(r);
    const last = list.lastInRange(r);
    if ((first?.member ?? null) !== (inRange[0]?.member ?? null)) bad++;
    if ((last?.member ?? null) !== (inRange[inRange.length - 1]?.member ?? null)) bad++;
  }
  t.equal(bad, 0, 'first and last in range agree with the model');
  t.equal(list.firstInRange({ min: 1, max: 1, minExclusive: true, maxExclusive: false }), null, '(1 1 is empty');
  t.equal(list.firstInRange({ min: -Infinity, max: Infinity, minExclusive: false, maxExclusive: false })?.member, entries[0].member);
});

t.test('lex ranges over equal scores', async (t) => {
  const list = new SkipList(prng(5));
  const members = ['', 'a', 'aa', 'ab', 'b', 'ba', 'c', '\x7f', '\x80', '\xff'];
  for (const m of members) list.insert(0, m);
  const range = (min: string, max: string): string[] => {
    const r = parseLexRange(min, max) as LexRange;
    const out: string[] = [];
    for (let n = list.firstInLexRange(r); n !== null && (r.max.inf === 1 || (r.max.exclusive ? n.member < r.max.value : n.member <= r.max.value)); n = n.next[0]) out.push(n.member);
    return out;
  };
  t.same(range('-', '+'), members);
  t.same(range('[a', '(b'), ['a', 'aa', 'ab']);
  t.same(range('(a', '[b'), ['aa', 'ab', 'b']);
  t.same(range('[\x7f', '+'), ['\x7f', '\x80', '\xff'], 'bytes above 0x7f sort after ASCII (memcmp)');
  t.same(range('+', '-'), []);
  t.same(range('-', '-'), []);
  t.equal(list.lastInLexRange(parseLexRange('-', '(c') as LexRange)?.member, 'ba');
  t.equal(parseLexRange('a', '+'), undefined, 'a bound needs ( or [');
  t.equal(parseLexRange('+x', '+'), undefined, '+ stands alone');
});

t.test('score parsing follows strtod and getDoubleFromObject', async (t) => {
  t.equal(parseScore('0x10'), 16);
  t.equal(parseScore('0x1.8p1'), 3);
  t.equal(parseScore('-0X1p-2'), -0.25);
  t.equal(parseScore('inf'), Infinity);
  t.equal(parseScore('-Infinity'), -Infinity);
  t.equal(parseScore('1e-310'), 1e-310, 'subnormals are accepted');
  for (const bad of ['', ' 1', '1 ', 'nan', '1e400', '1e-400', '0x1p2000', '0x1p-1080', '0x', '1e', 'infinit', '1\0']) {
    t.equal(parseScore(bad), undefined, JSON.stringify(bad));
  }
  t.same(parseScoreRange('(1', '[2'), undefined, '[ is not a score prefix');
  t.same(parseScoreRange('(1', ' 2'), { min: 1, max: 2, minExclusive: true, maxExclusive: false });
  t.same(parseScoreRange('', '('), { min: 0, max: 0, minExclusive: false, maxExclusive: true }, 'empty reads as 0');
  t.same(parseScoreRange('1e400', '2\0x'), { min: Infinity, max: 2, minExclusive: false, maxExclusive: false });
  t.equal(parseScoreRange('nan', '1'), undefined);
  t.equal(parseScoreRange('  ', '1'), undefined);
});

t.test('ZSetValue encodings, copies and the snapshot codec', async (t) => {
  const limits = { maxListpackEntries: 4, maxListpackValue: 8 };
  const z = new ZSetValue();
  z.insert('a', -0, limits);
  t.ok(Object.is(z.score('a'), 0), 'a listpack stores -0 as 0');
  for (const [m, s] of [['b', 2], ['c', 3], ['d', 4]] as const) z.insert(m, s, limits);
  t.equal(z.encoding(), 'listpack');
  z.insert('e', -0, limits);
  t.equal(z.encoding(), 'skiplist', 'converted past the entry limit');
  t.ok(Object.is(z.score('e'), -0), 'a skiplist keeps -0');
  z.remove('b');
  t.equal(z.encoding(), 'skiplist', 'never converted back in place');
  const copy = z.copy();
  copy.insert('x', 9, limits);
  t.equal(z.score('x'), undefined, 'copies are independent');
  t.equal(z.rank('e', false), 1, '-0 ties with 0: member order decides');
  t.equal(z.rank('d', true), 0);

  const big = new ZSetValue();
  const scores = [0.1, -0, Infinity, -Infinity, 1e-320, 2 ** 60 + 0.5, Number.MAX_VALUE];
  scores.forEach((s, i) => big.insert('m' + i + '\x00\xff', s, { maxListpackEntries: 0, maxListpackValue: 64 }));
  const buf = encodeLmdbValue('k', big, undefined);
  const key = encodeLmdbKey('k');
  const both = Buffer.concat([key, buf]);
  const reader = new EntryReader();
  reader.read(both, 0, key.length, key.length, both.length);
  const back = reader.value as ZSetValue;
  t.equal(back.kind, 'zset');
  t.same(
    [...back.list.nodes()].map((n) => [n.member, n.score]),
    [...big.list.nodes()].map((n) => [n.member, n.score]),
    'members and scores survive',
  );
  t.equal(back.encoding(), 'listpack', 'a small set loads as a listpack (as RDB loading)');
  t.ok(Object.is(back.score('m1\x00\xff'), 0), '-0 becomes 0 in a listpack');
});
