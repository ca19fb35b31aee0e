// The hash value type: field → value in insertion order (a JS Map), with the encoding Redis
// 7.0 would report. Redis starts a hash as a listpack and converts it for good to a
// hashtable once it has more than hash-max-listpack-entries fields or a field or value
// longer than hash-max-listpack-value bytes (hashTypeTryConversion / hashTypeSet).
// Also the snapshot codec of hashes (tag ValueTag.Hash).

import type { TypedValue } from '../keyspace/value';
import { registerTypedValueCodec, type TypedValueCodec } from '../persistence/value-codec';
import { latin1 } from '../resp/latin1';

/** The thresholds that decide a hash's encoding (from config). */
export interface HashLimits {
  maxListpackEntries: number;
  maxListpackValue: number;
}

export class HashValue implements TypedValue {
  readonly kind = 'hash';
  /** Fields in insertion order: what a listpack hash replies in Redis too. */
  readonly fields: Map<string, string>;
  /** False once converted to a hashtable (Redis never converts back). */
  listpack: boolean;

  constructor(fields = new Map<string, string>(), listpack = true) {
    this.fields = fields;
    this.listpack = listpack;
  }

  encoding(): string {
    return this.listpack ? 'listpack' : 'hashtable';
  }

  copy(): HashValue {
    return new HashValue(new Map(this.fields), this.listpack);
  }

  get size(): number {
    return this.fields.size;
  }

  get(field: string): string | undefined {
    return this.fields.get(field);
  }

  /** Sets a field; true when it is new. Converts the encoding as Redis's hashTypeSet does. */
  set(field: string, value: string, limits: HashLimits): boolean {
    if (this.listpack && (field.length > limits.maxListpackValue || value.length > limits.maxListpackValue)) {
      this.listpack = false;
    }
    const before = this.fields.size;
    this.fields.set(field, value);
    const added = this.fields.size !== before;
    if (added && this.listpack && this.fields.size > limits.maxListpackEntries) this.listpack = false;
    return added;
  }

  delete(field: string): boolean {
    return this.fields.delete(field);
  }
}

// ── Snapshot codec ──────────────────────────────────────────────────────────────────────
// Payload, format version 1 of the snapshot entry (numbers on disk never change):
//   u8 encoding (0 listpack, 1 hashtable) | u32 LE field count
//   | per field in order: u32 LE length, field bytes, u32 LE length, value bytes

export const HashEncodingByte = { Listpack: 0, Hashtable: 1 } as const;

export const hashCodec: TypedValueCodec = {
  kind: 'hash',
  encodedSize(v: TypedValue): number {
    const h = v as HashValue;
    let n = 5;
    for (const [f, val] of h.fields) n += 8 + f.length + val.length;
    return n;
  },
  encode(v: TypedValue, buf: Buffer, pos: number): number {
    const h = v as HashValue;
    buf[pos] = h.listpack ? HashEncodingByte.Listpack : HashEncodingByte.Hashtable;
    let p = buf.writeUInt32LE(h.fields.size, pos + 1);
    for (const [f, val] of h.fields) {
      p = buf.writeUInt32LE(f.length, p);
      p += buf.write(f, p, 'latin1');
      p = buf.writeUInt32LE(val.length, p);
      p += buf.write(val, p, 'latin1');
    }
    return p;
  },
  decode(buf: Buffer, start: number, end: number): HashValue {
    if (end - start < 5) throw new Error('snapshot hash payload too short');
    const enc = buf[start];
    if (enc !== HashEncodingByte.Listpack && enc !== HashEncodingByte.Hashtable) {
      throw new Error(`snapshot hash has unknown encoding ${enc}`);
    }
    const count = buf.readUInt32LE(start + 1);
    const fields = new Map<string, string>();
    let p = start + 5;
    const take = (): string => {
      if (p + 4 > end) throw new Error('snapshot hash payload past its end');
      const len = buf.readUInt32LE(p);
      p += 4;
      if (p + len > end) throw new Error('snapshot hash payload past its end');
      const s = latin1(buf, p, p + len);
      p += len;
      return s;
    };
    for (let i = 0; i < count; i++) {
      const f = take();
      fields.set(f, take());
    }
    if (p !== end) throw new Error('snapshot hash payload has trailing bytes');
    return new HashValue(fields, enc === HashEncodingByte.Listpack);
  },
};

registerTypedValueCodec(hashCodec);
