// Crash safety of LMDB checkpoints: a child process checkpoints round after round and is
// SIGKILLed at random moments; the snapshot left behind must always load as exactly the
// state of one complete checkpoint, with that checkpoint's offset.
//
// The same file is the child when CINNABAR_SNAPSHOT_CRASH_CHILD names a directory.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyspace } from '../../src/keyspace/keyspace';
import { ChangeTracker } from '../../src/persistence/change-tracker';
import { SnapshotStore } from '../../src/persistence/snapshot';

const DATABASES = 3;
const ROUNDS = 10;
/** TTLs are fixed instants, far past or far ahead, so both processes compute the same state. */
const FAR = 4_000_000_000_000;
const PAST = 1000;

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return Math.floor((s / 2 ** 32) * n);
  };
}

/** The changes of round `round` (1-based); the state at offset r is rounds 1..r applied. */
function applyRound(ks: Keyspace, round: number): void {
  const rand = rng(round * 7919);
  const [d0, d1, d2] = ks.dbs;
  if (round % 3 === 0) {
    const n = d1.size;
    d1.clear();
    ks.flushed(d1, n);
  }
  if (round % 4 === 0) d0.swapWith(d2);
  const n = round === 1 ? 40_000 : 25_000;
  for (let i = 0; i < n; i++) {
    const db = ks.dbs[rand(DATABASES)];
    const key = 'k' + rand(60_000);
    const r = rand(10);
    if (r < 6) db.set(key, `r${round}:${i}:`.padEnd(64, 'x'));
    else if (r < 8) db.delete(key);
    else if (r < 9) {
      if (db.get(key) !== undefined) db.setExpire(key, FAR + i);
    } else if (db.get(key) !== undefined) db.setExpire(key, PAST);
  }
}

function dump(ks: Keyspace): string[] {
  const now = Date.now();
  const out: string[] = [];
  for (const db of ks.dbs) {
    for (const k of db.dict.keys()) {
      const v = db.peek(k);
      const at = db.expires.get(k);
      if (at !== undefined && at <= now) continue;
      out.push(`${db.id} ${k} ${String(v)} ${at ?? ''}`);
    }
  }
  return out.sort();
}

async function child(dir: string): Promise<void> {
  const ks = new Keyspace(DATABASES);
  const tracker = new ChangeTracker();
  tracker.attach(ks);
  const store = await SnapshotStore.open(dir, { databases: DATABASES });
  for (let round = 1; round <= ROUNDS; round++) {
    applyRound(ks, round);
    await store.checkpoint(ks, tracker, round);
    process.stdout.write(`committed ${round}\n`);
  }
  await store.close();
}

async function parent(): Promise<void> {
  const { default: t } = await import('tap');
  t.test('a SIGKILL at any moment leaves one complete checkpoint', async (t) => {
    const rand = rng(Date.now());
    const loadedAt = new Map<number, string[][]>();
    for (let attempt = 0; attempt < 4; attempt++) {
      const dir = mkdtempSync(join(tmpdir(), 'cinnabar-snapcrash-'));
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      const proc = spawn(process.execPath, [__filename], {
        env: { ...process.env, CINNABAR_SNAPSHOT_CRASH_CHILD: dir },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      // Kill once the first checkpoint is durable, somewhere in the rounds after it.
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (out.includes('committed 1\n')) resolve();
          else proc.stdout.once('data', check);
        };
        check();
      });
      const delay = rand(600);
      await new Promise((r) => setTimeout(r, delay));
      // It may have finished every round already.
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
      const lastReported = Math.max(...[...out.matchAll(/committed (\d+)/g)].map((m) => Number(m[1])));

      const store = await SnapshotStore.open(dir, { databases: DATABASES });
      const loaded = new Keyspace(DATABASES);
      const r = await store.load(loaded);
      await store.close();
      const offset = r.offset ?? 0;
      t.ok(offset >= lastReported && offset <= lastReported + 1, `killed after ${delay} ms: offset ${offset}, last reported ${lastReported}`);
      loadedAt.set(offset, [...(loadedAt.get(offset) ?? []), dump(loaded)]);
    }
    // Replay the rounds once and compare each snapshot with the state at its offset.
    const ks = new Keyspace(DATABASES);
    const last = Math.max(...loadedAt.keys());
    for (let round = 1; round <= last; round++) {
      applyRound(ks, round);
      const dumps = loadedAt.get(round);
      if (dumps === undefined) continue;
      const expected = dump(ks);
      for (const d of dumps) t.same(d, expected, `the snapshot at offset ${round} is exactly that checkpoint's state`);
    }
  });
}

const childDir = process.env.CINNABAR_SNAPSHOT_CRASH_CHILD;
if (childDir !== undefined) {
  child(childDir).catch((e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exit(1);
  });
} else {
  void parent();
}
