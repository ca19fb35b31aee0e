// Reads the WAL back at start-up: segments in order, records checked for checksum and
// offset continuity. A torn record at the very end of the last segment (a crash mid-write)
// is cut off and reported; damage anywhere else stops recovery with the file and position.
// A segment's records end at a zero record header (no record starts with zeros: the magic
// is in the header): the writer zero-fills segments ahead of its records (wal.ts).
// The records of a transaction (MULTI … EXEC) are applied together at its EXEC; one that the
// log ends inside (the crash tore its write) is cut off whole, like a torn record.

import fs from 'node:fs';
import { decodeRecord, WAL_MAGIC, type DecodeResult, type WalRecord } from './wal-record';
import { listSegments, type Segment } from './wal-segments';

export class WalCorruption extends Error {
  constructor(
    readonly file: string,
    readonly position: number,
    readonly reason: string,
  ) {
    super(`Bad WAL record in ${file} at byte ${position}: ${reason}`);
  }
}

export interface ReplayResult {
  /** Stream offset after the last good record (where writing continues). */
  endOffset: number;
  /** Records applied (those at or after `fromOffset`). */
  applied: number;
  /** Bytes cut from a torn tail, and where. */
  tornBytes: number;
  tornFile: string | null;
}

export interface ReadOptions {
  /** Apply only records at or after this offset (earlier ones are in the snapshot). */
  fromOffset: number;
  /** Cut a torn tail off the last segment (normal start-up) instead of only reporting it. */
  truncateTornTail: boolean;
}

function allZero(buf: Buffer, from: number, to = buf.length): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== 0) return false;
  return true;
}

/** True for the one-argument MULTI or EXEC record that opens or closes a transaction. */
function isMarker(r: WalRecord, name: 'MULTI' | 'EXEC'): boolean {
  return r.args.length === 1 && r.args[0] === name;
}

/** Reads every segment of `dir`, calling `apply` for each record at or after fromOffset. */
export function readWal(dir: string, opts: ReadOptions, apply: (r: WalRecord) => void): ReplayResult {
  const segs = listSegments(dir);
  const result: ReplayResult = { endOffset: opts.fromOffset, applied: 0, tornBytes: 0, tornFile: null };
  const applyOne = (r: WalRecord): void => {
    if (r.offset >= opts.fromOffset) {
      apply(r);
      result.applied++;
    }
  };
  for (let s = 0; s < segs.length; s++) {
    const seg = segs[s];
    const isLast = s === segs.length - 1;
    const buf = fs.readFileSync(seg.file);
    let pos = 0;
    let expected = seg.start;
    /** The open transaction's records, and where its MULTI record starts. */
    let txn: WalRecord[] | null = null;
    let txnPos = 0;
    while (pos < buf.length) {
      const d = zeroHeader(buf, pos) ? null : decodeRecord(buf, pos);
      if (d !== null && d.kind === 'record') {
        const r = d.record;
        if (r.offset !== expected) {
          throw new WalCorruption(seg.file, pos, `record offset ${r.offset}, expected ${expected}`);
        }
        if (isMarker(r, 'MULTI')) {
          if (txn !== null) throw new WalCorruption(seg.file, pos, 'MULTI inside a transaction');
          txn = [];
          txnPos = pos;
        } else if (isMarker(r, 'EXEC')) {
          if (txn === null) throw new WalCorruption(seg.file, pos, 'EXEC without MULTI');
          for (const t of txn) applyOne(t);
          txn = null;
        } else if (txn !== null) {
          txn.push(r);
        } else {
          applyOne(r);
        }
        pos += d.size;
        expected += d.size;
        continue;
      }
      // Only zeros from here: the end of the records, zeros written ahead of them.
      if (d === null && allZero(buf, pos)) break;
      const claimedEnd = tornTailEnd(buf, pos, d, isLast, seg);
      result.tornBytes = tornLength(buf, pos, claimedEnd);
      result.tornFile = seg.file;
      if (opts.truncateTornTail && txn === null) fs.truncateSync(seg.file, pos);
      break;
    }
    if (txn !== null) {
      // A transaction is written in one write, so only the end of the log can hold part of
      // one: the crash interrupted it. Its records are dropped and cut off with it.
      if (!isLast) throw new WalCorruption(seg.file, txnPos, 'transaction without EXEC before the end of a segment');
      result.tornBytes = tornLength(buf, txnPos, pos);
      result.tornFile = seg.file;
      if (opts.truncateTornTail) fs.truncateSync(seg.file, txnPos);
      expected = seg.start + txnPos;
    }
    if (expected > result.endOffset) result.endOffset = expected;
    if (!isLast && segs[s + 1].start !== expected) {
      throw new WalCorruption(segs[s + 1].file, 0, `segment starts at ${segs[s + 1].start}, expected ${expected}`);
    }
  }
  return result;
}

