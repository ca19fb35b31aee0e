// Incremental LMDB snapshots: a checkpoint writes the keys changed since the previous one,
// as they were at WAL offset O, in one LMDB transaction together with O; start-up loads the
// snapshot and replays the WAL from its offset. LMDB lives in a worker (snapshot-worker.ts).
//
//   const store = await SnapshotStore.open(dataDir, { databases });
//   const { offset } = await store.load(keyspace, -Infinity);  // into an empty keyspace; null: no
//                                                        // snapshot (-Infinity: keep expired keys)
//   tracker.attach(keyspace);                            // then replay the WAL from `offset`
//   ...
//   const r = await store.checkpoint(keyspace, tracker, walOffset);  // durable once resolved
//   await store.close();
//
// checkpoint(O) must be called when every change up to WAL offset O is in memory and none
// after it. It takes the tracker's changed keys, then serializes them on the main thread in
// slices of about 2 ms (sliceMs), yielding between slices; a key about to change before it was
// serialized has its state at O captured first (copy-on-write through the Db WriteObserver),
// so the snapshot holds exactly the state at O. A crash before the commit leaves the previous
// snapshot untouched; a failed checkpoint hands its keys back to the tracker.

import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { Db, WriteObserver } from '../keyspace/db';
import type { Keyspace } from '../keyspace/keyspace';
import type { Value } from '../keyspace/value';
import { ColdValues, type ColdRef } from '../keyspace/cold-values';
import type { ChangeTracker, DbChanges } from './change-tracker';
import {
  EntryReader,
  coldStringAt,
  lmdbKeySize,
  lmdbValueSize,
  writeLmdbKey,
  writeLmdbValue,
  encodeLmdbValue,
  type SnapshotMeta,
} from './value-codec';
import { Op, type FromWorker, type SnapshotWorkerData, type ToWorker } from './snapshot-worker';

/** Default longest stretch of main-thread work per turn of the event loop. */
const SLICE_MS = 2;
/** Size of the batches shipped to the worker. */
const BATCH_BYTES = 1 << 20;

export interface CheckpointResult {
  /** WAL offset the snapshot now covers. */
  offset: number;
  /** Entries put (a whole-db rewrite counts every key). */
  keysWritten: number;
  keysDeleted: number;
  /** Databases emptied and rewritten whole (FLUSHDB/FLUSHALL/SWAPDB since the last one). */
  dbsRewritten: number;
  /** Encoded bytes shipped to LMDB. */
  bytes: number;
  /** Keys in the snapshot after the commit. */
  keyCount: number;
  /** Start to durable commit. */
  durationMs: number;
  /** The worker's commit (fsync included). */
  commitMs: number;
  /** Longest main-thread slice, and how many there were. */
  worstSliceMs: number;
  slices: number;
}

export interface LoadResult {
  /** WAL offset to replay from; null when there is no snapshot. */
  offset: number | null;
  keys: number;
  /** Keys whose expiry had passed, left out. */
  expiredSkipped: number;
  durationMs: number;
}

export interface SnapshotStoreOptions {
  /** Number of Redis databases (the `databases` option). Default 16. */
  databases?: number;
  /** Main-thread work per event-loop turn during a checkpoint, in ms. Default 2. */
  sliceMs?: number;
  /**
   * Start-up: the worker streams the whole snapshot out as soon as it has opened it, and
   * load() (which must then be the first request) takes what already arrived. The batches
   * are ready when the main thread has finished loading its own modules instead of a round
   * trip after it (~0.1 s of idle main thread in a 1M-key restart, --cpu-prof).
   */
  preload?: boolean;
}

/** The worker's load stream as received before load() asked for it, and the failure that ended it. */
interface PreloadedStream {
  messages: FromWorker[];
  failure: Error | null;
}

/** What the worker's replies are routed to while a request runs. */
interface Pending {
  message(m: FromWorker): void;
  fail(e: Error): void;
}

export class SnapshotStore {
  private worker: Worker | null = null;
  private pending: Pending | null = null;
  private meta: SnapshotMeta | null = null;
  private running: Checkpoint | null = null;
  private loading = false;
  private closed = false;
  /** With `preload`, until load() takes it; null without preload. */
  private preloaded: PreloadedStream | null = null;

