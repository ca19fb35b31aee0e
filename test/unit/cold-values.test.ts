// Cold values: a snapshot load leaves string values as refs into its batches. Every read
// sees the string (binary bytes, empty, long keys, TTLs), a cold key past its TTL expires on
// access, the warm-up turns every ref back into a string even across SWAPDB and FLUSHDB and
// then lets go of the batches, and a checkpoint of a keyspace that still holds cold values
// (or of a dict FLUSHDB detached mid-checkpoint) writes the values, not the refs.

import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyspace } from '../../src/keyspace/keyspace';
import { ColdWarmer } from '../../src/keyspace/cold-values';
import { ChangeTracker } from '../../src/persistence/change-tracker';
import { SnapshotStore } from '../../src/persistence/snapshot';

const DATABASES = 3;
const FAR = Date.now() + 10 * 86_400_000;

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'cinnabar-cold-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Every key as `db key value ttl`, sorted; values read with peek() (cold ones decoded). */
function dump(ks: Keyspace): string[] {
  const out: string[] = [];
  for (const db of ks.dbs) {
    for (const k of db.dict.keys()) out.push(JSON.stringify([db.id, k, db.peek(k), db.expires.get(k) ?? null]));
  }
  return out.sort();
}

function coldCount(ks: Keyspace): number {
  let n = 0;
  for (const db of ks.dbs) for (const v of db.dict.values()) if (typeof v === 'number') n++;
  return n;
}

/** Strings of every shape a load batch holds, and TTLs, over every db. */
function sample(): Keyspace {
  const ks = new Keyspace(DATABASES);
  const every = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
  ks.dbs[0].set('', '');
  ks.dbs[0].set('bytes', every);
  ks.dbs[0].set(every, 'key of every byte');
  ks.dbs[1].set('long:' + 'k'.repeat(600), 'value of a long key');
  ks.dbs[1].set('big', 'b'.repeat(300_000));
  ks.dbs[1].set('ttl', 'with a ttl');
  ks.dbs[1].setExpire('ttl', FAR);
  ks.dbs[1].set('long-ttl:' + 'k'.repeat(500), 'long key with a ttl');
  ks.dbs[1].setExpire('long-ttl:' + 'k'.repeat(500), FAR + 1);
  for (let i = 0; i < 20_000; i++) ks.dbs[i % DATABASES].set('k:' + i, 'v:' + i + '\x00\xff');
  return ks;
}

async function saveAndLoad(t: Test, ks: Keyspace, now = Date.now()): Promise<{ dir: string; loaded: Keyspace }> {
  const dir = tempDir(t);
  const tracker = new ChangeTracker();
  tracker.attach(ks);
  for (const db of ks.dbs) tracker.beforeWholeDbChange(db);
  const store = await SnapshotStore.open(dir, { databases: DATABASES });
  await store.checkpoint(ks, tracker, 10);
  await store.close();
  return { dir, loaded: await load(dir, now) };
}

async function load(dir: string, now = Date.now()): Promise<Keyspace> {
  const store = await SnapshotStore.open(dir, { databases: DATABASES });
  try {
    const ks = new Keyspace(DATABASES);
    await store.load(ks, now);
    return ks;
  } finally {
    await store.close();
  }
}

t.test('loaded string values are cold until read, and read back byte for byte', async (t) => {
  const ks = sample();
  const expected = dump(ks);
  const { loaded } = await saveAndLoad(t, ks);
  t.equal(coldCount(loaded), loaded.keyCount, 'every string value is cold after the load');
  t.ok(loaded.dbs[0].cold !== null);
  const every = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
  t.equal(loaded.dbs[0].get('bytes'), every);
  t.equal(typeof loaded.dbs[0].dict.get('bytes'), 'string', 'a read leaves the string in the dict');
  t.equal(loaded.dbs[0].get(every), 'key of every byte');
  t.equal(loaded.dbs[0].get(''), '');
  t.equal(loaded.dbs[1].get('long:' + 'k'.repeat(600)), 'value of a long key');
  t.equal(loaded.dbs[1].get('big'), 'b'.repeat(300_000));
  t.equal(loaded.dbs[1].get('long-ttl:' + 'k'.repeat(500)), 'long key with a ttl');
  t.equal(loaded.dbs[1].expireAt('ttl'), FAR);
  t.equal(loaded.dbs[1].get('ttl'), 'with a ttl');
  t.equal(coldCount(loaded), loaded.keyCount - 7);
  t.same(dump(loaded), expected);
});

