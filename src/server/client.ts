// One connected client: its socket, request decoder, per-connection state (db, name, RESP
// version, reply mode) and the reply encoder. Replies accumulate in `out` (a latin1 string)
// and are written once per event-loop turn by the Server.

import type { Socket } from 'node:net';
import { RequestDecoder, type RequestSink } from '../resp/request-decoder';
import { formatDouble17g } from '../resp/format';
import { R } from '../resp/replies';
import { addBulk, beginBulks, encodedLength, finishBulks } from '../resp/bulk-encoder';
import type { Db } from '../keyspace/db';
import type { WatchedKey } from '../keyspace/watch';
import { pendingOutput as socketPending } from './socket-io';

/** What a Client needs from the server that owns it. */
export interface ClientHost {
  execute(client: Client, args: string[]): void;
  scheduleFlush(client: Client): void;
  clientClosed(client: Client): void;
  protocolError(client: Client, message: string): void;
  /** Counts an error reply (INFO stats/errorstats). */
  errorReplied(message: string): void;
}

/** Above this many characters pending, the reply string is moved into a Buffer chunk. */
const OUT_STRING_MAX = 32 * 1024 * 1024;
/** Unsent reply bytes above which a client's further commands wait (bounded memory). */
export const OUTPUT_BACKLOG_MAX = 64 * 1024 * 1024;
/** Encoded bulk strings are handed to `out` in pieces of about this size. */
const BULK_CHUNK = 1024 * 1024;

export class Client implements RequestSink {
  /** Pending reply bytes (latin1) not yet handed to the socket. */
  out = '';
  /** Reply bytes spilled out of `out` when a reply grows very large. */
  outChunks: Buffer[] | null = null;
  /** Replies waiting until the WAL is durable up to `until` (see Server.hold). */
  held: Array<{ until: number; chunks: Array<string | Buffer> }> | null = null;
  resp: 2 | 3 = 2;
  dbIndex = 0;
  name = '';
  libName = '';
  libVer = '';
  readonly createdAt = Date.now();
  lastInteraction = Date.now();
  lastCommand = 'NULL';
  /** CLIENT REPLY OFF is in force. */
  replyOff = false;
  /** CLIENT REPLY SKIP was just run: the next command's replies are dropped. */
  skipNext = false;
  /** The current command's replies are dropped (set by the gatekeeper from the two above). */
  muted = false;
  closeAfterReply = false;
  closed = false;
  noEvict = false;
  authenticated = true;
  // ── Connection role and state kept by other command families; CLIENT LIST/KILL and
  // RESET read it (replication, MONITOR, pub/sub, MULTI and blocking commands set it).
  /** 'replica': a replica's link to this node; 'master': this replica's link to its primary. */
  kind: 'normal' | 'replica' | 'master' | 'monitor' = 'normal';
  /** Channels, patterns and shard channels this connection is subscribed to. */
  readonly subscriptions = { channels: new Set<string>(), patterns: new Set<string>(), shardChannels: new Set<string>() };
  /** Unix seconds since when the output backlog is above the soft limit, 0 when below (output-limits.ts). */
  softLimitReachedAt = 0;
  /** Commands queued since MULTI, or null outside a transaction. */
  multiQueue: string[][] | null = null;
  /** True while EXEC runs the queued commands: blocking commands then answer as if timed out. */
  inExec = false;
  /** A command was refused while queuing (Redis's CLIENT_DIRTY_EXEC): EXEC answers EXECABORT. */
  multiError = false;
  /** A watched key changed (CLIENT_DIRTY_CAS): EXEC answers a null array. */
  watchBroken = false;
  /** Keys this client WATCHes (keyspace/watch.ts), or null. */
  watched: WatchedKey[] | null = null;
  /** Set while the client waits in a blocking command; CLIENT UNBLOCK calls it (true: with an error). */
  unblock: ((withError: boolean) => void) | null = null;
  /** Positions of the current command's arguments the slow log shows as "(redacted)" (passwords). */
  redacted: number[] | null = null;
  readonly decoder: RequestDecoder;
  /** Called when output that waited for the kernel has all gone out (set by the Server). */
  drained: () => void = () => {};
  readonly addr: string;
  readonly laddr: string;

