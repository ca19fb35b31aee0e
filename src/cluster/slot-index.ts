// The per-slot key index of cluster mode: which keys of db 0 live in each hash slot, so
// CLUSTER COUNTKEYSINSLOT is O(1) and GETKEYSINSLOT costs O(keys returned). Db keeps it
// up to date when it is attached (Db.slots); standalone nodes have none.

import { keySlot, SLOT_COUNT } from './slot';

export class SlotIndex {
  private sets: Array<Set<string> | undefined> = new Array<Set<string> | undefined>(SLOT_COUNT);

  add(key: string): void {
    const slot = keySlot(key);
    let s = this.sets[slot];
    if (s === undefined) this.sets[slot] = s = new Set();
    s.add(key);
  }

  remove(key: string): void {
    const slot = keySlot(key);
    const s = this.sets[slot];
    if (s === undefined) return;
    s.delete(key);
    if (s.size === 0) this.sets[slot] = undefined;
  }

  count(slot: number): number {
    return this.sets[slot]?.size ?? 0;
  }

  /** Up to `max` keys of `slot`, in insertion order. */
  keys(slot: number, max: number): string[] {
    const out: string[] = [];
    const s = this.sets[slot];
    if (s === undefined || max <= 0) return out;
    for (const k of s) {
      out.push(k);
      if (out.length >= max) break;
    }
    return out;
  }

  clear(): void {
    this.sets = new Array<Set<string> | undefined>(SLOT_COUNT);
  }

  /** Rebuilds the index from every key of a map (attach to a loaded db, SWAPDB). */
  rebuild(keys: Iterable<string>): void {
    this.clear();
    for (const k of keys) this.add(k);
  }
}
