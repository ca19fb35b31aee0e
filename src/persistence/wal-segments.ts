// WAL segment files: named by the stream offset of their first record (20 digits, so
// names sort in stream order), listed, and deleted once a snapshot covers them.

import fs from 'node:fs';
import path from 'node:path';

export function segmentPath(dir: string, start: number): string {
  return path.join(dir, String(start).padStart(20, '0') + '.wal');
}

export interface Segment {
  start: number;
  file: string;
}

/** Segments in stream order. */
export function listSegments(dir: string): Segment[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((f) => /^(\d{20})\.wal$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ start: Number(m[1]), file: path.join(dir, m[0]) }))
    .sort((a, b) => a.start - b.start);
}

/** Deletes segments that end at or before `offset` (every record in them is covered). */
export function deleteSegmentsBefore(dir: string, offset: number): number {
  const segs = listSegments(dir);
  let deleted = 0;
  for (let i = 0; i + 1 < segs.length; i++) {
    // A segment ends where the next one starts.
    if (segs[i + 1].start <= offset) {
      fs.rmSync(segs[i].file, { force: true });
      deleted++;
    }
  }
  return deleted;
}
