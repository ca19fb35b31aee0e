// The main thread's side of MIGRATE's target connections: runs one exchange on the link
// worker (link-worker.ts) and blocks until it is done, as Redis's MIGRATE blocks its server
// on synchronous socket I/O. A watchdog gives up on a worker that stops making progress.

import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ERROR_BYTES, KeyStatus, LinkOutcome, WORDS, Word, sharedSize, type LinkRequest, type LinkWorkerData } from './protocol';

export interface Exchange {
  host: string;
  port: number;
  timeoutMs: number;
  auth: string[] | null;
  dbid: number;
  restores: Buffer;
  keys: number;
}

export interface ExchangeResult {
  /** A LinkOutcome value. */
  outcome: number;
  /** One KeyStatus per key. */
  statuses: Uint8Array;
  /** The first error reply (AUTH, SELECT or RESTORE), without its '-'; null when none. */
  error: string | null;
}

/** Extra time the first exchange allows for the worker thread to start. */
const WORKER_START_MS = 5000;

export class MigrateLinks {
  private worker: Worker | null = null;

  /** `onWorkerError`: told when the link worker fails (it is started again on next use). */
  constructor(private readonly onWorkerError: (err: Error) => void) {}

  /** Runs the exchange and returns when it is over; the event loop does not turn meanwhile. */
  exchange(x: Exchange): ExchangeResult {
    const shared = new SharedArrayBuffer(sharedSize(x.keys));
    const words = new Int32Array(shared, 0, WORDS);
    let startAllowance = 0;
    if (this.worker === null) {
      const data: LinkWorkerData = { role: 'cinnabar-migrate-link' };
      const w = new Worker(join(__dirname, 'link-worker.js'), { workerData: data, execArgv: [] });
      w.unref();
      w.on('error', (err) => this.onWorkerError(err));
      w.on('exit', () => {
        if (this.worker === w) this.worker = null;
      });
      this.worker = w;
      startAllowance = WORKER_START_MS;
    }
    const req: LinkRequest = { shared, host: x.host, port: x.port, timeoutMs: x.timeoutMs, auth: x.auth, dbid: x.dbid, restores: x.restores, keys: x.keys };
    this.worker.postMessage(req);
    // The worker's own timeouts end every step; this only catches a worker that is gone or
    // stuck: nothing done for a whole step's timeout (plus a second).
    let seen = -1;
    let idleSince = Date.now();
    while (Atomics.load(words, Word.State) === 0) {
      Atomics.wait(words, Word.State, 0, 250);
      const progress = Atomics.load(words, Word.Progress);
      if (progress !== seen) {
        seen = progress;
        idleSince = Date.now();
      } else if (Date.now() - idleSince > x.timeoutMs + 1000 + startAllowance && Atomics.load(words, Word.State) === 0) {
        void this.worker?.terminate();
        this.worker = null;
        return { outcome: LinkOutcome.ReadFailed, statuses: new Uint8Array(x.keys), error: null };
      }
    }
    const statuses = new Uint8Array(shared, WORDS * 4, x.keys).slice();
    const errorLength = words[Word.ErrorLength];
    const errorBytes = new Uint8Array(shared, WORDS * 4 + x.keys, Math.min(errorLength, ERROR_BYTES));
    const error = errorLength > 0 || statuses.includes(KeyStatus.Error) ? Buffer.from(errorBytes).toString('latin1') : null;
    return { outcome: words[Word.Outcome], statuses, error };
  }
}
