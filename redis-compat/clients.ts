// Real-client checks: redis-cli (commands and --pipe mass insert), ioredis, node-redis (RESP2
// and RESP3) and redis-benchmark, run against the server under test and, for reference, against
// redis-server. Entry: node dist/redis-compat/clients.js [--target-cmd 'cmd'] [--only name]

import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import IORedis from 'ioredis';
import { createClient } from 'redis';
import { RawClient } from './lib/raw-client';
import { LOOPBACK, NO_PERSISTENCE, installCleanupHandlers, startCinnabar, startCommand, startRedis, type ServerHandle } from './lib/servers';

export interface ClientCheck {
  name: string;
  /** Resolves with a one-line detail on success; throws on failure. */
  run(port: number): Promise<string>;
  timeoutMs: number;
}

export interface ClientCheckResult {
  server: string;
  name: string;
  ok: boolean;
  detail: string;
}

// ---------------------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------------------

function assertEqual<T>(actual: T, expected: T, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

/** Runs a program to completion; resolves with stdout (stderr appended on failure). */
function run(file: string, args: string[], input?: Buffer, timeoutMs = 60000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0) resolve(stdout);
      else reject(new Error(`${file} ${args.slice(0, 6).join(' ')} exited with ${signal ?? code}: ${stdout}${Buffer.concat(err).toString('utf8')}`.slice(0, 2000)));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? Buffer.alloc(0));
  });
}

async function cli(port: number, ...args: string[]): Promise<string> {
  return (await run('redis-cli', ['-h', LOOPBACK, '-p', String(port), ...args])).replace(/\n+$/, '');
}

async function rawCommand(port: number, args: string[]): Promise<string> {
  const c = await RawClient.connect(port);
  try {
    return (await c.command(args)).toString('latin1');
  } finally {
    c.close();
  }
}

const redisCliBasics: ClientCheck = {
  name: 'redis-cli commands',
  timeoutMs: 30000,
  async run(port) {
    assertEqual(await cli(port, 'FLUSHALL'), 'OK', 'FLUSHALL');
    assertEqual(await cli(port, 'SET', 'foo', 'bar'), 'OK', 'SET foo bar');
    assertEqual(await cli(port, 'GET', 'foo'), 'bar', 'GET foo');
    assertEqual(await cli(port, 'GET', 'missing'), '', 'GET missing');
    assertEqual(await cli(port, 'INCR', 'counter'), '1', 'INCR counter');
    assertEqual(await cli(port, 'INCR', 'counter'), '2', 'INCR counter');
    assertEqual(await cli(port, 'INCRBYFLOAT', 'counter', '0.5'), '2.5', 'INCRBYFLOAT counter 0.5');
    assertEqual(await cli(port, 'EXPIRE', 'foo', '100'), '1', 'EXPIRE foo 100');
    const ttl = await cli(port, 'TTL', 'foo');
    if (ttl !== '100' && ttl !== '99') throw new Error(`TTL foo: expected 99 or 100, got ${JSON.stringify(ttl)}`);
    assertEqual((await cli(port, 'KEYS', '*')).split('\n').sort(), ['counter', 'foo'], 'KEYS *');
    assertEqual(await cli(port, 'MSET', 'a', '1', 'b', '2'), 'OK', 'MSET');
    assertEqual(await cli(port, 'MGET', 'a', 'missing', 'b'), '1\n\n2', 'MGET a missing b');
    assertEqual(await cli(port, 'DEL', 'foo', 'a', 'b'), '3', 'DEL');
    assertEqual(await cli(port, 'SET', 'x'), "ERR wrong number of arguments for 'set' command", 'SET x');
    assertEqual(await cli(port, 'DBSIZE'), '1', 'DBSIZE');
    return 'SET GET INCR INCRBYFLOAT EXPIRE TTL KEYS MSET MGET DEL DBSIZE and an error reply';
  },
};

const PIPE_KEYS = 100000;

const redisCliPipe: ClientCheck = {
  name: 'redis-cli --pipe mass insert',
  timeoutMs: 120000,
  async run(port) {
    await rawCommand(port, ['FLUSHALL']);
    const parts: string[] = [];
    for (let i = 0; i < PIPE_KEYS; i++) {
      const k = `key:${i}`;
      const v = `value:${i}`;
      parts.push(`*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`);
    }
    const out = await run('redis-cli', ['-h', LOOPBACK, '-p', String(port), '--pipe'], Buffer.from(parts.join(''), 'latin1'), 110000);
    if (!out.includes(`errors: 0, replies: ${PIPE_KEYS}`)) throw new Error(`unexpected --pipe output: ${out.trim()}`);
    assertEqual(await rawCommand(port, ['DBSIZE']), `:${PIPE_KEYS}\r\n`, 'DBSIZE after --pipe');
    assertEqual(await rawCommand(port, ['GET', 'key:99999']), '$11\r\nvalue:99999\r\n', 'GET key:99999');
    return `${PIPE_KEYS} SETs, ${out.trim().split('\n').pop()}, DBSIZE ${PIPE_KEYS}`;
  },
};

