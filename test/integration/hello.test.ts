// HELLO, AUTH and RESET over raw sockets, without and with requirepass: the exact map HELLO
// returns in RESP2 and RESP3, protocol switching, authentication errors and what RESET undoes.
// Expected bytes were taken from redis-server 7.0.15.

import t from 'tap';
import { eventually, startCinnabar } from '../helpers/server';
import { RawConnection } from '../helpers/resp';

function bulk(s: string): string {
  return `$${s.length}\r\n${s}\r\n`;
}

/** HELLO's reply for a client with `id` now speaking `proto`. */
function helloReply(proto: 2 | 3, id: number): string {
  const head = proto === 3 ? '%7\r\n' : '*14\r\n';
  return (
    head +
    bulk('server') + bulk('redis') +
    bulk('version') + bulk('7.0.15') +
    bulk('proto') + `:${proto}\r\n` +
    bulk('id') + `:${id}\r\n` +
    bulk('mode') + bulk('standalone') +
    bulk('role') + bulk('master') +
    bulk('modules') + '*0\r\n'
  );
}

async function clientId(c: RawConnection): Promise<number> {
  const r = await c.call('CLIENT', 'ID');
  return Number(r.slice(1, -2));
}

/** Resolves once a node on `port` answers PING with anything (NOAUTH included). */
async function untilAnswering(port: number): Promise<void> {
  await eventually(
    `a reply to PING on port ${port}`,
    async () => {
      const c = await RawConnection.connect(port);
      try {
        return await c.call('PING');
      } finally {
        c.close();
      }
    },
    { intervalMs: 50 },
  );
}

const WRONGPASS = '-WRONGPASS invalid username-password pair or user is disabled.\r\n';
const HELLO_NOAUTH =
  '-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n';

t.test('without requirepass', async (t) => {
  const node = await startCinnabar(t);

  t.test('HELLO map in RESP2 and RESP3, and the switch', async (t) => {
    const c = await RawConnection.connect(node.port);
    t.teardown(() => c.close());
    const id = await clientId(c);
    t.equal(await c.call('HELLO'), helloReply(2, id), 'no version: RESP2 map as flat array');
    t.equal(await c.call('HELLO', '3'), helloReply(3, id), 'RESP3 map');
    t.equal(await c.call('GET', 'missing'), '_\r\n', 'RESP3 null after the switch');
    t.equal(await c.call('HELLO'), helloReply(3, id), 'no version keeps RESP3');
    t.equal(await c.call('HELLO', '2'), helloReply(2, id));
    t.equal(await c.call('GET', 'missing'), '$-1\r\n', 'back to RESP2');
  });

  t.test('HELLO errors', async (t) => {
    const c = await RawConnection.connect(node.port);
    t.teardown(() => c.close());
    t.equal(await c.call('HELLO', '4'), '-NOPROTO unsupported protocol version\r\n');
    t.equal(await c.call('HELLO', '1'), '-NOPROTO unsupported protocol version\r\n');
    t.equal(await c.call('HELLO', 'x'), '-ERR Protocol version is not an integer or out of range\r\n');
    t.equal(await c.call('HELLO', '03'), '-ERR Protocol version is not an integer or out of range\r\n');
    t.equal(await c.call('HELLO', '3', 'AUTH'), "-ERR Syntax error in HELLO option 'AUTH'\r\n");
    t.equal(await c.call('HELLO', '3', 'AUTH', 'default'), "-ERR Syntax error in HELLO option 'AUTH'\r\n");
    t.equal(await c.call('HELLO', '3', 'foo'), "-ERR Syntax error in HELLO option 'foo'\r\n");
    t.equal(await c.call('HELLO', '2', 'setname'), "-ERR Syntax error in HELLO option 'setname'\r\n");
    t.equal(
      await c.call('HELLO', '3', 'SETNAME', 'a b'),
      '-ERR Client names cannot contain spaces, newlines or special characters.\r\n',
    );
    t.equal(await c.call('GET', 'missing'), '$-1\r\n', 'failed HELLOs do not switch protocol');
  });

  t.test('HELLO SETNAME and AUTH with any password (default user has none)', async (t) => {
    const c = await RawConnection.connect(node.port);
    t.teardown(() => c.close());
    const id = await clientId(c);
    t.equal(await c.call('HELLO', '3', 'SETNAME', 'abc', 'AUTH', 'default', 'whatever'), helloReply(3, id));
    t.equal(await c.call('CLIENT', 'GETNAME'), '$3\r\nabc\r\n');
    t.equal(await c.call('HELLO', '3', 'AUTH', 'other', 'x'), WRONGPASS);
  });

  t.test('AUTH without a configured password', async (t) => {
    const c = await RawConnection.connect(node.port);
    t.teardown(() => c.close());
    t.equal(
      await c.call('AUTH', 'x'),
      '-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n',
    );
    t.equal(await c.call('AUTH', 'default', 'x'), '+OK\r\n');
    t.equal(await c.call('AUTH', 'other', 'x'), WRONGPASS);
    t.equal(await c.call('AUTH', 'a', 'b', 'c'), '-ERR syntax error\r\n');
    t.equal(await c.call('AUTH'), "-ERR wrong number of arguments for 'auth' command\r\n");
  });

  t.test('RESET restores db, protocol, name and reply mode', async (t) => {
    const c = await RawConnection.connect(node.port);
    t.teardown(() => c.close());
    await c.call('HELLO', '3');
    t.equal(await c.call('SELECT', '5'), '+OK\r\n');
    t.equal(await c.call('SET', 'in5', 'v'), '+OK\r\n');
    t.equal(await c.call('CLIENT', 'SETNAME', 'n1'), '+OK\r\n');
    t.equal(await c.call('CLIENT', 'NO-EVICT', 'on'), '+OK\r\n');
    t.equal(await c.call('RESET'), '+RESET\r\n');
    t.equal(await c.call('GET', 'in5'), '$-1\r\n', 'db 0 and RESP2 again');
    t.equal(await c.call('CLIENT', 'GETNAME'), '$-1\r\n');
    t.match(await c.call('CLIENT', 'INFO'), / flags=e db=0 /, 'NO-EVICT survives RESET, as in Redis');
    t.equal(await c.call('RESET', 'x'), "-ERR wrong number of arguments for 'reset' command\r\n");
    // REPLY OFF ends, so +RESET is seen; a pending SKIP still mutes it.
    c.send('CLIENT', 'REPLY', 'OFF');
    t.equal(await c.call('RESET'), '+RESET\r\n');
    c.send('CLIENT', 'REPLY', 'SKIP');
    c.send('RESET');
    t.equal(await c.call('PING'), '+PONG\r\n');
  });
});

