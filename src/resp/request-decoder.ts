// Decodes client requests: RESP multibulk arrays and telnet-style inline commands.
// Written for the server side instead of wrapping redis-parser (a reply parser): it needs
// inline commands, Redis's exact protocol-error texts and limits, and args copied out as
// latin1 strings so no stored value pins a socket chunk. It never keeps a reference to a
// chunk it was fed: the server reads every socket into one reused buffer (socket-io.ts).

import { splitArgs } from './split-args';
import { latin1 } from './latin1';

/** What the decoder hands complete requests to. `command` returns false to pause parsing. */
export interface RequestSink {
  command(args: string[]): boolean;
  protocolError(message: string): void;
}

const CR = 13;
const LF = 10;
const STAR = 42;
const DOLLAR = 36;
/** Redis's PROTO_INLINE_MAX_SIZE: the longest inline request or count line it buffers. */
export const INLINE_MAX = 64 * 1024;
const INT_MAX = 2147483647;
/** Leftovers smaller than this are copied so they do not pin the socket chunk they came from. */
const COPY_LEFTOVER_BELOW = 4096;


/**
 * Command names repeat endlessly, so the first arg of a request is looked up among the
 * names seen before instead of allocating a new string each time (saves a latin1Slice call,
 * ~60 ns of ~300-600 ns per pipelined command, and the cached string's hash makes the
 * command-table lookup cheaper). Bounded, so random names cannot grow it.
 */
const NAME_CACHE_MAX = 512;
const nameCache = new Map<number, string>();

function commandName(buf: Buffer, start: number, end: number): string {
  const len = end - start;
  if (len === 0 || len > 24) return latin1(buf, start, end);
  const key = len | (buf[start] << 5) | (buf[end - 1] << 13) | (buf[start + (len >> 1)] << 21);
  const hit = nameCache.get(key);
  if (hit !== undefined && hit.length === len) {
    let i = 0;
    while (i < len && hit.charCodeAt(i) === buf[start + i]) i++;
    if (i === len) return hit;
  }
  const name = latin1(buf, start, end);
  if (hit === undefined && nameCache.size < NAME_CACHE_MAX) nameCache.set(key, name);
  return name;
}

/**
 * Index of the next CR at or after `from`, or -1. A JS loop, not buf.indexOf: count and
 * length lines are a few bytes long, and the native call costs more than the scan
 * (~15% of decoding a pipelined INCR, measured in-process).
 */
function findCR(buf: Buffer, from: number, end: number): number {
  for (let i = from; i < end; i++) if (buf[i] === CR) return i;
  return -1;
}

/** Parses buf[start, end) as Redis's string2ll does (strict); returns NaN when invalid. */
export function parseStrictInt(buf: Buffer, start: number, end: number): number {
  const len = end - start;
  if (len <= 0 || len > 20) return NaN;
  let i = start;
  let neg = false;
  if (buf[i] === 45) {
    neg = true;
    i++;
    if (i === end) return NaN;
  }
  if (buf[i] === 48) return i + 1 === end && !neg ? 0 : NaN;
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return neg ? -n : n;
}

export class RequestDecoder {
  /** Unconsumed input: buf[pos, len). */
  private buf: Buffer | null = null;
  private pos = 0;
  private len = 0;
  /** The chunk being fed, which the caller reuses after feed(): kept bytes of it are copied. */
  private transient: Buffer | null = null;
  /** Chunks gathered while waiting for a large bulk to arrive whole. */
  private parts: Buffer[] = [];
  private partsLen = 0;
  /** Total bytes (from buf[0]) needed before parsing can continue; 0 when not waiting. */
  private waitFor = 0;
  /** Multibulk request in progress. */
  private args: string[] | null = null;
  private remaining = 0;
  private bulkLen = -1;
  private stopped = false;

  /** `limits` is read live, so CONFIG SET proto-max-bulk-len applies to open connections. */
  constructor(private readonly limits: { readonly protoMaxBulkLen: number }) {}

  /** Bytes received but not yet turned into commands (CLIENT LIST qbuf, query buffer limit). */
  get buffered(): number {
    return (this.buf ? this.len - this.pos : 0) + this.partsLen;
  }

  /** True while the current request is half-read (used to tell inline from multibulk state). */
  get midRequest(): boolean {
    return this.args !== null;
  }

