// The wire protocol itself, as raw bytes: malformed multibulk requests (error reply, then the
// connection closes), size limits, inline commands with quoting and \x escapes, empty lines,
// pipelines and requests split across writes.

import { pipeline, scenario, type Scenario, type Step } from '../lib/scenario';

/** Send bytes that Redis answers with a protocol error and a close; then check the server on a new connection. */
function protocolError(name: string, raw: string, timeoutMs = 500): Scenario {
  return scenario(`protocol/${name}`, [{ raw, untilClose: true, timeoutMs }, { cmd: ['PING'], conn: 1 }]);
}

const PING = '*1\r\n$4\r\nPING\r\n';

export const protocolScenarios: Scenario[] = [
  // ---- malformed multibulk ------------------------------------------------------------------
  protocolError('multibulk-length-not-a-number', '*a\r\n'),
  protocolError('multibulk-length-with-space', '* 1\r\n'),
  protocolError('multibulk-length-trailing-junk', '*1x\r\n$4\r\nPING\r\n'),
  protocolError('multibulk-length-over-int-max', '*2147483648\r\n'),
  protocolError('multibulk-length-huge-but-valid-waits', '*1048577\r\n$4\r\nPING\r\n', 300),
  protocolError('multibulk-count-line-too-long', '*' + '1'.repeat(70000)),
  protocolError('bulk-length-negative', '*1\r\n$-5\r\n'),
  protocolError('bulk-length-minus-one', '*1\r\n$-1\r\n'),
  protocolError('bulk-length-not-a-number', '*1\r\n$x\r\n'),
  protocolError('bulk-length-empty', '*1\r\n$\r\n'),
  protocolError('bulk-length-over-512mb', '*1\r\n$536870913\r\n'),
  protocolError('bulk-length-line-too-long', '*1\r\n$' + '1'.repeat(70000)),
  protocolError('expected-dollar', '*2\r\n$4\r\nping\r\nx\r\n'),
  protocolError('expected-dollar-got-star', '*1\r\n*1\r\n'),
  protocolError('expected-dollar-got-colon', '*1\r\n:1\r\n'),
  protocolError('error-after-valid-command', PING + '*x\r\n'),
  protocolError('bulk-not-followed-by-crlf', '*1\r\n$4\r\nPINGxx' + PING, 300),
  protocolError('bulk-shorter-than-declared', '*1\r\n$10\r\nPING\r\n', 300),

  // ---- inline commands ----------------------------------------------------------------------
  protocolError('inline-unbalanced-double-quote', 'SET "a b\r\n'),
  protocolError('inline-line-too-long-with-newline', 'x'.repeat(100000) + '\r\n'),
  protocolError('inline-line-too-long-without-newline', 'x'.repeat(70000)),
  protocolError('inline-unbalanced-single-quote', "SET 'a b\r\n"),
  protocolError('inline-closing-quote-not-followed-by-space', 'SET "a"b c\r\n'),
  protocolError('inline-too-long', 'x'.repeat(70000)),
  scenario('protocol/inline-basic', [
    { raw: 'PING\r\n' },
    { raw: 'ping\n' },
    { raw: '   PING    \r\n' },
    { raw: 'PING hello\r\n' },
    { raw: 'ECHO hello world\r\n' },
    { raw: 'SET k v\r\nGET k\r\n', replies: 2 },
    { raw: 'GET k\n' },
    { raw: 'PING\rPING\r\n' },
    { raw: 'ECHO a\tb\r\n' },
    { raw: 'FOOBAR a b\r\n' },
    { raw: '$4\r\nPING\r\n', replies: 2 },
  ]),
  // Redis finds the end of an inline request with strchr, which stops at a NUL byte: the
  // request never completes, and neither does anything sent after it on that connection.
  scenario('protocol/inline-with-nul-byte', [
    { raw: 'ECHO a\x00b\r\nPING\r\n', untilClose: true, timeoutMs: 300 },
    { cmd: ['PING'], conn: 1 },
  ], { knownDifference: 'inline-requests-are-binary-safe' }),
  scenario('protocol/inline-quotes-and-escapes', [
    { raw: 'SET "k\\x41" \'v w\'\r\n' },
    ['GET', 'kA'],
    { raw: 'ECHO "a\\nb\\tc\\\\d\\"e"\r\n' },
    { raw: "ECHO 'it\\'s'\r\n" },
    { raw: "ECHO 'a\\nb'\r\n" },
    { raw: 'ECHO "\\x4"\r\n' },
    { raw: 'ECHO "\\xzz"\r\n' },
    { raw: 'ECHO "\\x00\\xff\\x7F"\r\n' },
    { raw: 'ECHO "\\a\\b\\r\\q"\r\n' },
    { raw: 'ECHO ""\r\n' },
    { raw: "ECHO ''\r\n" },
    { raw: 'ECHO "a b" \r\n' },
    { raw: 'ECHO a"b"\r\n' },
    { raw: 'SET "multi word key" "multi word value"\r\n' },
    ['GET', 'multi word key'],
    { raw: 'ECHO "é"\r\n' },
  ]),
  scenario('protocol/empty-lines-are-ignored', [
    { raw: '\r\n\r\n\n  \r\n\t\r\nPING\r\n' },
    { raw: '\r\n', replies: 0 },
    { raw: PING },
  ]),
  scenario('protocol/empty-multibulk-is-ignored', [{ raw: '*0\r\n*-1\r\n*-5\r\n' + PING }, { raw: '*0\r\n', replies: 0 }, { raw: PING }]),
  scenario('protocol/empty-bulk-command-name', [{ raw: '*1\r\n$0\r\n\r\n' }, { raw: '*2\r\n$4\r\nECHO\r\n$0\r\n\r\n' }]),
  scenario('protocol/mixed-inline-and-multibulk', [{ raw: PING + 'PING\r\n' + PING + 'ECHO x\r\n', replies: 4 }]),

  // ---- pipelines and split requests -----------------------------------------------------------
  scenario('protocol/pipeline-1000-pings', [{ raw: PING.repeat(1000), replies: 1000 }]),
  scenario('protocol/pipeline-mixed', [
    pipeline([
      ['SET', 'a', '1'],
      ['INCR', 'a'],
      ['GET', 'a'],
      ['GET', 'missing'],
      ['FOOBAR'],
      ['GET'],
      ['INCRBYFLOAT', 'a', '0.5'],
      ['DEL', 'a'],
    ]),
  ]),
  scenario('protocol/request-split-across-writes', [
    { raw: '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhel', replies: 0 },
    { sleepMs: 30 },
    { raw: 'lo\r\n' },
    { raw: '*2\r\n$3\r', replies: 0 },
    { sleepMs: 30 },
    { raw: '\nGET\r\n$1\r\nk', replies: 0 },
    { sleepMs: 30 },
    { raw: '\r\n' },
    { raw: 'PI', replies: 0 },
    { sleepMs: 30 },
    { raw: 'NG\r\n' },
  ]),
  scenario('protocol/request-byte-by-byte', [
    ...[...'*2\r\n$4\r\nECHO\r\n$5\r\nhello\r'].flatMap((ch): Step[] => [{ raw: ch, replies: 0 }, { sleepMs: 2 }]),
    { raw: '\n' },
  ]),
  scenario('protocol/large-bulk-in-pieces', [
    { raw: '*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$200000\r\n' + 'a'.repeat(100000), replies: 0 },
    { sleepMs: 30 },
    { raw: 'b'.repeat(100000) + '\r\n' },
    ['STRLEN', 'big'],
    ['GETRANGE', 'big', '99998', '100001'],
  ]),
];
