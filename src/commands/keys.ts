// Keyspace commands of any type: DEL UNLINK EXISTS TYPE KEYS SCAN RANDOMKEY RENAME RENAMENX
// COPY MOVE TOUCH SWAPDB, following db.c / keyspace commands' order of checks and replies.
// SCAN cursors and random picks over JS Maps live in keyspace/scan.ts.

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import type { CommandFlag, CommandSpec, Handler } from './spec';
import type { Db } from '../keyspace/db';
import { keyCommand } from './spec';
import { Err } from '../errors';
import { R } from '../resp/replies';
import { is, parseI64 } from './args';
import { lookupRead } from './lookup';
import { typeOf, type Value } from '../keyspace/value';
import { globMatch } from '../keyspace/glob';
import { parseScanCursor, randomEntry } from '../keyspace/scan';
import { parseScanOptions, replyScan } from './scan-options';
import { NotifyClass } from '../keyspace/notify-types';

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/**
 * getIntFromObjectOrReply: a C int, or undefined after replying. `msg` replaces both the
 * not-an-integer and the out-of-range error when given (SWAPDB's "invalid first DB index").
 */
function parseIntOrReply(c: Client, s: string, msg?: string): number | undefined {
  const n = parseI64(s);
  if (n === undefined) {
    c.error(msg ?? Err.notInteger);
    return undefined;
  }
  if (n < INT_MIN || n > INT_MAX) {
    c.error(msg ?? Err.valueOutOfRange(INT_MIN, INT_MAX));
    return undefined;
  }
  return n;
}

/** The database with index `id`, or undefined when out of range (selectDb's check). */
function dbAt(node: NodeContext, id: number): Db | undefined {
  return id >= 0 && id < node.keyspace.dbs.length ? node.keyspace.dbs[id] : undefined;
}

/** MOVE, SWAPDB and COPY to another db refuse to run in cluster mode (one db there). */
function clusterEnabled(node: NodeContext): boolean {
  return node.config.v.clusterEnabled;
}

/** A value as a new key holds it after COPY: strings are immutable, other types deep-copied. */
function duplicate(v: Value): Value {
  return typeof v === 'string' ? v : v.copy();
}

// ── DEL UNLINK EXISTS TYPE TOUCH ─────────────────────────────────────────────────────────

/** DEL and UNLINK: values are dropped by the GC either way, so UNLINK is DEL. */
function del(c: Client, args: string[], node: NodeContext): void {
  const db = c.db;
  let deleted = 0;
  for (let i = 1; i < args.length; i++) {
    // has() expires the key first, so a key past its TTL counts as not deleted.
    if (db.has(args[i]) && db.delete(args[i])) {
      node.keyspace.modified(db, args[i]);
      node.keyspace.notify(NotifyClass.Generic, 'del', db, args[i]);
      deleted++;
    }
  }
  c.int(deleted);
}

/** EXISTS and TOUCH: the number of keys present, counting a key named twice twice. */
function countExisting(c: Client, args: string[], node: NodeContext): void {
  let n = 0;
  for (let i = 1; i < args.length; i++) if (lookupRead(c, args[i], node) !== undefined) n++;
  c.int(n);
}

function type(c: Client, args: string[], node: NodeContext): void {
  const v = lookupRead(c, args[1], node);
  c.status(v === undefined ? 'none' : typeOf(v));
}

// ── KEYS SCAN RANDOMKEY ──────────────────────────────────────────────────────────────────

function keys(c: Client, args: string[]): void {
  const pattern = args[1];
  const allKeys = pattern === '*';
  const db = c.db;
  const expires = db.expires;
  const now = Date.now();
  const found: string[] = [];
  for (const key of db.dict.keys()) {
    if (!allKeys && !globMatch(pattern, key)) continue;
    // As Redis's keyIsExpired: expired keys are left for lazy/active expiry, not deleted here.
    if (expires.size !== 0) {
      const at = expires.get(key);
      if (at !== undefined && at <= now) continue;
    }
    found.push(key);
  }
  c.bulkArray(found);
}

/** SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] (scanGenericCommand for the db). */
function scan(c: Client, args: string[]): void {
  const cursor = parseScanCursor(args[1]);
  if (cursor === undefined) return c.error(Err.invalidCursor);
  const opts = parseScanOptions(c, args, 2, true);
  if (opts === null) return;
  const { pattern, type: wantedType } = opts;
  const db = c.db;
  const found: string[] = [];
  const next = db.scans.step(db.dict, cursor, opts.count, (key) => {
    if (pattern !== undefined && !globMatch(pattern, key)) return;
    // get() deletes a key past its TTL: SCAN does not return it.
    const v = db.get(key);
    if (v === undefined) return;
    if (wantedType !== undefined && typeOf(v) !== wantedType) return;
    found.push(key);
  });
  replyScan(c, next, found);
}

function randomkey(c: Client): void {
  const db = c.db;
  for (;;) {
    const key = randomEntry(db.dict);
    if (key === undefined) return c.nullBulk();
    // A key past its TTL is deleted by get() and another one is drawn, as dbRandomKey does.
    if (db.get(key) !== undefined) return c.bulk(key);
  }
}

// ── RENAME RENAMENX COPY MOVE SWAPDB ─────────────────────────────────────────────────────

