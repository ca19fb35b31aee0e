// Sorted set commands, following t_zset.c's order of checks, replies and keyspace events:
// ZADD ZINCRBY ZREM ZSCORE ZMSCORE ZCARD ZCOUNT ZLEXCOUNT ZRANK ZREVRANK, the ZRANGE family
// (ZRANGE ZRANGESTORE ZREVRANGE Z[REV]RANGEBYSCORE Z[REV]RANGEBYLEX), ZREMRANGEBY*,
// ZPOPMIN ZPOPMAX ZMPOP, ZUNION ZINTER ZDIFF (and *STORE, ZINTERCARD), ZRANDMEMBER, ZSCAN.
// Argument parsing lives in zset-args.ts, the value type in types/zset.ts.

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import type { TypedValue } from '../keyspace/value';
import { keyCommand, type CommandSpec, type Handler } from './spec';
import { Err } from '../errors';
import { R } from '../resp/replies';
import { formatDouble17g } from '../resp/format';
import { is, parseI64, parseI64Exact } from './args';
import { lookupRead } from './lookup';
import { parseLexRange, parseScore, parseScoreRange } from './zset-args';
import { ZSetValue, zsetLimits, type ZSetEnd } from '../types/zset';
import { lexGteMin, lexLteMax, scoreGteMin, scoreLteMax, type LexRange, type ScoreRange, type ZNode } from '../types/skiplist';
import { NotifyClass } from '../keyspace/notify-types';
import { parseScanCursor } from '../keyspace/scan';
import { globMatch } from '../keyspace/glob';

const I64_MAX = 9223372036854775807n;

// ── Lookups and replies ──────────────────────────────────────────────────────────────────

/** A sorted set for reading: undefined when missing, null after replying WRONGTYPE. */
function readZSet(c: Client, key: string, node: NodeContext): ZSetValue | undefined | null {
  const v = lookupRead(c, key, node);
  if (v === undefined) return undefined;
  if (v instanceof ZSetValue) return v;
  c.error(Err.wrongType);
  return null;
}

/** A sorted set for writing (no hit/miss stats): undefined when missing, null after WRONGTYPE. */
function writeZSet(c: Client, key: string): ZSetValue | undefined | null {
  const v = c.db.get(key);
  if (v === undefined) return undefined;
  if (v instanceof ZSetValue) return v;
  c.error(Err.wrongType);
  return null;
}

/** A score as addReplyDouble sends it: a RESP3 double, or a bulk string in RESP2. */
function scoreText(c: Client, d: number): string {
  const s = formatDouble17g(d);
  return c.resp === 3 ? ',' + s + '\r\n' : '$' + s.length + '\r\n' + s + '\r\n';
}

function bulkText(s: string): string {
  return '$' + s.length + '\r\n' + s + '\r\n';
}

/**
 * Members (and scores) of a range reply: a flat array in RESP2, member-score pairs as
 * two-element arrays in RESP3 when with scores.
 */
function replyNodes(c: Client, nodes: readonly ZNode[], withScores: boolean): void {
  const nested = withScores && c.resp === 3;
  let s = '*' + (withScores && !nested ? nodes.length * 2 : nodes.length) + '\r\n';
  for (const n of nodes) {
    if (nested) s += '*2\r\n';
    s += bulkText(n.member);
    if (withScores) s += scoreText(c, n.score);
  }
  c.write(s);
}

/** The key emptied by a removal is deleted, with its "del" event (Redis keeps no empty sets). */
function deleteIfEmpty(c: Client, key: string, z: ZSetValue): boolean {
  if (z.size !== 0) return false;
  c.db.delete(key);
  return true;
}

/** getLongFromObjectOrReply: a signed 64-bit integer or the "not an integer" error. */
function longArg(c: Client, s: string): number | undefined {
  const n = parseI64(s);
  if (n === undefined) c.error(Err.notInteger);
  return n;
}

// ── ZADD / ZINCRBY ───────────────────────────────────────────────────────────────────────

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;
const CH = 16;
const INCR = 32;

