// CLIENT and its subcommands (networking.c clientCommand): ID, INFO, LIST, KILL, SETNAME,
// GETNAME, REPLY, NO-EVICT, UNBLOCK, the tracking queries and HELP. Also the one-line client
// description CLIENT LIST and CLIENT INFO print, field for field as Redis 7.0 writes it.

import type { Socket } from 'node:net';
import { ADMIN_FLAGS, subcommand, type CommandFlag, type CommandSpec, type Handler } from './spec';
import type { Client } from '../server/client';
import { pendingOutput } from '../server/socket-io';
import { Err } from '../errors';
import { R, statusLines } from '../resp/replies';
import { is, parseI64 } from './args';
import { isReadonlyClient } from '../cluster/redirect';

// ── Shared pieces ────────────────────────────────────────────────────────────────────────

/** The name of Cinnabar's only user, as CLIENT LIST and AUTH know it. */
export const DEFAULT_USER = 'default';

/** Redis's validateClientName: printable ASCII without spaces ('!' to '~'); empty clears. */
export function validClientName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    if (ch < 0x21 || ch > 0x7e) return false;
  }
  return true;
}

/** addReplySubcommandSyntaxError: the subcommand as sent, the command uppercased. */
export function subcommandSyntaxError(c: Client, args: readonly string[]): void {
  c.error(Err.subcommandSyntax(args[1].slice(0, 128), args[0].toUpperCase()));
}

/** Client types as CLIENT LIST TYPE and CLIENT KILL TYPE name them (getClientTypeByName). */
type ClientType = 'normal' | 'replica' | 'master' | 'pubsub';

function clientTypeByName(name: string): ClientType | undefined {
  const n = name.toLowerCase();
  if (n === 'normal' || n === 'master' || n === 'pubsub' || n === 'replica') return n;
  if (n === 'slave') return 'replica';
  return undefined;
}

/** getClientType: MONITOR clients count as normal ones, subscribers as pubsub. */
function clientType(c: Client): ClientType {
  if (c.kind === 'master') return 'master';
  if (c.kind === 'replica') return 'replica';
  if (subscriptionCount(c) > 0) return 'pubsub';
  return 'normal';
}

function subscriptionCount(c: Client): number {
  const s = c.subscriptions;
  return s.channels.size + s.patterns.size + s.shardChannels.size;
}

// ── The client description line (catClientInfoString) ─────────────────────────────────────

/** A per-client stand-in for the file descriptor when the socket handle does not expose one. */
const fallbackFds = new WeakMap<Client, number>();
let nextFallbackFd = 1000;

/**
 * The socket's file descriptor, read from libuv's handle (undocumented but present on
 * Unix for TCP sockets). Where it is missing, a stable per-client number from 1000 up.
 */
function socketFd(c: Client): number {
  const handle = (c.socket as Socket & { _handle?: { fd?: unknown } })._handle;
  const fd = handle?.fd;
  if (typeof fd === 'number' && fd >= 0) return fd;
  let n = fallbackFds.get(c);
  if (n === undefined) {
    n = nextFallbackFd++;
    fallbackFds.set(c, n);
  }
  return n;
}

function flagLetters(c: Client): string {
  let f = '';
  if (c.kind === 'replica') f += 'S';
  else if (c.kind === 'monitor') f += 'O';
  if (c.kind === 'master') f += 'M';
  if (subscriptionCount(c) > 0) f += 'P';
  if (c.multiQueue !== null) f += 'x';
  if (c.unblock !== null) f += 'b';
  if (c.closeAfterReply) f += 'c';
  if (isReadonlyClient(c)) f += 'r';
  if (c.noEvict) f += 'e';
  return f === '' ? 'N' : f;
}

function argvBytes(args: readonly string[]): number {
  let n = 0;
  for (const a of args) n += a.length;
  return n;
}

/**
 * One line of CLIENT LIST for `target`, without the trailing newline. `caller` and
 * `callerArgs` describe the command being run: its args are the only ones still held
 * (argv-mem) and its name is what `cmd=` shows for the caller, as in Redis where lastcmd is
 * set before the command runs.
 *
 * Fields Cinnabar has no equivalent for are derived honestly: qbuf-free is 0 (the request
 * decoder keeps no spare capacity), rbs/rbp are 0 (replies go to a growing string, not a
 * fixed 16 KB buffer, which obl reports), tot-mem is the sum of the buffers listed.
 */
