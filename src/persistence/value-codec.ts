// On-disk format of LMDB snapshot entries: how a key becomes an LMDB key, how a value with
// its TTL becomes an LMDB value, and the meta record. Value types register a codec under a
// stable numeric tag; strings (tag 1) are built in.
//
// LMDB key (one named LMDB database per Redis db index, so the db is not in the key):
//   u8 0 | key bytes                         when the key has ≤ DIRECT_KEY_MAX bytes
//   u8 1 | first DIRECT_KEY_MAX bytes | SHA-256 of the whole key    otherwise (LMDB keys are
//        limited to 511 bytes; the whole key is then stored in the value, flag bit 1)
//   The leading byte also gives the empty Redis key a non-empty LMDB key.
//
// LMDB value, format version 1:
//   u8 format version (1) | u8 type tag | u8 flags (bit 0: has expiry, bit 1: long key)
//   | [f64 LE absolute expiry, ms since the epoch — the exact in-memory number]
//   | [u32 LE length, bytes: the whole key, for long keys] | payload up to the end
//   String payload: the raw bytes.
//
// Meta record (named LMDB database "meta", key "snapshot"), format version 1:
//   u8 format version (1) | u64 LE WAL offset covered | f64 LE created-at ms
//   | u64 LE key count
//
// Every number here is written to disk: it never changes; new tags and flags are appended
// (pinned by test/unit/value-codec.test.ts).

import { latin1 } from '../resp/latin1';
import { createHash } from 'node:crypto';
import type { TypedValue, Value } from '../keyspace/value';

export const SNAPSHOT_FORMAT_VERSION = 1;
export const META_FORMAT_VERSION = 1;

/** Stable type tags. Tags for the types that are not implemented yet are reserved. */
export const ValueTag = {
  String: 1,
  List: 2,
  Set: 3,
  ZSet: 4,
  Hash: 5,
  Stream: 6,
} as const;

/** Value flag bits. */
export const ValueFlag = {
  HasExpiry: 1,
  LongKey: 2,
} as const;

/** LMDB key kinds (first byte). */
export const KeyKind = {
  Direct: 0,
  Hashed: 1,
} as const;

/** Longest key stored as itself; 1 + 400 + 32 = 433 bytes stays under LMDB's 511-byte limit. */
export const DIRECT_KEY_MAX = 400;
const HASHED_KEY_BYTES = 1 + DIRECT_KEY_MAX + 32;

const TAG_OF_KIND: Record<TypedValue['kind'], number> = {
  list: ValueTag.List,
  set: ValueTag.Set,
  zset: ValueTag.ZSet,
  hash: ValueTag.Hash,
  stream: ValueTag.Stream,
};

// ── Typed value codecs ───────────────────────────────────────────────────────────────────

/**
 * Serializes one kind of typed value as the payload of a snapshot entry. encode() must not
 * keep references into `buf`, decode() must copy what it keeps out of `buf` (it is reused).
 */
export interface TypedValueCodec {
  readonly kind: TypedValue['kind'];
  /** Exact payload size of `v` in bytes. */
  encodedSize(v: TypedValue): number;
  /** Writes the payload at `pos` (room for encodedSize bytes is there); returns the end. */
  encode(v: TypedValue, buf: Buffer, pos: number): number;
  /** Rebuilds a value from the payload `buf[start, end)`. */
  decode(buf: Buffer, start: number, end: number): TypedValue;
}

const codecsByTag = new Map<number, TypedValueCodec>();

/** Registers the codec of a value type (called once by its module, at load time). */
export function registerTypedValueCodec(codec: TypedValueCodec): void {
  const tag = TAG_OF_KIND[codec.kind];
  if (codecsByTag.has(tag)) throw new Error(`snapshot codec for ${codec.kind} registered twice`);
  codecsByTag.set(tag, codec);
}