/** zaddGenericCommand: ZADD, and ZINCRBY as ZADD INCR. */
function zaddGeneric(c: Client, args: string[], node: NodeContext, initialFlags: number): void {
  const key = args[1];
  let flags = initialFlags;
  let scoreIdx = 2;
  for (; scoreIdx < args.length; scoreIdx++) {
    const opt = args[scoreIdx];
    if (is(opt, 'nx')) flags |= NX;
    else if (is(opt, 'xx')) flags |= XX;
    else if (is(opt, 'ch')) flags |= CH;
    else if (is(opt, 'incr')) flags |= INCR;
    else if (is(opt, 'gt')) flags |= GT;
    else if (is(opt, 'lt')) flags |= LT;
    else break;
  }
  const incr = (flags & INCR) !== 0;
  const pairs = args.length - scoreIdx;
  if (pairs % 2 !== 0 || pairs === 0) return c.error(Err.syntax);
  const elements = pairs / 2;
  if (flags & NX && flags & XX) return c.error(Err.zaddNxXx);
  if ((flags & GT && flags & NX) || (flags & LT && flags & NX) || (flags & GT && flags & LT)) return c.error(Err.zaddGtLtNx);
  if (incr && elements > 1) return c.error(Err.zaddIncrPair);
  const scores: number[] = new Array<number>(elements);
  for (let j = 0; j < elements; j++) {
    const d = parseScore(args[scoreIdx + j * 2]);
    if (d === undefined) return c.error(Err.notFloat);
    scores[j] = d;
  }
  const db = c.db;
  let z = writeZSet(c, key);
  if (z === null) return;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  let created = false;
  if (z === undefined && !(flags & XX)) {
    z = new ZSetValue();
    db.set(key, z);
    created = true;
  }
  if (z !== undefined) {
    const limits = zsetLimits(node.config);
    let writable = created;
    for (let j = 0; j < elements; j++) {
      const member = args[scoreIdx + 1 + j * 2];
      let newScore = scores[j];
      const cur = z.score(member);
      if (cur !== undefined) {
        if (flags & NX) continue;
        if (incr) {
          newScore += cur;
          if (Number.isNaN(newScore)) {
            c.error(Err.zaddNaN);
            return finishZadd(c, node, key, incr, added, updated);
          }
        }
        if ((flags & LT && newScore >= cur) || (flags & GT && newScore <= cur)) continue;
        processed++;
        score = newScore;
        if (newScore !== cur) {
          if (!writable) {
            db.getForWrite(key);
            writable = true;
          }
          z.update(member, cur, newScore);
          updated++;
        }
      } else if (!(flags & XX)) {
        if (!writable) {
          db.getForWrite(key);
          writable = true;
        }
        z.insert(member, newScore, limits);
        added++;
        processed++;
        score = newScore;
      }
    }
  }
  if (incr) {
    if (processed) c.double(score);
    else c.nullBulk();
  } else {
    c.int(flags & CH ? added + updated : added);
  }
  finishZadd(c, node, key, incr, added, updated);
}

function finishZadd(c: Client, node: NodeContext, key: string, incr: boolean, added: number, updated: number): void {
  if (added === 0 && updated === 0) return;
  node.keyspace.modified(c.db, key);
  node.keyspace.notify(NotifyClass.ZSet, incr ? 'zincr' : 'zadd', c.db, key);
  if (added !== 0) node.keyspace.signalKeyAsReady(c.db, key);
}

// ── ZREM ZSCORE ZMSCORE ZCARD ZRANK ──────────────────────────────────────────────────────

function zrem(c: Client, args: string[], node: NodeContext): void {
  const key = args[1];
  const z = writeZSet(c, key);
  if (z === null) return;
  if (z === undefined) return c.write(R.zero);
  let deleted = 0;
  let removed = false;
  for (let j = 2; j < args.length; j++) {
    if (z.score(args[j]) === undefined) continue;
    if (deleted === 0) c.db.getForWrite(key);
    z.remove(args[j]);
    deleted++;
    if (deleteIfEmpty(c, key, z)) {
      removed = true;
      break;
    }
  }
  if (deleted) {
    node.keyspace.notify(NotifyClass.ZSet, 'zrem', c.db, key);
    if (removed) node.keyspace.notify(NotifyClass.Generic, 'del', c.db, key);
    node.keyspace.modified(c.db, key);
  }
  c.int(deleted);
}

function zscore(c: Client, args: string[], node: NodeContext): void {
  const z = readZSet(c, args[1], node);
  if (z === null) return;
  const score = z?.score(args[2]);
  if (score === undefined) c.nullBulk();
  else c.double(score);
}

function zmscore(c: Client, args: string[], node: NodeContext): void {
  const z = readZSet(c, args[1], node);
  if (z === null) return;
  const nil = c.resp === 2 ? R.nullBulk2 : R.null3;
  let s = '*' + (args.length - 2) + '\r\n';
  for (let j = 2; j < args.length; j++) {
    const score = z?.score(args[j]);
    s += score === undefined ? nil : scoreText(c, score);
  }
  c.write(s);
}

function zcard(c: Client, args: string[], node: NodeContext): void {
  const z = readZSet(c, args[1], node);
  if (z === null) return;
  c.int(z === undefined ? 0 : z.size);
}

function zrankGeneric(reverse: boolean): Handler {
  return (c, args, node) => {
    const z = readZSet(c, args[1], node);
    if (z === null) return;
    if (z === undefined) return c.nullBulk();
    const rank = z.rank(args[2], reverse);
    if (rank < 0) c.nullBulk();
    else c.int(rank);
  };
}

// ── Ranges over a sorted set ─────────────────────────────────────────────────────────────

