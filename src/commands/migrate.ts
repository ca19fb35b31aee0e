// MIGRATE (cluster.c migrateCommand): moves keys to another instance with RESTORE (or
// RESTORE-ASKING in cluster mode) carrying DUMP payloads, then deletes the ones the target
// acknowledged. As in Redis the command is synchronous: the node waits for the target (see
// migrate/links.ts), so a key is on one side or the other, never missing from both.

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import type { CommandSpec } from './spec';
import type { Value } from '../keyspace/value';
import { Err } from '../errors';
import { is, parseI64 } from './args';
import { lookupRead } from './lookup';
import { dumpPayload } from '../keyspace/dump-payload';
import { dumpOptions } from './dump';
import { NotifyClass } from '../keyspace/notify-types';
import { MigrateLinks } from '../migrate/links';
import { KeyStatus, Outcome } from '../migrate/link-worker';

const KEYS_NEED_EMPTY_KEY = 'ERR When using MIGRATE KEYS option, the key argument must be set to the empty string';

/** The target connections (one link worker per process, started on first use). */
let links: MigrateLinks | null = null;

interface MigrateArgs {
  copy: boolean;
  replace: boolean;
  auth: string[] | null;
  firstKey: number;
  keyCount: number;
}

/** The options after the timeout, or an error message. */
function parseOptions(args: string[]): MigrateArgs | string {
  const out: MigrateArgs = { copy: false, replace: false, auth: null, firstKey: 3, keyCount: 1 };
  for (let j = 6; j < args.length; j++) {
    const more = args.length - 1 - j;
    const opt = args[j];
    if (is(opt, 'copy')) out.copy = true;
    else if (is(opt, 'replace')) out.replace = true;
    else if (is(opt, 'auth')) {
      if (more < 1) return Err.syntax;
      out.auth = [args[++j]];
    } else if (is(opt, 'auth2')) {
      if (more < 2) return Err.syntax;
      out.auth = [args[j + 1], args[j + 2]];
      j += 2;
    } else if (is(opt, 'keys')) {
      if (args[3].length !== 0) return KEYS_NEED_EMPTY_KEY;
      out.firstKey = j + 1;
      out.keyCount = args.length - j - 1;
      break;
    } else {
      return Err.syntax;
    }
  }
  return out;
}

/** C's atoi, as Redis reads the port: leading digits, 0 when there are none. */
function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number(m[1]);
}

/** migrateGetKeys: the key argument, or every argument after KEYS. */
export function migrateKeys(args: readonly string[]): number[] {
  for (let i = 6; i < args.length; i++) {
    if (is(args[i], 'auth')) i++;
    else if (is(args[i], 'auth2')) i += 2;
    else if (is(args[i], 'keys')) {
      if (args[3].length > 0) return [];
      const out: number[] = [];
      for (let k = i + 1; k < args.length; k++) out.push(k);
      return out;
    }
  }
  return [3];
}

function encodeCommand(args: readonly string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

function migrate(c: Client, args: string[], node: NodeContext): void {
  const opts = parseOptions(args);
  if (typeof opts === 'string') return c.error(opts);
  let timeoutMs = parseI64(args[5]);
  const dbid = parseI64(args[4]);
  if (timeoutMs === undefined || dbid === undefined) return c.error(Err.notInteger);
  if (timeoutMs <= 0) timeoutMs = 1000;

  const keys: string[] = [];
  const values: Value[] = [];
  for (let j = 0; j < opts.keyCount; j++) {
    const key = args[opts.firstKey + j];
    const v = lookupRead(c, key, node);
    if (v === undefined) continue;
    keys.push(key);
    values.push(v);
  }
  // Often a key expired meanwhile: not an error (Redis's +NOKEY).
  if (keys.length === 0) return c.status('NOKEY');

  const port = atoi(args[2]);
  // Redis would try to connect and fail to write: the same reply without the attempt.
  if (port <= 0 || port > 65535) return c.error('IOERR error or timeout writing to target instance');

  const db = c.db;
  const restore = node.cluster !== null ? 'RESTORE-ASKING' : 'RESTORE';
  const now = Date.now();
  const dumpOpts = dumpOptions(node);
  let restores = '';
  for (let j = 0; j < keys.length; j++) {
    const at = db.expireAt(keys[j]);
    const ttl = at === undefined ? 0 : Math.max(1, at - now);
    const cmd = [restore, keys[j], String(ttl), dumpPayload(values[j], dumpOpts).toString('latin1')];
    if (opts.replace) cmd.push('REPLACE');
    restores += encodeCommand(cmd);
  }

  links ??= new MigrateLinks();
  const result = links.exchange({
    host: args[1],
    port,
    timeoutMs,
    auth: opts.auth,
    dbid,
    restores: Buffer.from(restores, 'latin1'),
    keys: keys.length,
  });

  // Keys the target acknowledged leave this node (unless COPY), even when a later one failed.
  if (!opts.copy) {
    const moved: string[] = [];
    for (let j = 0; j < keys.length; j++) {
      if (result.statuses[j] !== KeyStatus.Ok) continue;
      if (!db.delete(keys[j])) continue;
      node.keyspace.modified(db, keys[j]);
      node.keyspace.notify(NotifyClass.Generic, 'del', db, keys[j]);
      moved.push(keys[j]);
    }
    // Logged and replicated as the DEL of what moved (Redis rewrites the command vector).
    if (moved.length > 0) node.effects.propagate(c.dbIndex, ['DEL', ...moved]);
  }

  if (result.error !== null) return c.error('ERR Target instance replied with error: ' + result.error);
  switch (result.outcome) {
    case Outcome.Replied:
      return c.ok();
    case Outcome.ConnectTimeout:
      return c.error('IOERR error or timeout connecting to the client');
    case Outcome.WriteFailed:
      return c.error('IOERR error or timeout writing to target instance');
    default:
      return c.error('IOERR error or timeout reading to target instance');
  }
}

export const migrateCommands: CommandSpec[] = [
  {
    name: 'migrate',
    arity: -6,
    flags: ['write', 'movablekeys'],
    firstKey: 3,
    lastKey: 3,
    step: 1,
    group: 'generic',
    run: migrate,
    keys: migrateKeys,
  },
];
