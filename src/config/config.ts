// Typed node configuration with Redis's option names and meanings: defaults, validation,
// redis-server's command line and redis.conf syntax, and the operations behind CONFIG
// GET/SET/REWRITE. The values other modules read on hot paths are mirrored into `v` (one
// plain object, never replaced) whenever they change.

import { closeSync, existsSync, openSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { constants as bufferConstants } from 'node:buffer';
import { splitArgs } from '../resp/split-args';
import { globMatch } from '../keyspace/glob';
import { REDIS_VERSION } from '../version';
import type { ParseContext, RewriteContext, SaveRule as RawSaveRule, PrimaryAddress, BufferLimits } from './kinds';
import { F, PARAMS, ENTRIES, lookupEntry, type Entry, type Param, type LogLevel, type Appendfsync, type MaxmemoryPolicy, type ProtectedAction } from './params';
import { Invalid, asciiLower, bytesToText, repr, strerror, textToBytes, trimChars } from './parse';
import { RewriteState } from './rewrite-state';
import { writeFileAtomically } from '../atomic-file';

export { ACCEPTED_AND_IGNORED, NOT_YET_ACTED_ON, ACTED_ON } from './params';
export { NOTIFY, NOTIFY_ALL } from './kinds';

/**
 * The longest string value Cinnabar can hold. Values are JS strings (one char per byte) and
 * V8 cannot make one longer than 2^29 - 24 chars (buffer.constants.MAX_STRING_LENGTH), a
 * little under Redis's default proto-max-bulk-len of 512 MiB: a longer one throws a
 * RangeError that would kill the node. The margin leaves room for the "$<len>\r\n" and CRLF
 * a bulk reply adds around the value in one string.
 */
export const MAX_STRING_BYTES = bufferConstants.MAX_STRING_LENGTH - 64;

/** A configuration problem that stops start-up; the message is printed as is. */
export class ConfigError extends Error {}

export interface SaveRule {
  seconds: number;
  changes: number;
}

/** Typed values of the options Cinnabar acts on (and those its subsystems will). */
export interface ConfigValues {
  port: number;
  /** Addresses to listen on; a leading '-' marks one that may be unavailable. */
  bind: string[];
  /** Absolute data directory. */
  dir: string;
  databases: number;
  loglevel: LogLevel;
  /** Absolute log file path, or '' for standard output. */
  logfile: string;
  maxclients: number;
  /**
   * proto-max-bulk-len, at most MAX_STRING_BYTES: the longest request argument and string
   * value (SETRANGE, APPEND, SETBIT...) the node accepts.
   */
  protoMaxBulkLen: number;
  clientQueryBufferLimit: number;
  /** Idle client timeout in seconds, 0 for none. */
  timeout: number;
  /** serverCron frequency, already capped to 1..500. */
  hz: number;
  /** The default user's password as bytes (latin1), '' when none is required. */
  requirepass: string;
  tcpKeepalive: number;
  enableProtectedConfigs: ProtectedAction;
  /** Who may run DEBUG (enforced by commands/debug.ts). */
  enableDebugCommand: ProtectedAction;
  // Typed for subsystems being built; not acted on yet (see NOT_YET_ACTED_ON).
  appendonly: boolean;
  appendfsync: Appendfsync;
  /** Cinnabar's own: bytes after which the WAL moves to a new segment file. */
  walSegmentSize: number;
  /** Cinnabar's own: take a snapshot after this many WAL bytes since the last (0: never). */
  snapshotWalBytes: number;
  /** Cinnabar's own: take a snapshot after this many seconds with changes (0: never). */
  snapshotInterval: number;
  save: SaveRule[];
  maxmemory: number;
  maxmemoryPolicy: MaxmemoryPolicy;
  /** Bit set of NOTIFY classes. */
  notifyKeyspaceEvents: number;
  /** Encoding thresholds that OBJECT ENCODING reports for hashes and sets (types/). */
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  setMaxIntsetEntries: number;
  /** list-max-listpack-size: how full a list node gets (DUMP splits lists by it). */
  listMaxListpackSize: number;
  /** rdbcompression: DUMP payloads LZF-compress long strings. */
  rdbcompression: boolean;
  /** Microseconds from which a call enters the slow log (negative: the log is off). */
  slowlogLogSlowerThan: number;
  slowlogMaxLen: number;
  /** Milliseconds from which a call is a latency event (0: the monitor is off). */
  latencyMonitorThreshold: number;
  /** Output buffer limits of the normal, replica and pubsub client classes, in that order. */
  clientOutputBufferLimits: BufferLimits;
  clusterEnabled: boolean;
  clusterConfigFile: string;
  clusterNodeTimeout: number;
  clusterPort: number;
  clusterAnnounceIp: string;
  clusterAnnouncePort: number;
  clusterAnnounceBusPort: number;
  clusterAnnounceHostname: string;
  clusterRequireFullCoverage: boolean;
  clusterAllowReadsWhenDown: boolean;
  clusterAllowReplicaMigration: boolean;
  clusterPreferredEndpointType: 'ip' | 'hostname' | 'unknown-endpoint';
  replicaof: PrimaryAddress | null;
}

/** Why CONFIG SET refused: an unknown name, or a named parameter with Redis's reason. */
export type SetFailure = { kind: 'unknown'; name: string } | { kind: 'failed'; name: string; reason: string } | { kind: 'loading' };

/**
 * Runs after CONFIG SET changed one of the names it was registered for. Returning a string
 * refuses the change: every value of that CONFIG SET is restored and the client gets it as
 * the reason.
 */
export type ChangeListener = () => string | void;

/** Settings whose change makes Redis reconfigure TLS (applyTlsCfg / applyTLSPort). */
const TLS_PARAMS = PARAMS.filter((p) => p.group === 'tls' && p.name !== 'tls-auth-clients').map((p) => p.name);

/** Directives Redis still accepts in a config file and ignores (argument count included). */
const DEPRECATED_DIRECTIVES = new Set(['list-max-ziplist-entries', 'list-max-ziplist-value', 'lua-replicate-commands']);

/** The fatal configuration message redis-server prints (and tools grep for). */
function fatal(reason: string, at?: { lineNumber: number; line: string }): ConfigError {
  let msg = `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\n`;
  if (at) msg += `Reading the configuration file, at line ${at.lineNumber}\n>>> '${bytesToText(at.line)}'\n`;
  return new ConfigError(msg + reason);
}

function cannotOpen(file: string, err: unknown): ConfigError {
  return new ConfigError(`Fatal error, can't open config file '${file}': ${strerror(err)}`);
}

/** State of one start-up load, shared by the main text and its includes. */
interface LoadState {
  readingConfigFile: boolean;
  saveLoaded: boolean;
  moduleConfigs: string[];
}

export class Config {
  readonly v: ConfigValues;
  /** Absolute path of the config file given at start, or null (CONFIG REWRITE needs one). */
  configFile: string | null = null;
  private readonly values = new Map<Param, unknown>();
  private readonly listeners: Array<{ names: ReadonlySet<string>; fn: ChangeListener }> = [];

  constructor() {
    for (const p of PARAMS) this.values.set(p, p.kind.init ? p.kind.init(p.defaultValue) : p.defaultValue);
    this.v = this.typedValues();
    // Redis reconfigures TLS when any TLS setting changes while TLS is in use; Cinnabar has
    // no TLS, so turning it on fails the way Redis fails without usable certificates.
    this.onChange(TLS_PARAMS, () => (this.tlsRequested() ? 'Unable to update TLS configuration. Check server logs.' : undefined));
  }

  private tlsRequested(): boolean {
    return this.valueOf('tls-port') !== '0' || this.valueOf('tls-replication') === 'yes' || this.valueOf('tls-cluster') === 'yes';
  }

  // ── start-up ────────────────────────────────────────────────────────────────────────

  /**
   * Builds a config from redis-server's arguments: `[config-file] [-] [--name value ...]`.
   * The file, standard input ('-') and the options become one config text, as Redis does,
   * so errors carry line numbers of that text. Throws ConfigError.
   */
  static fromArgs(argv: readonly string[]): Config {
    const c = new Config();
    if (argv.length === 0) return c;
    if (argv.some((a) => a === '--sentinel')) throw new ConfigError('Sentinel mode is not supported by Cinnabar.');
    let j = 0;
    if (!argv[0].startsWith('-')) {
      c.configFile = path.resolve(argv[0]);
      j = 1;
    }
    const { options, fromStdin } = optionsText(argv, j);
    let text = '';
    if (c.configFile !== null) {
      try {
        text = readFileSync(c.configFile).toString('latin1');
      } catch (err) {
        throw cannotOpen(c.configFile, err);
      }
    }
    if (fromStdin) text += readFileSync(0).toString('latin1');
    c.load(text + '\n' + options);
    return c;
  }

  /** Loads config text as if it were a config file given at start (tests, fromArgs). */
  load(text: string): void {
    const state: LoadState = { readingConfigFile: true, saveLoaded: false, moduleConfigs: [] };
    this.loadText(text, state);
    if (state.moduleConfigs.length > 0) {
      throw new ConfigError('Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting');
    }
    if (this.tlsRequested()) throw new ConfigError('Failed to configure TLS: Cinnabar does not support TLS.');
    this.refresh();
  }

  /** loadServerConfigFromString: one text (a file, or file + options); includes recurse. */
  private loadText(text: string, state: LoadState): void {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = trimChars(lines[i], ' \t\r\n');
      if (line === '' || line[0] === '#') continue;
      const at = { lineNumber: i + 1, line };
      const argv = splitArgs(line);
      if (argv === null) throw fatal('Unbalanced quotes in configuration line', at);
      if (argv.length === 0) continue;
      const name = asciiLower(argv[0]);
      const entry = ENTRIES.get(name);
      if (entry) {
        if (!(entry.param.flags & F.MULTI_ARG) && argv.length !== 2) throw fatal('wrong number of arguments', at);
        const ctx = this.parseContext(true, state);
        const parsed = entry.param.kind.parse(argv.slice(1), this.values.get(entry.param), ctx);
        state.saveLoaded = ctx.saveLoaded;
        if (parsed instanceof Invalid) throw fatal(parsed.reason, at);
        this.values.set(entry.param, parsed);
        continue;
      }
      if (DEPRECATED_DIRECTIVES.has(name) && argv.length === 2) continue;
      if (name === 'include' && argv.length === 2) {
        this.loadInclude(argv[1], state);
        continue;
      }
      // Directives Redis has and Cinnabar cannot honour: refusing is safer than ignoring
      // (a renamed FLUSHALL or an ACL password must not silently vanish).
      if (name === 'rename-command' && argv.length === 3) throw fatal('rename-command is not supported by Cinnabar', at);
      if (name === 'user' && argv.length >= 2) throw fatal('ACL users are not supported by Cinnabar (use requirepass)', at);
      if (name === 'loadmodule' && argv.length >= 2) throw fatal('Modules are not supported by Cinnabar', at);
      if (name.includes('.')) {
        if (argv.length !== 2) throw fatal('Module config specified without value', at);
        state.moduleConfigs.push(name);
        continue;
      }
      if (name === 'sentinel') {
        if (argv.length !== 1) throw fatal('sentinel directive while not in sentinel mode', at);
        continue;
      }
      throw fatal('Bad directive or wrong number of arguments', at);
    }
    this.checkLoaded();
    state.readingConfigFile = false;
  }

  /** The checks Redis runs at the end of every loaded text. */
  private checkLoaded(): void {
    const logfile = this.values.get(this.param('logfile')) as string;
    if (logfile !== '') {
      try {
        closeSync(openSync(Buffer.from(logfile, 'latin1'), 'a'));
      } catch (err) {
        throw fatal(`Can't open the log file: ${strerror(err)}`);
      }
    }
    if (this.valueOf('cluster-enabled') === 'yes' && this.valueOf('replicaof') !== '') {
      throw fatal('replicaof directive not allowed in cluster mode');
    }
  }

  /** `include <path>`: a file, or a glob whose matches are read as one text (none is fine). */
  private loadInclude(file: string, state: LoadState): void {
    const text = bytesToText(file);
    let content = '';
    if (/[*?[]/.test(text)) {
      for (const match of expandGlob(text)) {
        try {
          content += readFileSync(match).toString('latin1');
        } catch (err) {
          throw cannotOpen(match, err);
        }
      }
      if (content === '') return;
    } else {
      try {
        content = readFileSync(text).toString('latin1');
      } catch (err) {
        throw cannotOpen(text, err);
      }
    }
    this.loadText(content, state);
  }

  // ── reading ─────────────────────────────────────────────────────────────────────────

  /** CONFIG GET of one exact name (case-insensitive), or undefined when unknown. */
  get(name: string): string | undefined {
    const entry = lookupEntry(name);
    return entry ? entry.param.kind.format(this.values.get(entry.param)) : undefined;
  }

  /**
   * CONFIG GET: name/value pairs for each pattern. A name without glob characters is looked
   * up exactly (hidden parameters too) and reported as spelled; a pattern matches the names
   * case-insensitively. Each parameter name appears once.
   */
  getMatching(patterns: readonly string[]): Array<[string, string]> {
    const matches = new Map<string, [string, Entry]>();
    for (const pattern of patterns) {
      if (!/[[*?]/.test(pattern)) {
        const entry = lookupEntry(pattern);
        const key = pattern.toLowerCase();
        if (entry && !matches.has(key)) matches.set(key, [pattern, entry]);
        continue;
      }
      for (const entry of ENTRIES.values()) {
        if (entry.param.flags & F.HIDDEN || matches.has(entry.name)) continue;
        if (globMatch(pattern, entry.name, true)) matches.set(entry.name, [entry.name, entry]);
      }
    }
    return [...matches.values()].map(([name, entry]) => [name, entry.param.kind.format(this.values.get(entry.param))]);
  }

  // ── CONFIG SET ──────────────────────────────────────────────────────────────────────

  /**
   * Sets name/value pairs atomically, as CONFIG SET: every name is checked (unknown,
   * immutable, protected, duplicate) and every value parsed before anything changes; then
   * the change listeners run, and if one refuses, all values are restored. `localClient`
   * is whether the caller connects from loopback (enable-protected-configs local).
   */
  set(pairs: ReadonlyArray<readonly [string, string]>, opts: { localClient: boolean; loading?: boolean }): SetFailure | null {
    const entries: Entry[] = [];
    let failure: SetFailure | null = null;
    for (const [name] of pairs) {
      const entry = lookupEntry(name);
      if (!entry) {
        failure ??= { kind: 'unknown', name };
        continue;
      }
      if (failure) continue;
      const flags = entry.param.flags;
      if (flags & F.IMMUTABLE) {
        failure = { kind: 'failed', name, reason: "can't set immutable config" };
        continue;
      }
      if (flags & F.PROTECTED && !this.allowsProtected(opts.localClient)) {
        failure = { kind: 'failed', name, reason: "can't set protected config" };
        continue;
      }
      if (opts.loading && flags & F.DENY_LOADING) {
        failure = { kind: 'loading' };
        continue;
      }
      // Aliases are separate entries in Redis: "slave-priority 1 replica-priority 2" is allowed.
      if (entries.includes(entry)) failure = { kind: 'failed', name, reason: 'duplicate parameter' };
      entries.push(entry);
    }
    if (failure) return failure;

    const before = new Map<Param, unknown>();
    for (const e of entries) if (!before.has(e.param)) before.set(e.param, this.values.get(e.param));
    const restore = (): void => {
      for (const [p, old] of before) this.values.set(p, old);
    };
    const ctx = this.parseContext(false);
    for (let i = 0; i < pairs.length; i++) {
      const { param, name } = entries[i];
      const value = pairs[i][1];
      const args = param.flags & F.MULTI_ARG ? (value === '' ? [] : value.split(' ')) : [value];
      const parsed = param.kind.parse(args, this.values.get(param), ctx);
      if (parsed instanceof Invalid) {
        restore();
        return { kind: 'failed', name, reason: parsed.reason };
      }
      this.values.set(param, parsed);
    }

    const refusal = this.runListeners(entries, before);
    if (refusal) {
      restore();
      this.refresh();
      this.runListeners(entries, before, true);
      return refusal;
    }
    this.refresh();
    return null;
  }

  /**
   * Runs the listeners of the parameters whose CONFIG GET value changed, each once, in the
   * order the parameters were given. Returns the first refusal.
   */
  private runListeners(entries: readonly Entry[], before: ReadonlyMap<Param, unknown>, ignoreRefusals = false): SetFailure | null {
    this.refresh();
    const done = new Set<ChangeListener>();
    for (const { param, name } of entries) {
      if (param.kind.format(before.get(param)) === param.kind.format(this.values.get(param)) && !ignoreRefusals) continue;
      for (const l of this.listeners) {
        if (!l.names.has(param.name) || done.has(l.fn)) continue;
        done.add(l.fn);
        const reason = l.fn();
        if (typeof reason === 'string' && !ignoreRefusals) return { kind: 'failed', name, reason };
      }
    }
    return null;
  }

  /** Calls `fn` after CONFIG SET changes any of `names` (primary names); see ChangeListener. */
  onChange(names: string | readonly string[], fn: ChangeListener): void {
    this.listeners.push({ names: new Set(typeof names === 'string' ? [names] : names), fn });
  }

  /**
   * Sets one parameter on the server's own behalf (REPLICAOF, CLUSTER ...): immutable and
   * protected parameters included, no listeners. Returns Redis's reason when refused.
   */
  assign(name: string, value: string): string | null {
    const entry = lookupEntry(name);
    if (!entry) return 'unknown parameter';
    const args = entry.param.flags & F.MULTI_ARG ? (value === '' ? [] : value.split(' ')) : [value];
    const parsed = entry.param.kind.parse(args, this.values.get(entry.param), this.parseContext(false));
    if (parsed instanceof Invalid) return parsed.reason;
    this.values.set(entry.param, parsed);
    this.refresh();
    return null;
  }

  private allowsProtected(localClient: boolean): boolean {
    const mode = this.v.enableProtectedConfigs;
    return mode === 'yes' || (mode === 'local' && localClient);
  }

  // ── CONFIG REWRITE ──────────────────────────────────────────────────────────────────

  /**
   * Rewrites the config file as Redis does: comments and unknown lines stay, each
   * parameter's old line is updated in place, non-default values without a line are
   * appended under "# Generated by CONFIG REWRITE", unused old lines of rewritten options
   * are blanked. Returns null, or the reason it failed (strerror text).
   */
  rewrite(): string | null {
    const file = this.configFile;
    if (file === null) return 'no config file';
    let old: string | null;
    try {
      old = existsSync(file) ? readFileSync(file).toString('latin1') : null;
    } catch (err) {
      return strerror(err);
    }
    const content = this.rewriteText(old);
    try {
      writeFileAtomically(file, content);
    } catch (err) {
      return strerror(err);
    }
    return null;
  }

  /** The new content of a config file whose current content is `oldContent` (null: none). */
  rewriteText(oldContent: string | null): string {
    const state = new RewriteState(oldContent, (name) => ENTRIES.get(name)?.param.name);
    const ctx: RewriteContext = { valueOf: (n) => this.valueOf(n) };
    for (const p of PARAMS) p.kind.rewrite(p.name, this.values.get(p), p.defaultValue, state, ctx);
    return state.content();
  }

  // ── internals ───────────────────────────────────────────────────────────────────────

  private param(name: string): Param {
    return ENTRIES.get(name)!.param;
  }

  private valueOf(name: string): string {
    const p = this.param(name);
    return p.kind.format(this.values.get(p));
  }

  private parseContext(atStartup: boolean, state?: LoadState): ParseContext {
    return {
      atStartup,
      readingConfigFile: state?.readingConfigFile ?? false,
      saveLoaded: state?.saveLoaded ?? false,
      valueOf: (n) => this.valueOf(n),
    };
  }

  private raw<T>(name: string): T {
    return this.values.get(this.param(name)) as T;
  }

  private typedValues(): ConfigValues {
    const num = (name: string): number => Number(this.raw<bigint>(name));
    const text = (name: string): string => bytesToText(this.raw<string | null>(name) ?? '');
    const logfile = text('logfile');
    return {
      port: num('port'),
      bind: this.raw<readonly string[]>('bind').map(bytesToText),
      dir: text('dir'),
      databases: num('databases'),
      loglevel: this.raw<LogLevel>('loglevel'),
      logfile: logfile === '' ? '' : path.resolve(logfile),
      maxclients: num('maxclients'),
      protoMaxBulkLen: Math.min(num('proto-max-bulk-len'), MAX_STRING_BYTES),
      clientQueryBufferLimit: num('client-query-buffer-limit'),
      timeout: num('timeout'),
      hz: num('hz'),
      requirepass: this.raw<string | null>('requirepass') ?? '',
      tcpKeepalive: num('tcp-keepalive'),
      enableProtectedConfigs: this.raw<ProtectedAction>('enable-protected-configs'),
      appendonly: this.raw<boolean>('appendonly'),
      appendfsync: this.raw<Appendfsync>('appendfsync'),
      walSegmentSize: num('wal-segment-size'),
      snapshotWalBytes: num('snapshot-wal-bytes'),
      snapshotInterval: num('snapshot-interval'),
      save: this.raw<readonly RawSaveRule[]>('save').map((r) => ({ seconds: Number(r.seconds), changes: r.changes })),
      maxmemory: Number(BigInt.asUintN(64, this.raw<bigint>('maxmemory'))),
      maxmemoryPolicy: this.raw<MaxmemoryPolicy>('maxmemory-policy'),
      notifyKeyspaceEvents: this.raw<number>('notify-keyspace-events'),
      hashMaxListpackEntries: num('hash-max-listpack-entries'),
      hashMaxListpackValue: num('hash-max-listpack-value'),
      setMaxIntsetEntries: num('set-max-intset-entries'),
      listMaxListpackSize: num('list-max-listpack-size'),
      rdbcompression: this.raw<boolean>('rdbcompression'),
      slowlogLogSlowerThan: num('slowlog-log-slower-than'),
      slowlogMaxLen: num('slowlog-max-len'),
      latencyMonitorThreshold: num('latency-monitor-threshold'),
      clientOutputBufferLimits: this.raw<BufferLimits>('client-output-buffer-limit'),
      clusterEnabled: this.raw<boolean>('cluster-enabled'),
      clusterConfigFile: text('cluster-config-file'),
      clusterNodeTimeout: num('cluster-node-timeout'),
      clusterPort: num('cluster-port'),
      clusterAnnounceIp: text('cluster-announce-ip'),
      clusterAnnouncePort: num('cluster-announce-port'),
      clusterAnnounceBusPort: num('cluster-announce-bus-port'),
      clusterAnnounceHostname: text('cluster-announce-hostname'),
      clusterRequireFullCoverage: this.raw<boolean>('cluster-require-full-coverage'),
      clusterAllowReadsWhenDown: this.raw<boolean>('cluster-allow-reads-when-down'),
      clusterAllowReplicaMigration: this.raw<boolean>('cluster-allow-replica-migration'),
      clusterPreferredEndpointType: this.raw<'ip' | 'hostname' | 'unknown-endpoint'>('cluster-preferred-endpoint-type'),
      replicaof: this.raw<PrimaryAddress | null>('replicaof'),
      enableDebugCommand: this.raw<ProtectedAction>('enable-debug-command'),
    };
  }

  /** Mirrors the parameter values into `v` (same object, so live readers see changes). */
  private refresh(): void {
    Object.assign(this.v, this.typedValues());
  }
}

/**
 * redis-server's argument handling after the config file: `--name` starts a line, the
 * arguments up to the next `--name` are its values (quoted, so they stay one argument each);
 * `--save` with no value means `save ""`; a lone '-' first or last reads standard input.
 */
function optionsText(argv: readonly string[], from: number): { options: string; fromStdin: boolean } {
  let options = '';
  let fromStdin = false;
  let handledLastArg = true;
  for (let j = from; j < argv.length; j++) {
    const a = argv[j];
    if (a === '-' && (j === 0 || j === argv.length - 1)) {
      fromStdin = true;
    } else if (handledLastArg && a.startsWith('--')) {
      if (options.length > 0) options += '\n';
      options += textToBytes(a.slice(2)) + ' ';
      const words = splitArgs(textToBytes(a));
      if (words !== null && words.length === 1) {
        // Just a name ("--port"): what follows is its value, even if it starts with "--".
        handledLastArg = false;
        if (a.toLowerCase() === '--save' && (j === argv.length - 1 || argv[j + 1].startsWith('--'))) {
          options += '""';
          handledLastArg = true;
        }
      } else {
        // "--port 6380" as one argument: name and value together.
        handledLastArg = true;
      }
    } else {
      options += repr(textToBytes(a)) + ' ';
      handledLastArg = true;
    }
  }
  return { options, fromStdin };
}

/** Files matching a glob path (wildcards in any component), sorted like glob(3). */
function expandGlob(pattern: string): string[] {
  const absolute = pattern.startsWith('/');
  let found = [absolute ? '/' : ''];
  for (const part of pattern.split('/').filter((p) => p !== '')) {
    const next: string[] = [];
    for (const base of found) {
      if (!/[*?[]/.test(part)) {
        next.push(base + part);
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(base === '' ? '.' : base);
      } catch {
        continue;
      }
      for (const n of names) {
        // glob(3) does not let wildcards match a leading dot.
        if ((n[0] !== '.' || part[0] === '.') && globMatch(part, n)) next.push(base + n);
      }
    }
    found = next.map((p) => p + '/');
  }
  return found
    .map((p) => p.slice(0, -1))
    .filter((p) => existsSync(p))
    .sort();
}
