// Bitmap commands on strings (Redis 7.0 bitops.c): SETBIT GETBIT BITCOUNT BITPOS BITOP
// BITFIELD BITFIELD_RO, with Redis's order of checks, error texts and keyspace events. A
// string value is latin1 (one char per byte); bit 0 is the most significant bit of byte 0.
// BITFIELD computes in BigInt so i64 and u63 fields are exact.

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import { keyCommand, type CommandFlag, type CommandSpec, type Handler } from './spec';
import { Err } from '../errors';
import { R } from '../resp/replies';
import { is, parseI64, parseI64Exact } from './args';
import { lookupRead, writeString } from './lookup';
import { NotifyClass } from '../keyspace/notify-types';

// ── Argument parsing ─────────────────────────────────────────────────────────────────────

/**
 * getBitOffsetFromArgument: a bit offset, or with `bits` the "#n" form meaning n * bits.
 * Refused when negative or when its byte is at or past proto-max-bulk-len. Undefined after
 * replying the error.
 */
function bitOffset(c: Client, node: NodeContext, arg: string, bits = 0): number | undefined {
  const hash = bits > 0 && arg.length > 0 && arg[0] === '#';
  const n = parseI64Exact(hash ? arg.slice(1) : arg);
  if (n === undefined) {
    c.error(Err.bitOffsetInvalid);
    return undefined;
  }
  // C multiplies in 64 bits: a huge #n wraps around (and is then refused as negative).
  const offset = hash ? BigInt.asIntN(64, n * BigInt(bits)) : n;
  if (offset < 0n || offset >> 3n >= BigInt(node.config.v.protoMaxBulkLen)) {
    c.error(Err.bitOffsetInvalid);
    return undefined;
  }
  return Number(offset);
}

/**
 * The byte holding bit `pos`. Bit offsets go up to 2^32 (a 512 MiB string), past the 32-bit
 * range of JS's shift operators: `pos >> 3` turns 2^31 and above negative. (`pos & 7`, the
 * bit within the byte, is right for any offset: it keeps the low bits.)
 */
function byteOf(pos: number): number {
  return Math.floor(pos / 8);
}

/** getLongLongFromObjectOrReply; undefined after replying. */
function integerArg(c: Client, arg: string): number | undefined {
  const n = parseI64(arg);
  if (n === undefined) c.error(Err.notInteger);
  return n;
}

/** A string to modify bit by bit: undefined after WRONGTYPE; '' for a missing key. */
function stringForWrite(c: Client, key: string): { value: string; existed: boolean } | undefined {
  const v = writeString(c, key);
  if (v === null) return undefined;
  return { value: v ?? '', existed: v !== undefined };
}

/** Stores a string changed by a bit command, keeping its TTL when it existed. */
function store(c: Client, key: string, value: string, existed: boolean): void {
  if (existed) c.db.replace(key, value);
  else c.db.set(key, value);
}

// ── SETBIT GETBIT ───────────────────────────────────────────────────────────────────────

function setbit(c: Client, args: string[], node: NodeContext): void {
  const key = args[1];
  const offset = bitOffset(c, node, args[2]);
  if (offset === undefined) return;
  const on = parseI64(args[3]);
  if (on === undefined || (on !== 0 && on !== 1)) return c.error(Err.bitValueInvalid);
  const s = stringForWrite(c, key);
  if (s === undefined) return;
  const byte = byteOf(offset);
  const old = s.value;
  const grows = old.length <= byte;
  const byteval = grows ? 0 : old.charCodeAt(byte);
  const mask = 1 << (7 - (offset & 7));
  const bitval = (byteval & mask) !== 0 ? 1 : 0;
  // Redis changes (and signals) the key only when it is created, grows or the bit flips.
  if (grows || !s.existed || bitval !== on) {
    const padded = grows ? old + '\0'.repeat(byte + 1 - old.length) : old;
    const nb = on ? byteval | mask : byteval & ~mask;
    store(c, key, padded.slice(0, byte) + String.fromCharCode(nb) + padded.slice(byte + 1), s.existed);
    node.keyspace.modified(c.db, key);
    node.keyspace.notify(NotifyClass.String, 'setbit', c.db, key);
  }
  c.write(bitval ? R.one : R.zero);
}

function getbit(c: Client, args: string[], node: NodeContext): void {
  const offset = bitOffset(c, node, args[2]);
  if (offset === undefined) return;
  const v = lookupRead(c, args[1], node);
  if (v === undefined) return c.write(R.zero);
  if (typeof v !== 'string') return c.error(Err.wrongType);
  const byte = byteOf(offset);
  const bit = byte < v.length && (v.charCodeAt(byte) & (1 << (7 - (offset & 7)))) !== 0;
  c.write(bit ? R.one : R.zero);
}

