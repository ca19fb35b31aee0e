// DBSIZE, FLUSHDB, FLUSHALL, TIME, LASTSAVE and SHUTDOWN over raw sockets: replies and
// argument errors as redis-server 7.0.15 gives them, and SHUTDOWN ending the process with 0.

import t from 'tap';
import { startCinnabar } from '../helpers/server';
import { RawConnection } from '../helpers/resp';

t.test('dataset and clock commands', async (t) => {
  const node = await startCinnabar(t);
  const c = await RawConnection.connect(node.port);
  t.teardown(() => c.close());

  t.test('DBSIZE, FLUSHDB, FLUSHALL', async (t) => {
    t.equal(await c.call('DBSIZE'), ':0\r\n');
    await c.call('MSET', 'a', '1', 'b', '2', 'c', '3');
    t.equal(await c.call('DBSIZE'), ':3\r\n');
    t.equal(await c.call('SELECT', '1'), '+OK\r\n');
    await c.call('SET', 'x', '1');
    t.equal(await c.call('DBSIZE'), ':1\r\n', 'per database');
    t.equal(await c.call('DBSIZE', 'x'), "-ERR wrong number of arguments for 'dbsize' command\r\n");

    for (const bad of [['x'], ['async', 'x'], ['a', 'b']]) {
      t.equal(await c.call('FLUSHDB', ...bad), '-ERR syntax error\r\n', 'FLUSHDB ' + bad.join(' '));
      t.equal(await c.call('FLUSHALL', ...bad), '-ERR syntax error\r\n', 'FLUSHALL ' + bad.join(' '));
    }
    t.equal(await c.call('DBSIZE'), ':1\r\n', 'refused flushes remove nothing');

    t.equal(await c.call('FLUSHDB', 'async'), '+OK\r\n');
    t.equal(await c.call('DBSIZE'), ':0\r\n');
    t.equal(await c.call('SELECT', '0'), '+OK\r\n');
    t.equal(await c.call('DBSIZE'), ':3\r\n', 'FLUSHDB leaves other databases');
    t.equal(await c.call('FLUSHDB', 'SYNC'), '+OK\r\n');
    t.equal(await c.call('FLUSHDB'), '+OK\r\n', 'on an empty database too');

    await c.call('SET', 'a', '1');
    await c.call('SELECT', '7');
    await c.call('SET', 'b', '1');
    t.equal(await c.call('FLUSHALL', 'ASYNC'), '+OK\r\n');
    t.equal(await c.call('DBSIZE'), ':0\r\n');
    await c.call('SELECT', '0');
    t.equal(await c.call('GET', 'a'), '$-1\r\n', 'FLUSHALL empties every database');
    t.equal(await c.call('FLUSHALL', 'sync'), '+OK\r\n');
    t.equal(await c.call('FLUSHALL'), '+OK\r\n');
  });

  t.test('TIME and LASTSAVE', async (t) => {
    const before = Date.now();
    const r = await c.call('TIME');
    const after = Date.now();
    const m = /^\*2\r\n\$\d+\r\n(\d+)\r\n\$\d+\r\n(\d+)\r\n$/.exec(r);
    t.ok(m, 'two bulk strings: ' + JSON.stringify(r));
    const ms = Number(m![1]) * 1000 + Number(m![2]) / 1000;
    t.ok(ms >= before - 1 && ms <= after + 1, 'the current time with microseconds');
    t.ok(Number(m![2]) < 1000000);
    t.equal(await c.call('TIME', 'x'), "-ERR wrong number of arguments for 'time' command\r\n");

    const ls = await c.call('LASTSAVE');
    t.match(ls, /^:\d+\r\n$/);
    const sec = Number(ls.slice(1, -2));
    t.ok(sec <= Math.floor(Date.now() / 1000) && sec > Math.floor(Date.now() / 1000) - 600, 'seconds, at start-up');
    t.equal(await c.call('LASTSAVE', 'x'), "-ERR wrong number of arguments for 'lastsave' command\r\n");

    await c.call('HELLO', '3');
    t.match(await c.call('TIME'), /^\*2\r\n\$10\r\n\d{10}\r\n/, 'an array of bulks in RESP3 too');
    await c.call('HELLO', '2');
  });

  t.test('SHUTDOWN argument errors leave the node running', async (t) => {
    const bad: string[][] = [['x'], ['NOSAVE', 'SAVE'], ['ABORT', 'NOW'], ['save', 'abort'], ['force', 'abort'], ['now', 'x']];
    for (const args of bad) t.equal(await c.call('SHUTDOWN', ...args), '-ERR syntax error\r\n', args.join(' '));
    t.equal(await c.call('SHUTDOWN', 'ABORT'), '-ERR No shutdown in progress.\r\n');
    t.equal(await c.call('shutdown', 'abort', 'abort'), '-ERR No shutdown in progress.\r\n');
    t.equal(await c.call('PING'), '+PONG\r\n');
  });
});

t.test('SHUTDOWN exits with 0 and answers nothing', async (t) => {
  const node = await startCinnabar(t);
  const idle = await RawConnection.connect(node.port);
  t.teardown(() => idle.close());
  const exited = new Promise<number | null>((resolve) => node.proc.once('exit', (code) => resolve(code)));
  const c = await RawConnection.connect(node.port);
  t.teardown(() => c.close());
  c.writeRaw('*1\r\n$4\r\nPING\r\n*3\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n$3\r\nNOW\r\n*1\r\n$4\r\nPING\r\n');
  t.equal(await c.untilClosed(), '', 'no reply, even to the PING before it in the same read (as Redis)');
  t.equal(await exited, 0);
  await idle.untilClosed();
  t.ok(idle.closed, 'other connections are closed');
});
