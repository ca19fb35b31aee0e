// Server introspection: COMMAND COUNT/INFO/DOCS/GETKEYS for the commands Cinnabar implements,
// CONFIG GET of common parameters (port and dir normalized), CONFIG SET errors, INFO keyspace.

import {
  anyInteger,
  commandDocsSubcommandsSorted,
  commandInfoSubcommandsSorted,
  fieldValue,
  scenario,
  type Scenario,
} from '../lib/scenario';

/** Commands Cinnabar implements; COMMAND INFO and COMMAND DOCS are compared for each. */
export const IMPLEMENTED_COMMANDS = [
  'get', 'set', 'setnx', 'setex', 'psetex', 'getset', 'getdel', 'getex', 'mget', 'mset', 'msetnx',
  'append', 'strlen', 'getrange', 'substr', 'setrange', 'incr', 'decr', 'incrby', 'decrby',
  'incrbyfloat', 'lcs', 'del', 'unlink', 'exists', 'type', 'keys', 'scan', 'randomkey', 'rename',
  'renamenx', 'copy', 'move', 'touch', 'object', 'swapdb', 'dbsize', 'flushdb', 'flushall', 'expire',
  'pexpire', 'expireat', 'pexpireat', 'ttl', 'pttl', 'expiretime', 'pexpiretime', 'persist', 'ping',
  'echo', 'hello', 'select', 'auth', 'quit', 'reset', 'client', 'command', 'config', 'info', 'slowlog',
  'memory',
];

/** Parameters whose CONFIG GET reply is compared (defaults, or as both servers were started). */
const CONFIG_PARAMS = [
  'maxmemory', 'maxmemory-policy', 'maxmemory-samples', 'timeout', 'databases', 'port', 'bind', 'dir',
  'save', 'appendonly', 'appendfsync', 'maxclients', 'hz', 'dynamic-hz', 'tcp-keepalive', 'tcp-backlog',
  'proto-max-bulk-len', 'client-query-buffer-limit', 'requirepass', 'notify-keyspace-events',
  'lazyfree-lazy-user-del', 'lazyfree-lazy-user-flush', 'lazyfree-lazy-expire', 'daemonize',
  'cluster-enabled', 'protected-mode', 'replica-read-only', 'slowlog-log-slower-than', 'slowlog-max-len',
  'list-max-listpack-size', 'hash-max-listpack-entries', 'set-max-intset-entries', 'io-threads',
  'appendfilename', 'dbfilename', 'min-replicas-to-write', 'repl-backlog-size', 'busy-reply-threshold',
  'lua-time-limit', 'latency-tracking', 'enable-debug-command', 'active-expire-effort',
];

const portAndDir = [fieldValue('port'), fieldValue('dir')];

