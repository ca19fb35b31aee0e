// Unit tests for the Redis stringmatchlen port. The table below was checked against Debian's
// redis-server 7.0 with KEYS (each string stored as a key; true when KEYS <pattern> lists it);
// test/integration/keys-glob-redis.test.ts fuzzes the same comparison.

import t from 'tap';
import { globMatch } from '../../src/keyspace/glob';

/** [pattern, string, matches] as Redis 7.0 answers. */
const VERIFIED: Array<[string, string, boolean]> = [
  ['*', '', true],
  ['*', 'abc', true],
  ['**', '', false],
  ['**', 'abc', true],
  ['a*', 'a', true],
  ['a*', 'abc', true],
  ['a*', 'ba', false],
  ['*a', 'bca', true],
  ['*a', 'ab', false],
  ['a*b*c', 'aXbYc', true],
  ['a*b*c', 'aXbY', false],
  ['a*a*a*b', 'aaaaaaaaaaaaaaaaaaaaaaaa', false],
  ['?', '', false],
  ['?', 'a', true],
  ['?', 'ab', false],
  ['??', 'ab', true],
  ['a?c', 'abc', true],
  ['a?c', 'ac', false],
  ['[abc]', 'a', true],
  ['[abc]', 'd', false],
  ['[abc]', '', false],
  ['[^abc]', 'd', true],
  ['[^abc]', 'a', false],
  ['[a-c]', 'b', true],
  ['[a-c]', 'd', false],
  ['[c-a]', 'b', true],
  ['[c-a]', 'd', false],
  ['[a-]', '-', false],
  ['[a-]', ']', true],
  ['[a-]x', 'bx', false],
  ['[a-]x]', 'bx]', false],
  ['[]', ']', false],
  ['[]]', ']', false],
  ['[', 'a', false],
  ['[a', 'a', true],
  ['[a', 'b', false],
  ['[^', 'x', true],
  ['[^', '', false],
  ['[^a', 'b', true],
  ['[\\]]', ']', true],
  ['[\\-]', '-', true],
  ['[\\a]', 'a', true],
  ['\\*', '*', true],
  ['\\*', 'a', false],
  ['\\?', '?', true],
  ['\\?', 'x', false],
  ['\\[a]', '[a]', true],
  ['a\\', 'a\\', true],
  ['a\\', 'a', false],
  ['\\', '\\', true],
  ['h[ae]llo', 'hello', true],
  ['h[ae]llo', 'hallo', true],
  ['h[ae]llo', 'hillo', false],
  ['h[^e]llo', 'hallo', true],
  ['h[^e]llo', 'hello', false],
  ['h[a-b]llo', 'hbllo', true],
  ['user:*:name', 'user:1000:name', true],
  ['user:*:name', 'user:1000:age', false],
  ['*:*', 'a:b', true],
  ['*:*', 'ab', false],
  ['[a-\xff]', '\x80', false],
  ['[a-\xff]', 'b', false],
  ['[a-\xff]', 'z', false],
  ['[\x80-\xff]', '\xc0', true],
  ['[\x80-\xff]', 'a', false],
  ['A', 'a', false],
  ['[A-Z]', 'a', false],
  ['a*', 'A', false],
  ['\x00', '\x00', true],
  ['a\x00*', 'a\x00b', true],
  ['*\x00', 'x\x00', true],
];

t.test('cases verified against redis-server', async (t) => {
  for (const [pattern, s, expected] of VERIFIED) {
    t.equal(globMatch(pattern, s), expected, `${JSON.stringify(pattern)} ~ ${JSON.stringify(s)}`);
  }
});

t.test('"*" is the match-all fast path, "**" follows the general rule', async (t) => {
  t.ok(globMatch('*', ''));
  t.ok(globMatch('*', '\x00\xff'));
  t.notOk(globMatch('**', ''));
  t.notOk(globMatch('', 'a'));
  t.ok(globMatch('', ''));
});

t.test('nocase folds A-Z only, and not inside a class escape', async (t) => {
  t.ok(globMatch('HELLO', 'hello', true));
  t.notOk(globMatch('HELLO', 'hello'));
  t.ok(globMatch('h*O', 'HELLO', true));
  t.ok(globMatch('[A-C]', 'b', true));
  t.ok(globMatch('[a-c]', 'B', true));
  t.notOk(globMatch('[a-c]', 'B'));
  t.ok(globMatch('[XYZ]', 'y', true));
  t.ok(globMatch('\\A', 'a', true));
  // An escaped character in a class compares exactly even with nocase.
  t.notOk(globMatch('[\\A]', 'a', true));
  t.ok(globMatch('[\\A]', 'A', true));
  // Bounds are swapped first, then lowered: [Z-a] becomes the empty range z..a.
  t.ok(globMatch('[Z-a]', '_'));
  t.notOk(globMatch('[Z-a]', 'Z', true));
  // Latin1 letters are not folded (C locale).
  t.notOk(globMatch('\xc0', '\xe0', true));
});

t.test('ranges compare bytes as signed chars', async (t) => {
  // 'a'..0xff is 97..-1, swapped to -1..97: 0xff and ASCII up to 'a' match, 0x80 (-128) and
  // 'b' do not.
  t.ok(globMatch('[a-\xff]', '\xff'));
  t.ok(globMatch('[a-\xff]', 'A'));
  t.notOk(globMatch('[a-\xff]', '\x80'));
  t.notOk(globMatch('[a-\xff]', 'b'));
  t.ok(globMatch('[\x80-\xff]', '\xc0'));
  t.notOk(globMatch('[\x80-\xff]', 'a'));
});

t.test('pathological patterns finish quickly', async (t) => {
  const s = 'a'.repeat(5000);
  const start = Date.now();
  t.notOk(globMatch('a*'.repeat(200) + 'b', s));
  t.notOk(globMatch('*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b', s));
  t.ok(Date.now() - start < 1000, 'under a second');
});

t.test('more than 1000 nested stars never match (Redis CVE-2022-36021 guard)', async (t) => {
  const s = 'a'.repeat(1100);
  t.ok(globMatch('*a'.repeat(1000), s));
  t.notOk(globMatch('*a'.repeat(1001), s));
  t.ok(globMatch('*a'.repeat(1000) + '*', s));
  t.notOk(globMatch('*a'.repeat(1001) + '*', s));
});