  /**
   * Decodes chunk[0, end) and hands on every complete request. The chunk may be reused by
   * the caller as soon as this returns: whatever of it is still needed is copied.
   */
  feed(chunk: Buffer, sink: RequestSink, end = chunk.length): void {
    if (this.stopped) return;
    if (this.waitFor > 0) {
      this.parts.push(Buffer.from(chunk.subarray(0, end)));
      this.partsLen += end;
      if (this.partsLen < this.waitFor) return;
      this.buf = Buffer.concat(this.parts, this.partsLen);
      this.pos = 0;
      this.len = this.buf.length;
      this.parts = [];
      this.partsLen = 0;
      this.waitFor = 0;
    } else if (this.buf === null) {
      this.buf = chunk;
      this.pos = 0;
      this.len = end;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos, this.len), chunk.subarray(0, end)]);
      this.pos = 0;
      this.len = this.buf.length;
    }
    this.transient = chunk;
    if (!this.paused) this.parse(sink);
    if (this.buf === chunk) this.keepRest();
    this.transient = null;
  }

  /** While paused, input is buffered but no command is handed on (a command in progress). */
  private paused = false;

  pause(): void {
    this.paused = true;
  }

  /** Continues after pause() or after `command` returned false. */
  resume(sink: RequestSink): void {
    this.paused = false;
    if (!this.stopped && this.buf !== null && this.waitFor === 0) this.parse(sink);
  }

  /** Stops for good (connection closing); buffered input is dropped. */
  stop(): void {
    this.stopped = true;
    this.buf = null;
    this.parts = [];
    this.partsLen = 0;
  }

  private parse(sink: RequestSink): void {
    const buf = this.buf!;
    const len = this.len;
    let pos = this.pos;
    for (;;) {
      if (this.args === null) {
        if (pos >= len) break;
        if (buf[pos] !== STAR) {
          // Inline command: one line, split like sdssplitargs.
          let nl = buf.indexOf(LF, pos);
          if (nl >= len) nl = -1;
          // Redis reads 16 KB at a time and gives up once 64 KB hold no newline, so a longer
          // line is refused even when its newline arrived in the same read.
          if ((nl < 0 ? len : nl) - pos > INLINE_MAX) return this.fail(sink, 'too big inline request');
          if (nl < 0) break;
          const lineEnd = nl > pos && buf[nl - 1] === CR ? nl - 1 : nl;
          const line = latin1(buf, pos, lineEnd);
          pos = nl + 1;
          const argv = splitArgs(line);
          if (argv === null) {
            this.pos = pos;
            return this.fail(sink, 'unbalanced quotes in request');
          }
          if (argv.length === 0) continue;
          if (!sink.command(argv)) {
            this.pos = pos;
            return this.keepRest();
          }
          continue;
        }
        const cr = findCR(buf, pos, len);
        if (cr < 0 || cr + 1 >= len) {
          if (len - pos > INLINE_MAX) return this.fail(sink, 'too big mbulk count string');
          break;
        }
        const count = parseStrictInt(buf, pos + 1, cr);
        if (Number.isNaN(count) || count > INT_MAX) return this.fail(sink, 'invalid multibulk length');
        pos = cr + 2;
        if (count <= 0) continue;
        this.args = [];
        this.remaining = count;
      }
      // Inside a multibulk request: read `remaining` bulk strings.
      while (this.remaining > 0) {
        if (this.bulkLen < 0) {
          if (pos >= len) break;
          const cr = findCR(buf, pos, len);
          if (cr < 0 || cr + 1 >= len) {
            if (len - pos > INLINE_MAX) return this.fail(sink, 'too big bulk count string');
            break;
          }
          if (buf[pos] !== DOLLAR) {
            return this.fail(sink, `expected '$', got '${String.fromCharCode(buf[pos])}'`);
          }
          const n = parseStrictInt(buf, pos + 1, cr);
          if (Number.isNaN(n) || n < 0 || n > this.limits.protoMaxBulkLen) return this.fail(sink, 'invalid bulk length');
          pos = cr + 2;
          this.bulkLen = n;
        }
        if (len - pos < this.bulkLen + 2) {
          // Wait for the whole bulk; gather big ones as a chunk list to avoid quadratic copying.
          this.pos = pos;
          this.waitLarge();
          return;
        }
        const args = this.args!;
        args.push(args.length === 0 ? commandName(buf, pos, pos + this.bulkLen) : latin1(buf, pos, pos + this.bulkLen));
        pos += this.bulkLen + 2;
        this.bulkLen = -1;
        this.remaining--;
      }
      if (this.remaining > 0) break;
      const argv = this.args!;
      this.args = null;
      if (!sink.command(argv)) {
        this.pos = pos;
        return this.keepRest();
      }
      if (this.stopped) return;
    }
    this.pos = pos;
    this.keepRest();
  }

  /**
   * Keeps only the unparsed tail: copied when small (so it does not pin a big chunk) or when
   * it is in the chunk being fed (reused by the caller), else a view of the owned buffer.
   */
  private keepRest(): void {
    // A command may have closed the connection (stop() dropped the buffer).
    if (this.buf === null) return;
    const buf = this.buf;
    const rest = this.len - this.pos;
    if (rest === 0) {
      this.buf = null;
    } else if (buf === this.transient || rest < COPY_LEFTOVER_BELOW) {
      this.buf = Buffer.from(buf.subarray(this.pos, this.len));
    } else if (this.pos > 0 || this.len < buf.length) {
      this.buf = buf.subarray(this.pos, this.len);
    }
    this.pos = 0;
    this.len = rest;
  }

  private waitLarge(): void {
    this.keepRest();
    if (this.stopped) return;
    const have = this.buf ? this.len : 0;
    const need = this.bulkLen + 2;
    if (need - have > COPY_LEFTOVER_BELOW && this.buf !== null) {
      this.parts = [this.buf];
      this.partsLen = have;
      this.waitFor = need;
      this.buf = null;
    }
  }

  private fail(sink: RequestSink, what: string): void {
    this.stop();
    sink.protocolError(what);
  }
}
