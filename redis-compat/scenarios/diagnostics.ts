// SLOWLOG, LATENCY and MEMORY: replies, errors and help texts. Durations, times, client ports
// and memory figures are machine-dependent and normalized; everything else is byte for byte.
// Slow log scenarios use only commands not flagged `fast` (every call of those is timed,
// while `fast` ones are sampled: see DIFFERENCES.md#slow-log-samples-fast-commands).

import { anyInteger, commandInfoSubcommandsSorted, scenario, type Normalizer, type Scenario } from '../lib/scenario';

/** A client's ip:port in a slow log entry. */
const clientAddr: Normalizer = { pattern: /\$\d+\r\n127\.0\.0\.1:\d+\r\n/g, replace: '$<addr>\r\n' };
/** Doubles (RESP3) and numbers sent as bulk strings (RESP2 doubles) in MEMORY STATS. */
const anyNumber: Normalizer[] = [
  { pattern: /,[^\r]*\r\n/g, replace: ',<num>\r\n' },
  { pattern: /\$\d+\r\n-?\d+(\.\d+)?(e[-+]\d+)?\r\n/g, replace: '$<num>\r\n' },
];

const SLOWLOG_DEFAULTS = [
  ['CONFIG', 'SET', 'slowlog-log-slower-than', '10000'],
  ['CONFIG', 'SET', 'slowlog-max-len', '128'],
  ['SLOWLOG', 'RESET'],
];

const manyKeys = Array.from({ length: 40 }, (_, i) => `k${i}`);

export const diagnosticsScenarios: Scenario[] = [
  // ---- SLOWLOG ------------------------------------------------------------------------------
  scenario(
    'slowlog/entries',
    [
      ['CONFIG', 'SET', 'slowlog-log-slower-than', '0'],
      ['SLOWLOG', 'RESET'],
      ['CLIENT', 'SETNAME', 'diag'],
      ['DEL', ...manyKeys],
      ['CONFIG', 'GET', 'x'.repeat(300)],
      ['CONFIG', 'SET', 'requirepass', ''],
      ['SLOWLOG', 'LEN'],
      ['SLOWLOG', 'GET', '-1'],
      ['SLOWLOG', 'GET', '2'],
      ['SLOWLOG', 'GET', '0'],
      ['SLOWLOG', 'GET'],
    ],
    { ignore: [anyInteger, clientAddr], cleanup: SLOWLOG_DEFAULTS },
  ),
  scenario(
    'slowlog/max-len-and-disable',
    [
      ['CONFIG', 'SET', 'slowlog-log-slower-than', '0'],
      ['SLOWLOG', 'RESET'],
      ['DEL', 'a'],
      ['DEL', 'b'],
      ['DEL', 'c'],
      ['CONFIG', 'SET', 'slowlog-max-len', '2'],
      ['SLOWLOG', 'LEN'],
      ['DEL', 'd'],
      ['SLOWLOG', 'LEN'],
      ['SLOWLOG', 'GET'],
      ['CONFIG', 'SET', 'slowlog-max-len', '0'],
      ['DEL', 'e'],
      ['SLOWLOG', 'LEN'],
      ['CONFIG', 'SET', 'slowlog-max-len', '128'],
      ['CONFIG', 'SET', 'slowlog-log-slower-than', '-1'],
      ['DEL', 'f'],
      ['SLOWLOG', 'LEN'],
      { cmd: ['CONFIG', 'GET', 'slowlog-*'], unordered: 'pairs' },
      ['CONFIG', 'SET', 'slowlog-log-slower-than', '-2'],
    ],
    { ignore: [anyInteger, clientAddr], cleanup: SLOWLOG_DEFAULTS },
  ),
  scenario('slowlog/errors-and-help', [
    ['SLOWLOG'],
    ['SLOWLOG', 'foo'],
    ['SLOWLOG', 'GET', 'x'],
    ['SLOWLOG', 'GET', '-2'],
    ['SLOWLOG', 'GET', '1', '2'],
    ['SLOWLOG', 'LEN', 'x'],
    ['SLOWLOG', 'RESET', 'x'],
    ['SLOWLOG', 'HELP'],
    ['SLOWLOG', 'help', 'x'],
    { cmd: ['COMMAND', 'INFO', 'slowlog'], ignore: [commandInfoSubcommandsSorted] },
  ]),

  // ---- LATENCY ------------------------------------------------------------------------------
  scenario('latency/monitor-off', [
    ['LATENCY', 'LATEST'],
    ['LATENCY', 'HISTORY', 'command'],
    ['LATENCY', 'RESET'],
    ['LATENCY', 'RESET', 'command', 'fast-command'],
    ['LATENCY', 'DOCTOR'],
    ['LATENCY', 'GRAPH', 'command'],
    ['LATENCY', 'HELP'],
    ['LATENCY'],
    ['LATENCY', 'foo'],
    ['LATENCY', 'HISTORY'],
    ['LATENCY', 'LATEST', 'x'],
    ['CONFIG', 'GET', 'latency-monitor-threshold'],
    ['COMMAND', 'INFO', 'latency|latest', 'latency|doctor', 'latency|reset'],
  ]),
  scenario(
    'latency/monitor-on-no-spikes',
    [
      // One second: no command here takes that long.
      ['CONFIG', 'SET', 'latency-monitor-threshold', '1000'],
      ['LATENCY', 'LATEST'],
      ['LATENCY', 'DOCTOR'],
    ],
    { cleanup: [['CONFIG', 'SET', 'latency-monitor-threshold', '0']] },
  ),

  // ---- MEMORY -------------------------------------------------------------------------------
  scenario('memory/usage', [
    ['SET', 'foo', 'bar'],
    ['SET', 'n', '12345'],
    ['SET', 'big', 'x'.repeat(100)],
    ['SET', 'huge', 'y'.repeat(5000)],
    ['HSET', 'h', 'a', '1', 'b', '2', 'c', 'hello'],
    ['HSET', 'h2', 'f', 'z'.repeat(100)],
    ['SADD', 's', '1', '2', '3'],
    ['ZADD', 'z', '1', 'a', '2', 'b'],
    ...['foo', 'n', 'big', 'huge', 'h', 'h2', 's', 'z'].map((k) => ['MEMORY', 'USAGE', k]),
    ['MEMORY', 'USAGE', 'h', 'SAMPLES', '0'],
    ['MEMORY', 'USAGE', 'nokey'],
    ['MEMORY', 'USAGE', 'foo', 'SAMPLES'],
    ['MEMORY', 'USAGE', 'foo', 'SAMPLES', '-1'],
    ['MEMORY', 'USAGE', 'foo', 'SAMPLES', 'x'],
    ['MEMORY', 'USAGE', 'foo', 'bar'],
    ['MEMORY', 'USAGE'],
  ]),
  scenario('memory/doctor-purge-help-errors', [
    ['FLUSHALL'],
    ['MEMORY', 'DOCTOR'],
    ['MEMORY', 'PURGE'],
    ['MEMORY', 'HELP'],
    ['MEMORY'],
    ['MEMORY', 'foo'],
    ['MEMORY', 'STATS', 'x'],
    ['MEMORY', 'DOCTOR', 'x'],
    { cmd: ['COMMAND', 'INFO', 'memory'], ignore: [commandInfoSubcommandsSorted] },
  ]),
  scenario('memory/stats-fields', [['FLUSHALL'], ['SET', 'k', 'v'], ['MEMORY', 'STATS']], { ignore: [anyInteger, ...anyNumber] }),
];
