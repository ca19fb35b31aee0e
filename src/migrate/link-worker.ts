// The thread that talks to MIGRATE's target instances. MIGRATE is synchronous in Redis (the
// server waits for the target, so a key is never seen on both sides or on neither), and Node
// has no blocking sockets: the main thread hands the exchange to this thread and sleeps on
// a shared word (Atomics.wait) until it is done. This thread keeps Redis's cache of target
// connections (one per host:port, closed after 10 s unused, at most 64) and the db each one
// has SELECTed.

import net from 'node:net';
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { ERROR_BYTES, KeyStatus, LinkOutcome, WORDS, Word, encodeCommand, type LinkRequest, type LinkWorkerData } from './protocol';

// ── Worker ───────────────────────────────────────────────────────────────────────────────

const CACHE_TTL_MS = 10_000;
const CACHE_MAX = 64;

interface Link {
  socket: net.Socket;
  lastDbid: number;
  lastUse: number;
  /** Bytes received and not yet consumed as reply lines. */
  pending: Buffer;
  /** Called when data arrives, the socket fails or closes. */
  wake: (() => void) | null;
  /** An exchange is using it: the idle reaper leaves it alone. */
  busy: boolean;
  failed: NodeJS.ErrnoException | null;
}

/** Why an attempt ended without all replies; `retry`: Redis would reconnect and try again. */
class Failure {
  constructor(
    readonly outcome: number,
    readonly retry: boolean,
  ) {}
}

const TIMEDOUT = 'ETIMEDOUT';
const MINUS = 0x2d;
const WRITE_CHUNK = 64 * 1024;

class LinkWorker {
  private readonly links = new Map<string, Link>();

  constructor() {
    setInterval(() => this.closeIdle(), 1000).unref();
  }

  async handle(req: LinkRequest): Promise<void> {
    const words = new Int32Array(req.shared, 0, WORDS);
    const statuses = new Uint8Array(req.shared, WORDS * 4, req.keys);
    const errorText = new Uint8Array(req.shared, WORDS * 4 + req.keys, ERROR_BYTES);
    const progress = (): void => void Atomics.add(words, Word.Progress, 1);
    let outcome: number = LinkOutcome.Replied;
    // A socket failure before anything was processed is retried once on a new connection.
    for (let attempt = 0; ; attempt++) {
      statuses.fill(KeyStatus.NoReply);
      words[Word.ErrorLength] = 0;
      try {
        await this.exchange(req, statuses, errorText, words, progress);
        outcome = LinkOutcome.Replied;
        break;
      } catch (e) {
        this.close(req);
        if (!(e instanceof Failure)) throw e;
        outcome = e.outcome;
        if (!e.retry || attempt > 0) break;
      }
    }
    words[Word.Outcome] = outcome;
    Atomics.store(words, Word.State, 1);
    Atomics.notify(words, Word.State);
  }

  private async exchange(req: LinkRequest, statuses: Uint8Array, errorText: Uint8Array, words: Int32Array, progress: () => void): Promise<void> {
    const link = await this.link(req, progress);
    link.busy = true;
    try {
      await this.talk(link, req, statuses, errorText, words, progress);
    } finally {
      link.busy = false;
      link.lastUse = Date.now();
    }
  }

  /** Sends AUTH, SELECT (unless the link has that db selected) and the RESTOREs; reads the replies. */
  private async talk(link: Link, req: LinkRequest, statuses: Uint8Array, errorText: Uint8Array, words: Int32Array, progress: () => void): Promise<void> {
    const select = link.lastDbid !== req.dbid;
    const prefix: string[][] = [];
    if (req.auth !== null) prefix.push(['AUTH', ...req.auth]);
    if (select) prefix.push(['SELECT', String(req.dbid)]);
    await this.write(link, Buffer.from(prefix.map(encodeCommand).join(''), 'latin1'), req.timeoutMs, progress);
    await this.write(link, Buffer.from(req.restores.buffer, req.restores.byteOffset, req.restores.byteLength), req.timeoutMs, progress);

    let failed = false;
    // The first error reply is the one reported; after it the db selected is not known.
    const noteError = (line: Buffer): void => {
      if (failed) return;
      failed = true;
      link.lastDbid = -1;
      const text = line.subarray(1, 1 + ERROR_BYTES);
      errorText.set(text);
      words[Word.ErrorLength] = text.length;
    };
    for (let i = 0; i < prefix.length; i++) {
      const line = await this.readLine(link, req.timeoutMs, false, progress);
      if (line[0] === MINUS) noteError(line);
    }
    // An AUTH or SELECT error makes every key's reply count as an error (Redis's checks).
    const prefixFailed = failed;
    for (let k = 0; k < req.keys; k++) {
      const line = await this.readLine(link, req.timeoutMs, k > 0, progress);
      if (line[0] === MINUS) noteError(line);
      statuses[k] = prefixFailed || line[0] === MINUS ? KeyStatus.Error : KeyStatus.Ok;
    }
    if (!failed) link.lastDbid = req.dbid;
  }

