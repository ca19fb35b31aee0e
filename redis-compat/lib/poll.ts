// Waiting for something a server will do "soon" (a cluster agreeing, a key expiring, a port
// answering): ask again every few milliseconds until it holds or time is up. The one polling
// loop of the harnesses and tests (test/helpers/server.ts re-exports it).

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface PollOptions {
  /** Give up after this long. @default 10000 */
  timeoutMs?: number;
  /** Pause between two probes. @default 100 */
  intervalMs?: number;
}

/** What poll saw: whether `done` held, the probe's last value, and the time it took. */
export interface Polled<T> {
  ok: boolean;
  last: T;
  elapsedMs: number;
}

/**
 * Calls `probe` until `done(value)` holds or `timeoutMs` has passed (the probe runs at least
 * once, and once more at the deadline). Returns what it saw last, for callers that assert on
 * it or build their own message. A probe that throws ends the wait with its error.
 */
export async function poll<T>(probe: () => T | Promise<T>, done: (value: T) => boolean, opts: PollOptions = {}): Promise<Polled<T>> {
  const { timeoutMs = 10000, intervalMs = 100 } = opts;
  const start = Date.now();
  for (;;) {
    const last = await probe();
    const elapsedMs = Date.now() - start;
    if (done(last)) return { ok: true, last, elapsedMs };
    if (elapsedMs >= timeoutMs) return { ok: false, last, elapsedMs };
    await sleep(Math.min(intervalMs, Math.max(0, timeoutMs - elapsedMs)));
  }
}

export interface EventuallyOptions<T> extends PollOptions {
  /** When the probe's value is good enough. @default truthy */
  until?: (value: T) => boolean;
}

/**
 * Waits until `probe`'s value satisfies `until` and resolves with it; throws "`what`: not
 * within N ms; last ..." (the last value, or the probe's last error) after `timeoutMs`. A probe
 * that throws counts as "not yet": a node may refuse connections for a moment.
 */
export async function eventually<T>(what: string, probe: () => T | Promise<T>, opts: EventuallyOptions<T> = {}): Promise<T> {
  const until = opts.until ?? ((v: T) => Boolean(v));
  type Attempt = { value: T } | { error: unknown };
  const attempt = async (): Promise<Attempt> => {
    try {
      return { value: await probe() };
    } catch (error) {
      return { error };
    }
  };
  const r = await poll(attempt, (a) => 'value' in a && until(a.value), opts);
  if (r.ok && 'value' in r.last) return r.last.value;
  const last = 'value' in r.last ? JSON.stringify(r.last.value) : String(r.last.error);
  throw new Error(`${what}: not within ${r.elapsedMs} ms; last ${last}`);
}
