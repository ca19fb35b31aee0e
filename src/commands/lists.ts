// List commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LINSERT LREM
// LTRIM LPOS LMOVE RPOPLPUSH LMPOP, following t_list.c's order of checks, replies, keyspace
// events and dirty counts. The blocking variants live in list-blocking.ts and share the
// pop and move helpers exported here.

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import type { Db } from '../keyspace/db';
import { keyCommand, type CommandSpec, type Handler } from './spec';
import { Err } from '../errors';
import { R } from '../resp/replies';
import { is, parseI64 } from './args';
import { lookupRead } from './lookup';
import { NotifyClass } from '../keyspace/notify-types';
import { ListValue } from '../types/list';

export type End = 'left' | 'right';

// ── Lookups and bookkeeping ──────────────────────────────────────────────────────────────

/** A list for reading (counts hits/misses): undefined when missing, null after WRONGTYPE. */
function readList(c: Client, key: string, node: NodeContext): ListValue | undefined | null {
  const v = lookupRead(c, key, node);
  if (v === undefined || v instanceof ListValue) return v;
  c.error(Err.wrongType);
  return null;
}

/** A list about to be written (no stats): undefined when missing, null after WRONGTYPE. */
export function writeList(c: Client, db: Db, key: string): ListValue | undefined | null {
  const v = db.get(key);
  if (v === undefined || v instanceof ListValue) return v;
  c.error(Err.wrongType);
  return null;
}

/**
 * A list the caller will change whenever it exists (pushes, pops): one lookup that is also the
 * copy-on-write point. undefined when missing, null after WRONGTYPE.
 */
function listForChange(c: Client, db: Db, key: string): ListValue | undefined | null {
  const v = db.getForWrite(key);
  if (v === undefined || v instanceof ListValue) return v;
  c.error(Err.wrongType);
  return null;
}

/** A command changed `key`: WATCH and hooks once, the dirty counter by `changes` (server.dirty). */
function changed(node: NodeContext, db: Db, key: string, changes: number): void {
  node.keyspace.modified(db, key);
  node.keyspace.dirty += changes - 1;
}

/** listElementsRemoved: the pop event, then the deletion of an emptied list. */
function elementsRemoved(node: NodeContext, db: Db, key: string, end: End, list: ListValue, count: number): void {
  node.keyspace.notify(NotifyClass.List, end === 'left' ? 'lpop' : 'rpop', db, key);
  if (list.length === 0) {
    db.delete(key);
    node.keyspace.notify(NotifyClass.Generic, 'del', db, key);
  }
  changed(node, db, key, count);
}

/** getLongFromObjectOrReply: a 64-bit integer, or undefined after the not-an-integer error. */
function intArg(c: Client, s: string): number | undefined {
  const n = parseI64(s);
  if (n === undefined) c.error(Err.notInteger);
  return n;
}

/** getListPositionFromObjectOrReply: LEFT or RIGHT, or undefined after a syntax error. */
export function endArg(c: Client, s: string): End | undefined {
  if (is(s, 'left')) return 'left';
  if (is(s, 'right')) return 'right';
  c.error(Err.syntax);
  return undefined;
}

/** getRangeLongFromObjectOrReply(1, LONG_MAX, msg): every failure replies `msg`. */
function positiveArg(c: Client, s: string, msg: string): number | undefined {
  const n = parseI64(s);
  if (n === undefined || n < 1) {
    c.error(msg);
    return undefined;
  }
  return n;
}

/** Pops `n` elements (n <= length) from one end, in popping order. */
function popMany(list: ListValue, end: End, n: number): string[] {
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = end === 'left' ? list.popHead()! : list.popTail()!;
  return out;
}

/** Replies the elements from `start` to `end` (addListRangeReply's index rules). */
function replyRange(c: Client, list: ListValue, start: number, end: number): void {
  const len = list.length;
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) {
    c.write(R.emptyArray);
    return;
  }
  if (end >= len) end = len - 1;
  c.bulkArray(list.range(start, end));
}

// ── Shared by the blocking variants ──────────────────────────────────────────────────────

/**
 * Pops up to `count` elements from `end` of the non-empty list at `key` and replies
 * [key, [elements]] (listPopRangeAndReplyWithKey); the effect is [LR]POP key n.
 */
