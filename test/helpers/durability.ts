// Helpers for the durability tests: data directories that outlive a node across restarts,
// a parser for raw RESP replies, and a dump of every key of every database (type, value,
// absolute expiry) to compare a keyspace before and after a restart.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RawConnection } from './resp';
import { sleep } from './server';
import { decodeRecord } from '../../src/persistence/wal-record';
import { listSegments } from '../../src/persistence/wal-segments';

export { sleep };

/** Anything with tap's teardown(). */
interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A temporary data directory kept across node restarts, removed when the test ends. */
export function dataDir(t: Teardown, prefix = 'cinnabar-durability-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export type Reply = string | number | null | ReplyError | Reply[];

export class ReplyError {
  constructor(readonly message: string) {}
}

/** Parses one complete RESP2 reply (as RawConnection returns it). */
export function parseReply(raw: string): Reply {
  const [value, end] = parseAt(raw, 0);
  if (end !== raw.length) throw new Error(`trailing bytes after reply: ${JSON.stringify(raw)}`);
  return value;
}

function parseAt(s: string, pos: number): [Reply, number] {
  const nl = s.indexOf('\r\n', pos);
  const line = s.slice(pos + 1, nl);
  const next = nl + 2;
  switch (s[pos]) {
    case '+':
      return [line, next];
    case '-':
      return [new ReplyError(line), next];
    case ':':
      return [Number(line), next];
    case '$': {
      const n = Number(line);
      if (n < 0) return [null, next];
      return [s.slice(next, next + n), next + n + 2];
    }
    case '*': {
      const n = Number(line);
      if (n < 0) return [null, next];
      const items: Reply[] = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const [v, e] = parseAt(s, p);
        items.push(v);
        p = e;
      }
      return [items, p];
    }
    default:
      throw new Error(`unexpected reply ${JSON.stringify(s.slice(pos, pos + 40))}`);
  }
}

/** Sends a command and parses its reply. */
export async function call(c: RawConnection, ...args: string[]): Promise<Reply> {
  return parseReply(await c.call(...args));
}

/** Sends many commands in one write and returns their parsed replies in order. */
export async function pipeline(c: RawConnection, commands: string[][]): Promise<Reply[]> {
  for (const cmd of commands) c.send(...cmd);
  const out: Reply[] = [];
  for (let i = 0; i < commands.length; i++) out.push(parseReply(await c.reply(10000)));
  return out;
}

/** One key as a client sees it. */
export interface DumpedKey {
  type: string;
  /** The string, or a canonical rendering of a collection (see dumpCommand). */
  value: string | string[];
  /** PEXPIRETIME: absolute expiry in ms, -1 without one. */
  pexpiretime: number;
}

/** The command that reads a whole value of `type`. */
function dumpCommand(type: string, key: string): string[] {
  switch (type) {
    case 'string':
      return ['GET', key];
    case 'list':
      return ['LRANGE', key, '0', '-1'];
    case 'set':
      return ['SMEMBERS', key];
    case 'hash':
      return ['HGETALL', key];
    case 'zset':
      return ['ZRANGE', key, '0', '-1', 'WITHSCORES'];
    default:
      throw new Error(`dumpKeyspace: teach me to dump a ${type} (key ${key})`);
  }
}

/** Unordered collections in a canonical order: set members sorted, hash pairs sorted by field. */
function canonical(type: string, value: Reply): string | string[] {
  if (type === 'string' || type === 'list' || type === 'zset') return value as string | string[];
  const items = value as string[];
  if (type === 'set') return [...items].sort();
  const pairs: string[][] = [];
  for (let i = 0; i < items.length; i += 2) pairs.push([items[i], items[i + 1]]);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return pairs.flat();
}

