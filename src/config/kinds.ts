// The kinds of configuration parameter Redis 7.0 has — yes/no, numbers (plain, memory,
// percent, octal) with C-type bounds, enums, strings — and the special ones with their own
// syntax (save, bind, dir, client-output-buffer-limit, ...). Each kind parses arguments with
// Redis's rules and messages, formats the CONFIG GET value and writes its CONFIG REWRITE line.

import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { RewriteState } from './rewrite-state';
import {
  Invalid,
  bytesToText,
  formatMemory,
  formatPercentile,
  memtoull,
  repr,
  strerror,
  string2d,
  string2ll,
  strtoll,
  textToBytes,
} from './parse';

/** What a parser may need beyond its own arguments. */
export interface ParseContext {
  /** True while the server starts (config file, command line), false for CONFIG SET. */
  readonly atStartup: boolean;
  /**
   * Redis's reading_config_file flag: set while loading, but cleared when an `include`
   * finishes (a Redis quirk: after an include, each `save` line replaces the rules).
   */
  readonly readingConfigFile: boolean;
  /** The CONFIG GET form of another parameter's current value. */
  valueOf(name: string): string;
  /** Set once a `save` line has been read in this load: later ones add rules. */
  saveLoaded: boolean;
}

/** What a rewriter may need beyond its own value. */
export interface RewriteContext {
  valueOf(name: string): string;
}

export interface Kind<T> {
  /** The value a fresh server starts with, from the table's default (e.g. made absolute). */
  init?(defaultValue: T): T;
  /** Parses the arguments after the name (one for single-value parameters). */
  parse(args: readonly string[], current: T, ctx: ParseContext): T | Invalid;
  /** The CONFIG GET value. */
  format(value: T): string;
  /** Writes the parameter's line(s) into a CONFIG REWRITE state. */
  rewrite(name: string, value: T, defaultValue: T, state: RewriteState, ctx: RewriteContext): void;
}

/** Extra checks after parsing; returns Redis's reason when the value is refused. */
export type Validator<T> = (value: T, ctx: ParseContext) => string | null;

// ── yes/no ──────────────────────────────────────────────────────────────────────────────

export function boolKind(validate?: Validator<boolean>): Kind<boolean> {
  return {
    parse(args, _current, ctx) {
      const a = args[0].toLowerCase();
      if (a !== 'yes' && a !== 'no') return new Invalid("argument must be 'yes' or 'no'");
      const v = a === 'yes';
      const err = validate?.(v, ctx);
      return err ? new Invalid(err) : v;
    },
    format: (v) => (v ? 'yes' : 'no'),
    rewrite(name, v, def, state) {
      state.rewriteLine(name, `${name} ${v ? 'yes' : 'no'}`, v !== def);
    },
  };
}

// ── numbers ─────────────────────────────────────────────────────────────────────────────

/** The C type a numeric parameter is stored in: unsigned ones are bounds-checked unsigned. */
export type CType = 'int' | 'uint' | 'long' | 'ulong' | 'longlong' | 'ulonglong' | 'size_t' | 'ssize_t' | 'time_t' | 'off_t';

export interface NumericOptions {
  lower: bigint;
  upper: bigint;
  memory?: boolean;
  percent?: boolean;
  octal?: boolean;
  validate?: Validator<bigint>;
  /** Applied after a successful set (hz is accepted out of range, then capped). */
  normalize?(v: bigint): bigint;
}

const UNSIGNED_CTYPES: ReadonlySet<CType> = new Set<CType>(['uint', 'ulonglong', 'size_t']);

/**
 * A number, held as the signed 64-bit value Redis keeps in its `long long` (negative means a
 * percentage for percent parameters; memory parameters print it unsigned).
 */
