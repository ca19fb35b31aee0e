// One numbered database: the key → value map, the key → absolute-expiry map, and the
// expiry wheel the active cycle walks. Expired keys are removed lazily on access.

import type { Value } from './value';
import type { ColdRef, ColdValues } from './cold-values';
import { ExpiryWheel } from './expiry-wheel';
import { ScanCursors } from './scan';
import type { SlotIndex } from '../cluster/slot-index';

/**
 * Told before anything in a db changes, so a snapshot in progress can keep the value as it
 * was (copy-on-write). Every change to a key goes through a Db method; a typed value
 * (list, hash, ...) is mutated in place only after getForWrite() returned it.
 */
export interface WriteObserver {
  /** `key` (value, TTL or existence) is about to change. */
  beforeWrite(db: Db, key: string): void;
  /** Every key of `db` is about to change at once (FLUSHDB/FLUSHALL, SWAPDB). */
  beforeWholeDbChange(db: Db): void;
}

/** Told about keys the database removes by itself (lazy or active expiry) and keys it gains. */
export interface ExpiryListener {
  keyExpired(db: Db, key: string): void;
  /** `key` did not exist and now does (Redis's dbAdd: the "new" keyspace event). */
  keyAdded(db: Db, key: string): void;
}

export class Db {
  /** Values are strings, typed values, or refs to string values a snapshot load left cold. */
  dict = new Map<string, Value | ColdRef>();
  expires = new Map<string, number>();
  wheel = new ExpiryWheel();
  /** Live iterators of SCANs in progress over this db's keys or its collections (scan.ts). */
  scans = new ScanCursors();
  avgTtl = 0;
  /** Set while a snapshot needs to see writes before they happen; null otherwise. */
  observer: WriteObserver | null = null;
  /**
   * True while the WAL is replayed: nothing expires, as in Redis while loading. The log holds
   * a DEL for every expiry the node saw, so replay must see keys as the logged commands did
   * (an INCR on a key that expired since would otherwise recreate it without its TTL).
   */
  expiryPaused = false;
  /** Cluster mode's per-slot key index (db 0 only); null on standalone nodes. */
  slots: SlotIndex | null = null;
  /** Where the cold values of the last load live, until the warm-up is done; null then. */
  cold: ColdValues | null = null;

  constructor(
    public id: number,
    private readonly listener: ExpiryListener,
  ) {}

  get size(): number {
    return this.dict.size;
  }

  /** The value of a live key, removing it first if its time has passed. */
  get(key: string): Value | undefined {
    const v = this.dict.get(key);
    if (v === undefined) return undefined;
    if (this.expires.size !== 0) {
      const at = this.expires.get(key);
      if (at !== undefined && at <= Date.now() && !this.expiryPaused) {
        this.wheel.forget();
        this.expireNow(key);
        return undefined;
      }
    }
    // A value a snapshot load left cold becomes a string on its first read.
    return typeof v === 'number' ? this.warm(key, v) : v;
  }

  /** The value of `key` whatever its TTL says (DEBUG OBJECT, snapshots); cold values are warmed. */
  peek(key: string): Value | undefined {
    const v = this.dict.get(key);
    return typeof v === 'number' ? this.warm(key, v) : v;
  }

  /** Replaces a cold ref with its string. Not a write: observers and the WAL are not told. */
  private warm(key: string, ref: ColdRef): string {
    const s = this.cold!.value(ref);
    this.dict.set(key, s);
    return s;
  }

  /**
   * Adds a key while the db is loaded from a snapshot: nothing observes the db yet, no client
   * waits on it and no TTL is there to drop. The slot index learns of it.
   */
  load(key: string, v: Value | ColdRef): void {
    const before = this.dict.size;
    this.dict.set(key, v);
    if (this.slots !== null && this.dict.size !== before) this.slots.add(key);
  }

  /**
   * The value of a live key that the caller is about to mutate in place (typed values).
   * Call it instead of get() in every write path that changes a value without a Db setter.
   */
  getForWrite(key: string): Value | undefined {
    const v = this.get(key);
    if (v !== undefined && this.observer !== null) this.observer.beforeWrite(this, key);
    return v;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Sets a key, dropping any TTL it had (SET, MSET, GETSET semantics). */
  set(key: string, v: Value): void {
    if (this.observer !== null) this.observer.beforeWrite(this, key);
    const before = this.dict.size;
    this.dict.set(key, v);
    if (this.dict.size !== before) this.keyAdded(key);
    if (this.expires.size !== 0 && this.expires.delete(key)) this.wheel.forget();
  }

  /** Replaces the value of a key, keeping its TTL (APPEND, INCR, SETRANGE semantics). */
  replace(key: string, v: Value): void {
    if (this.observer !== null) this.observer.beforeWrite(this, key);
    const before = this.dict.size;
    this.dict.set(key, v);
    if (this.dict.size !== before) this.keyAdded(key);
  }

  /** A key was created (not overwritten): the slot index and the listener learn of it. */
  private keyAdded(key: string): void {
    if (this.slots !== null) this.slots.add(key);
    this.listener.keyAdded(this, key);
  }

  delete(key: string): boolean {
    if (this.observer !== null && this.dict.has(key)) this.observer.beforeWrite(this, key);
    if (!this.dict.delete(key)) return false;
    if (this.slots !== null) this.slots.remove(key);
    if (this.expires.size !== 0 && this.expires.delete(key)) this.wheel.forget();
    return true;
  }

  /** Absolute expiry in ms, or undefined when the key has none. */
  expireAt(key: string): number | undefined {
    return this.expires.size === 0 ? undefined : this.expires.get(key);
  }

  setExpire(key: string, at: number): void {
    if (this.observer !== null) this.observer.beforeWrite(this, key);
    if (this.expires.has(key)) this.wheel.forget();
    this.expires.set(key, at);
    this.wheel.add(key, at);
  }

  persist(key: string): boolean {
    if (this.observer !== null && this.expires.has(key)) this.observer.beforeWrite(this, key);
    if (!this.expires.delete(key)) return false;
    this.wheel.forget();
    return true;
  }

  /** Removes a key whose time has come and tells the listener (stats, WAL, notifications). */
  expireNow(key: string): void {
    if (this.observer !== null) this.observer.beforeWrite(this, key);
    if (this.dict.delete(key) && this.slots !== null) this.slots.remove(key);
    this.expires.delete(key);
    this.listener.keyExpired(this, key);
  }

  clear(): void {
    if (this.observer !== null) this.observer.beforeWholeDbChange(this);
    this.dict = new Map();
    this.expires = new Map();
    if (this.slots !== null) this.slots.clear();
    this.wheel.clear();
    this.scans.clear();
  }

  /** Exchanges contents with another db (SWAPDB). */
  swapWith(other: Db): void {
    if (this.observer !== null) {
      this.observer.beforeWholeDbChange(this);
      this.observer.beforeWholeDbChange(other);
    }
    [this.dict, other.dict] = [other.dict, this.dict];
    [this.expires, other.expires] = [other.expires, this.expires];
    [this.wheel, other.wheel] = [other.wheel, this.wheel];
    [this.scans, other.scans] = [other.scans, this.scans];
    [this.avgTtl, other.avgTtl] = [other.avgTtl, this.avgTtl];
    // SWAPDB is refused in cluster mode; should a db with an index swap anyway, keep it true.
    if (this.slots !== null) this.slots.rebuild(this.dict.keys());
    if (other.slots !== null) other.slots.rebuild(other.dict.keys());
  }
}
