// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: longest common subsequence
// of two string values by the same dynamic-programming table and backward walk as Redis's
// lcsCommand, so ties between equally long answers resolve the same way.

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import type { CommandSpec } from './spec';
import { Err } from '../errors';
import { is, parseI64 } from './args';
import { lookupRead } from './lookup';

interface LcsOptions {
  len: boolean;
  idx: boolean;
  withMatchLen: boolean;
  minMatchLen: number;
}

/** Options from args[3...]; null after replying an error. */
function parseOptions(c: Client, args: string[]): LcsOptions | null {
  const opts: LcsOptions = { len: false, idx: false, withMatchLen: false, minMatchLen: 0 };
  for (let j = 3; j < args.length; j++) {
    const opt = args[j];
    const moreArgs = args.length - 1 - j;
    if (is(opt, 'idx')) opts.idx = true;
    else if (is(opt, 'len')) opts.len = true;
    else if (is(opt, 'withmatchlen')) opts.withMatchLen = true;
    else if (is(opt, 'minmatchlen') && moreArgs > 0) {
      const n = parseI64(args[j + 1]);
      if (n === undefined) {
        c.error(Err.notInteger);
        return null;
      }
      opts.minMatchLen = n < 0 ? 0 : n;
      j++;
    } else {
      c.error(Err.syntax);
      return null;
    }
  }
  if (opts.idx && opts.len) {
    c.error(Err.lcsLenAndIdx);
    return null;
  }
  return opts;
}

/**
 * The DP table: cell (i, j) at i * (blen + 1) + j holds the LCS length of a[0..i) and
 * b[0..j). Null after replying the memory error Redis gives.
 */
function buildTable(c: Client, node: NodeContext, a: string, b: string): Uint32Array | null {
  const cells = (a.length + 1) * (b.length + 1);
  // Redis refuses a transient table bigger than proto-max-bulk-len (4 bytes a cell).
  if (cells * 4 > node.config.v.protoMaxBulkLen) {
    c.error(Err.lcsTooMuchMemory);
    return null;
  }
  let table: Uint32Array;
  try {
    table = new Uint32Array(cells);
  } catch {
    c.error(Err.lcsAllocFailed);
    return null;
  }
  const width = b.length + 1;
  const bBytes = Buffer.from(b, 'latin1');
  for (let i = 1; i <= a.length; i++) {
    const ai = a.charCodeAt(i - 1);
    const row = i * width;
    const prev = row - width;
    for (let j = 1; j <= b.length; j++) {
      if (ai === bBytes[j - 1]) {
        table[row + j] = table[prev + j - 1] + 1;
      } else {
        const up = table[prev + j];
        const left = table[row + j - 1];
        table[row + j] = up > left ? up : left;
      }
    }
  }
  return table;
}

function lcs(c: Client, args: string[], node: NodeContext): void {
  const objA = lookupRead(c, args[1], node);
  const objB = lookupRead(c, args[2], node);
  if ((objA !== undefined && typeof objA !== 'string') || (objB !== undefined && typeof objB !== 'string')) {
    return c.error(Err.lcsNotStrings);
  }
  const a = objA ?? '';
  const b = objB ?? '';
  const opts = parseOptions(c, args);
  if (opts === null) return;
  const table = buildTable(c, node, a, b);
  if (table === null) return;

  const width = b.length + 1;
  const total = table[a.length * width + b.length];
  if (opts.len) return c.int(total);

  // Walk back from (alen, blen) collecting the subsequence and, for IDX, the matching
  // ranges (emitted from the end of the strings towards the start, as Redis does).
  const result = Buffer.allocUnsafe(total);
  let ranges = '';
  let rangeCount = 0;
  const unset = a.length;
  let aStart = unset;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let k = total;
  let i = a.length;
  let j = b.length;
  while (i > 0 && j > 0) {
    let emit = false;
    const ch = a.charCodeAt(i - 1);
    if (ch === b.charCodeAt(j - 1)) {
      result[k - 1] = ch;
      if (aStart === unset) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      // A range touching the start of either string ends the walk: emit it now.
      if (aStart === 0 || bStart === 0) emit = true;
      k--;
      i--;
      j--;
    } else {
      if (table[(i - 1) * width + j] > table[i * width + j - 1]) i--;
      else j--;
      if (aStart !== unset) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (opts.idx && (opts.minMatchLen === 0 || matchLen >= opts.minMatchLen)) {
        ranges +=
          (opts.withMatchLen ? '*3\r\n' : '*2\r\n') +
          `*2\r\n:${aStart}\r\n:${aEnd}\r\n*2\r\n:${bStart}\r\n:${bEnd}\r\n` +
          (opts.withMatchLen ? `:${matchLen}\r\n` : '');
        rangeCount++;
      }
      aStart = unset;
    }
  }

  if (opts.idx) {
    c.mapHeader(2);
    c.write(`$7\r\nmatches\r\n*${rangeCount}\r\n${ranges}$3\r\nlen\r\n:${total}\r\n`);
  } else {
    c.bulk(result.toString('latin1'));
  }
}

export const lcsCommands: CommandSpec[] = [
  {
    name: 'lcs',
    arity: -3,
    flags: ['readonly'],
    firstKey: 1,
    lastKey: 2,
    step: 1,
    group: 'string',
    run: lcs,
  },
];