export function popRangeWithKey(c: Client, node: NodeContext, key: string, list: ListValue, end: End, count: number): void {
  const db = c.db;
  db.getForWrite(key);
  const n = Math.min(count, list.length);
  c.arrayHeader(2);
  c.bulk(key);
  c.bulkArray(popMany(list, end, n));
  node.effects.propagate(db.id, [end === 'left' ? 'LPOP' : 'RPOP', key, String(n)]);
  elementsRemoved(node, db, key, end, list, n);
}

/** Pops one element from `end` of the non-empty list at `key` and replies [key, element] (BLPOP). */
export function popOneWithKey(c: Client, node: NodeContext, key: string, list: ListValue, end: End): void {
  const db = c.db;
  db.getForWrite(key);
  const e = end === 'left' ? list.popHead()! : list.popTail()!;
  c.write('*2\r\n$' + key.length + '\r\n' + key + '\r\n$' + e.length + '\r\n' + e + '\r\n');
  node.effects.propagate(db.id, [end === 'left' ? 'LPOP' : 'RPOP', key]);
  elementsRemoved(node, db, key, end, list, 1);
}

/**
 * Moves one element from `from` of the non-empty list `src` to `to` of `dst` and replies it
 * (lmoveGenericCommand after its checks); false after WRONGTYPE on the destination.
 * `effect` is the command logged for it (LMOVE or RPOPLPUSH).
 */
export function moveOne(
  c: Client,
  node: NodeContext,
  srcKey: string,
  src: ListValue,
  dstKey: string,
  from: End,
  to: End,
  effect: 'LMOVE' | 'RPOPLPUSH',
): boolean {
  const db = c.db;
  const existing = writeList(c, db, dstKey);
  if (existing === null) return false;
  db.getForWrite(srcKey);
  const e = from === 'left' ? src.popHead()! : src.popTail()!;
  // lmoveHandlePush: the destination is created (or written) and the element pushed.
  let dst = existing;
  if (dst === undefined) {
    dst = new ListValue();
    db.set(dstKey, dst);
  } else if (dstKey !== srcKey) {
    db.getForWrite(dstKey);
  }
  node.keyspace.modified(db, dstKey);
  node.keyspace.dirty--;
  if (to === 'left') dst.pushHead(e);
  else dst.pushTail(e);
  node.keyspace.notify(NotifyClass.List, to === 'left' ? 'lpush' : 'rpush', db, dstKey);
  node.keyspace.signalKeyAsReady(db, dstKey);
  c.bulk(e);
  node.keyspace.notify(NotifyClass.List, from === 'left' ? 'lpop' : 'rpop', db, srcKey);
  if (src.length === 0) {
    db.delete(srcKey);
    node.keyspace.notify(NotifyClass.Generic, 'del', db, srcKey);
  }
  changed(node, db, srcKey, 1);
  node.effects.propagate(
    db.id,
    effect === 'LMOVE' ? ['LMOVE', srcKey, dstKey, from.toUpperCase(), to.toUpperCase()] : ['RPOPLPUSH', srcKey, dstKey],
  );
  return true;
}

// ── Push ─────────────────────────────────────────────────────────────────────────────────

function pushGeneric(c: Client, args: string[], node: NodeContext, end: End, onlyIfExists: boolean): void {
  const key = args[1];
  const db = c.db;
  let list = listForChange(c, db, key);
  if (list === null) return;
  if (list === undefined) {
    if (onlyIfExists) {
      c.write(R.zero);
      return;
    }
    list = new ListValue();
    db.set(key, list);
  }
  if (end === 'left') for (let i = 2; i < args.length; i++) list.pushHead(args[i]);
  else for (let i = 2; i < args.length; i++) list.pushTail(args[i]);
  c.int(list.length);
  changed(node, db, key, args.length - 2);
  node.keyspace.notify(NotifyClass.List, end === 'left' ? 'lpush' : 'rpush', db, key);
  node.keyspace.signalKeyAsReady(db, key);
}

const lpush: Handler = (c, args, node) => pushGeneric(c, args, node, 'left', false);
const rpush: Handler = (c, args, node) => pushGeneric(c, args, node, 'right', false);
const lpushx: Handler = (c, args, node) => pushGeneric(c, args, node, 'left', true);
const rpushx: Handler = (c, args, node) => pushGeneric(c, args, node, 'right', true);

