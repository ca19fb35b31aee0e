// String commands: GET SET (NX XX GET EX PX EXAT PXAT KEEPTTL) SETNX SETEX PSETEX GETSET
// GETDEL GETEX MGET MSET MSETNX APPEND STRLEN GETRANGE SUBSTR SETRANGE INCR DECR INCRBY
// DECRBY, following t_string.c's order of checks and replies. INCRBYFLOAT and LCS live in
// their own modules.

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import { keyCommand, type CommandSpec, type Handler } from './spec';
import { Err } from '../errors';
import { R } from '../resp/replies';
import { isI64, parseI64, parseI64Exact } from './args';
import { readString, writeString } from './lookup';
import { expireKeyAt } from './expire';
import { NotifyClass } from '../keyspace/notify-types';

// ── SET family option parsing (parseExtendedStringArgumentsOrReply) ─────────────────────

const NX = 1;
const XX = 2;
const GET = 4;
const KEEPTTL = 8;
const PERSIST = 16;
const EX = 32;
const PX = 64;
const EXAT = 128;
const PXAT = 256;
const ANY_EXPIRE = EX | PX | EXAT | PXAT;

interface ExtendedOptions {
  flags: number;
  expire: string | undefined;
}

/** Parses SET (forSet) or GETEX options from args[from...]; replies a syntax error on failure. */
function parseExtended(c: Client, args: string[], from: number, forSet: boolean): ExtendedOptions | null {
  let flags = 0;
  let expire: string | undefined;
  for (let j = from; j < args.length; j++) {
    const opt = args[j].toLowerCase();
    const hasNext = j < args.length - 1;
    if (opt === 'nx' && !(flags & XX) && forSet) flags |= NX;
    else if (opt === 'xx' && !(flags & NX) && forSet) flags |= XX;
    else if (opt === 'get' && forSet) flags |= GET;
    else if (opt === 'keepttl' && !(flags & (PERSIST | ANY_EXPIRE)) && forSet) flags |= KEEPTTL;
    else if (opt === 'persist' && !forSet && !(flags & (ANY_EXPIRE | KEEPTTL))) flags |= PERSIST;
    else if (opt === 'ex' && !(flags & (KEEPTTL | PERSIST | EXAT | PX | PXAT)) && hasNext) {
      flags |= EX;
      expire = args[++j];
    } else if (opt === 'px' && !(flags & (KEEPTTL | PERSIST | EX | EXAT | PXAT)) && hasNext) {
      flags |= PX;
      expire = args[++j];
    } else if (opt === 'exat' && !(flags & (KEEPTTL | PERSIST | EX | PX | PXAT)) && hasNext) {
      flags |= EXAT;
      expire = args[++j];
    } else if (opt === 'pxat' && !(flags & (KEEPTTL | PERSIST | EX | EXAT | PX)) && hasNext) {
      flags |= PXAT;
      expire = args[++j];
    } else {
      c.error(Err.syntax);
      return null;
    }
  }
  return { flags, expire };
}

const I64_MAX_DIV_1000 = 9223372036854775;

/**
 * Absolute expiry in ms from an EX/PX/EXAT/PXAT argument (getExpireMillisecondsOrReply);
 * undefined after replying an error.
 */
export function absoluteExpireMs(c: Client, fullName: string, arg: string, seconds: boolean, relative: boolean): number | undefined {
  const n = parseI64(arg);
  if (n === undefined) {
    c.error(Err.notInteger);
    return undefined;
  }
  if (n <= 0 || (seconds && n > I64_MAX_DIV_1000)) {
    c.error(Err.invalidExpire(fullName));
    return undefined;
  }
  let ms = seconds ? n * 1000 : n;
  if (relative) ms += Date.now();
  if (ms <= 0 || ms > 9223372036854775807) {
    c.error(Err.invalidExpire(fullName));
    return undefined;
  }
  return ms;
}

function expireFromFlags(c: Client, name: string, opts: ExtendedOptions): number | undefined | null {
  if (opts.expire === undefined) return undefined;
  const f = opts.flags;
  const ms = absoluteExpireMs(c, name, opts.expire, (f & (EX | EXAT)) !== 0, (f & (EX | PX)) !== 0);
  return ms === undefined ? null : ms;
}

