// DUMP and RESTORE payloads, byte-compatible with Redis 7.0 (cluster.c createDumpPayload /
// verifyDumpPayload, rdb.c rdbSaveObject / rdbLoadObject): the RDB type byte, the value in
// the RDB encoding Redis 7.0 picks for its OBJECT ENCODING, the RDB version (2 bytes LE)
// and a CRC-64 of everything before it (8 bytes LE). MIGRATE sends the same payloads.

import type { Value } from './value';
import { ListValue } from '../types/list';
import { SetValue } from '../types/set';
import { ZSetValue, type ZSetLimits } from '../types/zset';
import { HashValue, type HashLimits } from '../types/hash';
import { formatDouble17g } from '../resp/format';
import { parseDouble } from '../commands/args';
import { crc64 } from './rdb/crc64';
import { BadDataFormat, RdbReader, RdbWriter } from './rdb/rdb-io';
import { EMPTY_LISTPACK_BYTES, decodeListpack, encodeListpack, listpackEntryBytes } from './rdb/listpack';
import { decodeZiplist } from './rdb/ziplist';

export { BadDataFormat } from './rdb/rdb-io';

/** RDB_VERSION of Redis 7.0: written in payloads, the newest RESTORE accepts. */
export const RDB_VERSION = 10;

/** RDB object types (rdb.h); the numbers are Redis's and never change. */
export const RdbType = {
  String: 0,
  List: 1,
  Set: 2,
  ZSet: 3,
  Hash: 4,
  ZSet2: 5,
  HashZipmap: 9,
  ListZiplist: 10,
  SetIntset: 11,
  ZSetZiplist: 12,
  HashZiplist: 13,
  ListQuicklist: 14,
  HashListpack: 16,
  ZSetListpack: 17,
  ListQuicklist2: 18,
} as const;

/** Quicklist node containers (quicklist.h). */
const QUICKLIST_NODE_PLAIN = 1;
const QUICKLIST_NODE_PACKED = 2;

const FOOTER_BYTES = 10;

/** Thrown by parsePayload when the version or the checksum is wrong. */
export class PayloadVersionOrChecksumWrong extends Error {
  constructor() {
    super('DUMP payload version or checksum are wrong');
    this.name = 'PayloadVersionOrChecksumWrong';
  }
}

// ── DUMP ─────────────────────────────────────────────────────────────────────────────────

export interface DumpOptions {
  /** rdbcompression: LZF-compress strings and blobs longer than 20 bytes. @default true */
  compress: boolean;
  /** list-max-listpack-size: how full a quicklist node gets. @default -2 (8 KiB) */
  listFill: number;
}

const DEFAULT_DUMP_OPTIONS: DumpOptions = { compress: true, listFill: -2 };

/** Redis's DUMP of `value`. */
export function dumpPayload(value: Value, options: DumpOptions = DEFAULT_DUMP_OPTIONS): Buffer {
  const w = new RdbWriter(options.compress);
  writeObject(w, value, options);
  const footer = Buffer.allocUnsafe(2);
  footer.writeUInt16LE(RDB_VERSION, 0);
  w.raw(footer);
  const body = w.bytes();
  return Buffer.concat([body, crc64(body)]);
}

