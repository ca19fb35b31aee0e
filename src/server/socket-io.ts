// Client-socket reads and writes on Node's TCP handle, for the request/reply hot path.
//
// Node's stream layer around a socket costs about 2 µs of CPU per request and reply on this
// machine (a bare PING server: 7.4 µs user per request through 'data' events and
// socket.write, 5.4-5.6 µs with this module's paths; redis-server 3.1-3.4): every read
// allocates an ArrayBuffer and goes through Readable's push and 'data' emit, every write
// through Writable's queue, a WriteWrap and a nextTick. net.Socket already has a fast read
// path, reading into one user-supplied buffer and calling back (the `onread` option of
// net.connect), but offers it only to sockets it connects itself; this module turns it on for
// accepted sockets, and writes replies with the handle's writeLatin1String as Node's own
// writeGeneric does, minus the Writable bookkeeping.
//
// Both rely on Node internals (the socket's kBuffer/kBufferCb symbols, `_handle`, the
// stream_wrap binding). Each use checks that what it needs is there and otherwise leaves the
// socket on the public API, so a Node version that changes them is slower, not broken.

import type { Socket } from 'node:net';

/** The TCP handle methods and fields used here (Node's LibuvStreamWrap). */
interface StreamHandle {
  writeQueueSize: number;
  useUserBuffer(buf: Uint8Array): void;
  writeLatin1String(req: WriteReq, s: string): number;
  /** chunks: [data, encoding, data, encoding, ...] when allBuffers is false. */
  writev(req: WriteReq, chunks: Array<Buffer | string>, allBuffers: boolean): number;
}

/** A WriteWrap request as Node's stream_base_commons fills it. */
interface WriteReq {
  handle: StreamHandle;
  oncomplete: (this: WriteReq, status: number) => void;
  async: boolean;
  bytes: number;
  /** What an asynchronous write reads from, kept alive until it completes. */
  buffer: Array<Buffer | string> | null;
  /** This module's: the socket written to and who to tell once its queue drained. */
  socket: Socket | null;
  drained: (() => void) | null;
}

interface StreamWrapBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
  kReadBytesOrError: number;
}

/** Reads land here, one socket at a time: a read's bytes are handed on before the next read. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

function loadStreamWrap(): StreamWrapBinding | null {
  try {
    // process.binding is deprecated (DEP0111, documentation-only) but still gives this module.
    const b = (process as unknown as { binding(name: string): Partial<StreamWrapBinding> }).binding('stream_wrap');
    if (
      typeof b.WriteWrap === 'function' &&
      b.streamBaseState instanceof Int32Array &&
      typeof b.kLastWriteWasAsync === 'number' &&
      typeof b.kReadBytesOrError === 'number'
    ) {
      return b as StreamWrapBinding;
    }
  } catch {
    // Not available: the public API is used.
  }
  return null;
}

const streamWrap = loadStreamWrap();

function handleOf(socket: Socket): StreamHandle | null {
  const h = (socket as unknown as { _handle?: Partial<StreamHandle> | null })._handle;
  return h !== null && h !== undefined && typeof h.writeLatin1String === 'function' ? (h as StreamHandle) : null;
}

function ownSymbol(obj: object, description: string): symbol | undefined {
  return Object.getOwnPropertySymbols(obj).find((s) => s.description === description);
}

/** The handle's read callback: Node's onStreamRead, called by the native side as `onread`. */
type OnRead = (this: unknown, arrayBuffer: unknown) => unknown;

/**
 * Has the handle's reads call `onData` straight from its `onread` callback. Node's
 * onStreamRead, which it replaces for reads that brought bytes, looks the socket up, refreshes
 * its idle timer (Cinnabar sets none: idle clients are closed by the server's own sweep),
 * checks `destroyed` (a closed client's decoder drops input itself) and calls the kBufferCb:
 * ~0.3-0.5 µs of CPU per request (redis-benchmark GET -c 50, user µs per request over ten
 * alternating pairs: 7.18/7.56 against 7.48/8.12). End of stream and errors still go to
 * onStreamRead, which ends or destroys the socket as usual.
 */
function takeReads(handle: Partial<StreamHandle>, onData: (buf: Buffer, end: number) => void): void {
  const h = handle as { onread?: OnRead };
  const streamRead = h.onread;
  if (streamWrap === null || typeof streamRead !== 'function') return;
  const state = streamWrap.streamBaseState;
  const nreadField = streamWrap.kReadBytesOrError;
  h.onread = function onread(this: unknown, arrayBuffer: unknown): unknown {
    const nread = state[nreadField];
    if (nread > 0) {
      onData(READ_BUFFER, nread);
      return undefined;
    }
    return streamRead.call(this, arrayBuffer);
  };
}

