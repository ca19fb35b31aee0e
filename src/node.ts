// A Cinnabar node: wires configuration, keyspace, command table, gatekeeper and network
// server together, runs the periodic cron (active expiry, idle clients) and shuts down.

import { randomBytes } from 'node:crypto';
import { Keyspace } from './keyspace/keyspace';
import { ColdWarmer } from './keyspace/cold-values';
import type { Config } from './config/config';
import { CommandTable } from './commands/registry';
import { Gatekeeper } from './commands/gatekeeper';
import { Server } from './server/server';
import { WatchRegistry } from './keyspace/watch';
import { discardTransaction } from './commands/transactions';
import { MemoryReleaser } from './server/memory-release';
import { EffectStream } from './persistence/effects';
import { BlockedClients } from './blocking/blocked-clients';
import { Persistence } from './persistence/persistence';
import { provideSnapshotInfo, provideWalInfo } from './persistence/info';
import { provideInfoFields } from './commands/info';
import { SnapshotStore } from './persistence/snapshot';
import { ChangeTracker } from './persistence/change-tracker';
import { Snapshotter } from './persistence/snapshotter';
import { openStartupSnapshots } from './persistence/startup-store';
import type { SaveControl } from './node-context';
import type { Client } from './server/client';
import type { NodeContext, ServerStats } from './node-context';
import { pinoLevel, type Logger } from './log';
import { PubSub } from './pubsub/pubsub';
import { publishKeyspaceEvents } from './pubsub/notifications';
import { closeForOutputLimit, outputLimitReached } from './server/output-limits';
import { REDIS_VERSION as VERSION, CINNABAR_VERSION } from './version';
import { Cluster } from './cluster/cluster';
import { SlowLog } from './commands/slowlog';
import { LatencyMonitor } from './commands/latency';
import { forgetClusterClientState, Router } from './cluster/redirect';

export { REDIS_VERSION as VERSION, CINNABAR_VERSION } from './version';

function newStats(): ServerStats {
  return {
    totalConnectionsReceived: 0,
    totalCommandsProcessed: 0,
    rejectedConnections: 0,
    netInputBytes: 0,
    netOutputBytes: 0,
    totalErrorReplies: 0,
    errorCounts: new Map(),
    clientOutputLimitDisconnections: 0,
    clientQueryBufferLimitDisconnections: 0,
    resetAt: Date.now(),
  };
}

/**
 * Warm-up of cold values: entries per step; the run of steps with no command since the last
 * run; while clients are served, the run and the pause after it.
 */
const WARM_STEP = 256;
const WARM_IDLE_SLICE_MS = 2;
const WARM_BUSY_SLICE_MS = 0.25;
const WARM_BUSY_GAP_MS = 20;

export class Node implements NodeContext {
  readonly keyspace: Keyspace;
  readonly commands = new CommandTable();
  readonly stats: ServerStats = newStats();
  readonly startedAt = Date.now();
  readonly runId = randomBytes(20).toString('hex');
  readonly version = VERSION;
  lastSaveAt = Date.now();
  readonly clientResetHooks: Array<(c: Client) => void> = [];
  readonly clientCloseHooks: Array<(c: Client) => void> = [];
  readonly watches: WatchRegistry;
  readonly pubsub: PubSub;
  readonly gatekeeper: Gatekeeper;
  readonly effects = new EffectStream();
  readonly server: Server;
  readonly blocking: BlockedClients;
  readonly persistence: Persistence;
  /** Snapshots: opened at start when there is one (or the WAL is on), else on first SAVE. */
  snapshotter: Snapshotter | null = null;
  private opening: Promise<Snapshotter> | null = null;
  /** SAVE/BGSAVE/BGREWRITEAOF's view of the snapshot layer. */
  readonly saves: SaveControl = new NodeSaves(this);
  /** Cluster mode, or null when cluster-enabled is no (standalone pays nothing for it). */
  readonly cluster: Cluster | null = null;
  readonly slowlog: SlowLog;
  readonly latency: LatencyMonitor;

  private cron: NodeJS.Timeout | null = null;
  private readonly memory = new MemoryReleaser();
  private stopping = false;