/** The first member in a lex range: listpacks are scanned from the start, skip lists descended. */
function firstInLex(z: ZSetValue, r: LexRange): ZNode | null {
  if (!z.listpack) return z.list.firstInLexRange(r);
  if (!z.list.lexRangeMayMatch(r)) return null;
  for (let n = z.list.first; n !== null; n = n.next[0]) {
    if (lexGteMin(n.member, r)) return lexLteMax(n.member, r) ? n : null;
  }
  return null;
}

function lastInLex(z: ZSetValue, r: LexRange): ZNode | null {
  if (!z.listpack) return z.list.lastInLexRange(r);
  if (!z.list.lexRangeMayMatch(r)) return null;
  for (let n = z.list.tail; n !== null; n = n.prev) {
    if (lexLteMax(n.member, r)) return lexGteMin(n.member, r) ? n : null;
  }
  return null;
}

/** Members ranked start..end (0-based, negative from the end), as genericZrangebyrankCommand. */
function rankRange(z: ZSetValue, startArg: number, endArg: number, reverse: boolean): ZNode[] {
  const len = z.size;
  let start = startArg < 0 ? len + startArg : startArg;
  let end = endArg < 0 ? len + endArg : endArg;
  if (start < 0) start = 0;
  if (start > end || start >= len) return [];
  if (end >= len) end = len - 1;
  const out: ZNode[] = [];
  let n = z.at(reverse ? len - 1 - start : start);
  for (let i = start; i <= end && n !== null; i++) {
    out.push(n);
    n = reverse ? n.prev : n.next[0];
  }
  return out;
}

/** Walks from `first` skipping `offset`, taking up to `limit` (negative: all) while `inRange`. */
function walkRange(first: ZNode | null, offset: number, limit: number, reverse: boolean, inRange: (n: ZNode) => boolean): ZNode[] {
  const out: ZNode[] = [];
  if (offset < 0) return out;
  let n = first;
  for (let skip = offset; n !== null && skip > 0; skip--) n = reverse ? n.prev : n.next[0];
  for (let left = limit; n !== null && left !== 0; left--) {
    if (!inRange(n)) break;
    out.push(n);
    n = reverse ? n.prev : n.next[0];
  }
  return out;
}

function scoreRangeNodes(z: ZSetValue, r: ScoreRange, offset: number, limit: number, reverse: boolean): ZNode[] {
  if (offset > 0 && offset >= z.size) return [];
  const first = reverse ? z.list.lastInRange(r) : z.list.firstInRange(r);
  return walkRange(first, offset, limit, reverse, reverse ? (n) => scoreGteMin(n.score, r) : (n) => scoreLteMax(n.score, r));
}

function lexRangeNodes(z: ZSetValue, r: LexRange, offset: number, limit: number, reverse: boolean): ZNode[] {
  if (offset > 0 && offset >= z.size) return [];
  const first = reverse ? lastInLex(z, r) : firstInLex(z, r);
  return walkRange(first, offset, limit, reverse, reverse ? (n) => lexGteMin(n.member, r) : (n) => lexLteMax(n.member, r));
}

// ── ZRANGE family ────────────────────────────────────────────────────────────────────────

type RangeType = 'auto' | 'rank' | 'score' | 'lex';
type Direction = 'auto' | 'forward' | 'reverse';

/**
 * zrangeGenericCommand: ZRANGE and its older forms (fixed type or direction), and
 * ZRANGESTORE (store: args[1] is the destination and the source follows it).
 */
function zrangeGeneric(store: boolean, fixedType: RangeType, fixedDirection: Direction): Handler {
  return (c, args, node) => {
    const at = store ? 2 : 1;
    const key = args[at];
    let minIdx = at + 1;
    let maxIdx = at + 2;
    let type = fixedType;
    let direction = fixedDirection;
    let withScores = false;
    let offset = 0;
    let limit = -1;
    for (let j = at + 3; j < args.length; j++) {
      const left = args.length - j - 1;
      const opt = args[j];
      if (!store && is(opt, 'withscores')) {
        withScores = true;
      } else if (is(opt, 'limit') && left >= 2) {
        const o = longArg(c, args[j + 1]);
        if (o === undefined) return;
        const l = longArg(c, args[j + 2]);
        if (l === undefined) return;
        offset = o;
        limit = l;
        j += 2;
      } else if (direction === 'auto' && is(opt, 'rev')) {
        direction = 'reverse';
      } else if (type === 'auto' && is(opt, 'bylex')) {
        type = 'lex';
      } else if (type === 'auto' && is(opt, 'byscore')) {
        type = 'score';
      } else {
        return c.error(Err.syntax);
      }
    }
    if (direction === 'auto') direction = 'forward';
    if (type === 'auto') type = 'rank';
    if (limit !== -1 && type === 'rank') return c.error(Err.zrangeLimitRank);
    if (withScores && type === 'lex') return c.error(Err.zrangeWithscoresLex);
    const reverse = direction === 'reverse';
    if (reverse && type !== 'rank') [minIdx, maxIdx] = [maxIdx, minIdx];

    let select: (z: ZSetValue) => ZNode[];
    if (type === 'rank') {
      const start = longArg(c, args[minIdx]);
      if (start === undefined) return;
      const end = longArg(c, args[maxIdx]);
      if (end === undefined) return;
      select = (z) => rankRange(z, start, end, reverse);
    } else if (type === 'score') {
      const r = parseScoreRange(args[minIdx], args[maxIdx]);
      if (r === undefined) return c.error(Err.zsetMinMaxNotFloat);
      select = (z) => scoreRangeNodes(z, r, offset, limit, reverse);
    } else {
      const r = parseLexRange(args[minIdx], args[maxIdx]);
      if (r === undefined) return c.error(Err.zsetMinMaxNotLex);
      select = (z) => lexRangeNodes(z, r, offset, limit, reverse);
    }
    const z = readZSet(c, key, node);
    if (z === null) return;
    const nodes = z === undefined ? [] : select(z);
    if (!store) return replyNodes(c, nodes, withScores);
    const dst = args[1];
    const existed = c.db.has(dst);
    storeResult(c, node, dst, nodes.map((n) => [n.member, n.score] as const), 'zrangestore');
    // A lex walk of a skip list depends on its random levels when scores differ: log what
    // was stored, so replay does not walk again.
    if (type === 'lex' && z !== undefined && !z.listpack && (nodes.length !== 0 || existed)) {
      node.effects.propagate(c.dbIndex, ['DEL', dst]);
      if (nodes.length !== 0) node.effects.propagate(c.dbIndex, ['ZADD', dst, ...nodes.flatMap((n) => [formatDouble17g(n.score), n.member])]);
    }
  };
}