// ── BITCOUNT BITPOS ─────────────────────────────────────────────────────────────────────

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

/**
 * The range of a BITCOUNT/BITPOS as inclusive bit positions, after Redis's index rules
 * (negative from the end, clamped to the string), or null when empty.
 */
function bitRange(len: number, start: number, end: number, isBit: boolean): [number, number] | null {
  const total = isBit ? len * 8 : len;
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (start > end) return null;
  return isBit ? [start, end] : [start * 8, end * 8 + 7];
}

function bitAt(s: string, pos: number): number {
  return (s.charCodeAt(byteOf(pos)) >> (7 - (pos & 7))) & 1;
}

/** Parses the optional BYTE|BIT unit; null after a syntax error. */
function unit(c: Client, arg: string | undefined): boolean | null {
  if (arg === undefined || is(arg, 'byte')) return false;
  if (is(arg, 'bit')) return true;
  c.error(Err.syntax);
  return null;
}

function bitcount(c: Client, args: string[], node: NodeContext): void {
  // A missing key counts 0 before the arguments are even looked at (Redis 7.0).
  const v = lookupRead(c, args[1], node);
  if (v === undefined) return c.write(R.zero);
  if (typeof v !== 'string') return c.error(Err.wrongType);
  let range: [number, number] | null;
  if (args.length === 4 || args.length === 5) {
    const start = integerArg(c, args[2]);
    if (start === undefined) return;
    const end = integerArg(c, args[3]);
    if (end === undefined) return;
    const isBit = unit(c, args[4]);
    if (isBit === null) return;
    // Only BITCOUNT treats two negative indexes in reverse order as an empty range.
    range = start < 0 && end < 0 && start > end ? null : bitRange(v.length, start, end, isBit);
  } else if (args.length === 2) {
    range = v.length === 0 ? null : [0, v.length * 8 - 1];
  } else {
    return c.error(Err.syntax);
  }
  if (range === null) return c.write(R.zero);
  let [from, to] = range;
  let count = 0;
  // Edge bits one by one, whole bytes by table.
  while (from <= to && (from & 7) !== 0) count += bitAt(v, from++);
  while (to >= from && (to & 7) !== 7) count += bitAt(v, to--);
  for (let b = byteOf(from), last = byteOf(to); b <= last && from <= to; b++) count += POPCOUNT[v.charCodeAt(b)];
  c.int(count);
}

function bitpos(c: Client, args: string[], node: NodeContext): void {
  const bit = integerArg(c, args[2]);
  if (bit === undefined) return;
  if (bit !== 0 && bit !== 1) return c.error(Err.bitArgument);
  const v = lookupRead(c, args[1], node);
  // A missing key is an endless run of zeros.
  if (v === undefined) return c.int(bit ? -1 : 0);
  if (typeof v !== 'string') return c.error(Err.wrongType);
  let range: [number, number] | null;
  let endGiven = false;
  if (args.length >= 4 && args.length <= 6) {
    const start = integerArg(c, args[3]);
    if (start === undefined) return;
    const isBit = unit(c, args[5]);
    if (isBit === null) return;
    let end: number;
    if (args.length >= 5) {
      const e = integerArg(c, args[4]);
      if (e === undefined) return;
      end = e;
      endGiven = true;
    } else {
      end = isBit ? v.length * 8 + 7 : v.length - 1;
    }
    range = bitRange(v.length, start, end, isBit);
  } else if (args.length === 3) {
    range = v.length === 0 ? null : [0, v.length * 8 - 1];
  } else {
    return c.error(Err.syntax);
  }
  if (range === null) return c.int(-1);
  const [from, to] = range;
  const skip = bit ? 0 : 0xff; // a byte with no bit of the kind sought
  for (let pos = from; pos <= to; ) {
    if ((pos & 7) === 0 && pos + 7 <= to && v.charCodeAt(byteOf(pos)) === skip) {
      pos += 8;
      continue;
    }
    if (bitAt(v, pos) === bit) return c.int(pos);
    pos++;
  }
  // No clear bit in an open-ended range: the string continues with zeros after its end.
  c.int(bit === 0 && !endGiven ? byteOf(to) * 8 + 8 : -1);
}

// ── BITOP ───────────────────────────────────────────────────────────────────────────────