  constructor(
    readonly id: number,
    readonly socket: Socket,
    public db: Db,
    private readonly host: ClientHost,
    limits: { readonly protoMaxBulkLen: number },
  ) {
    this.decoder = new RequestDecoder(limits);
    this.addr = formatAddr(socket.remoteAddress, socket.remotePort);
    this.laddr = formatAddr(socket.localAddress, socket.localPort);
  }

  // ── RequestSink ───────────────────────────────────────────────────────────
  command(args: string[]): boolean {
    this.host.execute(this, args);
    if (this.outChunks !== null && this.spilledBytes > OUTPUT_BACKLOG_MAX) {
      // Replies are piling up faster than they can be sent (a pipeline of big GETs from a
      // client that does not read): stop running its commands until they drain.
      this.outputBlocked = true;
      this.decoder.pause();
      return false;
    }
    return !this.closeAfterReply && !this.closed && !this.waiting;
  }

  /** Bytes of reply moved from `out` into `outChunks` since the last flush. */
  spilledBytes = 0;
  /** Commands are held back until the reply backlog drains (see command()). */
  outputBlocked = false;

  /**
   * True while a command of this client finishes asynchronously (SAVE, blocking pops): its
   * later pipelined commands wait in the decoder so replies keep their order.
   */
  waiting = false;

  /** Stops running this client's commands until resumeCommands(). */
  waitForCompletion(): void {
    this.waiting = true;
    this.decoder.pause();
  }

  /** The asynchronous command finished: run the commands that queued up behind it. */
  resumeCommands(): void {
    if (!this.waiting) return;
    this.waiting = false;
    if (!this.closed && !this.outputBlocked) this.decoder.resume(this);
  }

  protocolError(message: string): void {
    this.host.protocolError(this, message);
  }

  /** Hides argument `i` of the current command from the slow log (redactClientCommandArgument). */
  redact(i: number): void {
    (this.redacted ??= []).push(i);
  }

  // ── Reply encoding ───────────────────────────────────────────────────────
  write(s: string): void {
    if (this.muted) return;
    if (this.out.length === 0) {
      if (this.outChunks === null) this.host.scheduleFlush(this);
    } else if (this.out.length + s.length > OUT_STRING_MAX) {
      (this.outChunks ??= []).push(Buffer.from(this.out, 'latin1'));
      this.spilledBytes += this.out.length;
      this.out = '';
    }
    this.out += s;
  }

  ok(): void {
    this.write(R.ok);
  }

  status(s: string): void {
    this.write('+' + s + '\r\n');
  }

  /**
   * An error reply; `msg` carries its code ("ERR ...", "WRONGTYPE ..."). CR and LF become
   * spaces, as Redis's addReplyErrorFormat does: errors often quote a client's argument
   * (LATENCY GRAPH's event, CLUSTER FORGET's node id...) and a line break in one would end
   * the error early and desynchronise the client's reply stream.
   */
  error(msg: string): void {
    msg = oneLine(msg);
    this.host.errorReplied(msg);
    this.write('-' + msg + '\r\n');
  }

  int(n: number | bigint): void {
    this.write(':' + n + '\r\n');
  }

  bulk(s: string): void {
    this.write('$' + s.length + '\r\n' + s + '\r\n');
  }

  /** A bulk string, or a null when undefined. */
  bulkOrNull(s: string | undefined): void {
    if (s === undefined) this.nullBulk();
    else this.write('$' + s.length + '\r\n' + s + '\r\n');
  }

  nullBulk(): void {
    this.write(this.resp === 2 ? R.nullBulk2 : R.null3);
  }

