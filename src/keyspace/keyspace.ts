// All databases of a node plus what spans them: keyspace statistics, the dirty counter
// (writes since the last save), the active expiry cycle, and the hooks that later layers
// (WAL, replication, WATCH, notifications) attach to.

import { Db, type ExpiryListener } from './db';
import { NotifyClass, type NotifyClassFlag } from './notify-types';

/** Receives keyspace events (pub/sub keyspace notifications). */
export type NotifyHook = (cls: NotifyClassFlag, event: string, db: Db, key: string) => void;

export interface KeyspaceStats {
  expiredKeys: number;
  expiredStalePerc: number;
  expiredTimeCapReached: number;
  expireCycleCpuMs: number;
  keyspaceHits: number;
  keyspaceMisses: number;
}

/** Receives the effects of expiry so they can be logged and propagated as DEL. */
export type ExpiredHook = (db: Db, key: string) => void;

export class Keyspace implements ExpiryListener {
  readonly dbs: Db[];
  /** Changes since the last save (rdb_changes_since_last_save). */
  dirty = 0;
  readonly stats: KeyspaceStats = {
    expiredKeys: 0,
    expiredStalePerc: 0,
    expiredTimeCapReached: 0,
    expireCycleCpuMs: 0,
    keyspaceHits: 0,
    keyspaceMisses: 0,
  };
  activeExpireEnabled = true;
  private readonly expiredHooks: ExpiredHook[] = [];

  constructor(databases: number) {
    this.dbs = [];
    for (let i = 0; i < databases; i++) this.dbs.push(new Db(i, this));
  }

  /** Hooks told of every key a command changes (WATCH, notifications, slot index). */
  private readonly modifiedHooks: ExpiredHook[] = [];

  /** A command changed `key` in `db` (Redis's signalModifiedKey plus the dirty counter). */
  modified(db: Db, key: string): void {
    this.dirty++;
    if (this.modifiedHooks.length !== 0) for (const h of this.modifiedHooks) h(db, key);
  }

  onModified(hook: ExpiredHook): void {
    this.modifiedHooks.push(hook);
  }

  private readonly notifyHooks: NotifyHook[] = [];

  /**
   * A keyspace event happened (Redis's notifyKeyspaceEvent): every write command calls this
   * once per event it causes, with the class and event name Redis uses.
   */
  notify(cls: NotifyClassFlag, event: string, db: Db, key: string): void {
    if (this.notifyHooks.length !== 0) for (const h of this.notifyHooks) h(cls, event, db, key);
  }

  onNotify(hook: NotifyHook): void {
    this.notifyHooks.push(hook);
  }

  private readonly keyReadyHooks: ExpiredHook[] = [];

  /**
   * `key` in `db` may now serve clients blocked on it (Redis's signalKeyAsReady): a list,
   * sorted set or stream gained elements, or a key was created or replaced.
   */
  signalKeyAsReady(db: Db, key: string): void {
    if (this.keyReadyHooks.length !== 0) for (const h of this.keyReadyHooks) h(db, key);
  }

  onKeyReady(hook: ExpiredHook): void {
    this.keyReadyHooks.push(hook);
  }

  /**
   * Hooks told when FLUSHDB (a db) or FLUSHALL (null) is about to empty databases: they still
   * see the keys that go (WATCH breaks only for keys that existed, as Redis's signalFlushedDb).
   */
  private readonly flushedHooks: Array<(db: Db | null) => void> = [];

  onFlushed(hook: (db: Db | null) => void): void {
    this.flushedHooks.push(hook);
  }

  /** FLUSHDB (`db`) or FLUSHALL (null) is about to empty databases: runs the onFlushed hooks. */
  flushing(db: Db | null): void {
    for (const h of this.flushedHooks) h(db);
  }

  /**
   * FLUSHDB emptied `db`, or FLUSHALL (db null) every database: the removed keys count as
   * changes, plus one for FLUSHALL itself, as Redis counts them (server.dirty).
   */
  flushed(db: Db | null, removed: number): void {
    this.dirty += removed + (db === null ? 1 : 0);
  }

  /** Hooks told before SWAPDB exchanges two databases' contents (WATCH). */
  private readonly swapHooks: Array<(a: Db, b: Db) => void> = [];

  onSwap(hook: (a: Db, b: Db) => void): void {
    this.swapHooks.push(hook);
  }

  /** SWAPDB: exchanges the contents of two distinct databases, telling the hooks first. */
  swap(a: Db, b: Db): void {
    for (const h of this.swapHooks) h(a, b);
    a.swapWith(b);
  }

  onExpired(hook: ExpiredHook): void {
    this.expiredHooks.push(hook);
  }

  keyExpired(db: Db, key: string): void {
    this.stats.expiredKeys++;
    this.dirty++;
    this.notify(NotifyClass.Expired, 'expired', db, key);
    for (const h of this.expiredHooks) h(db, key);
  }

  keyAdded(db: Db, key: string): void {
    this.notify(NotifyClass.New, 'new', db, key);
  }

  /** Total keys across databases. */
  get keyCount(): number {
    let n = 0;
    for (const db of this.dbs) n += db.size;
    return n;
  }

  flushAll(): number {
    let removed = 0;
    for (const db of this.dbs) {
      removed += db.size;
      db.clear();
    }
    return removed;
  }

  /**
   * One active expiry cycle: deletes due keys across databases until `budgetMs` is spent.
   * Returns the number of keys removed.
   */
  activeExpireCycle(budgetMs: number): number {
    if (!this.activeExpireEnabled) return 0;
    const start = performance.now();
    const now = Date.now();
    let removed = 0;
    let looked = 0;
    for (const db of this.dbs) {
      if (db.expires.size === 0) {
        if (db.wheel.size > 0) db.wheel.clear();
        continue;
      }
      if (db.wheel.needsRebuild) db.wheel.rebuild(db.expires);
      const expires = db.expires;
      for (;;) {
        const seen = db.wheel.collect(now, 1024, (key) => {
          const at = expires.get(key);
          if (at !== undefined && at <= now) {
            db.expireNow(key);
            removed++;
          }
        });
        looked += seen;
        if (seen < 1024) break;
        if (performance.now() - start > budgetMs) {
          this.stats.expiredTimeCapReached++;
          break;
        }
      }
      if (performance.now() - start > budgetMs) break;
    }
    this.stats.expiredStalePerc = looked === 0 ? 0 : removed / looked;
    this.stats.expireCycleCpuMs += performance.now() - start;
    return removed;
  }
}