function writeObject(w: RdbWriter, value: Value, options: DumpOptions): void {
  if (typeof value === 'string') {
    w.byte(RdbType.String);
    w.string(value);
  } else if (value instanceof ListValue) {
    w.byte(RdbType.ListQuicklist2);
    const nodes = quicklistNodes(value.range(0, value.length - 1), options.listFill);
    w.len(nodes.length);
    for (const node of nodes) {
      w.len(QUICKLIST_NODE_PACKED);
      w.blob(encodeListpack(node));
    }
  } else if (value instanceof SetValue) {
    if (value.intset) {
      w.byte(RdbType.SetIntset);
      w.blob(encodeIntset(value.ordered()));
    } else {
      w.byte(RdbType.Set);
      w.len(value.size);
      for (const m of value.members) w.string(m);
    }
  } else if (value instanceof ZSetValue) {
    if (value.listpack) {
      w.byte(RdbType.ZSetListpack);
      const flat: string[] = [];
      for (const n of value.list.nodes()) flat.push(n.member, formatDouble17g(n.score));
      w.blob(encodeListpack(flat));
    } else {
      // rdbSaveObject writes a skiplist from the highest score to the lowest.
      w.byte(RdbType.ZSet2);
      w.len(value.size);
      const nodes = [...value.list.nodes()];
      for (let i = nodes.length - 1; i >= 0; i--) {
        w.string(nodes[i].member);
        w.doubleLE(nodes[i].score);
      }
    }
  } else if (value instanceof HashValue) {
    if (value.listpack) {
      w.byte(RdbType.HashListpack);
      const flat: string[] = [];
      for (const [f, v] of value.fields) flat.push(f, v);
      w.blob(encodeListpack(flat));
    } else {
      w.byte(RdbType.Hash);
      w.len(value.size);
      for (const [f, v] of value.fields) {
        w.string(f);
        w.string(v);
      }
    }
  } else {
    throw new Error(`DUMP of ${value.kind} values is not supported`);
  }
}

/** quicklist.c optimization_level: node size limits for fill -1 … -5. */
const NODE_SIZE_LEVELS = [4096, 8192, 16384, 32768, 65536];
const SIZE_SAFETY_LIMIT = 8192;
const SIZE_ESTIMATE_OVERHEAD = 8;

/**
 * The elements split into quicklist nodes as a list built by RPUSH has them in Redis 7.0
 * (_quicklistNodeAllowInsert). A list changed elsewhere than at its tail may be split
 * otherwise in Redis: see redis-compat/DIFFERENCES.md.
 */
function quicklistNodes(elements: readonly string[], fill: number): string[][] {
  const nodes: string[][] = [];
  let node: string[] | null = null;
  let nodeBytes = 0;
  for (const e of elements) {
    if (node === null || !allowInsert(nodeBytes, node.length, e.length, fill)) {
      node = [];
      nodes.push(node);
      nodeBytes = EMPTY_LISTPACK_BYTES;
    }
    node.push(e);
    nodeBytes += listpackEntryBytes(e);
  }
  return nodes;
}

function allowInsert(nodeBytes: number, count: number, size: number, fill: number): boolean {
  const newSize = nodeBytes + size + SIZE_ESTIMATE_OVERHEAD;
  const level = fill < 0 ? NODE_SIZE_LEVELS[-fill - 1] : undefined;
  if (level !== undefined && newSize <= level) return true;
  if (newSize > SIZE_SAFETY_LIMIT) return false;
  return count < fill;
}

/** An intset blob (intset.c): u32 LE width, u32 LE count, sorted members of that width. */
function encodeIntset(sorted: readonly string[]): Buffer {
  const values = sorted.map((s) => BigInt(s));
  let width = 2;
  for (const v of values) {
    if (v < -2147483648n || v > 2147483647n) width = 8;
    else if ((v < -32768n || v > 32767n) && width < 4) width = 4;
  }
  const buf = Buffer.allocUnsafe(8 + width * values.length);
  buf.writeUInt32LE(width, 0);
  buf.writeUInt32LE(values.length, 4);
  let p = 8;
  for (const v of values) {
    if (width === 2) p = buf.writeInt16LE(Number(v), p);
    else if (width === 4) p = buf.writeInt32LE(Number(v), p);
    else p = buf.writeBigInt64LE(v, p);
  }
  return buf;
}

// ── RESTORE ──────────────────────────────────────────────────────────────────────────────

/** The encoding thresholds values are rebuilt with (from config). */
export interface EncodingLimits {
  hash: HashLimits;
  zset: ZSetLimits;
  setMaxIntsetEntries: number;
}

const DEFAULT_LIMITS: EncodingLimits = {
  hash: { maxListpackEntries: 512, maxListpackValue: 64 },
  zset: { maxListpackEntries: 128, maxListpackValue: 64 },
  setMaxIntsetEntries: 512,
};

