// The list value type: a double-ended queue of latin1 strings in a ring buffer (power-of-two
// capacity, grown and shrunk by halves), so pushes and pops at both ends are O(1) amortized
// and LINDEX/LSET/LRANGE reach any position directly. Also its snapshot codec.
//
// Redis 7.0 keeps every list as a quicklist (listpack-encoded small lists came in 7.2), so
// OBJECT ENCODING always reports "quicklist".

import type { TypedValue } from '../keyspace/value';
import { registerTypedValueCodec } from '../persistence/value-codec';

const MIN_CAPACITY = 8;

export class ListValue implements TypedValue {
  readonly kind = 'list' as const;
  private items: Array<string | undefined>;
  private head = 0;
  private size = 0;
  private mask: number;

  constructor(capacity = MIN_CAPACITY) {
    let cap = MIN_CAPACITY;
    while (cap < capacity) cap *= 2;
    this.items = new Array<string | undefined>(cap);
    this.mask = cap - 1;
  }

  /** A list holding `elements` in order. */
  static of(elements: readonly string[]): ListValue {
    const l = new ListValue(elements.length);
    for (let i = 0; i < elements.length; i++) l.items[i] = elements[i];
    l.size = elements.length;
    return l;
  }

  get length(): number {
    return this.size;
  }

  encoding(): string {
    return 'quicklist';
  }

  copy(): ListValue {
    return ListValue.of(this.range(0, this.size - 1));
  }

  // ── Ends ─────────────────────────────────────────────────────────────────────────────

  pushHead(s: string): void {
    if (this.size === this.items.length) this.resize(this.items.length * 2);
    this.head = (this.head - 1) & this.mask;
    this.items[this.head] = s;
    this.size++;
  }

  pushTail(s: string): void {
    if (this.size === this.items.length) this.resize(this.items.length * 2);
    this.items[(this.head + this.size) & this.mask] = s;
    this.size++;
  }

  /** Removes and returns the first element (undefined when empty). */
  popHead(): string | undefined {
    if (this.size === 0) return undefined;
    const s = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.size--;
    this.maybeShrink();
    return s;
  }

  popTail(): string | undefined {
    if (this.size === 0) return undefined;
    const i = (this.head + this.size - 1) & this.mask;
    const s = this.items[i];
    this.items[i] = undefined;
    this.size--;
    this.maybeShrink();
    return s;
  }

  // ── Positions (0 ≤ index < length; callers resolve negative indexes) ───────────────────

  at(index: number): string {
    return this.items[(this.head + index) & this.mask]!;
  }

  set(index: number, s: string): void {
    this.items[(this.head + index) & this.mask] = s;
  }

  /** The elements from `start` to `end` inclusive (0 ≤ start ≤ end < length, else empty). */
  range(start: number, end: number): string[] {
    const out: string[] = [];
    for (let i = start; i <= end; i++) out.push(this.items[(this.head + i) & this.mask]!);
    return out;
  }

  /** Inserts `s` so that it ends up at `index` (0 ≤ index ≤ length), moving the shorter side. */
  insertAt(index: number, s: string): void {
    if (index === 0) return this.pushHead(s);
    if (index === this.size) return this.pushTail(s);
    if (this.size === this.items.length) this.resize(this.items.length * 2);
    const m = this.mask;
    if (index < this.size / 2) {
      this.head = (this.head - 1) & m;
      for (let i = 0; i < index; i++) this.items[(this.head + i) & m] = this.items[(this.head + i + 1) & m];
    } else {
      for (let i = this.size; i > index; i--) this.items[(this.head + i) & m] = this.items[(this.head + i - 1) & m];
    }
    this.items[(this.head + index) & m] = s;
    this.size++;
  }

  /** Keeps only the elements from `start` to `end` inclusive (an empty range empties it). */
  trim(start: number, end: number): void {
    if (start > end || start >= this.size || end < 0) {
      this.items = new Array<string | undefined>(MIN_CAPACITY);
      this.mask = MIN_CAPACITY - 1;
      this.head = 0;
      this.size = 0;
      return;
    }
    const m = this.mask;
    for (let i = 0; i < start; i++) this.items[(this.head + i) & m] = undefined;
    for (let i = end + 1; i < this.size; i++) this.items[(this.head + i) & m] = undefined;
    this.head = (this.head + start) & m;
    this.size = end - start + 1;
    this.maybeShrink();
  }

  /** Keeps the elements for which `keep` is true, in order; returns how many were removed. */
  filter(keep: (s: string, index: number) => boolean): number {
    const m = this.mask;
    let w = 0;
    for (let r = 0; r < this.size; r++) {
      const s = this.items[(this.head + r) & m]!;
      if (keep(s, r)) this.items[(this.head + w++) & m] = s;
    }
    const removed = this.size - w;
    for (let i = w; i < this.size; i++) this.items[(this.head + i) & m] = undefined;
    this.size = w;
    this.maybeShrink();
    return removed;
  }

  private maybeShrink(): void {
    const cap = this.items.length;
    if (cap > MIN_CAPACITY && this.size < cap / 4) this.resize(cap / 2);
  }

  private resize(cap: number): void {
    const next = new Array<string | undefined>(cap);
    for (let i = 0; i < this.size; i++) next[i] = this.items[(this.head + i) & this.mask];
    this.items = next;
    this.mask = cap - 1;
    this.head = 0;
  }
}

// ── Snapshot codec ─────────────────────────────────────────────────────────────────────────
// Payload: u32 LE element count | per element: u32 LE length, bytes (latin1), head first.

registerTypedValueCodec({
  kind: 'list',
  encodedSize(v: TypedValue): number {
    const l = v as ListValue;
    let n = 4;
    for (let i = 0; i < l.length; i++) n += 4 + l.at(i).length;
    return n;
  },
  encode(v: TypedValue, buf: Buffer, pos: number): number {
    const l = v as ListValue;
    let p = buf.writeUInt32LE(l.length, pos);
    for (let i = 0; i < l.length; i++) {
      const s = l.at(i);
      p = buf.writeUInt32LE(s.length, p);
      p += buf.write(s, p, 'latin1');
    }
    return p;
  },
  decode(buf: Buffer, start: number, end: number): TypedValue {
    if (end - start < 4) throw new Error('list snapshot payload too short');
    const count = buf.readUInt32LE(start);
    const l = new ListValue(count);
    let p = start + 4;
    for (let i = 0; i < count; i++) {
      if (p + 4 > end) throw new Error('list snapshot payload past its end');
      const len = buf.readUInt32LE(p);
      p += 4;
      if (p + len > end) throw new Error('list snapshot payload past its end');
      l.pushTail(buf.toString('latin1', p, p + len));
      p += len;
    }
    if (p !== end) throw new Error('list snapshot payload has trailing bytes');
    return l;
  },
});
