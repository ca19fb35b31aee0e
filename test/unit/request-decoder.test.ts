// Request decoder: every input is fed whole, byte by byte, and split at every boundary;
// the commands and protocol errors that come out must be the same every time.

import t, { type Test } from 'tap';
import { RequestDecoder, parseStrictInt, type RequestSink } from '../../src/resp/request-decoder';
import { splitArgs } from '../../src/resp/split-args';

interface Outcome {
  commands: string[][];
  error: string | null;
}

function collect(): RequestSink & Outcome {
  const o = {
    commands: [] as string[][],
    error: null as string | null,
    command(args: string[]) {
      o.commands.push(args);
      return true;
    },
    protocolError(msg: string) {
      o.error = msg;
    },
  };
  return o;
}

const limits = { protoMaxBulkLen: 512 * 1024 * 1024 };

/** Bytes that would read as protocol if the decoder looked past a chunk's end or kept it. */
const GARBAGE = Buffer.from('\r\n*2\r\n$3\r\nBAD\r\n\n');

/**
 * Feeds the chunks through one reused buffer, as the server does: each chunk is copied to its
 * start, the rest is garbage, and the whole buffer is overwritten with garbage after each
 * feed, so a decoder that reads past `end` or keeps a reference to the buffer fails.
 */
function feedChunks(chunks: Buffer[]): Outcome {
  const d = new RequestDecoder(limits);
  const sink = collect();
  const longest = Math.max(0, ...chunks.map((c) => c.length));
  const shared = Buffer.alloc(longest + 64);
  for (const c of chunks) {
    for (let i = 0; i < shared.length; i++) shared[i] = GARBAGE[i % GARBAGE.length];
    c.copy(shared);
    d.feed(shared, sink, c.length);
    shared.fill(GARBAGE);
  }
  return { commands: sink.commands, error: sink.error };
}

/** Feeds `input` whole, byte by byte, and split in two at every position. */
function checkAllSplits(t: Test, input: string, expected: Outcome): void {
  const buf = Buffer.from(input, 'latin1');
  t.same(feedChunks([buf]), expected, 'whole');
  const bytes: Buffer[] = [];
  for (let i = 0; i < buf.length; i++) bytes.push(buf.subarray(i, i + 1));
  t.same(feedChunks(bytes), expected, 'byte by byte');
  for (let i = 1; i < buf.length; i++) {
    const got = feedChunks([buf.subarray(0, i), buf.subarray(i)]);
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      t.same(got, expected, `split at ${i}`);
      return;
    }
  }
  t.pass('every two-way split');
}

t.test('multibulk commands', async (t) => {
  checkAllSplits(t, '*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n', {
    commands: [['PING'], ['SET', 'k', '']],
    error: null,
  });
});

t.test('binary-safe bulk with CR LF and high bytes inside', async (t) => {
  const v = 'a\r\nb\x00\xff\x80';
  checkAllSplits(t, `*2\r\n$4\r\nECHO\r\n$${v.length}\r\n${v}\r\n`, { commands: [['ECHO', v]], error: null });
});

t.test('empty and negative multibulk counts are skipped', async (t) => {
  checkAllSplits(t, '*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n', { commands: [['PING']], error: null });
});

t.test('inline commands', async (t) => {
  checkAllSplits(t, 'SET a "b c\\x41\\n"\r\nGET a\n\r\n  \r\nPING\r\n', {
    commands: [['SET', 'a', 'b cA\n'], ['GET', 'a'], ['PING']],
    error: null,
  });
});

t.test('protocol errors', async (t) => {
  const cases: Array<[string, string, string[][]]> = [
    ['*a\r\n', 'invalid multibulk length', []],
    ['*3000000000\r\n', 'invalid multibulk length', []],
    ['*1\r\n$-1\r\n', 'invalid bulk length', []],
    ['*1\r\n$600000000\r\n', 'invalid bulk length', []],
    ['*1\r\n$01\r\n', 'invalid bulk length', []],
    ['*2\r\n$4\r\nPING\r\nx\r\n', "expected '$', got 'x'", []],
    ['*1\r\n$4\r\nPING\r\nGET "a\r\n', 'unbalanced quotes in request', [['PING']]],
    ["GET 'a'b\r\n", 'unbalanced quotes in request', []],
  ];
  for (const [input, error, commands] of cases) {
    t.test(JSON.stringify(input), async (t) => checkAllSplits(t, input, { commands, error }));
  }
});