/**
 * The value in a DUMP payload. Throws PayloadVersionOrChecksumWrong (verifyDumpPayload:
 * RDB version above 10 or a CRC mismatch; Redis 7.0 has no all-zero CRC exemption here)
 * or BadDataFormat (rdbLoadObject failed, including empty collections).
 */
export function parsePayload(payload: Buffer, limits: EncodingLimits = DEFAULT_LIMITS): Value {
  if (payload.length < FOOTER_BYTES) throw new PayloadVersionOrChecksumWrong();
  const footer = payload.length - FOOTER_BYTES;
  if (payload.readUInt16LE(footer) > RDB_VERSION) throw new PayloadVersionOrChecksumWrong();
  if (!crc64(payload, 0, payload.length - 8).equals(payload.subarray(payload.length - 8))) {
    throw new PayloadVersionOrChecksumWrong();
  }
  const r = new RdbReader(payload, 0, footer);
  try {
    return readObject(r, r.byte(), limits, { left: ELEMENT_ALLOWANCE + payload.length });
  } catch (e) {
    // A backstop: whatever a crafted payload makes the decoder throw (a RangeError from an
    // allocation or a string too long) is bad data, never an exception that ends the node.
    if (e instanceof BadDataFormat) throw e;
    throw new BadDataFormat(`undecodable payload (${e instanceof Error ? e.message : String(e)})`);
  }
}

function readObject(r: RdbReader, type: number, limits: EncodingLimits, budget: ElementBudget): Value {
  switch (type) {
    case RdbType.String:
      return r.string();
    case RdbType.List:
      return buildList(readStrings(r, r.len()));
    case RdbType.ListQuicklist:
    case RdbType.ListQuicklist2: {
      const elements: string[] = [];
      const nodes = r.len();
      for (let i = 0; i < nodes; i++) {
        const container = type === RdbType.ListQuicklist2 ? r.len() : QUICKLIST_NODE_PACKED;
        if (container === QUICKLIST_NODE_PLAIN) {
          // rdbLoadObject refuses a node of zero bytes, PLAIN or PACKED (an empty blob is no listpack).
          const element = r.string();
          if (element.length === 0) throw new BadDataFormat('empty quicklist node');
          elements.push(element);
          continue;
        }
        if (container !== QUICKLIST_NODE_PACKED) throw new BadDataFormat('unknown quicklist container');
        const node = readPacked(r, type === RdbType.ListQuicklist2, budget);
        for (const e of node) elements.push(e);
      }
      return buildList(elements);
    }
    case RdbType.ListZiplist:
      return buildList(readPacked(r, false, budget));
    case RdbType.Set:
      return buildSet(readStrings(r, r.len()), limits);
    case RdbType.SetIntset:
      return buildSet(decodeIntset(r.blob()), limits);
    case RdbType.ZSet:
    case RdbType.ZSet2: {
      const n = r.len();
      const entries: Array<[string, number]> = [];
      for (let i = 0; i < n; i++) {
        const member = r.string();
        const score = type === RdbType.ZSet2 ? r.doubleLE() : readAsciiDouble(r);
        entries.push([member, score]);
      }
      return buildZSet(entries, limits);
    }
    case RdbType.ZSetZiplist:
    case RdbType.ZSetListpack: {
      const flat = readPacked(r, type === RdbType.ZSetListpack, budget);
      if (flat.length % 2 !== 0) throw new BadDataFormat('odd sorted set listpack');
      const entries: Array<[string, number]> = [];
      for (let i = 0; i < flat.length; i += 2) {
        const score = parseDouble(flat[i + 1]);
        if (score === undefined) throw new BadDataFormat('bad sorted set score');
        entries.push([flat[i], score]);
      }
      return buildZSet(entries, limits);
    }
    case RdbType.Hash: {
      const n = r.len();
      const flat: string[] = [];
      for (let i = 0; i < n; i++) flat.push(r.string(), r.string());
      return buildHash(flat, limits);
    }
    case RdbType.HashZiplist:
    case RdbType.HashListpack: {
      return buildHash(readPacked(r, type === RdbType.HashListpack, budget), limits);
    }
    default:
      throw new BadDataFormat(`unsupported object type ${type}`);
  }
}

