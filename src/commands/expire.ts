// Key expiry commands: EXPIRE PEXPIRE EXPIREAT PEXPIREAT (with NX XX GT LT), TTL PTTL
// EXPIRETIME PEXPIRETIME and PERSIST, as expire.c's expireGenericCommand/ttlGenericCommand.
// Lazy expiry lives in Db.get, the active cycle in Keyspace.activeExpireCycle.

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import type { Db } from '../keyspace/db';
import type { CommandSpec, Handler } from './spec';
import { keyCommand } from './spec';
import { Err } from '../errors';
import { R } from '../resp/replies';
import { is, parseI64, parseI64Exact } from './args';
import { lookupRead } from './lookup';
import { NotifyClass } from '../keyspace/notify-types';

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;

const LLONG_MAX = 9223372036854775807n;
const LLONG_MIN = -9223372036854775808n;

/** parseExtendedExpireArgumentsOrReply: the NX/XX/GT/LT flags, or null after replying. */
function parseFlags(c: Client, args: string[]): number | null {
  let flags = 0;
  for (let j = 3; j < args.length; j++) {
    const opt = args[j];
    if (is(opt, 'nx')) flags |= NX;
    else if (is(opt, 'xx')) flags |= XX;
    else if (is(opt, 'gt')) flags |= GT;
    else if (is(opt, 'lt')) flags |= LT;
    else {
      c.error(Err.unsupportedOption(opt));
      return null;
    }
  }
  if (flags & NX && flags & (XX | GT | LT)) {
    c.error(Err.expireNxWithOthers);
    return null;
  }
  if (flags & GT && flags & LT) {
    c.error(Err.expireGtAndLt);
    return null;
  }
  return flags;
}

/**
 * The absolute expiry in ms that `arg` asks for, with expireGenericCommand's overflow
 * checks in 64-bit arithmetic; undefined after replying an error. Results beyond 2^53 are
 * rounded to the nearest double (see redis-compat/DIFFERENCES.md).
 */
function absoluteMs(c: Client, name: string, arg: string, basetime: number, seconds: boolean): number | undefined {
  // Fast path: small enough that every step below is exact in doubles (|result| < 2^53).
  if (arg.length <= 12) {
    const n = parseI64(arg);
    if (n !== undefined) return (seconds ? n * 1000 : n) + basetime;
  }
  let when = parseI64Exact(arg);
  if (when === undefined) {
    c.error(Err.notInteger);
    return undefined;
  }
  if (seconds) {
    if (when > LLONG_MAX / 1000n || when < LLONG_MIN / 1000n) {
      c.error(Err.invalidExpire(name));
      return undefined;
    }
    when *= 1000n;
  }
  const base = BigInt(basetime);
  if (when > LLONG_MAX - base) {
    c.error(Err.invalidExpire(name));
    return undefined;
  }
  return Number(when + base);
}

/** EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT: `relative` adds now, `seconds` scales by 1000. */
function expireGeneric(name: string, relative: boolean, seconds: boolean): Handler {
  return (c, args, node) => {
    const flags = parseFlags(c, args);
    if (flags === null) return;
    // One clock reading per command, as Redis's command time snapshot.
    const now = Date.now();
    const when = absoluteMs(c, name, args[2], relative ? now : 0, seconds);
    if (when === undefined) return;
    const key = args[1];
    const db = c.db;
    if (!db.has(key)) return c.write(R.zero);
    if (flags !== 0) {
      const current = db.expireAt(key);
      if (flags & NX && current !== undefined) return c.write(R.zero);
      if (flags & XX && current === undefined) return c.write(R.zero);
      // No TTL counts as an infinite one: GT never wins against it, LT always does.
      if (flags & GT && (current === undefined || when <= current)) return c.write(R.zero);
      if (flags & LT && current !== undefined && when >= current) return c.write(R.zero);
    }
    expireKeyAt(node, db, key, when, now);
    c.write(R.one);
  };
}

const I64_MAX_AS_DOUBLE = 2 ** 63;

