// Durability for one node: recovery at start-up (WAL replay), the WAL as the effect
// stream's sink, the reply gate that holds replies until their effects are durable, and
// the write-refusal state after disk errors (MISCONF).

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Wal, type FsyncPolicy } from './wal';
import { readWal, type ReplayResult } from './wal-reader';
import { listSegments } from './wal-segments';
import { strerror } from '../strerror';
import { dumpPayload } from '../keyspace/dump-payload';
import { msString } from '../commands/expire';
import { Client, type ClientHost } from '../server/client';
import type { NodeContext } from '../node-context';
import type { WalRecord } from './wal-record';
import type { Logger } from '../log';

export interface PersistenceOptions {
  dir: string;
  policy: FsyncPolicy;
  segmentBytes: number;
  /** Replies waiting for durability up to `offset` may go out. */
  release(offset: number): void;
}

export interface RecoveryReport {
  walRecords: number;
  walEndOffset: number;
  tornBytes: number;
  tornFile: string | null;
  ms: number;
}

/** A client that runs replayed effects: no socket, no replies. */
function replayClient(node: NodeContext): Client {
  const host: ClientHost = {
    execute: () => undefined,
    scheduleFlush: () => undefined,
    clientClosed: () => undefined,
    protocolError: () => undefined,
    errorReplied: () => undefined,
  };
  const c = new Client(0, new net.Socket(), node.keyspace.dbs[0], host, node.config.v);
  c.muted = true;
  c.replyOff = true;
  return c;
}

/**
 * Longest a flush under appendfsync always waits for the clients of the last group commit
 * to send again (Server.waitForGroup).
 */
const GROUP_COMMIT_WAIT_MS = 0.3;

export class Persistence {
  wal: Wal | null = null;
  /** Set when the last write or fsync failed: write commands are refused with MISCONF. */
  writeError: string | null = null;
  lastRecovery: RecoveryReport | null = null;
  /** Stream offset the last snapshot covers: WAL bytes before it are no longer needed. */
  baseOffset = 0;
  /** effects.commandEffects at the last beforeFlush: tells turns that wrote from the others. */
  private commandEffectsSeen = 0;

  constructor(
    private readonly node: NodeContext,
    private readonly opts: PersistenceOptions,
    private readonly log: Logger,
  ) {}

  get walDir(): string {
    return path.join(this.opts.dir, 'wal');
  }

  /** Replays the WAL into the (empty) keyspace. Throws WalCorruption on damage. */
  recover(fromOffset = 0): RecoveryReport {
    const t0 = performance.now();
    const client = replayClient(this.node);
    const dbs = this.node.keyspace.dbs;
    // Replay sees keys as the logged commands did: expiries the node saw are DELs in the log.
    for (const db of dbs) db.expiryPaused = true;
    let result: ReplayResult;
    try {
      result = readWal(this.walDir, { fromOffset, truncateTornTail: true }, (r) => this.apply(client, r));
    } finally {
      for (const db of dbs) db.expiryPaused = false;
    }
    if (result.tornFile !== null) {
      this.log.warn({ file: result.tornFile, bytes: result.tornBytes }, 'WAL ended with a torn record (crash during a write): cut it off');
    }
    const report: RecoveryReport = {
      walRecords: result.applied,
      walEndOffset: result.endOffset,
      tornBytes: result.tornBytes,
      tornFile: result.tornFile,
      ms: performance.now() - t0,
    };
    this.lastRecovery = report;
    return report;
  }

  private apply(client: Client, r: WalRecord): void {
    const node = this.node;
    if (!node.selectDb(client, r.db)) throw new Error(`WAL record at offset ${r.offset} names db ${r.db}, beyond 'databases'`);
    let cmd = node.commands.lookup(r.args[0]);
    if (cmd !== undefined && cmd.subcommands !== null && r.args.length > 1) cmd = cmd.subcommands.get(r.args[1].toLowerCase());
    if (cmd === undefined || cmd.spec.run === undefined) {
      throw new Error(`WAL record at offset ${r.offset} holds an unknown command '${r.args[0]}'`);
    }
    cmd.spec.run(client, r.args, node);
  }

