// INFO persistence with Cinnabar's durability state: Redis's aof_* fields where they have a
// meaning (the WAL plays the AOF's part), and wal_* fields for the rest.

import { provideInfoFields, type InfoField } from '../commands/info';
import type { NodeContext } from '../node-context';
import type { Persistence } from './persistence';
import type { Snapshotter } from './snapshotter';

export function provideWalInfo(node: NodeContext, p: Persistence): void {
  provideInfoFields(node, 'persistence', (): InfoField[] => {
    const wal = p.wal;
    const fields: InfoField[] = [
      ['aof_enabled', wal ? 1 : 0],
      ['aof_last_write_status', p.writeError === null ? 'ok' : 'err'],
    ];
    if (wal === null) return fields;
    const st = wal.stats;
    fields.push(
      ['aof_current_size', wal.writtenOffset - p.baseOffset],
      ['aof_base_size', 0],
      ['aof_pending_rewrite', 0],
      ['aof_buffer_length', wal.pendingBytes],
      ['aof_pending_bio_fsync', wal.syncedOffset < wal.writtenOffset ? 1 : 0],
      ['aof_delayed_fsync', st.delayedFsyncs],
      ['wal_fsync_policy', wal.policy],
      ['wal_offset', wal.offset],
      ['wal_written_offset', wal.writtenOffset],
      ['wal_synced_offset', wal.syncedOffset],
      ['wal_segment_start', wal.segmentStart],
      ['wal_bytes_written', st.bytesWritten],
      ['wal_writes', st.writes],
      ['wal_fsyncs', st.fsyncs],
      ['wal_last_fsync_age_ms', Math.max(0, Date.now() - st.lastFsyncAt)],
      ['wal_last_write_error', p.writeError ?? ''],
      ['wal_recovered_records', p.lastRecovery?.walRecords ?? 0],
      ['wal_recovery_ms', Math.round(p.lastRecovery?.ms ?? 0)],
      ['wal_torn_tail_bytes', p.lastRecovery?.tornBytes ?? 0],
    );
    return fields;
  });
}

/** Redis's rdb_* fields from the snapshot layer, plus snapshot_* fields of Cinnabar's own. */
export function provideSnapshotInfo(node: NodeContext, snapshotter: () => Snapshotter | null): void {
  provideInfoFields(node, 'persistence', (): InfoField[] => {
    const s = snapshotter();
    if (s === null) return [];
    const st = s.stats;
    const running = s.inProgress;
    return [
      ['rdb_changes_since_last_save', node.keyspace.dirty],
      ['rdb_bgsave_in_progress', running ? 1 : 0],
      ['rdb_last_save_time', Math.floor(node.lastSaveAt / 1000)],
      ['rdb_last_bgsave_status', st.lastStatus],
      ['rdb_last_bgsave_time_sec', st.lastDurationMs < 0 ? -1 : Math.round(st.lastDurationMs / 1000)],
      ['rdb_current_bgsave_time_sec', running ? Math.round((Date.now() - st.startedAt) / 1000) : -1],
      ['rdb_saves', st.saves],
      ['snapshot_pending_keys', s.tracker.pendingKeys],
      ['snapshot_covered_offset', s.store.coveredOffset ?? -1],
      ['snapshot_last_duration_ms', Math.round(st.lastDurationMs)],
      ['snapshot_last_worst_slice_ms', st.lastWorstSliceMs],
      ['snapshot_last_keys_written', st.lastKeysWritten],
      ['snapshot_wal_segments_deleted', st.deletedSegments],
      ['snapshot_last_error', st.lastError],
    ];
  });
}
