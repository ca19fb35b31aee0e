// Connection limits of a real node: maxclients refuses with Redis's error, `timeout` closes
// idle clients, client-query-buffer-limit closes a client that keeps sending an unfinished
// request, and a client that never reads its replies does not make the node buffer forever.

import t from 'tap';
import net from 'node:net';
import { startCinnabar } from '../helpers/server';
import { RawConnection } from '../helpers/resp';

t.test('maxclients', async (t) => {
  const node = await startCinnabar(t, { args: ['--maxclients', '2'] });
  const a = await RawConnection.connect(node.port);
  const b = await RawConnection.connect(node.port);
  t.equal(await a.call('PING'), '+PONG\r\n');
  t.equal(await b.call('PING'), '+PONG\r\n');
  const c = await RawConnection.connect(node.port);
  t.equal(await c.untilClosed(), '-ERR max number of clients reached\r\n');
  a.close();
  b.close();
});

t.test('timeout closes idle clients', async (t) => {
  const node = await startCinnabar(t, { args: ['--timeout', '1'] });
  const idle = await RawConnection.connect(node.port);
  t.equal(await idle.call('PING'), '+PONG\r\n');
  const started = Date.now();
  t.equal(await idle.untilClosed(5000), '', 'closed without a reply');
  t.ok(idle.closed);
  t.ok(Date.now() - started >= 900, 'not before the timeout');
});

t.test('client-query-buffer-limit closes a client sending an endless bulk', async (t) => {
  const node = await startCinnabar(t, { args: ['--client-query-buffer-limit', '1mb'] });
  const c = await RawConnection.connect(node.port);
  // A 100 MB bulk is allowed by proto-max-bulk-len, but the query buffer may hold only 1 MB.
  c.writeRaw('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000000\r\n');
  const chunk = Buffer.alloc(256 * 1024, 'x');
  for (let i = 0; i < 8 && !c.closed; i++) {
    c.writeRaw(chunk);
    await new Promise((r) => setTimeout(r, 20));
  }
  await c.untilClosed(3000);
  t.ok(c.closed, 'the connection was closed');
  const other = await RawConnection.connect(node.port);
  t.equal(await other.call('PING'), '+PONG\r\n', 'the node is fine');
  other.close();
});

t.test('a client that never reads does not make the node buffer without bound', async (t) => {
  const node = await startCinnabar(t);
  const setter = await RawConnection.connect(node.port);
  t.equal(await setter.call('SET', 'big', 'x'.repeat(1024 * 1024)), '+OK\r\n');
  // Pipeline GETs of a 1 MB value and never read: the node stops reading this socket once
  // its replies back up, so its memory stays bounded.
  const s = net.connect(node.port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  s.pause();
  const get = Buffer.from('*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n');
  let blocked = 0;
  for (let i = 0; i < 3000; i++) if (!s.write(get)) blocked++;
  await new Promise((r) => setTimeout(r, 1500));
  const info = await setter.call('INFO', 'memory');
  const used = Number(/used_memory:(\d+)/.exec(info)?.[1]);
  t.ok(used < 600 * 1024 * 1024, `used_memory ${Math.round(used / 1e6)} MB stays bounded (3000 × 1 MB were asked for)`);
  t.equal(await setter.call('PING'), '+PONG\r\n', 'other clients are served');
  s.destroy();
  setter.close();
});
