// Basic request/reply behaviour of a real node over raw sockets: pipelining, inline
// commands, split packets, protocol errors and unknown commands.

import t from 'tap';
import { startCinnabar } from '../helpers/server';
import { RawConnection } from '../helpers/resp';

t.test('basics', async (t) => {
  const node = await startCinnabar(t);

  t.test('ping, set, get', async (t) => {
    const c = await RawConnection.connect(node.port);
    t.teardown(() => c.close());
    t.equal(await c.call('PING'), '+PONG\r\n');
    t.equal(await c.call('PING', 'hi'), '$2\r\nhi\r\n');
    t.equal(await c.call('SET', 'k', 'v'), '+OK\r\n');
    t.equal(await c.call('GET', 'k'), '$1\r\nv\r\n');
    t.equal(await c.call('GET', 'missing'), '$-1\r\n');
  });

  t.test('pipeline of thousands of commands in one packet', async (t) => {
    const c = await RawConnection.connect(node.port);
    t.teardown(() => c.close());
    let req = '';
    for (let i = 0; i < 5000; i++) req += '*2\r\n$4\r\nINCR\r\n$7\r\ncounter\r\n';
    c.writeRaw(req);
    const replies: string[] = [];
    const expected: string[] = [];
    for (let i = 1; i <= 5000; i++) {
      replies.push(await c.reply());
      expected.push(`:${i}\r\n`);
    }
    t.same(replies, expected);
  });

  t.test('command split over many packets, byte by byte', async (t) => {
    const c = await RawConnection.connect(node.port);
    t.teardown(() => c.close());
    const req = '*3\r\n$3\r\nSET\r\n$5\r\nsplit\r\n$10\r\n0123456789\r\n*2\r\n$3\r\nGET\r\n$5\r\nsplit\r\n';
    for (const ch of req) {
      c.writeRaw(ch);
      await new Promise((r) => setImmediate(r));
    }
    t.equal(await c.reply(), '+OK\r\n');
    t.equal(await c.reply(), '$10\r\n0123456789\r\n');
  });

  t.test('inline commands with quotes', async (t) => {
    const c = await RawConnection.connect(node.port);
    t.teardown(() => c.close());
    c.writeRaw('SET inl "a b\\x41"\r\nGET inl\r\n\r\nPING\n');
    t.equal(await c.reply(), '+OK\r\n');
    t.equal(await c.reply(), '$4\r\na bA\r\n');
    t.equal(await c.reply(), '+PONG\r\n');
  });

  t.test('unknown command and wrong arity', async (t) => {
    const c = await RawConnection.connect(node.port);
    t.teardown(() => c.close());
    t.equal(await c.call('FOO', 'a', 'b'), "-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n");
    t.equal(await c.call('GET'), "-ERR wrong number of arguments for 'get' command\r\n");
  });

  t.test('protocol errors close the connection after the reply', async (t) => {
    for (const [input, expected] of [
      ['*a\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
      ['*1\r\n$-5\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
      ['*2\r\n$4\r\nPING\r\nx\r\n', "-ERR Protocol error: expected '$', got 'x'\r\n"],
      ['PING\r\nSET "a\r\n', '+PONG\r\n-ERR Protocol error: unbalanced quotes in request\r\n'],
      ['*1\r\n$600000000\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
    ]) {
      const c = await RawConnection.connect(node.port);
      c.writeRaw(input);
      t.equal(await c.untilClosed(), expected, JSON.stringify(input));
      t.ok(c.closed, 'closed');
    }
  });
});
