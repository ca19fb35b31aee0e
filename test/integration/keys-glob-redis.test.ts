// Differential fuzz of the glob matcher against Debian's redis-server: random keys and
// random patterns (stars, classes, ranges, escapes, high bytes, NUL), KEYS on the real
// server, globMatch locally, every (pattern, key) verdict compared.

import t from 'tap';
import { startRedis } from '../helpers/server';
import { RawConnection, bulks } from '../helpers/resp';
import { globMatch } from '../../src/keyspace/glob';

/** Deterministic PRNG so a failure reproduces (mulberry32). */
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

const ALPHABET = ['a', 'b', 'c', 'A', 'B', 'z', 'Z', '-', '\\', '[', ']', '^', '*', '?', '\x80', '\xff', '\x00'];

function encode(args: string[]): string {
  let s = '*' + args.length + '\r\n';
  for (const a of args) s += '$' + a.length + '\r\n' + a + '\r\n';
  return s;
}

t.test('globMatch agrees with KEYS on redis-server', async (t) => {
  const redis = await startRedis(t);
  const c = await RawConnection.connect(redis.port);
  t.teardown(() => c.close());
  for (const seed of [1, 2, 3]) {
    const random = prng(seed);
    const word = (max: number) => {
      let s = '';
      for (let n = Math.floor(random() * max); n > 0; n--) s += ALPHABET[Math.floor(random() * ALPHABET.length)];
      return s;
    };
    const keys = new Set<string>();
    while (keys.size < 200) keys.add(word(7));
    const patterns: string[] = [];
    for (let i = 0; i < 300; i++) patterns.push(word(9));
    let req = encode(['FLUSHALL']);
    for (const k of keys) req += encode(['SET', k, '1']);
    for (const p of patterns) req += encode(['KEYS', p]);
    c.writeRaw(req);
    for (let i = 0; i <= keys.size; i++) await c.reply();
    let mismatches = 0;
    for (const pattern of patterns) {
      const listed = new Set(bulks(await c.reply()));
      for (const k of keys) {
        if (globMatch(pattern, k) !== listed.has(k)) {
          mismatches++;
          if (mismatches <= 10) t.fail(`seed ${seed}: ${JSON.stringify(pattern)} ~ ${JSON.stringify(k)}: redis says ${listed.has(k)}`);
        }
      }
    }
    t.equal(mismatches, 0, `seed ${seed}: ${patterns.length * keys.size} verdicts agree`);
  }
});