export function numericKind(ctype: CType, o: NumericOptions): Kind<bigint> {
  const lower = BigInt.asIntN(64, o.lower);
  const upper = BigInt.asIntN(64, o.upper);
  const unsigned = UNSIGNED_CTYPES.has(ctype);

  function parseNumber(s: string): bigint | Invalid {
    if (o.memory) {
      const m = memtoull(s);
      if (m !== undefined) return BigInt.asIntN(64, m);
    }
    if (o.percent && s.length > 1 && s.endsWith('%')) {
      const p = string2ll(s.slice(0, -1));
      if (p !== undefined && p >= 0n) return -p; // percentages are stored negative
    }
    if (o.octal) {
      const r = strtoll(s, 8);
      if (!r.overflow && r.complete) return r.value;
    }
    if (!o.memory && !o.percent && !o.octal) {
      const n = string2ll(s);
      if (n !== undefined) return n;
    }
    if (o.memory && o.percent) return new Invalid('argument must be a memory or percent value');
    if (o.memory) return new Invalid('argument must be a memory value');
    if (o.octal) return new Invalid("argument couldn't be parsed as an octal number");
    return new Invalid("argument couldn't be parsed into an integer");
  }

  function checkBounds(n: bigint): Invalid | null {
    if (unsigned) {
      const u = BigInt.asUintN(64, n);
      const lo = BigInt.asUintN(64, lower);
      const hi = BigInt.asUintN(64, upper);
      if (u > hi || u < lo) {
        return o.octal
          ? new Invalid(`argument must be between ${lo.toString(8)} and ${hi.toString(8)} inclusive`)
          : new Invalid(`argument must be between ${lo} and ${hi} inclusive`);
      }
    } else if (o.percent && n < 0n) {
      if (n < lower) return new Invalid(`percentage argument must be less or equal to ${-lower}`);
    } else if (n > upper || n < lower) {
      return new Invalid(`argument must be between ${lower} and ${upper} inclusive`);
    }
    return null;
  }

  return {
    parse(args, _current, ctx) {
      const n = parseNumber(args[0]);
      if (n instanceof Invalid) return n;
      const bad = checkBounds(n);
      if (bad) return bad;
      const err = o.validate?.(n, ctx);
      if (err) return new Invalid(err);
      return o.normalize ? o.normalize(n) : n;
    },
    format(v) {
      if (o.percent && v < 0n) return `${-v}%`;
      if (o.memory) return String(BigInt.asUintN(64, v));
      if (o.octal) return BigInt.asUintN(64, v).toString(8);
      return String(v);
    },
    rewrite(name, v, def, state) {
      const force = v !== def;
      let text: string;
      if (o.percent && v < 0n) text = `${-v}%`;
      else if (o.memory) text = formatMemory(v);
      else if (o.octal) text = BigInt.asUintN(64, v).toString(8);
      else text = String(v);
      state.rewriteLine(name, `${name} ${text}`, force);
    },
  };
}

// ── enums ───────────────────────────────────────────────────────────────────────────────

/**
 * One of a fixed set of names, case-insensitive. `same` maps a synonym to the name CONFIG GET
 * shows for it (oom-score-adj "relative" reads back as "yes", as in Redis's enum table).
 */
export function enumKind<T extends string>(names: readonly T[], same: Partial<Record<T, T>> = {}): Kind<T> {
  const message = 'argument(s) must be one of the following: ' + names.join(', ');
  return {
    parse(args) {
      const a = args[0].toLowerCase();
      const found = names.find((n) => n === a);
      if (found === undefined) return new Invalid(message);
      return same[found] ?? found;
    },
    format: (v) => v,
    rewrite(name, v, def, state) {
      state.rewriteLine(name, `${name} ${v}`, v !== def);
    },
  };
}

// ── strings ─────────────────────────────────────────────────────────────────────────────

/**
 * A string. With `emptyIsNull`, "" means unset (Redis stores NULL): CONFIG GET shows "" and
 * CONFIG REWRITE drops the line.
 */
export function stringKind(emptyIsNull: boolean, validate?: Validator<string>): Kind<string | null> {
  return {
    parse(args, _current, ctx) {
      const err = validate?.(args[0], ctx);
      if (err) return new Invalid(err);
      return emptyIsNull && args[0] === '' ? null : args[0];
    },
    format: (v) => v ?? '',
    rewrite(name, v, def, state) {
      if (v === null) {
        state.markProcessed(name);
        return;
      }
      state.rewriteLine(name, `${name} ${repr(v)}`, !(def !== null && v === def));
    },
  };
}

// ── special parameters ──────────────────────────────────────────────────────────────────

