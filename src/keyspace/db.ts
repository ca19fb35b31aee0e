// One numbered database: the key → value map, the key → absolute-expiry map, and the
// expiry wheel the active cycle walks. Expired keys are removed lazily on access.

import type { Value } from './value';
import { ExpiryWheel } from './expiry-wheel';
import { ScanCursors } from './scan';

/** Told about keys the database removes by itself (lazy or active expiry). */
export interface ExpiryListener {
  keyExpired(db: Db, key: string): void;
}

export class Db {
  dict = new Map<string, Value>();
  expires = new Map<string, number>();
  wheel = new ExpiryWheel();
  /** Live iterators of SCANs in progress over this db's keys or its collections (scan.ts). */
  scans = new ScanCursors();
  avgTtl = 0;

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
    if (v === undefined || this.expires.size === 0) return v;
    const at = this.expires.get(key);
    if (at !== undefined && at <= Date.now()) {
      this.wheel.forget();
      this.expireNow(key);
      return undefined;
    }
    return v;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Sets a key, dropping any TTL it had (SET, MSET, GETSET semantics). */
  set(key: string, v: Value): void {
    this.dict.set(key, v);
    if (this.expires.size !== 0 && this.expires.delete(key)) this.wheel.forget();
  }

  /** Replaces the value of a key, keeping its TTL (APPEND, INCR, SETRANGE semantics). */
  replace(key: string, v: Value): void {
    this.dict.set(key, v);
  }

  delete(key: string): boolean {
    if (!this.dict.delete(key)) return false;
    if (this.expires.size !== 0 && this.expires.delete(key)) this.wheel.forget();
    return true;
  }

  /** Absolute expiry in ms, or undefined when the key has none. */
  expireAt(key: string): number | undefined {
    return this.expires.size === 0 ? undefined : this.expires.get(key);
  }

  setExpire(key: string, at: number): void {
    if (this.expires.has(key)) this.wheel.forget();
    this.expires.set(key, at);
    this.wheel.add(key, at);
  }

  persist(key: string): boolean {
    if (!this.expires.delete(key)) return false;
    this.wheel.forget();
    return true;
  }

  /** Removes a key whose time has come and tells the listener (stats, WAL, notifications). */
  expireNow(key: string): void {
    this.dict.delete(key);
    this.expires.delete(key);
    this.listener.keyExpired(this, key);
  }

  clear(): void {
    this.dict = new Map();
    this.expires = new Map();
    this.wheel.clear();
    this.scans.clear();
  }

  /** Exchanges contents with another db (SWAPDB). */
  swapWith(other: Db): void {
    [this.dict, other.dict] = [other.dict, this.dict];
    [this.expires, other.expires] = [other.expires, this.expires];
    [this.wheel, other.wheel] = [other.wheel, this.wheel];
    [this.scans, other.scans] = [other.scans, this.scans];
    [this.avgTtl, other.avgTtl] = [other.avgTtl, this.avgTtl];
  }
}
