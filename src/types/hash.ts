// The hash value type: field → value in insertion order (a JS Map), with the encoding Redis
// 7.0 would report. Redis starts a hash as a listpack and converts it for good to a
// hashtable once it has more than hash-max-listpack-entries fields or a field or value
// longer than hash-max-listpack-value bytes (hashTypeTryConversion / hashTypeSet).
// Also the snapshot codec of hashes (tag ValueTag.Hash).

import type { TypedValue } from '../keyspace/value';
import { registerTypedValueCodec, type TypedValueCodec } from '../persistence/value-codec';
import { PayloadReader, prefixedSize, writePrefixed } from '../persistence/payload';

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
    let n = 5;
    for (const [f, val] of (v as HashValue).fields) n += prefixedSize(f) + prefixedSize(val);
    return n;
  },
  encode(v: TypedValue, buf: Buffer, pos: number): number {
    const h = v as HashValue;
    buf[pos] = h.listpack ? HashEncodingByte.Listpack : HashEncodingByte.Hashtable;
    let p = buf.writeUInt32LE(h.fields.size, pos + 1);
    for (const [f, val] of h.fields) p = writePrefixed(buf, writePrefixed(buf, p, f), val);
    return p;
  },
  decode(buf: Buffer, start: number, end: number): HashValue {
    const r = new PayloadReader(buf, start, end, 'hash');
    const { encoding, count } = r.header();
    if (encoding !== HashEncodingByte.Listpack && encoding !== HashEncodingByte.Hashtable) {
      throw new Error(`snapshot hash has unknown encoding ${encoding}`);
    }
    const fields = new Map<string, string>();
    for (let i = 0; i < count; i++) {
      const f = r.string();
      fields.set(f, r.string());
    }
    r.finish();
    return new HashValue(fields, encoding === HashEncodingByte.Listpack);
  },
};

registerTypedValueCodec(hashCodec);
