// MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE / HELP (object.c memoryCommand).
// USAGE estimates what Redis 7.0 would allocate for the key (objectComputeSize: its object
// layouts, jemalloc size classes, the same sampling), not the bytes of Cinnabar's JS heap:
// see redis-compat/DIFFERENCES.md. STATS and DOCTOR read process.memoryUsage().

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import { containerCommand, subcommand, type CommandFlag, type CommandSpec, type Handler } from './spec';
import type { Value } from '../keyspace/value';
import { stringEncoding } from '../keyspace/value';
import { HashValue } from '../types/hash';
import { ListValue } from '../types/list';
import { SetValue } from '../types/set';
import { ZSetValue } from '../types/zset';
import { statusLines } from '../resp/replies';
import { formatDouble17g } from '../resp/format';
import { Err } from '../errors';
import { is, parseI64 } from './args';
import { memoryFigures } from './info';
import { requestMajorGc } from '../server/memory-release';
import { listpackEntryBytes } from '../keyspace/rdb/listpack';

// ── Redis's sizes on a 64-bit build ─────────────────────────────────────────────────────

const ROBJ = 16;
const DICT_ENTRY = 24;
/**
 * In cluster mode a main-dict entry of Redis 7.0 carries the slot-to-keys list links (two
 * pointers of clusterDictEntryMetadata), which MEMORY USAGE counts: 16 bytes more per key.
 */
const CLUSTER_ENTRY_METADATA = 16;
const DICT = 56;
const POINTER = 8;
const QUICKLIST = 40;
const QUICKLIST_NODE = 32;
const ZSET = 16;
const ZSKIPLIST = 32;
/** zmalloc_size of a skiplist header node (32 levels). */
const ZSL_HEADER = 640;
/** list-max-listpack-size -2: 8 KB listpacks per quicklist node. */
const QUICKLIST_NODE_BYTES = 8192;
/** OBJ_COMPUTE_SIZE_DEF_SAMPLES. */
const DEFAULT_SAMPLES = 5;

/** jemalloc's size class for a request of n bytes: 8, 16..128 by 16, then four per doubling. */
export function mallocSize(n: number): number {
  if (n <= 8) return 8;
  if (n <= 128) return Math.ceil(n / 16) * 16;
  const spacing = 2 ** (Math.floor(Math.log2(n - 1)) - 2);
  return Math.ceil(n / spacing) * spacing;
}

/** sdsZmallocSize of an sds string of `len` bytes (header type by length, NUL terminator). */
function sdsSize(len: number): number {
  const header = len < 32 ? 1 : len < 256 ? 3 : len < 65536 ? 5 : 9;
  return mallocSize(header + len + 1);
}

/** dictSlots: the power of two the table has grown to for `n` entries (at least 4). */
function dictSlots(n: number): number {
  let slots = 4;
  while (slots < n) slots *= 2;
  return slots;
}

/** zmalloc_size of a listpack holding `items` (6-byte header, 1-byte terminator). */
function listpackSize(items: Iterable<string>): number {
  let bytes = 7;
  for (const s of items) bytes += listpackEntryBytes(s);
  return mallocSize(bytes);
}

/** The first `n` of `items` (all of them when n is Infinity). */
function* first<T>(items: Iterable<T>, n: number): Iterable<T> {
  if (n <= 0) return;
  for (const it of items) {
    yield it;
    if (--n === 0) return;
  }
}

/** Average of `perItem` over the first `samples` items, times `count` (Redis's sampling). */
function sampled<T>(items: Iterable<T>, count: number, samples: number, perItem: (it: T) => number): number {
  let total = 0;
  let n = 0;
  for (const it of first(items, samples)) {
    total += perItem(it);
    n++;
  }
  return n === 0 ? 0 : (total / n) * count;
}

function scoreText(score: number): string {
  return formatDouble17g(score);
}