  /** Opens the WAL for writing at `offset` and starts logging effects. */
  start(offset: number): void {
    this.wal = new Wal({
      dir: this.walDir,
      startOffset: offset,
      policy: this.opts.policy,
      segmentBytes: this.opts.segmentBytes,
      onDurable: (o) => this.opts.release(o),
      onError: (err) => {
        if (err) {
          this.writeError = strerror(err);
          this.log.error({ err: err.message, code: (err as NodeJS.ErrnoException).code }, 'WAL write failed: refusing writes until it recovers');
        } else {
          this.writeError = null;
          this.log.warn('WAL writes are going through again: accepting writes');
        }
      },
    });
    this.node.effects.addSink(this.wal);
  }

  /** Server hook: how long this turn's flush may wait for its group commit (Server.waitForGroup). */
  groupCommitWaitMs(): number {
    const wal = this.wal;
    return wal !== null && wal.policy === 'always' && wal.pendingBytes > 0 ? GROUP_COMMIT_WAIT_MS : 0;
  }

  /**
   * True when beforeFlush() would write nothing and hold nothing: no WAL, or nothing appended
   * since its last write, no failed write, and (appendfsync always) everything written synced.
   */
  idle(): boolean {
    const wal = this.wal;
    return wal === null || (wal.pendingBytes === 0 && this.writeError === null && (wal.policy !== 'always' || wal.offset <= wal.syncedOffset));
  }

  /**
   * Server hook, once per turn before replies go out: writes the turn's effects in one
   * write and returns the offset replies must wait for (0 when they can go now).
   */
  beforeFlush(): number {
    const wal = this.wal;
    if (wal === null) return 0;
    const effects = this.node.effects.commandEffects;
    const wroteThisTurn = effects !== this.commandEffectsSeen;
    this.commandEffectsSeen = effects;
    const ok = wal.flush();
    // While the disk fails, a turn whose commands changed nothing (reads, MISCONF refusals)
    // answers at once, as Redis serves reads then; a turn that wrote waits for the disk.
    if (!ok && !wroteThisTurn) return 0;
    if (wal.policy === 'always') return wal.offset > wal.syncedOffset ? wal.offset : 0;
    return ok ? 0 : wal.offset;
  }

  /**
   * CONFIG SET appendonly yes on a running node: the in-memory data is the truth, so any old
   * WAL is discarded and a new one starts with the whole keyspace written as effects: SET for
   * strings, RESTORE of a DUMP payload for the other types, with absolute expiry times.
   */
  enableAtRunTime(): void {
    if (this.wal !== null) return;
    for (const seg of listSegments(this.walDir)) fs.rmSync(seg.file, { force: true });
    this.start(0);
    const wal = this.wal!;
    for (const db of this.node.keyspace.dbs) {
      for (const key of db.dict.keys()) {
        const value = db.peek(key)!;
        const at = db.expires.get(key);
        if (typeof value === 'string') {
          wal.append(db.id, at === undefined ? ['SET', key, value] : ['SET', key, value, 'PXAT', msString(at)]);
        } else {
          const payload = dumpPayload(value).toString('latin1');
          wal.append(db.id, at === undefined ? ['RESTORE', key, '0', payload, 'REPLACE'] : ['RESTORE', key, msString(at), payload, 'REPLACE', 'ABSTTL']);
        }
      }
    }
    wal.syncNow();
  }

  setPolicy(policy: FsyncPolicy): void {
    this.wal?.setPolicy(policy);
  }

  /** Flushes and fsyncs what was written (shutdown). */
  close(): void {
    if (this.wal === null) return;
    this.node.effects.removeSink(this.wal);
    this.wal.close();
    this.wal = null;
  }
}
