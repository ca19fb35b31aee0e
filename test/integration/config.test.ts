// CONFIG over a real socket and redis-server's command line on a real process: a node started
// with a config file plus flags answers CONFIG GET/SET/REWRITE/HELP as Redis 7.0 does, run-time
// changes take effect (loglevel, requirepass, proto-max-bulk-len), and a bad option stops the
// process with exit code 1 and Redis's fatal message on stderr.

import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SERVER_JS, freePort, waitForPing } from '../helpers/server';
import { RawConnection } from '../helpers/resp';

interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs cinnabar-server with `args` and waits for it to exit by itself. */
function runToExit(args: string[], input = ''): Promise<Exited> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [SERVER_JS, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdin.end(input);
    const timer = setTimeout(() => process.kill(proc.pid!, 'SIGKILL'), 10000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function bulkPairs(pairs: Array<[string, string]>): string {
  return '*' + pairs.length * 2 + '\r\n' + pairs.map(([k, v]) => `$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`).join('');
}

t.test('a node started with a config file and flags', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cinnabar-config-it-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const file = path.join(dir, 'cinnabar.conf');
  writeFileSync(file, `# test config\nport ${port + 1}\nbind 127.0.0.1\nmaxmemory 100mb\nhz 20\nslave-read-only no\n`);
  // The flags come after the file and win over it.
  const proc = spawn(process.execPath, [SERVER_JS, file, '--port', String(port), '--dir', dir, '--hz', '15', '--save', '--loglevel', 'notice'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  t.teardown(async () => {
    if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid!, 'SIGKILL');
    await exited;
  });
  try {
    await waitForPing(port);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${output}`);
  }
  const c = await RawConnection.connect(port);
  t.teardown(() => c.close());

  t.test('CONFIG GET', async (t) => {
    t.equal(await c.call('CONFIG', 'GET', 'port'), bulkPairs([['port', String(port)]]));
    t.equal(await c.call('CONFIG', 'GET', 'maxmemory', 'hz', 'save'), bulkPairs([['maxmemory', '104857600'], ['hz', '15'], ['save', '']]));
    t.equal(await c.call('CONFIG', 'GET', 'dir'), bulkPairs([['dir', dir]]));
    t.equal(await c.call('CONFIG', 'GET', 'SLAVE-READ-ONLY'), bulkPairs([['SLAVE-READ-ONLY', 'no']]));
    t.equal(await c.call('CONFIG', 'GET', 'nosuch'), '*0\r\n');
    const all = await c.call('CONFIG', 'GET', '*');
    t.ok(all.startsWith('*390\r\n'), "192 Redis parameters and Cinnabar's 3");
    t.equal(await c.call('CONFIG', 'GET'), "-ERR wrong number of arguments for 'config|get' command\r\n");
  });

  t.test('CONFIG SET', async (t) => {
    t.equal(await c.call('CONFIG', 'SET', 'maxmemory', '200mb', 'timeout', '100'), '+OK\r\n');
    t.equal(await c.call('CONFIG', 'GET', 'maxmemory', 'timeout'), bulkPairs([['maxmemory', '209715200'], ['timeout', '100']]));
    t.equal(await c.call('CONFIG', 'SET', 'timeout', '0'), '+OK\r\n');
    t.equal(await c.call('CONFIG', 'SET', 'port'), "-ERR wrong number of arguments for 'config|set' command\r\n");
    t.equal(await c.call('CONFIG', 'SET', 'a', 'b', 'c'), '-ERR syntax error\r\n');
    t.equal(await c.call('CONFIG', 'SET', 'foo', 'bar'), "-ERR Unknown option or number of arguments for CONFIG SET - 'foo'\r\n");
    t.equal(await c.call('CONFIG', 'SET', 'foo\r\nbar', '1'), "-ERR Unknown option or number of arguments for CONFIG SET - 'foo  bar'\r\n");
    t.equal(await c.call('CONFIG', 'SET', 'databases', '5'), "-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config\r\n");
    t.equal(await c.call('CONFIG', 'SET', 'dir', dir), "-ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config\r\n");
    t.equal(
      await c.call('CONFIG', 'SET', 'maxmemory', '1', 'maxmemory', '2'),
      "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter\r\n",
    );
    t.equal(
      await c.call('CONFIG', 'SET', 'maxmemory', '1', 'hz', 'x'),
      "-ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer\r\n",
    );
    t.equal(await c.call('CONFIG', 'GET', 'maxmemory'), bulkPairs([['maxmemory', '209715200']]), 'a refused CONFIG SET changes nothing');
    t.match(await c.call('CONFIG', 'SET', 'port', String(port + 2)), /^-ERR CONFIG SET failed \(possibly related to argument 'port'\) - Cinnabar cannot change/);
    t.equal(await c.call('CONFIG', 'GET', 'port'), bulkPairs([['port', String(port)]]));
  });

  t.test('run-time changes take effect', async (t) => {
    // proto-max-bulk-len is read by the request decoder of open connections.
    t.equal(await c.call('CONFIG', 'SET', 'proto-max-bulk-len', '1mb'), '+OK\r\n');
    const big = await RawConnection.connect(port);
    big.writeRaw('*2\r\n$3\r\nGET\r\n$2000000\r\n');
    t.equal(await big.untilClosed(), '-ERR Protocol error: invalid bulk length\r\n');
    t.equal(await c.call('CONFIG', 'SET', 'proto-max-bulk-len', '512mb'), '+OK\r\n');

    // loglevel changes the logger: protocol errors are logged at debug level.
    t.equal(await c.call('CONFIG', 'SET', 'loglevel', 'debug'), '+OK\r\n');
    const bad = await RawConnection.connect(port);
    bad.writeRaw('*a\r\n');
    await bad.untilClosed();
    await new Promise((r) => setTimeout(r, 200));
    t.match(output, /"level":20,.*"msg":"protocol error"/);
    t.equal(await c.call('CONFIG', 'SET', 'loglevel', 'notice'), '+OK\r\n');

    // requirepass: the current connection stays authenticated, new ones must AUTH.
    t.equal(await c.call('CONFIG', 'SET', 'requirepass', 'sekret'), '+OK\r\n');
    const other = await RawConnection.connect(port);
    t.equal(await other.call('GET', 'x'), '-NOAUTH Authentication required.\r\n');
    t.equal(await other.call('AUTH', 'sekret'), '+OK\r\n');
    other.close();
    t.equal(await c.call('CONFIG', 'SET', 'requirepass', ''), '+OK\r\n');
  });

  t.test('CONFIG HELP, RESETSTAT, RESP3', async (t) => {
    const help = await c.call('CONFIG', 'HELP');
    t.ok(help.startsWith('*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET <pattern>\r\n'));
    t.ok(help.endsWith('+HELP\r\n+    Prints this help.\r\n'));
    t.equal(await c.call('CONFIG', 'RESETSTAT'), '+OK\r\n');
    t.equal(await c.call('CONFIG', 'RESETSTAT', 'x'), "-ERR wrong number of arguments for 'config|resetstat' command\r\n");
    t.equal(await c.call('CONFIG', 'NOPE'), "-ERR unknown subcommand 'NOPE'. Try CONFIG HELP.\r\n");
    const r3 = await RawConnection.connect(port);
    await r3.call('HELLO', '3');
    t.equal(await r3.call('CONFIG', 'GET', 'hz', 'nosuch'), '%1\r\n$2\r\nhz\r\n$2\r\n15\r\n');
    r3.close();
  });

  t.test('CONFIG REWRITE updates the file in place and appends the rest', async (t) => {
    t.equal(await c.call('CONFIG', 'SET', 'maxmemory', '300mb', 'notify-keyspace-events', 'KEA'), '+OK\r\n');
    t.equal(await c.call('CONFIG', 'REWRITE'), '+OK\r\n');
    const text = readFileSync(file, 'latin1');
    t.match(text, /^# test config\n/, 'comments stay');
    t.match(text, new RegExp(`^port ${port}$`, 'm'), 'the port line is updated in place');
    t.match(text, /^maxmemory 300mb$/m);
    t.match(text, /^hz 15$/m);
    t.match(text, /^replica-read-only no$/m, 'alias lines are rewritten under the primary name');
    t.match(text, /# Generated by CONFIG REWRITE\n/);
    t.match(text, /^notify-keyspace-events "AKE"$/m);
    t.match(text, /^save ""$/m);
    t.match(text, new RegExp(`^dir "${dir}"$`, 'm'));
    // The rewritten file starts a server with the same values.
    const check = await runToExit([file, '--port', 'x']);
    t.equal(check.code, 1, 'the file parses up to the bad flag');
    t.match(check.stderr, /at line \d+\n>>> 'port "x"'/);
  });
});

t.test('CONFIG REWRITE without a config file', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cinnabar-config-it-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const proc = spawn(process.execPath, [SERVER_JS, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  t.teardown(async () => {
    if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid!, 'SIGKILL');
    await exited;
  });
  await waitForPing(port);
  const c = await RawConnection.connect(port);
  t.teardown(() => c.close());
  t.equal(await c.call('CONFIG', 'REWRITE'), '-ERR The server is running without a config file\r\n');
});

t.test('bad options stop the process with exit code 1 and Redis\'s message', async (t) => {
  const cases: Array<[string[], string]> = [
    [['--port', 'abc'], `\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'port "abc"'\nargument couldn't be parsed into an integer\n`],
    [['--foo', 'bar'], `\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'foo "bar"'\nBad directive or wrong number of arguments\n`],
    [
      ['--databases', '-1'],
      `\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'databases "-1"'\nargument must be between 1 and 2147483647 inclusive\n`,
    ],
  ];
  for (const [args, want] of cases) {
    const r = await runToExit(args);
    t.equal(r.code, 1, args.join(' '));
    t.equal(r.stderr, want, args.join(' '));
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cinnabar-config-it-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'bad.conf');
  writeFileSync(file, '# comment\nport 7000\n\nmaxmemory 1mb\nfoo "bar\n');
  const r = await runToExit([file]);
  t.equal(r.code, 1);
  t.equal(r.stderr, `\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 5\n>>> 'foo "bar'\nUnbalanced quotes in configuration line\n`);
  const stdin = await runToExit(['-', '--port', '1'], 'hz y\n');
  t.equal(stdin.code, 1);
  t.equal(stdin.stderr, `\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 1\n>>> 'hz y'\nargument couldn't be parsed into an integer\n`);
});

t.test('--version and --help', async (t) => {
  const v = await runToExit(['--version']);
  t.equal(v.code, 0);
  t.match(v.stdout, /^Cinnabar server v=\d+\.\d+\.\d+ \(Redis 7\.0\.15 compatible\)/);
  t.equal((await runToExit(['-v'])).stdout, v.stdout);
  const h = await runToExit(['-h']);
  t.equal(h.code, 1);
  t.match(h.stderr, /^Usage: cinnabar-server \[\/path\/to\/redis\.conf\] \[options\] \[-\]/);
});