/** `dir`: an absolute path (CONFIG GET shows it resolved, as Redis shows getcwd()). */
export const dirKind: Kind<string> = {
  init: (def) => textToBytes(path.resolve(bytesToText(def))),
  parse(args, _current, ctx) {
    if (args.length !== 1) return new Invalid('wrong number of arguments');
    if (args[0] === '') return new Invalid('No such file or directory');
    const wanted = path.resolve(bytesToText(args[0]));
    try {
      if (existsSync(wanted)) {
        if (!statSync(wanted).isDirectory()) return new Invalid('Not a directory');
        return textToBytes(realpathSync(wanted));
      }
      // Redis chdir()s, so the directory must exist. At start-up Cinnabar creates it
      // instead (the default ./data usually does not exist yet).
      if (!ctx.atStartup) return new Invalid('No such file or directory');
      return textToBytes(wanted);
    } catch (err) {
      return new Invalid(strerror(err));
    }
  },
  format: (v) => v,
  rewrite(name, v, _def, state) {
    state.rewriteLine(name, `${name} ${repr(v)}`, true);
  },
};

export interface SaveRule {
  seconds: bigint;
  changes: number;
}

/** `save <seconds> <changes> [...]`; "" clears. In a file, successive lines add rules. */
export const saveKind: Kind<readonly SaveRule[]> = {
  parse(args, current, ctx) {
    const argv = args.length === 1 && args[0] === '' ? [] : args;
    if (argv.length % 2 !== 0) return new Invalid('Invalid save parameters');
    const values: bigint[] = [];
    for (let j = 0; j < argv.length; j++) {
      const r = strtoll(argv[j]);
      if (!r.complete || (j % 2 === 0 && r.value < 1n) || (j % 2 === 1 && r.value < 0n)) {
        return new Invalid('Invalid save parameters');
      }
      values.push(r.value);
    }
    const rules: SaveRule[] = [];
    for (let j = 0; j < values.length; j += 2) {
      rules.push({ seconds: values[j], changes: Number(BigInt.asIntN(32, values[j + 1])) });
    }
    if (ctx.readingConfigFile) {
      // The first save line replaces the defaults; later ones add to it.
      if (ctx.saveLoaded) return [...current, ...rules];
      ctx.saveLoaded = true;
    }
    return rules;
  },
  format: (v) => v.map((r) => `${r.seconds} ${r.changes}`).join(' '),
  rewrite(name, v, _def, state) {
    if (v.length === 0) state.rewriteLine(name, 'save ""', true);
    for (const r of v) state.rewriteLine(name, `save ${r.seconds} ${r.changes}`, true);
    state.markProcessed(name);
  },
};

export interface BufferLimit {
  hard: bigint;
  soft: bigint;
  seconds: bigint;
}

/** Limits for the normal, replica and pubsub client classes, in that order. */
export type BufferLimits = readonly [BufferLimit, BufferLimit, BufferLimit];

const BUFFER_CLASS_NAMES = ['normal', 'slave', 'pubsub'] as const;

function bufferClass(name: string): number {
  switch (name.toLowerCase()) {
    case 'normal':
      return 0;
    case 'slave':
    case 'replica':
      return 1;
    case 'pubsub':
      return 2;
    default:
      return -1; // includes "master", which has no limits
  }
}