  nullArray(): void {
    this.write(this.resp === 2 ? R.nullArray2 : R.null3);
  }

  arrayHeader(n: number): void {
    this.write('*' + n + '\r\n');
  }

  /** A map of n pairs: RESP3 '%', RESP2 a flat array of 2n. */
  mapHeader(n: number): void {
    this.write(this.resp === 3 ? '%' + n + '\r\n' : '*' + 2 * n + '\r\n');
  }

  setHeader(n: number): void {
    this.write(this.resp === 3 ? '~' + n + '\r\n' : '*' + n + '\r\n');
  }

  pushHeader(n: number): void {
    this.write(this.resp === 3 ? '>' + n + '\r\n' : '*' + n + '\r\n');
  }

  bulkArray(items: readonly string[]): void {
    beginBulks(42 /* '*' */, items.length);
    for (let i = 0; i < items.length; i++) this.addChunked(items[i]);
    this.write(finishBulks());
  }

  /**
   * Bulk strings after a header written by the caller, in chunks: a reply of a whole big
   * collection never builds one string near V8's maximum string length.
   */
  bulks(items: Iterable<string>): void {
    beginBulks(0, 0);
    for (const it of items) this.addChunked(it);
    this.write(finishBulks());
  }

  /** Adds one bulk to the encoder, handing over what it holds past 1 MB. */
  private addChunked(e: string): void {
    addBulk(e);
    if (encodedLength() > BULK_CHUNK) {
      this.write(finishBulks());
      beginBulks(0, 0);
    }
  }

  double(d: number): void {
    if (this.resp === 3) this.write(',' + formatDouble17g(d) + '\r\n');
    else this.bulk(formatDouble17g(d));
  }

  bool(b: boolean): void {
    if (this.resp === 3) this.write(b ? '#t\r\n' : '#f\r\n');
    else this.write(b ? R.one : R.zero);
  }

  /** Text that RESP3 sends as a verbatim string ("txt" format), RESP2 as a bulk. */
  verbatim(s: string): void {
    if (this.resp === 3) this.write('=' + (s.length + 4) + '\r\ntxt:' + s + '\r\n');
    else this.bulk(s);
  }

  // ── Lifecycle ───────────────────────────────────────────────────────────
  /** Channels + patterns + shard channels: above 0 the client is in pub/sub mode (flag P). */
  get subscriptionCount(): number {
    const s = this.subscriptions;
    return s.channels.size + s.patterns.size + s.shardChannels.size;
  }

  /** Bytes of reply not yet taken by the kernel (CLIENT LIST omem, limits). */
  get pendingOutput(): number {
    let n = this.out.length + socketPending(this.socket);
    if (this.outChunks) for (const b of this.outChunks) n += b.length;
    return n;
  }

  /** Marks the connection to close once the replies so far are written (QUIT, errors). */
  closeAfterReplies(): void {
    this.closeAfterReply = true;
    if (this.out.length === 0 && this.outChunks === null) this.host.scheduleFlush(this);
  }

  /** Drops the connection at once; unsent replies are discarded. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.decoder.stop();
    this.socket.destroy();
    this.host.clientClosed(this);
  }

  /** Closes after what was already written reaches the peer (QUIT, protocol errors). */
  closeGracefully(): void {
    if (this.closed) return;
    this.closed = true;
    this.decoder.stop();
    this.socket.end();
    this.host.clientClosed(this);
  }
}

function formatAddr(host: string | undefined, port: number | undefined): string {
  if (host === undefined) return '?:0';
  const h = host.startsWith('::ffff:') ? host.slice(7) : host;
  return h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`;
}

/** Redis's addReplyErrorFormat turns CR and LF into spaces so the reply stays one line. */
function oneLine(s: string): string {
  return s.includes('\r') || s.includes('\n') ? s.replace(/[\r\n]/g, ' ') : s;
}
