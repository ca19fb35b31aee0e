// The write-ahead log writer: effects are encoded into one buffer per event-loop turn and
// written with a single write (group commit). appendfsync decides durability: `always`
// fsyncs before the turn's replies are released (one fsync serves every client of the
// turn, and turns that arrive during an fsync share the next one), `everysec` fsyncs in
// the background once a second, `no` leaves it to the OS. Segments rotate by size.
//
// Segment files are zero-filled ahead of the records (PREALLOC_CHUNK at a time) and records
// are written into that space: an fdatasync after an append that grows the file also has to
// commit the new size and blocks to the filesystem journal, while one after a write into
// blocks already allocated and written flushes only the data. On this machine's ext4:
// 1.5 KB write + fdatasync 260-285 µs appending, 160-200 µs into zero-filled space, and
// redis-benchmark SET -c 50 under appendfsync always 33-34k -> 36-39k ops/s. The reader
// (wal-reader.ts) takes a zero record header as the end of a segment's records.

import fs from 'node:fs';
import path from 'node:path';
import { fsyncDirectory } from '../atomic-file';

import type { EffectSink } from './effects';
import { encodeCommand, encodedSize } from './wal-record';
import { listSegments, segmentPath } from './wal-segments';

export type FsyncPolicy = 'always' | 'everysec' | 'no';

export interface WalOptions {
  dir: string;
  /** Stream offset the next record gets (end of what recovery found). */
  startOffset: number;
  policy: FsyncPolicy;
  /** Rotate to a new segment file once the current one is larger than this. */
  segmentBytes: number;
  /** Called when data up to `offset` is durable per the policy (always: after fsync). */
  onDurable(offset: number): void;
  /** Called when a write or fsync fails or recovers, for logging. */
  onError(err: Error | null): void;
}

export interface WalStats {
  bytesWritten: number;
  writes: number;
  fsyncs: number;
  /** ms since epoch of the last completed fsync. */
  lastFsyncAt: number;
  /** everysec fsyncs that started while the previous one was still running. */
  delayedFsyncs: number;
  segmentsCreated: number;
}

export class Wal implements EffectSink {
  /** Offset the next record gets: the end of the stream. */
  offset: number;
  /** End of the data handed to the OS with write(). */
  writtenOffset: number;
  /** End of the data known to be on disk (fsynced). */
  syncedOffset: number;
  /** Start offset of the current segment. */
  segmentStart: number;
  policy: FsyncPolicy;
  /** The last write/fsync error, null when writes are going through. */
  lastError: NodeJS.ErrnoException | null = null;
  readonly stats: WalStats = { bytesWritten: 0, writes: 0, fsyncs: 0, lastFsyncAt: Date.now(), delayedFsyncs: 0, segmentsCreated: 0 };