export const clientOutputBufferLimitKind: Kind<BufferLimits> = {
  parse(args, current) {
    if (args.length % 4 !== 0) return new Invalid('Wrong number of arguments in buffer limit configuration.');
    const next: BufferLimit[] = [...current];
    for (let j = 0; j < args.length; j += 4) {
      const cls = bufferClass(args[j]);
      if (cls < 0) return new Invalid('Invalid client class specified in buffer limit configuration.');
      const hard = memtoull(args[j + 1]);
      const soft = memtoull(args[j + 2]);
      const secs = strtoll(args[j + 3]);
      const seconds = BigInt.asIntN(32, secs.value);
      if (hard === undefined || soft === undefined || seconds < 0n || !secs.complete) {
        return new Invalid('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
      }
      next[cls] = { hard, soft, seconds };
    }
    return [next[0], next[1], next[2]];
  },
  format: (v) => v.map((l, i) => `${BUFFER_CLASS_NAMES[i]} ${l.hard} ${l.soft} ${l.seconds}`).join(' '),
  rewrite(name, v, def, state) {
    v.forEach((l, i) => {
      const d = def[i];
      const force = l.hard !== d.hard || l.soft !== d.soft || l.seconds !== d.seconds;
      const cls = i === 1 ? 'replica' : BUFFER_CLASS_NAMES[i];
      const line = `${name} ${cls} ${formatMemory(BigInt.asIntN(64, l.hard))} ${formatMemory(BigInt.asIntN(64, l.soft))} ${l.seconds}`;
      state.rewriteLine(name, line, force);
    });
  },
};

export type OomScoreAdjValues = readonly [number, number, number];

export const oomScoreAdjValuesKind: Kind<OomScoreAdjValues> = {
  parse(args) {
    if (args.length !== 3) return new Invalid('wrong number of arguments');
    const values: number[] = [];
    for (const a of args) {
      const r = strtoll(a);
      if (!r.complete || r.value < -2000n || r.value > 2000n) {
        return new Invalid('Invalid oom-score-adj-values, elements must be between -2000 and 2000.');
      }
      values.push(Number(r.value));
    }
    return [values[0], values[1], values[2]];
  },
  format: (v) => v.join(' '),
  rewrite(name, v, def, state) {
    const force = v.some((x, i) => x !== def[i]);
    state.rewriteLine(name, `${name} ${v.join(' ')}`, force);
  },
};

/** Keyspace notification classes (notify.c), as stored in `notify-keyspace-events`. */
export const NOTIFY = {
  KEYSPACE: 1 << 0,
  KEYEVENT: 1 << 1,
  GENERIC: 1 << 2,
  STRING: 1 << 3,
  LIST: 1 << 4,
  SET: 1 << 5,
  HASH: 1 << 6,
  ZSET: 1 << 7,
  EXPIRED: 1 << 8,
  EVICTED: 1 << 9,
  STREAM: 1 << 10,
  KEY_MISS: 1 << 11,
  LOADED: 1 << 12,
  MODULE: 1 << 13,
  NEW: 1 << 14,
} as const;

/** 'A': every class except key-miss and new-key. */
export const NOTIFY_ALL =
  NOTIFY.GENERIC | NOTIFY.STRING | NOTIFY.LIST | NOTIFY.SET | NOTIFY.HASH | NOTIFY.ZSET | NOTIFY.EXPIRED | NOTIFY.EVICTED | NOTIFY.STREAM | NOTIFY.MODULE;

const NOTIFY_CHARS: Record<string, number> = {
  A: NOTIFY_ALL,
  g: NOTIFY.GENERIC,
  $: NOTIFY.STRING,
  l: NOTIFY.LIST,
  s: NOTIFY.SET,
  h: NOTIFY.HASH,
  z: NOTIFY.ZSET,
  x: NOTIFY.EXPIRED,
  e: NOTIFY.EVICTED,
  K: NOTIFY.KEYSPACE,
  E: NOTIFY.KEYEVENT,
  t: NOTIFY.STREAM,
  m: NOTIFY.KEY_MISS,
  d: NOTIFY.MODULE,
  n: NOTIFY.NEW,
};

/** keyspaceEventsStringToFlags: -1 on an unknown class character. */
export function notifyFlagsFromString(s: string): number {
  let flags = 0;
  for (const c of s) {
    const f = NOTIFY_CHARS[c];
    if (f === undefined) return -1;
    flags |= f;
  }
  return flags;
}

/** keyspaceEventsFlagsToString. */
export function notifyFlagsToString(flags: number): string {
  let s = '';
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) {
    s += 'A';
  } else {
    if (flags & NOTIFY.GENERIC) s += 'g';
    if (flags & NOTIFY.STRING) s += '$';
    if (flags & NOTIFY.LIST) s += 'l';
    if (flags & NOTIFY.SET) s += 's';
    if (flags & NOTIFY.HASH) s += 'h';
    if (flags & NOTIFY.ZSET) s += 'z';
    if (flags & NOTIFY.EXPIRED) s += 'x';
    if (flags & NOTIFY.EVICTED) s += 'e';
    if (flags & NOTIFY.STREAM) s += 't';
    if (flags & NOTIFY.MODULE) s += 'd';
    if (flags & NOTIFY.NEW) s += 'n';
  }
  if (flags & NOTIFY.KEYSPACE) s += 'K';
  if (flags & NOTIFY.KEYEVENT) s += 'E';
  if (flags & NOTIFY.KEY_MISS) s += 'm';
  return s;
}

