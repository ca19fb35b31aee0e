// A raw RESP connection for tests: send exact bytes or commands, read whole replies as
// raw strings, so assertions compare the bytes a client really receives.

import net from 'node:net';

export class RawConnection {
  private buf = '';
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf += d.toString('latin1');
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => resolve(new RawConnection(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timeout; have ${JSON.stringify(this.buf)}`)), ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  writeRaw(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  send(...args: string[]): void {
    let s = '*' + args.length + '\r\n';
    for (const a of args) s += '$' + Buffer.byteLength(a, 'latin1') + '\r\n' + a + '\r\n';
    this.writeRaw(s);
  }

  /** Reads one complete reply and returns its raw bytes. */
  async reply(ms = 5000): Promise<string> {
    for (;;) {
      const n = frameLength(this.buf, 0);
      if (n > 0) {
        const r = this.buf.slice(0, n);
        this.buf = this.buf.slice(n);
        return r;
      }
      if (this.closed) throw new Error(`connection closed; have ${JSON.stringify(this.buf)}`);
      await this.wait(ms);
    }
  }

  /** Sends a command and returns its raw reply. */
  async call(...args: string[]): Promise<string> {
    this.send(...args);
    return this.reply();
  }

  /** Everything received until the server closes the connection (or `ms` passes). */
  async untilClosed(ms = 3000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!this.closed && Date.now() < deadline) {
      await this.wait(deadline - Date.now()).catch(() => undefined);
    }
    const r = this.buf;
    this.buf = '';
    return r;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Length of the complete RESP frame at `pos`, or 0 when incomplete. */
export function frameLength(s: string, pos: number): number {
  if (pos >= s.length) return 0;
  const nl = s.indexOf('\r\n', pos);
  if (nl < 0) return 0;
  const type = s[pos];
  const head = nl + 2 - pos;
  switch (type) {
    case '+':
    case '-':
    case ':':
    case '_':
    case ',':
    case '#':
    case '(':
      return head;
    case '$':
    case '!':
    case '=': {
      const len = parseInt(s.slice(pos + 1, nl), 10);
      if (len < 0) return head;
      return s.length >= nl + 2 + len + 2 ? head + len + 2 : 0;
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      let count = parseInt(s.slice(pos + 1, nl), 10);
      if (count < 0) return head;
      if (type === '%' || type === '|') count *= 2;
      let p = nl + 2;
      for (let i = 0; i < count; i++) {
        const n = frameLength(s, p);
        if (n === 0) return 0;
        p += n;
      }
      return p - pos;
    }
    default:
      throw new Error(`bad RESP type ${JSON.stringify(type)} in ${JSON.stringify(s.slice(pos, pos + 40))}`);
  }
}

/** Parses a flat RESP2 array of bulk strings (KEYS, the key list of SCAN). */
export function bulks(s: string): string[] {
  const out: string[] = [];
  let p = s.indexOf('\r\n') + 2;
  while (p < s.length) {
    const nl = s.indexOf('\r\n', p);
    const len = Number(s.slice(p + 1, nl));
    out.push(s.slice(nl + 2, nl + 2 + len));
    p = nl + 2 + len + 2;
  }
  return out;
}
