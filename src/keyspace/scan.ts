// Position-free iteration over JS Maps and Sets for SCAN-style commands and random picks.
// A Map has no buckets to walk, so a SCAN cursor names a live Map iterator kept here (V8
// iterators survive inserts and deletes and visit, in insertion order, every entry present
// for the whole iteration exactly once); a cursor that is no longer held falls back to a
// fresh iterator skipping the number of entries the cursor says were already examined.

/** What SCAN can walk: a Map (its keys) or a Set. */
export interface ScanSource<K> {
  keys(): IterableIterator<K>;
  has(key: K): boolean;
  readonly size: number;
}

/**
 * A cursor is position * NONCE_SPACE + nonce: `position` is how many entries the iteration
 * has examined (used when the live iterator is gone), the nonce tells concurrent iterations
 * at the same position apart. Positions stay far below 2^31 (a V8 Map holds at most 2^24
 * entries), so cursors stay below 2^53 and print exactly as decimal integers.
 */
const NONCE_SPACE = 2 ** 22;

/** Live iterators kept per registry; the least recently used is dropped beyond this. */
const DEFAULT_CAPACITY = 256;

/**
 * An iterator nobody resumed for this long is dropped when the registry is next used: it
 * may pin a deleted collection (or an old V8 table of a live one) in memory.
 */
const IDLE_MS = 5 * 60 * 1000;

interface LiveScan {
  /** The collection walked; a cursor presented for another collection is not resumed. */
  source: object;
  /** Entries of `source` this iteration has examined so far. */
  position: number;
  /**
   * Element types differ between the collections a registry serves (a db's key map, a
   * set's members...); `step` only resumes an entry for the same `source`, so the element
   * type is the one the caller's ScanSource<K> declares.
   */
  iter: Iterator<unknown>;
  /** The entry read ahead to learn whether the iteration was over; examined next time. */
  lookahead: unknown;
  hasLookahead: boolean;
  lastUsed: number;
}

/**
 * Parses a SCAN cursor as Redis's parseScanCursorOrReply (strtoul base 10): optional sign,
 * digits, nothing after; no leading space; a negative value wraps modulo 2^64; beyond
 * 2^64-1 is an error; the empty string is 0. Returns undefined for an invalid cursor.
 * Values beyond 2^53 come back rounded, which only matters for cursors we never issue.
 */
export function parseScanCursor(s: string): number | undefined {
  // strtoul stops at the sds NUL terminator, so an embedded NUL ends the number.
  const nul = s.indexOf('\0');
  const text = nul >= 0 ? s.slice(0, nul) : s;
  if (text.length === 0) return 0;
  if (/^[ \t\n\v\f\r]/.test(s)) return undefined;
  const m = /^([+-]?)([0-9]+)$/.exec(text);
  if (m === null) return undefined;
  const digits = m[2];
  if (digits.length <= 15) {
    const n = Number(digits);
    return m[1] === '-' && n !== 0 ? Number(2n ** 64n - BigInt(n)) : n;
  }
  const big = BigInt(digits);
  if (big > 2n ** 64n - 1n) return undefined;
  return Number(m[1] === '-' && big !== 0n ? 2n ** 64n - big : big);
}

/**
 * SCAN cursors of one database (its key map and the collections stored in it): a bounded
 * LRU from cursor to live iterator. Cleared with the database.
 */
export class ScanCursors {
  /** Insertion order is recency order: an entry is removed when used and re-added after. */
  private readonly live = new Map<number, LiveScan>();
  private nonce = 0;

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  get size(): number {
    return this.live.size;
  }

  clear(): void {
    this.live.clear();
  }

  /**
   * One SCAN call: examines up to `count` entries of `source` from `cursor` (0 starts),
   * calling `visit` on each (it may delete the entry it is given), and returns the cursor
   * to continue from, 0 when the iteration is complete.
   */
  step<K>(source: ScanSource<K>, cursor: number, count: number, visit: (entry: K) => void, now = Date.now()): number {
    this.dropIdle(now);
    const scan = this.resume(source, cursor);
    if (scan === null) return 0;
    // Safe by the invariant on LiveScan.iter: this scan walks `source`, whose entries are K.
    const iter = scan.iter as Iterator<K>;
    let examined = 0;
    if (scan.hasLookahead) {
      const entry = scan.lookahead as K;
      scan.lookahead = undefined;
      scan.hasLookahead = false;
      examined++;
      // Deleted since it was read ahead: examined, but not reported.
      if (source.has(entry)) visit(entry);
    }
    while (examined < count) {
      const r = iter.next();
      if (r.done) return 0;
      examined++;
      visit(r.value);
    }
    // Read one entry ahead so the call that examines the last entry returns 0, as Redis does.
    const next = iter.next();
    if (next.done) return 0;
    scan.lookahead = next.value;
    scan.hasLookahead = true;
    scan.position += examined;
    scan.lastUsed = now;
    return this.park(scan);
  }