export const notifyKeyspaceEventsKind: Kind<number> = {
  parse(args) {
    if (args.length !== 1) return new Invalid('wrong number of arguments');
    const flags = notifyFlagsFromString(args[0]);
    if (flags === -1) return new Invalid("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
    return flags;
  },
  format: notifyFlagsToString,
  rewrite(name, v, _def, state) {
    state.rewriteLine(name, `${name} ${repr(notifyFlagsToString(v))}`, v !== 0);
  },
};

const BIND_MAX = 16;

/** `bind`: up to 16 addresses; a leading '-' makes one optional; "" means none. */
export const bindKind: Kind<readonly string[]> = {
  parse(args) {
    if (args.length > BIND_MAX) return new Invalid('Too many bind addresses specified.');
    if (args.length === 1 && args[0] === '') return [];
    return [...args];
  },
  format: (v) => v.join(' '),
  rewrite(name, v, def, state) {
    if (v.length === def.length && v.every((a, i) => a === def[i])) {
      state.markProcessed(name);
      return;
    }
    state.rewriteLine(name, `${name} ${v.length > 0 ? v.join(' ') : '""'}`, true);
  },
};

export interface PrimaryAddress {
  host: string;
  port: number;
}

/** `replicaof <host> <port>` or `replicaof no one`. */
export const replicaofKind: Kind<PrimaryAddress | null> = {
  parse(args) {
    if (args.length !== 2) return new Invalid('wrong number of arguments');
    if (args[0].toLowerCase() === 'no' && args[1].toLowerCase() === 'one') return null;
    const r = strtoll(args[1]);
    const port = BigInt.asIntN(32, r.value); // strtol into an int, as Redis
    if (!r.complete || port < 0n || port > 65535n) return new Invalid('Invalid master port');
    return { host: args[0], port: Number(port) };
  },
  format: (v) => (v ? `${v.host} ${v.port}` : ''),
  rewrite(name, v, _def, state, ctx) {
    // A primary, or any cluster node, keeps no replicaof line.
    if (v === null || ctx.valueOf('cluster-enabled') === 'yes') {
      state.markProcessed(name);
      return;
    }
    state.rewriteLine(name, `${name} ${v.host} ${v.port}`, true);
  },
};

export const latencyPercentilesKind: Kind<readonly number[]> = {
  parse(args) {
    if (args.length === 1 && args[0] === '') return [];
    const out: number[] = [];
    for (const a of args) {
      const d = string2d(a);
      if (d === undefined) return new Invalid('Invalid latency-tracking-info-percentiles parameters');
      if (d > 100 || d < 0) return new Invalid('latency-tracking-info-percentiles parameters should sit between [0.0,100.0]');
      out.push(d);
    }
    return out;
  },
  format: (v) => v.map(formatPercentile).join(' '),
  rewrite(name, v, _def, state) {
    const line = v.length === 0 ? `${name} ""` : name + v.map((d) => ' ' + formatPercentile(d)).join('');
    state.rewriteLine(name, line, true);
  },
};

/**
 * A set of flags given as one or more names (shutdown-on-sigint "save now"): the names' bits
 * are OR-ed; CONFIG GET shows the exact name for the value, else the names of its bits.
 */
export function flagsEnumKind(names: ReadonlyArray<readonly [string, number]>, validate?: Validator<number>): Kind<number> {
  const message = 'argument(s) must be one of the following: ' + names.map(([n]) => n).join(', ');
  function nameOf(value: number): string {
    let out = '';
    let unmatched = value;
    for (const [n, bits] of names) {
      if (value === bits) return n;
      if (bits !== 0 && (unmatched & bits) === bits) {
        out = out ? out + ' ' + n : n;
        unmatched &= ~bits;
      }
    }
    return out === '' || unmatched !== 0 ? 'unknown' : out;
  }
  return {
    parse(args, _current, ctx) {
      if (args.length === 0) return new Invalid(message);
      let value = 0;
      for (const a of args) {
        const lowered = a.toLowerCase();
        const found = names.find(([n]) => n === lowered);
        if (found === undefined) return new Invalid(message);
        value |= found[1];
      }
      const err = validate?.(value, ctx);
      return err ? new Invalid(err) : value;
    },
    format: nameOf,
    rewrite(name, v, def, state) {
      state.rewriteLine(name, `${name} ${nameOf(v)}`, v !== def);
    },
  };
}