function codecFor(v: TypedValue): TypedValueCodec {
  const codec = codecsByTag.get(TAG_OF_KIND[v.kind]);
  if (codec === undefined) throw new Error(`no snapshot codec for ${v.kind} values`);
  return codec;
}

// ── Keys ─────────────────────────────────────────────────────────────────────────────────

export function lmdbKeySize(key: string): number {
  return key.length <= DIRECT_KEY_MAX ? 1 + key.length : HASHED_KEY_BYTES;
}

/** Writes the LMDB key of `key` at `pos`; returns the end. */
export function writeLmdbKey(buf: Buffer, pos: number, key: string): number {
  if (key.length <= DIRECT_KEY_MAX) {
    buf[pos] = KeyKind.Direct;
    return pos + 1 + buf.write(key, pos + 1, 'latin1');
  }
  buf[pos] = KeyKind.Hashed;
  buf.write(key.slice(0, DIRECT_KEY_MAX), pos + 1, 'latin1');
  const digest = createHash('sha256').update(key, 'latin1').digest();
  digest.copy(buf, pos + 1 + DIRECT_KEY_MAX);
  return pos + HASHED_KEY_BYTES;
}

export function encodeLmdbKey(key: string): Buffer {
  const buf = Buffer.allocUnsafe(lmdbKeySize(key));
  writeLmdbKey(buf, 0, key);
  return buf;
}

// ── Values ───────────────────────────────────────────────────────────────────────────────

function headerSize(key: string, expireAt: number | undefined): number {
  return 3 + (expireAt === undefined ? 0 : 8) + (key.length <= DIRECT_KEY_MAX ? 0 : 4 + key.length);
}

function writeHeader(buf: Buffer, pos: number, tag: number, key: string, expireAt: number | undefined): number {
  const long = key.length > DIRECT_KEY_MAX;
  buf[pos] = SNAPSHOT_FORMAT_VERSION;
  buf[pos + 1] = tag;
  buf[pos + 2] = (expireAt === undefined ? 0 : ValueFlag.HasExpiry) | (long ? ValueFlag.LongKey : 0);
  let p = pos + 3;
  if (expireAt !== undefined) p = buf.writeDoubleLE(expireAt, p);
  if (long) {
    p = buf.writeUInt32LE(key.length, p);
    p += buf.write(key, p, 'latin1');
  }
  return p;
}

/** Exact size of the LMDB value of `key` holding `value` with `expireAt`. */
export function lmdbValueSize(key: string, value: Value, expireAt: number | undefined): number {
  const payload = typeof value === 'string' ? value.length : codecFor(value).encodedSize(value);
  return headerSize(key, expireAt) + payload;
}

/** Writes the LMDB value at `pos` (room for lmdbValueSize bytes is there); returns the end. */
export function writeLmdbValue(buf: Buffer, pos: number, key: string, value: Value, expireAt: number | undefined): number {
  if (typeof value === 'string') {
    const p = writeHeader(buf, pos, ValueTag.String, key, expireAt);
    return p + buf.write(value, p, 'latin1');
  }
  const codec = codecFor(value);
  const p = writeHeader(buf, pos, TAG_OF_KIND[value.kind], key, expireAt);
  return codec.encode(value, buf, p);
}

export function encodeLmdbValue(key: string, value: Value, expireAt: number | undefined): Buffer {
  const buf = Buffer.allocUnsafe(lmdbValueSize(key, value, expireAt));
  writeLmdbValue(buf, 0, key, value, expireAt);
  return buf;
}

/**
 * Decodes entries into its fields without allocating per entry (loading a million keys is
 * on the restart path). Call read(), then use key/value/expireAt until the next read().
 */
export class EntryReader {
  key = '';
  value: Value = '';
  expireAt: number | undefined = undefined;
  /** read() with `coldStrings` met a string value and left it undecoded (value is ''). */
  coldString = false;