  private constructor(
    /** The LMDB environment directory, `<dataDir>/snapshot`. */
    readonly path: string,
    private readonly databases: number,
    readonly sliceMs: number,
  ) {}

  /** Opens (creating if needed) the snapshot under `<dataDir>/snapshot`. */
  static async open(dataDir: string, options: SnapshotStoreOptions = {}): Promise<SnapshotStore> {
    const store = new SnapshotStore(join(dataDir, 'snapshot'), options.databases ?? 16, options.sliceMs ?? SLICE_MS);
    await store.startWorker(options.preload === true);
    return store;
  }

  /** WAL offset the last durable checkpoint covers; null when there is none. */
  get coveredOffset(): number | null {
    return this.meta === null ? null : this.meta.offset;
  }

  /** Meta record of the last durable checkpoint (offset, created-at, key count). */
  get lastCheckpoint(): SnapshotMeta | null {
    return this.meta;
  }

  get checkpointRunning(): boolean {
    return this.running !== null;
  }

  /**
   * Reads the whole snapshot into `keyspace`, which must be empty and not yet tracked (loaded
   * keys are what the snapshot already holds). Keys whose expiry is ≤ `now` are left out —
   * pass -Infinity when a WAL tail is replayed next: its commands were logged against keys
   * that may have expired since (an APPEND replayed on a dropped key would recreate it
   * without its TTL); Redis likewise keeps expired keys of an AOF's RDB preamble.
   */
  async load(keyspace: Keyspace, now = Date.now()): Promise<LoadResult> {
    const start = performance.now();
    if (keyspace.keyCount !== 0) throw new Error('snapshot load needs an empty keyspace');
    if (this.running !== null || this.loading) throw new Error('the snapshot store is busy');
    this.checkDatabases(keyspace);
    this.loading = true;
    const observers = keyspace.dbs.map((db) => db.observer);
    for (const db of keyspace.dbs) db.observer = null;
    const reader = new EntryReader();
    // String values stay in the batches until read or warmed (keyspace/cold-values.ts).
    const cold = new ColdValues(coldStringAt);
    for (const db of keyspace.dbs) db.cold = cold;
    let keys = 0;
    let expiredSkipped = 0;
    try {
      const preloaded = this.takePreloaded(keyspace.dbs.length);
      await this.request(preloaded === null ? { t: 'load', databases: keyspace.dbs.length } : preloaded, (m, done) => {
        if (m.t === 'loaded') return done();
        if (m.t !== 'entries') return;
        const db = keyspace.dbs[m.db];
        const buf = Buffer.from(m.buf, 0, m.length);
        const batch = cold.addBatch(buf);
        let p = 0;
        while (p < buf.length) {
          const ks = p + 4;
          const ke = ks + buf.readUInt32LE(p);
          const vs = ke + 4;
          const ve = vs + buf.readUInt32LE(ke);
          p = ve;
          const ref = cold.ref(batch, vs);
          reader.read(buf, ks, ke, vs, ve, ref >= 0);
          const at = reader.expireAt;
          if (at !== undefined && at <= now) {
            expiredSkipped++;
            continue;
          }
          db.load(reader.key, reader.coldString ? ref : reader.value);
          if (at !== undefined) db.setExpire(reader.key, at);
          keys++;
        }
      });
    } finally {
      this.loading = false;
      keyspace.dbs.forEach((db, i) => (db.observer = observers[i]));
    }
    return { offset: this.coveredOffset, keys, expiredSkipped, durationMs: performance.now() - start };
  }

  /**
   * Writes every key `tracker` recorded as changed, as it is now (WAL offset `offset`), and
   * `offset` itself, in one LMDB transaction. Resolves once the commit is durable; on failure
   * the keys stay pending in the tracker. One checkpoint at a time.
   */
  checkpoint(keyspace: Keyspace, tracker: ChangeTracker, offset: number): Promise<CheckpointResult> {
    if (this.closed) return Promise.reject(new Error('snapshot store is closed'));
    if (this.running !== null) return Promise.reject(new Error('a checkpoint is already running'));
    if (this.loading) return Promise.reject(new Error('the snapshot is being loaded'));
    try {
      this.checkDatabases(keyspace);
    } catch (e) {
      return Promise.reject(e);
    }
    const run = new Checkpoint(this, keyspace, tracker, offset);
    this.running = run;
    return run.result.finally(() => {
      this.running = null;
    });
  }