// ── Pop ──────────────────────────────────────────────────────────────────────────────────

function popGeneric(c: Client, args: string[], node: NodeContext, end: End): void {
  if (args.length > 3) return c.error(Err.wrongArity(args[0].toLowerCase()));
  const hasCount = args.length === 3;
  let count = 0;
  if (hasCount) {
    const n = parseI64(args[2]);
    if (n === undefined || n < 0) return c.error(Err.mustBePositive);
    count = n;
  }
  const key = args[1];
  const db = c.db;
  const list = listForChange(c, db, key);
  if (list === null) return;
  if (list === undefined) return hasCount ? c.nullArray() : c.nullBulk();
  if (hasCount && count === 0) return c.write(R.emptyArray);
  if (!hasCount) {
    const e = end === 'left' ? list.popHead()! : list.popTail()!;
    c.bulk(e);
    elementsRemoved(node, db, key, end, list, 1);
    return;
  }
  const n = Math.min(count, list.length);
  c.bulkArray(popMany(list, end, n));
  elementsRemoved(node, db, key, end, list, n);
}

const lpop: Handler = (c, args, node) => popGeneric(c, args, node, 'left');
const rpop: Handler = (c, args, node) => popGeneric(c, args, node, 'right');

/** LMPOP and BLMPOP's arguments after numkeys' position. */
export interface MpopArgs {
  keys: string[];
  end: End;
  count: number;
}

/** lmpopGenericCommand's parsing: numkeys at `numkeysAt`, keys, LEFT|RIGHT, [COUNT n]. */
export function parseMpop(c: Client, args: string[], numkeysAt: number): MpopArgs | null {
  const numkeys = positiveArg(c, args[numkeysAt], Err.numkeysPositive);
  if (numkeys === undefined) return null;
  const whereAt = numkeysAt + numkeys + 1;
  if (whereAt >= args.length) {
    c.error(Err.syntax);
    return null;
  }
  const end = endArg(c, args[whereAt]);
  if (end === undefined) return null;
  let count = -1;
  for (let j = whereAt + 1; j < args.length; j++) {
    if (count === -1 && is(args[j], 'count') && j < args.length - 1) {
      const n = positiveArg(c, args[++j], Err.countPositive);
      if (n === undefined) return null;
      count = n;
    } else {
      c.error(Err.syntax);
      return null;
    }
  }
  return { keys: args.slice(numkeysAt + 1, whereAt), end, count: count === -1 ? 1 : count };
}

const lmpop: Handler = (c, args, node) => {
  const p = parseMpop(c, args, 1);
  if (p === null) return;
  for (const key of p.keys) {
    const list = writeList(c, c.db, key);
    if (list === null) return;
    if (list === undefined) continue;
    popRangeWithKey(c, node, key, list, p.end, p.count);
    return;
  }
  c.nullArray();
};

/** LMPOP/BLMPOP keys: numkeys at `at`, then that many keys. */
export function mpopKeys(at: number): (args: readonly string[]) => number[] {
  return (args) => {
    const n = parseI64(args[at] ?? '');
    const out: number[] = [];
    // Redis's genericGetKeys: a count larger than the arguments after it names no keys (the
    // command itself then answers its syntax error).
    if (n === undefined || n < 1 || n > args.length - 1 - at) return out;
    for (let i = at + 1; i <= at + n; i++) out.push(i);
    return out;
  };
}

// ── Read ─────────────────────────────────────────────────────────────────────────────────

const llen: Handler = (c, args, node) => {
  const list = readList(c, args[1], node);
  if (list === null) return;
  c.int(list === undefined ? 0 : list.length);
};

const lrange: Handler = (c, args, node) => {
  const start = intArg(c, args[2]);
  if (start === undefined) return;
  const end = intArg(c, args[3]);
  if (end === undefined) return;
  const list = readList(c, args[1], node);
  if (list === null) return;
  if (list === undefined) return c.write(R.emptyArray);
  replyRange(c, list, start, end);
};

const lindex: Handler = (c, args, node) => {
  const list = readList(c, args[1], node);
  if (list === null) return;
  if (list === undefined) return c.nullBulk();
  let index = intArg(c, args[2]);
  if (index === undefined) return;
  if (index < 0) index += list.length;
  if (index < 0 || index >= list.length) return c.nullBulk();
  c.bulk(list.at(index));
};