/** quicklist: the first `samples` nodes filled as Redis fills them, extrapolated to the list. */
function listSize(list: ListValue, samples: number): number {
  let nodes = 0;
  let nodeBytes = 7;
  let sampledBytes = 0;
  let elements = 0;
  const wanted = Math.min(samples, list.length);
  for (let i = 0; i < list.length; i++) {
    const e = listpackEntryBytes(list.at(i));
    if (nodeBytes > 7 && nodeBytes + e > QUICKLIST_NODE_BYTES) {
      sampledBytes += QUICKLIST_NODE + mallocSize(nodeBytes);
      if (++nodes === wanted) break;
      nodeBytes = 7;
    }
    nodeBytes += e;
    elements++;
  }
  if (nodes < wanted && nodeBytes > 7) {
    sampledBytes += QUICKLIST_NODE + mallocSize(nodeBytes);
    nodes++;
  }
  if (nodes === 0) return ROBJ + QUICKLIST;
  const totalNodes = Math.max(nodes, Math.ceil((list.length * nodes) / elements));
  return ROBJ + QUICKLIST + (sampledBytes / nodes) * totalNodes;
}

/** objectComputeSize: the value's object and what it points to. */
export function valueSize(v: Value, samples: number): number {
  if (typeof v === 'string') {
    switch (stringEncoding(v)) {
      case 'int':
        return ROBJ;
      case 'embstr':
        return mallocSize(ROBJ + 3 + v.length + 1);
      default:
        return ROBJ + sdsSize(v.length);
    }
  }
  if (v instanceof HashValue) {
    if (v.listpack) {
      const items: string[] = [];
      for (const [f, val] of v.fields) items.push(f, val);
      return ROBJ + listpackSize(items);
    }
    const size = v.fields.size;
    return ROBJ + DICT + POINTER * dictSlots(size) + sampled(v.fields, size, samples, ([f, val]) => sdsSize(f.length) + sdsSize(val.length) + DICT_ENTRY);
  }
  if (v instanceof SetValue) {
    const size = v.members.size;
    if (v.intset) {
      let width = 2;
      for (const m of v.members) {
        const n = Number(m);
        if (n < -2147483648 || n > 2147483647) width = 8;
        else if (width < 4 && (n < -32768 || n > 32767)) width = 4;
      }
      return ROBJ + mallocSize(8 + width * size);
    }
    return ROBJ + DICT + POINTER * dictSlots(size) + sampled(v.members, size, samples, (m) => sdsSize(m.length) + DICT_ENTRY);
  }
  if (v instanceof ZSetValue) {
    const size = v.size;
    if (v.listpack) {
      const items: string[] = [];
      for (const n of v.list.nodes()) items.push(n.member, scoreText(n.score));
      return ROBJ + listpackSize(items);
    }
    const base = ROBJ + ZSET + ZSKIPLIST + DICT + POINTER * dictSlots(size) + ZSL_HEADER;
    return base + sampled(v.list.nodes(), size, samples, (n) => sdsSize(n.member.length) + DICT_ENTRY + mallocSize(24 + 16 * n.next.length));
  }
  if (v instanceof ListValue) return listSize(v, samples);
  return ROBJ;
}

// ── Subcommands ─────────────────────────────────────────────────────────────────────────

const usage: Handler = (c, args, node) => {
  let samples = DEFAULT_SAMPLES;
  for (let j = 3; j < args.length; j++) {
    if (is(args[j], 'samples') && j + 1 < args.length) {
      const n = parseI64(args[j + 1]);
      if (n === undefined) return c.error(Err.notInteger);
      if (n < 0) return c.error(Err.syntax);
      samples = n === 0 ? Infinity : n;
      j++;
    } else {
      return c.error(Err.syntax);
    }
  }
  // dbFind: the key as stored, without expiring it.
  const v = c.db.get(args[2]);
  if (v === undefined) return c.nullBulk();
  c.int(Math.trunc(valueSize(v, samples)) + sdsSize(args[2].length) + DICT_ENTRY + (node.cluster !== null ? CLUSTER_ENTRY_METADATA : 0));
};

/** Below this many bytes used beyond start-up, Redis's doctor calls the instance empty. */
const DOCTOR_EMPTY_BYTES = 5 * 1024 * 1024;

/**
 * getMemoryDoctorReport. Redis calls an instance empty below 5 MB allocated; the V8 heap
 * carries several MB of garbage between collections, so an instance without keys is empty
 * here whatever its heap says. Redis's other checks (allocator fragmentation, RSS overhead)
 * measure jemalloc; V8 reserves and frees in its own way, so Cinnabar does not report them.
 */