  /** Stops the worker; a checkpoint in progress is rolled back (its promise rejects). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const run = this.running;
    if (run !== null) {
      run.abort(new Error('snapshot store closed during a checkpoint'));
      await run.result.catch(() => undefined);
    }
    const w = this.worker;
    this.worker = null;
    if (w !== null) await w.terminate();
  }

  // ── Worker plumbing ────────────────────────────────────────────────────────────────────

  private checkDatabases(keyspace: Keyspace): void {
    if (keyspace.dbs.length > this.databases) {
      throw new Error(`keyspace has ${keyspace.dbs.length} databases, the snapshot store was opened for ${this.databases}`);
    }
  }

  /**
   * The preloaded load stream, for a load of `databases` dbs; null without one. Anything but
   * the first request after a preloading open is a caller's mistake.
   */
  private takePreloaded(databases: number): PreloadedStream | null {
    const p = this.preloaded;
    if (p === null) return null;
    if (databases !== this.databases) throw new Error(`snapshot preloaded for ${this.databases} databases, loaded into ${databases}`);
    this.preloaded = null;
    return p;
  }

  private startWorker(preload = false): Promise<void> {
    const data: SnapshotWorkerData = {
      role: 'cinnabar-snapshot',
      path: this.path,
      maxDbs: this.databases + 1,
      preloadDatabases: preload ? this.databases : null,
    };
    // execArgv []: the parent's loader hooks, inspector and the like are not for this thread.
    const w = new Worker(join(__dirname, 'snapshot-worker.js'), { workerData: data, execArgv: [] });
    this.worker = w;
    const ready = new Promise<void>((resolve, reject) => {
      this.pending = {
        message: (m) => {
          this.pending = null;
          if (m.t === 'ready') {
            this.meta = m.meta;
            if (preload) this.collectPreload();
            resolve();
          } else {
            reject(new Error(m.t === 'error' ? m.message : `unexpected ${m.t} from snapshot worker`));
          }
        },
        fail: reject,
      };
    });
    w.on('message', (m: FromWorker) => this.pending?.message(m));
    w.on('error', (e) => this.workerGone(w, e));
    w.on('exit', (code) => this.workerGone(w, new Error(`snapshot worker exited (code ${code})`)));
    return ready.then(
      () => void w.unref(),
      async (e: unknown) => {
        await w.terminate();
        throw e;
      },
    );
  }

  /** Until load() takes over, the worker's load stream (or its failure) is kept as it arrives. */
  private collectPreload(): void {
    const p: PreloadedStream = { messages: [], failure: null };
    this.preloaded = p;
    this.pending = {
      message: (m) => {
        p.messages.push(m);
        if (m.t === 'loaded' || m.t === 'error') this.pending = null;
      },
      fail: (e) => {
        p.failure = e;
        this.pending = null;
      },
    };
  }

  private workerGone(w: Worker, e: Error): void {
    if (this.worker !== w) return;
    this.worker = null;
    void w.terminate();
    const p = this.pending;
    this.pending = null;
    p?.fail(e);
  }

  /** The worker, restarted if it died. */
  private async liveWorker(): Promise<Worker> {
    if (this.closed) throw new Error('snapshot store is closed');
    if (this.worker === null) await this.startWorker();
    const w = this.worker;
    if (w === null) throw new Error('snapshot worker did not start');
    return w;
  }

  /**
   * Sends a request and routes replies to `onMessage` until it calls done(); 'error' rejects.
   * Given a preloaded stream instead, replays it first and routes the rest as they arrive.
   */
  private async request(
    msg: ToWorker | PreloadedStream,
    onMessage: (m: FromWorker, done: () => void) => void,
  ): Promise<void> {
    const w = await this.liveWorker();
    w.ref();
    try {
      await new Promise<void>((resolve, reject) => {
        const pending: Pending = (this.pending = {
          message: (m) => {
            if (m.t === 'error') return this.settle(() => reject(new Error(m.message)));
            try {
              onMessage(m, () => this.settle(resolve));
            } catch (e) {
              this.settle(() => reject(e));
            }
          },
          fail: (e) => this.settle(() => reject(e)),
        });
        if (!('messages' in msg)) return w.postMessage(msg);
        for (const m of msg.messages) {
          if (this.pending !== pending) return;
          pending.message(m);
        }
        if (msg.failure !== null && this.pending === pending) pending.fail(msg.failure);
      });
    } finally {
      w.unref();
    }
  }

