// When and how snapshots are taken on a running node: automatically after `snapshot-wal-bytes`
// of WAL or `snapshot-interval` seconds with changes, or on SAVE/BGSAVE/BGREWRITEAOF. A
// checkpoint covers the WAL up to the offset where it started; once it is durable the WAL
// segments before that offset are deleted.

import type { ChangeTracker } from './change-tracker';
import type { CheckpointResult, SnapshotStore } from './snapshot';
import type { Keyspace } from '../keyspace/keyspace';
import type { Persistence } from './persistence';
import { deleteSegmentsBefore } from './wal-segments';
import type { Logger } from '../log';

export interface SnapshotStats {
  saves: number;
  lastStatus: 'ok' | 'err';
  lastError: string;
  lastDurationMs: number;
  lastWorstSliceMs: number;
  lastKeysWritten: number;
  lastAt: number;
  startedAt: number;
  /** keyspace.dirty when the running checkpoint started (rdb_changes_since_last_save). */
  dirtyAtStart: number;
  deletedSegments: number;
}

export class Snapshotter {
  private running: Promise<CheckpointResult> | null = null;
  /** A BGREWRITEAOF/BGSAVE SCHEDULE asked for while one ran: start another when it ends. */
  private scheduled = false;
  readonly stats: SnapshotStats = {
    saves: 0,
    lastStatus: 'ok',
    lastError: '',
    lastDurationMs: -1,
    lastWorstSliceMs: 0,
    lastKeysWritten: 0,
    lastAt: 0,
    startedAt: 0,
    dirtyAtStart: 0,
    deletedSegments: 0,
  };

  constructor(
    readonly store: SnapshotStore,
    readonly tracker: ChangeTracker,
    private readonly keyspace: Keyspace,
    private readonly persistence: Persistence,
    private readonly log: Logger,
    /** Called with the time of each durable snapshot (LASTSAVE). */
    private readonly saved: (at: number) => void,
  ) {}

  get inProgress(): boolean {
    return this.running !== null;
  }

  /** Asks for a checkpoint after the running one (BGSAVE SCHEDULE, BGREWRITEAOF during BGSAVE). */
  schedule(): void {
    this.scheduled = true;
  }

  /**
   * Starts a checkpoint of the state as of now (the current end of the WAL). Returns the
   * running one's promise when one is already in progress.
   */
  start(reason: string): Promise<CheckpointResult> {
    if (this.running !== null) return this.running;
    const wal = this.persistence.wal;
    // A new segment begins exactly at the snapshot's offset, so every older one can go.
    // Without a WAL (appendonly no) the snapshot alone is the saved state.
    if (wal !== null) wal.cut();
    const offset = wal === null ? 0 : wal.offset;
    this.stats.startedAt = Date.now();
    this.stats.dirtyAtStart = this.keyspace.dirty;
    const dirtyBefore = this.keyspace.dirty;
    this.log.info({ reason, offset, keys: this.tracker.pendingKeys }, 'snapshot started');
    const p = this.store.checkpoint(this.keyspace, this.tracker, offset).then(
      (r) => {
        this.running = null;
        const st = this.stats;
        st.saves++;
        st.lastStatus = 'ok';
        st.lastError = '';
        st.lastDurationMs = r.durationMs;
        st.lastWorstSliceMs = r.worstSliceMs;
        st.lastKeysWritten = r.keysWritten + r.keysDeleted;
        st.lastAt = Date.now();
        this.keyspace.dirty -= Math.min(this.keyspace.dirty, dirtyBefore);
        if (this.persistence.wal !== null) {
          this.persistence.baseOffset = r.offset;
          st.deletedSegments += deleteSegmentsBefore(this.persistence.walDir, r.offset);
        }
        this.saved(st.lastAt);
        this.log.info(
          { offset: r.offset, written: r.keysWritten, deleted: r.keysDeleted, ms: Math.round(r.durationMs), worstSliceMs: r.worstSliceMs },
          'snapshot durable',
        );
        this.afterRun();
        return r;
      },
      (err: Error) => {
        this.running = null;
        this.stats.lastStatus = 'err';
        this.stats.lastError = err.message;
        this.log.error({ err: err.message }, 'snapshot failed');
        this.afterRun();
        throw err;
      },
    );
    this.running = p;
    return p;
  }

  private afterRun(): void {
    if (this.scheduled) {
      this.scheduled = false;
      this.start('scheduled').catch(() => undefined);
    }
  }

  /** Cron: starts an automatic snapshot when the WAL or the time since the last one asks. */
  maybeAuto(now: number, walBytesLimit: number, intervalSec: number): void {
    if (this.running !== null || !this.tracker.hasChanges) return;
    const wal = this.persistence.wal;
    if (wal === null) return;
    const walBytes = wal.offset - this.persistence.baseOffset;
    const sinceLast = now - (this.stats.lastAt || this.bootAt);
    if (walBytesLimit > 0 && walBytes >= walBytesLimit) this.start('wal size').catch(() => undefined);
    else if (intervalSec > 0 && sinceLast >= intervalSec * 1000) this.start('interval').catch(() => undefined);
  }

  private readonly bootAt = Date.now();
}