  /** The cached connection to the target, or a new one (which starts with no db selected). */
  private async link(req: LinkRequest, progress: () => void): Promise<Link> {
    const name = linkName(req);
    const cached = this.links.get(name);
    if (cached !== undefined && cached.failed === null && !cached.socket.destroyed) {
      cached.lastUse = Date.now();
      return cached;
    }
    if (cached !== undefined) this.close(req);
    if (this.links.size >= CACHE_MAX) {
      const [victim] = this.links.keys();
      this.links.get(victim)!.socket.destroy();
      this.links.delete(victim);
    }
    const socket = net.connect({ host: req.host, port: req.port, noDelay: true });
    const link: Link = { socket, lastDbid: -1, lastUse: Date.now(), pending: Buffer.alloc(0), wake: null, busy: false, failed: null };
    socket.on('connect', () => link.wake?.());
    socket.on('data', (chunk: Buffer) => {
      link.pending = link.pending.length === 0 ? chunk : Buffer.concat([link.pending, chunk]);
      link.wake?.();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      link.failed = err;
      link.wake?.();
    });
    socket.on('close', () => {
      link.failed ??= Object.assign(new Error('connection closed'), { code: 'ECONNRESET' });
      link.wake?.();
    });
    this.links.set(name, link);
    // A refused connection shows up as the write failing, as with Redis's non-blocking
    // connect; only a connect that hangs is a connect error.
    const connected = await this.until(link, req.timeoutMs, () => !socket.connecting || link.failed !== null);
    if (!connected) throw new Failure(LinkOutcome.ConnectTimeout, false);
    progress();
    return link;
  }

  /** Writes in 64 KiB pieces, each within the timeout (Redis's syncWrite loop). */
  private async write(link: Link, data: Buffer, timeoutMs: number, progress: () => void): Promise<void> {
    for (let pos = 0; pos < data.length; pos += WRITE_CHUNK) {
      if (link.failed !== null) throw new Failure(LinkOutcome.WriteFailed, true);
      let done = false;
      link.socket.write(data.subarray(pos, pos + WRITE_CHUNK), (err) => {
        done = true;
        if (err) link.failed ??= err;
        link.wake?.();
      });
      const ok = await this.until(link, timeoutMs, () => done || link.failed !== null, progress);
      if (!ok) throw new Failure(LinkOutcome.WriteFailed, false);
      if (link.failed !== null) throw new Failure(LinkOutcome.WriteFailed, true);
      progress();
    }
  }

  /**
   * The next reply line (up to its CRLF). A failure before the first key's reply is retried
   * on a new connection, as Redis does when nothing was processed; a timeout never is.
   */
  private async readLine(link: Link, timeoutMs: number, afterKeys: boolean, progress: () => void): Promise<Buffer> {
    const lineEnd = (): number => link.pending.indexOf('\r\n');
    const ok = await this.until(link, timeoutMs, () => lineEnd() >= 0 || link.failed !== null, progress);
    const end = lineEnd();
    if (end >= 0) {
      const line = link.pending.subarray(0, end);
      link.pending = link.pending.subarray(end + 2);
      return line;
    }
    if (!ok) throw new Failure(LinkOutcome.ReadFailed, false);
    throw new Failure(LinkOutcome.ReadFailed, !afterKeys && link.failed?.code !== TIMEDOUT);
  }

  /**
   * Resolves true once `ready()` holds, false if `timeoutMs` passes with nothing happening on
   * the link (the timer restarts at every event, as Redis's timeout is per step).
   */
  private until(link: Link, timeoutMs: number, ready: () => boolean, progress?: () => void): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (v: boolean): void => {
        clearTimeout(timer);
        link.wake = null;
        resolve(v);
      };
      link.wake = () => {
        progress?.();
        if (ready()) return finish(true);
        clearTimeout(timer);
        timer = setTimeout(() => finish(false), timeoutMs);
      };
    });
  }

  private close(req: LinkRequest): void {
    const name = linkName(req);
    this.links.get(name)?.socket.destroy();
    this.links.delete(name);
  }

  private closeIdle(): void {
    const now = Date.now();
    for (const [name, link] of this.links) {
      if (!link.busy && now - link.lastUse > CACHE_TTL_MS) {
        link.socket.destroy();
        this.links.delete(name);
      }
    }
  }
}

/** The cache key of a target, as Redis's "host:port". */
function linkName(req: LinkRequest): string {
  return `${req.host}:${req.port}`;
}

function runWorker(port: MessagePort): void {
  const worker = new LinkWorker();
  port.on('message', (req: LinkRequest) => {
    worker.handle(req).catch((e: unknown) => {
      // A bug, not an I/O failure: report it as a failed read so the main thread wakes up.
      process.stderr.write(`migrate link worker: ${e instanceof Error ? e.stack : String(e)}\n`);
      const words = new Int32Array(req.shared, 0, WORDS);
      words[Word.Outcome] = LinkOutcome.ReadFailed;
      Atomics.store(words, Word.State, 1);
      Atomics.notify(words, Word.State);
    });
  });
}

const data = workerData as LinkWorkerData | undefined;
if (!isMainThread && parentPort !== null && data?.role === 'cinnabar-migrate-link') runWorker(parentPort);
