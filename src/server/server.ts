// The client-facing network server: accepts connections, feeds their bytes to each
// client's decoder, and writes every client's pending replies once per event-loop turn, so
// a pipeline's replies become one write: right after the client's read when nothing must
// happen first, else after all input of the turn (WAL group commit, nodes.conf).

import net from 'node:net';
import { Client, type ClientHost } from './client';
import type { Logger } from '../log';
import type { Db } from '../keyspace/db';
import type { ServerStats } from '../node-context';
import { Err } from '../errors';
import type { BufferLimits } from '../config/kinds';
import { closeForOutputLimit, outputLimitReached } from './output-limits';
import { listenOnBindList } from './listen';
import { pendingOutput, readInto, writeChunks, writeLatin1 } from './socket-io';

export interface ServerOptions {
  maxclients(): number;
  /** Live limits object (the config's typed values). */
  limits: { readonly protoMaxBulkLen: number };
  /** True when clients must AUTH before running commands. */
  authRequired(): boolean;
  queryBufferLimit(): number;
  tcpKeepalive(): number;
  defaultDb(): Db;
  /** Runs one parsed request (the gatekeeper). */
  execute(client: Client, args: string[]): void;
  /**
   * Called once per turn before replies are written (cluster state and nodes.conf, WAL group
   * commit). Returns the stream offset that must be durable before this turn's replies may go
   * out, or 0 for none.
   */
  beforeFlush?(): number;
  /**
   * True when beforeFlush would have nothing to do: no cluster work and no WAL bytes or fsync
   * to wait for. A client's replies may then go out as soon as its read is processed.
   */
  repliesMayGoNow?(): boolean;
  /**
   * How long (ms) this turn's flush may wait for more clients to join its group commit: > 0
   * only when the turn's replies wait for an fsync (appendfsync always with records pending).
   */
  groupCommitWaitMs?(): number;
  /** client-output-buffer-limit (normal, replica, pubsub). */
  outputBufferLimits?(): BufferLimits;
  /** Told of every client that goes away (blocked clients, pub/sub and other per-client state clean up). */
  clientClosed?(client: Client): void;
}

/** Reading from a client pauses while this much reply is waiting for the kernel. */
const PAUSE_READ_ABOVE = 64 * 1024 * 1024;

export class Server implements ClientHost {
  readonly clients = new Map<number, Client>();
  private readonly listeners: net.Server[] = [];
  private nextId = 1;
  /** Date.now() as read by the first read of this event-loop turn (see accept()) or its flush. */
  private now = Date.now();
  private dirty: Client[] = [];
  private flushScheduled = false;
  /** The client whose read is being processed: its replies are written when the read is done. */
  private reading: Client | null = null;
  /** Set when `reading` got its first pending reply during its read. */
  private readerHasReplies = false;

  constructor(
    private readonly opts: ServerOptions,
    readonly stats: ServerStats,
    private readonly log: Logger,
  ) {}

  /** Listens on each address (Redis `bind` syntax: a leading '-' makes it optional). */
  async listen(port: number, addresses: string[]): Promise<void> {
    const bound = await listenOnBindList(port, addresses, (s) => this.accept(s), {
      server: { noDelay: true },
      exclusive: true,
      listening: (srv) => this.listeners.push(srv),
      optionalFailed: (address, _host, err) => this.log.warn({ host: address, err: err.message }, 'optional bind address unavailable'),
    });
    if (bound === 0) throw new Error('no address to listen on');
  }

  /** Every socket not yet closed, including ones half-closed by closeGracefully(). */
  private readonly openSockets = new Set<net.Socket>();

  private accept(socket: net.Socket): void {
    this.stats.totalConnectionsReceived++;
    this.openSockets.add(socket);
    socket.once('close', () => this.openSockets.delete(socket));
    if (this.clients.size >= this.opts.maxclients()) {
      this.stats.rejectedConnections++;
      socket.end('-' + Err.maxClients + '\r\n');
      return;
    }
    const keepalive = this.opts.tcpKeepalive();
    if (keepalive > 0) socket.setKeepAlive(true, keepalive * 1000);
    const c = new Client(this.nextId++, socket, this.opts.defaultDb(), this, this.opts.limits);
    if (this.opts.authRequired()) c.authenticated = false;
    this.clients.set(c.id, c);
    readInto(socket, (buf, end) => {
      this.stats.netInputBytes += end;
      // Reads of a turn whose flush is already scheduled share its clock reading.
      if (!this.flushScheduled) this.now = Date.now();
      c.lastInteraction = this.now;
      // No try/finally: nothing catches an exception thrown here, the process ends with it.
      this.reading = c;
      c.decoder.feed(buf, c, end);
      this.reading = null;
      if (c.decoder.buffered > this.opts.queryBufferLimit()) {
        this.stats.clientQueryBufferLimitDisconnections++;
        this.log.warn({ client: c.id, addr: c.addr }, 'closing client that reached max query buffer length');
        c.close();
      }
      if (this.readerHasReplies) {
        this.readerHasReplies = false;
        // Replies go out as soon as the read is processed when the end-of-turn work (WAL
        // write, fsync wait, nodes.conf) has nothing to do: that skips the turn's
        // setImmediate round (~1.5 µs a turn, ~4 requests a turn under redis-benchmark
        // --cluster) and answers sooner. A read shorter than the buffer is the socket's last of
        // the turn (libuv reads on only while reads fill it), so this stays one write per
        // client per turn.
        if (end < buf.length && c.held === null && this.opts.repliesMayGoNow?.() === true) this.flushClient(c);
        else this.scheduleFlush(c);
      }
    });
    c.drained = () => {
      if (c.closed) return;
      if (socket.isPaused()) socket.resume();
      this.unblockOutput(c);
    };
    socket.on('drain', c.drained);
    socket.on('error', () => c.close());
    socket.on('close', () => c.close());
  }

