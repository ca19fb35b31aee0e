// Hash commands: HSET HMSET HSETNX HGET HMGET HDEL HEXISTS HLEN HSTRLEN HGETALL HKEYS HVALS
// HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN, following Redis 7.0's t_hash.c order of checks,
// replies, keyspace events and effects. The value type is types/hash.ts.

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import { keyCommand, type CommandFlag, type CommandSpec, type Handler } from './spec';
import { Err } from '../errors';
import { R } from '../resp/replies';
import { is, parseI64Exact } from './args';
import { lookupRead } from './lookup';
import { HashValue, type HashLimits } from '../types/hash';
import { NotifyClass } from '../keyspace/notify-types';
import { addLongDouble, formatHuman, parseLongDouble, zero } from '../keyspace/long-double';
import { parseScanCursor, randomDistinct, randomEntry } from '../keyspace/scan';
import { globMatch } from '../keyspace/glob';
import { parseScanOptions, replyScan } from './scan-options';

const I64_MIN = -9223372036854775808n;
const I64_MAX = 9223372036854775807n;
const LONG_MAX = 9223372036854775807n;

export function hashLimits(node: NodeContext): HashLimits {
  const v = node.config.v;
  return { maxListpackEntries: v.hashMaxListpackEntries, maxListpackValue: v.hashMaxListpackValue };
}

// ── Lookups ─────────────────────────────────────────────────────────────────────────────

/** A hash for reading (hit/miss stats): undefined when missing, null after WRONGTYPE. */
function readHash(c: Client, key: string, node: NodeContext): HashValue | undefined | null {
  const v = lookupRead(c, key, node);
  if (v === undefined || v instanceof HashValue) return v;
  c.error(Err.wrongType);
  return null;
}

/** A hash about to be changed, created empty when missing (hashTypeLookupWriteOrCreate). */
function writeHashOrCreate(c: Client, key: string): HashValue | null {
  const db = c.db;
  const v = db.get(key);
  if (v === undefined) {
    const h = new HashValue();
    db.set(key, h);
    return h;
  }
  if (!(v instanceof HashValue)) {
    c.error(Err.wrongType);
    return null;
  }
  db.getForWrite(key);
  return v;
}

function changed(node: NodeContext, c: Client, key: string, event: string): void {
  node.keyspace.modified(c.db, key);
  node.keyspace.notify(NotifyClass.Hash, event, c.db, key);
}

// ── Writes ──────────────────────────────────────────────────────────────────────────────

/** HSET key field value [field value ...] and HMSET (which replies OK). */
function hset(c: Client, args: string[], node: NodeContext): void {
  if (args.length % 2 === 1) return c.error(Err.wrongArity(args[0].length === 4 ? 'hset' : 'hmset'));
  const h = writeHashOrCreate(c, args[1]);
  if (h === null) return;
  const limits = hashLimits(node);
  let created = 0;
  for (let i = 2; i < args.length; i += 2) if (h.set(args[i], args[i + 1], limits)) created++;
  if (args[0].length === 4) c.int(created);
  else c.write(R.ok);
  changed(node, c, args[1], 'hset');
}

function hsetnx(c: Client, args: string[], node: NodeContext): void {
  const key = args[1];
  const db = c.db;
  const v = db.get(key);
  if (v !== undefined && !(v instanceof HashValue)) return c.error(Err.wrongType);
  if (v !== undefined && v.get(args[2]) !== undefined) return c.write(R.zero);
  const h = writeHashOrCreate(c, key)!;
  h.set(args[2], args[3], hashLimits(node));
  c.write(R.one);
  changed(node, c, key, 'hset');
}

function hdel(c: Client, args: string[], node: NodeContext): void {
  const key = args[1];
  const db = c.db;
  const v = db.get(key);
  if (v === undefined) return c.write(R.zero);
  if (!(v instanceof HashValue)) return c.error(Err.wrongType);
  let deleted = 0;
  let keyRemoved = false;
  for (let i = 2; i < args.length; i++) {
    if (v.get(args[i]) === undefined) continue;
    if (deleted === 0) db.getForWrite(key);
    v.delete(args[i]);
    deleted++;
    if (v.size === 0) {
      db.delete(key);
      keyRemoved = true;
      break;
    }
  }
  if (deleted > 0) {
    changed(node, c, key, 'hdel');
    if (keyRemoved) node.keyspace.notify(NotifyClass.Generic, 'del', db, key);
  }
  c.int(deleted);
}

