// Time-bucketed index of keys with a TTL, so the active expiry cycle finds due keys without
// scanning the keyspace. Entries are hints: a key may have been given a new TTL, persisted or
// deleted since; the cycle checks the db's real expiry before deleting. Stale hints are
// counted and the wheel is rebuilt from the db when they outnumber live ones.

const BUCKET_MS = 128;

export class ExpiryWheel {
  private readonly buckets = new Map<number, string[]>();
  /** Min-heap of bucket ids present in `buckets`. */
  private readonly heap: number[] = [];
  /** Position reached inside bucket `cursorBucket` by a previous, interrupted cycle. */
  private cursor = 0;
  private cursorBucket = -1;
  private stale = 0;
  private live = 0;

  get size(): number {
    return this.live + this.stale;
  }

  add(key: string, at: number): void {
    const id = Math.floor(at / BUCKET_MS);
    let keys = this.buckets.get(id);
    if (keys === undefined) {
      keys = [];
      this.buckets.set(id, keys);
      this.heapPush(id);
    }
    keys.push(key);
    this.live++;
  }

  /** A hint became stale (TTL replaced or removed, key deleted). */
  forget(): void {
    this.stale++;
    this.live--;
  }

  /** True when stale hints dominate and the owner should call rebuild(). */
  get needsRebuild(): boolean {
    return this.stale > 4096 && this.stale > this.live;
  }

  rebuild(expires: Map<string, number>): void {
    this.buckets.clear();
    this.heap.length = 0;
    this.cursor = 0;
    this.stale = 0;
    this.live = 0;
    for (const [key, at] of expires) this.add(key, at);
  }

  clear(): void {
    this.buckets.clear();
    this.heap.length = 0;
    this.cursor = 0;
    this.stale = 0;
    this.live = 0;
  }

  /**
   * Offers keys from buckets due at `now` to `visit`, at most `limit` of them. `visit` returns
   * true when it deleted the key. Returns the number of hints consumed.
   */
  collect(now: number, limit: number, visit: (key: string) => void): number {
    // Only buckets wholly in the past: every live key in them has expired, so no hint of a
    // key that is still alive is consumed.
    const due = Math.floor(now / BUCKET_MS) - 1;
    let seen = 0;
    while (this.heap.length > 0 && seen < limit) {
      const id = this.heap[0];
      if (id > due) break;
      const keys = this.buckets.get(id)!;
      if (id !== this.cursorBucket) {
        // An earlier bucket appeared while another was half done: start it from the top.
        this.cursorBucket = id;
        this.cursor = 0;
      }
      while (this.cursor < keys.length && seen < limit) {
        const key = keys[this.cursor++];
        seen++;
        visit(key);
      }
      if (this.cursor < keys.length) break;
      // Bucket finished: hints in it are consumed, whether they expired or were stale.
      this.buckets.delete(id);
      this.heapPop();
      this.cursor = 0;
      this.consumed(keys.length);
    }
    return seen;
  }

  private consumed(n: number): void {
    // Each consumed hint was either live (now expired or re-added elsewhere) or stale.
    const fromStale = Math.min(n, this.stale);
    this.stale -= fromStale;
    this.live -= n - fromStale;
    if (this.live < 0) this.live = 0;
  }

  private heapPush(v: number): void {
    const h = this.heap;
    h.push(v);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p] <= v) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = v;
  }

  private heapPop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && h[r] < h[l] ? r : l;
      if (h[c] >= last) break;
      h[i] = h[c];
      i = c;
    }
    h[i] = last;
  }
}
