// Server-wide commands on the dataset and the process: DBSIZE, FLUSHDB, FLUSHALL, TIME,
// LASTSAVE and SHUTDOWN (server.c / db.c), with Redis's argument rules and replies.

import type { CommandSpec } from './spec';
import type { Client } from '../server/client';
import { Err } from '../errors';
import { is } from './args';

/**
 * getFlushCommandFlags: nothing, SYNC or ASYNC. Both modes empty the database at once:
 * dropping a Map is O(1) here and the garbage collector frees it in the background, which
 * is what ASYNC asks for. False after replying a syntax error.
 */
function flushArgsValid(c: Client, args: readonly string[]): boolean {
  if (args.length === 1 || (args.length === 2 && (is(args[1], 'sync') || is(args[1], 'async')))) return true;
  c.error(Err.syntax);
  return false;
}

/** SHUTDOWN's options; ABORT cannot be combined with the others, nor SAVE with NOSAVE. */
interface ShutdownOptions {
  save: boolean;
  nosave: boolean;
  now: boolean;
  force: boolean;
  abort: boolean;
}

function parseShutdown(args: readonly string[]): ShutdownOptions | null {
  const o: ShutdownOptions = { save: false, nosave: false, now: false, force: false, abort: false };
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    if (is(a, 'nosave')) o.nosave = true;
    else if (is(a, 'save')) o.save = true;
    else if (is(a, 'now')) o.now = true;
    else if (is(a, 'force')) o.force = true;
    else if (is(a, 'abort')) o.abort = true;
    else return null;
  }
  if (o.abort && (o.save || o.nosave || o.now || o.force)) return null;
  if (o.save && o.nosave) return null;
  return o;
}

export const serverCommands: CommandSpec[] = [
  {
    name: 'dbsize',
    arity: 1,
    flags: ['readonly', 'fast'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'server',
    run(c) {
      // Like Redis's dictSize: keys whose time has passed count until they are removed.
      c.int(c.db.size);
    },
  },
  {
    name: 'flushdb',
    arity: -1,
    flags: ['write'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'server',
    run(c, args, node) {
      if (!flushArgsValid(c, args)) return;
      const removed = c.db.size;
      node.keyspace.flushing(c.db);
      c.db.clear();
      node.keyspace.flushed(c.db, removed);
      c.ok();
    },
  },
  {
    name: 'flushall',
    arity: -1,
    flags: ['write'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'server',
    run(c, args, node) {
      if (!flushArgsValid(c, args)) return;
      node.keyspace.flushing(null);
      const removed = node.keyspace.flushAll();
      node.keyspace.flushed(null, removed);
      c.ok();
    },
  },
  {
    name: 'time',
    arity: 1,
    flags: ['loading', 'stale', 'fast'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'server',
    run(c) {
      // timeOrigin + now() carries sub-millisecond precision where Date.now() does not.
      const ms = performance.timeOrigin + performance.now();
      const sec = Math.floor(ms / 1000);
      const usec = Math.min(999999, Math.floor((ms - sec * 1000) * 1000));
      c.bulkArray([String(sec), String(usec)]);
    },
  },
  {
    name: 'lastsave',
    arity: 1,
    flags: ['loading', 'stale', 'fast'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'server',
    run(c, _args, node) {
      c.int(Math.floor(node.lastSaveAt / 1000));
    },
  },
  {
    name: 'shutdown',
    arity: -1,
    flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'server',
    run(c, args, node) {
      const o = parseShutdown(args);
      if (o === null) return c.error(Err.syntax);
      // A shutdown never waits here (no lagging replicas to wait for, every write already in
      // the WAL), so there is never one in progress to abort.
      if (o.abort) return c.error(Err.noShutdownInProgress);
      // Redis exits from inside the command: the caller gets no reply, not even to commands
      // pipelined before SHUTDOWN in the same read, and nothing after it runs.
      c.out = '';
      c.outChunks = null;
      c.closeAfterReplies();
      const reason = `SHUTDOWN${o.nosave ? ' NOSAVE' : o.save ? ' SAVE' : ''} from client id=${c.id} addr=${c.addr}`;
      // Once this request has been parsed to the end: shutting down closes every connection,
      // this one included, and its request decoder must not be stopped while it is running.
      process.nextTick(() => node.shutdown(reason));
    },
  },
];
