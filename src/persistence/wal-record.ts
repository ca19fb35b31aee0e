// WAL record codec. A record is one effect (a database index and the args of a command
// that reproduces it), framed so that a torn tail and corruption are told apart:
//
//   u32 LE  body length (bytes after the 12-byte header)
//   u32 LE  CRC-32 of the body
//   u32 LE  magic 0x57414c31 ("WAL1" read as LE bytes 1LAW) — version of this format
//   body:   u8 record type | u64 LE stream offset of this record | u16 LE db index
//           | u32 LE argc | argc × (u32 LE length, bytes)
//
// Record types and the header layout are written to disk: their numbers never change, new
// ones are appended (pinned by test/unit/wal-record.test.ts).

import { crc32Of } from './crc32';
import { latin1Write } from '../resp/latin1';

export const WAL_MAGIC = 0x57414c31;
export const HEADER_BYTES = 12;

/** Stable record type numbers. */
export const RecordType = {
  /** A command effect to apply to a database. */
  Command: 1,
} as const;

export interface WalRecord {
  type: number;
  /** Stream offset of the record's first byte. */
  offset: number;
  db: number;
  args: string[];
}

/** Size of the encoded record for these args. */
export function encodedSize(args: readonly string[]): number {
  let n = HEADER_BYTES + 1 + 8 + 2 + 4;
  for (const a of args) n += 4 + a.length;
  return n;
}

/** Args up to this long are copied by a JS loop: cheaper than the native latin1Write call. */
const SHORT_COPY_MAX = 32;

/** Encodes a command record at `pos` in `buf` (which must have room); returns the end. */
export function encodeCommand(buf: Buffer, pos: number, offset: number, db: number, args: readonly string[]): number {
  const bodyStart = pos + HEADER_BYTES;
  let p = bodyStart;
  buf[p++] = RecordType.Command;
  buf.writeUInt32LE(offset % 0x100000000, p);
  buf.writeUInt32LE(Math.floor(offset / 0x100000000), p + 4);
  p += 8;
  buf.writeUInt16LE(db, p);
  p += 2;
  buf.writeUInt32LE(args.length, p);
  p += 4;
  for (let j = 0; j < args.length; j++) {
    const a = args[j];
    const n = a.length;
    buf.writeUInt32LE(n, p);
    p += 4;
    if (n <= SHORT_COPY_MAX) {
      for (let i = 0; i < n; i++) buf[p + i] = a.charCodeAt(i);
      p += n;
    } else {
      p += latin1Write(buf, a, p);
    }
  }
  const bodyLen = p - bodyStart;
  buf.writeUInt32LE(bodyLen, pos);
  buf.writeUInt32LE(crc32Of(buf, bodyStart, p), pos + 4);
  buf.writeUInt32LE(WAL_MAGIC, pos + 8);
  return p;
}

export type DecodeResult =
  | { kind: 'record'; record: WalRecord; size: number }
  /** Not enough bytes for a whole record: a torn tail if at the end of the last segment. */
  | { kind: 'incomplete' }
  | { kind: 'corrupt'; reason: string };

/** Largest body accepted (a record can hold a proto-max-bulk-len value and more). */
const MAX_BODY = 2 ** 31;

/** Decodes the record starting at `pos`. */
export function decodeRecord(buf: Buffer, pos: number): DecodeResult {
  if (buf.length - pos < HEADER_BYTES) return { kind: 'incomplete' };
  const bodyLen = buf.readUInt32LE(pos);
  const crc = buf.readUInt32LE(pos + 4);
  const magic = buf.readUInt32LE(pos + 8);
  if (magic !== WAL_MAGIC) return { kind: 'corrupt', reason: 'bad record magic' };
  if (bodyLen < 15 || bodyLen > MAX_BODY) return { kind: 'corrupt', reason: 'bad record length' };
  const bodyStart = pos + HEADER_BYTES;
  if (buf.length - bodyStart < bodyLen) return { kind: 'incomplete' };
  if (crc32Of(buf, bodyStart, bodyStart + bodyLen) !== crc) return { kind: 'corrupt', reason: 'checksum mismatch' };
  const body = buf.subarray(bodyStart, bodyStart + bodyLen);
  let p = 0;
  const type = body[p++];
  if (type !== RecordType.Command) return { kind: 'corrupt', reason: `unknown record type ${type}` };
  const offset = body.readUInt32LE(p) + body.readUInt32LE(p + 4) * 0x100000000;
  p += 8;
  const db = body.readUInt16LE(p);
  p += 2;
  const argc = body.readUInt32LE(p);
  p += 4;
  const args: string[] = [];
  for (let i = 0; i < argc; i++) {
    if (p + 4 > bodyLen) return { kind: 'corrupt', reason: 'argument past record end' };
    const len = body.readUInt32LE(p);
    p += 4;
    if (p + len > bodyLen) return { kind: 'corrupt', reason: 'argument past record end' };
    args.push(body.toString('latin1', p, p + len));
    p += len;
  }
  if (p !== bodyLen) return { kind: 'corrupt', reason: 'trailing bytes in record' };
  return { kind: 'record', record: { type, offset, db, args }, size: HEADER_BYTES + bodyLen };
}