function hincrby(c: Client, args: string[], node: NodeContext): void {
  const incr = parseI64Exact(args[3]);
  if (incr === undefined) return c.error(Err.notInteger);
  const key = args[1];
  const h = writeHashOrCreate(c, key);
  if (h === null) return;
  const current = h.get(args[2]);
  let value = 0n;
  if (current !== undefined) {
    const parsed = parseI64Exact(current);
    if (parsed === undefined) return c.error(Err.hashValueNotInteger);
    value = parsed;
  }
  const sum = value + incr;
  if (sum < I64_MIN || sum > I64_MAX) return c.error(Err.overflow);
  const text = sum.toString();
  h.set(args[2], text, hashLimits(node));
  c.write(':' + text + '\r\n');
  changed(node, c, key, 'hincrby');
}

function hincrbyfloat(c: Client, args: string[], node: NodeContext): void {
  const incr = parseLongDouble(args[3]);
  if (incr === undefined) return c.error(Err.notFloat);
  if (incr.kind !== 'finite') return c.error(Err.valueNaNOrInfinity);
  const key = args[1];
  const h = writeHashOrCreate(c, key);
  if (h === null) return;
  const current = h.get(args[2]);
  let value = zero();
  if (current !== undefined) {
    const parsed = parseLongDouble(current);
    if (parsed === undefined) return c.error(Err.hashValueNotFloat);
    value = parsed;
  }
  const sum = addLongDouble(value, incr);
  if (sum.kind !== 'finite') return c.error(Err.incrFloatNaN);
  const text = formatHuman(sum);
  h.set(args[2], text, hashLimits(node));
  c.bulk(text);
  changed(node, c, key, 'hincrbyfloat');
  // Replay must not redo the float arithmetic: log the resulting value, as Redis does.
  node.effects.propagate(c.db.id, ['HSET', key, args[2], text]);
}

// ── Reads ───────────────────────────────────────────────────────────────────────────────

function hget(c: Client, args: string[], node: NodeContext): void {
  const h = readHash(c, args[1], node);
  if (h === null) return;
  c.bulkOrNull(h?.get(args[2]));
}

function hmget(c: Client, args: string[], node: NodeContext): void {
  const h = readHash(c, args[1], node);
  if (h === null) return;
  c.arrayHeader(args.length - 2);
  for (let i = 2; i < args.length; i++) c.bulkOrNull(h?.get(args[i]));
}

function hexists(c: Client, args: string[], node: NodeContext): void {
  const h = readHash(c, args[1], node);
  if (h === null) return;
  c.write(h !== undefined && h.get(args[2]) !== undefined ? R.one : R.zero);
}

function hlen(c: Client, args: string[], node: NodeContext): void {
  const h = readHash(c, args[1], node);
  if (h === null) return;
  c.int(h === undefined ? 0 : h.size);
}

function hstrlen(c: Client, args: string[], node: NodeContext): void {
  const h = readHash(c, args[1], node);
  if (h === null) return;
  c.int(h?.get(args[2])?.length ?? 0);
}

function hgetall(c: Client, args: string[], node: NodeContext): void {
  const h = readHash(c, args[1], node);
  if (h === null) return;
  if (h === undefined) return c.mapHeader(0);
  c.mapHeader(h.size);
  let s = '';
  for (const [f, v] of h.fields) s += '$' + f.length + '\r\n' + f + '\r\n$' + v.length + '\r\n' + v + '\r\n';
  c.write(s);
}

function hkeysOrVals(values: boolean): Handler {
  return (c, args, node) => {
    const h = readHash(c, args[1], node);
    if (h === null) return;
    if (h === undefined) return c.write(R.emptyArray);
    c.bulkArray([...(values ? h.fields.values() : h.fields.keys())]);
  };
}