const LLONG_MIN = -9223372036854775808;

const lpos: Handler = (c, args, node) => {
  const element = args[2];
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < args.length; j++) {
    const more = j < args.length - 1;
    if (is(args[j], 'rank') && more) {
      const n = intArg(c, args[++j]);
      if (n === undefined) return;
      if (n === 0) {
        return c.error(Err.lposRankZero);
      }
      rank = n;
    } else if (is(args[j], 'count') && more) {
      const n = parseI64(args[++j]);
      if (n === undefined || n < 0) return c.error(Err.lposCountNegative);
      count = n;
    } else if (is(args[j], 'maxlen') && more) {
      const n = parseI64(args[++j]);
      if (n === undefined || n < 0) return c.error(Err.lposMaxlenNegative);
      maxlen = n;
    } else {
      return c.error(Err.syntax);
    }
  }
  const fromTail = rank < 0;
  // Redis negates LLONG_MIN into itself: every match then reaches the rank and COUNT never
  // stops the scan (its matches-rank+1 wraps around).
  const anyRank = rank === LLONG_MIN;
  if (fromTail) rank = -rank;
  const list = lookupRead(c, args[1], node);
  if (list === undefined) return count !== -1 ? c.write(R.emptyArray) : c.nullBulk();
  if (!(list instanceof ListValue)) return c.error(Err.wrongType);
  const len = list.length;
  const found: number[] = [];
  let matches = 0;
  let matchIndex = -1;
  for (let index = 0; index < len && (maxlen === 0 || index < maxlen); index++) {
    const pos = fromTail ? len - index - 1 : index;
    if (list.at(pos) !== element) continue;
    matches++;
    if (anyRank || matches >= rank) {
      if (count === -1) {
        matchIndex = pos;
        break;
      }
      found.push(pos);
      if (count !== 0 && !anyRank && matches - rank + 1 >= count) break;
    }
  }
  if (count !== -1) {
    let s = '*' + found.length + '\r\n';
    for (const i of found) s += ':' + i + '\r\n';
    c.write(s);
  } else if (matchIndex !== -1) {
    c.int(matchIndex);
  } else {
    c.nullBulk();
  }
};

// ── Write in place ───────────────────────────────────────────────────────────────────────

const lset: Handler = (c, args, node) => {
  const key = args[1];
  const db = c.db;
  const list = writeList(c, db, key);
  if (list === null) return;
  if (list === undefined) return c.error(Err.noSuchKey);
  let index = intArg(c, args[2]);
  if (index === undefined) return;
  if (index < 0) index += list.length;
  if (index < 0 || index >= list.length) return c.error(Err.indexOutOfRange);
  db.getForWrite(key);
  list.set(index, args[3]);
  c.ok();
  changed(node, db, key, 1);
  node.keyspace.notify(NotifyClass.List, 'lset', db, key);
};

const linsert: Handler = (c, args, node) => {
  let after: boolean;
  if (is(args[2], 'after')) after = true;
  else if (is(args[2], 'before')) after = false;
  else return c.error(Err.syntax);
  const key = args[1];
  const db = c.db;
  const list = writeList(c, db, key);
  if (list === null) return;
  if (list === undefined) return c.write(R.zero);
  const pivot = args[3];
  let at = -1;
  for (let i = 0; i < list.length; i++) {
    if (list.at(i) === pivot) {
      at = i;
      break;
    }
  }
  if (at === -1) return c.write(R.minusOne);
  db.getForWrite(key);
  list.insertAt(after ? at + 1 : at, args[4]);
  changed(node, db, key, 1);
  node.keyspace.notify(NotifyClass.List, 'linsert', db, key);
  c.int(list.length);
};