  /** The scan a cursor continues, or null when the cursor lies past the end. */
  private resume<K>(source: ScanSource<K>, cursor: number): LiveScan | null {
    const fresh = (position: number): LiveScan => ({
      source,
      position,
      iter: source.keys(),
      lookahead: undefined,
      hasLookahead: false,
      lastUsed: 0,
    });
    if (cursor === 0) return fresh(0);
    const held = this.live.get(cursor);
    if (held !== undefined && held.source === source) {
      // A cursor is used once: repeating it (a client retrying) takes the fallback below.
      this.live.delete(cursor);
      return held;
    }
    // Evicted, from another collection, from before a restart or SWAPDB: skip what the
    // cursor says was examined. Entries deleted meanwhile before that point shift the
    // order, so this path may miss entries, which the live path never does.
    const position = Math.floor(cursor / NONCE_SPACE);
    if (position >= source.size) return null;
    const scan = fresh(position);
    for (let i = 0; i < position; i++) scan.iter.next();
    return scan;
  }

  /** Stores a scan under a new cursor, evicting the least recently used beyond capacity. */
  private park(scan: LiveScan): number {
    let cursor: number;
    do {
      this.nonce = (this.nonce + 1) % NONCE_SPACE;
      cursor = scan.position * NONCE_SPACE + this.nonce;
    } while (this.live.has(cursor));
    this.live.set(cursor, scan);
    if (this.live.size > this.capacity) {
      const oldest = this.live.keys().next().value as number;
      this.live.delete(oldest);
    }
    return cursor;
  }

  private dropIdle(now: number): void {
    for (const [cursor, scan] of this.live) {
      if (now - scan.lastUsed < IDLE_MS) break;
      this.live.delete(cursor);
    }
  }
}

// ── Random picks ─────────────────────────────────────────────────────────────────────

/** Below this size a pick is exactly uniform; above it, see randomEntry. */
const WALK_SPAN = 64;

/** One persistent iterator per collection, dropped with the collection. */
const walks = new WeakMap<object, Iterator<unknown>>();

/**
 * A pseudo-random entry of `source` (undefined when empty) in O(WALK_SPAN) amortized time,
 * without random access. A persistent iterator per collection advances a uniform random
 * 0..2*WALK_SPAN-1 steps per pick (wrapping), and with probability WALK_SPAN/size restarts
 * at a uniformly random position (O(size), hence O(WALK_SPAN) amortized).
 *
 * Distribution caveat: over many picks every entry is equally likely, and collections of at
 * most WALK_SPAN entries get an exactly uniform pick every time; but in larger ones
 * successive picks are correlated, landing a few dozen entries apart in insertion order,
 * between the occasional uniform restarts. Redis's dictGetFairRandomKey is closer to
 * independent picks.
 */
export function randomEntry<K>(source: ScanSource<K>, random: () => number = Math.random): K | undefined {
  const size = source.size;
  if (size === 0) return undefined;
  // Safe: the WeakMap key is `source`, whose iterator yields K.
  let iter = walks.get(source) as Iterator<K> | undefined;
  let steps: number;
  if (iter === undefined || size <= WALK_SPAN || random() * size < WALK_SPAN) {
    iter = source.keys();
    walks.set(source, iter);
    steps = Math.floor(random() * size);
  } else {
    steps = Math.floor(random() * 2 * WALK_SPAN);
  }
  for (;;) {
    const r = iter.next();
    if (r.done) {
      // Wrapped around (an iterator that is done stays done): start over.
      iter = source.keys();
      walks.set(source, iter);
      continue;
    }
    if (steps-- === 0) return r.value;
  }
}

/**
 * `count` distinct entries of `source` (count < size), in no particular order, as Redis's
 * SRANDMEMBER/HRANDFIELD cases 3 and 4: when count is close to the size, a partial
 * Fisher-Yates shuffle of every entry (O(size)); otherwise random picks until `count`
 * distinct ones were drawn (O(count) expected).
 */
export function randomDistinct<K>(source: ScanSource<K>, count: number, random: () => number = Math.random): K[] {
  const size = source.size;
  if (count * 3 > size) {
    const all = [...source.keys()];
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(random() * (size - i));
      const t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    all.length = count;
    return all;
  }
  const picked = new Set<K>();
  while (picked.size < count) picked.add(randomEntry(source, random) as K);
  return [...picked];
}