/**
 * A 64-bit ms value kept as a double, as Redis prints the long long it holds. Beyond 2^53
 * the shortest decimal that reads back as the same double is taken, which is the value the
 * client typed whenever it had at most 17 significant digits.
 */
function exactMs(ms: number): bigint {
  return ms >= I64_MAX_AS_DOUBLE ? LLONG_MAX : BigInt(Number.isSafeInteger(ms) ? ms : String(ms));
}

/**
 * Gives an existing key the absolute expiry `at` (EXPIRE family, GETEX). A time already past
 * deletes the key, logged as a DEL; otherwise the effect is logged as PEXPIREAT with the
 * absolute time, so replay does not depend on when it runs. (Not while the WAL is replayed:
 * the logged time was in the future when it ran.)
 * TODO(replication): a replica must keep the key and wait for its primary's DEL.
 */
export function expireKeyAt(node: NodeContext, db: Db, key: string, at: number, now = Date.now()): void {
  let event: string;
  if (at <= now && !db.expiryPaused) {
    db.delete(key);
    node.effects.propagate(db.id, ['DEL', key]);
    event = 'del';
  } else {
    db.setExpire(key, at);
    node.effects.propagate(db.id, ['PEXPIREAT', key, msString(at)]);
    event = 'expire';
  }
  node.keyspace.modified(db, key);
  node.keyspace.notify(NotifyClass.Generic, event, db, key);
}

/** An absolute expiry as a decimal a later PEXPIREAT (or RESTORE ABSTTL) parses back to the same double. */
export function msString(ms: number): string {
  return Number.isSafeInteger(ms) ? String(ms) : String(exactMs(ms));
}

/** TTL, PTTL, EXPIRETIME, PEXPIRETIME (ttlGenericCommand). */
function ttlGeneric(inMs: boolean, absolute: boolean): Handler {
  return (c, args, node) => {
    const key = args[1];
    if (lookupRead(c, key, node) === undefined) return c.write(R.minusTwo);
    const at = c.db.expireAt(key);
    if (at === undefined) return c.write(R.minusOne);
    if (Number.isSafeInteger(at)) {
      let ttl = absolute ? at : at - Date.now();
      if (ttl < 0) ttl = 0;
      return c.int(inMs ? ttl : Math.floor((ttl + 500) / 1000));
    }
    let ttl = absolute ? exactMs(at) : exactMs(at) - BigInt(Date.now());
    if (ttl < 0n) ttl = 0n;
    c.int(inMs ? ttl : (ttl + 500n) / 1000n);
  };
}

function persist(c: Client, args: string[], node: NodeContext): void {
  const db = c.db;
  const key = args[1];
  if (db.has(key) && db.persist(key)) {
    node.keyspace.modified(db, key);
    node.keyspace.notify(NotifyClass.Generic, 'persist', db, key);
    c.write(R.one);
  } else {
    c.write(R.zero);
  }
}

export const expireCommands: CommandSpec[] = [
  keyCommand('expire', -3, ['write', 'fast'], 'generic', expireGeneric('expire', true, true)),
  keyCommand('pexpire', -3, ['write', 'fast'], 'generic', expireGeneric('pexpire', true, false)),
  keyCommand('expireat', -3, ['write', 'fast'], 'generic', expireGeneric('expireat', false, true)),
  keyCommand('pexpireat', -3, ['write', 'fast'], 'generic', expireGeneric('pexpireat', false, false)),
  keyCommand('ttl', 2, ['readonly', 'fast'], 'generic', ttlGeneric(false, false)),
  keyCommand('pttl', 2, ['readonly', 'fast'], 'generic', ttlGeneric(true, false)),
  keyCommand('expiretime', 2, ['readonly', 'fast'], 'generic', ttlGeneric(false, true)),
  keyCommand('pexpiretime', 2, ['readonly', 'fast'], 'generic', ttlGeneric(true, true)),
  keyCommand('persist', 2, ['write', 'fast'], 'generic', persist),
];
