// When a client's replies are written: right after its read is processed when the node has
// no end-of-turn work (Server's repliesMayGoNow hook), otherwise only after beforeFlush (the
// WAL write, the fsync wait, nodes.conf) has run for the turn. A Server on a real loopback
// socket, with hooks that record what the end of the turn saw.

import t, { type Test } from 'tap';
import net from 'node:net';
import pino from 'pino';
import { Server, type ServerOptions } from '../../src/server/server';
import { Keyspace } from '../../src/keyspace/keyspace';
import type { Client } from '../../src/server/client';
import { freePort } from '../helpers/server';

const HOST = '127.0.0.1';

interface Probe {
  server: Server;
  port: number;
  /** What happened, in order: 'exec NAME' per command, 'beforeFlush pending=<unsent reply>'. */
  events: string[];
  mayGoNow: boolean;
}

async function startProbe(t: Test): Promise<Probe> {
  const keyspace = new Keyspace(1);
  let last: Client | null = null;
  const probe = { events: [] as string[], mayGoNow: true } as Probe;
  const opts: ServerOptions = {
    maxclients: () => 100,
    limits: { protoMaxBulkLen: 512 * 1024 * 1024 },
    authRequired: () => false,
    queryBufferLimit: () => 1024 * 1024 * 1024,
    tcpKeepalive: () => 0,
    defaultDb: () => keyspace.dbs[0],
    execute: (c, args) => {
      last = c;
      probe.events.push('exec ' + args[0]);
      c.write('+' + args[0] + '\r\n');
    },
    beforeFlush: () => {
      probe.events.push('beforeFlush pending=' + JSON.stringify(last?.out ?? ''));
      return 0;
    },
    repliesMayGoNow: () => probe.mayGoNow,
  };
  const stats = { netOutputBytes: 0, netInputBytes: 0, totalConnectionsReceived: 0 } as unknown as ConstructorParameters<typeof Server>[1];
  probe.server = new Server(opts, stats, pino({ enabled: false }));
  probe.port = await freePort();
  await probe.server.listen(probe.port, [HOST]);
  t.teardown(() => probe.server.close(50));
  return probe;
}

/** Sends `request` and resolves with everything received once `expect` bytes arrived. */
function roundTrip(socket: net.Socket, request: string, expect: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const onData = (d: Buffer): void => {
      got += d.toString('latin1');
      if (got.length >= expect) {
        socket.off('data', onData);
        resolve(got);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(request);
  });
}

async function connect(t: Test, port: number): Promise<net.Socket> {
  const socket = net.connect(port, HOST);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  t.teardown(() => socket.destroy());
  return socket;
}

function request(...names: string[]): string {
  return names.map((n) => `*1\r\n$${n.length}\r\n${n}\r\n`).join('');
}

t.test('with no end-of-turn work, replies go out at the end of the read, without a flush round', async (t) => {
  const p = await startProbe(t);
  const s = await connect(t, p.port);
  const got = await roundTrip(s, request('PING', 'ECHO', 'TIME'), '+PING\r\n+ECHO\r\n+TIME\r\n'.length);
  t.equal(got, '+PING\r\n+ECHO\r\n+TIME\r\n', 'a pipeline is answered in order');
  // Give a scheduled flush round the chance to run: there must be none.
  await new Promise((r) => setTimeout(r, 20));
  t.same(p.events, ['exec PING', 'exec ECHO', 'exec TIME'], 'beforeFlush never ran');
});

t.test('with end-of-turn work pending, replies wait for beforeFlush', async (t) => {
  const p = await startProbe(t);
  p.mayGoNow = false;
  const s = await connect(t, p.port);
  const got = await roundTrip(s, request('SET', 'GET'), '+SET\r\n+GET\r\n'.length);
  t.equal(got, '+SET\r\n+GET\r\n');
  t.same(p.events, ['exec SET', 'exec GET', 'beforeFlush pending="+SET\\r\\n+GET\\r\\n"'], 'beforeFlush ran while both replies were unsent');
});

t.test('the hook is asked per read: a later read may go at once again', async (t) => {
  const p = await startProbe(t);
  const s = await connect(t, p.port);
  p.mayGoNow = false;
  await roundTrip(s, request('SET'), '+SET\r\n'.length);
  p.mayGoNow = true;
  await roundTrip(s, request('GET'), '+GET\r\n'.length);
  t.same(p.events, ['exec SET', 'beforeFlush pending="+SET\\r\\n"', 'exec GET']);
});