// ── Handlers ───────────────────────────────────────────────────────────────────────────

function get(c: Client, args: string[], node: NodeContext): void {
  const v = readString(c, args[1], node);
  if (v === null) return;
  if (v === undefined) c.nullBulk();
  else c.write('$' + v.length + '\r\n' + v + '\r\n');
}

function set(c: Client, args: string[], node: NodeContext): void {
  const key = args[1];
  if (args.length === 3) {
    // Fast path: plain SET key value.
    c.db.set(key, args[2]);
    node.keyspace.modified(c.db, key);
    node.keyspace.notify(NotifyClass.String, 'set', c.db, key);
    c.write(R.ok);
    return;
  }
  const opts = parseExtended(c, args, 3, true);
  if (opts === null) return;
  const at = expireFromFlags(c, 'set', opts);
  if (at === null) return;
  setGeneric(c, node, key, args[2], opts.flags, at, false);
}

/** setGenericCommand: the shared body of SET, SETNX, SETEX, PSETEX. */
function setGeneric(
  c: Client,
  node: NodeContext,
  key: string,
  value: string,
  flags: number,
  at: number | undefined,
  intReply: boolean,
): void {
  const db = c.db;
  let old: string | undefined;
  if (flags & GET) {
    const v = readString(c, key, node);
    if (v === null) return;
    old = v;
  }
  const found = flags & GET ? old !== undefined : db.has(key);
  if ((flags & NX && found) || (flags & XX && !found)) {
    if (flags & GET) c.bulkOrNull(old);
    else if (intReply) c.write(R.zero);
    else c.nullBulk();
    return;
  }
  if (flags & KEEPTTL) db.replace(key, value);
  else db.set(key, value);
  if (at !== undefined) {
    db.setExpire(key, at);
    node.effects.propagate(db.id, ['SET', key, value, 'PXAT', String(at)]);
  }
  node.keyspace.modified(db, key);
  node.keyspace.notify(NotifyClass.String, 'set', db, key);
  if (at !== undefined) node.keyspace.notify(NotifyClass.Generic, 'expire', db, key);
  if (flags & GET) c.bulkOrNull(old);
  else if (intReply) c.write(R.one);
  else c.write(R.ok);
}

function setnx(c: Client, args: string[], node: NodeContext): void {
  setGeneric(c, node, args[1], args[3 - 1], NX, undefined, true);
}

function setexGeneric(seconds: boolean) {
  return (c: Client, args: string[], node: NodeContext): void => {
    const at = absoluteExpireMs(c, seconds ? 'setex' : 'psetex', args[2], seconds, true);
    if (at === undefined) return;
    setGeneric(c, node, args[1], args[3], 0, at, false);
  };
}

function getset(c: Client, args: string[], node: NodeContext): void {
  const v = readString(c, args[1], node);
  if (v === null) return;
  c.bulkOrNull(v);
  c.db.set(args[1], args[2]);
  node.keyspace.modified(c.db, args[1]);
  node.keyspace.notify(NotifyClass.String, 'set', c.db, args[1]);
}

function getdel(c: Client, args: string[], node: NodeContext): void {
  const v = readString(c, args[1], node);
  if (v === null) return;
  if (v === undefined) return c.nullBulk();
  c.bulk(v);
  c.db.delete(args[1]);
  node.keyspace.modified(c.db, args[1]);
  node.keyspace.notify(NotifyClass.Generic, 'del', c.db, args[1]);
  node.effects.propagate(c.db.id, ['DEL', args[1]]);
}

function getex(c: Client, args: string[], node: NodeContext): void {
  const opts = parseExtended(c, args, 2, false);
  if (opts === null) return;
  const key = args[1];
  const v = readString(c, key, node);
  if (v === null) return;
  if (v === undefined) return c.nullBulk();
  const at = expireFromFlags(c, 'getex', opts);
  if (at === null) return;
  c.bulk(v);
  const db = c.db;
  if (at !== undefined) {
    // EX/PX times are always ahead of now; an EXAT/PXAT in the past deletes the key.
    expireKeyAt(node, db, key, at);
  } else if (opts.flags & PERSIST) {
    if (db.persist(key)) {
      node.keyspace.modified(db, key);
      node.keyspace.notify(NotifyClass.Generic, 'persist', db, key);
      node.effects.propagate(db.id, ['PERSIST', key]);
    }
  }
}