  execute(client: Client, args: string[]): void {
    this.opts.execute(client, args);
  }

  scheduleFlush(client: Client): void {
    // The client being read is flushed (or scheduled) when its read is done.
    if (client === this.reading) {
      this.readerHasReplies = true;
      return;
    }
    this.dirty.push(client);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushAll);
    }
  }

  errorReplied(message: string): void {
    this.stats.totalErrorReplies++;
    const sp = message.indexOf(' ');
    const code = sp < 0 ? message : message.slice(0, sp);
    this.stats.errorCounts.set(code, (this.stats.errorCounts.get(code) ?? 0) + 1);
  }

  protocolError(client: Client, message: string): void {
    client.error('ERR Protocol error: ' + message);
    client.closeAfterReplies();
    this.log.debug({ client: client.id, addr: client.addr, message }, 'protocol error');
  }

  clientClosed(client: Client): void {
    this.clients.delete(client.id);
    this.opts.clientClosed?.(client);
  }

  /** Writes every pending reply: one socket write per client per turn. */
  readonly flushAll = (): void => {
    if (this.waitForGroup()) {
      // Still flushScheduled: commands arriving meanwhile join this flush.
      setImmediate(this.flushAll);
      return;
    }
    this.flushNow();
  };

  /** Writes (or holds for durability) every pending reply now. */
  private flushNow(): void {
    this.flushScheduled = false;
    this.now = Date.now();
    const holdUntil = this.opts.beforeFlush?.() ?? 0;
    const list = this.dirty;
    this.dirty = [];
    for (const c of list) {
      if (holdUntil > 0 || c.held !== null) this.hold(c, holdUntil);
      else this.flushClient(c);
    }
    this.lastFlushed = list;
  }

  /** The clients answered by the last flush. */
  private lastFlushed: Client[] = [];
  /** When the current flush first waited for its group (performance.now()), or 0. */
  private groupWaitStart = 0;
  /** Clients in the flush when its group was last checked. */
  private groupSeen = 0;

  /**
   * Group commit under appendfsync always: the clients answered by the last fsync come back
   * at slightly different moments, and a flush that ran as soon as the first few had sent
   * their next command would split them into groups that alternate, each paying a whole
   * fsync (~30 commands per fdatasync with 50 clients, against ~50 for redis-server). So
   * while some client answered last time has not sent anything yet, the flush waits a loop
   * iteration more, up to groupCommitWaitMs, and only while the last iteration brought more
   * clients in: each waiting iteration polls without blocking, and spinning on after the
   * group stopped growing cost ~4 µs of CPU per SET for no bigger batches (measured: user
   * CPU 14 -> 10 µs per SET, still ~33 commands per fdatasync). A lone client, or one whose
   * peers all came back, never waits.
   */
  private waitForGroup(): boolean {
    const waitMs = this.opts.groupCommitWaitMs?.() ?? 0;
    if (waitMs > 0) {
      const now = performance.now();
      let growing = true;
      if (this.groupWaitStart === 0) this.groupWaitStart = now;
      else growing = this.dirty.length > this.groupSeen;
      this.groupSeen = this.dirty.length;
      if (growing && now - this.groupWaitStart < waitMs) {
        for (const c of this.lastFlushed) {
          if (c.out.length === 0 && c.outChunks === null && c.held === null && awaitsReply(c)) return true;
        }
      }
    }
    this.groupWaitStart = 0;
    return false;
  }

  /** Clients with replies waiting for durability (appendfsync always, failed writes). */
  private readonly holding = new Set<Client>();

  /** Keeps this turn's replies of `c` until the stream is durable up to `until`. */
  private hold(c: Client, until: number): void {
    if (c.closed) return;
    const held = (c.held ??= []);
    // Replies keep their order: a later batch never goes out before an earlier one.
    const need = Math.max(until, held.length > 0 ? held[held.length - 1].until : 0);
    const chunks: Array<string | Buffer> = c.outChunks ?? [];
    if (c.out.length > 0) chunks.push(c.out);
    c.out = '';
    c.outChunks = null;
    held.push({ until: need, chunks });
    this.holding.add(c);
  }

  /** The stream is durable up to `offset`: send every reply that was waiting for it. */
  release(offset: number): void {
    for (const c of this.holding) {
      const held = c.held!;
      let n = 0;
      while (n < held.length && held[n].until <= offset) n++;
      if (n === 0) continue;
      const ready = held.splice(0, n);
      // Replies produced since the last hold are newer still: they stay behind the held ones.
      const newer = c.out;
      const newerChunks = c.outChunks;
      // Usually every batch is one short string (appendfsync always): they go out as one.
      const parts = ready.flatMap((h) => h.chunks);
      if (parts.every((x) => typeof x === 'string')) {
        c.out = parts.join('');
        c.outChunks = null;
      } else {
        c.out = '';
        c.outChunks = parts.map((x) => (typeof x === 'string' ? Buffer.from(x, 'latin1') : x));
      }
      if (held.length === 0) {
        c.held = null;
        this.holding.delete(c);
      }
      const closing = c.closeAfterReply;
      c.closeAfterReply = closing && c.held === null && newer.length === 0 && newerChunks === null;
      this.flushClient(c);
      c.closeAfterReply = closing;
      c.out = newer;
      c.outChunks = newerChunks;
    }
  }

  flushClient(c: Client): void {
    if (c.closed) {
      if (c.held !== null) {
        c.held = null;
        this.holding.delete(c);
      }
      return;
    }
    // Like Redis, the limit applies to replies queued before they are written: a reply larger
    // than the hard limit drops the client even if the kernel could take it at once.
    const limits = this.opts.outputBufferLimits?.();
    if (limits !== undefined && !c.closeAfterReply && outputLimitReached(c, limits, Math.floor(this.now / 1000))) {
      closeForOutputLimit(c, this.stats, this.log);
      return;
    }
    const socket = c.socket;
    let n = c.out.length;
    /** Whether some of the output may still wait for the kernel. */
    let queued = true;
    if (c.outChunks !== null) {
      for (const b of c.outChunks) n += b.length;
      queued = writeChunks(socket, c.outChunks, c.out, c.drained);
      c.outChunks = null;
      c.spilledBytes = 0;
    } else if (n > 0) {
      queued = writeLatin1(socket, c.out, c.drained);
    }
    c.out = '';
    this.stats.netOutputBytes += n;
    if (c.closeAfterReply) {
      c.closeGracefully();
    } else if (queued && pendingOutput(socket) > PAUSE_READ_ABOVE) {
      if (!socket.isPaused()) socket.pause();
    } else if (c.outputBlocked) {
      // The backlog went to the kernel: run the commands that waited behind it (next turn).
      setImmediate(() => this.unblockOutput(c));
    }
  }

  /** Resumes a client whose commands waited for its reply backlog to drain. */
  private unblockOutput(c: Client): void {
    if (!c.outputBlocked || c.closed) return;
    c.outputBlocked = false;
    if (!c.waiting) c.decoder.resume(c);
  }

  /** Closes clients idle longer than `timeout` seconds (0 = never). */
  closeIdleClients(timeoutSec: number, now: number): void {
    if (timeoutSec <= 0) return;
    for (const c of this.clients.values()) {
      // Clients in a blocking command are not idle (Redis skips CLIENT_BLOCKED ones);
      // subscribers wait for messages, not for their own commands: they never time out.
      if (c.subscriptionCount > 0 || c.unblock !== null) continue;
      if (now - c.lastInteraction > timeoutSec * 1000) c.close();
    }
  }

  /**
   * Stops listening and closes every client after its pending replies; peers that do not
   * close their side within `graceMs` are dropped.
   */
  async close(graceMs = 500): Promise<void> {
    this.flushNow();
    const closed = this.listeners.map((l) => new Promise<void>((r) => l.close(() => r())));
    for (const c of [...this.clients.values()]) c.closeGracefully();
    const sockets = this.openSockets;
    const timer = setTimeout(() => {
      for (const s of sockets) s.destroy();
    }, graceMs);
    await Promise.all(closed);
    clearTimeout(timer);
  }
}

/**
 * A client that, once answered, usually sends its next command at once: not closed, not
 * blocked or waiting on SAVE, not a subscriber or monitor (pushes do not make them answer).
 */
function awaitsReply(c: Client): boolean {
  return !c.closed && !c.waiting && c.kind === 'normal' && c.subscriptionCount === 0;
}