const PIPELINE_COMMANDS = 10000;

const ioredisCheck: ClientCheck = {
  name: 'ioredis',
  timeoutMs: 60000,
  async run(port) {
    const redis = new IORedis({
      host: LOOPBACK,
      port,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
      connectTimeout: 5000,
    });
    redis.on('error', () => undefined); // failures surface through the awaited commands
    try {
      await redis.flushall();
      assertEqual(await redis.set('foo', 'bar'), 'OK', 'set');
      assertEqual(await redis.get('foo'), 'bar', 'get');
      assertEqual(await redis.get('missing'), null, 'get missing');
      assertEqual(await redis.incr('n'), 1, 'incr');
      assertEqual(await redis.incrby('n', 41), 42, 'incrby');
      assertEqual(await redis.expire('foo', 100), 1, 'expire');
      const ttl = await redis.ttl('foo');
      if (ttl < 99 || ttl > 100) throw new Error(`ttl: expected 99..100, got ${ttl}`);
      assertEqual(await redis.set('ex', 'v', 'EX', 100, 'NX'), 'OK', 'set EX NX');
      assertEqual(await redis.mget('foo', 'missing', 'n'), ['bar', null, '42'], 'mget');
      const p = redis.pipeline();
      for (let i = 0; i < PIPELINE_COMMANDS / 2; i++) {
        p.set(`p:${i}`, String(i));
        p.incr('pcounter');
      }
      const results = (await p.exec()) ?? [];
      assertEqual(results.length, PIPELINE_COMMANDS, 'pipeline result count');
      for (let i = 0; i < results.length; i++) {
        const [err, value] = results[i];
        if (err) throw new Error(`pipeline command ${i} failed: ${err.message}`);
        const expected = i % 2 === 0 ? 'OK' : i / 2 + 0.5;
        if (value !== expected) throw new Error(`pipeline command ${i}: expected ${expected}, got ${String(value)}`);
      }
      assertEqual(await redis.get('p:4999'), '4999', 'get after pipeline');
      assertEqual(await redis.dbsize(), PIPELINE_COMMANDS / 2 + 4, 'dbsize');
      return `get/set/incr/expire/ttl/mget and a pipeline of ${PIPELINE_COMMANDS} commands`;
    } finally {
      redis.disconnect();
    }
  },
};

function nodeRedisCheck(resp: 2 | 3): ClientCheck {
  return {
    name: `node-redis (RESP${resp})`,
    timeoutMs: 30000,
    async run(port) {
      const client = createClient({
        url: `redis://${LOOPBACK}:${port}`,
        RESP: resp,
        socket: { reconnectStrategy: false, connectTimeout: 5000 },
      });
      let lastError: Error | null = null;
      client.on('error', (err: Error) => {
        lastError = err;
      });
      try {
        await client.connect();
        await client.flushAll();
        assertEqual(await client.set('foo', 'bar'), 'OK', 'set');
        assertEqual(await client.get('foo'), 'bar', 'get');
        assertEqual(await client.get('missing'), null, 'get missing');
        assertEqual(await client.incr('n'), 1, 'incr');
        assertEqual(await client.incrBy('n', 9), 10, 'incrBy');
        assertEqual(await client.expire('foo', 100), 1, 'expire');
        const ttl = await client.ttl('foo');
        if (ttl < 99 || ttl > 100) throw new Error(`ttl: expected 99..100, got ${ttl}`);
        assertEqual(await client.mGet(['foo', 'missing']), ['bar', null], 'mGet');
        assertEqual(await client.set('foo', 'baz', { GET: true }), 'bar', 'set GET');
        assertEqual(String(await client.incrByFloat('f', 0.1)), '0.1', 'incrByFloat');
        return `set/get/incr/expire/ttl/mGet/set GET/incrByFloat over RESP${resp}`;
      } catch (err) {
        if (lastError) throw new Error(`${(err as Error).message} (client error: ${(lastError as Error).message})`);
        throw err;
      } finally {
        client.destroy();
      }
    },
  };
}

/** Every test of redis-benchmark 7.0's default suite (no -t), as it names them. */
const BENCHMARK_TESTS = [
  'PING_INLINE',
  'PING_MBULK',
  'SET',
  'GET',
  'INCR',
  'LPUSH',
  'RPUSH',
  'LPOP',
  'RPOP',
  'SADD',
  'HSET',
  'SPOP',
  'ZADD',
  'ZPOPMIN',
  'LPUSH (needed to benchmark LRANGE)',
  'LRANGE_100 (first 100 elements)',
  'LRANGE_300 (first 300 elements)',
  'LRANGE_500 (first 500 elements)',
  'LRANGE_600 (first 600 elements)',
  'MSET (10 keys)',
];

