// Set commands: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SINTER
// SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN, following Redis 7.0's
// t_set.c order of checks, replies (RESP3 sets where Redis sends them), keyspace events and
// effects (SPOP is logged as the SREM of what it popped). The value type is types/set.ts.

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import { keyCommand, type CommandFlag, type CommandSpec, type Handler } from './spec';
import { Err } from '../errors';
import { R } from '../resp/replies';
import { is, parseI64, parseI64Exact } from './args';
import { lookupRead } from './lookup';
import { SetValue } from '../types/set';
import { NotifyClass } from '../keyspace/notify-types';
import { parseScanCursor, randomDistinct, randomEntry } from '../keyspace/scan';
import { globMatch } from '../keyspace/glob';
import { parseScanOptions, replyScan } from './scan-options';

const LONG_MAX = 9223372036854775807n;
/** SPOP with a count is logged as SREMs of at most this many members (Redis's batch). */
const SREM_BATCH = 1024;
/** SPOP count: pop one by one while the survivors outnumber the popped this many times. */
const SPOP_MOVE_STRATEGY_MUL = 5;

function maxIntset(node: NodeContext): number {
  return node.config.v.setMaxIntsetEntries;
}

// ── Lookups and replies ─────────────────────────────────────────────────────────────────

/** A set for reading (hit/miss stats): undefined when missing, null after WRONGTYPE. */
function readSet(c: Client, key: string, node: NodeContext): SetValue | undefined | null {
  const v = lookupRead(c, key, node);
  if (v === undefined || v instanceof SetValue) return v;
  c.error(Err.wrongType);
  return null;
}

/** A set for writing (no stats): undefined when missing, null after WRONGTYPE. */
function writeSet(c: Client, key: string): SetValue | undefined | null {
  const v = c.db.get(key);
  if (v === undefined || v instanceof SetValue) return v;
  c.error(Err.wrongType);
  return null;
}

/** Every member as a RESP3 set (RESP2 array). */
function replyMembers(c: Client, members: readonly string[]): void {
  c.setHeader(members.length);
  let s = '';
  for (const m of members) s += '$' + m.length + '\r\n' + m + '\r\n';
  c.write(s);
}

function emptySet(c: Client): void {
  c.write(c.resp === 3 ? '~0\r\n' : R.emptyArray);
}

// ── SADD SREM SMOVE SPOP ────────────────────────────────────────────────────────────────

function sadd(c: Client, args: string[], node: NodeContext): void {
  const key = args[1];
  const db = c.db;
  let s = writeSet(c, key);
  if (s === null) return;
  if (s === undefined) {
    s = SetValue.forFirstMember(args[2]);
    db.set(key, s);
  } else {
    db.getForWrite(key);
  }
  const max = maxIntset(node);
  let added = 0;
  for (let i = 2; i < args.length; i++) if (s.add(args[i], max)) added++;
  if (added > 0) {
    node.keyspace.modified(db, key);
    node.keyspace.notify(NotifyClass.Set, 'sadd', db, key);
  }
  c.int(added);
}

function srem(c: Client, args: string[], node: NodeContext): void {
  const key = args[1];
  const db = c.db;
  const s = writeSet(c, key);
  if (s === null) return;
  if (s === undefined) return c.write(R.zero);
  let deleted = 0;
  let keyRemoved = false;
  for (let i = 2; i < args.length; i++) {
    if (!s.has(args[i])) continue;
    if (deleted === 0) db.getForWrite(key);
    s.delete(args[i]);
    deleted++;
    if (s.size === 0) {
      db.delete(key);
      keyRemoved = true;
      break;
    }
  }
  if (deleted > 0) {
    node.keyspace.modified(db, key);
    node.keyspace.notify(NotifyClass.Set, 'srem', db, key);
    if (keyRemoved) node.keyspace.notify(NotifyClass.Generic, 'del', db, key);
  }
  c.int(deleted);
}

/** SMOVE source destination member */
function smove(c: Client, args: string[], node: NodeContext): void {
  const [, src, dst, member] = args;
  const db = c.db;
  const from = db.get(src);
  const to = db.get(dst);
  if (from === undefined) return c.write(R.zero);
  if (!(from instanceof SetValue) || (to !== undefined && !(to instanceof SetValue))) return c.error(Err.wrongType);
  if (from === to) return c.write(from.has(member) ? R.one : R.zero);
  if (!from.has(member)) return c.write(R.zero);
  db.getForWrite(src);
  from.delete(member);
  node.keyspace.notify(NotifyClass.Set, 'srem', db, src);
  if (from.size === 0) {
    db.delete(src);
    node.keyspace.notify(NotifyClass.Generic, 'del', db, src);
  }
  node.keyspace.modified(db, src);
  let target = to;
  if (target === undefined) {
    target = SetValue.forFirstMember(member);
    db.set(dst, target);
  } else {
    db.getForWrite(dst);
  }
  if (target.add(member, maxIntset(node))) {
    node.keyspace.modified(db, dst);
    node.keyspace.notify(NotifyClass.Set, 'sadd', db, dst);
  }
  c.write(R.one);
}

