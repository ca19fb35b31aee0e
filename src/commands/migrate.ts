// MIGRATE (cluster.c migrateCommand): moves keys to another instance with RESTORE (or
// RESTORE-ASKING in cluster mode) carrying DUMP payloads, then deletes the ones the target
// acknowledged. As in Redis the command is synchronous: the node waits for the target (see
// migrate/links.ts), so a key is on one side or the other, never missing from both.

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import { keyCommand, type CommandSpec } from './spec';
import type { Value } from '../keyspace/value';
import { Err } from '../errors';
import { atoi, is, parseI64 } from './args';
import { lookupRead } from './lookup';
import { dumpPayload } from '../keyspace/dump-payload';
import { dumpOptions } from './dump';
import { NotifyClass } from '../keyspace/notify-types';
import { MigrateLinks } from '../migrate/links';
import { KeyStatus, LinkOutcome, encodeBulks } from '../migrate/protocol';

/** Node's timers take at most this many ms (longer ones fire at once). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The target connections (one link worker per process, started on first use). */
let links: MigrateLinks | null = null;

interface MigrateArgs {
  copy: boolean;
  replace: boolean;
  auth: string[] | null;
  firstKey: number;
  keyCount: number;
  /** Positions of passwords, kept out of the slow log. */
  redact: number[];
}

/** The options after the timeout, or an error message. */
function parseOptions(args: string[]): MigrateArgs | string {
  const out: MigrateArgs = { copy: false, replace: false, auth: null, firstKey: 3, keyCount: 1, redact: [] };
  for (let j = 6; j < args.length; j++) {
    const more = args.length - 1 - j;
    const opt = args[j];
    if (is(opt, 'copy')) out.copy = true;
    else if (is(opt, 'replace')) out.replace = true;
    else if (is(opt, 'auth')) {
      if (more < 1) return Err.syntax;
      out.auth = [args[++j]];
      out.redact.push(j);
    } else if (is(opt, 'auth2')) {
      if (more < 2) return Err.syntax;
      out.auth = [args[j + 1], args[j + 2]];
      out.redact.push(j + 1, j + 2);
      j += 2;
    } else if (is(opt, 'keys')) {
      if (args[3].length !== 0) return Err.migrateKeysNeedEmptyKey;
      out.firstKey = j + 1;
      out.keyCount = args.length - j - 1;
      break;
    } else {
      return Err.syntax;
    }
  }
  return out;
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

/**
 * RESTORE key ttl payload [REPLACE] in RESP, as pieces: the payload stays bytes, since a
 * batch of big values would not fit in one JS string.
 */
function restoreCommand(name: string, key: string, ttl: number, payload: Buffer, replace: boolean): Buffer[] {
  const head = `*${replace ? 5 : 4}\r\n` + encodeBulks([name, key, String(ttl)]) + `$${payload.length}\r\n`;
  const tail = '\r\n' + (replace ? encodeBulks(['REPLACE']) : '');
  return [Buffer.from(head, 'latin1'), payload, Buffer.from(tail, 'latin1')];
}

function migrate(c: Client, args: string[], node: NodeContext): void {
  // Only the DEL of what moved is logged, never the command: a replay must not migrate again
  // (even when a lookup below expires a key, which counts as a change).
  node.effects.declareOnly();
  const opts = parseOptions(args);
  if (typeof opts === 'string') return c.error(opts);
  for (const i of opts.redact) c.redact(i);
  let timeoutMs = parseI64(args[5]);
  const dbid = parseI64(args[4]);
  if (timeoutMs === undefined || dbid === undefined) return c.error(Err.notInteger);
  if (timeoutMs <= 0) timeoutMs = 1000;
  timeoutMs = Math.min(timeoutMs, MAX_TIMEOUT_MS);

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
  if (port <= 0 || port > 65535) return c.error(Err.migrateWrite);

  const db = c.db;
  const restore = node.cluster !== null ? 'RESTORE-ASKING' : 'RESTORE';
  const now = Date.now();
  const dumpOpts = dumpOptions(node);
  const restores: Buffer[] = [];
  const sent: string[] = [];
  for (let j = 0; j < keys.length; j++) {
    const at = db.expireAt(keys[j]);
    // A key that expired since its lookup is neither sent nor deleted here.
    if (at !== undefined && at < now) continue;
    const ttl = at === undefined ? 0 : Math.max(1, at - now);
    restores.push(...restoreCommand(restore, keys[j], ttl, dumpPayload(values[j], dumpOpts), opts.replace));
    sent.push(keys[j]);
  }
  if (sent.length === 0) return c.status('NOKEY');

  links ??= new MigrateLinks((err) => node.log.error({ err: err.message }, 'MIGRATE link worker failed'));
  const result = links.exchange({ host: args[1], port, timeoutMs, auth: opts.auth, dbid, restores: Buffer.concat(restores), keys: sent.length });

  // Keys the target acknowledged leave this node (unless COPY), even when a later one failed.
  if (!opts.copy) {
    const moved: string[] = [];
    for (let j = 0; j < sent.length; j++) {
      if (result.statuses[j] !== KeyStatus.Ok) continue;
      if (!db.delete(sent[j])) continue;
      node.keyspace.modified(db, sent[j]);
      node.keyspace.notify(NotifyClass.Generic, 'del', db, sent[j]);
      moved.push(sent[j]);
    }
    // Logged and replicated as the DEL of what moved (Redis rewrites the command vector).
    if (moved.length > 0) node.effects.propagate(c.dbIndex, ['DEL', ...moved]);
  }

  if (result.error !== null) return c.error(Err.migrateTargetError(result.error));
  switch (result.outcome) {
    case LinkOutcome.Replied:
      return c.ok();
    case LinkOutcome.ConnectTimeout:
      return c.error(Err.migrateConnect);
    case LinkOutcome.WriteFailed:
      return c.error(Err.migrateWrite);
    default:
      return c.error(Err.migrateRead);
  }
}

export const migrateCommands: CommandSpec[] = [
  { ...keyCommand('migrate', -6, ['write', 'movablekeys'], 'generic', migrate, 3, 3, 1), keys: migrateKeys },
];
