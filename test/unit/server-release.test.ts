// Replies held for durability (appendfsync always, failed WAL writes) and released by
// Server.release: batches come out whole, in order, in one write, strings and spilled
// Buffers mixed, and replies produced after the hold stay behind for the next flush.

import t from 'tap';
import { Server } from '../../src/server/server';
import type { Client } from '../../src/server/client';

/** A socket stand-in with no TCP handle: socket-io falls back to socket.write. */
function fakeSocket(): { written: string[]; writes: number; socket: unknown } {
  const state = { written: [] as string[], writes: 0, corked: 0 };
  const socket = {
    writableLength: 0,
    destroyed: false,
    _handle: null,
    cork: () => state.corked++,
    uncork: () => {
      state.corked--;
      state.writes++;
    },
    write(data: Buffer | string, enc?: string): boolean {
      state.written.push(typeof data === 'string' ? Buffer.from(data, (enc ?? 'utf8') as BufferEncoding).toString('latin1') : data.toString('latin1'));
      if (state.corked === 0) state.writes++;
      return true;
    },
    isPaused: () => false,
  };
  return {
    get written() {
      return state.written;
    },
    get writes() {
      return state.writes;
    },
    socket,
  };
}

function fakeClient(socket: unknown): Client {
  return {
    closed: false,
    held: null,
    out: '',
    outChunks: null,
    spilledBytes: 0,
    closeAfterReply: false,
    outputBlocked: false,
    socket,
    drained: () => {},
  } as unknown as Client;
}

function newServer(): Server {
  const stats = { netOutputBytes: 0 } as unknown as ConstructorParameters<typeof Server>[1];
  const log = { debug() {}, warn() {}, info() {} } as unknown as ConstructorParameters<typeof Server>[2];
  return new Server({} as ConstructorParameters<typeof Server>[0], stats, log);
}

type Holder = { hold(c: Client, until: number): void };

t.test('held batches are released in order, strings and Buffers mixed, newer replies kept', async (t) => {
  const server = newServer();
  const s = fakeSocket();
  const c = fakeClient(s.socket);
  const hold = (until: number): void => (server as unknown as Holder).hold(c, until);

  c.out = '+OK\r\n';
  hold(10);
  c.outChunks = [Buffer.from('$3\r\nbig', 'latin1')];
  c.out = '\r\n:1\r\n';
  hold(11);
  c.out = '+third\r\n';
  hold(12);
  c.out = '+newer\r\n';

  server.release(9);
  t.same(s.written, [], 'nothing before the first batch is durable');

  server.release(11);
  t.equal(s.written.join(''), '+OK\r\n$3\r\nbig\r\n:1\r\n', 'the two durable batches, whole and in order');
  t.equal(s.writes, 1, 'in one write');
  t.equal(c.out, '+newer\r\n', 'the reply made after the hold waits for its own flush');
  t.equal(c.held?.length, 1, 'the third batch is still held');

  server.release(12);
  t.equal(s.written.join(''), '+OK\r\n$3\r\nbig\r\n:1\r\n+third\r\n');
  t.equal(c.held, null, 'nothing held any more');
  t.equal(c.out, '+newer\r\n');
});

t.test('string batches go out as one string write', async (t) => {
  const server = newServer();
  const s = fakeSocket();
  const c = fakeClient(s.socket);
  for (let i = 0; i < 3; i++) {
    c.out = `:${i}\r\n`;
    (server as unknown as Holder).hold(c, 5);
  }
  server.release(5);
  t.same(s.written, [':0\r\n:1\r\n:2\r\n']);
  t.equal(s.writes, 1);
});