function mget(c: Client, args: string[], node: NodeContext): void {
  let s = '*' + (args.length - 1) + '\r\n';
  const nil = c.resp === 2 ? R.nullBulk2 : R.null3;
  const stats = node.keyspace.stats;
  for (let i = 1; i < args.length; i++) {
    const v = c.db.get(args[i]);
    if (v === undefined) {
      stats.keyspaceMisses++;
      node.keyspace.notify(NotifyClass.KeyMiss, 'keymiss', c.db, args[i]);
      s += nil;
    } else {
      stats.keyspaceHits++;
      s += typeof v === 'string' ? '$' + v.length + '\r\n' + v + '\r\n' : nil;
    }
  }
  c.write(s);
}

function msetGeneric(nx: boolean) {
  return (c: Client, args: string[], node: NodeContext): void => {
    if (args.length % 2 === 0) return c.error(Err.wrongArity(nx ? 'msetnx' : 'mset'));
    const db = c.db;
    if (nx) {
      for (let i = 1; i < args.length; i += 2) {
        if (db.has(args[i])) return c.write(R.zero);
      }
    }
    for (let i = 1; i < args.length; i += 2) {
      db.set(args[i], args[i + 1]);
      node.keyspace.modified(db, args[i]);
      node.keyspace.notify(NotifyClass.String, 'set', db, args[i]);
    }
    c.write(nx ? R.one : R.ok);
  };
}

/** checkStringLength: refuses results longer than proto-max-bulk-len. */
function tooLong(c: Client, node: NodeContext, total: number): boolean {
  if (total > node.config.v.protoMaxBulkLen) {
    c.error(Err.stringTooLong);
    return true;
  }
  return false;
}

function append(c: Client, args: string[], node: NodeContext): void {
  const key = args[1];
  const v = writeString(c, key);
  if (v === null) return;
  if (v === undefined) {
    c.db.set(key, args[2]);
    node.keyspace.modified(c.db, key);
    node.keyspace.notify(NotifyClass.String, 'append', c.db, key);
    return c.int(args[2].length);
  }
  if (tooLong(c, node, v.length + args[2].length)) return;
  const nv = v + args[2];
  c.db.replace(key, nv);
  node.keyspace.modified(c.db, key);
  node.keyspace.notify(NotifyClass.String, 'append', c.db, key);
  c.int(nv.length);
}

function strlen(c: Client, args: string[], node: NodeContext): void {
  const v = readString(c, args[1], node);
  if (v === null) return;
  c.int(v === undefined ? 0 : v.length);
}

function getrange(c: Client, args: string[], node: NodeContext): void {
  let start = parseI64(args[2]);
  let end = parseI64(args[3]);
  if (start === undefined || end === undefined) return c.error(Err.notInteger);
  const v = readString(c, args[1], node);
  if (v === null) return;
  if (v === undefined) return c.write(R.emptyBulk);
  const len = v.length;
  if (start < 0 && end < 0 && start > end) return c.write(R.emptyBulk);
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return c.write(R.emptyBulk);
  c.bulk(v.slice(start, end + 1));
}

function setrange(c: Client, args: string[], node: NodeContext): void {
  const key = args[1];
  const offset = parseI64(args[2]);
  if (offset === undefined) return c.error(Err.notInteger);
  if (offset < 0) return c.error(Err.offsetOutOfRange);
  const value = args[3];
  const v = writeString(c, key);
  if (v === null) return;
  const old = v ?? '';
  if (value.length === 0) return c.int(old.length);
  if (tooLong(c, node, offset + value.length)) return;
  const padded = old.length < offset ? old + '\0'.repeat(offset - old.length) : old;
  const nv = padded.slice(0, offset) + value + padded.slice(offset + value.length);
  if (v === undefined) c.db.set(key, nv);
  else c.db.replace(key, nv);
  node.keyspace.modified(c.db, key);
  node.keyspace.notify(NotifyClass.String, 'setrange', c.db, key);
  c.int(nv.length);
}

