// COMMAND and its subcommands (COUNT, INFO, DOCS, LIST, GETKEYS, GETKEYSANDFLAGS, HELP): the
// command table as Redis 7.0 describes it. Arity, flags and key positions come from each
// command's own declaration; ACL categories, tips, key specs and docs from meta/.

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import { subcommand, type Command, type CommandSpec, type Handler } from './spec';
import { Err } from '../errors';
import { globMatch } from '../keyspace/glob';
import { R, statusLines } from '../resp/replies';
import { aclCategories, commandHasKeys, commandKeys, redisMeta, visibleFlags } from './meta';
import { encodeTree, mapHeader, setHeader } from './meta/resp-tree';

// ── Rendering, cached per command and protocol (the table does not change at run time) ──

const infoCache = new WeakMap<Command, [string, string]>();
const docsCache = new WeakMap<Command, [string, string]>();

function statusSet(items: readonly string[], resp: 2 | 3): string {
  let s = setHeader(items.length, resp);
  for (const it of items) s += '+' + it + '\r\n';
  return s;
}

/** server.c addReplyCommandInfo: [name, arity, flags, first, last, step, acl, tips, key specs, subcommands]. */
function renderInfo(cmd: Command, resp: 2 | 3): string {
  const spec = cmd.spec;
  const meta = redisMeta(cmd.fullName);
  const out: string[] = ['*10\r\n', '$' + cmd.fullName.length + '\r\n' + cmd.fullName + '\r\n'];
  out.push(':' + spec.arity + '\r\n', statusSet(visibleFlags(spec.flags), resp));
  out.push(':' + spec.firstKey + '\r\n:' + spec.lastKey + '\r\n:' + spec.step + '\r\n');
  if (meta !== undefined) {
    encodeTree(meta.aclCategories, resp, out);
    encodeTree(meta.tips, resp, out);
    encodeTree(meta.keySpecs, resp, out);
  } else {
    out.push(setHeader(0, resp), setHeader(0, resp), setHeader(0, resp));
  }
  // server.c addReplyCommandSubCommands: an empty set without subcommands, an array with.
  if (cmd.subcommands === null) out.push(setHeader(0, resp));
  else {
    out.push('*' + cmd.subcommands.size + '\r\n');
    for (const sub of cmd.subcommands.values()) out.push(commandInfo(sub, resp));
  }
  return out.join('');
}

/** The rendering of `cmd` for `resp`, made once for both protocols. */
function cached(cache: WeakMap<Command, [string, string]>, render: (cmd: Command, resp: 2 | 3) => string, cmd: Command, resp: 2 | 3): string {
  let both = cache.get(cmd);
  if (both === undefined) {
    both = [render(cmd, 2), render(cmd, 3)];
    cache.set(cmd, both);
  }
  return both[resp - 2];
}

function commandInfo(cmd: Command, resp: 2 | 3): string {
  return cached(infoCache, renderInfo, cmd, resp);
}

/** server.c addReplyCommandDocs: Redis's docs map, with the subcommands Cinnabar registers. */
function renderDocs(cmd: Command, resp: 2 | 3): string {
  const meta = redisMeta(cmd.fullName);
  const docs = meta?.docs;
  const kv = docs !== undefined && docs !== null && typeof docs === 'object' && '%' in docs ? docs['%'] : ['group', cmd.spec.group];
  const subs = cmd.subcommands === null ? null : [...cmd.subcommands.values()];
  const out: string[] = [mapHeader(kv.length / 2 + (subs === null ? 0 : 1), resp)];
  for (const e of kv) encodeTree(e, resp, out);
  if (subs !== null) {
    out.push('$11\r\nsubcommands\r\n', mapHeader(subs.length, resp));
    for (const sub of subs) out.push('$' + sub.fullName.length + '\r\n' + sub.fullName + '\r\n', commandDocs(sub, resp));
  }
  return out.join('');
}

function commandDocs(cmd: Command, resp: 2 | 3): string {
  return cached(docsCache, renderDocs, cmd, resp);
}

/** server.c lookupCommandBySds: "get" or "client|list", case-insensitive. */
function lookupByFullName(node: NodeContext, name: string): Command | undefined {
  const parts = name.split('|');
  if (parts.length > 2) return undefined;
  const base = node.commands.lookup(parts[0]);
  if (base === undefined || parts.length === 1) return base;
  return base.subcommands?.get(parts[1].toLowerCase());
}

/** server.c lookupCommand over an argument vector: a subcommand when the command has them. */
function lookupByArgs(node: NodeContext, args: readonly string[]): Command | undefined {
  const base = node.commands.lookup(args[0]);
  if (base === undefined || base.subcommands === null || args.length === 1) return base;
  return base.subcommands.get(args[1].toLowerCase());
}

// ── Handlers ─────────────────────────────────────────────────────────────────────────────