  constructor(
    readonly config: Config,
    readonly log: Logger,
  ) {
    this.keyspace = new Keyspace(config.v.databases);
    this.slowlog = new SlowLog(config.v);
    this.latency = new LatencyMonitor(config.v);
    // Keys that expire by themselves are logged and replicated as deletions.
    this.keyspace.onExpired((db, key) => {
      if (this.effects.active) this.effects.emit(db.id, ['DEL', key]);
    });
    this.blocking = new BlockedClients(this.keyspace, this.effects);
    this.watches = new WatchRegistry(this.keyspace);
    this.clientCloseHooks.push((c) => this.blocking.clientClosed(c));
    this.clientCloseHooks.push((c) => this.watches.unwatchAll(c));
    this.clientResetHooks.push((c) => discardTransaction(c, this));
    this.gatekeeper = new Gatekeeper(this);
    const v = config.v;
    const serverLog = log.child({ component: 'server' });
    this.pubsub = new PubSub({
      outputBufferLimits: () => v.clientOutputBufferLimits,
      outputLimitReached,
      closeForOutputLimit: (c) => closeForOutputLimit(c, this.stats, serverLog),
    });
    // RESET and disconnecting drop every subscription, without confirmations.
    this.clientResetHooks.push((c) => this.pubsub.forget(c));
    this.clientCloseHooks.push((c) => this.pubsub.forget(c));
    publishKeyspaceEvents(this.keyspace, v, this.pubsub);
    provideInfoFields(this, 'stats', () => [
      ['pubsub_channels', this.pubsub.channels.size],
      ['pubsub_patterns', this.pubsub.patterns.size],
      ['pubsubshard_channels', this.pubsub.shardChannels.size],
    ]);
    if (v.clusterEnabled) {
      this.cluster = this.startClusterMode(log);
      this.gatekeeper.router = new Router(this.cluster, this);
    }
    this.server = new Server(
      {
        maxclients: () => v.maxclients,
        limits: v,
        authRequired: () => v.requirepass !== '',
        queryBufferLimit: () => v.clientQueryBufferLimit,
        tcpKeepalive: () => v.tcpKeepalive,
        defaultDb: () => this.keyspace.dbs[0],
        execute: (c, args) => this.gatekeeper.execute(c, args),
        beforeFlush: () => {
          // Redis's beforeSleep order: the cluster's state and nodes.conf, then the WAL.
          this.cluster?.beforeSleep();
          return this.persistence.beforeFlush();
        },
        repliesMayGoNow: () => (this.cluster === null || this.cluster.idle) && this.persistence.idle(),
        groupCommitWaitMs: () => this.persistence.groupCommitWaitMs(),
        outputBufferLimits: () => v.clientOutputBufferLimits,
        clientClosed: (c) => {
          for (const hook of this.clientCloseHooks) hook(c);
        },
      },
      this.stats,
      serverLog,
    );
    this.persistence = new Persistence(
      this,
      {
        dir: v.dir,
        policy: v.appendfsync,
        segmentBytes: v.walSegmentSize,
        release: (offset) => this.server.release(offset),
      },
      log.child({ component: 'persistence' }),
    );
    provideWalInfo(this, this.persistence);
    provideSnapshotInfo(this, () => this.snapshotter);
    config.onChange('appendfsync', () => this.persistence.setPolicy(v.appendfsync));
    config.onChange('appendonly', () => {
      if (v.appendonly) this.persistence.enableAtRunTime();
      else this.persistence.close();
    });
    // CONFIG SET effects the node owns. The listeners cannot move yet, so a changed port or
    // bind is refused (redis-compat/DIFFERENCES.md).
    config.onChange('loglevel', () => {
      log.level = pinoLevel(v.loglevel);
    });
    config.onChange(['port', 'bind'], () => 'Cinnabar cannot change its listening port or addresses at run time; restart it with the new value');
  }

