// The client socket paths of src/server/socket-io.ts on a real node: replies written straight
// to the TCP handle that the kernel cannot take at once (a client that stops reading) are
// queued, keep their order with replies written later, big ones written as chunks too, and go
// out once the client reads; requests split across reads of the shared read buffer arrive
// whole; a client that goes away with replies queued does not disturb the node.

import t from 'tap';
import net from 'node:net';
import { poll, startCinnabar } from '../helpers/server';
import { RawConnection } from '../helpers/resp';

/** Resolves with everything the socket sends until `total` bytes arrived. */
function readBytes(socket: net.Socket, total: number, timeoutMs = 30000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    const timer = setTimeout(() => reject(new Error(`got ${n} of ${total} bytes`)), timeoutMs);
    const onData = (b: Buffer): void => {
      parts.push(b);
      n += b.length;
      if (n >= total) {
        clearTimeout(timer);
        socket.off('data', onData);
        resolve(Buffer.concat(parts));
      }
    };
    socket.on('data', onData);
    socket.resume();
  });
}

function bulk(value: string): string {
  return `$${value.length}\r\n${value}\r\n`;
}

function command(...args: string[]): string {
  return `*${args.length}\r\n${args.map(bulk).join('')}`;
}

t.test('replies a paused reader left in the kernel go out in order once it reads', async (t) => {
  const node = await startCinnabar(t, { args: ['--appendonly', 'no'] });
  const setup = await RawConnection.connect(node.port);
  const size = 256 * 1024;
  const values = ['a', 'b', 'c', 'd'].map((ch) => ch.repeat(size));
  for (let i = 0; i < values.length; i++) t.equal(await setup.call('SET', `k${i}`, values[i]), '+OK\r\n');

  const socket = net.connect(node.port, '127.0.0.1');
  await new Promise<void>((r) => socket.once('connect', () => r()));
  socket.pause();
  // 400 GETs of 256 KB (100 MB) in 100 writes a few ms apart: most replies wait in the node
  // for the kernel, and past 64 MB waiting the node stops reading this client until they
  // drain; then one 40 MB MGET reply, which goes out as Buffer chunks in one writev (past
  // 32 MB a reply is moved into Buffers), and a last PING.
  const rounds = 100;
  let expected = '';
  for (let r = 0; r < rounds; r++) {
    let batch = '';
    for (let i = 0; i < values.length; i++) {
      batch += command('GET', `k${i}`);
      expected += bulk(values[i]);
    }
    batch += command('PING', `p${r}`);
    expected += bulk(`p${r}`);
    socket.write(batch);
    // One batch per turn of the node: each turn's 1 MB of replies is one direct write.
    await new Promise((r) => setTimeout(r, 5));
  }
  const big = ['MGET'];
  for (let r = 0; r < 40; r++) for (let i = 0; i < values.length; i++) big.push(`k${i}`);
  socket.write(command(...big));
  expected += `*${big.length - 1}\r\n` + big.slice(1).map((k) => bulk(values[Number(k.slice(1))])).join('');
  socket.write(command('PING', 'last'));
  expected += bulk('last');
  // Meanwhile other clients are served.
  await new Promise((r) => setTimeout(r, 500));
  t.equal(await setup.call('PING'), '+PONG\r\n', 'another client is served while replies wait');
  const got = await readBytes(socket, expected.length, 20000);
  t.equal(got.length, expected.length, 'every byte arrived');
  t.ok(got.toString('latin1') === expected, 'replies arrived whole and in order');
  socket.destroy();
  setup.close();
});

t.test('requests split at every byte and pipelined across reads', async (t) => {
  const node = await startCinnabar(t, { args: ['--appendonly', 'no'] });
  const socket = net.connect(node.port, '127.0.0.1');
  await new Promise<void>((r) => socket.once('connect', () => r()));
  const value = 'v'.repeat(100000) + '\r\n*1\r\n$4\r\nPING\r\n';
  const req = command('SET', 'split', value) + command('GET', 'split') + 'PING\r\n';
  const expected = '+OK\r\n' + bulk(value) + '+PONG\r\n';
  const reply = readBytes(socket, expected.length);
  // The first 200 bytes one at a time (a read each), then the rest in 3 KB pieces.
  for (let i = 0; i < 200; i++) {
    socket.write(req.slice(i, i + 1));
    await new Promise((r) => setImmediate(r));
  }
  for (let i = 200; i < req.length; i += 3000) socket.write(req.slice(i, i + 3000));
  const got = await reply;
  t.ok(got.toString('latin1') === expected, 'the split requests were decoded whole');
  socket.destroy();
});

t.test('a client that leaves with replies queued does not disturb the node', async (t) => {
  const node = await startCinnabar(t, { args: ['--appendonly', 'no'] });
  const setup = await RawConnection.connect(node.port);
  t.equal(await setup.call('SET', 'k', 'x'.repeat(1024 * 1024)), '+OK\r\n');
  for (let n = 0; n < 5; n++) {
    const socket = net.connect(node.port, '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.pause();
    socket.write(command('GET', 'k').repeat(50));
    await new Promise((r) => setTimeout(r, 100));
    socket.destroy();
  }
  t.equal(await setup.call('PING'), '+PONG\r\n', 'the node still answers');
  const gone = await poll(() => setup.call('INFO', 'clients'), (info) => info.includes('connected_clients:1\r\n'), { timeoutMs: 10000 });
  t.ok(gone.ok, 'the departed clients are gone');
  setup.close();
});