export function clientInfoLine(target: Client, caller: Client, callerCmd: string, callerArgs: readonly string[]): string {
  const nowSec = Math.floor(Date.now() / 1000);
  const isCaller = target === caller;
  const qbuf = target.decoder.buffered;
  const argvMem = isCaller ? argvBytes(callerArgs) : 0;
  let multiMem = 0;
  if (target.multiQueue !== null) {
    // Redis adds a pointer per argument to the argument bytes (mstate.argv_len_sums).
    for (const q of target.multiQueue) multiMem += argvBytes(q) + 8 * q.length;
  }
  const obl = target.out.length;
  let oll = 0;
  const queued = pendingOutput(target.socket);
  let omem = queued;
  if (target.outChunks !== null) {
    oll = target.outChunks.length;
    for (const b of target.outChunks) omem += b.length;
  }
  const totMem = qbuf + argvMem + multiMem + obl + omem;
  const events = (target.socket.isPaused() ? '' : 'r') + (queued > 0 ? 'w' : '');
  const s = target.subscriptions;
  return (
    `id=${target.id} addr=${target.addr} laddr=${target.laddr} fd=${socketFd(target)}` +
    ` name=${target.name} age=${nowSec - Math.floor(target.createdAt / 1000)}` +
    ` idle=${nowSec - Math.floor(target.lastInteraction / 1000)} flags=${flagLetters(target)}` +
    ` db=${target.dbIndex} sub=${s.channels.size} psub=${s.patterns.size} ssub=${s.shardChannels.size}` +
    ` multi=${target.multiQueue === null ? -1 : target.multiQueue.length} qbuf=${qbuf} qbuf-free=0` +
    ` argv-mem=${argvMem} multi-mem=${multiMem} rbs=0 rbp=0 obl=${obl} oll=${oll} omem=${omem}` +
    ` tot-mem=${totMem} events=${events} cmd=${isCaller ? (caller.inExec ? 'exec' : callerCmd) : target.lastCommand}` +
    ` user=${DEFAULT_USER} redir=-1 resp=${target.resp}`
  );
}

// ── Subcommands ──────────────────────────────────────────────────────────────────────────

const HELP = [
  'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
  'HELP',
  '    Prints this help.',
];

const HELP_REPLY = statusLines(HELP);

const info: Handler = (c, args) => {
  c.verbatim(clientInfoLine(c, c, 'client|info', args) + '\n');
};

const list: Handler = (c, args, node) => {
  let out = '';
  if (args.length === 4 && is(args[2], 'type')) {
    const type = clientTypeByName(args[3]);
    if (type === undefined) return c.error(Err.unknownClientType(args[3]));
    for (const t of node.clients.values()) {
      if (clientType(t) === type) out += clientInfoLine(t, c, 'client|list', args) + '\n';
    }
  } else if (args.length > 3 && is(args[2], 'id')) {
    // Every id is checked before anything is listed; unknown ids are skipped silently.
    const ids: number[] = [];
    for (let j = 3; j < args.length; j++) {
      const id = parseI64(args[j]);
      if (id === undefined) return c.error(Err.invalidClientId);
      ids.push(id);
    }
    for (const id of ids) {
      const t = node.clients.get(id);
      if (t !== undefined) out += clientInfoLine(t, c, 'client|list', args) + '\n';
    }
  } else if (args.length !== 2) {
    return c.error(Err.syntax);
  } else {
    for (const t of node.clients.values()) out += clientInfoLine(t, c, 'client|list', args) + '\n';
  }
  c.verbatim(out);
};

interface KillFilter {
  addr?: string;
  laddr?: string;
  type?: ClientType;
  id?: number;
  user?: string;
  skipMe: boolean;
}

/** Parses CLIENT KILL's filters (or the old single-address form); null after replying. */
function parseKillFilter(c: Client, args: readonly string[]): KillFilter | null {
  if (args.length === 3) return { addr: args[2], skipMe: false }; // the old form may kill itself
  const f: KillFilter = { skipMe: true };
  for (let i = 2; i < args.length; i += 2) {
    const opt = args[i];
    const more = i + 1 < args.length;
    if (more && is(opt, 'id')) {
      const id = parseI64(args[i + 1]);
      if (id === undefined || id < 1) {
        c.error(Err.clientIdPositive);
        return null;
      }
      f.id = id;
    } else if (more && is(opt, 'type')) {
      const type = clientTypeByName(args[i + 1]);
      if (type === undefined) {
        c.error(Err.unknownClientType(args[i + 1]));
        return null;
      }
      f.type = type;
    } else if (more && is(opt, 'addr')) {
      f.addr = args[i + 1];
    } else if (more && is(opt, 'laddr')) {
      f.laddr = args[i + 1];
    } else if (more && is(opt, 'user')) {
      if (args[i + 1] !== DEFAULT_USER) {
        c.error(Err.noSuchUser(args[i + 1]));
        return null;
      }
      f.user = args[i + 1];
    } else if (more && is(opt, 'skipme')) {
      if (is(args[i + 1], 'yes')) f.skipMe = true;
      else if (is(args[i + 1], 'no')) f.skipMe = false;
      else {
        c.error(Err.syntax);
        return null;
      }
    } else {
      c.error(Err.syntax);
      return null;
    }
  }
  return f;
}

