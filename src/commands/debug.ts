// DEBUG: the subset of Redis's developer command that means something in Cinnabar (SLEEP,
// SET-ACTIVE-EXPIRE, OBJECT, POPULATE, PROTOCOL, LOG, ERROR, HELP). Like Redis 7.0 it is
// refused unless enable-debug-command allows it (default "no"). RELOAD, DIGEST, JMAP and the
// crash helpers are left out: they answer as any unknown DEBUG subcommand.

import type { CommandSpec } from './spec';
import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import type { Value } from '../keyspace/value';
import { stringEncoding } from '../keyspace/value';
import { Err } from '../errors';
import { atoi, parseI64 } from './args';
import { subcommandSyntaxError } from './client';
import { isSharedInteger, SHARED_REFCOUNT } from './object';
import { statusLines } from '../resp/replies';

// ── Permission (processCommand's CMD_PROTECTED check) ────────────────────────────────────

/** allowProtectedAction for enable-debug-command ("no" by default, "yes" or "local"). */
function debugAllowedFor(c: Client, node: NodeContext): boolean {
  const setting = node.config.v.enableDebugCommand;
  if (setting === 'yes') return true;
  // islocalClient: a loopback peer (Redis also counts unix sockets, which Cinnabar has none of).
  return setting === 'local' && (c.addr.startsWith('127.') || c.addr.startsWith('[::1]:'));
}

// ── Argument conversions with C's lenient rules ──────────────────────────────────────────

