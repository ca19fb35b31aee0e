// Every configuration parameter Redis 7.0 knows (as `redis-server` 7.0.15 lists them in
// CONFIG GET *, plus the hidden ones that only answer to their exact name): name, alias,
// kind with bounds and default, flags (immutable, protected, ...), and whether Cinnabar acts
// on it. The table is data: Config, CONFIG GET/SET/REWRITE and docs/config-ignored.md read it.

import {
  type Kind,
  type NumericOptions,
  type CType,
  type Validator,
  type ParseContext,
  type SaveRule,
  type BufferLimits,
  type OomScoreAdjValues,
  type PrimaryAddress,
  boolKind,
  numericKind,
  enumKind,
  flagsEnumKind,
  stringKind,
  dirKind,
  saveKind,
  clientOutputBufferLimitKind,
  oomScoreAdjValuesKind,
  notifyKeyspaceEventsKind,
  bindKind,
  replicaofKind,
  latencyPercentilesKind,
} from './kinds';
import { INT_MAX, INT_MIN, UINT_MAX, LLONG_MAX, ULLONG_MAX } from './parse';

/** Parameter flags, as Redis's config.c. */
export const F = {
  /** CONFIG SET refuses it: "can't set immutable config". */
  IMMUTABLE: 1,
  /** CONFIG SET refuses it unless enable-protected-configs allows: "can't set protected config". */
  PROTECTED: 2,
  /** CONFIG SET refuses it while the dataset loads. */
  DENY_LOADING: 4,
  /** Takes several arguments (CONFIG SET splits its value on spaces). */
  MULTI_ARG: 8,
  /** Left out of CONFIG GET patterns; answers to its exact name only. */
  HIDDEN: 16,
  /** Its value is redacted from logs (passwords). */
  SENSITIVE: 32,
} as const;

/**
 * What Cinnabar does with a parameter: `acted` — it follows the value; `planned` — typed in
 * `config.v` for a subsystem being built (persistence, cluster, replication, eviction,
 * notifications) but not acted on yet; `ignored` — accepted, validated, stored and reported,
 * with no effect.
 */
export type Effect = 'acted' | 'planned' | 'ignored';

/** Sections of redis.conf, used to group the documentation. */
export type Group =
  | 'network'
  | 'tls'
  | 'general'
  | 'snapshotting'
  | 'replication'
  | 'security'
  | 'clients'
  | 'memory'
  | 'lazyfree'
  | 'threads'
  | 'kernel'
  | 'append-only'
  | 'scripting'
  | 'cluster'
  | 'slowlog-latency'
  | 'notifications'
  | 'encodings'
  | 'defrag'
  | 'testing';

export interface Param<T = unknown> {
  readonly name: string;
  readonly alias?: string;
  readonly flags: number;
  readonly effect: Effect;
  readonly group: Group;
  readonly kind: Kind<T>;
  readonly defaultValue: T;
}

interface Meta {
  alias?: string;
  flags?: number;
  effect?: Effect;
}

function param<T>(group: Group, name: string, kind: Kind<T>, defaultValue: T, meta: Meta = {}): Param<T> {
  return { name, alias: meta.alias, flags: meta.flags ?? 0, effect: meta.effect ?? 'ignored', group, kind, defaultValue };
}

function yesno(group: Group, name: string, def: boolean, meta?: Meta, validate?: Validator<boolean>): Param<boolean> {
  return param(group, name, boolKind(validate), def, meta);
}

function num(group: Group, name: string, ctype: CType, lower: bigint, upper: bigint, def: bigint, meta?: Meta, extra: Partial<NumericOptions> = {}): Param<bigint> {
  return param(group, name, numericKind(ctype, { lower, upper, ...extra }), BigInt.asIntN(64, def), meta);
}

function mem(group: Group, name: string, ctype: CType, lower: bigint, upper: bigint, def: bigint, meta?: Meta): Param<bigint> {
  return num(group, name, ctype, lower, upper, def, meta, { memory: true });
}

function oneOf<T extends string>(group: Group, name: string, names: readonly T[], def: T, meta?: Meta, same?: Partial<Record<T, T>>): Param<T> {
  return param(group, name, enumKind(names, same), def, meta);
}

function str(group: Group, name: string, emptyIsNull: boolean, def: string | null, meta?: Meta, validate?: Validator<string>): Param<string | null> {
  return param(group, name, stringKind(emptyIsNull, validate), def, meta);
}