function renameGeneric(nx: boolean): Handler {
  return (c, args, node) => {
    const [, src, dst] = args;
    const db = c.db;
    const v = db.get(src);
    if (v === undefined) return c.error(Err.noSuchKey);
    if (src === dst) return c.write(nx ? R.zero : R.ok);
    const at = db.expireAt(src);
    if (db.has(dst)) {
      if (nx) return c.write(R.zero);
      db.delete(dst);
    }
    db.set(dst, v);
    if (at !== undefined) db.setExpire(dst, at);
    db.delete(src);
    node.keyspace.modified(db, src);
    node.keyspace.modified(db, dst);
    node.keyspace.notify(NotifyClass.Generic, 'rename_from', db, src);
    node.keyspace.notify(NotifyClass.Generic, 'rename_to', db, dst);
    c.write(nx ? R.one : R.ok);
  };
}

/** COPY source destination [DB destination-db] [REPLACE] */
function copy(c: Client, args: string[], node: NodeContext): void {
  const src = c.db;
  let dst = src;
  let replace = false;
  for (let j = 3; j < args.length; j++) {
    if (is(args[j], 'replace')) {
      replace = true;
    } else if (is(args[j], 'db') && j + 1 < args.length) {
      const id = parseIntOrReply(c, args[j + 1]);
      if (id === undefined) return;
      const target = dbAt(node, id);
      if (target === undefined) return c.error(Err.dbIndexOutOfRange);
      dst = target;
      j++;
    } else {
      return c.error(Err.syntax);
    }
  }
  if (clusterEnabled(node) && (src.id !== 0 || dst.id !== 0)) return c.error(Err.copyDbInCluster);
  const [, key, newKey] = args;
  if (src === dst && key === newKey) return c.error(Err.sameObject);
  const v = lookupRead(c, key, node);
  if (v === undefined) return c.write(R.zero);
  const at = src.expireAt(key);
  if (dst.has(newKey)) {
    if (!replace) return c.write(R.zero);
    dst.delete(newKey);
  }
  dst.set(newKey, duplicate(v));
  if (at !== undefined) dst.setExpire(newKey, at);
  node.keyspace.modified(dst, newKey);
  node.keyspace.notify(NotifyClass.Generic, 'copy_to', dst, newKey);
  c.write(R.one);
}

function move(c: Client, args: string[], node: NodeContext): void {
  if (clusterEnabled(node)) return c.error(Err.moveInCluster);
  const src = c.db;
  const id = parseIntOrReply(c, args[2]);
  if (id === undefined) return;
  const dst = dbAt(node, id);
  if (dst === undefined) return c.error(Err.dbIndexOutOfRange);
  if (dst === src) return c.error(Err.sameObject);
  const key = args[1];
  const v = src.get(key);
  if (v === undefined) return c.write(R.zero);
  const at = src.expireAt(key);
  if (dst.has(key)) return c.write(R.zero);
  dst.set(key, v);
  if (at !== undefined) dst.setExpire(key, at);
  src.delete(key);
  node.keyspace.modified(src, key);
  node.keyspace.modified(dst, key);
  node.keyspace.notify(NotifyClass.Generic, 'move_from', src, key);
  node.keyspace.notify(NotifyClass.Generic, 'move_to', dst, key);
  c.write(R.one);
}

/**
 * SWAPDB index1 index2. Clients keep their db index and see the other dataset, as in
 * Redis: Db objects stay in place and exchange their contents.
 */
function swapdb(c: Client, args: string[], node: NodeContext): void {
  if (clusterEnabled(node)) return c.error(Err.swapdbInCluster);
  const id1 = parseIntOrReply(c, args[1], Err.invalidFirstDbIndex);
  if (id1 === undefined) return;
  const id2 = parseIntOrReply(c, args[2], Err.invalidSecondDbIndex);
  if (id2 === undefined) return;
  const a = dbAt(node, id1);
  const b = dbAt(node, id2);
  if (a === undefined || b === undefined) return c.error(Err.dbIndexOutOfRange);
  if (a !== b) node.keyspace.swap(a, b);
  node.keyspace.dirty++;
  c.write(R.ok);
}

// ── Table ────────────────────────────────────────────────────────────────────────────────

function spec(name: string, arity: number, flags: readonly CommandFlag[], run: Handler, first = 1, last = 1, step = 1): CommandSpec {
  return keyCommand(name, arity, flags, 'generic', run, first, last, step);
}

export const keyCommands: CommandSpec[] = [
  spec('del', -2, ['write'], del, 1, -1, 1),
  spec('unlink', -2, ['write', 'fast'], del, 1, -1, 1),
  spec('exists', -2, ['readonly', 'fast'], countExisting, 1, -1, 1),
  spec('touch', -2, ['readonly', 'fast'], countExisting, 1, -1, 1),
  spec('type', 2, ['readonly', 'fast'], type),
  spec('keys', 2, ['readonly'], keys, 0, 0, 0),
  spec('scan', -2, ['readonly'], scan, 0, 0, 0),
  spec('randomkey', 1, ['readonly'], randomkey, 0, 0, 0),
  spec('rename', 3, ['write'], renameGeneric(false), 1, 2, 1),
  spec('renamenx', 3, ['write', 'fast'], renameGeneric(true), 1, 2, 1),
  spec('copy', -3, ['write', 'denyoom'], copy, 1, 2, 1),
  spec('move', 3, ['write', 'fast'], move),
  // Documented in the server group, unlike the rest.
  { ...spec('swapdb', 3, ['write', 'fast'], swapdb, 0, 0, 0), group: 'server' },
];