const kill: Handler = (c, args, node) => {
  const f = parseKillFilter(c, args);
  if (f === null) return;
  let killed = 0;
  let killSelf = false;
  for (const t of [...node.clients.values()]) {
    if (f.addr !== undefined && t.addr !== f.addr) continue;
    if (f.laddr !== undefined && t.laddr !== f.laddr) continue;
    if (f.type !== undefined && clientType(t) !== f.type) continue;
    if (f.id !== undefined && t.id !== f.id) continue;
    // Every connection is the default user's, so a USER filter that parsed matches all.
    if (t === c && f.skipMe) continue;
    if (t === c) killSelf = true;
    else t.close();
    killed++;
  }
  if (args.length === 3) {
    if (killed === 0) c.error(Err.noSuchClient);
    else c.ok();
  } else {
    c.int(killed);
  }
  // The caller hears its answer before its own connection closes.
  if (killSelf) c.closeAfterReplies();
};

const setname: Handler = (c, args) => {
  if (!validClientName(args[2])) return c.error(Err.clientNameSpaces);
  c.name = args[2];
  c.ok();
};

const reply: Handler = (c, args) => {
  const mode = args[2];
  if (is(mode, 'on')) {
    c.replyOff = false;
    c.skipNext = false;
    c.muted = false;
    c.ok();
  } else if (is(mode, 'off')) {
    c.replyOff = true;
    c.muted = true;
  } else if (is(mode, 'skip')) {
    if (!c.replyOff) c.skipNext = true;
  } else {
    c.error(Err.syntax);
  }
};

const noEvict: Handler = (c, args) => {
  if (is(args[2], 'on')) c.noEvict = true;
  else if (is(args[2], 'off')) c.noEvict = false;
  else return c.error(Err.syntax);
  c.ok();
};

const unblock: Handler = (c, args, node) => {
  if (args.length !== 3 && args.length !== 4) return subcommandSyntaxError(c, args);
  const id = parseI64(args[2]);
  if (id === undefined) return c.error(Err.notInteger);
  let withError = false;
  if (args.length === 4) {
    if (is(args[3], 'timeout')) withError = false;
    else if (is(args[3], 'error')) withError = true;
    else return c.error(Err.unblockReason);
  }
  const target = node.clients.get(id);
  if (target !== undefined && target.unblock !== null) {
    target.unblock(withError);
    c.write(R.one);
  } else {
    c.write(R.zero);
  }
};

// Client-side caching (CLIENT TRACKING) is not implemented, so these answer as Redis does
// for a connection that has tracking off.
const getredir: Handler = (c) => c.write(R.minusOne);

const caching: Handler = (c) => c.error(Err.cachingWithoutTracking);

const trackinginfo: Handler = (c) => {
  c.mapHeader(3);
  c.bulk('flags');
  c.setHeader(1);
  c.bulk('off');
  c.bulk('redirect');
  c.int(-1);
  c.bulk('prefixes');
  c.arrayHeader(0);
};

// ── Table ────────────────────────────────────────────────────────────────────────────────

const PLAIN: readonly CommandFlag[] = ['noscript', 'loading', 'stale'];
const ADMIN = ADMIN_FLAGS;

function sub(name: string, arity: number, flags: readonly CommandFlag[], run: Handler): CommandSpec {
  return subcommand(name, arity, flags, 'connection', run);
}

export const clientCommands: CommandSpec[] = [
  {
    name: 'client',
    arity: -2,
    flags: [],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'connection',
    subcommands: [
      sub('caching', 3, PLAIN, caching),
      sub('getname', 2, PLAIN, (c) => c.bulkOrNull(c.name === '' ? undefined : c.name)),
      sub('getredir', 2, PLAIN, getredir),
      sub('help', 2, ['loading', 'stale'], (c) => c.write(HELP_REPLY)),
      sub('id', 2, PLAIN, (c) => c.int(c.id)),
      sub('info', 2, PLAIN, info),
      sub('kill', -3, ADMIN, kill),
      sub('list', -2, ADMIN, list),
      sub('no-evict', 3, ADMIN, noEvict),
      sub('reply', 3, PLAIN, reply),
      sub('setname', 3, PLAIN, setname),
      sub('trackinginfo', 2, PLAIN, trackinginfo),
      sub('unblock', -3, ADMIN, unblock),
    ],
  },
];
