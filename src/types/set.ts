// The set value type: members in a JS Set, with the encoding Redis 7.0 would report. Redis
// 7.0 has two: an intset while every member is a 64-bit integer in canonical form and there
// are at most set-max-intset-entries of them, a hashtable for good after that (t_set.c
// setTypeAdd). An intset keeps its members sorted, so replies that walk a whole intset come
// out in numeric order; members() reproduces that. Also the snapshot codec of sets.

import { isIntEncodable, type TypedValue } from '../keyspace/value';
import { registerTypedValueCodec, type TypedValueCodec } from '../persistence/value-codec';
import { latin1 } from '../resp/latin1';

/** Numeric order of two canonical int64 strings (intset order). */
function compareInts(a: string, b: string): number {
  if (a.length <= 15 && b.length <= 15) return Number(a) - Number(b);
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export class SetValue implements TypedValue {
  readonly kind = 'set';
  readonly members: Set<string>;
  /** True while Redis would keep this set as an intset. */
  intset: boolean;

  constructor(members = new Set<string>(), intset = true) {
    this.members = members;
    this.intset = intset;
  }

  /** An empty set with the encoding Redis's setTypeCreate picks for its first member. */
  static forFirstMember(member: string): SetValue {
    return new SetValue(new Set(), isIntEncodable(member));
  }

  encoding(): string {
    return this.intset ? 'intset' : 'hashtable';
  }

  copy(): SetValue {
    return new SetValue(new Set(this.members), this.intset);
  }

  get size(): number {
    return this.members.size;
  }

  has(member: string): boolean {
    return this.members.has(member);
  }

  /** Adds a member; true when it was not there. Converts the encoding as setTypeAdd does. */
  add(member: string, maxIntsetEntries: number): boolean {
    if (this.intset && !isIntEncodable(member)) this.intset = false;
    const before = this.members.size;
    this.members.add(member);
    if (this.members.size === before) return false;
    if (this.intset && this.members.size > maxIntsetEntries) this.intset = false;
    return true;
  }

  delete(member: string): boolean {
    return this.members.delete(member);
  }

  /** Every member in the order Redis walks the set: numeric for an intset. */
  ordered(): string[] {
    const out = [...this.members];
    if (this.intset) out.sort(compareInts);
    return out;
  }
}

// ── Snapshot codec ──────────────────────────────────────────────────────────────────────
// Payload, format version 1 of the snapshot entry (numbers on disk never change):
//   u8 encoding (0 intset, 1 hashtable) | u32 LE member count
//   | per member: u32 LE length, member bytes

export const SetEncodingByte = { Intset: 0, Hashtable: 1 } as const;

export const setCodec: TypedValueCodec = {
  kind: 'set',
  encodedSize(v: TypedValue): number {
    const s = v as SetValue;
    let n = 5;
    for (const m of s.members) n += 4 + m.length;
    return n;
  },
  encode(v: TypedValue, buf: Buffer, pos: number): number {
    const s = v as SetValue;
    buf[pos] = s.intset ? SetEncodingByte.Intset : SetEncodingByte.Hashtable;
    let p = buf.writeUInt32LE(s.members.size, pos + 1);
    for (const m of s.members) {
      p = buf.writeUInt32LE(m.length, p);
      p += buf.write(m, p, 'latin1');
    }
    return p;
  },
  decode(buf: Buffer, start: number, end: number): SetValue {
    if (end - start < 5) throw new Error('snapshot set payload too short');
    const enc = buf[start];
    if (enc !== SetEncodingByte.Intset && enc !== SetEncodingByte.Hashtable) {
      throw new Error(`snapshot set has unknown encoding ${enc}`);
    }
    const count = buf.readUInt32LE(start + 1);
    const members = new Set<string>();
    let p = start + 5;
    for (let i = 0; i < count; i++) {
      if (p + 4 > end) throw new Error('snapshot set payload past its end');
      const len = buf.readUInt32LE(p);
      p += 4;
      if (p + len > end) throw new Error('snapshot set payload past its end');
      members.add(latin1(buf, p, p + len));
      p += len;
    }
    if (p !== end) throw new Error('snapshot set payload has trailing bytes');
    return new SetValue(members, enc === SetEncodingByte.Intset);
  },
};

registerTypedValueCodec(setCodec);