function doctorReport(node: NodeContext): string {
  const f = memoryFigures(node);
  if (f.netUsage < DOCTOR_EMPTY_BYTES || node.keyspace.dbs.every((db) => db.size === 0)) {
    return "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n";
  }
  return "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
}

/** MEMORY STATS: Redis's fields in Redis's order; ratios are C floats as Redis keeps them. */
function stats(c: Client, node: NodeContext): void {
  const f = memoryFigures(node);
  const cluster = node.cluster !== null;
  const dbs = node.keyspace.dbs.filter((db) => db.size !== 0 || db.expires.size !== 0);
  let keys = 0;
  for (const db of node.keyspace.dbs) keys += db.size;
  const ratio = (name: string, x: number): void => {
    c.bulk(name);
    c.double(Math.fround(x));
  };
  c.mapHeader(27 + dbs.length);
  const field = (name: string, n: number): void => {
    c.bulk(name);
    c.int(Math.trunc(n));
  };
  field('peak.allocated', f.peak);
  field('total.allocated', f.used);
  field('startup.allocated', f.startup);
  field('replication.backlog', 0);
  field('clients.slaves', 0);
  field('clients.normal', f.clientsMem);
  field('cluster.links', 0);
  field('aof.buffer', 0);
  field('lua.caches', 0);
  field('functions.caches', 0);
  for (const db of dbs) {
    c.bulk(`db.${db.id}`);
    c.mapHeader(3);
    field('overhead.hashtable.main', db.size * (DICT_ENTRY + ROBJ) + dictSlots(db.size) * POINTER);
    field('overhead.hashtable.expires', db.expires.size === 0 ? 0 : db.expires.size * DICT_ENTRY + dictSlots(db.expires.size) * POINTER);
    field('overhead.hashtable.slot-to-keys', cluster ? db.size * 16 : 0);
  }
  field('overhead.total', f.overhead);
  field('keys.count', keys);
  field('keys.bytes-per-key', keys === 0 ? 0 : f.netUsage / keys);
  field('dataset.bytes', f.dataset);
  ratio('dataset.percentage', f.netUsage <= 0 ? 0 : (f.dataset * 100) / f.netUsage);
  ratio('peak.percentage', f.peak === 0 ? 0 : (f.used * 100) / f.peak);
  field('allocator.allocated', f.allocated);
  field('allocator.active', f.active);
  field('allocator.resident', f.resident);
  ratio('allocator-fragmentation.ratio', f.active / f.allocated);
  field('allocator-fragmentation.bytes', f.active - f.allocated);
  ratio('allocator-rss.ratio', f.resident / f.active);
  field('allocator-rss.bytes', f.resident - f.active);
  ratio('rss-overhead.ratio', f.rss / f.resident);
  field('rss-overhead.bytes', f.rss - f.resident);
  ratio('fragmentation', f.rss / f.used);
  field('fragmentation.bytes', f.rss - f.used);
}

const HELP_REPLY = statusLines([
  'MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
  'HELP',
  '    Prints this help.',
]);

function sub(name: string, arity: number, run: Handler, flags: readonly CommandFlag[] = []): CommandSpec {
  return subcommand(name, arity, flags, 'server', run);
}

export const memoryCommands: CommandSpec[] = [
  // Subcommands in the order Redis's subcommand dict lists them (COMMAND INFO / DOCS show it).
  containerCommand('memory', 'server', [
    sub('help', 2, (c) => c.write(HELP_REPLY), ['loading', 'stale']),
    sub('stats', 2, (c, _args, node) => stats(c, node)),
    sub('purge', 2, (c) => {
      // jemalloc's purge of dirty pages has no V8 twin; a major GC is the nearest thing.
      requestMajorGc();
      c.ok();
    }),
    sub('doctor', 2, (c, _args, node) => c.verbatim(doctorReport(node))),
    // Redis's reply when it is not built with jemalloc.
    sub('malloc-stats', 2, (c) => c.bulk('Stats not supported for the current allocator')),
    { name: 'usage', arity: -3, flags: ['readonly'], firstKey: 2, lastKey: 2, step: 1, group: 'server', run: usage },
  ]),
];