t.test('with requirepass', async (t) => {
  // startCinnabar waits for +PONG, which a password-protected node never gives: wait for
  // its NOAUTH instead.
  const node = await startCinnabar(t, { args: ['--requirepass', 'pw'], noWait: true });
  await untilAnswering(node.port);

  t.test('commands wait for AUTH; failures do not log out', async (t) => {
    const c = await RawConnection.connect(node.port);
    t.teardown(() => c.close());
    t.equal(await c.call('PING'), '-NOAUTH Authentication required.\r\n');
    t.equal(await c.call('CLIENT', 'ID'), '-NOAUTH Authentication required.\r\n');
    t.equal(await c.call('AUTH', 'wrong'), WRONGPASS);
    t.equal(await c.call('AUTH', 'nouser', 'pw'), WRONGPASS);
    t.equal(await c.call('AUTH', 'Default', 'pw'), WRONGPASS, 'user names are case-sensitive');
    t.equal(await c.call('AUTH', 'a', 'b', 'c'), '-ERR syntax error\r\n');
    t.equal(await c.call('PING'), '-NOAUTH Authentication required.\r\n');
    t.equal(await c.call('AUTH', 'pw'), '+OK\r\n');
    t.equal(await c.call('AUTH', 'wrong'), WRONGPASS);
    t.equal(await c.call('PING'), '+PONG\r\n', 'still authenticated after a failed AUTH');
    t.equal(await c.call('AUTH', 'default', 'pw'), '+OK\r\n');
  });

  t.test('HELLO needs authentication or AUTH in it', async (t) => {
    const c = await RawConnection.connect(node.port);
    t.teardown(() => c.close());
    t.equal(await c.call('HELLO'), HELLO_NOAUTH);
    t.equal(await c.call('HELLO', '3', 'SETNAME', 'a'), HELLO_NOAUTH);
    t.equal(await c.call('HELLO', '5', 'AUTH', 'default', 'pw'), '-NOPROTO unsupported protocol version\r\n');
    t.equal(await c.call('HELLO', '3', 'AUTH', 'default', 'wrong', 'SETNAME', 'x'), WRONGPASS);
    t.equal(await c.call('CLIENT', 'GETNAME'), '-NOAUTH Authentication required.\r\n');
    const r = await c.call('HELLO', '3', 'AUTH', 'default', 'pw', 'SETNAME', 'x');
    t.match(r, /^%7\r\n/);
    t.equal(await c.call('CLIENT', 'GETNAME'), '$1\r\nx\r\n');
  });

  t.test('RESET logs the connection out', async (t) => {
    const c = await RawConnection.connect(node.port);
    t.teardown(() => c.close());
    t.equal(await c.call('RESET'), '+RESET\r\n', 'RESET needs no authentication');
    t.equal(await c.call('AUTH', 'pw'), '+OK\r\n');
    t.equal(await c.call('RESET'), '+RESET\r\n');
    t.equal(await c.call('PING'), '-NOAUTH Authentication required.\r\n');
  });
});