const { IMMUTABLE, PROTECTED, DENY_LOADING, MULTI_ARG, HIDDEN, SENSITIVE } = F;
const MB = 1024n * 1024n;

// ── validators with Redis's messages ────────────────────────────────────────────────────

const isBaseName = (s: string): boolean => !s.includes('/') && !s.includes('\\');

const validDbFilename: Validator<string> = (v) => (isBaseName(v) ? null : "dbfilename can't be a path, just a filename");

const validAofFilename: Validator<string> = (v) =>
  v === '' ? "appendfilename can't be empty" : isBaseName(v) ? null : "appendfilename can't be a path, just a filename";

const validAofDirname: Validator<string> = (v) =>
  v === '' ? "appenddirname can't be empty" : isBaseName(v) ? null : "appenddirname can't be a path, just a dirname";

const validHostname: Validator<string> = (v) => {
  if (v.length >= 256) return 'Hostnames must be less than 256 characters';
  return /^[A-Za-z0-9.-]*$/.test(v) ? null : 'Hostnames may only contain alphanumeric characters, hyphens or dots';
};

/** Debian's redis-server is built without Redis's own jemalloc, so it refuses this too. */
const validActiveDefrag: Validator<boolean> = (v) =>
  v
    ? 'Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution'
    : null;

/** proc-title-template: every {variable} known, braces balanced, and a non-blank result. */
const validProcTitle: Validator<string> = (template, ctx) => {
  const expanded = expandProcTitle(template, ctx);
  return expanded === null || expanded.trim() === '' ? 'template format is invalid or contains unknown variables' : null;
};

function expandProcTitle(template: string, ctx: ParseContext): string | null {
  const variable = (name: string): string | null => {
    switch (name) {
      case 'title':
        return '';
      case 'listen-addr': {
        const port = ctx.valueOf('port') !== '0' ? ctx.valueOf('port') : ctx.valueOf('tls-port');
        if (port === '0') return `unixsocket:${ctx.valueOf('unixsocket')}`;
        return `${ctx.valueOf('bind').split(' ')[0] || '*'}:${port}`;
      }
      case 'server-mode':
        return ctx.valueOf('cluster-enabled') === 'yes' ? '[cluster]' : '';
      case 'config-file':
        return '-';
      case 'port':
        return ctx.valueOf('port');
      case 'tls-port':
        return ctx.valueOf('tls-port');
      case 'unixsocket':
        return ctx.valueOf('unixsocket');
      default:
        return null;
    }
  };
  let out = '';
  let p = 0;
  while (p < template.length) {
    const open = template.indexOf('{', p);
    if (open < 0) return out + template.slice(p);
    out += template.slice(p, open);
    if (open + 1 >= template.length) return null;
    if (template[open + 1] === '{') {
      out += '{';
      p = open + 2;
      continue;
    }
    const close = template.indexOf('}', open + 1);
    if (close < 0) return null;
    const value = variable(template.slice(open + 1, close));
    if (value === null) return null;
    out += value;
    p = close + 1;
  }
  return out;
}

const SHUTDOWN_FLAGS = [
  ['default', 0],
  ['save', 1],
  ['nosave', 2],
  ['now', 4],
  ['force', 8],
] as const;

const validShutdownFlags: Validator<number> = (v) =>
  (v & 1) !== 0 && (v & 2) !== 0 ? "shutdown options SAVE and NOSAVE can't be used simultaneously" : null;

/** hz is accepted out of range and capped, like Redis's updateHZ. */
const capHz = (v: bigint): bigint => (v < 1n ? 1n : v > 500n ? 500n : v);

// ── the table ───────────────────────────────────────────────────────────────────────────

const ACTED: Meta = { effect: 'acted' };
const PLANNED: Meta = { effect: 'planned' };

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning';
export type Appendfsync = 'everysec' | 'always' | 'no';
export type MaxmemoryPolicy =
  | 'volatile-lru'
  | 'volatile-lfu'
  | 'volatile-random'
  | 'volatile-ttl'
  | 'allkeys-lru'
  | 'allkeys-lfu'
  | 'allkeys-random'
  | 'noeviction';
export type ProtectedAction = 'no' | 'yes' | 'local';

const PROTECTED_ACTION: readonly ProtectedAction[] = ['no', 'yes', 'local'];

