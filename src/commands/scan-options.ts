// The options and reply shared by SCAN, HSCAN, SSCAN (and ZSCAN): scanGenericCommand's
// parsing of COUNT/MATCH/TYPE and its two-element reply. The iteration itself lives in
// keyspace/scan.ts.

import type { Client } from '../server/client';
import { Err } from '../errors';
import { is, parseI64 } from './args';

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
  const cur = String(cursor);
  let s = '*2\r\n$' + cur.length + '\r\n' + cur + '\r\n*' + found.length + '\r\n';
  for (const k of found) s += '$' + k.length + '\r\n' + k + '\r\n';
  c.write(s);
}