/**
 * Stores a computed sorted set at `dst` (replacing it, dropping its TTL) and replies its
 * size; an empty result deletes `dst` instead.
 */
function storeResult(c: Client, node: NodeContext, dst: string, entries: ReadonlyArray<readonly [string, number]>, event: string): void {
  const db = c.db;
  if (entries.length !== 0) {
    const z = ZSetValue.fromEntries(entries, zsetLimits(node.config));
    db.set(dst, z);
    c.int(z.size);
    node.keyspace.modified(db, dst);
    node.keyspace.notify(NotifyClass.ZSet, event, db, dst);
    node.keyspace.signalKeyAsReady(db, dst);
  } else {
    c.write(R.zero);
    if (db.delete(dst)) {
      node.keyspace.modified(db, dst);
      node.keyspace.notify(NotifyClass.Generic, 'del', db, dst);
    }
  }
}

// ── ZCOUNT ZLEXCOUNT ─────────────────────────────────────────────────────────────────────

function zcount(c: Client, args: string[], node: NodeContext): void {
  const r = parseScoreRange(args[2], args[3]);
  if (r === undefined) return c.error(Err.zsetMinMaxNotFloat);
  const z = readZSet(c, args[1], node);
  if (z === null) return;
  if (z === undefined) return c.write(R.zero);
  const first = z.list.firstInRange(r);
  if (first === null) return c.write(R.zero);
  const last = z.list.lastInRange(r);
  const firstRank = z.list.rankOf(first.score, first.member);
  const lastRank = last === null ? z.size : z.list.rankOf(last.score, last.member);
  c.int(lastRank - firstRank + 1);
}

function zlexcount(c: Client, args: string[], node: NodeContext): void {
  const r = parseLexRange(args[2], args[3]);
  if (r === undefined) return c.error(Err.zsetMinMaxNotLex);
  const z = readZSet(c, args[1], node);
  if (z === null) return;
  if (z === undefined) return c.write(R.zero);
  const first = firstInLex(z, r);
  if (first === null) return c.write(R.zero);
  let count = 0;
  if (z.listpack) {
    for (let n: ZNode | null = first; n !== null && lexLteMax(n.member, r); n = n.next[0]) count++;
  } else {
    count = z.size - (z.list.rankOf(first.score, first.member) - 1);
    const last = lastInLex(z, r);
    if (last !== null) count -= z.size - z.list.rankOf(last.score, last.member);
  }
  c.int(count);
}

// ── ZREMRANGEBYRANK / BYSCORE / BYLEX ────────────────────────────────────────────────────