const STRTOD_RE = /^[ \t\n\v\f\r]*([+-]?)(?:(0[xX])([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?|((?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)|(inf(?:inity)?|nan))/i;

/** C's strtod(s, NULL): the longest valid prefix, 0 when there is none. */
export function strtod(s: string): number {
  const m = STRTOD_RE.exec(s);
  if (m === null) return 0;
  const sign = m[1] === '-' ? -1 : 1;
  if (m[7] !== undefined) return m[7].toLowerCase().startsWith('inf') ? sign * Infinity : NaN;
  if (m[6] !== undefined) return sign * Number(m[6]);
  const intPart = m[3] ?? '';
  const frac = m[4] ?? '';
  if (intPart === '' && frac === '') return 0; // "0x" alone is just the "0"
  let v = intPart === '' ? 0 : parseInt(intPart, 16);
  for (let i = 0; i < frac.length; i++) v += parseInt(frac[i], 16) / 16 ** (i + 1);
  return sign * v * 2 ** Number(m[5] ?? 0);
}


// ── SLEEP ─────────────────────────────────────────────────────────────────────────────────

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Blocks the whole process, as Redis's nanosleep does: no other client is served meanwhile
 * (tests use this to simulate a busy server). Redis converts to whole microseconds in a long
 * long; NaN, infinities and negatives come out invalid and nanosleep returns at once.
 */
function sleepSeconds(seconds: number): void {
  const usec = Math.trunc(seconds * 1e6);
  if (!Number.isFinite(usec) || usec <= 0 || usec > 9.2e18) return;
  Atomics.wait(sleepCell, 0, 0, usec / 1000);
}

// ── OBJECT ────────────────────────────────────────────────────────────────────────────────

/** Bytes of an RDB length prefix (rdbSaveLen). */
function rdbLenBytes(n: number): number {
  return n < 1 << 6 ? 1 : n < 1 << 14 ? 2 : n <= 0xffffffff ? 5 : 9;
}

/**
 * What rdbSaveStringObject would write for a string: integers that fit 32 bits in 2, 3 or
 * 5 bytes, anything else as length + bytes. Redis would LZF-compress strings over 20 bytes
 * when that saves space; Cinnabar does not, so compressible long strings read longer here.
 */
function serializedStringLength(s: string): number {
  if (s.length <= 11) {
    const n = parseI64(s);
    if (n !== undefined && String(n) === s) {
      if (n >= -128 && n <= 127) return 2;
      if (n >= -32768 && n <= 32767) return 3;
      if (n >= -2147483648 && n <= 2147483647) return 5;
    }
  }
  return rdbLenBytes(s.length) + s.length;
}

/** A stable stand-in for the object's address (JS values have none): a hash of db and key. */
function pseudoAddress(dbIndex: number, key: string): string {
  let h = 0x811c9dc5 ^ dbIndex;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return '0x7f' + (h >>> 0).toString(16).padStart(8, '0') + '00';
}

/**
 * Redis's "Value at:... refcount:... encoding:... serializedlength:... lru:...
 * lru_seconds_idle:..." line. lru is the current LRU clock and the idle time 0, as OBJECT
 * IDLETIME reports (Cinnabar keeps no per-key access clock); serializedlength is exact for
 * strings up to 20 bytes and for integers, and 0 for the other types (Cinnabar writes no RDB).
 */
function describeObject(c: Client, key: string, v: Value, node: NodeContext): string {
  const lruClock = Math.floor(Date.now() / 1000) & 0xffffff;
  const isString = typeof v === 'string';
  const refcount = isSharedInteger(v, node) ? SHARED_REFCOUNT : 1;
  const encoding = isString ? stringEncoding(v) : v.encoding();
  const serialized = isString ? serializedStringLength(v) : 0;
  return (
    `Value at:${pseudoAddress(c.dbIndex, key)} refcount:${refcount} encoding:${encoding}` +
    ` serializedlength:${serialized} lru:${lruClock} lru_seconds_idle:0`
  );
}

// ── POPULATE ──────────────────────────────────────────────────────────────────────────────

/** getPositiveLongFromObjectOrReply with its default message; undefined after replying. */
function positiveLong(c: Client, s: string): number | undefined {
  const n = parseI64(s);
  if (n === undefined || n < 0) {
    c.error(Err.mustBePositive);
    return undefined;
  }
  return n;
}

function populate(c: Client, args: string[], node: NodeContext): void {
  const count = positiveLong(c, args[2]);
  if (count === undefined) return;
  let valueSize = 0;
  if (args.length === 5) {
    const n = positiveLong(c, args[4]);
    if (n === undefined) return;
    // Redis allocates whatever is asked (and dies of it when it cannot); a JS string past
    // proto-max-bulk-len (capped at MAX_STRING_BYTES) would throw a RangeError and kill the node.
    if (n > node.config.v.protoMaxBulkLen) return c.error(Err.stringTooLong);
    valueSize = n;
  }
  const prefix = args.length === 3 ? 'key' : args[3];
  for (let j = 0; j < count; j++) {
    // Redis formats the key into a 128-byte buffer, so long prefixes are cut at 127 bytes.
    const key = `${prefix}:${j}`.slice(0, 127);
    if (c.db.get(key) !== undefined) continue;
    let value = `value:${j}`;
    if (valueSize !== 0) value = value.length >= valueSize ? value.slice(0, valueSize) : value.padEnd(valueSize, '\0');
    c.db.set(key, value);
    node.keyspace.modified(c.db, key);
  }
  c.ok();
}

// ── PROTOCOL ──────────────────────────────────────────────────────────────────────────────

function protocol(c: Client, type: string): void {
  const resp3 = c.resp === 3;
  switch (type.toLowerCase()) {
    case 'string':
      return c.bulk('Hello World');
    case 'integer':
      return c.int(12345);
    case 'double':
      return c.write(resp3 ? ',3.141\r\n' : '$5\r\n3.141\r\n');
    case 'bignum': {
      const big = '1234567999999999999999999999999999999';
      return c.write(resp3 ? '(' + big + '\r\n' : '$' + big.length + '\r\n' + big + '\r\n');
    }
    case 'null':
      return c.nullBulk();
    case 'array':
    case 'set':
      if (type.toLowerCase() === 'set') c.setHeader(3);
      else c.arrayHeader(3);
      for (let j = 0; j < 3; j++) c.int(j);
      return;
    case 'map':
      c.mapHeader(3);
      for (let j = 0; j < 3; j++) {
        c.int(j);
        c.bool(j === 1);
      }
      return;
    case 'attrib':
      if (resp3) c.write('|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n');
      return c.bulk('Some real reply following the attribute');
    case 'push':
      if (!resp3) return c.error(Err.resp2NotSupported);
      c.write('>2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n');
      return c.bulk('Some real reply following the push reply');
    case 'verbatim':
      return c.verbatim('This is a verbatim\nstring');
    case 'true':
      return c.bool(true);
    case 'false':
      return c.bool(false);
    default:
      return c.error(Err.debugProtocolType);
  }
}

// ── HELP and dispatch ─────────────────────────────────────────────────────────────────────

/** Redis's lines for the subcommands Cinnabar has (the others are not advertised). */
const HELP = [
  'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ERROR <string>',
  '    Return a Redis protocol error with <string> as message. Useful for clients',
  '    unit tests to simulate Redis errors.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named key:<num>. If <prefix> is specified then',
  '    it is used instead of the \'key\' prefix. These are not propagated to',
  '    replicas. Cluster slots are not respected so keys not belonging to the',
  '    current node can be created in cluster mode.',
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'HELP',
  '    Prints this help.',
];

const HELP_REPLY = statusLines(HELP);

export const debugCommands: CommandSpec[] = [
  {
    name: 'debug',
    arity: -2,
    flags: ['admin', 'noscript', 'loading', 'stale'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'server',
    run(c, args, node) {
      if (!debugAllowedFor(c, node)) return c.error(Err.debugNotAllowed);
      const sub = args[1].toLowerCase();
      const n = args.length;
      if (sub === 'help' && n === 2) {
        c.write(HELP_REPLY);
      } else if (sub === 'sleep' && n === 3) {
        sleepSeconds(strtod(args[2]));
        c.ok();
      } else if (sub === 'set-active-expire' && n === 3) {
        node.keyspace.activeExpireEnabled = atoi(args[2]) !== 0;
        c.ok();
      } else if (sub === 'object' && n === 3) {
        // Redis looks in the dict directly: a key past its expiry is still described.
        const v = c.db.peek(args[2]);
        if (v === undefined) return c.error(Err.noSuchKey);
        c.status(describeObject(c, args[2], v, node));
      } else if (sub === 'populate' && n >= 3 && n <= 5) {
        populate(c, args, node);
      } else if (sub === 'protocol' && n === 3) {
        protocol(c, args[2]);
      } else if (sub === 'log' && n === 3) {
        node.log.warn(`DEBUG LOG: ${args[2]}`);
        c.ok();
      } else if (sub === 'error' && n === 3) {
        c.error(args[2]);
      } else {
        subcommandSyntaxError(c, args);
      }
    },
  },
];
