// DEBUG over raw sockets: refused by default as in Redis 7.0, and with enable-debug-command
// SLEEP (which blocks every client), SET-ACTIVE-EXPIRE, OBJECT, POPULATE, PROTOCOL, LOG,
// ERROR and the subcommand errors. Expected bytes were taken from redis-server 7.0.15.

import t from 'tap';
import { poll, startCinnabar } from '../helpers/server';
import { RawConnection } from '../helpers/resp';

const NOT_ALLOWED =
  '-ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n';

const syntax = (sub: string): string => `-ERR unknown subcommand or wrong number of arguments for '${sub}'. Try DEBUG HELP.\r\n`;

t.test('refused with the default configuration', async (t) => {
  const node = await startCinnabar(t);
  const c = await RawConnection.connect(node.port);
  t.teardown(() => c.close());
  t.equal(await c.call('DEBUG', 'SLEEP', '0'), NOT_ALLOWED);
  t.equal(await c.call('DEBUG', 'HELP'), NOT_ALLOWED);
  t.equal(await c.call('DEBUG'), "-ERR wrong number of arguments for 'debug' command\r\n", 'arity is checked first');
});

t.test('"local" allows loopback clients', async (t) => {
  const node = await startCinnabar(t, { args: ['--enable-debug-command', 'local'] });
  const c = await RawConnection.connect(node.port);
  t.teardown(() => c.close());
  t.equal(await c.call('DEBUG', 'SLEEP', '0'), '+OK\r\n');
});