function zremrangeGeneric(type: 'rank' | 'score' | 'lex'): Handler {
  return (c, args, node) => {
    const key = args[1];
    let select: (z: ZSetValue) => ZNode[];
    if (type === 'rank') {
      const start = longArg(c, args[2]);
      if (start === undefined) return;
      const end = longArg(c, args[3]);
      if (end === undefined) return;
      select = (z) => rankRange(z, start, end, false);
    } else if (type === 'score') {
      const r = parseScoreRange(args[2], args[3]);
      if (r === undefined) return c.error(Err.zsetMinMaxNotFloat);
      select = (z) => walkRange(z.list.seekScoreMin(r), 0, -1, false, (n) => scoreLteMax(n.score, r));
    } else {
      const r = parseLexRange(args[2], args[3]);
      if (r === undefined) return c.error(Err.zsetMinMaxNotLex);
      select = (z) => walkRange(z.listpack ? firstInLex(z, r) : z.list.seekLexMin(r), 0, -1, false, (n) => lexLteMax(n.member, r));
    }
    const z = writeZSet(c, key);
    if (z === null) return;
    if (z === undefined) return c.write(R.zero);
    const nodes = select(z);
    if (nodes.length !== 0) {
      // As for ZRANGESTORE BYLEX: a lex walk of a skip list is not replayable, its result is.
      if (type === 'lex' && !z.listpack) node.effects.propagate(c.dbIndex, ['ZREM', key, ...nodes.map((n) => n.member)]);
      c.db.getForWrite(key);
      for (const n of nodes) z.removeNode(n);
      const removed = deleteIfEmpty(c, key, z);
      node.keyspace.modified(c.db, key);
      node.keyspace.notify(NotifyClass.ZSet, 'zremrangeby' + type, c.db, key);
      if (removed) node.keyspace.notify(NotifyClass.Generic, 'del', c.db, key);
    }
    c.int(nodes.length);
  };
}

// ── ZPOPMIN ZPOPMAX ZMPOP ────────────────────────────────────────────────────────────────

/**
 * genericZpopCommand: pops up to `count` members (-1: one, the single form) from the first
 * of `keys` that exists. `emitKey`/`nested` choose the reply shape (ZMPOP: [key, [[m, s]...]]).
 * Returns the key popped from, or null when nothing was popped.
 */
export function zpopGeneric(
  c: Client,
  node: NodeContext,
  keys: readonly string[],
  end: ZSetEnd,
  emitKey: boolean,
  countArg: number,
  nested: boolean,
  nullWhenEmpty: boolean,
): string | null {
  let key: string | undefined;
  let z: ZSetValue | undefined;
  for (const k of keys) {
    const v = writeZSet(c, k);
    if (v === null) return null;
    if (v !== undefined) {
      key = k;
      z = v;
      break;
    }
  }
  if (z === undefined || key === undefined) {
    c.write(nullWhenEmpty ? (c.resp === 2 ? R.nullArray2 : R.null3) : R.emptyArray);
    return null;
  }
  if (countArg === 0) {
    c.write(R.emptyArray);
    return null;
  }
  const count = countArg === -1 ? 1 : countArg;
  const n = Math.min(count, z.size);
  let s: string;
  if (!nested && !emitKey) s = '*' + n * 2 + '\r\n';
  else if (nested && !emitKey) s = '*' + n + '\r\n';
  else if (!nested && emitKey) s = '*' + (n * 2 + 1) + '\r\n' + bulkText(key);
  else s = '*2\r\n' + bulkText(key) + '*' + n + '\r\n';
  c.db.getForWrite(key);
  for (let i = 0; i < n; i++) {
    const e = z.end(end)!;
    if (nested) s += '*2\r\n';
    s += bulkText(e.member) + scoreText(c, e.score);
    z.removeNode(e);
  }
  c.write(s);
  const db = c.db;
  const removed = deleteIfEmpty(c, key, z);
  node.keyspace.modified(db, key);
  node.keyspace.notify(NotifyClass.ZSet, end === 'min' ? 'zpopmin' : 'zpopmax', db, key);
  if (removed) node.keyspace.notify(NotifyClass.Generic, 'del', db, key);
  return key;
}

function zpopMinMax(end: ZSetEnd): Handler {
  return (c, args, node) => {
    if (args.length > 3) return c.error(Err.syntax);
    let count = -1;
    if (args.length === 3) {
      const n = parseI64(args[2]);
      if (n === undefined || n < 0) return c.error(Err.mustBePositive);
      count = n;
    }
    zpopGeneric(c, node, [args[1]], end, false, count, c.resp === 3 && count !== -1, false);
  };
}

/** The arguments of ZMPOP/BZMPOP after numkeys' position: keys, end and count. */
export interface ZmpopArgs {
  keys: string[];
  end: ZSetEnd;
  count: number;
}

/** Parses `numkeys key... MIN|MAX [COUNT n]` from args[numkeysIdx] (zmpopGenericCommand). */
export function parseZmpop(c: Client, args: string[], numkeysIdx: number): ZmpopArgs | null {
  const numkeys = parseI64(args[numkeysIdx]);
  if (numkeys === undefined || numkeys < 1) {
    c.error(Err.numkeysPositive);
    return null;
  }
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= args.length) {
    c.error(Err.syntax);
    return null;
  }
  let end: ZSetEnd;
  if (is(args[whereIdx], 'min')) end = 'min';
  else if (is(args[whereIdx], 'max')) end = 'max';
  else {
    c.error(Err.syntax);
    return null;
  }
  let count = -1;
  for (let j = whereIdx + 1; j < args.length; j++) {
    if (count === -1 && is(args[j], 'count') && j < args.length - 1) {
      j++;
      const n = parseI64(args[j]);
      if (n === undefined || n < 1) {
        c.error(Err.countPositive);
        return null;
      }
      count = n;
    } else {
      c.error(Err.syntax);
      return null;
    }
  }
  return { keys: args.slice(numkeysIdx + 1, whereIdx), end, count: count === -1 ? 1 : count };
}