t.test('too big inline request and count strings', async (t) => {
  t.same(feedChunks([Buffer.alloc(70 * 1024, 'a')]).error, 'too big inline request');
  t.same(feedChunks([Buffer.from('*' + '1'.repeat(70 * 1024))]).error, 'too big mbulk count string');
  t.same(feedChunks([Buffer.from('*1\r\n$' + '1'.repeat(70 * 1024))]).error, 'too big bulk count string');
});

t.test('large bulk arriving in many chunks is assembled once', async (t) => {
  const big = 'x'.repeat(3 * 1024 * 1024);
  const input = Buffer.from(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${big.length}\r\n${big}\r\n*1\r\n$4\r\nPING\r\n`, 'latin1');
  const chunks: Buffer[] = [];
  for (let i = 0; i < input.length; i += 65536) chunks.push(input.subarray(i, i + 65536));
  const got = feedChunks(chunks);
  t.equal(got.error, null);
  t.equal(got.commands.length, 2);
  t.equal(got.commands[0][2].length, big.length);
  t.ok(got.commands[0][2] === big);
  t.same(got.commands[1], ['PING']);
});

t.test('a paused sink stops parsing until resume', async (t) => {
  const d = new RequestDecoder(limits);
  const seen: string[][] = [];
  let allow = 1;
  const sink: RequestSink = {
    command(args) {
      seen.push(args);
      return --allow > 0;
    },
    protocolError() {
      t.fail('no error expected');
    },
  };
  d.feed(Buffer.from('*1\r\n$1\r\na\r\n*1\r\n$1\r\nb\r\n*1\r\n$1\r\nc\r\n'), sink);
  t.same(seen, [['a']]);
  t.ok(d.buffered > 0);
  allow = 5;
  d.resume(sink);
  t.same(seen, [['a'], ['b'], ['c']]);
});

t.test('parseStrictInt follows string2ll', async (t) => {
  const b = (s: string) => Buffer.from(s);
  const p = (s: string) => parseStrictInt(b(s), 0, s.length);
  t.equal(p('0'), 0);
  t.equal(p('123'), 123);
  t.equal(p('-5'), -5);
  t.ok(Number.isNaN(p('')));
  t.ok(Number.isNaN(p('-')));
  t.ok(Number.isNaN(p('01')));
  t.ok(Number.isNaN(p('-0')));
  t.ok(Number.isNaN(p('+1')));
  t.ok(Number.isNaN(p(' 1')));
  t.ok(Number.isNaN(p('1a')));
});

t.test('splitArgs follows sdssplitargs', async (t) => {
  t.same(splitArgs('  a  b '), ['a', 'b']);
  t.same(splitArgs(''), []);
  t.same(splitArgs('"a\\tb" \'c\\\'d\''), ['a\tb', "c'd"]);
  t.same(splitArgs('"\\x4a\\x4B\\xzz"'), ['JKxzz']);
  t.equal(splitArgs('"abc'), null);
  t.equal(splitArgs('"abc"d'), null);
  t.equal(splitArgs("'abc"), null);
  t.same(splitArgs('""'), ['']);
});

t.test('input arriving while paused is buffered until resume', async (t) => {
  const d = new RequestDecoder(limits);
  const seen: string[][] = [];
  const sink: RequestSink = {
    command(args) {
      seen.push(args);
      return true;
    },
    protocolError() {
      t.fail('no error expected');
    },
  };
  d.feed(Buffer.from('*1\r\n$1\r\na\r\n'), sink);
  d.pause();
  d.feed(Buffer.from('*1\r\n$1\r\nb\r\n*1\r\n$1\r\nc'), sink);
  d.feed(Buffer.from('\r\n'), sink);
  t.same(seen, [['a']], 'nothing runs while paused');
  d.resume(sink);
  t.same(seen, [['a'], ['b'], ['c']]);
});
