// DUMP, RESTORE and RESTORE-ASKING (cluster.c dumpCommand / restoreCommand): a key's value
// as Redis's serialized payload, and a key created from one. The payload format lives in
// keyspace/dump-payload.ts.

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import type { CommandSpec } from './spec';
import { keyCommand } from './spec';
import { Err } from '../errors';
import { R } from '../resp/replies';
import { is, parseI64Exact } from './args';
import { lookupRead } from './lookup';
import { msString } from './expire';
import { LLONG_MAX } from '../config/parse';
import { hashLimits } from './hashes';
import { zsetLimits } from '../types/zset';
import { NotifyClass } from '../keyspace/notify-types';
import type { Value } from '../keyspace/value';
import { BadDataFormat, PayloadVersionOrChecksumWrong, dumpPayload, parsePayload, type DumpOptions, type EncodingLimits } from '../keyspace/dump-payload';

/** DUMP's settings from config (rdbcompression, list-max-listpack-size). */
export function dumpOptions(node: NodeContext): DumpOptions {
  return {
    compress: node.config.v.rdbcompression,
    listFill: quicklistFill(node.config.v.listMaxListpackSize),
  };
}

/** quicklistSetFill: the config accepts any int, a quicklist uses it clamped to [-5, 32767]. */
function quicklistFill(fill: number): number {
  return Math.min(Math.max(fill, -5), (1 << 15) - 1);
}

/** The thresholds RESTORE rebuilds values with. */
export function encodingLimits(node: NodeContext): EncodingLimits {
  return { hash: hashLimits(node), zset: zsetLimits(node.config), setMaxIntsetEntries: node.config.v.setMaxIntsetEntries };
}

function dump(c: Client, args: string[], node: NodeContext): void {
  const v = lookupRead(c, args[1], node);
  if (v === undefined) return c.nullBulk();
  c.bulk(dumpPayload(v, dumpOptions(node)).toString('latin1'));
}

interface RestoreOptions {
  replace: boolean;
  absttl: boolean;
}

/**
 * RESTORE's options after the payload, or null after replying. IDLETIME and FREQ are
 * validated and then ignored: Cinnabar keeps no LRU/LFU data (see DIFFERENCES.md).
 */
function parseRestoreOptions(c: Client, args: string[]): RestoreOptions | null {
  const opts: RestoreOptions = { replace: false, absttl: false };
  let idletime = false;
  let freq = false;
  for (let j = 4; j < args.length; j++) {
    const more = args.length - j - 1;
    if (is(args[j], 'replace')) {
      opts.replace = true;
    } else if (is(args[j], 'absttl')) {
      opts.absttl = true;
    } else if (is(args[j], 'idletime') && more >= 1 && !freq) {
      const n = parseI64Exact(args[++j]);
      if (n === undefined) return fail(c, Err.notInteger);
      if (n < 0n) return fail(c, Err.invalidIdletime);
      idletime = true;
    } else if (is(args[j], 'freq') && more >= 1 && !idletime) {
      const n = parseI64Exact(args[++j]);
      if (n === undefined) return fail(c, Err.notInteger);
      if (n < 0n || n > 255n) return fail(c, Err.invalidFreq);
      freq = true;
    } else {
      return fail(c, Err.syntax);
    }
  }
  return opts;
}

function fail(c: Client, message: string): null {
  c.error(message);
  return null;
}

/** RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency] */
function restore(c: Client, args: string[], node: NodeContext): void {
  const opts = parseRestoreOptions(c, args);
  if (opts === null) return;
  const db = c.db;
  const key = args[1];
  if (!opts.replace && db.has(key)) return c.error(Err.busyKey);
  const ttlArg = parseI64Exact(args[2]);
  if (ttlArg === undefined) return c.error(Err.notInteger);
  if (ttlArg < 0n) return c.error(Err.invalidTtl);
  let value: Value;
  try {
    value = parsePayload(Buffer.from(args[3], 'latin1'), encodingLimits(node));
  } catch (e) {
    if (e instanceof PayloadVersionOrChecksumWrong) return c.error(Err.dumpPayloadWrong);
    if (e instanceof BadDataFormat) return c.error(Err.badDataFormat);
    throw e;
  }
  const deleted = opts.replace && db.delete(key);
  const now = Date.now();
  const relative = ttlArg !== 0n && !opts.absttl;
  // Redis adds now in 64-bit arithmetic: a relative TTL that overflows wraps to a time in
  // the past, so the key is not created, as an already expired one.
  const overflows = relative && ttlArg > LLONG_MAX - BigInt(now);
  const ttl = relative ? Number(ttlArg + BigInt(now)) : Number(ttlArg);
  if (overflows || (ttl !== 0 && ttl <= now && !db.expiryPaused)) {
    // Already expired: the key is not created (and REPLACE removed the old one).
    if (deleted) {
      node.effects.propagate(db.id, ['DEL', key]);
      node.keyspace.modified(db, key);
      node.keyspace.notify(NotifyClass.Generic, 'del', db, key);
    }
    return c.write(R.ok);
  }
  db.set(key, value);
  if (ttl !== 0) {
    db.setExpire(key, ttl);
    // A relative TTL is logged as an absolute one, so a replay restores the same expiry.
    if (!opts.absttl) node.effects.propagate(db.id, [args[0], key, msString(ttl), ...args.slice(3), 'ABSTTL']);
  }
  node.keyspace.modified(db, key);
  node.keyspace.notify(NotifyClass.Generic, 'restore', db, key);
  c.write(R.ok);
}

export const dumpCommands: CommandSpec[] = [
  keyCommand('dump', 2, ['readonly'], 'generic', dump),
  keyCommand('restore', -4, ['write', 'denyoom'], 'generic', restore),
  keyCommand('restore-asking', -4, ['write', 'denyoom', 'asking'], 'server', restore),
];