  /**
   * Decodes the entry whose LMDB key is `buf[ks, ke)` and LMDB value `buf[vs, ve)`. With
   * `coldStrings`, a string value is only checked, not decoded: coldStringAt() decodes it.
   */
  read(buf: Buffer, ks: number, ke: number, vs: number, ve: number, coldStrings = false): void {
    if (ve - vs < 3) throw new Error('snapshot entry too short');
    const version = buf[vs];
    if (version !== SNAPSHOT_FORMAT_VERSION) throw new Error(`snapshot entry has unknown format version ${version}`);
    const tag = buf[vs + 1];
    const flags = buf[vs + 2];
    let p = vs + 3;
    if ((flags & ValueFlag.HasExpiry) !== 0) {
      if (p + 8 > ve) throw new Error('snapshot entry header past its end');
      this.expireAt = buf.readDoubleLE(p);
      p += 8;
    } else {
      this.expireAt = undefined;
    }
    if ((flags & ValueFlag.LongKey) !== 0) {
      if (p + 4 > ve) throw new Error('snapshot entry header past its end');
      const len = buf.readUInt32LE(p);
      p += 4;
      if (p + len > ve) throw new Error('snapshot entry header past its end');
      this.key = latin1(buf, p, p + len);
      p += len;
    } else {
      if (ke - ks < 1 || buf[ks] !== KeyKind.Direct) throw new Error('snapshot entry has a bad key');
      this.key = latin1(buf, ks + 1, ke);
    }
    if (tag === ValueTag.String) {
      this.coldString = coldStrings;
      this.value = coldStrings ? '' : latin1(buf, p, ve);
    } else {
      this.coldString = false;
      const codec = codecsByTag.get(tag);
      if (codec === undefined) throw new Error(`snapshot entry has unknown type tag ${tag}`);
      this.value = codec.decode(buf, p, ve);
    }
  }
}

/**
 * The string value of a load batch entry whose LMDB value starts at `vs`, preceded by its u32
 * LE length (snapshot-worker.ts's `entries` layout), as EntryReader checked it.
 */
export function coldStringAt(buf: Buffer, vs: number): string {
  const ve = vs + buf.readUInt32LE(vs - 4);
  const flags = buf[vs + 2];
  let p = vs + 3;
  if ((flags & ValueFlag.HasExpiry) !== 0) p += 8;
  if ((flags & ValueFlag.LongKey) !== 0) p += 4 + buf.readUInt32LE(p);
  return latin1(buf, p, ve);
}

// ── Meta ─────────────────────────────────────────────────────────────────────────────────

export interface SnapshotMeta {
  /** WAL stream offset the snapshot covers: replay resumes here. */
  offset: number;
  /** When the checkpoint was taken (ms since the epoch). */
  createdAt: number;
  keyCount: number;
}

export const META_BYTES = 1 + 8 + 8 + 8;

function writeU64(buf: Buffer, n: number, pos: number): number {
  buf.writeUInt32LE(n % 0x100000000, pos);
  buf.writeUInt32LE(Math.floor(n / 0x100000000), pos + 4);
  return pos + 8;
}

function readU64(buf: Buffer, pos: number): number {
  return buf.readUInt32LE(pos) + buf.readUInt32LE(pos + 4) * 0x100000000;
}

export function encodeMeta(meta: SnapshotMeta): Buffer {
  const buf = Buffer.alloc(META_BYTES);
  buf[0] = META_FORMAT_VERSION;
  let p = writeU64(buf, meta.offset, 1);
  p = buf.writeDoubleLE(meta.createdAt, p);
  writeU64(buf, meta.keyCount, p);
  return buf;
}

export function decodeMeta(buf: Uint8Array): SnapshotMeta {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 1 || b[0] !== META_FORMAT_VERSION) {
    throw new Error(`snapshot meta has unknown format version ${b.length < 1 ? 'none' : b[0]}`);
  }
  if (b.length !== META_BYTES) throw new Error('snapshot meta has a bad length');
  return {
    offset: readU64(b, 1),
    createdAt: b.readDoubleLE(9),
    keyCount: readU64(b, 17),
  };
}