function bitop(c: Client, args: string[], node: NodeContext): void {
  const op = args[1].toLowerCase();
  if (op !== 'and' && op !== 'or' && op !== 'xor' && op !== 'not') return c.error(Err.syntax);
  if (op === 'not' && args.length !== 4) return c.error(Err.bitopNot);
  const dest = args[2];
  const sources: string[] = [];
  let maxlen = 0;
  for (let i = 3; i < args.length; i++) {
    const v = lookupRead(c, args[i], node);
    if (v !== undefined && typeof v !== 'string') return c.error(Err.wrongType);
    const s = v ?? '';
    sources.push(s);
    if (s.length > maxlen) maxlen = s.length;
  }
  const db = c.db;
  if (maxlen === 0) {
    if (db.delete(dest)) {
      node.keyspace.modified(db, dest);
      node.keyspace.notify(NotifyClass.Generic, 'del', db, dest);
    }
    return c.int(0);
  }
  const out = Buffer.alloc(maxlen);
  const bufs = sources.map((s) => Buffer.from(s, 'latin1'));
  for (let j = 0; j < maxlen; j++) {
    let acc = j < bufs[0].length ? bufs[0][j] : 0;
    if (op === 'not') acc = ~acc & 0xff;
    for (let i = 1; i < bufs.length; i++) {
      const byte = j < bufs[i].length ? bufs[i][j] : 0;
      if (op === 'and') acc &= byte;
      else if (op === 'or') acc |= byte;
      else acc ^= byte;
    }
    out[j] = acc;
  }
  db.set(dest, out.toString('latin1'));
  node.keyspace.modified(db, dest);
  node.keyspace.notify(NotifyClass.String, 'set', db, dest);
  c.int(maxlen);
}

// ── BITFIELD ────────────────────────────────────────────────────────────────────────────

type Overflow = 'wrap' | 'sat' | 'fail';

interface FieldOp {
  kind: 'get' | 'set' | 'incrby';
  signed: boolean;
  bits: number;
  offset: number;
  value: bigint;
  overflow: Overflow;
}

/** getBitfieldTypeFromArgument: i1..i64 or u1..u63 (lowercase only, as Redis 7.0). */
function fieldType(c: Client, arg: string): { signed: boolean; bits: number } | undefined {
  const t = arg.length > 0 ? arg[0] : '';
  const signed = t === 'i';
  if (!signed && t !== 'u') {
    c.error(Err.bitfieldType);
    return undefined;
  }
  const nul = arg.indexOf('\0');
  const bits = parseI64(arg.slice(1, nul < 0 ? undefined : nul));
  if (bits === undefined || bits < 1 || (signed && bits > 64) || (!signed && bits > 63)) {
    c.error(Err.bitfieldType);
    return undefined;
  }
  return { signed, bits };
}

/** Parses every operation first, as Redis does; null after replying an error. */
function parseFieldOps(c: Client, args: string[], node: NodeContext): FieldOp[] | null {
  const ops: FieldOp[] = [];
  let overflow: Overflow = 'wrap';
  for (let j = 2; j < args.length; j++) {
    const rem = args.length - j - 1;
    const sub = args[j];
    let kind: FieldOp['kind'];
    if (is(sub, 'get') && rem >= 2) kind = 'get';
    else if (is(sub, 'set') && rem >= 3) kind = 'set';
    else if (is(sub, 'incrby') && rem >= 3) kind = 'incrby';
    else if (is(sub, 'overflow') && rem >= 1) {
      const o = args[++j].toLowerCase();
      if (o !== 'wrap' && o !== 'sat' && o !== 'fail') {
        c.error(Err.bitfieldOverflowType);
        return null;
      }
      overflow = o;
      continue;
    } else {
      c.error(Err.syntax);
      return null;
    }
    const type = fieldType(c, args[j + 1]);
    if (type === undefined) return null;
    const offset = bitOffset(c, node, args[j + 2], type.bits);
    if (offset === undefined) return null;
    let value = 0n;
    if (kind !== 'get') {
      const n = parseI64Exact(args[j + 3]);
      if (n === undefined) {
        c.error(Err.notInteger);
        return null;
      }
      value = n;
    }
    ops.push({ kind, signed: type.signed, bits: type.bits, offset, value, overflow });
    j += kind === 'get' ? 2 : 3;
  }
  return ops;
}

/** The field of `bits` bits at bit `offset` of `buf` (zeros past its end), unsigned. */
function readField(buf: Buffer, offset: number, bits: number): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i++) {
    const pos = offset + i;
    const byte = byteOf(pos);
    const bit = byte < buf.length ? (buf[byte] >> (7 - (pos & 7))) & 1 : 0;
    v = (v << 1n) | BigInt(bit);
  }
  return v;
}

function writeField(buf: Buffer, offset: number, bits: number, value: bigint): void {
  for (let i = 0; i < bits; i++) {
    const pos = offset + i;
    const mask = 1 << (7 - (pos & 7));
    if ((value >> BigInt(bits - 1 - i)) & 1n) buf[byteOf(pos)] |= mask;
    else buf[byteOf(pos)] &= ~mask;
  }
}

