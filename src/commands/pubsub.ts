// Pub/sub commands (pubsub.c): SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE SSUBSCRIBE
// SUNSUBSCRIBE PUBLISH SPUBLISH and the PUBSUB introspection subcommands. The state and the
// delivery live in pubsub/pubsub.ts; the RESP2 subscriber-mode restriction in the gatekeeper.

import type { NodeContext } from '../node-context';
import type { CommandFlag, CommandSpec, Handler } from './spec';
import { Err } from '../errors';
import { globMatch } from '../keyspace/glob';
import { subcommandSyntaxError } from './client';
import { statusLines } from '../resp/replies';

const SUBSCRIBE_FLAGS: readonly CommandFlag[] = ['pubsub', 'noscript', 'loading', 'stale'];
const PUBLISH_FLAGS: readonly CommandFlag[] = ['pubsub', 'loading', 'stale', 'fast'];
const INTROSPECTION_FLAGS: readonly CommandFlag[] = ['pubsub', 'loading', 'stale'];

function spec(name: string, arity: number, flags: readonly CommandFlag[], run: Handler, firstKey = 0, lastKey = 0, step = 0): CommandSpec {
  return { name, arity, flags, firstKey, lastKey, step, group: 'pubsub', run };
}

// ── Subscribing ──────────────────────────────────────────────────────────────────────────

// SUBSCRIBE and PSUBSCRIBE are allowed inside MULTI (Redis keeps that for backward
// compatibility); SSUBSCRIBE is refused there, as for any client that cannot block.

const subscribe: Handler = (c, args, node) => {
  for (let j = 1; j < args.length; j++) node.pubsub.subscribe(c, args[j]);
};

const psubscribe: Handler = (c, args, node) => {
  for (let j = 1; j < args.length; j++) node.pubsub.psubscribe(c, args[j]);
};

const ssubscribe: Handler = (c, args, node) => {
  if (c.inExec) return c.error(Err.denyBlocking('SSUBSCRIBE'));
  for (let j = 1; j < args.length; j++) node.pubsub.ssubscribe(c, args[j]);
};

const unsubscribe: Handler = (c, args, node) => {
  if (args.length === 1) return node.pubsub.unsubscribeAll(c);
  for (let j = 1; j < args.length; j++) node.pubsub.unsubscribe(c, args[j]);
};

const punsubscribe: Handler = (c, args, node) => {
  if (args.length === 1) return node.pubsub.punsubscribeAll(c);
  for (let j = 1; j < args.length; j++) node.pubsub.punsubscribe(c, args[j]);
};

const sunsubscribe: Handler = (c, args, node) => {
  if (args.length === 1) return node.pubsub.sunsubscribeAll(c);
  for (let j = 1; j < args.length; j++) node.pubsub.sunsubscribe(c, args[j]);
};

// ── Publishing ───────────────────────────────────────────────────────────────────────────

const publish: Handler = (c, args, node) => {
  c.int(node.pubsub.publish(args[1], args[2]));
};

/** SPUBLISH: in standalone mode the node holds every shard channel. */
const spublish: Handler = (c, args, node) => {
  c.int(node.pubsub.spublish(args[1], args[2]));
};

// ── PUBSUB ───────────────────────────────────────────────────────────────────────────────

const HELP = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
  'HELP',
  '    Prints this help.',
];

const HELP_REPLY = statusLines(HELP);

/** CHANNELS / SHARDCHANNELS [pattern]: active channels matching the pattern, in no set order. */
function listChannels(registry: (node: NodeContext) => ReadonlyMap<string, unknown>): Handler {
  return (c, args, node) => {
    if (args.length > 3) return subcommandSyntaxError(c, args);
    const pattern = args.length === 3 ? args[2] : undefined;
    const found: string[] = [];
    for (const channel of registry(node).keys()) {
      if (pattern === undefined || globMatch(pattern, channel)) found.push(channel);
    }
    c.bulkArray(found);
  };
}

/** NUMSUB / SHARDNUMSUB [channel ...]: channel, count pairs in a flat array (also in RESP3). */
function numsub(count: (node: NodeContext, channel: string) => number): Handler {
  return (c, args, node) => {
    let s = '*' + (args.length - 2) * 2 + '\r\n';
    for (let j = 2; j < args.length; j++) {
      s += '$' + args[j].length + '\r\n' + args[j] + '\r\n:' + count(node, args[j]) + '\r\n';
    }
    c.write(s);
  };
}


export const pubsubCommands: CommandSpec[] = [
  spec('subscribe', -2, SUBSCRIBE_FLAGS, subscribe),
  spec('unsubscribe', -1, SUBSCRIBE_FLAGS, unsubscribe),
  spec('psubscribe', -2, SUBSCRIBE_FLAGS, psubscribe),
  spec('punsubscribe', -1, SUBSCRIBE_FLAGS, punsubscribe),
  spec('ssubscribe', -2, SUBSCRIBE_FLAGS, ssubscribe, 1, -1, 1),
  spec('sunsubscribe', -1, SUBSCRIBE_FLAGS, sunsubscribe, 1, -1, 1),
  spec('publish', 3, PUBLISH_FLAGS, publish),
  spec('spublish', 3, PUBLISH_FLAGS, spublish, 1, 1, 1),
  {
    name: 'pubsub',
    arity: -2,
    flags: [],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'pubsub',
    subcommands: [
      spec('channels', -2, INTROSPECTION_FLAGS, listChannels((node) => node.pubsub.channels)),
      spec('help', 2, ['loading', 'stale'], (c) => c.write(HELP_REPLY)),
      spec('numpat', 2, INTROSPECTION_FLAGS, (c, _args, node) => c.int(node.pubsub.patterns.size)),
      spec('numsub', -2, INTROSPECTION_FLAGS, numsub((node, ch) => node.pubsub.numsub(ch))),
      spec('shardchannels', -2, INTROSPECTION_FLAGS, listChannels((node) => node.pubsub.shardChannels)),
      spec('shardnumsub', -2, INTROSPECTION_FLAGS, numsub((node, ch) => node.pubsub.shardNumsub(ch))),
    ],
  },
];
