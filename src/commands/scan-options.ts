// The options and reply shared by SCAN, HSCAN, SSCAN (and ZSCAN): scanGenericCommand's
// parsing of COUNT/MATCH/TYPE and its two-element reply. The iteration itself lives in
// keyspace/scan.ts.

import type { Client } from '../server/client';
import { Err } from '../errors';
import { is, parseI64 } from './args';
import { globMatch } from '../keyspace/glob';
import type { ScanSource } from '../keyspace/scan';

export interface ScanOptions {
  count: number;
  /** undefined: no MATCH, or MATCH "*" (everything matches). */
  pattern: string | undefined;
  /** TYPE, lowercased (SCAN only). */
  type: string | undefined;
}

/**
 * Parses `[MATCH pattern] [COUNT count] [TYPE type]` from args[from...]; TYPE only when
 * `allowType` (the keyspace SCAN). Returns null after replying an error.
 */
export function parseScanOptions(c: Client, args: string[], from: number, allowType: boolean): ScanOptions | null {
  const opts: ScanOptions = { count: 10, pattern: undefined, type: undefined };
  for (let i = from; i < args.length; i += 2) {
    const hasValue = i + 1 < args.length;
    if (is(args[i], 'count') && hasValue) {
      const n = parseI64(args[i + 1]);
      if (n === undefined) {
        c.error(Err.notInteger);
        return null;
      }
      if (n < 1) {
        c.error(Err.syntax);
        return null;
      }
      opts.count = n;
    } else if (is(args[i], 'match') && hasValue) {
      // Exactly "*" matches everything: no pattern at all.
      opts.pattern = args[i + 1] === '*' ? undefined : args[i + 1];
    } else if (allowType && is(args[i], 'type') && hasValue) {
      // Compared case-insensitively with the type name; an unknown name matches nothing.
      opts.type = args[i + 1].toLowerCase();
    } else {
      c.error(Err.syntax);
      return null;
    }
  }
  return opts;
}

/** The SCAN reply: the next cursor as a bulk string, then the elements found. */
export function replyScan(c: Client, cursor: number, found: readonly string[]): void {
  c.arrayHeader(2);
  c.bulk(String(cursor));
  c.bulkArray(found);
}

/**
 * HSCAN/SSCAN/ZSCAN once the collection was found (scanGenericCommand after the lookup):
 * parses the options from args[3], then replies the whole collection with cursor 0 when
 * `whole` is given (the compact encodings, listpack or intset, which Redis returns in one
 * call whatever the cursor and COUNT), else one cursor step over `source`. `emit` appends what
 * an element matching MATCH adds to the reply (the member, or the field and its value).
 */
export function scanCollection(
  c: Client,
  args: string[],
  cursor: number,
  source: ScanSource<string>,
  whole: Iterable<string> | null,
  emit: (entry: string, out: string[]) => void,
): void {
  const opts = parseScanOptions(c, args, 3, false);
  if (opts === null) return;
  const { pattern } = opts;
  const found: string[] = [];
  const visit = (entry: string): void => {
    if (pattern === undefined || globMatch(pattern, entry)) emit(entry, found);
  };
  if (whole !== null) {
    for (const entry of whole) visit(entry);
    return replyScan(c, 0, found);
  }
  replyScan(c, c.db.scans.step(source, cursor, opts.count, visit), found);
}