const lrem: Handler = (c, args, node) => {
  const toRemove = intArg(c, args[2]);
  if (toRemove === undefined) return;
  const key = args[1];
  const db = c.db;
  const list = writeList(c, db, key);
  if (list === null) return;
  if (list === undefined) return c.write(R.zero);
  const element = args[3];
  const limit = toRemove === 0 ? Infinity : Math.abs(toRemove);
  // Which positions go: the first `limit` matches from the head (or from the tail).
  const doomed = new Set<number>();
  if (toRemove >= 0) {
    for (let i = 0; i < list.length && doomed.size < limit; i++) if (list.at(i) === element) doomed.add(i);
  } else {
    for (let i = list.length - 1; i >= 0 && doomed.size < limit; i--) if (list.at(i) === element) doomed.add(i);
  }
  const removed = doomed.size;
  if (removed > 0) {
    db.getForWrite(key);
    list.filter((_, i) => !doomed.has(i));
    node.keyspace.notify(NotifyClass.List, 'lrem', db, key);
    if (list.length === 0) {
      db.delete(key);
      node.keyspace.notify(NotifyClass.Generic, 'del', db, key);
    }
    changed(node, db, key, removed);
  }
  c.int(removed);
};

const ltrim: Handler = (c, args, node) => {
  let start = intArg(c, args[2]);
  if (start === undefined) return;
  let end = intArg(c, args[3]);
  if (end === undefined) return;
  const key = args[1];
  const db = c.db;
  const list = writeList(c, db, key);
  if (list === null) return;
  if (list === undefined) return c.ok();
  const len = list.length;
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  let trimmed: number;
  if (start > end || start >= len) {
    trimmed = len;
  } else {
    if (end >= len) end = len - 1;
    trimmed = len - (end - start + 1);
  }
  if (trimmed > 0) {
    db.getForWrite(key);
    list.trim(start, end);
  }
  node.keyspace.notify(NotifyClass.List, 'ltrim', db, key);
  if (list.length === 0) {
    db.delete(key);
    node.keyspace.notify(NotifyClass.Generic, 'del', db, key);
  }
  changed(node, db, key, trimmed);
  c.ok();
};

// ── Move ─────────────────────────────────────────────────────────────────────────────────

function moveGeneric(c: Client, node: NodeContext, src: string, dst: string, from: End, to: End, effect: 'LMOVE' | 'RPOPLPUSH'): void {
  const list = writeList(c, c.db, src);
  if (list === null) return;
  if (list === undefined) return c.nullBulk();
  moveOne(c, node, src, list, dst, from, to, effect);
}

const lmove: Handler = (c, args, node) => {
  const from = endArg(c, args[3]);
  if (from === undefined) return;
  const to = endArg(c, args[4]);
  if (to === undefined) return;
  moveGeneric(c, node, args[1], args[2], from, to, 'LMOVE');
};

const rpoplpush: Handler = (c, args, node) => moveGeneric(c, node, args[1], args[2], 'right', 'left', 'RPOPLPUSH');

// ── Table ────────────────────────────────────────────────────────────────────────────────

function listCommand(name: string, arity: number, flags: CommandSpec['flags'], run: Handler, firstKey = 1, lastKey = 1): CommandSpec {
  return keyCommand(name, arity, flags, 'list', run, firstKey, lastKey, firstKey === 0 ? 0 : 1);
}

export const listCommands: CommandSpec[] = [
  listCommand('lpush', -3, ['write', 'denyoom', 'fast'], lpush),
  listCommand('rpush', -3, ['write', 'denyoom', 'fast'], rpush),
  listCommand('lpushx', -3, ['write', 'denyoom', 'fast'], lpushx),
  listCommand('rpushx', -3, ['write', 'denyoom', 'fast'], rpushx),
  listCommand('lpop', -2, ['write', 'fast'], lpop),
  listCommand('rpop', -2, ['write', 'fast'], rpop),
  listCommand('llen', 2, ['readonly', 'fast'], llen),
  listCommand('lrange', 4, ['readonly'], lrange),
  listCommand('lindex', 3, ['readonly'], lindex),
  listCommand('lset', 4, ['write', 'denyoom'], lset),
  listCommand('linsert', 5, ['write', 'denyoom'], linsert),
  listCommand('lrem', 4, ['write'], lrem),
  listCommand('ltrim', 4, ['write'], ltrim),
  listCommand('lpos', -3, ['readonly'], lpos),
  listCommand('lmove', 5, ['write', 'denyoom'], lmove, 1, 2),
  listCommand('rpoplpush', 3, ['write', 'denyoom'], rpoplpush, 1, 2),
  { ...listCommand('lmpop', -4, ['write', 'movablekeys'], lmpop, 0, 0), keys: mpopKeys(1) },
];
