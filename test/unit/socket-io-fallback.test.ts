// socket-io.ts on sockets without the Node internals it looks for: reads come through 'data'
// events and writes through socket.write, with the same results. (On Node 20 the real
// sockets always take the fast paths; test/integration/socket-io.test.ts covers those.)

import t from 'tap';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { pendingOutput, readInto, writeChunks, writeLatin1 } from '../../src/server/socket-io';

/** A socket stand-in with no `_handle` and no kBuffer symbols; `written` collects writes. */
function plainSocket(): { socket: Socket; written: string[] } {
  const written: string[] = [];
  const socket = Object.assign(new EventEmitter(), {
    writableLength: 0,
    destroyed: false,
    cork: () => undefined,
    uncork: () => undefined,
    write(data: Buffer | string, enc?: BufferEncoding): boolean {
      written.push(typeof data === 'string' ? Buffer.from(data, enc ?? 'utf8').toString('latin1') : data.toString('latin1'));
      return true;
    },
  });
  return { socket: socket as unknown as Socket, written };
}

t.test('reads fall back to data events', async (t) => {
  const { socket } = plainSocket();
  const seen: string[] = [];
  t.equal(readInto(socket, (buf, end) => seen.push(buf.toString('latin1', 0, end))), false, 'the fast path is off');
  socket.emit('data', Buffer.from('*1\r\n$4\r\nPING\r\n'));
  socket.emit('data', Buffer.from('\xff', 'latin1'));
  t.same(seen, ['*1\r\n$4\r\nPING\r\n', '\xff']);
});

t.test('writes fall back to socket.write, big ones corked together', async (t) => {
  const s = plainSocket();
  t.equal(writeLatin1(s.socket, '+OK\r\n\xff', () => undefined), true, 'reported as possibly queued');
  t.equal(writeChunks(s.socket, [Buffer.from('$3\r\n'), Buffer.from('abc')], '\r\n', () => undefined), true);
  t.same(s.written, ['+OK\r\n\xff', '$3\r\n', 'abc', '\r\n']);
  t.equal(pendingOutput(s.socket), 0, 'no handle: only the Writable queue counts');
});
