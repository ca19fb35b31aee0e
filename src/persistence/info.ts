// INFO persistence with Cinnabar's durability state: Redis's aof_* fields where they have a
// meaning (the WAL plays the AOF's part), and wal_* fields for the rest.

import { provideInfoFields, type InfoField } from '../commands/info';
import type { NodeContext } from '../node-context';
import type { Persistence } from './persistence';

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
