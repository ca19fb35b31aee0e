// WATCH bookkeeping (Redis 7.0 multi.c): which clients watch which keys, per database, and
// the rules that break a watch — a write or expiry of the key, FLUSHDB/FLUSHALL of a key that
// existed, SWAPDB bringing in or taking away the key, and at EXEC a key whose time passed
// since WATCH. A write costs one Map lookup while anything is watched, nothing otherwise.

import type { Client } from '../server/client';
import type { Db } from './db';
import type { Keyspace } from './keyspace';

/** One key watched by one client. */
export interface WatchedKey {
  readonly client: Client;
  readonly db: Db;
  readonly key: string;
  /**
   * The key was already past its TTL (but not yet removed) when WATCH ran: its removal by
   * expiry is then no logical change (watchedKey.expired in Redis 7.0).
   */
  expired: boolean;
}

/** keyIsExpired: the key is still in the dict but its time has passed. */
function isExpired(db: Db, key: string): boolean {
  const at = db.expireAt(key);
  return at !== undefined && at <= Date.now() && !db.expiryPaused;
}

export class WatchRegistry {
  /** Per database index: key → the watches on it. */
  private readonly byDb: Array<Map<string, Set<WatchedKey>>>;
  /** Keys watched across all databases (0: every hook returns at once). */
  private watchedKeys = 0;

  constructor(keyspace: Keyspace) {
    this.byDb = keyspace.dbs.map(() => new Map());
    keyspace.onModified((db, key) => this.touch(db, key));
    keyspace.onExpired((db, key) => this.touch(db, key));
    keyspace.onFlushed((db) => {
      if (this.watchedKeys === 0) return;
      for (const d of db === null ? keyspace.dbs : [db]) this.touchAllInDb(d, null);
    });
    keyspace.onSwap((a, b) => {
      if (this.watchedKeys === 0) return;
      this.touchAllInDb(a, b);
      this.touchAllInDb(b, a);
    });
  }

  /** WATCH key in the client's current database (watchForKey). */
  watch(c: Client, key: string): void {
    const db = c.db;
    const list = (c.watched ??= []);
    for (const wk of list) if (wk.db === db && wk.key === key) return;
    const wk: WatchedKey = { client: c, db, key, expired: isExpired(db, key) };
    list.push(wk);
    const map = this.byDb[db.id];
    let set = map.get(key);
    if (set === undefined) {
      set = new Set();
      map.set(key, set);
      this.watchedKeys++;
    }
    set.add(wk);
  }

  /** UNWATCH, EXEC, DISCARD, RESET, disconnect (unwatchAllKeys); leaves the flags alone. */
  unwatchAll(c: Client): void {
    const list = c.watched;
    if (list === null) return;
    c.watched = null;
    for (const wk of list) {
      const map = this.byDb[wk.db.id];
      const set = map.get(wk.key);
      if (set === undefined) continue;
      set.delete(wk);
      if (set.size === 0) {
        map.delete(wk.key);
        this.watchedKeys--;
      }
    }
  }

  /** At EXEC: a watched key (not already expired at WATCH) is now past its TTL. */
  expiredSinceWatch(c: Client): boolean {
    if (c.watched === null) return false;
    for (const wk of c.watched) if (!wk.expired && isExpired(wk.db, wk.key)) return true;
    return false;
  }

  /** Marks the client's transaction as failing; its watches are of no more use. */
  private breakWatch(c: Client): void {
    c.watchBroken = true;
    this.unwatchAll(c);
  }

  /** A key was written or removed (touchWatchedKey). */
  touch(db: Db, key: string): void {
    if (this.watchedKeys === 0) return;
    const set = this.byDb[db.id].get(key);
    if (set === undefined) return;
    for (const wk of set) {
      if (wk.expired) {
        // Removing a key that had expired already at WATCH time changes nothing logically;
        // nor does touching it while it is still there and expired. A live new value does.
        if (!db.dict.has(key)) {
          wk.expired = false;
          continue;
        }
        if (isExpired(db, key)) continue;
        wk.expired = false;
      }
      this.breakWatch(wk.client);
    }
  }

  /**
   * FLUSHDB/FLUSHALL (replacedWith null) or SWAPDB is about to replace the contents of
   * `emptied` (touchAllWatchedKeysInDb): a watch breaks when its key exists in either.
   */
  private touchAllInDb(emptied: Db, replacedWith: Db | null): void {
    const map = this.byDb[emptied.id];
    if (map.size === 0) return;
    const broken: Client[] = [];
    for (const [key, set] of map) {
      const inEmptied = emptied.dict.has(key);
      const inReplacement = replacedWith !== null && replacedWith.dict.has(key);
      if (!inEmptied && !inReplacement) continue;
      for (const wk of set) {
        if (wk.expired) {
          if (!inReplacement) {
            // The expired key goes away: no logical change.
            wk.expired = false;
            continue;
          }
          if (isExpired(replacedWith!, key)) continue;
        } else if (!inEmptied && isExpired(replacedWith!, key)) {
          // A missing key is replaced by one that has expired already.
          wk.expired = true;
          continue;
        }
        broken.push(wk.client);
      }
    }
    for (const c of broken) this.breakWatch(c);
  }
}