  /** Builds the cluster layer (reads nodes.conf) and its INFO fields. */
  private startClusterMode(log: Logger): Cluster {
    const db = this.keyspace.dbs[0];
    const cluster = new Cluster({
      config: this.config,
      log: log.child({ component: 'cluster' }),
      db,
      replOffset: () => 0,
      deleteKeysInSlot: (slot) => {
        for (const key of cluster.slotIndex.keys(slot, Infinity)) {
          db.delete(key);
          this.keyspace.modified(db, key);
          if (this.effects.active) this.effects.emit(0, ['DEL', key]);
        }
      },
    });
    this.clientResetHooks.push(forgetClusterClientState);
    provideInfoFields(this, 'server', () => [['redis_mode', 'cluster']]);
    provideInfoFields(this, 'clients', () => [['cluster_connections', cluster.bus.links.size]]);
    provideInfoFields(this, 'cluster', () => [['cluster_enabled', 1]]);
    return cluster;
  }

  get clients(): ReadonlyMap<number, Client> {
    return this.server.clients;
  }

  /** Why write commands are refused (MISCONF), or null. */
  diskWriteError(): string | null {
    return this.persistence.writeError;
  }

  /** A snapshot store being opened (first SAVE with the WAL off) counts as a save in progress. */
  get savePending(): boolean {
    return this.opening !== null || (this.snapshotter?.inProgress ?? false);
  }

  /**
   * Opens the snapshot store and starts tracking changes. `atStart`: the keyspace is empty and
   * the snapshot is loaded into it; otherwise (first SAVE with the WAL off) every db is marked
   * for a full write.
   */
  openSnapshots(atStart: boolean, opening?: Promise<SnapshotStore>): Promise<Snapshotter> {
    if (this.snapshotter !== null) return Promise.resolve(this.snapshotter);
    this.opening ??= (async () => {
      const store = await (opening ?? SnapshotStore.open(this.config.v.dir, { databases: this.keyspace.dbs.length }));
      const tracker = new ChangeTracker();
      if (atStart) {
        // With a WAL tail to replay, expired keys stay until the replay is done: the logged
        // commands saw them (as Redis keeps expired keys of an AOF's RDB preamble).
        const loaded = await store.load(this.keyspace, this.config.v.appendonly ? -Infinity : Date.now());
        this.log.info({ keys: loaded.keys, expiredSkipped: loaded.expiredSkipped, ms: Math.round(loaded.durationMs) }, 'snapshot loaded');
        this.persistence.baseOffset = loaded.offset ?? 0;
        const meta = store.lastCheckpoint;
        if (meta !== null) this.lastSaveAt = meta.createdAt;
        tracker.attach(this.keyspace);
      } else {
        tracker.attach(this.keyspace);
        for (const db of this.keyspace.dbs) tracker.beforeWholeDbChange(db);
      }
      this.snapshotter = new Snapshotter(store, tracker, this.keyspace, this.persistence, this.log.child({ component: 'snapshot' }), (at) => {
        this.lastSaveAt = at;
      });
      this.opening = null;
      return this.snapshotter;
    })();
    return this.opening;
  }

  /**
   * Loads the dataset and opens the port. `snapshots`: the store main.ts started opening
   * before loading the server (openStartupSnapshots), or null when there is none to load.
   */
  async start(snapshots = openStartupSnapshots(this.config.v.dir, this.config.v.appendonly, this.keyspace.dbs.length)): Promise<void> {
    const v = this.config.v;
    // The port opens only after the dataset is loaded, so no client sees a partial one.
    if (snapshots !== null) await this.openSnapshots(true, snapshots);
    if (v.appendonly) {
      const report = this.persistence.recover(this.persistence.baseOffset);
      this.log.info(
        { records: report.walRecords, keys: this.keyspace.keyCount, ms: Math.round(report.ms) },
        'DB loaded from the WAL',
      );
      this.persistence.start(report.walEndOffset);
    }
    if (this.cluster !== null) await this.cluster.start();
    await this.server.listen(this.config.v.port, this.config.v.bind);
    this.scheduleCron();
    this.warmColdValues();
    this.log.info(
      { version: CINNABAR_VERSION, redis_version: VERSION, port: this.config.v.port, pid: process.pid, mode: this.cluster !== null ? 'cluster' : 'standalone' },
      'Cinnabar ready to accept connections',
    );
  }