/** Cinnabar listens on loopback only unless told otherwise (it has no protected mode). */
export const DEFAULT_BIND: readonly string[] = ['127.0.0.1', '-::1'];

export const DEFAULT_SAVE: readonly SaveRule[] = [
  { seconds: 3600n, changes: 1 },
  { seconds: 300n, changes: 100 },
  { seconds: 60n, changes: 10000 },
];

export const DEFAULT_OUTPUT_BUFFER_LIMITS: BufferLimits = [
  { hard: 0n, soft: 0n, seconds: 0n },
  { hard: 256n * MB, soft: 64n * MB, seconds: 60n },
  { hard: 32n * MB, soft: 8n * MB, seconds: 60n },
];

export const PARAMS: readonly Param[] = [
  // network
  param('network', 'bind', bindKind, DEFAULT_BIND, { flags: MULTI_ARG, effect: 'acted' }),
  num('network', 'port', 'int', 0n, 65535n, 6379n, ACTED),
  yesno('network', 'protected-mode', true),
  num('network', 'tcp-backlog', 'int', 0n, INT_MAX, 511n, { flags: IMMUTABLE }),
  str('network', 'unixsocket', true, null, { flags: IMMUTABLE }),
  num('network', 'unixsocketperm', 'uint', 0n, 0o777n, 0n, { flags: IMMUTABLE }, { octal: true }),
  num('network', 'timeout', 'int', 0n, INT_MAX, 0n, ACTED),
  num('network', 'tcp-keepalive', 'int', 0n, INT_MAX, 300n, ACTED),
  num('network', 'socket-mark-id', 'uint', 0n, UINT_MAX, 0n, { flags: IMMUTABLE }),
  str('network', 'bind-source-addr', true, null),

  // TLS (Cinnabar has none: enabling it fails, see config.ts)
  num('tls', 'tls-port', 'int', 0n, 65535n, 0n),
  num('tls', 'tls-session-cache-size', 'int', 0n, INT_MAX, 20480n),
  num('tls', 'tls-session-cache-timeout', 'int', 0n, INT_MAX, 300n),
  yesno('tls', 'tls-cluster', false),
  yesno('tls', 'tls-replication', false),
  oneOf('tls', 'tls-auth-clients', ['no', 'yes', 'optional'], 'yes'),
  yesno('tls', 'tls-prefer-server-ciphers', false),
  yesno('tls', 'tls-session-caching', true),
  str('tls', 'tls-cert-file', true, null),
  str('tls', 'tls-key-file', true, null),
  str('tls', 'tls-key-file-pass', true, null),
  str('tls', 'tls-client-cert-file', true, null),
  str('tls', 'tls-client-key-file', true, null),
  str('tls', 'tls-client-key-file-pass', true, null),
  str('tls', 'tls-dh-params-file', true, null),
  str('tls', 'tls-ca-cert-file', true, null),
  str('tls', 'tls-ca-cert-dir', true, null),
  str('tls', 'tls-protocols', true, null),
  str('tls', 'tls-ciphers', true, null),
  str('tls', 'tls-ciphersuites', true, null),

  // general
  yesno('general', 'daemonize', false, { flags: IMMUTABLE }),
  oneOf('general', 'supervised', ['upstart', 'systemd', 'auto', 'no'], 'no', { flags: IMMUTABLE }),
  str('general', 'pidfile', true, null, { flags: IMMUTABLE }),
  oneOf<LogLevel>('general', 'loglevel', ['debug', 'verbose', 'notice', 'warning'], 'notice', ACTED),
  str('general', 'logfile', false, '', { flags: IMMUTABLE, effect: 'acted' }),
  yesno('general', 'syslog-enabled', false, { flags: IMMUTABLE }),
  str('general', 'syslog-ident', false, 'redis', { flags: IMMUTABLE }),
  oneOf('general', 'syslog-facility', ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'], 'local0', {
    flags: IMMUTABLE,
  }),
  yesno('general', 'crash-log-enabled', true),
  yesno('general', 'crash-memcheck-enabled', true),
  num('general', 'databases', 'int', 1n, INT_MAX, 16n, { flags: IMMUTABLE, effect: 'acted' }),
  yesno('general', 'always-show-logo', false, { flags: IMMUTABLE }),
  yesno('general', 'set-proc-title', true, { flags: IMMUTABLE }),
  str('general', 'proc-title-template', false, '{title} {listen-addr} {server-mode}', {}, validProcTitle),
  oneOf<ProtectedAction>('general', 'enable-protected-configs', PROTECTED_ACTION, 'no', { flags: IMMUTABLE, effect: 'acted' }),
  oneOf<ProtectedAction>('general', 'enable-debug-command', PROTECTED_ACTION, 'no', { flags: IMMUTABLE, effect: 'acted' }),
  oneOf<ProtectedAction>('general', 'enable-module-command', PROTECTED_ACTION, 'no', { flags: IMMUTABLE }),
  str('general', 'ignore-warnings', false, ''),
  num('general', 'hz', 'int', 0n, INT_MAX, 10n, ACTED, { normalize: capHz }),
  yesno('general', 'dynamic-hz', true),
  num('general', 'shutdown-timeout', 'int', 0n, INT_MAX, 10n),
  param('general', 'shutdown-on-sigint', flagsEnumKind(SHUTDOWN_FLAGS, validShutdownFlags), 0, { flags: MULTI_ARG }),
  param('general', 'shutdown-on-sigterm', flagsEnumKind(SHUTDOWN_FLAGS, validShutdownFlags), 0, { flags: MULTI_ARG }),

  // snapshotting
  param('snapshotting', 'save', saveKind, DEFAULT_SAVE, { flags: MULTI_ARG, effect: 'planned' }),
  yesno('snapshotting', 'stop-writes-on-bgsave-error', true),
  yesno('snapshotting', 'rdbcompression', true),
  yesno('snapshotting', 'rdbchecksum', true, { flags: IMMUTABLE }),
  oneOf('snapshotting', 'sanitize-dump-payload', ['no', 'yes', 'clients'], 'no'),
  str('snapshotting', 'dbfilename', false, 'dump.rdb', { flags: PROTECTED }, validDbFilename),
  yesno('snapshotting', 'rdb-del-sync-files', false),
  param('snapshotting', 'dir', dirKind, './data', { flags: PROTECTED | DENY_LOADING, effect: 'acted' }),
  yesno('snapshotting', 'rdb-save-incremental-fsync', true),

  // replication
  param('replication', 'replicaof', replicaofKind, null as PrimaryAddress | null, {
    alias: 'slaveof',
    flags: IMMUTABLE | MULTI_ARG,
    effect: 'planned',
  }),
  str('replication', 'masterauth', true, null, { flags: SENSITIVE }),
  str('replication', 'masteruser', true, null, { flags: SENSITIVE }),
  yesno('replication', 'replica-serve-stale-data', true, { alias: 'slave-serve-stale-data' }),
  yesno('replication', 'replica-read-only', true, { alias: 'slave-read-only' }),
  yesno('replication', 'repl-diskless-sync', true),
  num('replication', 'repl-diskless-sync-delay', 'int', 0n, INT_MAX, 5n),
  num('replication', 'repl-diskless-sync-max-replicas', 'int', 0n, INT_MAX, 0n),
  oneOf('replication', 'repl-diskless-load', ['disabled', 'on-empty-db', 'swapdb'], 'disabled', { flags: DENY_LOADING }),
  num('replication', 'repl-ping-replica-period', 'int', 1n, INT_MAX, 10n, { alias: 'repl-ping-slave-period' }),
  num('replication', 'repl-timeout', 'int', 1n, INT_MAX, 60n),
  yesno('replication', 'repl-disable-tcp-nodelay', false),
  num('replication', 'repl-backlog-size', 'longlong', 1n, LLONG_MAX, MB, {}, { memory: true, normalize: (v) => (v < 16384n ? 16384n : v) }),
  num('replication', 'repl-backlog-ttl', 'time_t', 0n, LLONG_MAX, 3600n),
  num('replication', 'replica-priority', 'int', 0n, INT_MAX, 100n, { alias: 'slave-priority' }),
  yesno('replication', 'replica-announced', true),
  num('replication', 'min-replicas-to-write', 'int', 0n, INT_MAX, 0n, { alias: 'min-slaves-to-write' }),
  num('replication', 'min-replicas-max-lag', 'int', 0n, INT_MAX, 10n, { alias: 'min-slaves-max-lag' }),
  str('replication', 'replica-announce-ip', true, null, { alias: 'slave-announce-ip' }),
  num('replication', 'replica-announce-port', 'int', 0n, 65535n, 0n, { alias: 'slave-announce-port' }),
  yesno('replication', 'replica-ignore-maxmemory', true, { alias: 'slave-ignore-maxmemory' }),
  yesno('replication', 'replica-ignore-disk-write-errors', false),
  oneOf('replication', 'propagation-error-behavior', ['ignore', 'panic', 'panic-on-replicas'], 'ignore'),

  // security
  str('security', 'requirepass', true, null, { flags: SENSITIVE, effect: 'acted' }),
  str('security', 'aclfile', false, '', { flags: IMMUTABLE }),
  num('security', 'acllog-max-len', 'ulong', 0n, LLONG_MAX, 128n),
  oneOf('security', 'acl-pubsub-default', ['allchannels', 'resetchannels'], 'resetchannels'),

  // clients
  num('clients', 'maxclients', 'uint', 1n, UINT_MAX, 10000n, ACTED),
  param('clients', 'client-output-buffer-limit', clientOutputBufferLimitKind, DEFAULT_OUTPUT_BUFFER_LIMITS, { flags: MULTI_ARG, effect: 'acted' }),
  mem('clients', 'client-query-buffer-limit', 'size_t', MB, LLONG_MAX, 1024n * MB, ACTED),
  mem('clients', 'proto-max-bulk-len', 'longlong', MB, LLONG_MAX, 512n * MB, ACTED),
  num('clients', 'maxmemory-clients', 'ssize_t', -100n, LLONG_MAX, 0n, {}, { memory: true, percent: true }),
  num('clients', 'tracking-table-max-keys', 'size_t', 0n, LLONG_MAX, 1000000n),

  // memory management
  mem('memory', 'maxmemory', 'ulonglong', 0n, ULLONG_MAX, 0n, PLANNED),
  oneOf<MaxmemoryPolicy>(
    'memory',
    'maxmemory-policy',
    ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'],
    'noeviction',
    PLANNED,
  ),
  num('memory', 'maxmemory-samples', 'int', 1n, INT_MAX, 5n),
  num('memory', 'maxmemory-eviction-tenacity', 'int', 0n, 100n, 10n),
  num('memory', 'active-expire-effort', 'int', 1n, 10n, 1n),
  num('memory', 'lfu-log-factor', 'int', 0n, INT_MAX, 10n),
  num('memory', 'lfu-decay-time', 'int', 0n, INT_MAX, 1n),

  // lazy freeing
  yesno('lazyfree', 'lazyfree-lazy-eviction', false),
  yesno('lazyfree', 'lazyfree-lazy-expire', false),
  yesno('lazyfree', 'lazyfree-lazy-server-del', false),
  yesno('lazyfree', 'lazyfree-lazy-user-del', false),
  yesno('lazyfree', 'lazyfree-lazy-user-flush', false),
  yesno('lazyfree', 'replica-lazy-flush', false, { alias: 'slave-lazy-flush' }),

  // threads and CPU placement
  num('threads', 'io-threads', 'int', 1n, 128n, 1n, { flags: IMMUTABLE }),
  yesno('threads', 'io-threads-do-reads', false, { flags: IMMUTABLE }),
  str('threads', 'server_cpulist', true, null, { flags: IMMUTABLE }),
  str('threads', 'bio_cpulist', true, null, { flags: IMMUTABLE }),
  str('threads', 'aof_rewrite_cpulist', true, null, { flags: IMMUTABLE }),
  str('threads', 'bgsave_cpulist', true, null, { flags: IMMUTABLE }),

  // kernel and allocator
  oneOf('kernel', 'oom-score-adj', ['no', 'yes', 'relative', 'absolute'], 'no', {}, { relative: 'yes' }),
  param('kernel', 'oom-score-adj-values', oomScoreAdjValuesKind, [0, 200, 800] as OomScoreAdjValues, { flags: MULTI_ARG }),
  yesno('kernel', 'disable-thp', true, { flags: IMMUTABLE }),
  yesno('kernel', 'jemalloc-bg-thread', true),

  // append only file
  // Cinnabar keeps data by default: the WAL is on unless `appendonly no`.
  yesno('append-only', 'appendonly', true, { flags: DENY_LOADING, effect: 'acted' }),
  str('append-only', 'appendfilename', false, 'appendonly.aof', { flags: IMMUTABLE }, validAofFilename),
  str('append-only', 'appenddirname', false, 'appendonlydir', { flags: IMMUTABLE }, validAofDirname),
  oneOf<Appendfsync>('append-only', 'appendfsync', ['everysec', 'always', 'no'], 'everysec', ACTED),
  // Cinnabar's own: WAL segment size, and when a snapshot is taken automatically (after this
  // many WAL bytes since the last one, or this many seconds with changes; 0 disables each).
  mem('append-only', 'wal-segment-size', 'longlong', MB, LLONG_MAX, 64n * MB, ACTED),
  mem('append-only', 'snapshot-wal-bytes', 'longlong', 0n, LLONG_MAX, 256n * MB, ACTED),
  num('append-only', 'snapshot-interval', 'int', 0n, INT_MAX, 300n, ACTED),
  yesno('append-only', 'no-appendfsync-on-rewrite', false),
  num('append-only', 'auto-aof-rewrite-percentage', 'int', 0n, INT_MAX, 100n),
  mem('append-only', 'auto-aof-rewrite-min-size', 'off_t', 0n, LLONG_MAX, 64n * MB),
  yesno('append-only', 'aof-load-truncated', true),
  yesno('append-only', 'aof-use-rdb-preamble', true),
  yesno('append-only', 'aof-timestamp-enabled', false),
  yesno('append-only', 'aof-rewrite-incremental-fsync', true),
  yesno('append-only', 'aof-disable-auto-gc', false),

  // scripting
  num('scripting', 'busy-reply-threshold', 'longlong', 0n, LLONG_MAX, 5000n, { alias: 'lua-time-limit' }),

  // cluster
  yesno('cluster', 'cluster-enabled', false, { flags: IMMUTABLE, effect: 'acted' }),
  str('cluster', 'cluster-config-file', false, 'nodes.conf', { flags: IMMUTABLE, effect: 'acted' }),
  num('cluster', 'cluster-node-timeout', 'longlong', 0n, LLONG_MAX, 15000n, ACTED),
  num('cluster', 'cluster-port', 'int', 0n, 65535n, 0n, { flags: IMMUTABLE, effect: 'acted' }),
  num('cluster', 'cluster-replica-validity-factor', 'int', 0n, INT_MAX, 10n, { alias: 'cluster-slave-validity-factor' }),
  num('cluster', 'cluster-migration-barrier', 'int', 0n, INT_MAX, 1n),
  yesno('cluster', 'cluster-allow-replica-migration', true, ACTED),
  yesno('cluster', 'cluster-require-full-coverage', true, ACTED),
  yesno('cluster', 'cluster-replica-no-failover', false, { alias: 'cluster-slave-no-failover' }),
  yesno('cluster', 'cluster-allow-reads-when-down', false, ACTED),
  yesno('cluster', 'cluster-allow-pubsubshard-when-down', true),
  mem('cluster', 'cluster-link-sendbuf-limit', 'ulonglong', 0n, ULLONG_MAX, 0n),
  str('cluster', 'cluster-announce-ip', true, null, ACTED),
  str('cluster', 'cluster-announce-hostname', true, null, ACTED, validHostname),
  num('cluster', 'cluster-announce-port', 'int', 0n, 65535n, 0n, ACTED),
  num('cluster', 'cluster-announce-bus-port', 'int', 0n, 65535n, 0n, ACTED),
  num('cluster', 'cluster-announce-tls-port', 'int', 0n, 65535n, 0n),
  oneOf('cluster', 'cluster-preferred-endpoint-type', ['ip', 'hostname', 'unknown-endpoint'], 'ip', ACTED),

  // slow log and latency monitoring
  num('slowlog-latency', 'slowlog-log-slower-than', 'longlong', -1n, LLONG_MAX, 10000n, ACTED),
  num('slowlog-latency', 'slowlog-max-len', 'ulong', 0n, LLONG_MAX, 128n, ACTED),
  num('slowlog-latency', 'latency-monitor-threshold', 'longlong', 0n, LLONG_MAX, 0n, ACTED),
  yesno('slowlog-latency', 'latency-tracking', true),
  param('slowlog-latency', 'latency-tracking-info-percentiles', latencyPercentilesKind, [50, 99, 99.9] as readonly number[], {
    flags: MULTI_ARG,
  }),

  // keyspace event notification
  param('notifications', 'notify-keyspace-events', notifyKeyspaceEventsKind, 0, ACTED),

  // data structure encodings
  num('encodings', 'hash-max-listpack-entries', 'size_t', 0n, LLONG_MAX, 512n, { alias: 'hash-max-ziplist-entries', effect: 'acted' }),
  mem('encodings', 'hash-max-listpack-value', 'size_t', 0n, LLONG_MAX, 64n, { alias: 'hash-max-ziplist-value', effect: 'acted' }),
  num('encodings', 'list-max-listpack-size', 'int', INT_MIN, INT_MAX, -2n, { alias: 'list-max-ziplist-size' }),
  num('encodings', 'list-compress-depth', 'int', 0n, INT_MAX, 0n),
  num('encodings', 'set-max-intset-entries', 'size_t', 0n, LLONG_MAX, 512n, ACTED),
  num('encodings', 'zset-max-listpack-entries', 'size_t', 0n, LLONG_MAX, 128n, { alias: 'zset-max-ziplist-entries' }),
  mem('encodings', 'zset-max-listpack-value', 'size_t', 0n, LLONG_MAX, 64n, { alias: 'zset-max-ziplist-value' }),
  mem('encodings', 'hll-sparse-max-bytes', 'size_t', 0n, LLONG_MAX, 3000n),
  mem('encodings', 'stream-node-max-bytes', 'size_t', 0n, LLONG_MAX, 4096n),
  num('encodings', 'stream-node-max-entries', 'longlong', 0n, LLONG_MAX, 100n),
  yesno('encodings', 'activerehashing', true),

  // active defragmentation
  yesno('defrag', 'activedefrag', false, {}, validActiveDefrag),
  mem('defrag', 'active-defrag-ignore-bytes', 'size_t', 1n, LLONG_MAX, 100n * MB),
  num('defrag', 'active-defrag-threshold-lower', 'int', 0n, 1000n, 10n),
  num('defrag', 'active-defrag-threshold-upper', 'int', 0n, 1000n, 100n),
  num('defrag', 'active-defrag-cycle-min', 'int', 1n, 99n, 1n),
  num('defrag', 'active-defrag-cycle-max', 'int', 1n, 99n, 25n),
  num('defrag', 'active-defrag-max-scan-fields', 'ulong', 1n, LLONG_MAX, 1000n),

  // testing hooks (hidden: CONFIG GET answers only to the exact name)
  yesno('testing', 'use-exit-on-panic', false, { flags: HIDDEN }),
  num('testing', 'rdb-key-save-delay', 'int', INT_MIN, INT_MAX, 0n, { flags: HIDDEN }),
  num('testing', 'key-load-delay', 'int', INT_MIN, INT_MAX, 0n, { flags: HIDDEN }),
  num('testing', 'watchdog-period', 'int', 0n, INT_MAX, 0n, { flags: HIDDEN }),
  num('testing', 'loading-process-events-interval-bytes', 'off_t', 1024n, INT_MAX, 2n * MB, { flags: HIDDEN }),
];