/** Declares SREMs of `popped` from `key` as the effect of an SPOP. */
function propagateSrem(c: Client, node: NodeContext, key: string, popped: readonly string[]): void {
  if (!node.effects.active) return;
  for (let i = 0; i < popped.length; i += SREM_BATCH) {
    node.effects.propagate(c.db.id, ['SREM', key, ...popped.slice(i, i + SREM_BATCH)]);
  }
}

/** SPOP key [count] */
function spop(c: Client, args: string[], node: NodeContext): void {
  if (args.length > 3) return c.error(Err.syntax);
  if (args.length === 3) return spopCount(c, args, node);
  const key = args[1];
  const db = c.db;
  const s = writeSet(c, key);
  if (s === null) return;
  if (s === undefined) return c.nullBulk();
  const member = randomEntry(s.members)!;
  db.getForWrite(key);
  s.delete(member);
  node.keyspace.notify(NotifyClass.Set, 'spop', db, key);
  propagateSrem(c, node, key, [member]);
  c.bulk(member);
  if (s.size === 0) {
    db.delete(key);
    node.keyspace.notify(NotifyClass.Generic, 'del', db, key);
  }
  node.keyspace.modified(db, key);
}

function spopCount(c: Client, args: string[], node: NodeContext): void {
  const n = parseI64(args[2]);
  if (n === undefined || n < 0) return c.error(Err.mustBePositive);
  const key = args[1];
  const db = c.db;
  const s = writeSet(c, key);
  if (s === null) return;
  if (s === undefined || n === 0) return emptySet(c);
  const count = n;
  const size = s.size;
  node.keyspace.notify(NotifyClass.Set, 'spop', db, key);
  if (count >= size) {
    // The whole set: replied in its own order, the key deleted (logged as DEL).
    replyMembers(c, s.ordered());
    db.delete(key);
    node.keyspace.notify(NotifyClass.Generic, 'del', db, key);
    node.effects.propagate(db.id, ['DEL', key]);
    node.keyspace.modified(db, key);
    return;
  }
  db.getForWrite(key);
  const remaining = size - count;
  let popped: string[];
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    popped = [];
    for (let i = 0; i < count; i++) {
      const m = randomEntry(s.members)!;
      s.delete(m);
      popped.push(m);
    }
  } else {
    // Most members go: draw the survivors into a new set (whose encoding is chosen afresh,
    // as Redis's setTypeCreate does) and reply what is left of the old one.
    const survivors = randomDistinct(s.members, remaining);
    const kept = SetValue.forFirstMember(survivors[0]);
    const max = maxIntset(node);
    for (const m of survivors) {
      kept.add(m, max);
      s.delete(m);
    }
    popped = s.ordered();
    db.replace(key, kept);
  }
  replyMembers(c, popped);
  propagateSrem(c, node, key, popped);
  node.keyspace.modified(db, key);
}

// ── Reads ───────────────────────────────────────────────────────────────────────────────

function sismember(c: Client, args: string[], node: NodeContext): void {
  const s = readSet(c, args[1], node);
  if (s === null) return;
  c.write(s !== undefined && s.has(args[2]) ? R.one : R.zero);
}

function smismember(c: Client, args: string[], node: NodeContext): void {
  const s = readSet(c, args[1], node);
  if (s === null) return;
  let out = '*' + (args.length - 2) + '\r\n';
  for (let i = 2; i < args.length; i++) out += s !== undefined && s.has(args[i]) ? R.one : R.zero;
  c.write(out);
}

function scard(c: Client, args: string[], node: NodeContext): void {
  const s = readSet(c, args[1], node);
  if (s === null) return;
  c.int(s === undefined ? 0 : s.size);
}

