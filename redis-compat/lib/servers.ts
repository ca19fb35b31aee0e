// Starts and stops the servers the harnesses talk to: Debian's redis-server (the oracle),
// Cinnabar from dist/, or any command line. Each start waits until PING answers on a free
// loopback port; each stop kills by pid and awaits exit. Reused by test/ integration tests.

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { poll, sleep } from './poll';

export { sleep };

export const LOOPBACK = '127.0.0.1';

/** Persistence off: the settings the reference runs with, given to the server under test too. */
export const NO_PERSISTENCE: readonly string[] = ['--save', '', '--appendonly', 'no'];

export interface StartOptions {
  /** Port to listen on. @default a free port found by binding port 0 */
  port?: number;
  /** Working directory for data files. @default a fresh temporary directory, removed on stop */
  dir?: string;
  /** Extra `--name value` arguments appended after the standard ones. @default [] */
  args?: string[];
  /** How long to wait for the first PONG. @default 20000 */
  readyTimeoutMs?: number;
  /** Label used in messages. @default 'redis' / 'cinnabar' / 'target' */
  name?: string;
}

export interface ServerHandle {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  readonly dir: string;
  /** Last output the process wrote (stdout and stderr interleaved), for diagnostics. */
  output(): string;
  /** SIGTERM by pid, SIGKILL after a grace period; resolves once the process has exited. */
  stop(): Promise<void>;
}

/** Finds a free loopback TCP port by binding port 0 and closing again. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, LOOPBACK, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error('could not get a free port'))));
    });
  });
}

/** The repository root: the nearest ancestor of this file holding package.json (works from src and dist). */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
}

/** redis-server with persistence off: `--port P --bind 127.0.0.1 --save '' --appendonly no --dir D`. */
export function startRedis(opts: StartOptions = {}): Promise<ServerHandle> {
  return startWithRetry(opts, 'redis', (port, dir) => ({
    file: 'redis-server',
    argv: [
      '--port', String(port), '--bind', LOOPBACK, ...NO_PERSISTENCE, '--dir', dir, ...(opts.args ?? []),
    ],
  }));
}

/** Cinnabar from dist/: `node dist/src/main.js --port P --bind 127.0.0.1 --dir D`. */
export function startCinnabar(opts: StartOptions = {}): Promise<ServerHandle> {
  const main = path.join(repoRoot(), 'dist', 'src', 'main.js');
  return startWithRetry(opts, 'cinnabar', (port, dir) => ({
    file: process.execPath,
    argv: [main, '--port', String(port), '--bind', LOOPBACK, '--dir', dir, ...(opts.args ?? [])],
  }));
}

/**
 * Any server given as a shell command line. `{port}` and `{dir}` are substituted when present;
 * otherwise `--port P --bind 127.0.0.1 --dir D` is appended. The command runs as
 * `sh -c 'exec <cmd>'`, so the pid we hold is the server's own.
 */
export function startCommand(cmd: string, opts: StartOptions = {}): Promise<ServerHandle> {
  return startWithRetry(opts, 'target', (port, dir) => {
    const q = shellQuote;
    let line = cmd;
    if (cmd.includes('{port}') || cmd.includes('{dir}')) {
      line = cmd.split('{port}').join(String(port)).split('{dir}').join(q(dir));
    } else {
      line = `${cmd} --port ${port} --bind ${LOOPBACK} --dir ${q(dir)}`;
    }
    if (opts.args && opts.args.length > 0) line += ' ' + opts.args.map(q).join(' ');
    return { file: '/bin/sh', argv: ['-c', `exec ${line}`] };
  });
}

/** Stops every server this process started and has not stopped yet. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((h) => h.stop()));
}

/**
 * For CLI entries: on SIGINT/SIGTERM stop all servers gracefully, then exit. (Without it, and
 * on the other fatal signals, the servers still running are SIGKILLed when this process exits
 * or a signal ends it: see lastResort.)
 */
export function installCleanupHandlers(): void {
  graceful = true;
  installHooks();
}

// ---------------------------------------------------------------------------------------
// Children do not outlive us
// ---------------------------------------------------------------------------------------

/** Synchronous last-resort stops of the children still running (SIGKILL by pid, remove their dir). */
const lastResorts = new Set<() => void>();
let hooksInstalled = false;
/** installCleanupHandlers was called: SIGINT/SIGTERM stop the servers gracefully. */
let graceful = false;
/** A graceful stop is under way (a second signal exits at once). */
let signalled = false;

/**
 * Signals that end a process by default and can be caught. SIGALRM is how tap ends a test
 * file at its timeout, giving its teardowns a tick at most; SIGKILL cannot be caught at all.
 */
const FATAL_SIGNALS: readonly NodeJS.Signals[] = ['SIGALRM', 'SIGHUP', 'SIGINT', 'SIGTERM'];

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', runLastResorts);
  for (const sig of FATAL_SIGNALS) process.on(sig, onFatalSignal);
}