t.test('a cold key past its TTL expires when read, without being decoded', async (t) => {
  const ks = new Keyspace(DATABASES);
  ks.dbs[0].set('gone', 'old value');
  ks.dbs[0].setExpire('gone', Date.now() + 50);
  ks.dbs[0].set('kept', 'value');
  // Loaded as before a WAL replay: expired keys too.
  const { loaded } = await saveAndLoad(t, ks, -Infinity);
  await new Promise((r) => setTimeout(r, 80));
  const expired: string[] = [];
  loaded.onExpired((_db, key) => expired.push(key));
  t.equal(typeof loaded.dbs[0].dict.get('gone'), 'number');
  t.equal(loaded.dbs[0].get('gone'), undefined);
  t.notOk(loaded.dbs[0].dict.has('gone'));
  t.same(expired, ['gone']);
  loaded.dbs[0].expiryPaused = true;
  loaded.dbs[0].setExpire('kept', Date.now() - 1);
  t.equal(loaded.dbs[0].get('kept'), 'value', 'while the WAL replays nothing expires, cold or not');
});

t.test('the warm-up leaves no cold value, across SWAPDB and FLUSHDB, and drops the batches', async (t) => {
  const ks = sample();
  const { loaded } = await saveAndLoad(t, ks);
  const [d0, d1, d2] = loaded.dbs;
  const warmer = new ColdWarmer(loaded.dbs, d0.cold!);
  let steps = 0;
  while (!warmer.step(500)) {
    steps++;
    // Midway through db 1: the dict it walks moves to db 2, whose dict it has not walked;
    // then db 2's unwalked dict moves to db 0, walked already.
    if (steps === 18) d1.swapWith(d2);
    if (steps === 20) d0.swapWith(d1);
    if (steps === 25) {
      const n = d1.size;
      d1.clear();
      loaded.flushed(d1, n);
    }
  }
  t.ok(steps > 25);
  t.equal(coldCount(loaded), 0);
  for (const db of loaded.dbs) t.equal(db.cold, null, `db ${db.id} let go of the batches`);
  t.equal(d1.size, 0, 'FLUSHDB emptied db 1, holding what was db 0');
  t.equal(d2.get('big'), 'b'.repeat(300_000));
  t.equal(d2.get('k:1'), 'v:1\x00\xff');
  t.equal(d0.get('k:2'), 'v:2\x00\xff', "db 2's dict, moved to db 0 after db 0 was walked, is warm too");
});

t.test('checkpoints of a keyspace holding cold values write the values', async (t) => {
  const ks = sample();
  const { dir, loaded } = await saveAndLoad(t, ks);
  const tracker = new ChangeTracker();
  tracker.attach(loaded);
  // The same changes on a keyspace without cold values give the expected snapshot (a dump of
  // the loaded one would warm it).
  const changes = (k: Keyspace): void => {
    const [d0, d1, d2] = k.dbs;
    // Changed keys whose values stay cold: TTLs set.
    d0.setExpire('bytes', FAR + 5);
    d1.setExpire('big', FAR + 6);
    // A whole-db rewrite of dbs full of cold values.
    d1.swapWith(d2);
  };
  const mirror = sample();
  changes(mirror);
  const expected = dump(mirror);
  changes(loaded);
  const [d0, , d2] = loaded.dbs;
  t.equal(typeof d0.dict.get('bytes'), 'number');
  t.equal(typeof d2.dict.get('big'), 'number');
  t.ok(coldCount(loaded) > 10_000);

  const store = await SnapshotStore.open(dir, { databases: DATABASES, sliceMs: 0.25 });
  const during = store.checkpoint(loaded, tracker, 20);
  // FLUSHDB detaches db 2's dict (cold values the checkpoint still has to write), and the
  // warm-up finishes (db.cold null) before the checkpoint does.
  const n = d2.size;
  d2.clear();
  loaded.flushed(d2, n);
  const warmer = new ColdWarmer(loaded.dbs, d0.cold!);
  while (!warmer.step(1000));
  t.equal(d0.cold, null);
  await during;
  await store.close();
  const again = await load(dir);
  t.same(dump(again), expected, 'the snapshot holds the values as they were at its offset');
  t.equal(again.dbs[2].get('big'), 'b'.repeat(300_000));
  t.equal(again.dbs[2].expireAt('big'), FAR + 6);
});