export const serverScenarios: Scenario[] = [
  // ---- COMMAND -----------------------------------------------------------------------------
  scenario('server/command-count', [{ cmd: ['COMMAND', 'COUNT'], ignore: [anyInteger] }]),
  ...IMPLEMENTED_COMMANDS.map((c) =>
    scenario(`server/command-info/${c}`, [['COMMAND', 'INFO', c]], {
      ignore: [commandInfoSubcommandsSorted],
      ...(c === 'client' ? { knownDifference: 'client-pause-unpause-and-tracking-are-not-implemented' } : {}),
    }),
  ),
  scenario('server/command-info-misc', [
    ['COMMAND', 'INFO', 'GET', 'SET'],
    ['COMMAND', 'INFO', 'client|id'],
    ['COMMAND', 'INFO', 'config|get'],
    ['COMMAND', 'INFO', 'nosuchcommand'],
    ['COMMAND', 'INFO', 'get', 'nosuchcommand', 'del'],
    ['COMMAND', 'INFO', 'GeT'],
  ], { ignore: [commandInfoSubcommandsSorted] }),
  ...IMPLEMENTED_COMMANDS.map((c) =>
    scenario(`server/command-docs/${c}`, [['COMMAND', 'DOCS', c]], {
      ignore: [commandDocsSubcommandsSorted],
      ...(c === 'client' ? { knownDifference: 'client-pause-unpause-and-tracking-are-not-implemented' } : {}),
    }),
  ),
  scenario('server/command-docs-misc', [
    ['COMMAND', 'DOCS', 'nosuchcommand'],
    ['COMMAND', 'DOCS', 'get', 'nosuchcommand'],
    ['COMMAND', 'DOCS', 'client|id'],
  ], { ignore: [commandDocsSubcommandsSorted] }),
  scenario('server/command-getkeys', [
    ['COMMAND', 'GETKEYS', 'SET', 'a', 'b'],
    ['COMMAND', 'GETKEYS', 'MSET', 'a', '1', 'b', '2'],
    ['COMMAND', 'GETKEYS', 'MGET', 'a', 'b', 'c'],
    ['COMMAND', 'GETKEYS', 'RENAME', 'a', 'b'],
    ['COMMAND', 'GETKEYS', 'LCS', 'a', 'b'],
    ['COMMAND', 'GETKEYS', 'GET'],
    ['COMMAND', 'GETKEYS', 'PING'],
    ['COMMAND', 'GETKEYS', 'FOO', 'a'],
    ['COMMAND', 'GETKEYS', 'MSET', 'a'],
  ]),
  scenario('server/command-help', [['COMMAND', 'HELP']]),

  // ---- CONFIG ------------------------------------------------------------------------------
  scenario('server/config-get', [
    ...CONFIG_PARAMS.map((p) => ['CONFIG', 'GET', p]),
    ['CONFIG', 'GET', 'nosuchparam'],
    ['CONFIG', 'GET', 'MAXMEMORY'],
  ], { ignore: portAndDir }),
  scenario('server/config-get-patterns', [
    { cmd: ['CONFIG', 'GET', 'maxmemory*'], unordered: 'pairs' },
    { cmd: ['CONFIG', 'GET', 'maxmemory', 'timeout', 'hz'], unordered: 'pairs' },
    { cmd: ['CONFIG', 'GET', 'timeout', 'timeout'], unordered: 'pairs' },
    { cmd: ['CONFIG', 'GET', 'lazyfree-*'], unordered: 'pairs' },
    { cmd: ['CONFIG', 'GET', 'nosuch*'], unordered: 'pairs' },
  ]),
  scenario(
    'server/config-set-errors',
    [
      ['CONFIG', 'SET', 'maxmemory', 'abc'],
      ['CONFIG', 'SET', 'maxmemory', '-1'],
      ['CONFIG', 'SET', 'nosuchparam', '1'],
      ['CONFIG', 'SET', 'timeout', '-1'],
      ['CONFIG', 'SET', 'timeout', 'abc'],
      ['CONFIG', 'SET', 'hz', 'x'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'foo'],
      ['CONFIG', 'SET', 'appendonly', 'maybe'],
      ['CONFIG', 'SET', 'daemonize', 'yes'],
      ['CONFIG', 'SET', 'databases', '32'],
      ['CONFIG', 'SET', 'port'],
      ['CONFIG', 'SET', 'timeout', '0', 'timeout', '0'],
      ['CONFIG', 'SET', 'timeout', '0', 'hz'],
      ['CONFIG', 'SET', 'timeout', '0', 'nosuch', '1'],
      ['CONFIG', 'SET', 'maxmemory', '1gb', 'maxmemory-policy', 'bad'],
      ['CONFIG', 'GET', 'maxmemory'],
    ],
    { cleanup: [['CONFIG', 'SET', 'maxmemory', '0', 'timeout', '0', 'hz', '10', 'maxmemory-policy', 'noeviction']] },
  ),
  scenario(
    'server/config-set-valid',
    [
      ['CONFIG', 'SET', 'timeout', '300'],
      ['CONFIG', 'GET', 'timeout'],
      ['CONFIG', 'SET', 'maxmemory', '100mb'],
      ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'SET', 'maxmemory', '1GB'],
      ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'SET', 'MAXMEMORY', '0', 'Timeout', '0'],
      { cmd: ['CONFIG', 'GET', 'maxmemory', 'timeout'], unordered: 'pairs' },
      ['CONFIG', 'SET', 'hz', '500'],
      ['CONFIG', 'GET', 'hz'],
      ['CONFIG', 'SET', 'hz', '10'],
    ],
    { cleanup: [['CONFIG', 'SET', 'maxmemory', '0', 'timeout', '0', 'hz', '10']] },
  ),
  scenario('server/config-misc', [
    ['CONFIG', 'RESETSTAT'],
    ['CONFIG', 'REWRITE'],
    ['CONFIG', 'HELP'],
  ]),

  // ---- INFO ----------------------------------------------------------------------------------
  scenario('server/info-keyspace', [
    ['INFO', 'keyspace'],
    ['SET', 'a', '1'],
    ['SELECT', '2'],
    ['MSET', 'b', '1', 'c', '2'],
    ['INFO', 'keyspace'],
    ['INFO', 'KEYSPACE'],
    ['INFO', 'nosuchsection'],
  ]),
];
