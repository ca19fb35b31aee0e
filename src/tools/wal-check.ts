#!/usr/bin/env node
// cinnabar-check-wal: checks a data directory's write-ahead log the way start-up reads it
// (same reader), reports the first bad record, and with --fix truncates the log there, as
// redis-check-aof does for an AOF. Run it while the server is stopped.

import fs from 'node:fs';
import path from 'node:path';
import { decodeRecord, WAL_MAGIC } from '../persistence/wal-record';
import { readWal, WalCorruption } from '../persistence/wal-reader';
import { listSegments, type Segment } from '../persistence/wal-segments';
import { fsyncDirectory } from '../atomic-file';

const USAGE = `Usage: cinnabar-check-wal <data-dir> [--fix]
  Checks the WAL under <data-dir>/wal (or <data-dir> itself when it holds the segments).
  --fix  truncate the WAL at the first bad record and delete every later segment
         (what that loses is printed first). Stop the server before fixing.`;

/** The one-line start-up error for a damaged WAL: where, why, and the command that repairs it. */
export function repairHint(err: WalCorruption, dataDir: string): string {
  return (
    `${err.message}. Start-up stopped so nothing after it is silently dropped; to truncate the WAL ` +
    `at that record (losing it and everything after it), run: cinnabar-check-wal ${shellQuote(path.resolve(dataDir))} --fix`
  );
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@+-]+$/.test(s) ? s : `'${s.split("'").join(`'\\''`)}'`;
}

export interface SegmentReport {
  file: string;
  bytes: number;
  /** Whole, valid records read before the damage (all of them in an intact segment). */
  records: number;
}

export interface CheckReport {
  walDir: string;
  segments: SegmentReport[];
  records: number;
  bytes: number;
  /** Stream offset after the last good record. */
  endOffset: number;
  /** A torn last write at the end of the last segment (start-up cuts it off). */
  torn: { file: string; position: number; bytes: number } | null;
  bad: BadRecord | null;
}

export interface BadRecord {
  file: string;
  position: number;
  reason: string;
  /** Bytes from the bad record to the end of its file, plus every later segment. */
  lostBytes: number;
  /** Later segments that --fix deletes. */
  laterSegments: string[];
  /** Whole records found by scanning past the damage (an estimate of what is lost besides the bad one). */
  lostRecordsEstimate: number;
}

/** The WAL directory of a data directory: `<dir>/wal`, or `dir` itself when it holds segments. */
export function walDirOf(dataDir: string): string {
  const nested = path.join(dataDir, 'wal');
  if (fs.existsSync(nested)) return nested;
  if (listSegments(dataDir).length > 0) return dataDir;
  return nested;
}

const MAGIC_BYTES = Buffer.alloc(4);
MAGIC_BYTES.writeUInt32LE(WAL_MAGIC);

/**
 * Whole records in buf[from..] that sit where the stream says they belong, found by looking
 * for the record magic past damaged bytes (an estimate: a damaged record is not counted).
 */
function countRecordsFrom(buf: Buffer, from: number, segmentStart: number): number {
  let n = 0;
  let pos = from;
  while (pos < buf.length) {
    const d = decodeRecord(buf, pos);
    if (d.kind === 'record' && d.record.offset === segmentStart + pos) {
      n++;
      pos += d.size;
      continue;
    }
    const m = buf.indexOf(MAGIC_BYTES, pos + 9);
    if (m < 0) break;
    pos = m - 8;
  }
  return n;
}

/** Reads the WAL as start-up does (without changing anything) and describes what it finds. */
export function checkWal(walDir: string): CheckReport {
  const segs = listSegments(walDir);
  const segments: SegmentReport[] = segs.map((s) => ({ file: s.file, bytes: fs.statSync(s.file).size, records: 0 }));
  const report: CheckReport = { walDir, segments, records: 0, bytes: 0, endOffset: 0, torn: null, bad: null };
  // Records arrive in stream order; each belongs to the last segment starting at or before it.
  let seg = 0;
  const count = (offset: number): void => {
    while (seg + 1 < segs.length && segs[seg + 1].start <= offset) seg++;
    segments[seg].records++;
    report.records++;
  };
  try {
    const r = readWal(walDir, { fromOffset: 0, truncateTornTail: false }, (rec) => count(rec.offset));
    report.endOffset = r.endOffset;
    if (r.tornFile !== null) {
      // The torn tail starts where the records end (zeros written ahead may follow it).
      const seg = segs.find((s) => s.file === r.tornFile)!;
      report.torn = { file: r.tornFile, position: r.endOffset - seg.start, bytes: r.tornBytes };
    }
  } catch (err) {
    if (!(err instanceof WalCorruption)) throw err;
    report.bad = describeDamage(segs, err);
  }
  report.bytes = segments.reduce((n, s) => n + s.bytes, 0);
  return report;
}

function describeDamage(segs: Segment[], err: WalCorruption): BadRecord {
  const at = segs.findIndex((s) => s.file === err.file);
  const later = segs.slice(at + 1);
  const buf = fs.readFileSync(err.file);
  let lostBytes = buf.length - err.position;
  let lostRecordsEstimate = countRecordsFrom(buf, err.position, segs[at].start);
  for (const s of later) {
    const b = fs.readFileSync(s.file);
    lostBytes += b.length;
    lostRecordsEstimate += countRecordsFrom(b, 0, s.start);
  }
  // The bad record itself is lost too, unless the damage is a misnamed segment (position 0
  // with a record that reads fine: it was counted above).
  if (decodeRecord(buf, err.position).kind !== 'record') lostRecordsEstimate++;
  return {
    file: err.file,
    position: err.position,
    reason: err.reason,
    lostBytes,
    laterSegments: later.map((s) => s.file),
    lostRecordsEstimate,
  };
}

function syncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}


/** Cuts the WAL at the bad record (or the torn tail) and deletes later segments; durable on return. */
export function fixWal(report: CheckReport): void {
  if (report.bad !== null) {
    const { file, position, laterSegments } = report.bad;
    for (const f of laterSegments) fs.rmSync(f);
    // A segment bad from its first byte goes entirely (an empty file would keep its wrong name).
    if (position === 0) fs.rmSync(file);
    else {
      fs.truncateSync(file, position);
      syncFile(file);
    }
  } else if (report.torn !== null) {
    fs.truncateSync(report.torn.file, report.torn.position);
    syncFile(report.torn.file);
  }
  fsyncDirectory(report.walDir);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describe(report: CheckReport, out: (line: string) => void): void {
  out(`WAL directory ${report.walDir}: ${plural(report.segments.length, 'segment')}, ${report.bytes} bytes`);
  const badIndex = report.bad === null ? -1 : report.segments.findIndex((s) => s.file === report.bad!.file);
  report.segments.forEach((s, i) => {
    let state = 'ok';
    if (badIndex >= 0 && i === badIndex) state = `BAD at byte ${report.bad!.position}`;
    else if (badIndex >= 0 && i > badIndex) state = 'after the damage';
    else if (report.torn !== null && report.torn.file === s.file) state = `ok, torn tail of ${report.torn.bytes} bytes`;
    const records = badIndex >= 0 && i > badIndex ? '' : `  ${plural(s.records, 'record')}`;
    out(`  ${path.basename(s.file)}  ${s.bytes} bytes${records}  ${state}`);
  });
}

export function main(argv: string[], out: (line: string) => void = (l) => process.stdout.write(l + '\n')): number {
  const fix = argv.includes('--fix');
  const rest = argv.filter((a) => a !== '--fix');
  if (rest.length !== 1 || rest[0].startsWith('-')) {
    out(USAGE);
    return 2;
  }
  const dataDir = rest[0];
  if (!fs.existsSync(dataDir)) {
    out(`Cannot open ${dataDir}: no such directory`);
    return 2;
  }
  const walDir = walDirOf(dataDir);
  const report = checkWal(walDir);
  describe(report, out);
  if (report.bad === null) {
    if (report.torn !== null) {
      const { file, position, bytes } = report.torn;
      out(`Torn tail: the last ${plural(bytes, 'byte')} of ${file} (from byte ${position}) are an interrupted write; start-up cuts them off.`);
      if (fix) {
        fixWal(report);
        out(`Cut ${plural(bytes, 'byte')} from ${file}.`);
      }
    }
    out(`WAL is valid: ${plural(report.records, 'record')}, stream offsets up to ${report.endOffset}.`);
    return 0;
  }
  const bad = report.bad;
  out(`Bad record in ${bad.file} at byte ${bad.position}: ${bad.reason}`);
  out(`Intact before it: ${plural(report.records, 'record')}.`);
  const later = bad.laterSegments.length === 0 ? '' : ` (including ${plural(bad.laterSegments.length, 'later segment')})`;
  out(`Truncating there loses ${plural(bad.lostBytes, 'byte')}${later}, about ${plural(bad.lostRecordsEstimate, 'record')}.`);
  if (!fix) {
    out(`WAL is not valid. Run again with --fix to truncate it at that record (the server must be stopped).`);
    return 1;
  }
  fixWal(report);
  if (bad.position === 0) out(`Deleted ${bad.file}.`);
  else out(`Truncated ${bad.file} to ${bad.position} bytes.`);
  for (const f of bad.laterSegments) out(`Deleted ${f}.`);
  const after = checkWal(walDir);
  if (after.bad !== null) {
    out(`Still damaged after the fix: ${after.bad.file} at byte ${after.bad.position}: ${after.bad.reason}. Run again.`);
    return 1;
  }
  out(`WAL repaired: ${plural(after.records, 'record')}, stream offsets up to ${after.endOffset}.`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