/**
 * How many listpack and ziplist elements one payload may hold in all: as many as its bytes
 * could hold uncompressed and a fixed allowance more, so that LZF-compressed nodes of tiny
 * entries cannot grow a small payload into tens of millions of strings.
 */
const ELEMENT_ALLOWANCE = 8 * 1024 * 1024;

interface ElementBudget {
  left: number;
}

/** A listpack (or a ziplist) blob's elements, taken from `budget`. */
function readPacked(r: RdbReader, listpack: boolean, budget: ElementBudget): string[] {
  const blob = r.blob();
  const elements = listpack ? decodeListpack(blob, budget.left) : decodeZiplist(blob, budget.left);
  if (elements === null) throw new BadDataFormat('bad listpack or ziplist, or more elements than the payload may hold');
  budget.left -= elements.length;
  return elements;
}

function readStrings(r: RdbReader, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(r.string());
  return out;
}

/** rdbLoadDoubleValue: a length byte (253 nan, 254 +inf, 255 -inf) and the number as text. */
function readAsciiDouble(r: RdbReader): number {
  const len = r.byte();
  if (len === 255) return -Infinity;
  if (len === 254) return Infinity;
  if (len === 253) throw new BadDataFormat('NaN score');
  const text = Buffer.from(Array.from({ length: len }, () => r.byte())).toString('latin1');
  const d = parseDouble(text);
  if (d === undefined) throw new BadDataFormat('bad score');
  return d;
}

function decodeIntset(b: Buffer): string[] {
  if (b.length < 8) throw new BadDataFormat('intset too short');
  const width = b.readUInt32LE(0);
  const count = b.readUInt32LE(4);
  if ((width !== 2 && width !== 4 && width !== 8) || b.length !== 8 + width * count) throw new BadDataFormat('bad intset');
  const out: string[] = [];
  for (let p = 8; p < b.length; p += width) {
    if (width === 2) out.push(String(b.readInt16LE(p)));
    else if (width === 4) out.push(String(b.readInt32LE(p)));
    else out.push(String(b.readBigInt64LE(p)));
  }
  return out;
}

// Values are rebuilt through the same APIs the commands use, so encodings follow the
// current thresholds as in rdbLoadObject. Empty collections and duplicates are refused.

function buildList(elements: string[]): ListValue {
  if (elements.length === 0) throw new BadDataFormat('empty list');
  return ListValue.of(elements);
}

function buildSet(members: readonly string[], limits: EncodingLimits): SetValue {
  if (members.length === 0) throw new BadDataFormat('empty set');
  const set = SetValue.forFirstMember(members[0]);
  for (const m of members) {
    if (!set.add(m, limits.setMaxIntsetEntries)) throw new BadDataFormat('duplicate set member');
  }
  return set;
}

function buildZSet(entries: ReadonlyArray<[string, number]>, limits: EncodingLimits): ZSetValue {
  if (entries.length === 0) throw new BadDataFormat('empty sorted set');
  const seen = new Set<string>();
  for (const [member, score] of entries) {
    if (Number.isNaN(score)) throw new BadDataFormat('NaN score');
    if (seen.has(member)) throw new BadDataFormat('duplicate sorted set member');
    seen.add(member);
  }
  return ZSetValue.fromEntries(entries, limits.zset);
}

function buildHash(flat: readonly string[], limits: EncodingLimits): HashValue {
  if (flat.length === 0 || flat.length % 2 !== 0) throw new BadDataFormat('empty or odd hash');
  const hash = new HashValue();
  for (let i = 0; i < flat.length; i += 2) {
    if (!hash.set(flat[i], flat[i + 1], limits.hash)) throw new BadDataFormat('duplicate hash field');
  }
  return hash;
}
