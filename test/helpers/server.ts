// Test helpers: start a real cinnabar-server (or redis-server) process on a free loopback
// port inside a tap test, stopped by pid when the test ends, pass or fail, and SIGKILLed by
// pid if the test process dies first (tap's timeout, SIGTERM, SIGINT, exit).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { poll } from '../../redis-compat/lib/poll';
import { LOOPBACK, answersPing, freePort, lastResort } from '../../redis-compat/lib/servers';

export { eventually, poll, sleep } from '../../redis-compat/lib/poll';
export { freePort };

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const SERVER_JS = path.join(REPO_ROOT, 'dist', 'src', 'main.js');

export interface Running {
  port: number;
  pid: number;
  dir: string;
  proc: ChildProcess;
  /** Output the process printed so far (stdout + stderr). */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Anything with tap's teardown(). */
interface Teardown {
  teardown(fn: () => unknown): void;
}

/** Resolves once `port` accepts a connection and answers PING, or rejects after `ms`. */
export async function waitForPing(port: number, ms = 10000): Promise<void> {
  const { ok } = await poll(() => answersPing(port, LOOPBACK, 500), (up) => up, { timeoutMs: ms, intervalMs: 50 });
  if (!ok) throw new Error(`server on port ${port} did not answer PING`);
}

function track(proc: ChildProcess, port: number, dir: string, ownDir: boolean): Running {
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const running = (): boolean => proc.exitCode === null && proc.signalCode === null;
  // For when this process dies before the teardown that stops it has run (or finished).
  const forget = lastResort(proc, ownDir ? dir : undefined);
  return {
    port,
    pid: proc.pid!,
    dir,
    proc,
    output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGKILL') {
      if (running()) process.kill(proc.pid!, signal);
      const code = await exited;
      forget();
      if (ownDir) rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

export interface StartOptions {
  /** Extra redis-style arguments, e.g. ['--timeout', '1']. */
  args?: string[];
  /** Data directory to use (kept); a fresh temp dir (removed on stop) otherwise. */
  dir?: string;
  port?: number;
  /** Do not wait for PING (for start-up failure tests). */
  noWait?: boolean;
}

/** Starts cinnabar-server; it is killed by pid when `t` ends. */
export async function startCinnabar(t: Teardown, opts: StartOptions = {}): Promise<Running> {
  const port = opts.port ?? (await freePort());
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'cinnabar-test-'));
  const proc = spawn(process.execPath, [SERVER_JS, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...(opts.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const r = track(proc, port, dir, opts.dir === undefined);
  t.teardown(() => r.stop());
  if (!opts.noWait) {
    try {
      await waitForPing(port);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${r.output()}`);
    }
  }
  return r;
}

/** Starts Debian's redis-server (no persistence) for side-by-side checks; `opts.port`/`opts.dir` as for startCinnabar. */
export async function startRedis(t: Teardown, args: string[] = [], opts: Pick<StartOptions, 'port' | 'dir'> = {}): Promise<Running> {
  const port = opts.port ?? (await freePort());
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'redis-ref-'));
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const r = track(proc, port, dir, opts.dir === undefined);
  t.teardown(() => r.stop());
  await waitForPing(port);
  return r;
}
