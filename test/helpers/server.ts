// Test helpers: start a real cinnabar-server (or redis-server) process on a free loopback
// port inside a tap test, stopped by pid when the test ends, pass or fail.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

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

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once `port` accepts a connection and answers PING, or rejects after `ms`. */
export async function waitForPing(port: number, ms = 10000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      let buf = '';
      s.on('connect', () => s.write('*1\r\n$4\r\nPING\r\n'));
      s.on('data', (d) => {
        buf += d.toString('latin1');
        if (buf.includes('\r\n')) {
          s.destroy();
          resolve(buf.startsWith('+PONG'));
        }
      });
      s.on('error', () => resolve(false));
      s.setTimeout(500, () => {
        s.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`server on port ${port} did not answer PING`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function track(proc: ChildProcess, port: number, dir: string, ownDir: boolean): Running {
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    port,
    pid: proc.pid!,
    dir,
    proc,
    output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGKILL') {
      if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid!, signal);
      const code = await exited;
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
