// CLIENT subcommands over raw sockets: ID, names, the CLIENT LIST/INFO line (field names and
// order, filters, RESP3 verbatim), KILL in every form (and that it really disconnects),
// REPLY ON/OFF/SKIP, NO-EVICT, UNBLOCK, the tracking queries and HELP. Expected bytes were
// taken from redis-server 7.0.15.

import t from 'tap';
import { startCinnabar } from '../helpers/server';
import { RawConnection } from '../helpers/resp';

/** Redis 7.0's CLIENT LIST fields, in order. */
const FIELDS = [
  'id', 'addr', 'laddr', 'fd', 'name', 'age', 'idle', 'flags', 'db', 'sub', 'psub', 'ssub', 'multi',
  'qbuf', 'qbuf-free', 'argv-mem', 'multi-mem', 'rbs', 'rbp', 'obl', 'oll', 'omem', 'tot-mem',
  'events', 'cmd', 'user', 'redir', 'resp',
];

/** The text of a bulk or verbatim reply. */
function text(reply: string): string {
  const nl = reply.indexOf('\r\n');
  const body = reply.slice(nl + 2, -2);
  return reply[0] === '=' ? body.slice(4) : body;
}

function parseLine(line: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of line.split(' ')) {
    const eq = part.indexOf('=');
    m.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return m;
}

async function idOf(c: RawConnection): Promise<number> {
  return Number((await c.call('CLIENT', 'ID')).slice(1, -2));
}

