// Which keys changed since the last completed LMDB checkpoint, per database, so a checkpoint
// writes only those. It is every Db's WriteObserver (the one point every change goes through,
// lazy and active expiry included) and forwards writes to a checkpoint in progress.
//
// Usage: load the snapshot, then attach(keyspace) before replaying the WAL tail (replayed
// changes are not in the snapshot yet). pendingKeys / hasChanges feed INFO and auto-snapshot.

import type { Db, WriteObserver } from '../keyspace/db';
import type { Keyspace } from '../keyspace/keyspace';

/** What changed in one database since the last checkpoint. */
export interface DbChanges {
  /** Every key must be rewritten: the db was emptied or swapped (keys is then empty). */
  whole: boolean;
  /** Keys written, deleted or expired (value, TTL or existence). */
  keys: Set<string>;
}

export class ChangeTracker implements WriteObserver {
  private keyspace: Keyspace | null = null;
  private changes: DbChanges[] = [];
  /** The checkpoint in progress, told before each change (copy-on-write); null otherwise. */
  checkpointObserver: WriteObserver | null = null;

  /** Becomes the write observer of every db of `keyspace`. */
  attach(keyspace: Keyspace): void {
    if (this.keyspace !== null) throw new Error('change tracker already attached');
    for (const db of keyspace.dbs) {
      if (db.observer !== null) throw new Error(`db ${db.id} already has a write observer`);
    }
    this.keyspace = keyspace;
    this.changes = keyspace.dbs.map(() => ({ whole: false, keys: new Set<string>() }));
    for (const db of keyspace.dbs) db.observer = this;
  }

  detach(): void {
    const ks = this.keyspace;
    if (ks === null) return;
    for (const db of ks.dbs) if (db.observer === this) db.observer = null;
    this.keyspace = null;
  }

  /** Keys the next checkpoint will write (a wholly changed db counts all its keys). */
  get pendingKeys(): number {
    let n = 0;
    const dbs = this.keyspace?.dbs;
    this.changes.forEach((c, i) => {
      n += c.whole ? (dbs?.[i]?.size ?? 0) : c.keys.size;
    });
    return n;
  }

  /** True when the snapshot differs from memory (a flushed empty db has no pending keys). */
  get hasChanges(): boolean {
    return this.changes.some((c) => c.whole || c.keys.size !== 0);
  }

  beforeWrite(db: Db, key: string): void {
    const c = this.changes[db.id];
    if (!c.whole) c.keys.add(key);
    if (this.checkpointObserver !== null) this.checkpointObserver.beforeWrite(db, key);
  }

  beforeWholeDbChange(db: Db): void {
    const c = this.changes[db.id];
    c.whole = true;
    if (c.keys.size !== 0) c.keys = new Set();
    if (this.checkpointObserver !== null) this.checkpointObserver.beforeWholeDbChange(db);
  }

  /** Hands the changes so far to a checkpoint and starts recording afresh. */
  take(): DbChanges[] {
    const taken = this.changes;
    this.changes = taken.map(() => ({ whole: false, keys: new Set<string>() }));
    return taken;
  }

  /** A checkpoint failed: its changes are still pending, merged with those made since. */
  giveBack(taken: DbChanges[]): void {
    taken.forEach((t, i) => {
      const c = this.changes[i];
      if (c.whole) return;
      if (t.whole) {
        c.whole = true;
        c.keys = new Set();
      } else if (t.keys.size > c.keys.size) {
        // Merge the smaller set into the larger: giving back a million keys must not stall.
        for (const k of c.keys) t.keys.add(k);
        c.keys = t.keys;
      } else {
        for (const k of t.keys) c.keys.add(k);
      }
    });
  }
}