const redisBenchmarkCheck: ClientCheck = {
  name: 'redis-benchmark',
  timeoutMs: 180000,
  async run(port) {
    const out = await run(
      'redis-benchmark',
      // The default suite, as a user runs it: no -t.
      ['-h', LOOPBACK, '-p', String(port), '-n', '5000', '-q'],
      undefined,
      170000,
    );
    const rps = new Map<string, number>();
    for (const line of out.split(/[\r\n]+/)) {
      const m = /^(.+?): ([\d.]+) requests per second/.exec(line.trim());
      if (m) rps.set(m[1], Number(m[2]));
    }
    if (/error/i.test(out)) throw new Error(`redis-benchmark reported errors:\n${out}`);
    const missing = BENCHMARK_TESTS.filter((t) => !((rps.get(t) ?? 0) > 0));
    if (missing.length > 0) throw new Error(`no requests-per-second figure for ${missing.join(', ')}; output:\n${out}`);
    return BENCHMARK_TESTS.map((t) => `${t} ${Math.round(rps.get(t) ?? 0)}/s`).join(', ');
  },
};

export const clientChecks: ClientCheck[] = [
  redisCliBasics,
  redisCliPipe,
  ioredisCheck,
  nodeRedisCheck(2),
  nodeRedisCheck(3),
  redisBenchmarkCheck,
];

// ---------------------------------------------------------------------------------------
// Running them
// ---------------------------------------------------------------------------------------

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Runs the checks against one running server. */
export async function runClientChecks(
  port: number,
  opts: { server?: string; only?: string; log?: (line: string) => void } = {},
): Promise<ClientCheckResult[]> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const server = opts.server ?? `port ${port}`;
  const results: ClientCheckResult[] = [];
  for (const check of clientChecks) {
    if (opts.only && !check.name.includes(opts.only)) continue;
    let r: ClientCheckResult;
    try {
      const detail = await withTimeout(check.run(port), check.timeoutMs, check.name);
      r = { server, name: check.name, ok: true, detail };
    } catch (err) {
      r = { server, name: check.name, ok: false, detail: err instanceof Error ? err.message : String(err) };
    }
    results.push(r);
    log(`${r.ok ? 'PASS' : 'FAIL'}  [${server}] ${r.name}: ${r.detail}`);
  }
  return results;
}

export interface ClientSuiteOptions {
  /** Shell command for the server under test (see startCommand). @default Cinnabar from dist/ */
  targetCmd?: string;
  targetPort?: number;
  /** Also run every check against redis-server, as a reference. @default true */
  reference?: boolean;
  only?: string;
  log?: (line: string) => void;
}

/** Starts the servers, runs the checks against the reference and the target, prints the summary line. */
export async function runClientSuite(opts: ClientSuiteOptions = {}): Promise<{ passed: number; failed: number; results: ClientCheckResult[] }> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const results: ClientCheckResult[] = [];
  const started: ServerHandle[] = [];
  try {
    if (opts.reference !== false) {
      const ref = await startRedis({ name: 'redis' });
      started.push(ref);
      results.push(...(await runClientChecks(ref.port, { server: 'redis-server', only: opts.only, log })));
    }
    let port = opts.targetPort;
    let label = 'target';
    if (port === undefined) {
      const args = [...NO_PERSISTENCE];
      const target = opts.targetCmd ? await startCommand(opts.targetCmd, { args }) : await startCinnabar({ args });
      started.push(target);
      port = target.port;
      label = target.name;
    }
    results.push(...(await runClientChecks(port, { server: label, only: opts.only, log })));
  } catch (err) {
    results.push({ server: '-', name: 'start servers', ok: false, detail: err instanceof Error ? err.message : String(err) });
    log(`FAIL  could not start the servers: ${results[results.length - 1].detail}`);
  } finally {
    await Promise.all(started.map((s) => s.stop()));
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  log(`${passed} passed, ${failed} failed`);
  return { passed, failed, results };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'target-cmd': { type: 'string' },
      'target-port': { type: 'string' },
      'no-reference': { type: 'boolean' },
      only: { type: 'string' },
    },
  });
  installCleanupHandlers();
  const { failed } = await runClientSuite({
    targetCmd: values['target-cmd'],
    targetPort: values['target-port'] ? Number(values['target-port']) : undefined,
    reference: !values['no-reference'],
    only: values.only,
  });
  process.exitCode = failed > 0 ? 1 : 0;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack ?? err.message : err);
    console.log('0 passed, 1 failed');
    process.exitCode = 1;
  });
}
