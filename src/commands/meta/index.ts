// Redis 7.0's static command metadata (generated into redis-commands.ts) as Cinnabar uses it:
// the entry of a registered command, flags in the order Redis prints them, and key
// extraction from key specs as db.c's getKeysFromCommandWithSpecs does (COMMAND GETKEYS).

import type { Command } from '../spec';
import type { RedisCommandMeta } from './types';
import { mapGet, treeStrings, type RespTree } from './resp-tree';

export type { RedisCommandMeta } from './types';

type CommandTable = Readonly<Record<string, RedisCommandMeta>>;
let table: CommandTable | null = null;

/**
 * The generated table, loaded on first use (COMMAND, key extraction of commands with
 * movable keys): evaluating its 330 KB literal took ~40-75 ms of every start-up.
 */
function redisCommands(): CommandTable {
  table ??= (require('./redis-commands') as typeof import('./redis-commands')).REDIS_COMMANDS;
  return table;
}

/** The generated entry of a command or subcommand by full name ("get", "client|list"). */
export function redisMeta(fullName: string): RedisCommandMeta | undefined {
  const commands = redisCommands();
  return Object.hasOwn(commands, fullName) ? commands[fullName] : undefined;
}

/** Every full name Redis 7.0 knows, commands and subcommands. */
export function redisCommandNames(): string[] {
  return Object.keys(redisCommands());
}

// ── Flags ───────────────────────────────────────────────────────────────────────────────

/**
 * COMMAND INFO flag names in the order Redis prints them (server.c addReplyFlagsForCommand).
 * may_replicate, sentinel, only_sentinel and protected are hidden there on purpose.
 */
export const FLAG_ORDER: readonly string[] = [
  'write',
  'readonly',
  'denyoom',
  'module',
  'admin',
  'pubsub',
  'noscript',
  'blocking',
  'loading',
  'stale',
  'skip_monitor',
  'skip_slowlog',
  'asking',
  'fast',
  'no_auth',
  'no_mandatory_keys',
  'no_async_loading',
  'no_multi',
  'movablekeys',
  'allow_busy',
];

/** The flags COMMAND INFO shows for a declaration, in Redis's order. */
export function visibleFlags(flags: readonly string[]): string[] {
  return FLAG_ORDER.filter((f) => flags.includes(f));
}

/** The flags Redis 7.0 shows for a command. */
export function redisFlags(meta: RedisCommandMeta): string[] {
  return meta.flags['~'].map((f) => f['+']);
}

/** The ACL categories of a command without their '@' ("string", "fast"). */
export function aclCategories(meta: RedisCommandMeta): string[] {
  return treeStrings(meta.aclCategories).map((c) => c.slice(1));
}

// ── Key specs ───────────────────────────────────────────────────────────────────────────

export type BeginSearch =
  | { readonly type: 'index'; readonly index: number }
  | { readonly type: 'keyword'; readonly keyword: string; readonly startfrom: number }
  | { readonly type: 'unknown' };

export type FindKeys =
  | { readonly type: 'range'; readonly lastkey: number; readonly keystep: number; readonly limit: number }
  | { readonly type: 'keynum'; readonly keynumidx: number; readonly firstkey: number; readonly keystep: number }
  | { readonly type: 'unknown' };

export interface KeySpec {
  /** "RO", "access", "not_key", "incomplete", ... in Redis's order. */
  readonly flags: readonly string[];
  readonly begin: BeginSearch;
  readonly find: FindKeys;
}

function num(t: RespTree | undefined): number {
  return typeof t === 'number' ? t : 0;
}

function parseKeySpec(t: RespTree): KeySpec {
  const bs = mapGet(t, 'begin_search');
  const bsSpec = mapGet(bs ?? null, 'spec') ?? null;
  const fk = mapGet(t, 'find_keys');
  const fkSpec = mapGet(fk ?? null, 'spec') ?? null;
  let begin: BeginSearch = { type: 'unknown' };
  const bsType = mapGet(bs ?? null, 'type');
  if (bsType === 'index') begin = { type: 'index', index: num(mapGet(bsSpec, 'index')) };
  else if (bsType === 'keyword') {
    const keyword = mapGet(bsSpec, 'keyword');
    begin = { type: 'keyword', keyword: typeof keyword === 'string' ? keyword : '', startfrom: num(mapGet(bsSpec, 'startfrom')) };
  }
  let find: FindKeys = { type: 'unknown' };
  const fkType = mapGet(fk ?? null, 'type');
  if (fkType === 'range') {
    find = {
      type: 'range',
      lastkey: num(mapGet(fkSpec, 'lastkey')),
      keystep: num(mapGet(fkSpec, 'keystep')),
      limit: num(mapGet(fkSpec, 'limit')),
    };
  } else if (fkType === 'keynum') {
    find = {
      type: 'keynum',
      keynumidx: num(mapGet(fkSpec, 'keynumidx')),
      firstkey: num(mapGet(fkSpec, 'firstkey')),
      keystep: num(mapGet(fkSpec, 'keystep')),
    };
  }
  return { flags: treeStrings(mapGet(t, 'flags')), begin, find };
}

const parsedSpecs = new WeakMap<RedisCommandMeta, KeySpec[]>();

/** The key specs of a command, parsed once. */
export function keySpecs(meta: RedisCommandMeta): readonly KeySpec[] {
  let specs = parsedSpecs.get(meta);
  if (specs === undefined) {
    const t = meta.keySpecs;
    const items = t !== null && typeof t === 'object' && '~' in t ? t['~'] : [];
    specs = items.map(parseKeySpec);
    parsedSpecs.set(meta, specs);
  }
  return specs;
}

export interface KeyRef {
  /** Index into the command's arguments (0 is the command name). */
  readonly pos: number;
  readonly flags: readonly string[];
}