function zmpop(c: Client, args: string[], node: NodeContext): void {
  const p = parseZmpop(c, args, 1);
  if (p === null) return;
  const key = zpopGeneric(c, node, p.keys, p.end, true, p.count, true, true);
  // Logged as ZPOPMIN/ZPOPMAX with the count, as Redis replicates it.
  if (key !== null) node.effects.propagate(c.dbIndex, [p.end === 'min' ? 'ZPOPMIN' : 'ZPOPMAX', key, String(p.count)]);
}

// ── ZUNION ZINTER ZDIFF (and STORE), ZINTERCARD ──────────────────────────────────────────

/** One input of a set operation: a sorted set, a set (every score 1), or a missing key. */
interface OpSource {
  size: number;
  weight: number;
  /** The value itself, to recognise the same key given twice. */
  value: TypedValue | null;
  score(member: string): number | undefined;
  entries(): Iterable<readonly [string, number]>;
}

/** A set value's members (types/set.ts keeps them in `members`). */
function setMembers(v: TypedValue): ReadonlySet<string> {
  const members = (v as unknown as { members?: unknown }).members;
  if (!(members instanceof Set)) throw new Error('set value without a members Set');
  return members as ReadonlySet<string>;
}

function sourceOf(v: TypedValue | undefined): OpSource {
  if (v === undefined) return { size: 0, weight: 1, value: null, score: () => undefined, entries: () => [] };
  if (v instanceof ZSetValue) {
    return {
      size: v.size,
      weight: 1,
      value: v,
      score: (m) => v.score(m),
      entries: function* () {
        for (const n of v.list.nodes()) yield [n.member, n.score] as const;
      },
    };
  }
  const members = setMembers(v);
  return {
    size: members.size,
    weight: 1,
    value: v,
    score: (m) => (members.has(m) ? 1 : undefined),
    entries: function* () {
      for (const m of members) yield [m, 1] as const;
    },
  };
}

type Aggregate = 'sum' | 'min' | 'max';

/** zunionInterAggregate: sums that come out NaN (inf + -inf) count as 0. */
function aggregate(target: number, value: number, how: Aggregate): number {
  if (how === 'sum') {
    const s = target + value;
    return Number.isNaN(s) ? 0 : s;
  }
  if (how === 'min') return value < target ? value : target;
  return value > target ? value : target;
}

type SetOp = 'union' | 'inter' | 'diff';

/**
 * zunionInterDiffGenericCommand. `dst`: the destination of a *STORE form, else null;
 * `cardinalityOnly`: ZINTERCARD.
 */