  private settle(f: () => void): void {
    this.pending = null;
    f();
  }

  /** For Checkpoint: opens the write transaction and routes the worker's replies to `p`. */
  async beginTransaction(dbs: number[], p: Pending): Promise<Worker> {
    const w = await this.liveWorker();
    w.ref();
    this.pending = p;
    w.postMessage({ t: 'begin', dbs } satisfies ToWorker);
    return w;
  }

  /** For Checkpoint: the transaction is over (committed or rolled back). */
  endTransaction(w: Worker, meta: SnapshotMeta | null): void {
    this.pending = null;
    if (meta !== null) this.meta = meta;
    w.unref();
  }
}

// ── Checkpoint ───────────────────────────────────────────────────────────────────────────

/** A key's state at the checkpoint's offset, kept because it was about to change. */
type Capture =
  /** The key did not exist. */
  | null
  /** A string (immutable: the reference is the copy) and its expiry. */
  | { value: string; expireAt: number | undefined }
  /** A typed value, encoded at capture time because it is mutated in place. */
  | Buffer;

/** One database's work: the key/expiry maps as they were at the offset, and what to write. */
interface Source {
  index: number;
  /**
   * The maps themselves. FLUSHDB replaces a db's maps and SWAPDB moves them to the other Db;
   * neither empties them in place, so writes are attributed by map (byDict), not by Db.
   */
  dict: Map<string, Value | ColdRef>;
  expires: Map<string, number>;
  /** The cold values the db's dict may still hold refs to (the map may outlive the warm-up). */
  cold: ColdValues | null;
  /** Rewrite the db: clear it, then every key (else only `pending`). */
  whole: boolean;
  /** Changed keys (not whole). Never modified: on failure they go back to the tracker as they are. */
  pending: Set<string>;
  /** State at the offset of keys written since (emitted after the live keys, in place of them). */
  captured: Map<string, Capture>;
  /** Every live key has been serialized: no more captures. */
  keysDone: boolean;
}

class Checkpoint implements WriteObserver {
  readonly result: Promise<CheckpointResult>;
  private resolveResult!: (r: CheckpointResult) => void;
  private rejectResult!: (e: unknown) => void;
  private readonly taken: DbChanges[];
  private readonly sources: Source[] = [];
  private readonly byDict = new Map<Map<string, Value | ColdRef>, Source>();
  private readonly started = performance.now();
  private worker: Worker | null = null;
  private failure: Error | null = null;
  private abortSent = false;
  private finished = false;
  private immediate: NodeJS.Immediate | null = null;
  // Work position: source index, then the live-key iterator or the captures iterator.
  private at = 0;
  private keyIter: Iterator<string> | null = null;
  private captureIter: Iterator<[string, Capture]> | null = null;
  // Output batch.
  private buf = Buffer.allocUnsafeSlow(BATCH_BYTES);
  private pos = 0;
  private readonly stats = { keysWritten: 0, keysDeleted: 0, dbsRewritten: 0, bytes: 0, worstSliceMs: 0, slices: 0 };