/** SRANDMEMBER key [count] */
function srandmember(c: Client, args: string[], node: NodeContext): void {
  if (args.length > 3) return c.error(Err.syntax);
  if (args.length === 2) {
    const s = readSet(c, args[1], node);
    if (s === null) return;
    if (s === undefined) return c.nullBulk();
    return c.bulk(randomEntry(s.members)!);
  }
  const l = parseI64Exact(args[2]);
  if (l === undefined) return c.error(Err.notInteger);
  if (l < -LONG_MAX) return c.error(Err.valueOutOfRange(-LONG_MAX, LONG_MAX));
  const s = readSet(c, args[1], node);
  if (s === null) return;
  if (s === undefined || l === 0n) return c.write(R.emptyArray);
  let picks: string[];
  if (l < 0n) {
    // Picks with repetitions, written as they are drawn: the count may exceed any array.
    const count = Number(-l);
    c.arrayHeader(count);
    let out = '';
    for (let i = 0; i < count; i++) {
      const m = randomEntry(s.members)!;
      out += '$' + m.length + '\r\n' + m + '\r\n';
      if ((i & 1023) === 1023) {
        c.write(out);
        out = '';
      }
    }
    return c.write(out);
  } else if (Number(l) >= s.size) {
    picks = s.ordered();
  } else {
    picks = randomDistinct(s.members, Number(l));
  }
  c.bulkArray(picks);
}

/** SSCAN key cursor [MATCH pattern] [COUNT count] */
function sscan(c: Client, args: string[], node: NodeContext): void {
  const cursor = parseScanCursor(args[2]);
  if (cursor === undefined) return c.error(Err.invalidCursor);
  const s = readSet(c, args[1], node);
  if (s === null) return;
  if (s === undefined) return replyScan(c, 0, []);
  const opts = parseScanOptions(c, args, 3, false);
  if (opts === null) return;
  const { pattern } = opts;
  const found: string[] = [];
  const visit = (m: string): void => {
    if (pattern === undefined || globMatch(pattern, m)) found.push(m);
  };
  if (s.intset) {
    // Redis returns an intset whole in one call, whatever the cursor and COUNT.
    for (const m of s.ordered()) visit(m);
    return replyScan(c, 0, found);
  }
  const next = c.db.scans.step(s.members, cursor, opts.count, visit);
  replyScan(c, next, found);
}

// ── SINTER SINTERCARD SINTERSTORE ───────────────────────────────────────────────────────

/** The sets named by keys (null for a missing key), or null after replying WRONGTYPE. */
function readSets(c: Client, keys: readonly string[], node: NodeContext): Array<SetValue | null> | null {
  const sets: Array<SetValue | null> = [];
  for (const key of keys) {
    const s = readSet(c, key, node);
    if (s === null) return null;
    sets.push(s ?? null);
  }
  return sets;
}

/** Members common to every set, walking the smallest (in its order), up to `limit` (0: all). */
function intersect(sets: readonly SetValue[], limit: number): string[] {
  const sorted = [...sets].sort((a, b) => a.size - b.size);
  const [smallest, ...rest] = sorted;
  const out: string[] = [];
  for (const m of smallest.ordered()) {
    let inAll = true;
    for (const other of rest) {
      if (other !== smallest && !other.has(m)) {
        inAll = false;
        break;
      }
    }
    if (!inAll) continue;
    out.push(m);
    if (limit !== 0 && out.length >= limit) break;
  }
  return out;
}

/** A new set holding `members`, built as Redis builds STORE results (createIntsetObject). */
function buildSet(members: Iterable<string>, node: NodeContext): SetValue {
  const s = new SetValue();
  const max = maxIntset(node);
  for (const m of members) s.add(m, max);
  return s;
}

/** Stores `result` at `dst` (replacing whatever was there, TTL dropped), or deletes `dst` when empty. */
function store(c: Client, node: NodeContext, dst: string, result: SetValue, event: string): void {
  const db = c.db;
  if (result.size > 0) {
    db.set(dst, result);
    c.int(result.size);
    node.keyspace.notify(NotifyClass.Set, event, db, dst);
    node.keyspace.modified(db, dst);
    return;
  }
  c.write(R.zero);
  if (db.get(dst) !== undefined && db.delete(dst)) {
    node.keyspace.modified(db, dst);
    node.keyspace.notify(NotifyClass.Generic, 'del', db, dst);
  }
}

function sinterGeneric(c: Client, node: NodeContext, keys: readonly string[], dst: string | null): void {
  const sets = readSets(c, keys, node);
  if (sets === null) return;
  const present = sets.filter((s): s is SetValue => s !== null);
  const members = present.length < sets.length ? [] : intersect(present, 0);
  if (dst === null) return replyMembers(c, members);
  store(c, node, dst, buildSet(members, node), 'sinterstore');
}

function sinter(c: Client, args: string[], node: NodeContext): void {
  sinterGeneric(c, node, args.slice(1), null);
}

function smembers(c: Client, args: string[], node: NodeContext): void {
  const s = readSet(c, args[1], node);
  if (s === null) return;
  if (s === undefined) return emptySet(c);
  replyMembers(c, s.ordered());
}

function sinterstore(c: Client, args: string[], node: NodeContext): void {
  sinterGeneric(c, node, args.slice(2), args[1]);
}

