// The sorted set value type: a member → score Map for O(1) lookups plus a skip list for
// order, rank and ranges, with the encoding Redis 7.0 would report. Redis starts a sorted
// set as a listpack and converts it for good to a skiplist once it would hold more than
// zset-max-listpack-entries members or a member longer than zset-max-listpack-value bytes
// (zsetAdd); stored results (ZUNIONSTORE, ZRANGESTORE...) and loaded snapshots start as
// whichever fits (zsetConvertToListpackIfNeeded, rdbLoadObject). A listpack keeps scores as
// text and reads "-0" back as 0, so -0 becomes 0 while listpack-encoded.
// Also the snapshot codec of sorted sets (tag ValueTag.ZSet).

import type { TypedValue } from '../keyspace/value';
import type { Config } from '../config/config';
import { registerTypedValueCodec, type TypedValueCodec } from '../persistence/value-codec';
import { latin1 } from '../resp/latin1';
import { SkipList, type ZNode } from './skiplist';

/** The thresholds that decide a sorted set's encoding (from config). */
export interface ZSetLimits {
  maxListpackEntries: number;
  maxListpackValue: number;
}

/** Which end ZPOPMIN/ZPOPMAX and friends take from. */
export type ZSetEnd = 'min' | 'max';

export class ZSetValue implements TypedValue {
  readonly kind = 'zset';
  readonly scores = new Map<string, number>();
  readonly list = new SkipList();
  /** False once converted to a skiplist (Redis does not convert back in place). */
  listpack: boolean;

  constructor(listpack = true) {
    this.listpack = listpack;
  }

  /**
   * A new sorted set from members given in any order, encoded as Redis encodes a stored
   * result (zsetConvertToListpackIfNeeded): listpack when it fits both limits.
   */
  static fromEntries(entries: Iterable<readonly [string, number]>, limits: ZSetLimits): ZSetValue {
    const z = new ZSetValue(false);
    let longest = 0;
    for (const [member, score] of entries) {
      z.scores.set(member, score);
      z.list.insert(score, member);
      if (member.length > longest) longest = member.length;
    }
    if (z.size <= limits.maxListpackEntries && longest <= limits.maxListpackValue) z.toListpack();
    return z;
  }

  encoding(): string {
    return this.listpack ? 'listpack' : 'skiplist';
  }

  copy(): ZSetValue {
    const z = new ZSetValue(this.listpack);
    for (const n of this.list.nodes()) {
      z.scores.set(n.member, n.score);
      z.list.insert(n.score, n.member);
    }
    return z;
  }

  get size(): number {
    return this.scores.size;
  }

  score(member: string): number | undefined {
    return this.scores.get(member);
  }

  /** Inserts a member that is not there, converting to a skiplist as zsetAdd does. */
  insert(member: string, score: number, limits: ZSetLimits): void {
    if (this.listpack && (this.size + 1 > limits.maxListpackEntries || member.length > limits.maxListpackValue)) {
      this.listpack = false;
    }
    if (this.listpack && score === 0) score = 0; // -0 → 0
    this.scores.set(member, score);
    this.list.insert(score, member);
  }

  /** Changes the score of a member that is there. */
  update(member: string, oldScore: number, newScore: number): void {
    if (this.listpack && newScore === 0) newScore = 0;
    this.scores.set(member, newScore);
    this.list.updateScore(oldScore, member, newScore);
  }

  /** Removes a member; false when it was not there. */
  remove(member: string): boolean {
    const score = this.scores.get(member);
    if (score === undefined) return false;
    this.scores.delete(member);
    this.list.delete(score, member);
    return true;
  }

  /** Removes a node the caller found in `list`. */
  removeNode(node: ZNode): void {
    this.scores.delete(node.member);
    this.list.delete(node.score, node.member);
  }

  /** 0-based rank from the lowest (or, reversed, from the highest); -1 when absent. */
  rank(member: string, reverse: boolean): number {
    const score = this.scores.get(member);
    if (score === undefined) return -1;
    const r = this.list.rankOf(score, member);
    return reverse ? this.list.length - r : r - 1;
  }

  /** The node at a 0-based rank from the lowest. */
  at(rank: number): ZNode | null {
    return this.list.byRank(rank + 1);
  }

  /** The lowest or highest member. */
  end(end: ZSetEnd): ZNode | null {
    return end === 'min' ? this.list.first : this.list.tail;
  }

  private toListpack(): void {
    this.listpack = true;
    for (const n of this.list.nodes()) {
      if (n.score === 0 && Object.is(n.score, -0)) {
        n.score = 0;
        this.scores.set(n.member, 0);
      }
    }
  }
}

// ── Encoding limits from config ──────────────────────────────────────────────────────────

const limitsByConfig = new WeakMap<Config, ZSetLimits>();

/** The current zset-max-listpack-* values, kept up to date on CONFIG SET. */
export function zsetLimits(config: Config): ZSetLimits {
  let limits = limitsByConfig.get(config);
  if (limits === undefined) {
    const read = (): ZSetLimits => ({
      maxListpackEntries: Number(config.get('zset-max-listpack-entries')),
      maxListpackValue: Number(config.get('zset-max-listpack-value')),
    });
    const l = read();
    limits = l;
    limitsByConfig.set(config, l);
    config.onChange(['zset-max-listpack-entries', 'zset-max-listpack-value'], () => {
      Object.assign(l, read());
      return undefined;
    });
  }
  return limits;
}

// ── Snapshot codec ───────────────────────────────────────────────────────────────────────
// Payload: u32 LE member count, then per member in order: f64 LE score (the exact bits),
// u32 LE length, member bytes. The encoding is decided again on load, as Redis does when
// loading an RDB file, with the default limits (the codec has no config at hand).

const DEFAULT_LIMITS: ZSetLimits = { maxListpackEntries: 128, maxListpackValue: 64 };
let loadLimits: ZSetLimits = DEFAULT_LIMITS;

/** Makes snapshot loading use the node's configured limits. */
export function setZSetLoadLimits(limits: ZSetLimits): void {
  loadLimits = limits;
}

const zsetCodec: TypedValueCodec = {
  kind: 'zset',
  encodedSize(v: TypedValue): number {
    const z = v as ZSetValue;
    let size = 4;
    for (const member of z.scores.keys()) size += 12 + member.length;
    return size;
  },
  encode(v: TypedValue, buf: Buffer, pos: number): number {
    const z = v as ZSetValue;
    let p = buf.writeUInt32LE(z.size, pos);
    for (const n of z.list.nodes()) {
      p = buf.writeDoubleLE(n.score, p);
      p = buf.writeUInt32LE(n.member.length, p);
      p += buf.write(n.member, p, 'latin1');
    }
    return p;
  },
  decode(buf: Buffer, start: number, end: number): TypedValue {
    if (end - start < 4) throw new Error('snapshot zset payload too short');
    const count = buf.readUInt32LE(start);
    let p = start + 4;
    const entries: Array<[string, number]> = [];
    for (let i = 0; i < count; i++) {
      if (p + 12 > end) throw new Error('snapshot zset payload truncated');
      const score = buf.readDoubleLE(p);
      const len = buf.readUInt32LE(p + 8);
      p += 12;
      if (p + len > end) throw new Error('snapshot zset payload truncated');
      entries.push([latin1(buf, p, p + len), score]);
      p += len;
    }
    if (p !== end) throw new Error('snapshot zset payload has trailing bytes');
    return ZSetValue.fromEntries(entries, loadLimits);
  },
};

registerTypedValueCodec(zsetCodec);