/** Every key of databases 0..dbs-1, as "db:key" → type, value, absolute expiry. */
export async function dumpKeyspace(port: number, dbs = 16): Promise<Map<string, DumpedKey>> {
  const c = await RawConnection.connect(port);
  try {
    const out = new Map<string, DumpedKey>();
    for (let db = 0; db < dbs; db++) {
      await call(c, 'SELECT', String(db));
      const keys = (await call(c, 'KEYS', '*')) as string[];
      const types = (await pipeline(c, keys.map((k) => ['TYPE', k]))) as string[];
      const replies = await pipeline(
        c,
        keys.flatMap((k, i) => [dumpCommand(types[i], k), ['PEXPIRETIME', k]]),
      );
      keys.forEach((k, i) => {
        const [value, at] = replies.slice(i * 2, i * 2 + 2);
        out.set(`${db}:${k}`, { type: types[i], value: canonical(types[i], value), pexpiretime: at as number });
      });
    }
    return out;
  } finally {
    c.close();
  }
}

/**
 * Leaves out of `before` and of each of `others` the keys of `before` whose expiry came by
 * `at`: keys whose time came while a node restarted are rightly gone.
 */
export function leaveOutExpiredBy(at: number, before: Map<string, DumpedKey>, ...others: Array<Map<string, unknown>>): void {
  for (const [k, v] of [...before]) {
    if (v.pexpiretime > 0 && v.pexpiretime <= at) {
      before.delete(k);
      for (const m of others) m.delete(k);
    }
  }
}

/** Sorted entries, for tap's t.same with a readable diff. */
export function sortedEntries(m: Map<string, DumpedKey>): Array<[string, DumpedKey]> {
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** A value of INFO persistence (or any INFO section), as a string. */
export async function infoField(c: RawConnection, name: string): Promise<string> {
  const text = (await call(c, 'INFO', 'persistence')) as string;
  const m = new RegExp(`^${name}:(.*)\\r$`, 'm').exec(text);
  if (m === null) throw new Error(`no ${name} in INFO persistence`);
  return m[1];
}

/** Deterministic PRNG (LCG) so a failing run can be replayed from its seed. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A command maker and its relative weight in a random workload. */
export type WeightedMaker = [number, () => string[]];

/**
 * `count` commands drawn from `makers` by weight; each of `rare` (probability, maker) is
 * tried first on every draw.
 */
export function weightedWorkload(rand: () => number, count: number, makers: readonly WeightedMaker[], rare: readonly WeightedMaker[] = []): string[][] {
  const total = makers.reduce((n, [w]) => n + w, 0);
  const out: string[][] = [];
  for (let i = 0; i < count; i++) {
    const special = rare.find(([p]) => rand() < p);
    if (special) {
      out.push(special[1]());
      continue;
    }
    let r = rand() * total;
    for (const [w, make] of makers) {
      r -= w;
      if (r < 0) {
        out.push(make());
        break;
      }
    }
  }
  return out;
}

/** Runs the commands in pipelined batches of 100, pausing `pauseMs` every 1000; returns the error replies. */
export async function runPipelined(c: RawConnection, commands: string[][], pauseMs = 20): Promise<number> {
  let errors = 0;
  for (let i = 0; i < commands.length; i += 100) {
    for (const r of await pipeline(c, commands.slice(i, i + 100))) if (r instanceof ReplyError) errors++;
    if (i % 1000 === 0) await sleep(pauseMs);
  }
  return errors;
}

/** One WAL record as found on disk: its segment file, byte position, size, offset and command. */
export interface LocatedRecord {
  file: string;
  pos: number;
  size: number;
  offset: number;
  args: string[];
}

/** Every record of the WAL under `dir` with its file and byte position. */
export function locateRecords(dir: string): LocatedRecord[] {
  const out: LocatedRecord[] = [];
  for (const seg of listSegments(path.join(dir, 'wal'))) {
    const buf = fs.readFileSync(seg.file);
    for (let pos = 0; pos < buf.length; ) {
      // Zeros written ahead of the records (wal.ts) end them.
      if (buf.subarray(pos, pos + 12).every((b) => b === 0)) break;
      const d = decodeRecord(buf, pos);
      if (d.kind !== 'record') throw new Error(`${seg.file}:${pos}: ${d.kind}`);
      out.push({ file: seg.file, pos, size: d.size, offset: d.record.offset, args: d.record.args });
      pos += d.size;
    }
  }
  return out;
}