/** A name CONFIG GET/SET accept: a parameter under its primary name or its alias. */
export interface Entry {
  readonly name: string;
  readonly param: Param;
  readonly isAlias: boolean;
}

/** Every name, lower case → entry (Redis's config dictionary is case-insensitive). */
export const ENTRIES: ReadonlyMap<string, Entry> = (() => {
  const m = new Map<string, Entry>();
  for (const p of PARAMS) {
    if (m.has(p.name)) throw new Error(`config parameter ${p.name} declared twice`);
    m.set(p.name, { name: p.name, param: p, isAlias: false });
    if (p.alias) m.set(p.alias, { name: p.alias, param: p, isAlias: true });
  }
  return m;
})();

export function lookupEntry(name: string): Entry | undefined {
  return ENTRIES.get(name) ?? ENTRIES.get(name.toLowerCase());
}

/** Parameters accepted, validated, stored and reported by CONFIG GET, with no effect. */
export const ACCEPTED_AND_IGNORED: readonly string[] = PARAMS.filter((p) => p.effect === 'ignored').map((p) => p.name);

/** Parameters typed in `config.v` for subsystems being built, not acted on yet. */
export const NOT_YET_ACTED_ON: readonly string[] = PARAMS.filter((p) => p.effect === 'planned').map((p) => p.name);

/** Parameters Cinnabar follows. */
export const ACTED_ON: readonly string[] = PARAMS.filter((p) => p.effect === 'acted').map((p) => p.name);