/**
 * checkSignedBitfieldOverflow / checkUnsignedBitfieldOverflow: the value stored for
 * `value + incr` in a field, or null when it overflows under FAIL.
 */
function fitField(signed: boolean, bits: number, value: bigint, incr: bigint, overflow: Overflow): bigint | null {
  const B = BigInt(bits);
  const max = signed ? (1n << (B - 1n)) - 1n : (1n << B) - 1n;
  const min = signed ? -max - 1n : 0n;
  const sum = value + incr;
  if (sum >= min && sum <= max) return sum;
  if (overflow === 'fail') return null;
  if (overflow === 'sat') return sum > max ? max : min;
  // WRAP: the low `bits` bits of the 64-bit two's-complement sum.
  const wrapped = BigInt.asUintN(bits, BigInt.asUintN(64, sum));
  return signed ? BigInt.asIntN(bits, wrapped) : wrapped;
}

function bitfieldGeneric(readOnly: boolean): Handler {
  return (c, args, node) => {
    const ops = parseFieldOps(c, args, node);
    if (ops === null) return;
    const key = args[1];
    const writes = ops.filter((o) => o.kind !== 'get');
    // Write path: the whole string as bytes. Read-only path: the string, read 9 bytes at a
    // time around each field (as Redis's GET does), so a large bitmap is not copied.
    let buf: Buffer | null = null;
    let str = '';
    let existed = false;
    let grown = false;
    if (writes.length === 0) {
      const v = lookupRead(c, key, node);
      if (v !== undefined && typeof v !== 'string') return c.error(Err.wrongType);
      str = v ?? '';
    } else {
      if (readOnly) return c.error(Err.bitfieldRoWrite);
      const s = stringForWrite(c, key);
      if (s === undefined) return;
      existed = s.existed;
      let highest = 0;
      for (const o of writes) highest = Math.max(highest, o.offset + o.bits - 1);
      const need = byteOf(highest) + 1;
      buf = Buffer.alloc(Math.max(need, s.value.length));
      buf.write(s.value, 0, 'latin1');
      grown = !existed || need > s.value.length;
    }
    // Writes that changed the value (or any write to a created or grown string).
    let changes = 0;
    c.arrayHeader(ops.length);
    for (const o of ops) {
      const raw =
        buf !== null ? readField(buf, o.offset, o.bits) : readField(Buffer.from(str.slice(byteOf(o.offset), byteOf(o.offset) + 9), 'latin1'), o.offset & 7, o.bits);
      const old = o.signed ? BigInt.asIntN(o.bits, raw) : raw;
      if (o.kind === 'get') {
        c.int(old);
        continue;
      }
      const next = o.kind === 'incrby' ? fitField(o.signed, o.bits, old, o.value, o.overflow) : setValue(o);
      if (next === null) {
        c.nullBulk();
        continue;
      }
      writeField(buf!, o.offset, o.bits, BigInt.asUintN(o.bits, next));
      if (grown || next !== old) changes++;
      c.int(o.kind === 'incrby' ? next : old);
    }
    if (writes.length === 0) return;
    // A write creates or grows the string even when every operation FAILs.
    if (grown || changes !== 0) store(c, key, buf!.toString('latin1'), existed);
    if (changes !== 0) {
      node.keyspace.modified(c.db, key);
      node.keyspace.notify(NotifyClass.String, 'setbit', c.db, key);
    } else if (grown) {
      // Redis creates the key without signalling it (no WATCH break, no event); it still
      // has to reach the WAL, which logs commands that moved `dirty`.
      node.keyspace.dirty++;
    }
  };
}

/** The value a SET stores: unsigned fields take the 64-bit pattern of a negative value. */
function setValue(o: FieldOp): bigint | null {
  const v = o.signed ? o.value : BigInt.asUintN(64, o.value);
  return fitField(o.signed, o.bits, v, 0n, o.overflow);
}

// ── Table ────────────────────────────────────────────────────────────────────────────────

function spec(name: string, arity: number, flags: readonly CommandFlag[], run: Handler, first = 1, last = 1): CommandSpec {
  return keyCommand(name, arity, flags, 'bitmap', run, first, last, 1);
}

export const bitmapCommands: CommandSpec[] = [
  spec('setbit', 4, ['write', 'denyoom'], setbit),
  spec('getbit', 3, ['readonly', 'fast'], getbit),
  spec('bitcount', -2, ['readonly'], bitcount),
  spec('bitpos', -3, ['readonly'], bitpos),
  spec('bitop', -4, ['write', 'denyoom'], bitop, 2, -1),
  spec('bitfield', -2, ['write', 'denyoom'], bitfieldGeneric(false)),
  spec('bitfield_ro', -2, ['readonly', 'fast'], bitfieldGeneric(true)),
];
