// Transactions (Redis 7.0 multi.c): MULTI EXEC DISCARD WATCH UNWATCH, and what the gatekeeper
// does between MULTI and EXEC — queue each command (+QUEUED), or flag the transaction when it
// refuses one so EXEC answers EXECABORT. EXEC runs the queue synchronously, so nothing else
// runs in between; its effects reach the WAL as one MULTI … EXEC group (effects.ts).

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import type { Command, CommandSpec, Handler } from './spec';
import { Err } from '../errors';
import { R } from '../resp/replies';

/** Commands that run at once inside MULTI instead of being queued (processCommand). */
const NOT_QUEUED = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

/**
 * Gatekeeper, inside MULTI, after every other check passed: queues the command and answers
 * +QUEUED (true), or returns false for the commands that run at once (EXEC, DISCARD...).
 */
export function queueInTransaction(c: Client, cmd: Command, args: string[]): boolean {
  if (NOT_QUEUED.has(cmd.fullName)) return false;
  if (cmd.spec.flags.includes('no_multi')) {
    cmd.rejectedCalls++;
    c.multiError = true;
    c.error(Err.notAllowedInMulti);
    return true;
  }
  // A transaction that already failed keeps no more commands (queueMultiCommand).
  if (!c.multiError) c.multiQueue!.push(args);
  c.write(R.queued);
  return true;
}

/** discardTransaction: leaves MULTI, forgets the flags and every watched key. */
export function discardTransaction(c: Client, node: NodeContext): void {
  c.multiQueue = null;
  c.multiError = false;
  c.watchBroken = false;
  node.watches.unwatchAll(c);
}

/**
 * The gatekeeper refused EXEC itself (rejectCommand → execCommandAbort): the transaction is
 * discarded and the reason given after EXECABORT (without the ERR code of plain errors).
 */
export function execAbort(c: Client, message: string, node: NodeContext): void {
  discardTransaction(c, node);
  c.error(Err.execAbortBecause(message.startsWith('ERR ') ? message.slice(4) : message));
}

/** The command a queued request names (the gatekeeper found it when it was queued). */
function resolve(node: NodeContext, args: readonly string[]): Command | undefined {
  const cmd = node.commands.lookup(args[0]);
  if (cmd === undefined || cmd.subcommands === null || args.length < 2) return cmd;
  return cmd.subcommands.get(args[1].toLowerCase());
}

// ── Handlers ─────────────────────────────────────────────────────────────────────────────

function multi(c: Client): void {
  if (c.multiQueue !== null) return c.error(Err.multiNested);
  c.multiQueue = [];
  c.write(R.ok);
}

function discard(c: Client, _args: string[], node: NodeContext): void {
  if (c.multiQueue === null) return c.error(Err.discardWithoutMulti);
  discardTransaction(c, node);
  c.write(R.ok);
}

function exec(c: Client, _args: string[], node: NodeContext): void {
  const queue = c.multiQueue;
  if (queue === null) return c.error(Err.execWithoutMulti);
  // processCommand refuses EXEC of a transaction with writes while the disk fails.
  const diskError = node.diskWriteError();
  if (diskError !== null && queue.some((a) => resolve(node, a)?.isWrite === true)) {
    return execAbort(c, Err.misconfAof(diskError), node);
  }
  if (!c.watchBroken && node.watches.expiredSinceWatch(c)) c.watchBroken = true;
  if (c.multiError || c.watchBroken) {
    const aborted = c.multiError;
    discardTransaction(c, node);
    if (aborted) c.error(Err.execAbort);
    else c.nullArray();
    return;
  }
  node.watches.unwatchAll(c);
  c.inExec = true;
  node.effects.beginAtomic();
  c.arrayHeader(queue.length);
  try {
    // CLIENT LIST run inside shows the transaction (flags=x, multi=<queued>) as in Redis.
    for (const args of queue) node.gatekeeper.call(c, resolve(node, args)!, args);
  } finally {
    node.effects.endAtomic();
    c.inExec = false;
    c.lastCommand = 'exec';
    discardTransaction(c, node);
  }
}

function watch(c: Client, args: string[], node: NodeContext): void {
  if (c.multiQueue !== null) return c.error(Err.watchInsideMulti);
  // No point in watching more once a watched key changed.
  if (!c.watchBroken) for (let i = 1; i < args.length; i++) node.watches.watch(c, args[i]);
  c.write(R.ok);
}

function unwatch(c: Client, _args: string[], node: NodeContext): void {
  node.watches.unwatchAll(c);
  c.watchBroken = false;
  c.write(R.ok);
}

// ── Table ────────────────────────────────────────────────────────────────────────────────

const FAST = ['noscript', 'loading', 'stale', 'fast', 'allow_busy'] as const;

function spec(name: string, arity: number, flags: CommandSpec['flags'], run: Handler, first = 0, last = 0, step = 0): CommandSpec {
  return { name, arity, flags, firstKey: first, lastKey: last, step, group: 'transactions', run };
}

export const transactionCommands: CommandSpec[] = [
  spec('multi', 1, FAST, multi),
  spec('exec', 1, ['noscript', 'loading', 'stale', 'skip_slowlog'], exec),
  spec('discard', 1, FAST, discard),
  spec('watch', -2, FAST, watch, 1, -1, 1),
  spec('unwatch', 1, FAST, unwatch),
];