/**
 * Registers `child`, a server this process started, to be SIGKILLed by pid (and `ownedDir`
 * removed) synchronously if this process exits or a fatal signal arrives while the child still
 * runs. Returns the function that unregisters it: call it once the child has exited. Used by
 * every spawner of servers, here and in test/helpers/server.ts.
 */
export function lastResort(child: ChildProcess, ownedDir?: string): () => void {
  installHooks();
  const stop = (): void => {
    try {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    if (ownedDir !== undefined) fs.rmSync(ownedDir, { recursive: true, force: true });
  };
  lastResorts.add(stop);
  return () => void lastResorts.delete(stop);
}

function runLastResorts(): void {
  for (const stop of lastResorts) {
    try {
      stop();
    } catch {
      /* the next child still gets its stop */
    }
  }
  lastResorts.clear();
}

/**
 * For a CLI's SIGINT/SIGTERM: stop the servers gracefully, then exit; we stay subscribed, so a
 * second signal exits at once (the exit hook SIGKILLs what is left) instead of dying by the
 * default action without it. Otherwise: kill the children, then let the signal do what it
 * would have done without us: our listeners go and the signal is raised again, for the other
 * listeners (tap's signal-exit, which reports and then dies by the signal) or the default
 * action (death by the signal). signal-exit does nothing while it sees a listener besides its
 * own, so it must not see ours.
 */
function onFatalSignal(sig: NodeJS.Signals): void {
  if (graceful && (sig === 'SIGINT' || sig === 'SIGTERM')) {
    if (signalled) process.exit(130);
    signalled = true;
    void stopAll().finally(() => process.exit(130));
    return;
  }
  runLastResorts();
  for (const s of FATAL_SIGNALS) process.removeListener(s, onFatalSignal);
  process.kill(process.pid, sig);
}

// ---------------------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------------------

/** Running servers, for stopAll. */
const live = new Set<ServerHandle>();
const OUTPUT_TAIL = 64 * 1024;

interface Spawnable {
  file: string;
  argv: string[];
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@+-]+$/.test(s) ? s : `'${s.split("'").join(`'\\''`)}'`;
}

async function startWithRetry(
  opts: StartOptions,
  defaultName: string,
  build: (port: number, dir: string) => Spawnable,
): Promise<ServerHandle> {
  // A port found free can be taken before the server binds it; with a port of our own
  // choosing, try again with another one.
  const attempts = opts.port === undefined ? 3 : 1;
  let lastErr: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await startOnce(opts, defaultName, build);
    } catch (err) {
      lastErr = err;
    }
  }
  throw lastErr;
}

async function startOnce(
  opts: StartOptions,
  defaultName: string,
  build: (port: number, dir: string) => Spawnable,
): Promise<ServerHandle> {
  const name = opts.name ?? defaultName;
  const port = opts.port ?? (await freePort());
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), `cinnabar-${name}-`));
  const { file, argv } = build(port, dir);
  const child: ChildProcess = spawn(file, argv, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const collect = (chunk: Buffer): void => {
    out += chunk.toString('utf8');
    if (out.length > OUTPUT_TAIL * 2) out = out.slice(-OUTPUT_TAIL);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited = false;
  let exitInfo = '';
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      exitInfo = signal ? `signal ${signal}` : `code ${code}`;
      resolve();
    });
    child.once('error', (err) => {
      exited = true;
      exitInfo = err.message;
      resolve();
    });
  });
  const pid = child.pid ?? -1;
  const forget = lastResort(child, ownDir ? dir : undefined);

  let stopping: Promise<void> | null = null;
  const handle: ServerHandle = {
    name,
    port,
    pid,
    dir,
    output: () => out.slice(-OUTPUT_TAIL),
    stop: () => {
      if (stopping) return stopping;
      stopping = (async () => {
        if (!exited && pid > 0) {
          try {
            process.kill(pid, 'SIGTERM');
          } catch {
            /* already gone */
          }
          const killTimer = setTimeout(() => {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              /* already gone */
            }
          }, 5000);
          await exitPromise;
          clearTimeout(killTimer);
        }
        live.delete(handle);
        forget();
        if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
  live.add(handle);

  // The exit is checked before each PING: a server that died answers nothing, and its output says why.
  const ready = await poll(async () => !exited && (await answersPing(port)), (up) => up || exited, {
    timeoutMs: opts.readyTimeoutMs ?? 20000,
    intervalMs: 50,
  });
  if (ready.last) return handle;
  await handle.stop();
  if (exited) throw new Error(`${name} exited during start-up (${exitInfo}) on port ${port}:\n${out.slice(-4000)}`);
  throw new Error(`${name} did not answer PING on port ${port} in time:\n${out.slice(-4000)}`);
}

/** True once the server replies +PONG (a -LOADING reply means "not yet"). */
export function answersPing(port: number, host = LOOPBACK, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    let buf = '';
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.on('connect', () => sock.write('*1\r\n$4\r\nPING\r\n'));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
    sock.on('error', () => done(false));
    sock.on('close', () => done(false));
  });
}