function allInfo(c: Client, node: NodeContext): void {
  const all = node.commands.all;
  const out: string[] = ['*' + all.length + '\r\n'];
  for (const cmd of all) out.push(commandInfo(cmd, c.resp));
  c.write(out.join(''));
}

function commandInfoCmd(c: Client, args: string[], node: NodeContext): void {
  if (args.length === 2) return allInfo(c, node);
  const out: string[] = ['*' + (args.length - 2) + '\r\n'];
  for (let i = 2; i < args.length; i++) {
    const cmd = lookupByFullName(node, args[i]);
    out.push(cmd === undefined ? (c.resp === 3 ? R.null3 : R.nullBulk2) : commandInfo(cmd, c.resp));
  }
  c.write(out.join(''));
}

function commandDocsCmd(c: Client, args: string[], node: NodeContext): void {
  const found: Command[] = [];
  if (args.length === 2) found.push(...node.commands.all);
  else {
    for (let i = 2; i < args.length; i++) {
      const cmd = lookupByFullName(node, args[i]);
      if (cmd !== undefined) found.push(cmd);
    }
  }
  const out: string[] = [mapHeader(found.length, c.resp)];
  for (const cmd of found) out.push('$' + cmd.fullName.length + '\r\n' + cmd.fullName + '\r\n', commandDocs(cmd, c.resp));
  c.write(out.join(''));
}

type ListFilter = { type: 'module' | 'aclcat' | 'pattern'; arg: string } | null;

function matchesFilter(cmd: Command, filter: ListFilter): boolean {
  if (filter === null) return true;
  switch (filter.type) {
    case 'module':
      return false; // Cinnabar loads no modules
    case 'aclcat': {
      const meta = redisMeta(cmd.fullName);
      const wanted = filter.arg.toLowerCase();
      return meta !== undefined && aclCategories(meta).includes(wanted);
    }
    case 'pattern':
      return globMatch(filter.arg, cmd.fullName, true);
  }
}

/** COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]. */
function commandListCmd(c: Client, args: string[], node: NodeContext): void {
  let filter: ListFilter = null;
  for (let i = 2; i < args.length; i++) {
    const more = args.length - 1 - i;
    if (args[i].toLowerCase() === 'filterby' && more === 2) {
      const type = args[i + 1].toLowerCase();
      if (type !== 'module' && type !== 'aclcat' && type !== 'pattern') return c.error(Err.syntax);
      filter = { type, arg: args[i + 2] };
      i += 2;
    } else {
      return c.error(Err.syntax);
    }
  }
  const names: string[] = [];
  for (const cmd of node.commands.everyCommand()) if (matchesFilter(cmd, filter)) names.push(cmd.fullName);
  c.bulkArray(names);
}

/** db.c/server.c getKeysSubcommandImpl. */
function getKeys(c: Client, args: string[], node: NodeContext, withFlags: boolean): void {
  const argv = args.slice(2);
  const cmd = lookupByArgs(node, argv);
  if (cmd === undefined) return c.error(Err.getkeysInvalidCommand);
  if (!commandHasKeys(cmd)) return c.error(Err.getkeysNoKeys);
  const arity = cmd.spec.arity;
  if ((arity > 0 && arity !== argv.length) || argv.length < -arity) return c.error(Err.getkeysInvalidArity);
  const keys = commandKeys(cmd, argv);
  if (keys === null || keys.length === 0) {
    if (cmd.spec.flags.includes('no_mandatory_keys')) return c.arrayHeader(0);
    return c.error(Err.getkeysInvalidArgs);
  }
  let s = '*' + keys.length + '\r\n';
  for (const k of keys) {
    const key = argv[k.pos];
    if (withFlags) s += '*2\r\n$' + key.length + '\r\n' + key + '\r\n' + statusSet(k.flags, c.resp);
    else s += '$' + key.length + '\r\n' + key + '\r\n';
  }
  c.write(s);
}

const HELP = [
  'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
  'HELP',
  '    Prints this help.',
];

const HELP_REPLY = statusLines(HELP);

// ── Table ────────────────────────────────────────────────────────────────────────────────

function sub(name: string, arity: number, run: Handler): CommandSpec {
  return subcommand(name, arity, ['loading', 'stale'], 'server', run);
}

export const commandCommands: CommandSpec[] = [
  {
    name: 'command',
    arity: -1,
    flags: ['loading', 'stale'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'server',
    run(c, _args, node) {
      allInfo(c, node);
    },
    subcommands: [
      sub('count', 2, (c, _args, node) => c.int(node.commands.all.length)),
      sub('docs', -2, commandDocsCmd),
      sub('getkeys', -4, (c, args, node) => getKeys(c, args, node, false)),
      sub('getkeysandflags', -4, (c, args, node) => getKeys(c, args, node, true)),
      sub('help', 2, (c) => c.write(HELP_REPLY)),
      sub('info', -2, commandInfoCmd),
      sub('list', -2, commandListCmd),
    ],
  },
];
