// The thread that owns the LMDB snapshot environment: it streams the snapshot out for
// loading, and collects a checkpoint's batches and applies them in one write transaction,
// committed durably, when told: the main thread never waits on LMDB, and a crash before the
// commit leaves the previous snapshot as it was. It knows nothing of values: main encodes them.

import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { mkdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import type { Database, RootDatabase } from 'lmdb';
import { decodeMeta, encodeMeta, type SnapshotMeta } from './value-codec';

// ── Protocol (in-process only, never on disk) ────────────────────────────────────────────

/** Operations in an `ops` batch: u8 op | u32 LE db | for put/del: u32 LE len, LMDB key | for put: u32 LE len, LMDB value. */
export const Op = {
  Put: 1,
  Delete: 2,
  /** Empty a whole db (FLUSHDB/FLUSHALL/SWAPDB since the last checkpoint). */
  Clear: 3,
} as const;

export interface SnapshotWorkerData {
  role: 'cinnabar-snapshot';
  /** LMDB environment directory. */
  path: string;
  /** Named LMDB databases to allow: one per Redis db plus meta. */
  maxDbs: number;
  /**
   * Start-up: stream the snapshot of this many Redis dbs out right after `ready`, as a `load`
   * request would, without waiting for one (SnapshotStore.load takes it). Null: wait.
   */
  preloadDatabases: number | null;
}

export type ToWorker =
  /** Stream every entry out as `entries` batches, then `loaded`. */
  | { t: 'load'; databases: number }
  /** A checkpoint starts; `dbs` are the Redis dbs its batches write. */
  | { t: 'begin'; dbs: number[] }
  | { t: 'ops'; buf: ArrayBuffer; length: number }
  /** Apply the batches and the meta record in one transaction; reply `committed` once durable. */
  | { t: 'commit'; offset: number; createdAt: number }
  /** Drop the batches; reply `aborted`. */
  | { t: 'abort' };

export type FromWorker =
  | { t: 'ready'; meta: SnapshotMeta | null }
  /** Entries of db `db`: repeated (u32 LE len, LMDB key, u32 LE len, LMDB value). */
  | { t: 'entries'; db: number; buf: ArrayBuffer; length: number }
  | { t: 'loaded' }
  | { t: 'committed'; meta: SnapshotMeta; commitMs: number }
  | { t: 'aborted' }
  | { t: 'error'; message: string };

export const META_KEY = Buffer.from('snapshot', 'latin1');

// ── Worker ───────────────────────────────────────────────────────────────────────────────

type LmdbOpen = typeof import('lmdb').open;

const LOAD_BATCH_BYTES = 1 << 20;
const FIRST_LOAD_BATCH_BYTES = 16 << 10;
const BACKGROUND_NICE = 5;

class SnapshotWorker {
  private readonly env: RootDatabase;
  private readonly meta: Database<Buffer, Buffer>;
  private readonly dbs: Array<Database<Buffer, Buffer>> = [];
  private current: SnapshotMeta | null;
  /** Batches of the checkpoint being received; null when none is. */
  private batches: Buffer[] | null = null;
  /** Dbs the checkpoint writes (their handles are opened before its transaction). */
  private writable = new Set<number>();
  private niced = false;

  constructor(
    private readonly port: MessagePort,
    data: SnapshotWorkerData,
    open: LmdbOpen,
  ) {
    mkdirSync(data.path, { recursive: true });
    // overlappingSync off: a commit returns only once it is on disk, so "committed" means durable.
    this.env = open({ path: data.path, maxDbs: data.maxDbs, overlappingSync: false });
    this.meta = this.env.openDB<Buffer, Buffer>('meta', { keyEncoding: 'binary', encoding: 'binary' });
    const raw = this.meta.getBinary(META_KEY);
    this.current = raw === undefined ? null : decodeMeta(raw);
  }

  get initialMeta(): SnapshotMeta | null {
    return this.current;
  }

  /** Named dbs are opened outside the checkpoint transaction: a handle opened in an aborted one dies with it. */
  private db(index: number): Database<Buffer, Buffer> {
    let db = this.dbs[index];
    if (db === undefined) {
      db = this.env.openDB<Buffer, Buffer>(`db${index}`, { keyEncoding: 'binary', encoding: 'binary' });
      this.dbs[index] = db;
    }
    return db;
  }

  handle(msg: ToWorker): void {
    switch (msg.t) {
      case 'load':
        return this.load(msg.databases);
      case 'begin':
        return this.begin(msg.dbs);
      case 'ops':
        if (this.batches === null) throw new Error('checkpoint batch outside a checkpoint');
        this.batches.push(Buffer.from(msg.buf, 0, msg.length));
        return;
      case 'commit':
        return this.commit(msg.offset, msg.createdAt);
      case 'abort':
        this.batches = null;
        return this.send({ t: 'aborted' });
    }
  }

  private send(msg: FromWorker, transfer?: ArrayBuffer[]): void {
    this.port.postMessage(msg, transfer);
  }

  /** Indexes of the Redis dbs the environment has a named LMDB database for. */
  private storedDbs(): number[] {
    const found: number[] = [];
    for (const name of this.env.getKeys()) {
      const m = typeof name === 'string' ? /^db(\d+)$/.exec(name) : null;
      if (m !== null) found.push(Number(m[1]));
    }
    return found.sort((a, b) => a - b);
  }

  load(databases: number): void {
    const stored = this.storedDbs();
    for (const i of stored) {
      if (i >= databases && entryCount(this.db(i)) !== 0) {
        throw new Error(`the snapshot holds keys in db ${i} but the server is configured with ${databases} databases`);
      }
    }
    // The main thread waits for the first batch: it is small, and batches grow from there.
    let batchBytes = FIRST_LOAD_BATCH_BYTES;
    for (const i of stored) {
      if (i >= databases) continue;
      const db = this.db(i);
      // allocUnsafeSlow: a pooled Buffer shares its ArrayBuffer, which must not be transferred.
      let buf = Buffer.allocUnsafeSlow(batchBytes);
      let pos = 0;
      let count = 0;
      const flush = (): void => {
        if (count === 0) return;
        const ab = buf.buffer as ArrayBuffer;
        this.send({ t: 'entries', db: i, buf: ab, length: pos }, [ab]);
        batchBytes = Math.min(batchBytes * 4, LOAD_BATCH_BYTES);
        buf = Buffer.allocUnsafeSlow(batchBytes);
        pos = 0;
        count = 0;
      };
      for (const { key, value } of db.getRange()) {
        const need = 8 + key.length + value.length;
        if (pos + need > buf.length) {
          flush();
          if (need > buf.length) buf = Buffer.allocUnsafeSlow(need);
        }
        buf.writeUInt32LE(key.length, pos);
        pos += 4 + key.copy(buf, pos + 4);
        buf.writeUInt32LE(value.length, pos);
        pos += 4 + value.copy(buf, pos + 4);
        count++;
      }
      flush();
    }
    this.send({ t: 'loaded' });
  }

  /**
   * Batches are kept until the commit and applied in one synchronous transaction then: a
   * write transaction left open across turns would keep this thread from ever exiting
   * (lmdb-js: neither terminate() nor an uncaught error ends a worker inside one), and a
   * crash before the commit must leave LMDB untouched anyway.
   */
  private begin(dbs: number[]): void {
    if (this.batches !== null) throw new Error('a checkpoint is already being received');
    this.lowerPriority();
    // Every db the commit counts keys of, too.
    for (const i of [...dbs, ...this.storedDbs()]) this.db(i);
    this.writable = new Set(dbs);
    this.batches = [];
  }

  /**
   * Checkpoints are background work: on Linux a nice value is per thread, so this thread
   * yields the CPU to the main thread when cores are short (measured on 2 cores shared with
   * other processes: main-thread 2 ms slices stretched past 5 ms 258 times in 600 with the
   * worker at nice 0, 44 at nice 5, 50 at nice 10). Not before loading, which the main thread
   * waits for; not undone, as raising priority needs privileges.
   */
  private lowerPriority(): void {
    if (this.niced) return;
    this.niced = true;
    try {
      setPriority(0, BACKGROUND_NICE);
    } catch {
      // Not permitted here: run at normal priority.
    }
  }

  private commit(offset: number, createdAt: number): void {
    const batches = this.batches;
    if (batches === null) throw new Error('commit outside a checkpoint');
    this.batches = null;
    const start = performance.now();
    const meta: SnapshotMeta = { offset, createdAt, keyCount: 0 };
    // Throwing inside the callback aborts the transaction: all or nothing.
    this.env.transactionSync(() => {
      for (const b of batches) this.apply(b);
      for (const i of this.storedDbs()) meta.keyCount += entryCount(this.db(i));
      this.meta.put(META_KEY, encodeMeta(meta));
    });
    this.current = meta;
    this.send({ t: 'committed', meta, commitMs: performance.now() - start });
  }

  private apply(buf: Buffer): void {
    let p = 0;
    while (p < buf.length) {
      const op = buf[p];
      const index = buf.readUInt32LE(p + 1);
      if (!this.writable.has(index)) throw new Error(`checkpoint batch writes db ${index}, not announced`);
      const db = this.db(index);
      p += 5;
      if (op === Op.Clear) {
        db.clearSync();
        continue;
      }
      const klen = buf.readUInt32LE(p);
      const key = buf.subarray(p + 4, p + 4 + klen);
      p += 4 + klen;
      if (op === Op.Delete) {
        db.remove(key);
        continue;
      }
      const vlen = buf.readUInt32LE(p);
      const value = buf.subarray(p + 4, p + 4 + vlen);
      p += 4 + vlen;
      db.put(key, value);
    }
  }
}

function entryCount(db: Database<Buffer, Buffer>): number {
  return (db.getStats() as { entryCount: number }).entryCount;
}

/** Runs the worker; lmdb is loaded here only, not by the main thread importing the protocol. */
async function runWorker(port: MessagePort, data: SnapshotWorkerData): Promise<void> {
  const fail = (e: unknown): void => {
    port.postMessage({ t: 'error', message: e instanceof Error ? e.message : String(e) } satisfies FromWorker);
  };
  try {
    const { open } = await import('lmdb');
    const worker = new SnapshotWorker(port, data, open);
    port.postMessage({ t: 'ready', meta: worker.initialMeta } satisfies FromWorker);
    port.on('message', (msg: ToWorker) => {
      try {
        worker.handle(msg);
      } catch (e) {
        fail(e);
      }
    });
    if (data.preloadDatabases !== null) worker.load(data.preloadDatabases);
  } catch (e) {
    fail(e);
  }
}

const data = workerData as SnapshotWorkerData | undefined;
if (!isMainThread && parentPort !== null && data?.role === 'cinnabar-snapshot') void runWorker(parentPort, data);
