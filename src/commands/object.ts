// OBJECT ENCODING / REFCOUNT / IDLETIME / FREQ / HELP (object.c objectCommand). Cinnabar
// keeps no per-key access clock or LFU counter, so IDLETIME and FREQ answer the honest
// minimum described in redis-compat/DIFFERENCES.md.

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import type { CommandSpec, Handler } from './spec';
import type { Value } from '../keyspace/value';
import { isIntEncodable, stringEncoding } from '../keyspace/value';
import { lookupRead } from './lookup';
import { Err } from '../errors';
import { statusLines } from '../resp/replies';

/** Redis shares one object for each integer below this (OBJ_SHARED_INTEGERS). */
const SHARED_INTEGERS = 10000;
/** The refcount Redis reports for shared objects (OBJ_SHARED_REFCOUNT = INT_MAX). */
export const SHARED_REFCOUNT = 2147483647;

function lfuPolicy(node: NodeContext): boolean {
  return node.config.v.maxmemoryPolicy.endsWith('-lfu');
}

/**
 * Whether Redis would hold this value as a shared integer: an int-encoded 0..9999, unless
 * maxmemory is set with an LRU or LFU policy (shared objects carry no per-key clock).
 * Redis decides when the value is written; Cinnabar decides from the value and the
 * configuration at the time of the question.
 */
export function isSharedInteger(v: Value, node: NodeContext): boolean {
  if (typeof v !== 'string' || v.length > 4 || !isIntEncodable(v)) return false;
  const n = Number(v);
  if (n < 0 || n >= SHARED_INTEGERS) return false;
  const { maxmemory, maxmemoryPolicy } = node.config.v;
  return maxmemory === 0 || !(maxmemoryPolicy.endsWith('-lru') || maxmemoryPolicy.endsWith('-lfu'));
}

/** objectCommandLookupOrReply: the value, or undefined after replying a null. */
function lookupOrNull(c: Client, key: string, node: NodeContext): Value | undefined {
  const v = lookupRead(c, key, node);
  if (v === undefined) c.nullBulk();
  return v;
}

const encoding: Handler = (c, args, node) => {
  const v = lookupOrNull(c, args[2], node);
  if (v === undefined) return;
  c.bulk(typeof v === 'string' ? stringEncoding(v) : v.encoding());
};

const refcount: Handler = (c, args, node) => {
  const v = lookupOrNull(c, args[2], node);
  if (v === undefined) return;
  c.int(isSharedInteger(v, node) ? SHARED_REFCOUNT : 1);
};

/** No access clock is kept: 0, the one idle time that is never an overstatement. */
const idletime: Handler = (c, args, node) => {
  const v = lookupOrNull(c, args[2], node);
  if (v === undefined) return;
  if (lfuPolicy(node)) return c.error(Err.lfuSelected);
  c.int(0);
};

/** No LFU counter is kept: 0, as Redis reports a key with no recorded accesses. */
const freq: Handler = (c, args, node) => {
  const v = lookupOrNull(c, args[2], node);
  if (v === undefined) return;
  if (!lfuPolicy(node)) return c.error(Err.lfuNotSelected);
  c.int(0);
};

const HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
];

const HELP_REPLY = statusLines(HELP);

function keySub(name: string, run: Handler): CommandSpec {
  return { name, arity: 3, flags: ['readonly'], firstKey: 2, lastKey: 2, step: 1, group: 'generic', run };
}

export const objectCommands: CommandSpec[] = [
  {
    name: 'object',
    arity: -2,
    flags: [],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'generic',
    // In the order Redis's subcommand dict lists them (COMMAND INFO / DOCS show this order).
    subcommands: [
      keySub('freq', freq),
      keySub('idletime', idletime),
      keySub('refcount', refcount),
      keySub('encoding', encoding),
      { name: 'help', arity: 2, flags: ['loading', 'stale'], firstKey: 0, lastKey: 0, step: 0, group: 'generic', run: (c) => c.write(HELP_REPLY) },
    ],
  },
];
