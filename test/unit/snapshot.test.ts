// LMDB snapshots: a checkpoint at offset O reproduces the keyspace as it was at O (TTLs
// included) even while it keeps changing — writes, deletions, expiry, FLUSHDB, SWAPDB, moves —
// during the checkpoint; those changes land in the next one. A checkpoint that is rolled
// back or whose worker dies leaves the previous snapshot and keeps its keys pending.

import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { Keyspace } from '../../src/keyspace/keyspace';
import type { TypedValue } from '../../src/keyspace/value';
import { ChangeTracker } from '../../src/persistence/change-tracker';
import { SnapshotStore, type LoadResult } from '../../src/persistence/snapshot';

const DATABASES = 4;
/** Load-time clock: every TTL in these tests is either long past or far ahead of it. */
const NOW = Date.now() + 3_600_000;
const FAR = NOW + 10 * 86_400_000;

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'cinnabar-snapshot-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Deterministic PRNG so a failure can be replayed. */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return Math.floor((s / 2 ** 32) * n);
  };
}

/** Every live key as `db key value ttl`, sorted: what a restart at `now` must reproduce. */
function dump(ks: Keyspace, now = NOW): string[] {
  const out: string[] = [];
  for (const db of ks.dbs) {
    for (const k of db.dict.keys()) {
      const v = db.peek(k);
      const at = db.expires.get(k);
      if (at !== undefined && at <= now) continue;
      out.push(JSON.stringify([db.id, k, v, at ?? null]));
    }
  }
  return out.sort();
}

async function reload(dir: string, now = NOW): Promise<{ ks: Keyspace; r: LoadResult }> {
  const store = await SnapshotStore.open(dir, { databases: DATABASES });
  try {
    const ks = new Keyspace(DATABASES);
    const r = await store.load(ks, now);
    return { ks, r };
  } finally {
    await store.close();
  }
}

/** A key from a pool small enough for overwrites, with binary, empty and long ones. */
function keyFor(rand: (n: number) => number): string {
  const i = rand(6000);
  if (i === 0) return '';
  if (i < 5) return String.fromCharCode(i, 0, 255) + 'bin';
  if (i < 8) return 'long:' + String(i).repeat(300);
  return 'key:' + i;
}

/** Redis-like writes to one key through the Db API, as the command handlers make them. */
function randomOp(ks: Keyspace, rand: (n: number) => number, serial: number): void {
  const db = ks.dbs[rand(DATABASES)];
  const key = keyFor(rand);
  const r = rand(100);
  if (r < 35) {
    db.set(key, 'v' + serial + '\x00\xff'.repeat(rand(3)));
  } else if (r < 45) {
    if (db.get(key) !== undefined) db.replace(key, 'r' + serial);
  } else if (r < 60) {
    db.delete(key);
  } else if (r < 70) {
    if (db.get(key) !== undefined) db.setExpire(key, FAR + rand(1000));
  } else if (r < 75) {
    db.persist(key);
  } else if (r < 85) {
    // EXPIRE in the past, then removed lazily or by the active cycle.
    if (db.get(key) !== undefined) db.setExpire(key, Date.now() - 1);
    if (rand(2) === 0) db.get(key);
    else ks.activeExpireCycle(1);
  } else {
    // MOVE
    const dst = ks.dbs[rand(DATABASES)];
    const v = db.get(key);
    if (dst === db || v === undefined || dst.has(key)) return;
    const at = db.expireAt(key);
    dst.set(key, v);
    if (at !== undefined) dst.setExpire(key, at);
    db.delete(key);
  }
}

/** FLUSHDB, SWAPDB, FLUSHALL at set turns of the writes made during a checkpoint. */
function wholeDbOp(ks: Keyspace, turn: number): void {
  const [d0, d1, d2, d3] = ks.dbs;
  if (turn === 1) d0.swapWith(d1);
  if (turn === 2) {
    const n = d2.size;
    d2.clear();
    ks.flushed(d2, n);
  }
  if (turn === 3) d3.swapWith(d0);
  if (turn === 4) ks.flushed(null, ks.flushAll());
}

