// Reads the WAL back at start-up: segments in order, records checked for checksum and
// offset continuity. A torn record at the very end of the last segment (a crash mid-write)
// is cut off and reported; damage anywhere else stops recovery with the file and position.
// The records of a transaction (MULTI … EXEC) are applied together at its EXEC; one that the
// log ends inside (the crash tore its write) is cut off whole, like a torn record.

import fs from 'node:fs';
import { decodeRecord, WAL_MAGIC, type WalRecord } from './wal-record';
import { listSegments } from './wal-segments';

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

function allZero(buf: Buffer, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
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
      const d = decodeRecord(buf, pos);
      if (d.kind === 'record') {
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
      // A record that runs past the end of the last segment, or a zero-filled tail, is a
      // write the crash interrupted. Anything else is damage.
      // (A length grown by damage also reads as incomplete: it is torn only when no whole
      // record follows.)
      const torn =
        isLast &&
        ((d.kind === 'incomplete' && !recordFollows(buf, pos, seg.start)) || allZero(buf, pos) || tornChecksumAtTail(buf, pos));
      if (!torn) {
        throw new WalCorruption(seg.file, pos, d.kind === 'corrupt' ? d.reason : 'truncated record');
      }
      result.tornBytes = buf.length - pos;
      result.tornFile = seg.file;
      if (opts.truncateTornTail && txn === null) fs.truncateSync(seg.file, pos);
      break;
    }
    if (txn !== null) {
      // A transaction is written in one write, so only the end of the log can hold part of
      // one: the crash interrupted it. Its records are dropped and cut off with it.
      if (!isLast) throw new WalCorruption(seg.file, txnPos, 'transaction without EXEC before the end of a segment');
      result.tornBytes = buf.length - txnPos;
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
 * The last record of the file fails its checksum and ends in zero bytes: the file was
 * extended but the crash kept the last pages from reaching disk. (A single damaged byte
 * in a complete record is corruption, not a torn write.)
 */
function tornChecksumAtTail(buf: Buffer, pos: number): boolean {
  if (buf.length - pos < 12) return true;
  const bodyLen = buf.readUInt32LE(pos);
  if (pos + 12 + bodyLen !== buf.length) return false;
  const tail = Math.min(8, bodyLen);
  return allZero(buf.subarray(buf.length - tail), 0);
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