/** HRANDFIELD key [count [WITHVALUES]] */
function hrandfield(c: Client, args: string[], node: NodeContext): void {
  if (args.length === 2) {
    const h = readHash(c, args[1], node);
    if (h === null) return;
    if (h === undefined) return c.nullBulk();
    return c.bulk(randomEntry(h.fields)!);
  }
  const l = parseI64Exact(args[2]);
  if (l === undefined) return c.error(Err.notInteger);
  if (l < -LONG_MAX) return c.error(Err.valueOutOfRange(-LONG_MAX, LONG_MAX));
  if (args.length > 4 || (args.length === 4 && !is(args[3], 'withvalues'))) return c.error(Err.syntax);
  const withValues = args.length === 4;
  // The reply would need count*2 elements: refused as Redis does before any lookup.
  if (withValues && (l > LONG_MAX / 2n || l < -(LONG_MAX / 2n))) return c.error(Err.valueOutOfRangePlain);
  const h = readHash(c, args[1], node);
  if (h === null) return;
  if (h === undefined || l === 0n) return c.write(R.emptyArray);
  const pairs = withValues && c.resp === 3;
  const reply = (fields: Iterable<string>, n: number): void => {
    c.arrayHeader(withValues && c.resp === 2 ? n * 2 : n);
    let s = '';
    let i = 0;
    for (const f of fields) {
      if (pairs) s += '*2\r\n';
      s += '$' + f.length + '\r\n' + f + '\r\n';
      if (withValues) {
        const v = h.fields.get(f)!;
        s += '$' + v.length + '\r\n' + v + '\r\n';
      }
      if ((++i & 1023) === 0) {
        c.write(s);
        s = '';
      }
    }
    c.write(s);
  };
  const size = h.size;
  if (l < 0n) {
    // Repetitions allowed: `count` independent picks, drawn as they are written (the count
    // may exceed any array).
    const count = Number(-l);
    const picks = function* (): Generator<string> {
      for (let i = 0; i < count; i++) yield randomEntry(h.fields)!;
    };
    return reply(picks(), count);
  }
  const count = Number(l);
  if (count >= size) return reply(h.fields.keys(), size);
  reply(randomDistinct(h.fields, count), count);
}

/** HSCAN key cursor [MATCH pattern] [COUNT count] */
function hscan(c: Client, args: string[], node: NodeContext): void {
  const cursor = parseScanCursor(args[2]);
  if (cursor === undefined) return c.error(Err.invalidCursor);
  const h = readHash(c, args[1], node);
  if (h === null) return;
  if (h === undefined) return replyScan(c, 0, []);
  const opts = parseScanOptions(c, args, 3, false);
  if (opts === null) return;
  const { pattern } = opts;
  const found: string[] = [];
  const visit = (f: string): void => {
    if (pattern !== undefined && !globMatch(pattern, f)) return;
    found.push(f, h.fields.get(f)!);
  };
  if (h.listpack) {
    // Redis returns a listpack hash whole in one call, whatever the cursor and COUNT.
    for (const f of h.fields.keys()) visit(f);
    return replyScan(c, 0, found);
  }
  const next = c.db.scans.step(h.fields, cursor, opts.count, visit);
  replyScan(c, next, found);
}

// ── Table ───────────────────────────────────────────────────────────────────────────────

function spec(name: string, arity: number, flags: readonly CommandFlag[], run: Handler): CommandSpec {
  return keyCommand(name, arity, flags, 'hash', run);
}

export const hashCommands: CommandSpec[] = [
  spec('hset', -4, ['write', 'denyoom', 'fast'], hset),
  spec('hmset', -4, ['write', 'denyoom', 'fast'], hset),
  spec('hsetnx', 4, ['write', 'denyoom', 'fast'], hsetnx),
  spec('hget', 3, ['readonly', 'fast'], hget),
  spec('hmget', -3, ['readonly', 'fast'], hmget),
  spec('hdel', -3, ['write', 'fast'], hdel),
  spec('hexists', 3, ['readonly', 'fast'], hexists),
  spec('hlen', 2, ['readonly', 'fast'], hlen),
  spec('hstrlen', 3, ['readonly', 'fast'], hstrlen),
  spec('hgetall', 2, ['readonly'], hgetall),
  spec('hkeys', 2, ['readonly'], hkeysOrVals(false)),
  spec('hvals', 2, ['readonly'], hkeysOrVals(true)),
  spec('hincrby', 4, ['write', 'denyoom', 'fast'], hincrby),
  spec('hincrbyfloat', 4, ['write', 'denyoom', 'fast'], hincrbyfloat),
  spec('hrandfield', -2, ['readonly'], hrandfield),
  spec('hscan', -3, ['readonly'], hscan),
];