function zsetOpGeneric(op: SetOp, store: boolean, cardinalityOnly: boolean): Handler {
  return (c, args, node) => {
    const dst = store ? args[1] : null;
    const numkeysIdx = store ? 2 : 1;
    const setnum = longArg(c, args[numkeysIdx]);
    if (setnum === undefined) return;
    if (setnum < 1) return c.error(Err.zsetOpNoKeys(args[0].toLowerCase()));
    if (setnum > args.length - (numkeysIdx + 1)) return c.error(Err.syntax);
    const sources: OpSource[] = [];
    let j = numkeysIdx + 1;
    for (let i = 0; i < setnum; i++, j++) {
      const v = lookupRead(c, args[j], node);
      if (v !== undefined && (typeof v === 'string' || (v.kind !== 'zset' && v.kind !== 'set'))) return c.error(Err.wrongType);
      sources.push(sourceOf(v as TypedValue | undefined));
    }
    let how: Aggregate = 'sum';
    let withScores = false;
    let limit = 0;
    while (j < args.length) {
      const remaining = args.length - j;
      const opt = args[j];
      if (op !== 'diff' && !cardinalityOnly && remaining >= setnum + 1 && is(opt, 'weights')) {
        j++;
        for (let i = 0; i < setnum; i++, j++) {
          const w = parseScore(args[j]);
          if (w === undefined) return c.error(Err.weightNotFloat);
          sources[i].weight = w;
        }
      } else if (op !== 'diff' && !cardinalityOnly && remaining >= 2 && is(opt, 'aggregate')) {
        const a = args[j + 1];
        if (is(a, 'sum')) how = 'sum';
        else if (is(a, 'min')) how = 'min';
        else if (is(a, 'max')) how = 'max';
        else return c.error(Err.syntax);
        j += 2;
      } else if (dst === null && !cardinalityOnly && is(opt, 'withscores')) {
        withScores = true;
        j++;
      } else if (cardinalityOnly && remaining >= 2 && is(opt, 'limit')) {
        const n = parseI64(args[j + 1]);
        if (n === undefined || n < 0) return c.error(Err.limitNegative);
        limit = n;
        j += 2;
      } else {
        return c.error(Err.syntax);
      }
    }
    // Smallest inputs first (a stable sort, like glibc's qsort for these sizes).
    if (op !== 'diff') sources.sort((a, b) => a.size - b.size);

    const result = new Map<string, number>();
    let cardinality = 0;
    if (op === 'inter') {
      if (sources[0].size > 0) {
        for (const [member, s0] of sources[0].entries()) {
          let score = sources[0].weight * s0;
          if (Number.isNaN(score)) score = 0;
          let i = 1;
          for (; i < sources.length; i++) {
            const src = sources[i];
            const value = src.value === sources[0].value ? s0 : src.score(member);
            if (value === undefined) break;
            score = aggregate(score, value * src.weight, how);
          }
          if (i !== sources.length) continue;
          if (cardinalityOnly) {
            cardinality++;
            if (limit !== 0 && cardinality >= limit) break;
          } else {
            result.set(member, score);
          }
        }
      }
    } else if (op === 'union') {
      for (const src of sources) {
        if (src.size === 0) continue;
        for (const [member, s] of src.entries()) {
          let score = src.weight * s;
          if (Number.isNaN(score)) score = 0;
          const cur = result.get(member);
          result.set(member, cur === undefined ? score : aggregate(cur, score, how));
        }
      }
    } else {
      const first = sources[0];
      if (first.size > 0) {
        for (const [member, s] of first.entries()) {
          let found = false;
          for (let i = 1; i < sources.length && !found; i++) found = sources[i].score(member) !== undefined;
          if (!found) result.set(member, s);
        }
      }
    }

    if (cardinalityOnly) return c.int(cardinality);
    if (dst !== null) {
      storeResult(c, node, dst, [...result], op === 'union' ? 'zunionstore' : op === 'inter' ? 'zinterstore' : 'zdiffstore');
      return;
    }
    const sorted = ZSetValue.fromEntries(result, { maxListpackEntries: 0, maxListpackValue: 0 });
    replyNodes(c, [...sorted.list.nodes()], withScores);
  };
}

// ── ZRANDMEMBER ──────────────────────────────────────────────────────────────────────────

function zrandmember(c: Client, args: string[], node: NodeContext): void {
  if (args.length >= 3) {
    const exact = parseI64Exact(args[2]);
    if (exact === undefined) return c.error(Err.notInteger);
    if (exact < -I64_MAX) return c.error(Err.valueOutOfRange(-I64_MAX, I64_MAX));
    if (args.length > 4 || (args.length === 4 && !is(args[3], 'withscores'))) return c.error(Err.syntax);
    const withScores = args.length === 4;
    if (withScores && (exact < -I64_MAX / 2n || exact > I64_MAX / 2n)) return c.error(Err.valueOutOfRangePlain);
    const l = Number(exact);
    return zrandmemberWithCount(c, node, args[1], l, withScores);
  }
  const z = readZSet(c, args[1], node);
  if (z === null) return;
  if (z === undefined) return c.nullBulk();
  c.bulk(z.at(Math.floor(Math.random() * z.size))!.member);
}

function zrandmemberWithCount(c: Client, node: NodeContext, key: string, l: number, withScores: boolean): void {
  const z = readZSet(c, key, node);
  if (z === null) return;
  if (z === undefined || l === 0) return c.write(R.emptyArray);
  const size = z.size;
  let picks: ZNode[];
  if (l < 0 || l === 1) {
    // Repetitions allowed: independent uniform picks.
    const count = l < 0 ? -l : 1;
    picks = new Array<ZNode>(count);
    for (let i = 0; i < count; i++) picks[i] = z.at(Math.floor(Math.random() * size))!;
  } else if (l >= size) {
    // The whole set, highest first, as Redis walks it for this case.
    picks = [];
    for (let n = z.list.tail; n !== null; n = n.prev) picks.push(n);
  } else {
    // Distinct ranks: a partial Fisher-Yates shuffle over the ranks that were touched.
    const swapped = new Map<number, number>();
    picks = [];
    for (let i = 0; i < l; i++) {
      const j = i + Math.floor(Math.random() * (size - i));
      const rank = swapped.get(j) ?? j;
      swapped.set(j, swapped.get(i) ?? i);
      picks.push(z.at(rank)!);
    }
  }
  replyNodes(c, picks, withScores);
}

// ── ZSCAN ────────────────────────────────────────────────────────────────────────────────