  /**
   * After a snapshot load, turns the values it left cold back into strings, then lets go of
   * the load batches. Every string it makes survives into the old generation, and a scavenge
   * full of them stalls the event loop (~0.1-0.3 s per 16 MB on this 2-core machine, where
   * 1M values are 48 MB). So while clients are served it works in short slices far apart,
   * leaving each scavenge few of them; with no command since its last slice it runs flat out.
   */
  private warmColdValues(): void {
    const cold = this.keyspace.dbs[0].cold;
    if (cold === null) return;
    const warmer = new ColdWarmer(this.keyspace.dbs, cold);
    const bytes = cold.bytes;
    const t0 = performance.now();
    let commandsSeen = this.stats.totalCommandsProcessed;
    const slice = (): void => {
      if (this.stopping) return;
      const busy = this.stats.totalCommandsProcessed !== commandsSeen;
      const end = performance.now() + (busy ? WARM_BUSY_SLICE_MS : WARM_IDLE_SLICE_MS);
      do {
        if (warmer.step(WARM_STEP)) {
          this.log.info({ values: warmer.warmed, batchBytes: bytes, ms: Math.round(performance.now() - t0) }, 'snapshot values warmed');
          return;
        }
      } while (performance.now() < end);
      commandsSeen = this.stats.totalCommandsProcessed;
      if (busy) setTimeout(slice, WARM_BUSY_GAP_MS);
      else setImmediate(slice);
    };
    setImmediate(slice);
  }

  /** Redis's serverCron at `hz`: active expiry (25% of the period at most), idle clients. */
  private scheduleCron(): void {
    const period = Math.max(1, Math.round(1000 / this.config.v.hz));
    this.cron = setTimeout(() => {
      this.keyspace.activeExpireCycle(period / 4);
      const now = Date.now();
      this.server.closeIdleClients(this.config.v.timeout, now);
      this.memory.check(this.keyspace.keyCount, now);
      this.snapshotter?.maybeAuto(now, this.config.v.snapshotWalBytes, this.config.v.snapshotInterval);
      if (!this.stopping) this.scheduleCron();
    }, period);
    this.cron.unref();
  }

  selectDb(c: Client, index: number): boolean {
    if (!Number.isInteger(index) || index < 0 || index >= this.keyspace.dbs.length) return false;
    c.dbIndex = index;
    c.db = this.keyspace.dbs[index];
    return true;
  }

  resetStats(): void {
    Object.assign(this.stats, newStats());
    for (const cmd of this.commands.everyCommand()) {
      cmd.calls = 0;
      cmd.sampledUsec = 0;
      cmd.sampledCalls = 0;
      cmd.rejectedCalls = 0;
      cmd.failedCalls = 0;
    }
    const ks = this.keyspace.stats;
    ks.expiredKeys = 0;
    ks.keyspaceHits = 0;
    ks.keyspaceMisses = 0;
    ks.expiredTimeCapReached = 0;
    ks.expireCycleCpuMs = 0;
  }

  shutdown(reason: string): void {
    if (this.stopping) return;
    this.stopping = true;
    this.log.info({ reason }, 'shutting down');
    if (this.cron) clearTimeout(this.cron);
    this.cluster?.stop();
    void this.server.close().finally(async () => {
      try {
        this.persistence.close();
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'could not sync the WAL at shutdown');
      }
      await this.snapshotter?.store.close().catch(() => undefined);
      this.log.info('Cinnabar is now ready to exit, bye bye...');
      // The log destination may be asynchronous: exit once it has written everything.
      this.log.flush(() => process.exit(0));
    });
  }
}

/** SaveControl over a node's snapshot layer, opening the store on first use. */
class NodeSaves implements SaveControl {
  constructor(private readonly node: Node) {}

  get inProgress(): boolean {
    return this.node.savePending;
  }

  async start(reason: string): Promise<void> {
    const snapshots = await this.node.openSnapshots(false);
    await snapshots.start(reason);
  }

  schedule(): void {
    this.node.snapshotter?.schedule();
  }
}
