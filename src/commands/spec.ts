// The shape every command module declares: name, arity, flags and key positions next to
// its handler (Redis's command table as data). The registry and gatekeeper read these.

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';

export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'asking'
  | 'fast'
  | 'no_auth'
  | 'may_replicate'
  | 'sentinel'
  | 'no_mandatory_keys'
  /** Refused while a replica loads a dataset asynchronously (COMMAND INFO shows it). */
  | 'no_async_loading'
  | 'no_multi'
  | 'movablekeys'
  | 'allow_busy';

/** A command handler: args[0] is the command name as sent; input is already arity-checked. */
export type Handler = (c: Client, args: string[], node: NodeContext) => void;

export interface CommandSpec {
  /** Lowercase name; for a subcommand, the subcommand part only ("list" of "client|list"). */
  name: string;
  /** Exact count of args including the name, or -N for "at least N". */
  arity: number;
  flags: readonly CommandFlag[];
  /** Key positions as in COMMAND INFO: first, last (negative counts from the end), step. */
  firstKey: number;
  lastKey: number;
  step: number;
  /** Docs group (string, generic, connection, server, keyspace...). */
  group: string;
  run?: Handler;
  subcommands?: readonly CommandSpec[];
  /** Keys for commands whose keys cannot be described by first/last/step (movablekeys). */
  keys?(args: readonly string[]): number[];
}

/** Runtime entry built from a spec: adds the full name, the subcommand table and counters. */
export interface Command {
  readonly spec: CommandSpec;
  /** "get", or "client|list" for subcommands. */
  readonly fullName: string;
  readonly parent: Command | null;
  readonly subcommands: Map<string, Command> | null;
  readonly isWrite: boolean;
  readonly isDenyOom: boolean;
  readonly allowedWhileLoading: boolean;
  readonly noAuth: boolean;
  /** O(1) or O(log N): the gatekeeper times only a sample of its calls (see gatekeeper.ts). */
  readonly isFast: boolean;
  /** Left out of the slow log (EXEC: the commands it runs are logged one by one). */
  readonly skipSlowlog: boolean;
  /** Exactly one key, at spec.firstKey (no key specs, not movablekeys): cluster routing's fast path. */
  readonly singleKey: boolean;
  calls: number;
  /** Time spent in the calls that were timed (a sample of all calls; see gatekeeper.ts). */
  sampledUsec: number;
  sampledCalls: number;
  rejectedCalls: number;
  failedCalls: number;
}

/** Estimated total microseconds spent in a command (INFO commandstats usec). */
export function commandUsec(cmd: Command): number {
  return cmd.sampledCalls === 0 ? 0 : Math.round((cmd.sampledUsec / cmd.sampledCalls) * cmd.calls);
}

/** Helper for the common single-key command shape. */
export function keyCommand(
  name: string,
  arity: number,
  flags: readonly CommandFlag[],
  group: string,
  run: Handler,
  firstKey = 1,
  lastKey = 1,
  step = 1,
): CommandSpec {
  return { name, arity, flags, firstKey, lastKey, step, group, run };
}

/** The flags of Redis's administrative subcommands (CONFIG SET, CLIENT KILL, LATENCY RESET...). */
export const ADMIN_FLAGS: readonly CommandFlag[] = ['admin', 'noscript', 'loading', 'stale'];

/** A subcommand with no keys (SLOWLOG GET, MEMORY STATS...). */
export function subcommand(name: string, arity: number, flags: readonly CommandFlag[], group: string, run: Handler): CommandSpec {
  return { name, arity, flags, firstKey: 0, lastKey: 0, step: 0, group, run };
}

/** A container command (SLOWLOG, MEMORY...): no keys, no flags, run through its subcommands. */
export function containerCommand(name: string, group: string, subcommands: readonly CommandSpec[]): CommandSpec {
  return { name, arity: -2, flags: [], firstKey: 0, lastKey: 0, step: 0, group, subcommands };
}