/** ZSCAN key cursor [MATCH pattern] [COUNT count]: a listpack is returned whole, in order. */
function zscan(c: Client, args: string[], node: NodeContext): void {
  const cursor = parseScanCursor(args[2]);
  if (cursor === undefined) return c.error(Err.invalidCursor);
  const z = readZSet(c, args[1], node);
  if (z === null) return;
  if (z === undefined) return c.write('*2\r\n$1\r\n0\r\n*0\r\n');
  let count = 10;
  let pattern: string | undefined;
  for (let i = 3; i < args.length; i += 2) {
    const hasValue = i + 1 < args.length;
    if (is(args[i], 'count') && hasValue) {
      const n = parseI64(args[i + 1]);
      if (n === undefined) return c.error(Err.notInteger);
      if (n < 1) return c.error(Err.syntax);
      count = n;
    } else if (is(args[i], 'match') && hasValue) {
      pattern = args[i + 1] === '*' ? undefined : args[i + 1];
    } else {
      return c.error(Err.syntax);
    }
  }
  const found: string[] = [];
  const visit = (member: string): void => {
    if (pattern !== undefined && !globMatch(pattern, member)) return;
    const score = z.score(member);
    if (score === undefined) return;
    found.push(member, formatDouble17g(score));
  };
  let next = 0;
  if (z.listpack) {
    for (const n of z.list.nodes()) visit(n.member);
  } else {
    next = c.db.scans.step(z.scores, cursor, count, visit);
  }
  const cur = String(next);
  let s = '*2\r\n$' + cur.length + '\r\n' + cur + '\r\n*' + found.length + '\r\n';
  for (const f of found) s += bulkText(f);
  c.write(s);
}

// ── Table ────────────────────────────────────────────────────────────────────────────────

/** A sorted set command's declaration (docs group "sorted-set"). */
function spec(name: string, arity: number, flags: CommandSpec['flags'], run: Handler, firstKey = 1, lastKey = 1, step = 1): CommandSpec {
  return keyCommand(name, arity, flags, 'sorted-set', run, firstKey, lastKey, step);
}

export const zsetCommands: CommandSpec[] = [
  spec('zadd', -4, ['write', 'denyoom', 'fast'], (c, a, n) => zaddGeneric(c, a, n, 0)),
  spec('zincrby', 4, ['write', 'denyoom', 'fast'], (c, a, n) => zaddGeneric(c, a, n, INCR)),
  spec('zrem', -3, ['write', 'fast'], zrem),
  spec('zscore', 3, ['readonly', 'fast'], zscore),
  spec('zmscore', -3, ['readonly', 'fast'], zmscore),
  spec('zcard', 2, ['readonly', 'fast'], zcard),
  spec('zcount', 4, ['readonly', 'fast'], zcount),
  spec('zlexcount', 4, ['readonly', 'fast'], zlexcount),
  spec('zrank', 3, ['readonly', 'fast'], zrankGeneric(false)),
  spec('zrevrank', 3, ['readonly', 'fast'], zrankGeneric(true)),
  spec('zrange', -4, ['readonly'], zrangeGeneric(false, 'auto', 'auto')),
  spec('zrangestore', -5, ['write', 'denyoom'], zrangeGeneric(true, 'auto', 'auto'), 1, 2, 1),
  spec('zrevrange', -4, ['readonly'], zrangeGeneric(false, 'rank', 'reverse')),
  spec('zrangebyscore', -4, ['readonly'], zrangeGeneric(false, 'score', 'forward')),
  spec('zrevrangebyscore', -4, ['readonly'], zrangeGeneric(false, 'score', 'reverse')),
  spec('zrangebylex', -4, ['readonly'], zrangeGeneric(false, 'lex', 'forward')),
  spec('zrevrangebylex', -4, ['readonly'], zrangeGeneric(false, 'lex', 'reverse')),
  spec('zremrangebyrank', 4, ['write'], zremrangeGeneric('rank')),
  spec('zremrangebyscore', 4, ['write'], zremrangeGeneric('score')),
  spec('zremrangebylex', 4, ['write'], zremrangeGeneric('lex')),
  spec('zpopmin', -2, ['write', 'fast'], zpopMinMax('min')),
  spec('zpopmax', -2, ['write', 'fast'], zpopMinMax('max')),
  spec('zmpop', -4, ['write', 'movablekeys'], zmpop, 0, 0, 0),
  spec('zunion', -3, ['readonly', 'movablekeys'], zsetOpGeneric('union', false, false), 0, 0, 0),
  spec('zinter', -3, ['readonly', 'movablekeys'], zsetOpGeneric('inter', false, false), 0, 0, 0),
  spec('zdiff', -3, ['readonly', 'movablekeys'], zsetOpGeneric('diff', false, false), 0, 0, 0),
  spec('zintercard', -3, ['readonly', 'movablekeys'], zsetOpGeneric('inter', false, true), 0, 0, 0),
  spec('zunionstore', -4, ['write', 'denyoom', 'movablekeys'], zsetOpGeneric('union', true, false)),
  spec('zinterstore', -4, ['write', 'denyoom', 'movablekeys'], zsetOpGeneric('inter', true, false)),
  spec('zdiffstore', -4, ['write', 'denyoom', 'movablekeys'], zsetOpGeneric('diff', true, false)),
  spec('zrandmember', -2, ['readonly'], zrandmember),
  spec('zscan', -3, ['readonly'], zscan),
];
