// The slow log (slowlog.c): the latest slowlog-max-len commands that ran for at least
// slowlog-log-slower-than microseconds, and SLOWLOG GET/LEN/RESET/HELP. The gatekeeper
// times the calls and hands them to SlowLog.record (every call of a command not flagged
// `fast`, and one in eight of the `fast` ones while the threshold is 1 ms or more: see
// gatekeeper.ts).

import type { Client } from '../server/client';
import { containerCommand, subcommand, type CommandSpec, type Handler } from './spec';
import { statusLines } from '../resp/replies';
import { Err } from '../errors';
import { parseI64 } from './args';
import { subcommandSyntaxError } from './client';

/** Arguments kept per entry (SLOWLOG_ENTRY_MAX_ARGC); the last one says how many more. */
const MAX_ARGC = 32;
/** Bytes kept per argument (SLOWLOG_ENTRY_MAX_STRING). */
const MAX_STRING = 128;
/** What a redacted argument (a password) is shown as (shared.redacted). */
export const REDACTED = '(redacted)';

interface Entry {
  id: number;
  /** Unix seconds when it was logged. */
  time: number;
  /** Microseconds the command ran. */
  duration: number;
  args: string[];
  /** The client's ip:port and name when the command ran. */
  addr: string;
  name: string;
}

/** Thresholds from this many microseconds up let the gatekeeper sample `fast` commands. */
const SAMPLE_FAST_FROM_USEC = 1000;

/** slowlogCreateEntry's view of the arguments: at most 32, each cut to 128 bytes. */
function entryArgs(args: readonly string[], redacted: readonly number[] | null): string[] {
  const argc = Math.min(args.length, MAX_ARGC);
  const out = new Array<string>(argc);
  for (let j = 0; j < argc; j++) {
    const a = args[j];
    if (argc !== args.length && j === argc - 1) out[j] = `... (${args.length - argc + 1} more arguments)`;
    else if (redacted !== null && redacted.includes(j)) out[j] = REDACTED;
    else if (a.length > MAX_STRING) out[j] = a.slice(0, MAX_STRING) + `... (${a.length - MAX_STRING} more bytes)`;
    else out[j] = a;
  }
  return out;
}

export class SlowLog {
  /** Oldest first; entries before `first` were trimmed (compacted now and then). */
  private entries: Entry[] = [];
  private first = 0;
  private nextId = 0;

  constructor(private readonly limits: { readonly slowlogLogSlowerThan: number; readonly slowlogMaxLen: number }) {}

  /**
   * True while the threshold is below SAMPLE_FAST_FROM_USEC (and the log on): then every call
   * of every command is timed, `fast` ones included, as Redis does, so `slowlog-log-slower-than
   * 0` logs everything. From 1 ms up the gatekeeper samples `fast` commands (see its call()):
   * a `fast` command that slow is a GC pause, not the command.
   */
  get timesEveryCall(): boolean {
    const threshold = this.limits.slowlogLogSlowerThan;
    return threshold >= 0 && threshold < SAMPLE_FAST_FROM_USEC;
  }

  get length(): number {
    return this.entries.length - this.first;
  }

  /**
   * slowlogPushEntryIfNeeded for a call that ran `usec` microseconds: logged when at or above
   * the threshold (a negative one disables the log); the log is trimmed to its maximum length.
   */
  record(c: Client, args: readonly string[], usec: number): void {
    const threshold = this.limits.slowlogLogSlowerThan;
    if (threshold < 0) return;
    if (usec >= threshold) {
      this.entries.push({
        id: this.nextId++,
        time: Math.floor(Date.now() / 1000),
        duration: Math.floor(usec),
        args: entryArgs(args, c.redacted),
        addr: c.addr,
        name: c.name,
      });
    }
    const max = this.limits.slowlogMaxLen;
    if (this.length > max) this.trim(max);
  }

  reset(): void {
    this.entries = [];
    this.first = 0;
  }

  /** The newest `count` entries, newest first. */
  *newest(count: number): Iterable<Entry> {
    for (let i = this.entries.length - 1; i >= this.first && count > 0; i--, count--) yield this.entries[i];
  }

  private trim(max: number): void {
    if (max === 0) return this.reset();
    this.first = this.entries.length - max;
    // Dropping the trimmed head now and then keeps trimming O(1) per command.
    if (this.first > 1024 && this.first * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.first);
      this.first = 0;
    }
  }
}

const HELP_REPLY = statusLines([
  'SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
  'HELP',
  '    Prints this help.',
]);

const get: Handler = (c, args, node) => {
  if (args.length > 3) return subcommandSyntaxError(c, args);
  let count = 10;
  if (args.length === 3) {
    const n = parseI64(args[2]);
    if (n === undefined || n < -1) return c.error(Err.slowlogCount);
    count = n === -1 ? node.slowlog.length : n;
  }
  const entries = [...node.slowlog.newest(count)];
  c.arrayHeader(entries.length);
  for (const e of entries) {
    c.write('*6\r\n:' + e.id + '\r\n:' + e.time + '\r\n:' + e.duration + '\r\n');
    c.bulkArray(e.args);
    c.bulk(e.addr);
    c.bulk(e.name);
  }
};

function sub(name: string, arity: number, run: Handler): CommandSpec {
  return subcommand(name, arity, ['admin', 'loading', 'stale'], 'server', run);
}

export const slowlogCommands: CommandSpec[] = [
  // Subcommands in the order Redis's subcommand dict lists them (COMMAND INFO / DOCS show it).
  containerCommand('slowlog', 'server', [
    subcommand('help', 2, ['loading', 'stale'], 'server', (c) => c.write(HELP_REPLY)),
    sub('reset', 2, (c, _args, node) => {
      node.slowlog.reset();
      c.ok();
    }),
    sub('get', -2, get),
    sub('len', 2, (c, _args, node) => c.int(node.slowlog.length)),
  ]),
];