/** SINTERCARD numkeys key [key ...] [LIMIT limit] */
function sintercard(c: Client, args: string[], node: NodeContext): void {
  const numkeys = parseI64(args[1]);
  if (numkeys === undefined || numkeys < 1) return c.error(Err.numkeysNotPositive);
  if (numkeys > args.length - 2) return c.error(Err.numkeysOverArgs);
  let limit = 0;
  for (let j = 2 + numkeys; j < args.length; j++) {
    if (is(args[j], 'limit') && j + 1 < args.length) {
      const n = parseI64(args[++j]);
      if (n === undefined || n < 0) return c.error(Err.limitNegative);
      limit = n;
    } else {
      return c.error(Err.syntax);
    }
  }
  const sets = readSets(c, args.slice(2, 2 + numkeys), node);
  if (sets === null) return;
  const present = sets.filter((s): s is SetValue => s !== null);
  c.int(present.length < sets.length ? 0 : intersect(present, limit).length);
}

// ── SUNION SDIFF and their STORE variants ───────────────────────────────────────────────

function sunionDiff(c: Client, node: NodeContext, keys: readonly string[], dst: string | null, diff: boolean): void {
  const sets = readSets(c, keys, node);
  if (sets === null) return;
  const result = new SetValue();
  const max = maxIntset(node);
  const first = sets[0];
  if (!diff) {
    for (const s of sets) if (s !== null) for (const m of s.ordered()) result.add(m, max);
  } else if (first !== null) {
    // Redis picks one of two algorithms by estimated work; the result's encoding can differ.
    let algoOne = 0;
    let algoTwo = 0;
    for (const s of sets) {
      if (s === null) continue;
      algoOne += first.size;
      algoTwo += s.size;
    }
    const others = sets.slice(1).filter((s): s is SetValue => s !== null);
    if (Math.floor(algoOne / 2) <= algoTwo) {
      // Algorithm 1: keep each member of the first set that no other set has.
      others.sort((a, b) => b.size - a.size);
      for (const m of first.ordered()) {
        if (others.some((o) => o === first || o.has(m))) continue;
        result.add(m, max);
      }
    } else {
      // Algorithm 2: add the first set, then remove every other set's members.
      for (const m of first.ordered()) result.add(m, max);
      for (const o of others) {
        for (const m of o.members) result.delete(m);
        if (result.size === 0) break;
      }
    }
  }
  if (dst === null) return replyMembers(c, result.ordered());
  store(c, node, dst, result, diff ? 'sdiffstore' : 'sunionstore');
}

function sunion(c: Client, args: string[], node: NodeContext): void {
  sunionDiff(c, node, args.slice(1), null, false);
}

function sunionstore(c: Client, args: string[], node: NodeContext): void {
  sunionDiff(c, node, args.slice(2), args[1], false);
}

function sdiff(c: Client, args: string[], node: NodeContext): void {
  sunionDiff(c, node, args.slice(1), null, true);
}

function sdiffstore(c: Client, args: string[], node: NodeContext): void {
  sunionDiff(c, node, args.slice(2), args[1], true);
}

// ── Table ───────────────────────────────────────────────────────────────────────────────

function spec(name: string, arity: number, flags: readonly CommandFlag[], run: Handler, first = 1, last = 1, step = 1): CommandSpec {
  return keyCommand(name, arity, flags, 'set', run, first, last, step);
}

export const setCommands: CommandSpec[] = [
  spec('sadd', -3, ['write', 'denyoom', 'fast'], sadd),
  spec('srem', -3, ['write', 'fast'], srem),
  spec('smembers', 2, ['readonly'], smembers),
  spec('sismember', 3, ['readonly', 'fast'], sismember),
  spec('smismember', -3, ['readonly', 'fast'], smismember),
  spec('scard', 2, ['readonly', 'fast'], scard),
  spec('spop', -2, ['write', 'fast'], spop),
  spec('srandmember', -2, ['readonly'], srandmember),
  spec('smove', 4, ['write', 'fast'], smove, 1, 2, 1),
  spec('sinter', -2, ['readonly'], sinter, 1, -1, 1),
  spec('sintercard', -3, ['readonly', 'movablekeys'], sintercard, 0, 0, 0),
  spec('sinterstore', -3, ['write', 'denyoom'], sinterstore, 1, -1, 1),
  spec('sunion', -2, ['readonly'], sunion, 1, -1, 1),
  spec('sunionstore', -3, ['write', 'denyoom'], sunionstore, 1, -1, 1),
  spec('sdiff', -2, ['readonly'], sdiff, 1, -1, 1),
  spec('sdiffstore', -3, ['write', 'denyoom'], sdiffstore, 1, -1, 1),
  spec('sscan', -3, ['readonly'], sscan),
];
