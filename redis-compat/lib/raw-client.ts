// A minimal raw socket client for byte-exact comparisons: it sends exact bytes (a command
// encoded as a RESP multibulk, or anything raw) and hands back the raw bytes of exactly one
// complete RESP2/RESP3 reply, or everything the server sent until it closed.

import * as net from 'node:net';
import { LOOPBACK } from './servers';

export type Arg = string | Buffer;

/** Encodes a command as a RESP multibulk. String arguments are sent as UTF-8. */
export function encodeCommand(args: readonly Arg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, 'latin1')];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`, 'latin1'), b, CRLF);
  }
  return Buffer.concat(parts);
}

export class RespFormatError extends Error {}

/**
 * Index just past the complete reply that starts at `start`, or -1 when more bytes are
 * needed. Knows every RESP2 and RESP3 type: + - : $ * _ , # ! = ( % ~ > |. An attribute
 * (`|`) is returned together with the reply it annotates. Throws RespFormatError on bytes
 * that cannot start or continue a reply.
 */
export function frameEnd(buf: Buffer, start = 0): number {
  let pos = start;
  let remaining = 1; // frames still to read, counting nested elements
  while (remaining > 0) {
    if (pos >= buf.length) return -1;
    const type = buf[pos];
    const lineEnd = buf.indexOf(CRLF, pos + 1);
    if (lineEnd < 0) return -1;
    const next = lineEnd + 2;
    remaining--;
    switch (type) {
      case 0x2b: // + simple string
      case 0x2d: // - error
      case 0x3a: // : integer
      case 0x5f: // _ null
      case 0x2c: // , double
      case 0x23: // # boolean
      case 0x28: // ( big number
        pos = next;
        break;
      case 0x24: // $ bulk string
      case 0x21: // ! bulk error
      case 0x3d: { // = verbatim string
        const len = headerNumber(buf, pos, lineEnd);
        if (len < 0) {
          pos = next; // $-1: RESP2 null bulk
          break;
        }
        if (next + len + 2 > buf.length) return -1;
        if (buf[next + len] !== 0x0d || buf[next + len + 1] !== 0x0a) {
          throw new RespFormatError(`bulk of length ${len} at offset ${pos} is not followed by CRLF`);
        }
        pos = next + len + 2;
        break;
      }
      case 0x2a: // * array
      case 0x7e: // ~ set
      case 0x3e: { // > push
        const n = headerNumber(buf, pos, lineEnd);
        if (n > 0) remaining += n;
        pos = next;
        break;
      }
      case 0x25: { // % map
        const n = headerNumber(buf, pos, lineEnd);
        if (n > 0) remaining += 2 * n;
        pos = next;
        break;
      }
      case 0x7c: { // | attribute: its pairs, then the reply it is attached to
        const n = headerNumber(buf, pos, lineEnd);
        remaining += 2 * Math.max(n, 0) + 1;
        pos = next;
        break;
      }
      default:
        throw new RespFormatError(
          `unexpected byte 0x${type.toString(16).padStart(2, '0')} at offset ${pos} where a reply should start`,
        );
    }
  }
  return pos;
}

function headerNumber(buf: Buffer, pos: number, lineEnd: number): number {
  const text = buf.toString('latin1', pos + 1, lineEnd);
  if (!/^-?\d+$/.test(text)) throw new RespFormatError(`bad length "${text}" at offset ${pos}`);
  return Number(text);
}

/** Splits one aggregate reply into its header line and the raw bytes of each element. */
export function splitAggregate(frame: Buffer): { header: string; elements: Buffer[] } {
  const lineEnd = frame.indexOf(CRLF);
  const header = frame.toString('latin1', 0, lineEnd);
  const elements: Buffer[] = [];
  if (!'*~>%'.includes(header[0]) || header === '*-1') return { header, elements };
  let pos = lineEnd + 2;
  while (pos < frame.length) {
    const end = frameEnd(frame, pos);
    if (end < 0) throw new RespFormatError('aggregate reply ends inside an element');
    elements.push(frame.subarray(pos, end));
    pos = end;
  }
  return { header, elements };
}

/** Reassembles an aggregate reply with its elements (or, with `pairs`, key-value pairs) sorted bytewise. */
export function sortAggregate(reply: Buffer, pairs: boolean): Buffer {
  const { header, elements } = splitAggregate(reply);
  if (elements.length === 0) return reply;
  let groups: Buffer[] = elements;
  if (pairs) {
    groups = [];
    for (let i = 0; i + 1 < elements.length; i += 2) groups.push(Buffer.concat([elements[i], elements[i + 1]]));
  }
  groups.sort(Buffer.compare);
  return joinAggregate(header, groups);
}

/** Rebuilds an aggregate reply from its header line and (possibly rewritten) elements. */
export function joinAggregate(header: string, elements: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from(header + '\r\n', 'latin1'), ...elements]);
}

/** The payload of a bulk (`$`), verbatim (`=`, without its `txt:` prefix) or simple (`+`) string reply. */
export function stringValue(frame: Buffer): Buffer | null {
  const lineEnd = frame.indexOf(CRLF);
  const t = frame[0];
  if (t === 0x2b) return frame.subarray(1, lineEnd);
  if (t === 0x24 || t === 0x3d) {
    const len = Number(frame.toString('latin1', 1, lineEnd));
    if (len < 0) return null;
    const body = frame.subarray(lineEnd + 2, lineEnd + 2 + len);
    return t === 0x3d ? body.subarray(4) : body;
  }
  return null;
}

export class ReplyTimeout extends Error {
  constructor(
    readonly ms: number,
    readonly partial: Buffer,
  ) {
    super(`no complete reply within ${ms} ms`);
  }
}

export class ConnectionClosed extends Error {
  constructor(readonly partial: Buffer) {
    super('connection closed before a complete reply');
  }
}

/** One raw connection. Replies are read strictly in order; nothing is parsed beyond framing. */
export class RawClient {
  private buf: Buffer = Buffer.alloc(0);
  private isClosed = false;
  private wake: (() => void) | null = null;

  private constructor(private readonly sock: net.Socket) {
    sock.setNoDelay(true);
    sock.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      this.notify();
    });
    sock.on('close', () => {
      this.isClosed = true;
      this.notify();
    });
    sock.on('error', () => {
      /* 'close' follows; reads report it */
    });
  }

  static connect(port: number, host = LOOPBACK, timeoutMs = 5000): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ port, host });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.removeAllListeners('error');
        resolve(new RawClient(sock));
      });
      sock.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Sends bytes as they are (a string is taken as latin1: one char, one byte). */
  write(bytes: Buffer | string): void {
    if (this.isClosed) return;
    this.sock.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** Sends one command and returns the raw bytes of its reply. */
  async command(args: readonly Arg[], timeoutMs = 5000): Promise<Buffer> {
    this.write(encodeCommand(args));
    return this.readReply(timeoutMs);
  }

  /** Raw bytes of the next complete reply; rejects with ReplyTimeout or ConnectionClosed. */
  async readReply(timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = frameEnd(this.buf, 0);
      if (end >= 0) {
        const reply = this.buf.subarray(0, end);
        this.buf = this.buf.subarray(end);
        return reply;
      }
      if (this.isClosed) throw new ConnectionClosed(this.buf);
      if (!(await this.waitForData(deadline))) throw new ReplyTimeout(timeoutMs, this.buf);
    }
  }

  /** Everything received until the server closes the connection or `timeoutMs` passes. */
  async readUntilClose(timeoutMs = 1000): Promise<{ data: Buffer; closed: boolean }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isClosed && (await this.waitForData(deadline))) {
      /* keep collecting */
    }
    return { data: this.take(), closed: this.isClosed };
  }

  /** Removes and returns whatever has arrived but not been read as a reply. */
  take(): Buffer {
    const b = this.buf;
    this.buf = Buffer.alloc(0);
    return b;
  }

  close(): void {
    this.sock.destroy();
    this.isClosed = true;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    if (w) w();
  }

  /** Resolves true when new bytes (or the close) arrive, false at the deadline. */
  private waitForData(deadline: number): Promise<boolean> {
    const ms = deadline - Date.now();
    if (ms <= 0 || this.isClosed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve(false);
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }
}

const CRLF = Buffer.from('\r\n', 'latin1');

/** Shows bytes readably: printable ASCII as is, \r \n \t \\ and \xNN for the rest. */
export function escapeBytes(b: Buffer | string): string {
  const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
  let s = '';
  for (const c of buf) {
    if (c === 0x0d) s += '\\r';
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x09) s += '\\t';
    else if (c === 0x5c) s += '\\\\';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\x' + c.toString(16).padStart(2, '0');
  }
  return s;
}
