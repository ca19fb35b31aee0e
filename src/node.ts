// A Cinnabar node: wires configuration, keyspace, command table, gatekeeper and network
// server together, runs the periodic cron (active expiry, idle clients) and shuts down.

import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { Keyspace } from './keyspace/keyspace';
import type { Config } from './config/config';
import { CommandTable } from './commands/registry';
import { Gatekeeper } from './commands/gatekeeper';
import { Server } from './server/server';
import { MemoryReleaser } from './server/memory-release';
import { EffectStream } from './persistence/effects';
import { Persistence } from './persistence/persistence';
import { provideWalInfo } from './persistence/info';
import type { Client } from './server/client';
import type { NodeContext, ServerStats } from './node-context';
import { pinoLevel, type Logger } from './log';
import { REDIS_VERSION as VERSION, CINNABAR_VERSION } from './version';

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

export class Node implements NodeContext {
  readonly keyspace: Keyspace;
  readonly commands = new CommandTable();
  readonly stats: ServerStats = newStats();
  readonly startedAt = Date.now();
  readonly runId = randomBytes(20).toString('hex');
  readonly version = VERSION;
  lastSaveAt = Date.now();
  readonly clientResetHooks: Array<(c: Client) => void> = [];
  readonly gatekeeper: Gatekeeper;
  readonly effects = new EffectStream();
  readonly server: Server;
  readonly persistence: Persistence;
  private cron: NodeJS.Timeout | null = null;
  private readonly memory = new MemoryReleaser();
  private stopping = false;

  constructor(
    readonly config: Config,
    readonly log: Logger,
  ) {
    this.keyspace = new Keyspace(config.v.databases);
    // Keys that expire by themselves are logged and replicated as deletions.
    this.keyspace.onExpired((db, key) => {
      if (this.effects.active) this.effects.emit(db.id, ['DEL', key]);
    });
    this.gatekeeper = new Gatekeeper(this);
    const v = config.v;
    this.server = new Server(
      {
        maxclients: () => v.maxclients,
        limits: v,
        authRequired: () => v.requirepass !== '',
        queryBufferLimit: () => v.clientQueryBufferLimit,
        tcpKeepalive: () => v.tcpKeepalive,
        defaultDb: () => this.keyspace.dbs[0],
        execute: (c, args) => this.gatekeeper.execute(c, args),
        beforeFlush: () => this.persistence.beforeFlush(),
      },
      this.stats,
      log.child({ component: 'server' }),
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

  get clients(): ReadonlyMap<number, Client> {
    return this.server.clients;
  }

  /** Why write commands are refused (MISCONF), or null. */
  diskWriteError(): string | null {
    return this.persistence.writeError;
  }

  async start(): Promise<void> {
    mkdirSync(this.config.v.dir, { recursive: true });
    if (this.config.v.appendonly) {
      // The port opens only after the dataset is loaded, so no client sees a partial one.
      const report = this.persistence.recover();
      this.log.info(
        { records: report.walRecords, keys: this.keyspace.keyCount, ms: Math.round(report.ms) },
        'DB loaded from the WAL',
      );
      this.persistence.start(report.walEndOffset);
    }
    await this.server.listen(this.config.v.port, this.config.v.bind);
    this.scheduleCron();
    this.log.info(
      { version: CINNABAR_VERSION, redis_version: VERSION, port: this.config.v.port, pid: process.pid, mode: 'standalone' },
      'Cinnabar ready to accept connections',
    );
  }

  /** Redis's serverCron at `hz`: active expiry (25% of the period at most), idle clients. */
  private scheduleCron(): void {
    const period = Math.max(1, Math.round(1000 / this.config.v.hz));
    this.cron = setTimeout(() => {
      this.keyspace.activeExpireCycle(period / 4);
      const now = Date.now();
      this.server.closeIdleClients(this.config.v.timeout, now);
      this.memory.check(this.keyspace.keyCount, now);
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
    void this.server.close().finally(() => {
      try {
        this.persistence.close();
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'could not sync the WAL at shutdown');
      }
      this.log.info('Cinnabar is now ready to exit, bye bye...');
      // The log destination may be asynchronous: exit once it has written everything.
      this.log.flush(() => process.exit(0));
    });
  }
}