// ── INCR family ─────────────────────────────────────────────────────────────────────────

const SAFE = Number.MAX_SAFE_INTEGER;

/** incrDecrCommand: adds `by` to the integer at key, replying the new value. */
function incrBy(c: Client, node: NodeContext, key: string, by: number | bigint): void {
  const db = c.db;
  const v = writeString(c, key);
  if (v === null) return;
  let result: string;
  if (v === undefined) {
    result = String(by);
  } else if (typeof by === 'number' && v.length < 16) {
    const cur = parseI64(v);
    if (cur === undefined) return c.error(Err.notInteger);
    const n = cur + by;
    if (n > SAFE || n < -SAFE) {
      const b = BigInt(cur) + BigInt(by);
      if (!isI64(b)) return c.error(Err.overflow);
      result = b.toString();
    } else {
      result = String(n);
    }
  } else {
    const cur = parseI64Exact(v);
    if (cur === undefined) return c.error(Err.notInteger);
    const b = cur + BigInt(by);
    if (!isI64(b)) return c.error(Err.overflow);
    result = b.toString();
  }
  if (v === undefined) db.set(key, result);
  else db.replace(key, result);
  node.keyspace.modified(db, key);
  node.keyspace.notify(NotifyClass.String, 'incrby', db, key);
  c.write(':' + result + '\r\n');
}

/** The increment argument of INCRBY/DECRBY as number (safe range) or bigint. */
function parseIncrement(s: string): number | bigint | undefined {
  if (s.length < 16) return parseI64(s);
  return parseI64Exact(s);
}

function incrbyCmd(c: Client, args: string[], node: NodeContext): void {
  const by = parseIncrement(args[2]);
  if (by === undefined) return c.error(Err.notInteger);
  incrBy(c, node, args[1], by);
}

function decrbyCmd(c: Client, args: string[], node: NodeContext): void {
  const by = parseIncrement(args[2]);
  if (by === undefined) return c.error(Err.notInteger);
  if (by === -9223372036854775808n) return c.error('ERR decrement would overflow');
  incrBy(c, node, args[1], typeof by === 'number' ? -by : -by);
}

// ── Table ─────────────────────────────────────────────────────────────────────────────

/** A string command's declaration (docs group "string"). */
function spec(
  name: string,
  arity: number,
  flags: CommandSpec['flags'],
  run: Handler,
  firstKey = 1,
  lastKey = 1,
  step = 1,
): CommandSpec {
  return keyCommand(name, arity, flags, 'string', run, firstKey, lastKey, step);
}

export const stringCommands: CommandSpec[] = [
  spec('get', 2, ['readonly', 'fast'], get),
  spec('set', -3, ['write', 'denyoom'], set),
  spec('setnx', 3, ['write', 'denyoom', 'fast'], setnx),
  spec('setex', 4, ['write', 'denyoom'], setexGeneric(true)),
  spec('psetex', 4, ['write', 'denyoom'], setexGeneric(false)),
  spec('getset', 3, ['write', 'denyoom', 'fast'], getset),
  spec('getdel', 2, ['write', 'fast'], getdel),
  spec('getex', -2, ['write', 'fast'], getex),
  spec('mget', -2, ['readonly', 'fast'], mget, 1, -1, 1),
  spec('mset', -3, ['write', 'denyoom'], msetGeneric(false), 1, -1, 2),
  spec('msetnx', -3, ['write', 'denyoom'], msetGeneric(true), 1, -1, 2),
  spec('append', 3, ['write', 'denyoom', 'fast'], append),
  spec('strlen', 2, ['readonly', 'fast'], strlen),
  spec('getrange', 4, ['readonly'], getrange),
  spec('substr', 4, ['readonly'], getrange),
  spec('setrange', 4, ['write', 'denyoom'], setrange),
  spec('incr', 2, ['write', 'denyoom', 'fast'], (c, a, n) => incrBy(c, n, a[1], 1)),
  spec('decr', 2, ['write', 'denyoom', 'fast'], (c, a, n) => incrBy(c, n, a[1], -1)),
  spec('incrby', 3, ['write', 'denyoom', 'fast'], incrbyCmd),
  spec('decrby', 3, ['write', 'denyoom', 'fast'], decrbyCmd),
];