t.test('client', async (t) => {
  const node = await startCinnabar(t);
  const connect = async (t: { teardown(fn: () => unknown): void }): Promise<RawConnection> => {
    const c = await RawConnection.connect(node.port);
    t.teardown(() => c.close());
    return c;
  };

  t.test('ID, SETNAME, GETNAME', async (t) => {
    const a = await connect(t);
    const b = await connect(t);
    const ida = await idOf(a);
    const idb = await idOf(b);
    t.ok(idb > ida, 'ids grow with each connection');
    t.equal(await a.call('CLIENT', 'ID', 'x'), "-ERR wrong number of arguments for 'client|id' command\r\n");
    t.equal(await a.call('CLIENT', 'GETNAME'), '$-1\r\n');
    t.equal(await a.call('CLIENT', 'SETNAME', 'worker-1'), '+OK\r\n');
    t.equal(await a.call('CLIENT', 'GETNAME'), '$8\r\nworker-1\r\n');
    t.equal(await a.call('CLIENT', 'SETNAME', '~!'), '+OK\r\n');
    for (const bad of ['a b', 'a\nb', '\x7f', 'caf\xe9']) {
      t.equal(
        await a.call('CLIENT', 'SETNAME', bad),
        '-ERR Client names cannot contain spaces, newlines or special characters.\r\n',
        JSON.stringify(bad),
      );
    }
    t.equal(await a.call('CLIENT', 'GETNAME'), '$2\r\n~!\r\n', 'refused names leave the old one');
    t.equal(await a.call('CLIENT', 'SETNAME', ''), '+OK\r\n');
    t.equal(await a.call('CLIENT', 'GETNAME'), '$-1\r\n', 'empty name clears it');
    t.equal(await a.call('CLIENT', 'SETNAME'), "-ERR wrong number of arguments for 'client|setname' command\r\n");
    t.equal(await a.call('CLIENT'), "-ERR wrong number of arguments for 'client' command\r\n");
    t.equal(await a.call('CLIENT', 'foo'), "-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n");
    t.equal(await a.call('CLIENT', 'SETINFO', 'lib-name', 'x'), "-ERR unknown subcommand 'SETINFO'. Try CLIENT HELP.\r\n", 'not in 7.0');
  });

  t.test('CLIENT INFO and LIST: field names, order, values', async (t) => {
    const a = await connect(t);
    const b = await connect(t);
    const ida = await idOf(a);
    const idb = await idOf(b);
    await b.call('CLIENT', 'SETNAME', 'bee');
    await b.call('SELECT', '3');
    await b.call('GET', 'x');

    const info = await a.call('CLIENT', 'INFO');
    t.match(info, /^\$\d+\r\nid=\d+ .*\n\r\n$/, 'RESP2: one bulk line ending in a newline');
    const mine = parseLine(text(info).slice(0, -1));
    t.same([...mine.keys()], FIELDS);
    t.equal(mine.get('id'), String(ida));
    t.match(mine.get('addr'), /^127\.0\.0\.1:\d+$/);
    t.equal(mine.get('laddr'), `127.0.0.1:${node.port}`);
    t.match(mine.get('fd'), /^\d+$/);
    t.equal(mine.get('flags'), 'N');
    t.equal(mine.get('multi'), '-1');
    t.equal(mine.get('argv-mem'), '10', 'CLIENT + INFO');
    t.equal(mine.get('cmd'), 'client|info', 'the running command, as Redis sets lastcmd first');
    t.equal(mine.get('user'), 'default');
    t.equal(mine.get('redir'), '-1');
    t.equal(mine.get('resp'), '2');
    t.equal(mine.get('events'), 'r');

    const list = text(await a.call('CLIENT', 'LIST'));
    t.ok(list.endsWith('\n'), 'every line ends in a newline');
    const lines = list.slice(0, -1).split('\n').map(parseLine);
    const ids = lines.map((l) => Number(l.get('id')));
    t.same(ids, [...ids].sort((x, y) => x - y), 'in connection order');
    const lb = lines.find((l) => l.get('id') === String(idb))!;
    t.ok(lb, 'the other client is listed');
    t.same([...lb.keys()], FIELDS);
    t.equal(lb.get('name'), 'bee');
    t.equal(lb.get('db'), '3');
    t.equal(lb.get('cmd'), 'get', 'its last command');
    t.equal(lb.get('argv-mem'), '0', 'no arguments held between commands');
    t.equal(lines.find((l) => l.get('id') === String(ida))!.get('cmd'), 'client|list');

    await a.call('HELLO', '3');
    const v = await a.call('CLIENT', 'INFO');
    t.match(v, /^=\d+\r\ntxt:id=/, 'RESP3: a verbatim string');
    t.equal(Number(v.slice(1, v.indexOf('\r\n'))), text(v).length + 4, 'verbatim length counts "txt:"');
    t.match(text(v), / resp=3\n$/);
    t.match(await a.call('CLIENT', 'LIST'), /^=\d+\r\ntxt:id=/);
  });

  t.test('CLIENT LIST filters', async (t) => {
    const a = await connect(t);
    const b = await connect(t);
    const ida = await idOf(a);
    const idb = await idOf(b);
    const listed = async (...args: string[]): Promise<string[]> => {
      const s = text(await a.call('CLIENT', 'LIST', ...args));
      return s === '' ? [] : s.slice(0, -1).split('\n').map((l) => parseLine(l).get('id')!);
    };
    t.same(await listed('ID', String(idb), '999999', String(ida)), [String(idb), String(ida)], 'in the order asked, unknown skipped');
    t.same(await listed('ID', '0'), []);
    t.same(await listed('ID', '-1'), []);
    t.ok((await listed('TYPE', 'normal')).includes(String(idb)));
    t.ok((await listed('type', 'NORMAL')).includes(String(ida)));
    for (const type of ['master', 'replica', 'slave', 'pubsub']) t.same(await listed('TYPE', type), [], type);
    t.equal(await a.call('CLIENT', 'LIST', 'TYPE', 'foo'), "-ERR Unknown client type 'foo'\r\n");
    t.equal(await a.call('CLIENT', 'LIST', 'ID', '1', 'x'), '-ERR Invalid client ID\r\n');
    for (const bad of [['TYPE'], ['foo'], ['ID'], ['TYPE', 'normal', 'ID', '1'], ['foo', 'bar']]) {
      t.equal(await a.call('CLIENT', 'LIST', ...bad), '-ERR syntax error\r\n', bad.join(' '));
    }
  });

  t.test('CLIENT KILL errors', async (t) => {
    const a = await connect(t);
    const cases: Array<[string[], string]> = [
      [[], "-ERR wrong number of arguments for 'client|kill' command\r\n"],
      [['1.2.3.4:5'], '-ERR No such client\r\n'],
      [['ID'], '-ERR No such client\r\n'],
      [['ID', 'x'], '-ERR client-id should be greater than 0\r\n'],
      [['ID', '0'], '-ERR client-id should be greater than 0\r\n'],
      [['ID', '-5'], '-ERR client-id should be greater than 0\r\n'],
      [['ID', '999999'], ':0\r\n'],
      [['TYPE', 'foo'], "-ERR Unknown client type 'foo'\r\n"],
      [['TYPE', 'normal', 'SKIPME', 'maybe'], '-ERR syntax error\r\n'],
      [['USER', 'nobody'], "-ERR No such user 'nobody'\r\n"],
      [['ADDR', '1.2.3.4:5'], ':0\r\n'],
      [['LADDR', '1.2.3.4:5'], ':0\r\n'],
      [['MAXAGE', '100'], '-ERR syntax error\r\n'], // added in 7.4
      [['ID', '1', 'foo'], '-ERR syntax error\r\n'],
      [['SKIPME', 'no', 'ID', '5', 'TYPE', 'slave'], ':0\r\n'],
    ];
    for (const [args, expected] of cases) t.equal(await a.call('CLIENT', 'KILL', ...args), expected, args.join(' '));
  });

  t.test('CLIENT KILL disconnects its targets', async (t) => {
    const killer = await connect(t);
    const v1 = await connect(t);
    const v2 = await connect(t);
    const v3 = await connect(t);
    const v4 = await connect(t);
    const addrOf = async (c: RawConnection): Promise<string> => parseLine(text(await c.call('CLIENT', 'INFO')).slice(0, -1)).get('addr')!;

    t.equal(await killer.call('CLIENT', 'KILL', await addrOf(v1)), '+OK\r\n', 'old form');
    t.equal(await v1.untilClosed(), '');
    t.ok(v1.closed);

    t.equal(await killer.call('CLIENT', 'KILL', 'ID', String(await idOf(v2))), ':1\r\n');
    await v2.untilClosed();
    t.ok(v2.closed, 'ID');

    t.equal(await killer.call('CLIENT', 'KILL', 'ADDR', await addrOf(v3), 'SKIPME', 'yes'), ':1\r\n');
    await v3.untilClosed();
    t.ok(v3.closed, 'ADDR');

    // LADDR + USER match every other connection here (the node's own address, the default user).
    const others = text(await killer.call('CLIENT', 'LIST')).split('\n').length - 2;
    t.equal(await killer.call('CLIENT', 'KILL', 'LADDR', `127.0.0.1:${node.port}`, 'USER', 'default'), `:${others}\r\n`);
    await v4.untilClosed();
    t.ok(v4.closed, 'LADDR');
    t.equal(await killer.call('PING'), '+PONG\r\n', 'SKIPME defaults to yes');

    const self = await connect(t);
    t.equal(await self.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'no', 'ID', String(await idOf(self))), ':1\r\n');
    self.send('PING');
    t.equal(await self.untilClosed(), '', 'killed itself after the reply; nothing more runs');

    const self2 = await connect(t);
    t.equal(await self2.call('CLIENT', 'KILL', await addrOf(self2)), '+OK\r\n', 'old form may kill the caller');
    await self2.untilClosed();
    t.ok(self2.closed);
  });

  t.test('CLIENT REPLY ON / OFF / SKIP', async (t) => {
    const c = await connect(t);
    t.equal(await c.call('CLIENT', 'REPLY', 'ON'), '+OK\r\n');
    t.equal(await c.call('CLIENT', 'REPLY', 'foo'), '-ERR syntax error\r\n');
    t.equal(await c.call('CLIENT', 'REPLY'), "-ERR wrong number of arguments for 'client|reply' command\r\n");
    c.send('CLIENT', 'REPLY', 'SKIP');
    c.send('SET', 'skipped', '1');
    t.equal(await c.call('PING', 'a'), '$1\r\na\r\n', 'SKIP itself and the next command are silent');
    c.send('CLIENT', 'REPLY', 'OFF');
    c.send('PING');
    c.send('CLIENT', 'REPLY', 'foo'); // errors are muted too
    c.send('CLIENT', 'REPLY', 'SKIP'); // no effect while OFF
    c.send('GET', 'skipped');
    t.equal(await c.call('CLIENT', 'REPLY', 'ON'), '+OK\r\n', 'ON answers');
    t.equal(await c.call('GET', 'skipped'), '$1\r\n1\r\n', 'the skipped command did run');
    c.send('CLIENT', 'REPLY', 'SKIP');
    c.send('CLIENT', 'REPLY', 'SKIP');
    c.send('PING', '1');
    t.equal(await c.call('PING', '2'), '$1\r\n2\r\n', 'a second SKIP skips the command after it');
    c.send('CLIENT', 'REPLY', 'SKIP');
    t.equal(await c.call('CLIENT', 'REPLY', 'ON'), '+OK\r\n', 'ON cancels a pending SKIP');
  });

  t.test('NO-EVICT, UNBLOCK, tracking queries', async (t) => {
    const c = await connect(t);
    t.equal(await c.call('CLIENT', 'NO-EVICT', 'on'), '+OK\r\n');
    t.match(text(await c.call('CLIENT', 'INFO')), / flags=e /);
    t.equal(await c.call('CLIENT', 'NO-EVICT', 'OFF'), '+OK\r\n');
    t.match(text(await c.call('CLIENT', 'INFO')), / flags=N /);
    t.equal(await c.call('CLIENT', 'NO-EVICT', 'x'), '-ERR syntax error\r\n');
    t.equal(await c.call('CLIENT', 'NO-EVICT'), "-ERR wrong number of arguments for 'client|no-evict' command\r\n");

    t.equal(await c.call('CLIENT', 'UNBLOCK', String(await idOf(c))), ':0\r\n', 'not blocked');
    t.equal(await c.call('CLIENT', 'UNBLOCK', '5', 'error'), ':0\r\n');
    t.equal(await c.call('CLIENT', 'UNBLOCK', 'x'), '-ERR value is not an integer or out of range\r\n');
    t.equal(await c.call('CLIENT', 'UNBLOCK', '5', 'foo'), '-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n');
    t.equal(
      await c.call('client', 'unblock', '1', '2', '3'),
      "-ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP.\r\n",
    );

    t.equal(await c.call('CLIENT', 'GETREDIR'), ':-1\r\n');
    const caching = '-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled\r\n';
    t.equal(await c.call('CLIENT', 'CACHING', 'yes'), caching);
    const info2 = '$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n';
    t.equal(await c.call('CLIENT', 'TRACKINGINFO'), '*6\r\n' + info2);
    await c.call('HELLO', '3');
    t.equal(await c.call('CLIENT', 'TRACKINGINFO'), '%3\r\n' + info2.replace('*1', '~1'));
  });

  t.test('CLIENT HELP', async (t) => {
    const c = await connect(t);
    const help = await c.call('CLIENT', 'HELP');
    t.match(help, /^\*48\r\n\+CLIENT <subcommand> \[<arg> \[value\] \[opt\] \.\.\.\]\. Subcommands are:\r\n\+CACHING \(YES\|NO\)\r\n/);
    t.ok(help.endsWith('+NO-EVICT (ON|OFF)\r\n+    Protect current client connection from eviction.\r\n+HELP\r\n+    Prints this help.\r\n'));
  });
});