/**
 * Calls `onData(buf, end)` with the bytes of each read, buf[0, end). The buffer is reused by
 * the next read of any socket: `onData` must copy whatever it keeps. Returns true when the
 * fast path is on ('data' events otherwise). socket.pause()/resume() keep working: Node's
 * Socket stops and restarts the handle's reading for this mode itself.
 */
export function readInto(socket: Socket, onData: (buf: Buffer, end: number) => void): boolean {
  const handle = handleOf(socket) as Partial<StreamHandle> | null;
  const kBuffer = ownSymbol(socket, 'kBuffer');
  const kBufferCb = ownSymbol(socket, 'kBufferCb');
  const s = socket as unknown as Record<symbol, unknown>;
  if (handle !== null && typeof handle.useUserBuffer === 'function' && kBuffer !== undefined && kBufferCb !== undefined && s[kBuffer] == null) {
    s[kBuffer] = READ_BUFFER;
    s[kBufferCb] = (nread: number, buf: Buffer): void => onData(buf, nread);
    handle.useUserBuffer(READ_BUFFER);
    takeReads(handle, onData);
    return true;
  }
  socket.on('data', (chunk: Buffer) => onData(chunk, chunk.length));
  return false;
}

/** A request object left over from a write that completed at once (the usual case). */
let spareReq: WriteReq | null = null;

function onWriteComplete(this: WriteReq, status: number): void {
  const socket = this.socket;
  const drained = this.drained;
  this.socket = null;
  this.drained = null;
  if (socket === null || socket.destroyed) return;
  if (status < 0) {
    socket.destroy(new Error(`write failed (${status})`));
    return;
  }
  if (this.handle.writeQueueSize === 0 && drained !== null) drained();
}

/** The handle to write to directly, or null to use socket.write (no internals, or closed). */
function directHandle(socket: Socket): StreamHandle | null {
  return streamWrap !== null ? handleOf(socket) : null;
}

function newReq(handle: StreamHandle): WriteReq {
  const req = spareReq ?? new streamWrap!.WriteWrap();
  spareReq = null;
  req.handle = handle;
  req.oncomplete = onWriteComplete;
  req.async = false;
  req.bytes = 0;
  req.buffer = null;
  return req;
}

/** After a direct write: true when some of it waits in libuv for the kernel. */
function dispatched(socket: Socket, req: WriteReq, err: number, drained: () => void, data: Array<Buffer | string> | null): boolean {
  if (err !== 0) {
    spareReq = req;
    socket.destroy(new Error(`write failed (${err})`));
    return false;
  }
  if (streamWrap!.streamBaseState[streamWrap!.kLastWriteWasAsync] !== 0) {
    // The kernel took only part: libuv keeps the rest and calls oncomplete when it is out.
    req.async = true;
    req.buffer = data;
    req.socket = socket;
    req.drained = drained;
    return true;
  }
  spareReq = req;
  return false;
}

/**
 * Writes `s` (latin1) to the socket. Every write of a client's output goes through this
 * module, so direct writes queue in libuv in the order they were made. `drained` is called
 * when a write that had to wait for the kernel has gone out and nothing else of the socket
 * waits (writes through the fallback socket.write report that with the 'drain' event).
 * Returns false when the kernel took all of `s` and nothing else of this socket waits.
 */
export function writeLatin1(socket: Socket, s: string, drained: () => void): boolean {
  const handle = directHandle(socket);
  if (handle === null) {
    socket.write(s, 'latin1');
    return true;
  }
  const req = newReq(handle);
  return dispatched(socket, req, handle.writeLatin1String(req, s), drained, null);
}

/** Writes the Buffers and then `tail` (latin1) with one writev, as writeLatin1 writes. */
export function writeChunks(socket: Socket, chunks: readonly Buffer[], tail: string, drained: () => void): boolean {
  const handle = directHandle(socket);
  if (handle === null) {
    socket.cork();
    for (const b of chunks) socket.write(b);
    if (tail.length > 0) socket.write(tail, 'latin1');
    socket.uncork();
    return true;
  }
  const parts: Array<Buffer | string> = [];
  for (const b of chunks) parts.push(b, 'buffer');
  if (tail.length > 0) parts.push(tail, 'latin1');
  const req = newReq(handle);
  return dispatched(socket, req, handle.writev(req, parts, false), drained, parts);
}

/** Reply bytes handed to the socket that the kernel has not taken yet. */
export function pendingOutput(socket: Socket): number {
  const h = handleOf(socket);
  return socket.writableLength + (h !== null ? h.writeQueueSize : 0);
}
