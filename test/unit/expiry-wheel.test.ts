// Expiry wheel: hints for every key with a TTL survive interleaved inserts, TTL changes,
// deletions and interrupted cycles, so the active cycle removes every expired key.

import t from 'tap';
import { Keyspace } from '../../src/keyspace/keyspace';

/** Deterministic PRNG so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

t.test('active cycle removes every expired key under random interleavings', async (t) => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const rand = rng(seed);
    const ks = new Keyspace(1);
    const db = ks.dbs[0];
    let now = 1_000_000;
    const realNow = Date.now;
    Date.now = () => now;
    try {
      for (let step = 0; step < 400; step++) {
        for (let j = 0; j < 50; j++) {
          const key = 'k' + Math.floor(rand() * 3000);
          const r = rand();
          if (r < 0.6) {
            db.set(key, 'v');
            db.setExpire(key, now + Math.floor(rand() * 2000) - 200);
          } else if (r < 0.75) {
            db.persist(key);
          } else if (r < 0.85) {
            db.delete(key);
          } else if (db.dict.has(key)) {
            db.setExpire(key, now + Math.floor(rand() * 500));
          }
        }
        // A tiny budget interrupts cycles half-way through buckets.
        ks.activeExpireCycle(rand() < 0.5 ? 0 : 5);
        now += Math.floor(rand() * 50);
      }
      now += 5000;
      for (let i = 0; i < 200; i++) ks.activeExpireCycle(50);
      let overdue = 0;
      for (const [, at] of db.expires) if (at <= now) overdue++;
      t.equal(overdue, 0, `seed ${seed}: no expired key left behind`);
    } finally {
      Date.now = realNow;
    }
  }
});

t.test('keys whose time has not come are kept', async (t) => {
  const ks = new Keyspace(1);
  const db = ks.dbs[0];
  const now = Date.now();
  db.set('soon', 'v');
  db.setExpire('soon', now + 60_000);
  db.set('past', 'v');
  db.setExpire('past', now - 1000);
  ks.activeExpireCycle(25);
  t.ok(db.dict.has('soon'));
  t.notOk(db.dict.has('past'));
  t.equal(ks.stats.expiredKeys, 1);
});
