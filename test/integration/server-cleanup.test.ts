// A test process that dies before its teardowns have run (tap's timeout, which ends it with
// SIGALRM a tick later; SIGTERM; SIGINT; process.exit) takes its servers with it: both spawners,
// test/helpers/server.ts and redis-compat/lib/servers.ts, SIGKILL their children by pid and
// then let the process end as it would have (same signal, same exit code, tap's report).

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { answersPing } from '../../redis-compat/lib/servers';
import { REPO_ROOT, eventually } from '../helpers/server';

type Spawner = 'test/helpers/server' | 'redis-compat/lib/servers';

/** Defines `start(t)` in a child script: a Cinnabar started by `spawner`. */
function startWith(spawner: Spawner): string {
  const compiled = JSON.stringify(path.join(REPO_ROOT, 'dist', `${spawner}.js`));
  return spawner === 'test/helpers/server'
    ? `const start = (t) => require(${compiled}).startCinnabar(t);`
    : `const start = () => require(${compiled}).startCinnabar();`;
}

/** The child prints its server's pid and port on stderr, then waits to be killed. */
const REPORT = `console.error('SERVER ' + JSON.stringify({ pid: s.pid, port: s.port }));`;

/** A tap test file whose test starts a server and never ends. */
function tapChild(spawner: Spawner): string {
  return `${startWith(spawner)}
require('tap').test('starts a server and hangs', async (t) => {
  const s = await start(t);
  ${REPORT}
  await new Promise(() => setInterval(() => {}, 1000));
});`;
}

/** A plain script that starts a server, then hangs, or calls process.exit(3) once told on stdin. */
function plainChild(spawner: Spawner, exit: boolean): string {
  return `${startWith(spawner)}
(async () => {
  const s = await start({ teardown() {} });
  ${REPORT}
  ${exit ? "process.stdin.once('data', () => process.exit(3));" : 'setInterval(() => {}, 1000);'}
})();`;
}

/** Whether `pid` is a live process (a zombie waiting for its reaper counts as dead). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

interface Child {
  proc: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function runChild(script: string): Child {
  // A test process of its own, not one of this run's: no TAP_* variables.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TAP')));
  const proc = spawn(process.execPath, ['-e', script], { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { proc, output: () => out, exited };
}

const cases: Array<{ name: string; spawner: Spawner; script: string; signal: NodeJS.Signals | null; code: number | null }> = [
  { name: "tap's timeout (SIGALRM)", spawner: 'test/helpers/server', script: tapChild('test/helpers/server'), signal: 'SIGALRM', code: null },
  { name: 'SIGTERM to a tap test', spawner: 'test/helpers/server', script: tapChild('test/helpers/server'), signal: 'SIGTERM', code: null },
  { name: 'SIGINT to a plain script', spawner: 'test/helpers/server', script: plainChild('test/helpers/server', false), signal: 'SIGINT', code: null },
  { name: 'process.exit(3)', spawner: 'test/helpers/server', script: plainChild('test/helpers/server', true), signal: null, code: 3 },
  { name: "tap's timeout (SIGALRM)", spawner: 'redis-compat/lib/servers', script: tapChild('redis-compat/lib/servers'), signal: 'SIGALRM', code: null },
  { name: 'SIGTERM to a plain script', spawner: 'redis-compat/lib/servers', script: plainChild('redis-compat/lib/servers', false), signal: 'SIGTERM', code: null },
];

for (const c of cases) {
  t.test(`${c.spawner}: ${c.name} stops the server`, async (t) => {
    const child = runChild(c.script);
    t.teardown(() => {
      if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
    });
    const { pid, port } = await eventually(
      'the child reports its server',
      () => {
        const m = /^SERVER (.*)$/m.exec(child.output());
        if (m === null) throw new Error(`no SERVER line yet; the child printed:\n${child.output()}`);
        return JSON.parse(m[1]) as { pid: number; port: number };
      },
      { timeoutMs: 60000 },
    );
    // Should this test fail, the server it proves leaked is ours to stop (our child started it).
    t.teardown(() => {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    });
    t.ok(await answersPing(port), 'the server answers before the child dies');

    if (c.signal !== null) child.proc.kill(c.signal);
    else child.proc.stdin!.write('exit\n');
    const ended = await child.exited;
    t.same(ended, { code: c.code, signal: c.signal }, 'the child ended as it would have without the helper');
    if (c.signal === 'SIGALRM') t.match(child.output(), /timeout|SIGALRM/, 'tap reported the timeout');
    await eventually('the server is gone', async () => !alive(pid) && !(await answersPing(port)), { timeoutMs: 5000 });
    t.pass(`server pid ${pid} is gone and port ${port} is closed`);
  });
}