/** A decimal integer as Redis's string2ll accepts it (no '+', no leading zeros), or undefined. */
function strictInt(s: string): number | undefined {
  return /^(0|-?[1-9][0-9]{0,18})$/.test(s) ? Number(s) : undefined;
}

/**
 * db.c getKeysUsingKeySpecs: the keys the specs find in `args`, or null when a spec cannot be
 * evaluated (unknown type, bad numkeys, out of bounds, incomplete). With `partial`, such
 * specs are skipped instead (GET_KEYSPEC_RETURN_PARTIAL).
 */
export function keysFromSpecs(specs: readonly KeySpec[], args: readonly string[], arity: number, partial = false): KeyRef[] | null {
  const argc = args.length;
  const keys: KeyRef[] = [];
  for (const spec of specs) {
    if (spec.flags.includes('not_key')) continue;
    let first = 0;
    const b = spec.begin;
    if (b.type === 'index') {
      first = b.index;
    } else if (b.type === 'keyword') {
      const start = b.startfrom > 0 ? b.startfrom : argc + b.startfrom;
      const end = b.startfrom > 0 ? argc - 1 : 0;
      const keyword = b.keyword.toLowerCase();
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (args[i].toLowerCase() === keyword) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue; // keyword not found: this spec has no keys here
    } else {
      if (partial) continue;
      return null;
    }

    let last: number;
    let step: number;
    const f = spec.find;
    if (f.type === 'range') {
      step = f.keystep;
      if (f.lastkey >= 0) last = first + f.lastkey;
      else if (f.limit === 0) last = argc + f.lastkey;
      else last = first + (Math.trunc((argc - first) / f.limit) + f.lastkey);
    } else if (f.type === 'keynum') {
      step = f.keystep;
      const numIdx = first + f.keynumidx;
      const numkeys = f.keynumidx >= argc || numIdx >= argc ? undefined : strictInt(args[numIdx]);
      if (numkeys === undefined || numkeys < 0) {
        if (partial) continue;
        return null;
      }
      first += f.firstkey;
      last = first + numkeys - 1;
    } else {
      if (partial) continue;
      return null;
    }

    if (last >= argc || last < first || first >= argc) {
      if (partial) continue;
      return null;
    }
    for (let i = first; i <= last; i += step) {
      // Negative-arity commands are not arity-checked for their key positions: Redis skips
      // positions past the end and lets the command report the syntax error.
      if (i >= argc || i < first) {
        if (arity < 0) continue;
        break;
      }
      keys.push({ pos: i, flags: spec.flags });
    }
    if (spec.flags.includes('incomplete')) {
      if (partial) continue;
      return null;
    }
  }
  return keys;
}

/** Redis's doesCommandHaveKeys: a getkeys procedure or a spec that is not a fake key. */
export function commandHasKeys(cmd: Command): boolean {
  if (cmd.spec.keys !== undefined) return true;
  const meta = redisMeta(cmd.fullName);
  if (meta === undefined) return cmd.spec.firstKey > 0;
  return keySpecs(meta).some((s) => !s.flags.includes('not_key'));
}

/**
 * The flags Redis's getkeys procedures give the keys of the commands whose specs cannot say
 * (variable flags, unknown or incomplete specs): setGetKeys, bitfieldGetKeys, sortGetKeys,
 * migrateGetKeys, georadiusGetKeys.
 */
function procKeyFlags(fullName: string, args: readonly string[], pos: number, specs: readonly KeySpec[]): readonly string[] {
  switch (fullName) {
    case 'set':
      for (let i = 3; i < args.length; i++) if (args[i].toLowerCase() === 'get') return ['RW', 'access', 'update'];
      return ['OW', 'update'];
    case 'bitfield': {
      for (let i = 2; i < args.length; i++) {
        const rem = args.length - i - 1;
        const a = args[i].toLowerCase();
        if (a === 'get' && rem >= 2) i += 2;
        else if (a === 'overflow' && rem >= 1) i += 1;
        else return ['RW', 'access', 'update']; // a write, or a syntax error: assume not read-only
      }
      return ['RO', 'access'];
    }
    case 'sort':
    case 'sort_ro':
    case 'georadius':
    case 'georadiusbymember':
      return pos === 1 ? ['RO', 'access'] : ['OW', 'update'];
    case 'migrate':
      return ['RW', 'access', 'delete'];
    default: {
      const real = specs.find((s) => !s.flags.includes('not_key'));
      return real ? real.flags.filter((f) => f !== 'variable_flags' && f !== 'incomplete') : [];
    }
  }
}

/**
 * db.c getKeysFromCommandWithSpecs for a registered command: key specs when they are
 * reliable, else the command's own key function (Redis's getkeys_proc) or the specs read
 * partially. Returns null when the arguments do not allow finding the keys.
 */
export function commandKeys(cmd: Command, args: readonly string[]): KeyRef[] | null {
  const meta = redisMeta(cmd.fullName);
  const specs = meta ? keySpecs(meta) : [];
  const hasKeySpec = specs.some((s) => !s.flags.includes('not_key'));
  const hasVarFlags = specs.some((s) => s.flags.includes('variable_flags'));
  if (hasKeySpec && !hasVarFlags) {
    const keys = keysFromSpecs(specs, args, cmd.spec.arity);
    if (keys !== null) return keys;
  }
  let positions: number[];
  if (cmd.spec.keys !== undefined) {
    positions = cmd.spec.keys(args);
  } else if (hasKeySpec) {
    positions = (keysFromSpecs(specs, args, cmd.spec.arity, true) ?? []).map((k) => k.pos);
  } else {
    return [];
  }
  return positions.map((pos) => ({ pos, flags: procKeyFlags(cmd.fullName, args, pos, specs) }));
}
