// What command handlers can reach of the node that runs them. Commands depend on this
// interface, not on the Node class, so each piece can be tested and swapped alone.

import type { Keyspace } from './keyspace/keyspace';
import type { Config } from './config/config';
import type { CommandTable } from './commands/registry';
import type { Client } from './server/client';
import type { Logger } from './log';
import type { EffectStream } from './persistence/effects';
import type { WatchRegistry } from './keyspace/watch';
import type { Command } from './commands/spec';
import type { BlockedClients } from './blocking/blocked-clients';
import type { PubSub } from './pubsub/pubsub';
import type { Cluster } from './cluster/cluster';
import type { SlowLog } from './commands/slowlog';
import type { LatencyMonitor } from './commands/latency';

export interface ServerStats {
  totalConnectionsReceived: number;
  totalCommandsProcessed: number;
  rejectedConnections: number;
  netInputBytes: number;
  netOutputBytes: number;
  totalErrorReplies: number;
  /** Error replies by their first word ("ERR", "WRONGTYPE", ...). */
  errorCounts: Map<string, number>;
  /** Clients disconnected for exceeding their output buffer limit. */
  clientOutputLimitDisconnections: number;
  clientQueryBufferLimitDisconnections: number;
  resetAt: number;
}

/** Snapshot control for SAVE, BGSAVE and BGREWRITEAOF. */
export interface SaveControl {
  /** A snapshot is being written. */
  readonly inProgress: boolean;
  /** Starts a snapshot (opening the store first if needed); resolves once it is durable. */
  start(reason: string): Promise<void>;
  /** Asks for another snapshot once the running one ends. */
  schedule(): void;
}

export interface NodeContext {
  readonly keyspace: Keyspace;
  readonly config: Config;
  readonly commands: CommandTable;
  /** Connected clients by id. */
  readonly clients: ReadonlyMap<number, Client>;
  readonly stats: ServerStats;
  readonly log: Logger;
  /**
   * Where write commands' effects go (WAL, replicas). A handler whose effect differs from
   * the command as sent (relative TTLs, random choices, float results) declares it with
   * `effects.propagate(dbIndex, args)`.
   */
  readonly effects: EffectStream;
  /** Clients waiting in blocking commands (BLPOP, BZPOPMIN, ...): block(), ready keys. */
  readonly blocking: BlockedClients;
  /** ms since epoch when the node started. */
  readonly startedAt: number;
  /** 40 hex chars, new each start (INFO run_id). */
  readonly runId: string;
  readonly version: string;
  /** Unix ms of the last successful save (LASTSAVE). */
  lastSaveAt: number;
  /**
   * Run by RESET on the client being reset: MULTI, pub/sub, MONITOR, tracking and READONLY
   * register here to clear their per-connection state (Redis's clearClientConnectionState).
   */
  readonly clientResetHooks: Array<(c: Client) => void>;
  /** Run when a client's connection closes (WATCH, pub/sub, blocking commands drop its state). */
  readonly clientCloseHooks: Array<(c: Client) => void>;
  /** Who WATCHes which keys (MULTI/EXEC). */
  readonly watches: WatchRegistry;
  /** Runs a command that passed the gatekeeper's checks, with its statistics and effects (EXEC). */
  readonly gatekeeper: { call(c: Client, cmd: Command, args: string[]): void };
  /** Channel, pattern and shard-channel subscriptions; PUBLISH and keyspace notifications. */
  readonly pubsub: PubSub;
  readonly saves: SaveControl;
  /** Calls slower than slowlog-log-slower-than (SLOWLOG), fed by the gatekeeper. */
  readonly slowlog: SlowLog;
  /** Latency events above latency-monitor-threshold (LATENCY), fed by the gatekeeper. */
  readonly latency: LatencyMonitor;
  /** Cluster mode (cluster-enabled yes), or null on a standalone node. */
  readonly cluster: Cluster | null;
  /** Why write commands are refused after a disk error (the MISCONF text), or null. */
  diskWriteError(): string | null;
  /** Switches the client's database; false when the index is out of range. */
  selectDb(c: Client, index: number): boolean;
  /** Stops the node: replies are flushed, listeners closed, process exits. */
  shutdown(reason: string): void;
  resetStats(): void;
}