t.test('with enable-debug-command yes', async (t) => {
  const node = await startCinnabar(t, { args: ['--enable-debug-command', 'yes'] });
  const c = await RawConnection.connect(node.port);
  t.teardown(() => c.close());

  t.test('SLEEP blocks the whole server', async (t) => {
    const other = await RawConnection.connect(node.port);
    t.teardown(() => other.close());
    const t0 = Date.now();
    c.send('DEBUG', 'SLEEP', '0.3');
    await new Promise((r) => setTimeout(r, 50));
    const pong = await other.call('PING');
    const waited = Date.now() - t0;
    t.equal(pong, '+PONG\r\n');
    t.ok(waited >= 280, `another client waited for the sleep (${waited} ms)`);
    t.equal(await c.reply(), '+OK\r\n');
    // strtod's leniency: junk is 0, a prefix counts, negative and non-finite return at once.
    for (const arg of ['x', '', '-1', 'inf', 'nan', '1e300', '0.001', '1e-3', '0x0.01']) {
      t.equal(await c.call('DEBUG', 'SLEEP', arg), '+OK\r\n', arg);
    }
    t.equal(await c.call('DEBUG', 'SLEEP'), syntax('SLEEP'));
    t.equal(await c.call('DEBUG', 'sleep', '0', 'x'), syntax('sleep'));
  });

  t.test('SET-ACTIVE-EXPIRE', async (t) => {
    t.equal(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0'), '+OK\r\n');
    await c.call('SET', 'short', 'v', 'PX', '1');
    await new Promise((r) => setTimeout(r, 300));
    t.equal(await c.call('DBSIZE'), ':1\r\n', 'the expired key stays until touched');
    t.equal(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1'), '+OK\r\n');
    const { last: size } = await poll(() => c.call('DBSIZE'), (s) => s === ':0\r\n', { timeoutMs: 3000, intervalMs: 50 });
    t.equal(size, ':0\r\n', 'the active cycle removes it again');
    t.equal(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', 'x'), '+OK\r\n', 'atoi: not a number is 0');
    t.equal(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '2'), '+OK\r\n');
    t.equal(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE'), syntax('SET-ACTIVE-EXPIRE'));
    t.equal(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1', '2'), syntax('SET-ACTIVE-EXPIRE'));
  });

  t.test('OBJECT', async (t) => {
    await c.call('FLUSHALL');
    const cases: Array<[string, string, string]> = [
      ['hello', 'embstr', '6'],
      ['12345', 'int', '3'],
      ['1', 'int', '2'],
      ['-100000', 'int', '5'],
      ['99999999999', 'int', '12'],
      ['', 'embstr', '1'],
      ['0123', 'embstr', '5'],
      ['x'.repeat(45), 'raw', '46'],
    ];
    for (const [value, enc, len] of cases) {
      await c.call('SET', 'k', value);
      const r = await c.call('DEBUG', 'OBJECT', 'k');
      const refcount = value === '1' ? '2147483647' : '1';
      t.match(
        r,
        new RegExp(`^\\+Value at:0x[0-9a-f]{12} refcount:${refcount} encoding:${enc} serializedlength:${len} lru:\\d+ lru_seconds_idle:0\\r\\n$`),
        JSON.stringify(value),
      );
    }
    t.equal(await c.call('DEBUG', 'OBJECT', 'nokey'), '-ERR no such key\r\n');
    t.equal(await c.call('DEBUG', 'OBJECT'), syntax('OBJECT'));
    t.equal(await c.call('DEBUG', 'OBJECT', 'a', 'b'), syntax('OBJECT'));
  });

  t.test('POPULATE', async (t) => {
    await c.call('FLUSHALL');
    t.equal(await c.call('DEBUG', 'POPULATE', '3'), '+OK\r\n');
    t.equal(await c.call('DBSIZE'), ':3\r\n');
    t.equal(await c.call('GET', 'key:0'), '$7\r\nvalue:0\r\n');
    t.equal(await c.call('DEBUG', 'POPULATE', '2', 'p', '3'), '+OK\r\n');
    t.equal(await c.call('GET', 'p:1'), '$3\r\nval\r\n', 'cut to the size');
    t.equal(await c.call('DEBUG', 'POPULATE', '1', 'z', '10'), '+OK\r\n');
    t.equal(await c.call('GET', 'z:0'), '$10\r\nvalue:0\0\0\0\r\n', 'padded with zero bytes');
    await c.call('SET', 'key:1', 'mine');
    t.equal(await c.call('DEBUG', 'POPULATE', '5'), '+OK\r\n');
    t.equal(await c.call('GET', 'key:1'), '$4\r\nmine\r\n', 'existing keys are left alone');
    t.equal(await c.call('GET', 'key:4'), '$7\r\nvalue:4\r\n');
    for (const args of [['x'], ['-1'], ['1', 'a', 'x'], ['1', 'a', '-1']]) {
      t.equal(await c.call('DEBUG', 'POPULATE', ...args), '-ERR value is out of range, must be positive\r\n', args.join(' '));
    }
    t.equal(await c.call('DEBUG', 'POPULATE', '1', 'a', '1', 'b'), syntax('POPULATE'));
  });

  t.test('PROTOCOL in RESP2 and RESP3', async (t) => {
    const p = await RawConnection.connect(node.port);
    t.teardown(() => p.close());
    const both: Array<[string, string, string]> = [
      ['string', '$11\r\nHello World\r\n', '$11\r\nHello World\r\n'],
      ['integer', ':12345\r\n', ':12345\r\n'],
      ['double', '$5\r\n3.141\r\n', ',3.141\r\n'],
      ['bignum', '$37\r\n1234567999999999999999999999999999999\r\n', '(1234567999999999999999999999999999999\r\n'],
      ['null', '$-1\r\n', '_\r\n'],
      ['array', '*3\r\n:0\r\n:1\r\n:2\r\n', '*3\r\n:0\r\n:1\r\n:2\r\n'],
      ['set', '*3\r\n:0\r\n:1\r\n:2\r\n', '~3\r\n:0\r\n:1\r\n:2\r\n'],
      ['map', '*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n', '%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n'],
      [
        'attrib',
        '$39\r\nSome real reply following the attribute\r\n',
        '|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n',
      ],
      ['verbatim', '$25\r\nThis is a verbatim\nstring\r\n', '=29\r\ntxt:This is a verbatim\nstring\r\n'],
      ['true', ':1\r\n', '#t\r\n'],
      ['false', ':0\r\n', '#f\r\n'],
    ];
    const wrongType =
      '-ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false\r\n';
    for (const [type, resp2] of both) t.equal(await p.call('DEBUG', 'PROTOCOL', type), resp2, 'RESP2 ' + type);
    t.equal(await p.call('DEBUG', 'PROTOCOL', 'push'), '-ERR RESP2 is not supported by this command\r\n');
    t.equal(await p.call('DEBUG', 'PROTOCOL', 'foo'), wrongType);
    await p.call('HELLO', '3');
    for (const [type, , resp3] of both) {
      // Attribute frames are not whole replies for the test reader: compare raw bytes.
      p.send('DEBUG', 'PROTOCOL', type);
      let got = await p.reply();
      if (type === 'attrib') got += await p.reply();
      t.equal(got, resp3, 'RESP3 ' + type);
    }
    p.send('DEBUG', 'PROTOCOL', 'push');
    t.equal(
      (await p.reply()) + (await p.reply()),
      '>2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n$40\r\nSome real reply following the push reply\r\n',
    );
    t.equal(await p.call('DEBUG', 'PROTOCOL', 'foo'), wrongType);
  });

  t.test('LOG, ERROR, unknown subcommands, HELP', async (t) => {
    t.equal(await c.call('DEBUG', 'LOG', 'hello from the test'), '+OK\r\n');
    t.equal(await c.call('DEBUG', 'LOG'), syntax('LOG'));
    t.equal(await c.call('DEBUG', 'ERROR', 'FOO bar baz'), '-FOO bar baz\r\n');
    t.equal(await c.call('DEBUG', 'ERROR', 'a\r\nb'), '-a  b\r\n', 'kept on one line');
    t.equal(await c.call('DEBUG', 'ERROR'), syntax('ERROR'));
    t.equal(await c.call('DEBUG', 'foo'), syntax('foo'));
    t.equal(await c.call('DEBUG', 'RELOAD'), syntax('RELOAD'), 'not available without an RDB');
    const help = await c.call('DEBUG', 'HELP');
    t.match(help, /^\*\d+\r\n\+DEBUG <subcommand> \[<arg> \[value\] \[opt\] \.\.\.\]\. Subcommands are:\r\n/);
    t.match(help, /\+SLEEP <seconds>\r\n\+    Stop the server for <seconds>\. Decimals allowed\.\r\n/);
    t.ok(help.endsWith('+HELP\r\n+    Prints this help.\r\n'));
    t.equal(await c.call('DEBUG', 'HELP', 'x'), syntax('HELP'));
  });
});
