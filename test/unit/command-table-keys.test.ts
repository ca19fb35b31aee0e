// Key extraction from Redis 7.0 key specs (db.c getKeysUsingKeySpecs), checked against what
// `COMMAND GETKEYS` answers on Debian's redis-server 7.0.15 for the same arguments.

import t from 'tap';
import { keySpecs, keysFromSpecs, redisMeta } from '../../src/commands/meta';

/** Key positions the specs of args[0] find, or null when Redis falls back to its getkeys proc. */
function positions(line: string, partial = false): number[] | null {
  const args = line.split(' ');
  const meta = redisMeta(`${args[0]}|${args[1]}`) ?? redisMeta(args[0]);
  if (meta === undefined) throw new Error(`no metadata for ${args[0]}`);
  const keys = keysFromSpecs(keySpecs(meta), args, meta.arity, partial);
  return keys === null ? null : keys.map((k) => k.pos);
}

const cases: [string, number[] | null][] = [
  ['get a', [1]],
  ['mset a b c d', [1, 3]],
  // Negative arity: positions past the end are skipped, Redis answers "a" and "c".
  ['mset a b c', [1, 3]],
  ['mget a b c', [1, 2, 3]],
  ['blpop a b 0', [1, 2]],
  ['bitop and d a b', [2, 3, 4]],
  ['zunionstore d 2 a b', [1, 3, 4]],
  ['eval s 2 a b c', [3, 4]],
  ['lmpop 2 a b left', [2, 3]],
  ['blmpop 0 2 a b left', [3, 4]],
  ['xread count 1 streams a b 0 0', [4, 5]],
  // STREAMS keys are the first half of what follows (limit 2): an odd count rounds down.
  ['xread streams a b 0', [2]],
  ['xadd s * f v', [1]],
  ['lmove a b left right', [1, 2]],
  ['object encoding k', [2]],
  // Invalid for the specs: Redis then asks the command's getkeys procedure.
  ['zunionstore d 01 a', null],
  ['zunionstore d 3 a b', null],
  ['zunionstore d -1 a', null],
  ['sort a by x store b', null],
];

for (const [line, want] of cases) t.same(positions(line), want, line);

t.same(positions('sort a by x store b', true), [1], 'partial: the specs that can be read');

t.test('key flags come from the spec that found the key', async (t) => {
  const args = 'lmove a b left right'.split(' ');
  const meta = redisMeta('lmove')!;
  const keys = keysFromSpecs(keySpecs(meta), args, meta.arity)!;
  t.same(
    keys.map((k) => [args[k.pos], [...k.flags]]),
    [
      ['a', ['RW', 'access', 'delete']],
      ['b', ['RW', 'insert']],
    ],
  );
});

t.test('keyword search is case-insensitive and honours startfrom', async (t) => {
  t.same(positions('xread COUNT 1 STREAMS a b 0 0'), [4, 5]);
  t.same(positions('xread count 1 streamz a b 0 0'), [], 'keyword missing: no keys');
});
