// randomDistinct (keyspace/scan.ts): distinct entries of the source in both strategies (a
// partial shuffle when the count is close to the size, repeated picks otherwise), and each
// entry about equally likely over many draws.

import t from 'tap';
import { randomDistinct } from '../../src/keyspace/scan';

t.test('distinct entries of the source, in both strategies', async (t) => {
  const source = new Set(Array.from({ length: 300 }, (_, i) => 'e' + i));
  for (const count of [1, 5, 99, 100, 101, 250, 299]) {
    const picks = randomDistinct(source, count);
    t.equal(picks.length, count, `count ${count}`);
    t.equal(new Set(picks).size, count, `count ${count}: distinct`);
    t.ok(picks.every((p) => source.has(p)), `count ${count}: from the source`);
  }
  t.same(randomDistinct(new Map([['a', 1]]), 0), [], 'count 0');
});

t.test('every entry about equally likely', async (t) => {
  for (const [size, count] of [
    [20, 10],
    [200, 10],
  ]) {
    const source = new Set(Array.from({ length: size }, (_, i) => i));
    const seen = new Array<number>(size).fill(0);
    const rounds = 4000;
    for (let r = 0; r < rounds; r++) for (const p of randomDistinct(source, count)) seen[p]++;
    const expected = (rounds * count) / size;
    t.ok(Math.min(...seen) > expected * 0.6 && Math.max(...seen) < expected * 1.4, `size ${size}, count ${count}: counts within 40% of ${expected}`);
  }
});
