// Listpack blobs as Redis 7.0 writes them (listpack.c): the body of quicklist nodes, of
// small hashes and of small sorted sets in RDB and DUMP payloads. Elements that read as a
// 64-bit integer are stored as integers, everything else as strings, each entry followed by
// its length written backwards.

import { isIntEncodable } from '../value';

const HEADER_SIZE = 6;
const EOF_BYTE = 0xff;

/** Bytes of the entry that stores `s`, without its back-length. */
function entrySize(s: string): number {
  if (isIntEncodable(s)) {
    const v = BigInt(s);
    if (v >= 0n && v <= 127n) return 1;
    if (v >= -4096n && v <= 4095n) return 2;
    if (v >= -32768n && v <= 32767n) return 3;
    if (v >= -8388608n && v <= 8388607n) return 4;
    if (v >= -2147483648n && v <= 2147483647n) return 5;
    return 9;
  }
  const n = s.length;
  if (n < 64) return 1 + n;
  if (n < 4096) return 2 + n;
  return 5 + n;
}

/** lpEncodeBacklen's size for an entry of `l` bytes. */
function backlenSize(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

/** Bytes `s` adds to a listpack (entry and back-length). */
export function listpackEntryBytes(s: string): number {
  const l = entrySize(s);
  return l + backlenSize(l);
}

/** Size of an empty listpack (header and terminator). */
export const EMPTY_LISTPACK_BYTES = HEADER_SIZE + 1;

function writeEntry(buf: Buffer, p: number, s: string): number {
  const start = p;
  if (isIntEncodable(s)) {
    const v = BigInt(s);
    const n = Number(v);
    if (v >= 0n && v <= 127n) {
      buf[p++] = n;
    } else if (v >= -4096n && v <= 4095n) {
      const u = n < 0 ? (1 << 13) + n : n;
      buf[p++] = (u >> 8) | 0xc0;
      buf[p++] = u & 0xff;
    } else if (v >= -32768n && v <= 32767n) {
      buf[p++] = 0xf1;
      p = buf.writeInt16LE(n, p);
    } else if (v >= -8388608n && v <= 8388607n) {
      buf[p++] = 0xf2;
      p = buf.writeIntLE(n, p, 3);
    } else if (v >= -2147483648n && v <= 2147483647n) {
      buf[p++] = 0xf3;
      p = buf.writeInt32LE(n, p);
    } else {
      buf[p++] = 0xf4;
      p = buf.writeBigInt64LE(v, p);
    }
  } else {
    const n = s.length;
    if (n < 64) {
      buf[p++] = 0x80 | n;
    } else if (n < 4096) {
      buf[p++] = (n >> 8) | 0xe0;
      buf[p++] = n & 0xff;
    } else {
      buf[p++] = 0xf0;
      p = buf.writeUInt32LE(n, p);
    }
    p += buf.write(s, p, 'latin1');
  }
  const l = p - start;
  // The back-length: high bits first, every byte but the first flagged with bit 7.
  const size = backlenSize(l);
  for (let i = 0; i < size; i++) {
    const shift = 7 * (size - 1 - i);
    const bits = Math.floor(l / 2 ** shift) & 127;
    buf[p++] = i === 0 ? bits : bits | 128;
  }
  return p;
}

/** A listpack holding `elements` in order. */
export function encodeListpack(elements: readonly string[]): Buffer {
  let total = EMPTY_LISTPACK_BYTES;
  for (const s of elements) total += listpackEntryBytes(s);
  const buf = Buffer.allocUnsafe(total);
  buf.writeUInt32LE(total, 0);
  buf.writeUInt16LE(Math.min(elements.length, 65535), 4);
  let p = HEADER_SIZE;
  for (const s of elements) p = writeEntry(buf, p, s);
  buf[p] = EOF_BYTE;
  return buf;
}

/** The elements of a listpack, or null when it is malformed or has more than `maxElements`. */
export function decodeListpack(buf: Buffer, maxElements = Infinity): string[] | null {
  if (buf.length < EMPTY_LISTPACK_BYTES || buf.readUInt32LE(0) !== buf.length || buf[buf.length - 1] !== EOF_BYTE) return null;
  const declared = buf.readUInt16LE(4);
  const out: string[] = [];
  let p = HEADER_SIZE;
  const end = buf.length - 1;
  while (p < end) {
    const b = buf[p];
    const start = p;
    if (b < 0x80) {
      out.push(String(b));
      p += 1;
    } else if (b < 0xc0) {
      const n = b & 0x3f;
      if (p + 1 + n > end) return null;
      out.push(buf.toString('latin1', p + 1, p + 1 + n));
      p += 1 + n;
    } else if (b < 0xe0) {
      if (p + 2 > end) return null;
      let u = ((b & 0x1f) << 8) | buf[p + 1];
      if (u >= 1 << 12) u -= 1 << 13;
      out.push(String(u));
      p += 2;
    } else if (b < 0xf0) {
      if (p + 2 > end) return null;
      const n = ((b & 0x0f) << 8) | buf[p + 1];
      if (p + 2 + n > end) return null;
      out.push(buf.toString('latin1', p + 2, p + 2 + n));
      p += 2 + n;
    } else if (b === 0xf0) {
      if (p + 5 > end) return null;
      const n = buf.readUInt32LE(p + 1);
      if (p + 5 + n > end) return null;
      out.push(buf.toString('latin1', p + 5, p + 5 + n));
      p += 5 + n;
    } else if (b === 0xf1) {
      if (p + 3 > end) return null;
      out.push(String(buf.readInt16LE(p + 1)));
      p += 3;
    } else if (b === 0xf2) {
      if (p + 4 > end) return null;
      out.push(String(buf.readIntLE(p + 1, 3)));
      p += 4;
    } else if (b === 0xf3) {
      if (p + 5 > end) return null;
      out.push(String(buf.readInt32LE(p + 1)));
      p += 5;
    } else if (b === 0xf4) {
      if (p + 9 > end) return null;
      out.push(String(buf.readBigInt64LE(p + 1)));
      p += 9;
    } else {
      return null;
    }
    p += backlenSize(p - start);
    if (p > end || out.length > maxElements) return null;
  }
  if (declared !== 65535 && declared !== out.length) return null;
  return out;
}