  private fd: number;
  /** Bytes of records in the current segment: where the next write goes. */
  private segmentSize: number;
  /** Size of the current segment file: records, then zeros written ahead of them. */
  private fileSize: number;
  /** Zero-filling failed in this segment (ENOSPC...): its records are simply appended. */
  private preallocFailed = false;
  private buf: Buffer = Buffer.allocUnsafe(64 * 1024);
  private used = 0;
  private fsyncing = false;
  /**
   * A segment file was created since the last fsync: the directory must be fsynced too, or
   * after a power loss the file (and every record in it) could be missing from the directory.
   */
  private dirDirty = false;
  /** Older segments' descriptors that must be fsynced before their data counts as durable. */
  private retiring: number[] = [];
  private everysecTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly opts: WalOptions) {
    this.offset = opts.startOffset;
    this.writtenOffset = opts.startOffset;
    this.syncedOffset = opts.startOffset;
    this.policy = opts.policy;
    const created = fs.mkdirSync(opts.dir, { recursive: true });
    if (created !== undefined) syncNewDirs(created, opts.dir);
    const last = latestSegmentStart(opts.dir);
    this.segmentStart = last ?? opts.startOffset;
    const file = segmentPath(opts.dir, this.segmentStart);
    this.fd = fs.openSync(file, OPEN_FLAGS);
    this.fileSize = fs.fstatSync(this.fd).size;
    // Recovery found the records of the last segment to end at startOffset; past that the
    // file holds zeros written ahead (or nothing: a torn tail was cut off).
    const recordsEnd = opts.startOffset - this.segmentStart;
    this.segmentSize = recordsEnd >= 0 && recordsEnd <= this.fileSize ? recordsEnd : this.fileSize;
    if (last === undefined) {
      this.stats.segmentsCreated++;
      this.dirDirty = true;
    }
    this.everysecTimer = setInterval(() => this.everySecond(), 1000);
    this.everysecTimer.unref();
  }

  /** Unwritten bytes (appended this turn, or kept after a failed write). */
  get pendingBytes(): number {
    return this.used;
  }

  append(dbIndex: number, args: readonly string[]): void {
    const size = encodedSize(args);
    if (this.used + size > this.buf.length) this.grow(size);
    this.used = encodeCommand(this.buf, this.used, this.offset, dbIndex, args);
    this.offset += size;
  }

  private grow(need: number): void {
    let n = this.buf.length * 2;
    while (n < this.used + need) n *= 2;
    const b = Buffer.allocUnsafe(n);
    this.buf.copy(b, 0, 0, this.used);
    this.buf = b;
  }

  /**
   * Writes everything appended since the last call in one write (called once per turn,
   * before replies go out). Returns false when the write failed; the data stays pending and
   * is retried on the next call.
   */
  flush(): boolean {
    if (this.used === 0 || this.closed) return this.lastError === null;
    const before = this.segmentSize;
    try {
      let done = 0;
      while (done < this.used) done += fs.writeSync(this.fd, this.buf, done, this.used - done, before + done);
    } catch (err) {
      // Cut a partial write back so the file ends on a record boundary, and retry later.
      try {
        fs.ftruncateSync(this.fd, before);
        this.fileSize = before;
      } catch {
        /* the next write goes to the same place; recovery cuts a torn tail */
      }
      this.fail(err as NodeJS.ErrnoException);
      return false;
    }
    this.stats.bytesWritten += this.used;
    this.stats.writes++;
    this.segmentSize += this.used;
    if (this.segmentSize > this.fileSize) this.fileSize = this.segmentSize;
    this.preallocate();
    this.writtenOffset = this.offset;
    if (this.used > 256 * 1024) this.buf = Buffer.allocUnsafe(64 * 1024);
    this.used = 0;
    if (this.lastError !== null) this.recover();
    if (this.segmentSize >= this.opts.segmentBytes) this.rotate();
    if (this.policy === 'always') this.syncAlways();
    else this.opts.onDurable(this.writtenOffset);
    return true;
  }

  /**
   * appendfsync always: fdatasync before this turn's replies go out, on the event loop, as
   * Redis does in beforeSleep. Clients that send while it runs are all served by the next
   * turn's single write and fsync. (An fsync on the thread pool with replies held meanwhile
   * split the clients into two alternating groups: half the commands per fsync, ~0.6× Redis's
   * SET rate with -c 50; this measured ~0.8-0.9×.) A failure is retried by the background
   * fsync, which releases the held replies when it succeeds.
   */
  private syncAlways(): void {
    if (this.fsyncing) return;
    try {
      this.syncAllSync(fs.fdatasyncSync);
    } catch (err) {
      this.fail(err as NodeJS.ErrnoException);
      return;
    }
    this.stats.fsyncs++;
    this.stats.lastFsyncAt = Date.now();
    this.syncedOffset = this.writtenOffset;
    this.opts.onDurable(this.syncedOffset);
  }

  /**
   * Keeps zeros written ahead of the records (see the top of this file): one chunk more once
   * less than half a chunk is left, up to the segment size. Into the page cache only (~0.1 ms
   * for 1 MB); the next fsync makes it durable along with the records. A failure (a full
   * disk) only stops it for this segment: records are then appended as before.
   */
  private preallocate(): void {
    const chunk = Math.min(PREALLOC_CHUNK, this.opts.segmentBytes);
    if (this.preallocFailed || this.fileSize - this.segmentSize >= chunk / 2 || this.fileSize >= this.opts.segmentBytes) return;
    try {
      let done = 0;
      while (done < chunk) done += fs.writeSync(this.fd, ZEROS, done, chunk - done, this.fileSize + done);
      this.fileSize += chunk;
    } catch {
      this.preallocFailed = true;
      try {
        // Whatever part was written is zeros past the records: harmless, but give it back.
        fs.ftruncateSync(this.fd, this.fileSize);
      } catch {
        /* zeros past the records read as the end of the segment */
      }
    }
  }

  private rotate(): void {
    let fd: number;
    let size: number;
    try {
      fd = fs.openSync(segmentPath(this.opts.dir, this.writtenOffset), OPEN_FLAGS);
      size = fs.fstatSync(fd).size;
    } catch {
      // No new segment (EMFILE, ENOSPC on the directory...): nothing is lost, records keep
      // going to the current one and rotation is tried again after the next write.
      return;
    }
    this.retiring.push(this.fd);
    this.segmentStart = this.writtenOffset;
    this.fd = fd;
    // A new file is empty; one left by an earlier run is written after, as an append would.
    this.segmentSize = size;
    this.fileSize = size;
    this.preallocFailed = false;
    this.stats.segmentsCreated++;
    this.dirDirty = true;
    if (this.policy !== 'always' && !this.fsyncing) this.startFsync();
  }

  /** Starts an fsync covering everything written so far, unless one is running. */
  private startFsync(): void {
    if (this.fsyncing || this.closed) return;
    if (this.syncedOffset === this.writtenOffset && this.retiring.length === 0 && !this.dirDirty) return;
    let dirFd = -1;
    if (this.dirDirty) {
      try {
        dirFd = fs.openSync(this.opts.dir, 'r');
      } catch (err) {
        this.fail(err as NodeJS.ErrnoException);
        return;
      }
      this.dirDirty = false;
    }
    this.fsyncing = true;
    const target = this.writtenOffset;
    const current = this.fd;
    const fds = [...this.retiring, current];
    if (dirFd >= 0) fds.push(dirFd);
    this.retiring = [];
    let left = fds.length;
    let failure: NodeJS.ErrnoException | null = null;
    for (const fd of fds) {
      fs.fsync(fd, (err) => {
        if (err) failure = err;
        // Retired segments are closed once synced; one that failed stays queued for the retry.
        // The segment that was current may have rotated out during this fsync: rotate()
        // queued it, so the next fsync syncs and closes it (closing it here would leave a
        // closed descriptor in the queue).
        if (fd === dirFd) {
          fs.close(fd, () => undefined);
          if (err) this.dirDirty = true;
        } else if (fd !== current) {
          if (err) this.retiring.push(fd);
          else fs.close(fd, () => undefined);
        }
        if (--left > 0) return;
        this.fsyncing = false;
        if (failure !== null) {
          this.fail(failure);
          return;
        }
        this.stats.fsyncs++;
        this.stats.lastFsyncAt = Date.now();
        if (target > this.syncedOffset) this.syncedOffset = target;
        // After a failed fsync nothing new is written (writes get MISCONF), so flush() never
        // runs recover(): a successful fsync with nothing left unwritten has to end it.
        if (this.lastError !== null && this.used === 0) this.recover();
        if (this.policy === 'always') this.opts.onDurable(this.syncedOffset);
        // Turns that wrote while this fsync ran share the next one.
        if (this.policy === 'always' && this.writtenOffset > this.syncedOffset) this.startFsync();
      });
    }
  }

  private everySecond(): void {
    if (this.used > 0) this.flush();
    if (this.policy === 'no') return;
    if (this.fsyncing) {
      if (this.policy === 'everysec') this.stats.delayedFsyncs++;
      return;
    }
    this.startFsync();
  }

  private fail(err: NodeJS.ErrnoException): void {
    const first = this.lastError === null;
    this.lastError = err;
    if (first) this.opts.onError(err);
  }

  private recover(): void {
    this.lastError = null;
    this.opts.onError(null);
  }

  setPolicy(policy: FsyncPolicy): void {
    this.policy = policy;
    if (policy === 'always') this.startFsync();
  }

  /** Flushes and fsyncs synchronously (shutdown, SAVE). */
  syncNow(): void {
    this.flush();
    this.syncAllSync(fs.fsyncSync);
    this.syncedOffset = this.writtenOffset;
    this.stats.fsyncs++;
    this.stats.lastFsyncAt = Date.now();
  }

  close(): void {
    if (this.closed) return;
    try {
      this.syncNow();
    } finally {
      this.closed = true;
      if (this.everysecTimer) clearInterval(this.everysecTimer);
      fs.closeSync(this.fd);
    }
  }

  /**
   * Synchronously syncs (with `sync`) and closes the retired segments, fsyncs the directory
   * when a segment was created, then syncs the current segment. Throws the first failure.
   */
  private syncAllSync(sync: (fd: number) => void): void {
    for (const fd of this.retiring) {
      sync(fd);
      fs.closeSync(fd);
    }
    this.retiring = [];
    if (this.dirDirty) {
      fsyncDirectory(this.opts.dir);
      this.dirDirty = false;
    }
    sync(this.fd);
  }

  /** Starts a new segment now so older ones can be deleted after a snapshot covers them. */
  cut(): number {
    this.flush();
    if (this.segmentSize > 0) this.rotate();
    return this.segmentStart;
  }
}

/** Read-write, created if missing; records are written at explicit positions. */
const OPEN_FLAGS = fs.constants.O_RDWR | fs.constants.O_CREAT;

/** Zeros written ahead of the records at a time (less when segments are smaller). */
const PREALLOC_CHUNK = 1024 * 1024;
const ZEROS = Buffer.alloc(PREALLOC_CHUNK);

/**
 * mkdir -p made `created` and everything below it down to `dir`: each one's entry in its
 * parent is made durable (fsync of every parent from created's up to dir's).
 */
function syncNewDirs(created: string, dir: string): void {
  let d = path.resolve(dir);
  const top = path.dirname(path.resolve(created));
  while (true) {
    const parent = path.dirname(d);
    fsyncDirectory(parent);
    if (parent === top || parent === d) return;
    d = parent;
  }
}

function latestSegmentStart(dir: string): number | undefined {
  const segs = listSegments(dir);
  return segs.length === 0 ? undefined : segs[segs.length - 1].start;
}