  constructor(
    private readonly store: SnapshotStore,
    keyspace: Keyspace,
    private readonly tracker: ChangeTracker,
    private readonly offset: number,
  ) {
    this.result = new Promise((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
    this.taken = tracker.take();
    this.taken.forEach((c, i) => {
      if (!c.whole && c.keys.size === 0) return;
      const db: Db = keyspace.dbs[i];
      const s: Source = {
        index: i,
        dict: db.dict,
        expires: db.expires,
        cold: db.cold,
        whole: c.whole,
        pending: c.keys,
        captured: new Map(),
        keysDone: false,
      };
      this.sources.push(s);
      this.byDict.set(s.dict, s);
    });
    tracker.checkpointObserver = this;
    const replies = { message: (m: FromWorker) => this.onWorker(m), fail: (e: Error) => this.workerLost(e) };
    store
      .beginTransaction(
        this.sources.map((s) => s.index),
        replies,
      )
      .then(
        (w) => {
          if (this.finished) return;
          this.worker = w;
          if (this.failure !== null) return this.sendAbort();
          this.schedule();
        },
        (e: unknown) => this.workerLost(e instanceof Error ? e : new Error(String(e))),
      );
  }

  // ── Copy-on-write ──────────────────────────────────────────────────────────────────────

  beforeWrite(db: Db, key: string): void {
    const s = this.byDict.get(db.dict);
    if (s === undefined || s.keysDone || s.captured.has(key)) return;
    // Whether the key was serialized already is not tracked (deleting from a large Set as it
    // is walked makes V8 rehash it mid-slice): it is captured anyway and written again with
    // the same state. A key created after the offset is captured as absent.
    if (!s.whole && !s.pending.has(key)) return;
    try {
      s.captured.set(key, capture(s, key));
    } catch (e) {
      // Never into the command being run (a value without a codec): the checkpoint fails.
      const err = e instanceof Error ? e : new Error(String(e));
      setImmediate(() => this.fail(err));
    }
  }

  beforeWholeDbChange(): void {
    // Nothing to copy: the maps at the offset are replaced or moved, not emptied (Source.dict).
  }

  // ── Serialization slices ───────────────────────────────────────────────────────────────

  private schedule(): void {
    this.immediate = setImmediate(() => {
      this.immediate = null;
      this.slice();
    });
  }

  private slice(): void {
    if (this.failure !== null) return;
    const start = performance.now();
    const deadline = start + this.store.sliceMs;
    let done = false;
    try {
      done = this.work(deadline);
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    const took = performance.now() - start;
    this.stats.slices++;
    if (took > this.stats.worstSliceMs) this.stats.worstSliceMs = took;
    if (!done) return this.schedule();
    this.tracker.checkpointObserver = null;
    this.flush();
    this.post({ t: 'commit', offset: this.offset, createdAt: Date.now() });
  }

  /** Serializes until `deadline`; true when everything is out. */
  private work(deadline: number): boolean {
    let n = 0;
    while (this.at < this.sources.length) {
      const s = this.sources[this.at];
      if (this.keyIter === null && this.captureIter === null) {
        this.keyIter = s.whole ? s.dict.keys() : s.pending.values();
        if (s.whole) {
          this.op(Op.Clear, s.index, 0);
          this.stats.dbsRewritten++;
        }
      }
      if (this.keyIter !== null) {
        for (;;) {
          if ((++n & 31) === 0 && performance.now() >= deadline) return false;
          const r = this.keyIter.next();
          if (r.done === true) break;
          const key = r.value;
          if (!s.captured.has(key)) this.putLive(s, key);
        }
        this.keyIter = null;
        s.keysDone = true;
        this.captureIter = s.captured.entries();
      }
      const captures = this.captureIter;
      if (captures !== null) {
        for (;;) {
          if ((++n & 31) === 0 && performance.now() >= deadline) return false;
          const r = captures.next();
          if (r.done === true) break;
          const [key, c] = r.value;
          if (c === null) {
            if (!s.whole) this.del(s.index, key);
          } else if (Buffer.isBuffer(c)) {
            this.putEncoded(s.index, key, c);
          } else {
            this.put(s.index, key, c.value, c.expireAt);
          }
        }
        this.captureIter = null;
      }
      this.at++;
    }
    return true;
  }

  private putLive(s: Source, key: string): void {
    const v = valueIn(s, key);
    if (v === undefined) {
      this.del(s.index, key);
      return;
    }
    this.put(s.index, key, v, s.expires.size === 0 ? undefined : s.expires.get(key));
  }

  // ── Batch encoding (ops as snapshot-worker.ts reads them) ──────────────────────────────

  /** Starts an op of `size` bytes after its 5-byte head; returns where its body goes. */
  private op(op: number, db: number, size: number): number {
    const need = 5 + size;
    if (this.pos + need > this.buf.length) {
      this.flush();
      if (need > this.buf.length) this.buf = Buffer.allocUnsafeSlow(need);
    }
    const buf = this.buf;
    buf[this.pos] = op;
    buf.writeUInt32LE(db, this.pos + 1);
    const body = this.pos + 5;
    this.pos = body + size;
    this.stats.bytes += need;
    return body;
  }

  private put(db: number, key: string, value: Value, expireAt: number | undefined): void {
    const ks = lmdbKeySize(key);
    const vs = lmdbValueSize(key, value, expireAt);
    let p = this.op(Op.Put, db, 8 + ks + vs);
    const buf = this.buf;
    buf.writeUInt32LE(ks, p);
    p = writeLmdbKey(buf, p + 4, key);
    buf.writeUInt32LE(vs, p);
    writeLmdbValue(buf, p + 4, key, value, expireAt);
    this.stats.keysWritten++;
  }

  private putEncoded(db: number, key: string, encoded: Buffer): void {
    const ks = lmdbKeySize(key);
    let p = this.op(Op.Put, db, 8 + ks + encoded.length);
    const buf = this.buf;
    buf.writeUInt32LE(ks, p);
    p = writeLmdbKey(buf, p + 4, key);
    buf.writeUInt32LE(encoded.length, p);
    encoded.copy(buf, p + 4);
    this.stats.keysWritten++;
  }

  private del(db: number, key: string): void {
    const ks = lmdbKeySize(key);
    const p = this.op(Op.Delete, db, 4 + ks);
    this.buf.writeUInt32LE(ks, p);
    writeLmdbKey(this.buf, p + 4, key);
    this.stats.keysDeleted++;
  }

  private flush(): void {
    if (this.pos === 0) return;
    const ab = this.buf.buffer as ArrayBuffer;
    this.post({ t: 'ops', buf: ab, length: this.pos }, [ab]);
    this.buf = Buffer.allocUnsafeSlow(BATCH_BYTES);
    this.pos = 0;
  }

  private post(msg: ToWorker, transfer?: ArrayBuffer[]): void {
    this.worker?.postMessage(msg, transfer);
  }

  // ── Outcome ────────────────────────────────────────────────────────────────────────────

  private onWorker(m: FromWorker): void {
    if (m.t === 'committed' && this.failure === null) {
      this.finish(m.meta);
      this.resolveResult({
        offset: this.offset,
        ...this.stats,
        keyCount: m.meta.keyCount,
        durationMs: performance.now() - this.started,
        commitMs: m.commitMs,
      });
    } else if (m.t === 'error') {
      this.fail(new Error(m.message));
    } else if (m.t === 'aborted') {
      this.finish(null);
      this.rejectResult(this.failure ?? new Error('checkpoint aborted'));
    }
  }

  /** Rolls the checkpoint back (close()). */
  abort(e: Error): void {
    this.fail(e);
  }

  /** Stops serializing, hands the keys back to the tracker and has the worker roll back. */
  private fail(e: Error): void {
    if (this.finished) return;
    this.stop(e);
    // Before the transaction began, the abort is sent once it has (see the constructor).
    if (this.worker !== null) this.sendAbort();
  }

  /** The worker is gone (or never came up): LMDB saw no commit, nothing to roll back. */
  private workerLost(e: Error): void {
    if (this.finished) return;
    this.stop(e);
    this.finish(null);
    this.rejectResult(e);
  }

  private stop(e: Error): void {
    if (this.failure !== null) return;
    this.failure = e;
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.immediate = null;
    this.tracker.checkpointObserver = null;
    // Keys changed since the offset are in the tracker already; `taken` is intact.
    this.tracker.giveBack(this.taken);
  }

  private sendAbort(): void {
    if (this.abortSent) return;
    this.abortSent = true;
    this.post({ t: 'abort' });
  }

  private finish(meta: SnapshotMeta | null): void {
    this.finished = true;
    this.tracker.checkpointObserver = null;
    if (this.worker !== null) this.store.endTransaction(this.worker, meta);
  }
}

/** The value of `key` in a source's dict, a cold one decoded (the dict is left as it is). */
function valueIn(s: Source, key: string): Value | undefined {
  const v = s.dict.get(key);
  return typeof v === 'number' ? s.cold!.value(v) : v;
}

function capture(s: Source, key: string): Capture {
  const v = valueIn(s, key);
  if (v === undefined) return null;
  const at = s.expires.size === 0 ? undefined : s.expires.get(key);
  return typeof v === 'string' ? { value: v, expireAt: at } : encodeLmdbValue(key, v, at);
}