/** A keyspace whose changes are tracked, filled with `n` keys. */
function trackedKeyspace(seed: number, n: number): { ks: Keyspace; tracker: ChangeTracker; rand: (n: number) => number } {
  const ks = new Keyspace(DATABASES);
  const tracker = new ChangeTracker();
  tracker.attach(ks);
  const rand = rng(seed);
  populate(ks, rand, n);
  return { ks, tracker, rand };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function populate(ks: Keyspace, rand: (n: number) => number, n: number): void {
  for (let i = 0; i < n; i++) {
    const db = ks.dbs[rand(DATABASES)];
    const key = i % 97 === 0 ? keyFor(rand) : 'p:' + i;
    db.set(key, 'value-' + i);
    const ttl = rand(10);
    if (ttl === 0) db.setExpire(key, Date.now() - 1000); // expired, still in memory
    else if (ttl < 3) db.setExpire(key, FAR + i);
  }
}

t.test('checkpoint then load reproduces the keyspace, TTLs included; expired keys are not loaded', async (t) => {
  const dir = tempDir(t);
  const { ks, tracker } = trackedKeyspace(1, 5000);
  ks.dbs[3].set('', '');
  ks.dbs[3].set('x'.repeat(1000), 'y'.repeat(100_000));
  const expiredInMemory = ks.dbs.reduce((n, db) => n + [...db.expires.values()].filter((at) => at <= NOW).length, 0);
  t.ok(expiredInMemory > 0);
  t.equal(tracker.pendingKeys, ks.keyCount);

  const store = await SnapshotStore.open(dir, { databases: DATABASES });
  t.equal(store.coveredOffset, null, 'no snapshot yet');
  const r = await store.checkpoint(ks, tracker, 1234);
  t.equal(r.offset, 1234);
  t.equal(r.keysWritten, ks.keyCount);
  t.equal(r.keyCount, ks.keyCount);
  t.equal(store.coveredOffset, 1234);
  t.equal(tracker.pendingKeys, 0);
  t.notOk(tracker.hasChanges);
  await store.close();

  const { ks: loaded, r: lr } = await reload(dir);
  t.equal(lr.offset, 1234);
  t.equal(lr.expiredSkipped, expiredInMemory);
  t.equal(lr.keys, ks.keyCount - expiredInMemory);
  t.same(dump(loaded), dump(ks));
  t.equal(loaded.dbs[3].get('x'.repeat(1000)), 'y'.repeat(100_000));
  t.equal(loaded.dbs[3].get(''), '');

  // Before a WAL replay every key is loaded: logged commands may touch keys expired since.
  const all = await reload(dir, -Infinity);
  t.equal(all.r.expiredSkipped, 0);
  t.equal(all.r.keys, ks.keyCount);
  t.same(dump(all.ks, -Infinity), dump(ks, -Infinity));
});

t.test('a preloading store streams the snapshot before load() asks; load() gets all of it, early or late', async (t) => {
  const dir = tempDir(t);
  // Big enough for several batches (they start at 16 KiB and grow), in every db.
  const { ks, tracker } = trackedKeyspace(5, 40_000);
  const store = await SnapshotStore.open(dir, { databases: DATABASES });
  await store.checkpoint(ks, tracker, 77);
  await store.close();
  const expected = dump((await reload(dir, -Infinity)).ks, -Infinity);
  t.ok(expected.length > 30_000);

  // load() right away: part of the stream has arrived, the rest comes while it runs.
  const early = await SnapshotStore.open(dir, { databases: DATABASES, preload: true });
  const ks1 = new Keyspace(DATABASES);
  const r1 = await early.load(ks1, -Infinity);
  t.equal(r1.offset, 77);
  t.same(dump(ks1, -Infinity), expected);
  // Later requests talk to the worker as usual.
  t.equal((await early.checkpoint(ks1, new ChangeTracker(), 78)).offset, 78);
  await early.close();

  // load() after the whole stream arrived.
  const late = await SnapshotStore.open(dir, { databases: DATABASES, preload: true });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const ks2 = new Keyspace(DATABASES);
  const r2 = await late.load(ks2, NOW);
  t.equal(r2.offset, 78);
  t.equal(r2.keys + r2.expiredSkipped, expected.length);
  t.same(dump(ks2), dump(ks1));
  await late.close();

  // A preloaded stream is for a keyspace of the store's database count only.
  const other = await SnapshotStore.open(dir, { databases: DATABASES, preload: true });
  t.teardown(() => other.close());
  await t.rejects(other.load(new Keyspace(DATABASES - 1)), /preloaded for 4 databases, loaded into 3/);
});

t.test('incremental checkpoints write only what changed, including whole-db changes', async (t) => {
  const dir = tempDir(t);
  const { ks, tracker } = trackedKeyspace(2, 3000);
  const store = await SnapshotStore.open(dir, { databases: DATABASES });
  t.teardown(() => store.close());
  await store.checkpoint(ks, tracker, 10);

  const [d0, d1, d2, d3] = ks.dbs;
  d0.set('new', 'n');
  d0.delete('p:0');
  d0.set('p:0', 'again');
  const [k0, k1] = d0.dict.keys();
  d0.setExpire(k0, FAR);
  d0.delete(k1);
  t.equal(tracker.pendingKeys, 4);
  let r = await store.checkpoint(ks, tracker, 20);
  t.equal(r.keysWritten + r.keysDeleted, 4);
  t.equal(r.dbsRewritten, 0);
  t.same(dump((await reload(dir)).ks), dump(ks));

  const n1 = d1.size;
  d1.clear();
  ks.flushed(d1, n1);
  d1.set('after-flush', '1');
  d2.swapWith(d3);
  t.ok(tracker.hasChanges);
  r = await store.checkpoint(ks, tracker, 30);
  t.equal(r.dbsRewritten, 3);
  t.equal(r.keysWritten, 1 + d2.size + d3.size);
  t.same(dump((await reload(dir)).ks), dump(ks));

  // An empty FLUSHALL still has to reach the snapshot.
  ks.flushed(null, ks.flushAll());
  t.equal(tracker.pendingKeys, 0);
  t.ok(tracker.hasChanges);
  r = await store.checkpoint(ks, tracker, 40);
  t.equal(r.keyCount, 0);
  const { ks: empty, r: lr } = await reload(dir);
  t.equal(empty.keyCount, 0);
  t.equal(lr.offset, 40);
});

t.test('changes during a checkpoint are not in it, and are in the next one', async (t) => {
  for (const seed of [11, 12, 13]) {
    const rand = rng(seed);
    const dir = tempDir(t);
    const ks = new Keyspace(DATABASES);
    const tracker = new ChangeTracker();
    tracker.attach(ks);
    populate(ks, rand, 20_000);
    // Short slices: many turns of writes interleave with serialization on any machine.
    let store = await SnapshotStore.open(dir, { databases: DATABASES, sliceMs: 0.25 });
    await store.checkpoint(ks, tracker, 100);
    // Whole-db rewrites and per-key changes pending for the checkpoint under test.
    ks.dbs[1].clear();
    populate(ks, rand, 10_000);
    ks.dbs[2].swapWith(ks.dbs[3]);
    for (let i = 0; i < 2000; i++) randomOp(ks, rand, i);

    const expected = dump(ks);
    const during = store.checkpoint(ks, tracker, 200);
    let settled = false;
    let turns = 0;
    let serial = 10_000;
    void during.finally(() => (settled = true));
    await new Promise<void>((resolve) => {
      const turn = (): void => {
        if (settled) return resolve();
        turns++;
        wholeDbOp(ks, turns);
        // Writes while the main thread serializes; then only the worker's commit is left.
        if (turns < 50) for (let i = 0; i < 30; i++) randomOp(ks, rand, serial++);
        setImmediate(turn);
      };
      setImmediate(turn);
    });
    const r = await during;
    // Slices and turns alternate (both setImmediate): the whole-db changes of turns 1-4 came
    // while keys were still being serialized.
    t.ok(r.slices > 4, `seed ${seed}: the checkpoint ran over ${r.slices} slices`);
    await store.close();
    const first = await reload(dir);
    t.equal(first.r.offset, 200);
    t.same(dump(first.ks), expected, `seed ${seed}: the snapshot holds the state at its offset`);

    const expectedNext = dump(ks);
    store = await SnapshotStore.open(dir, { databases: DATABASES });
    await store.checkpoint(ks, tracker, 300);
    await store.close();
    const next = await reload(dir);
    t.equal(next.r.offset, 300);
    t.same(dump(next.ks), expectedNext, `seed ${seed}: the next checkpoint has the changes made during the first`);
  }
});

t.test('a checkpoint rolled back by close() leaves the previous snapshot; its keys stay pending', async (t) => {
  const dir = tempDir(t);
  const { ks, tracker, rand } = trackedKeyspace(5, 2000);
  let store = await SnapshotStore.open(dir, { databases: DATABASES, sliceMs: 0.25 });
  await store.checkpoint(ks, tracker, 7);
  const atSeven = dump(ks);

  populate(ks, rand, 40_000);
  const pending = tracker.pendingKeys;
  const cp = store.checkpoint(ks, tracker, 8);
  await t.rejects(store.checkpoint(ks, tracker, 9), /already running/);
  // 40k keys take several 2 ms slices: the commit is not sent yet.
  await nextTurn();
  ks.dbs[0].set('written-during', '1');
  const rejected = t.rejects(cp, /closed during a checkpoint/);
  await store.close();
  await rejected;
  t.equal(tracker.pendingKeys, pending + 1, 'the keys of the rolled-back checkpoint are pending again');

  const { ks: loaded, r } = await reload(dir);
  t.equal(r.offset, 7);
  t.same(dump(loaded), atSeven);

  store = await SnapshotStore.open(dir, { databases: DATABASES });
  t.equal(store.coveredOffset, 7);
  await store.checkpoint(ks, tracker, 10);
  await store.close();
  t.same(dump((await reload(dir)).ks), dump(ks));
});

t.test('a checkpoint whose worker dies fails; the next one starts a new worker and has everything', async (t) => {
  const dir = tempDir(t);
  const { ks, tracker, rand } = trackedKeyspace(6, 1000);
  const store = await SnapshotStore.open(dir, { databases: DATABASES, sliceMs: 0.25 });
  t.teardown(() => store.close());
  await store.checkpoint(ks, tracker, 1);
  const atOne = dump(ks);
  populate(ks, rand, 40_000);
  const cp = store.checkpoint(ks, tracker, 2);
  await nextTurn();
  // The worker is private: reach it as a crash would.
  const worker = (store as unknown as { worker: Worker | null }).worker;
  t.ok(worker);
  const rejected = t.rejects(cp, /snapshot worker exited/);
  await worker?.terminate();
  await rejected;
  t.equal(store.coveredOffset, 1);
  t.same(dump((await reload(dir)).ks), atOne);

  const r = await store.checkpoint(ks, tracker, 3);
  t.equal(r.offset, 3);
  t.same(dump((await reload(dir)).ks), dump(ks));
});

t.test('a value that cannot be serialized fails the checkpoint, not the command writing it', async (t) => {
  const dir = tempDir(t);
  const { ks, tracker } = trackedKeyspace(8, 20_000);
  const store = await SnapshotStore.open(dir, { databases: DATABASES, sliceMs: 0.25 });
  t.teardown(() => store.close());
  await store.checkpoint(ks, tracker, 1);
  const atOne = dump(ks);
  const unknown: TypedValue = { kind: 'hash', encoding: () => 'hashtable', copy: () => unknown };
  ks.dbs[0].set('typed', unknown);
  await t.rejects(store.checkpoint(ks, tracker, 2), /no snapshot codec for hash/);
  t.equal(tracker.pendingKeys, 1);

  // Overwritten during the next checkpoint before it was serialized (it is the last pending
  // key): its state at the offset is captured then, the error goes to the checkpoint and the
  // write itself goes through.
  ks.dbs[0].delete('typed');
  populate(ks, rng(9), 20_000);
  ks.dbs[1].set('typed-last', unknown);
  const cp = store.checkpoint(ks, tracker, 3);
  const rejected = t.rejects(cp, /no snapshot codec for hash/);
  await nextTurn();
  ks.dbs[1].set('typed-last', 'now a string');
  t.equal(ks.dbs[1].get('typed-last'), 'now a string');
  await rejected;
  t.equal(store.coveredOffset, 1);
  t.same(dump((await reload(dir)).ks), atOne);

  const r = await store.checkpoint(ks, tracker, 4);
  t.equal(r.offset, 4);
  t.same(dump((await reload(dir)).ks), dump(ks));
});

t.test('load wants an empty keyspace with enough databases', async (t) => {
  const dir = tempDir(t);
  const ks = new Keyspace(DATABASES);
  const tracker = new ChangeTracker();
  tracker.attach(ks);
  ks.dbs[3].set('k', 'v');
  const store = await SnapshotStore.open(dir, { databases: DATABASES });
  await store.checkpoint(ks, tracker, 1);
  await store.close();

  const again = await SnapshotStore.open(dir, { databases: DATABASES });
  t.teardown(() => again.close());
  await t.rejects(again.load(ks), /empty keyspace/);
  await t.rejects(again.load(new Keyspace(2)), /holds keys in db 3 but the server is configured with 2 databases/);
  await t.rejects(again.checkpoint(new Keyspace(DATABASES + 1), tracker, 2), /opened for 4/);
});