/**
 * What stopped the reading at `pos` (a zero header followed by data: `d` null, or a record
 * that does not decode) as a torn tail: returns where the torn write claims to end, or
 * throws WalCorruption when it is damage instead.
 * - Zeros then data can only be in the last segment: pages written after records that never
 *   reached the disk (a power loss wrote them out of order), so no fsync covered them.
 * - A record that runs past the end of the last segment, or whose end is zeros, is a write
 *   the crash interrupted. (A length grown by damage also reads as incomplete: it is torn
 *   only when no whole record follows.)
 */
function tornTailEnd(buf: Buffer, pos: number, d: DecodeResult | null, isLast: boolean, seg: Segment): number {
  if (d === null) {
    if (!isLast) throw new WalCorruption(seg.file, pos, 'zero bytes inside the records of a segment');
    return pos;
  }
  const torn = isLast && ((d.kind === 'incomplete' && !recordFollows(buf, pos, seg.start)) || tornChecksumAtTail(buf, pos));
  if (!torn) throw new WalCorruption(seg.file, pos, d.kind === 'corrupt' ? d.reason : 'truncated record');
  // A whole header with the magic says how long the torn record was; a damaged one does not.
  return buf.length - pos >= 12 && buf.readUInt32LE(pos + 8) === WAL_MAGIC ? pos + 12 + buf.readUInt32LE(pos) : pos;
}

/**
 * The last record of the file fails its checksum and ends in zero bytes: the file was
 * extended but the crash kept the last pages from reaching disk. (A single damaged byte
 * in a complete record is corruption, not a torn write.)
 */
function tornChecksumAtTail(buf: Buffer, pos: number): boolean {
  if (buf.length - pos < 12) return true;
  const bodyLen = buf.readUInt32LE(pos);
  const end = pos + 12 + bodyLen;
  // The record is the last one: the file ends with it, or only zeros written ahead follow.
  if (end > buf.length || !allZero(buf, end)) return false;
  return allZero(buf, end - Math.min(8, bodyLen), end);
}

/**
 * Bytes of a torn tail starting at `pos`: up to the end of the torn record (`claimedEnd`, as
 * far as the file goes) or to the last non-zero byte, whichever is further; the zeros
 * written ahead of the records after them are not counted.
 */
function tornLength(buf: Buffer, pos: number, claimedEnd: number): number {
  let end = buf.length;
  while (end > pos && buf[end - 1] === 0) end--;
  // Fewer zeros than a record header at the very end are the torn bytes' own.
  if (buf.length - end < 12) end = buf.length;
  return Math.max(end, Math.min(claimedEnd, buf.length)) - pos;
}

/** The 12 bytes at `pos` (or all that is left) are zeros: no record starts here. */
function zeroHeader(buf: Buffer, pos: number): boolean {
  return allZero(buf, pos, Math.min(buf.length, pos + 12));
}

const MAGIC_BYTES = Buffer.alloc(4);
MAGIC_BYTES.writeUInt32LE(WAL_MAGIC);

/**
 * True when a whole, valid record sits somewhere after `pos` at the place the stream says
 * it belongs (its offset is its position): then the record at `pos` is not the interrupted
 * last write, its length field is damaged.
 */
function recordFollows(buf: Buffer, pos: number, segmentStart: number): boolean {
  for (let m = buf.indexOf(MAGIC_BYTES, pos + 9); m >= 0; m = buf.indexOf(MAGIC_BYTES, m + 1)) {
    const at = m - 8;
    const d = decodeRecord(buf, at);
    if (d.kind === 'record' && d.record.offset === segmentStart + at) return true;
  }
  return false;
}
