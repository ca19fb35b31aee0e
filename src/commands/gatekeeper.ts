// The one place every request passes through before a handler runs, as Redis's
// processCommand: lookup, arity, authentication, loading state; then the call itself with
// its statistics. Handlers can assume a known command with the right number of args.

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import type { Command } from './spec';
import { Err } from '../errors';
import { execAbort, queueInTransaction } from './transactions';
import type { Router } from '../cluster/redirect';

/** A C string's view of `s`: Redis formats these errors with %s, which stops at a NUL. */
function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/** The "with args beginning with:" part of an unknown-command error. */
function argsPreview(args: readonly string[]): string {
  let s = '';
  for (let i = 1; i < args.length && s.length < 128; i++) {
    s += `'${cString(args[i]).slice(0, 128 - s.length)}' `;
  }
  return s;
}

/** The commands a RESP2 client in subscriber mode may run (processCommand). */
const ALLOWED_WHEN_SUBSCRIBED: ReadonlySet<string> = new Set([
  'ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset',
]);

/** One call in this many of a `fast` command is timed (a power of two); see call(). */
const TIMING_SAMPLE = 8;

export class Gatekeeper {
  /** True while the dataset is being loaded; only 'loading' commands run. */
  loading = false;
  private tick = 0;
  /** Cluster mode's slot routing (MOVED, ASK, CROSSSLOT...); null on standalone nodes. */
  router: Router | null = null;

  constructor(private readonly node: NodeContext) {}

  execute(c: Client, args: string[]): void {
    this.dispatch(c, args);
    // Keys the command (or a whole EXEC) made ready serve blocked clients now.
    if (this.node.blocking.hasReadyKeys && !c.inExec) this.node.blocking.handleReadyKeys();
    if (c.muted || c.skipNext) {
      // CLIENT REPLY OFF/SKIP: SKIP mutes exactly the one command after it.
      c.muted = c.replyOff || c.skipNext;
      c.skipNext = false;
    }
  }

  private dispatch(c: Client, args: string[]): void {
    const node = this.node;
    let cmd = node.commands.lookup(args[0]);
    if (cmd === undefined) {
      this.reject(c, Err.unknownCommand(cString(args[0]).slice(0, 128), argsPreview(args)));
      return;
    }
    if (cmd.subcommands !== null && args.length >= 2) {
      const sub = cmd.subcommands.get(args[1].toLowerCase());
      if (sub === undefined) {
        this.reject(c, Err.unknownSubcommand(cString(args[1]).slice(0, 128), cString(args[0]).toUpperCase()));
        return;
      }
      cmd = sub;
    }
    const arity = cmd.spec.arity;
    if ((arity > 0 && args.length !== arity) || args.length < -arity) {
      cmd.rejectedCalls++;
      this.reject(c, Err.wrongArity(cmd.fullName), cmd);
      return;
    }
    if (!c.authenticated && !cmd.noAuth) {
      cmd.rejectedCalls++;
      this.reject(c, Err.noAuth, cmd);
      return;
    }
    // Cluster redirection comes right after authentication, as in Redis's processCommand:
    // before the disk-error, subscriber-context and loading checks.
    if (this.router !== null && !this.router.route(c, cmd, args)) return;
    if (cmd.isWrite || cmd.fullName === 'ping') {
      // Redis refuses writes (and PING) while the last WAL write or fsync failed.
      const diskError = node.diskWriteError();
      if (diskError !== null) {
        cmd.rejectedCalls++;
        this.reject(c, Err.misconfAof(diskError), cmd);
        return;
      }
    }
    if (c.resp === 2 && c.subscriptionCount > 0 && !ALLOWED_WHEN_SUBSCRIBED.has(cmd.fullName)) {
      // A RESP2 subscriber's connection carries messages: only these commands may share it.
      cmd.rejectedCalls++;
      this.reject(c, Err.pubsubContext(cmd.fullName), cmd);
      return;
    }
    if (this.loading && !cmd.allowedWhileLoading) {
      cmd.rejectedCalls++;
      this.reject(c, Err.loading, cmd);
      return;
    }
    if (c.multiQueue !== null && queueInTransaction(c, cmd, args)) return;
    this.call(c, cmd, args);
  }

  /**
   * Runs a command that passed every check, keeping its statistics. Every call of a command
   * not flagged `fast` is timed: those are the ones that can be slow (KEYS, SMEMBERS, SORT,
   * DEL of a big key) and the slow log and latency monitor must see each. Calls of `fast`
   * commands (O(1), O(log N)) are sampled, one in TIMING_SAMPLE: two clock reads per command
   * cost ~6% of pipelined throughput (--cpu-prof, redis-benchmark -P 16), and a `fast` one
   * slower than a few ms is a GC pause, not the command. Not while slowlog-log-slower-than is
   * under 1 ms (0 logs every command): then every call is timed, as Redis does. INFO
   * commandstats usec is extrapolated from the samples (exact for commands timed every call).
   */
  call(c: Client, cmd: Command, args: string[]): void {
    const stats = this.node.stats;
    this.errorsSeen = stats.totalErrorReplies;
    const effects = this.node.effects;
    const dirtyBefore = this.node.keyspace.dirty;
    c.lastCommand = cmd.fullName;
    if (!cmd.isFast || (++this.tick & (TIMING_SAMPLE - 1)) === 0 || cmd.sampledCalls === 0 || this.node.slowlog.timesEveryCall) {
      const t0 = performance.now();
      cmd.spec.run!(c, args, this.node);
      const usec = (performance.now() - t0) * 1000;
      cmd.sampledUsec += usec;
      cmd.sampledCalls++;
      this.timed(c, cmd, args, usec);
    } else {
      cmd.spec.run!(c, args, this.node);
    }
    if (c.redacted !== null) c.redacted = null;
    // Read commands can bump `dirty` through lazy expiry; those deletions were logged already.
    if (effects.active) effects.commandDone(c.dbIndex, args, cmd.isWrite && this.node.keyspace.dirty !== dirtyBefore);
    cmd.calls++;
    stats.totalCommandsProcessed++;
    // Errors since the last call ended: EXEC counts as failed only for its own error, not
    // for those of the commands it ran (Redis's incrCommandStatsOnError).
    if (stats.totalErrorReplies !== this.errorsSeen) cmd.failedCalls++;
    this.errorsSeen = stats.totalErrorReplies;
  }

  /**
   * A timed call's latency event ("command" or "fast-command", as Redis's call()) and slow
   * log entry; a command that blocked is logged once served, with the serve's time added.
   */
  private timed(c: Client, cmd: Command, args: string[], usec: number): void {
    const node = this.node;
    node.latency.addSampleIfNeeded(cmd.isFast ? 'fast-command' : 'command', Math.floor(usec / 1000));
    if (cmd.skipSlowlog) return;
    // Only a command that blocked leaves `unblock` set (BlockedClients.block).
    if (c.unblock !== null) {
      node.blocking.whenServed(c, (serveUsec) => node.slowlog.record(c, args, usec + serveUsec));
      return;
    }
    node.slowlog.record(c, args, usec);
  }

  /** totalErrorReplies when the last command started or ended. */
  private errorsSeen = 0;

  /** Refuses a request; inside MULTI this dooms the transaction (flagTransaction). */
  private reject(c: Client, message: string, cmd?: Command): void {
    if (c.multiQueue !== null) c.multiError = true;
    if (cmd !== undefined && cmd.fullName === 'exec') return execAbort(c, message, this.node);
    c.error(message);
  }
}
