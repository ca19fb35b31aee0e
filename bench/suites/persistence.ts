// The persistence suite: SET -P 1 -c 50 with Cinnabar's WAL vs redis-server's AOF under the
// same appendfsync (everysec, always); then log bytes per SET, disk used and restart time
// (spawn until PING answers) with N keys loaded, per recovery variant (RestartVariant).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startCinnabar, startCommand, startRedis, type ServerHandle, type StartOptions } from '../../redis-compat/lib/servers';
import { RawClient } from '../../redis-compat/lib/raw-client';
import { loadKeys } from '../lib/memory';
import { runRedisBenchmark, type BenchmarkRow } from '../lib/redis-benchmark';
import { targetLabel, type BenchOptions, type BenchSuite } from '../lib/suite';
import { fmtBytes, fmtInt, fmtMs, fmtRatio, formatTable, median } from '../lib/table';

const POLICIES = ['everysec', 'always'] as const;
type Policy = (typeof POLICIES)[number];
const CLIENTS = 50;
/** redis-benchmark -n per policy: [normal, quick]. */
const REQUESTS: Record<Policy, [number, number]> = { everysec: [100000, 20000], always: [50000, 10000] };
const KEYS: [number, number] = [1000000, 100000];
/** Generous: replaying millions of records takes a while, and that is what is measured. */
const RESTART_TIMEOUT_MS = 600000;

/**
 * A way to run a server whose restart is measured: the options it runs with, and commands
 * sent after loading and before the graceful stop (a snapshot, an AOF rewrite).
 */
export interface RestartVariant {
  label: string;
  server: 'target' | 'redis';
  args: string[];
  beforeStop?: (c: RawClient) => Promise<void>;
}

/**
 * Cinnabar's recovery variants. When the LMDB snapshot layer lands, measure snapshot+WAL by
 * adding an entry with its options (and a beforeStop that takes the snapshot), or without
 * editing: BENCH_CINNABAR_ARGS='--opt value ...' adds a variant running with those options.
 */
export const CINNABAR_RESTART_VARIANTS: RestartVariant[] = [
  { label: 'WAL replay', server: 'target', args: ['--appendonly', 'yes', '--appendfsync', 'everysec'] },
  {
    label: 'snapshot + WAL',
    server: 'target',
    args: ['--appendonly', 'yes', '--appendfsync', 'everysec'],
    // SAVE answers once the LMDB snapshot is durable; the WAL before it is then deleted.
    beforeStop: async (c) => {
      await c.command(['SAVE']);
    },
  },
];

const REDIS_RESTART_VARIANTS: RestartVariant[] = [
  { label: 'redis AOF replay', server: 'redis', args: ['--appendonly', 'yes', '--appendfsync', 'everysec'] },
  {
    label: 'redis RDB-preamble AOF',
    server: 'redis',
    args: ['--appendonly', 'yes', '--appendfsync', 'everysec', '--aof-use-rdb-preamble', 'yes'],
    beforeStop: rewriteAof,
  },
];

interface ThroughputResult {
  policy: Policy;
  target: { rps: number; p50Ms: number; p99Ms: number };
  redis: { rps: number; p50Ms: number; p99Ms: number };
}

interface RestartResult {
  label: string;
  keys: number;
  loadMs: number;
  /** Log bytes written per SET while loading (WAL or AOF). */
  logBytesPerSet: number;
  /** Bytes of every file in the data directory after the graceful stop. */
  diskBytes: number;
  restartMs: number;
}

export interface PersistenceResult {
  throughput: ThroughputResult[];
  restart: RestartResult[];
}

function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cinnabar-bench-${name}-`));
}

function startServer(opts: BenchOptions, which: 'target' | 'redis', start: StartOptions): Promise<ServerHandle> {
  if (which === 'redis') return startRedis({ name: 'redis', ...start });
  return opts.targetCmd ? startCommand(opts.targetCmd, start) : startCinnabar(start);
}

/** Sum of the sizes of every file under `dir`. */
function diskUsage(dir: string): number {
  let n = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) n += diskUsage(p);
    else if (entry.isFile()) n += fs.statSync(p).size;
  }
  return n;
}

async function infoPersistence(c: RawClient): Promise<Map<string, string>> {
  const text = (await c.command(['INFO', 'persistence'])).toString('latin1');
  const out = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

/** Bytes the server's log has taken so far: Cinnabar's WAL counter, or Redis's AOF size. */
async function logBytes(c: RawClient): Promise<number> {
  const info = await infoPersistence(c);
  return Number(info.get('wal_bytes_written') ?? info.get('aof_current_size') ?? NaN);
}

/** BGREWRITEAOF and wait until the rewrite is done: the next start loads an RDB base. */
async function rewriteAof(c: RawClient): Promise<void> {
  await c.command(['BGREWRITEAOF']);
  for (;;) {
    const info = await infoPersistence(c);
    if (info.get('aof_rewrite_in_progress') === '0' && info.get('aof_rewrite_scheduled') === '0') return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function throughput(opts: BenchOptions, label: string): Promise<ThroughputResult[]> {
  const out: ThroughputResult[] = [];
  for (const policy of POLICIES) {
    const args = ['--appendonly', 'yes', '--appendfsync', policy];
    const dirs = [tempDir('target'), tempDir('redis')];
    const servers: ServerHandle[] = [];
    try {
      const target = await startServer(opts, 'target', { dir: dirs[0], args });
      servers.push(target);
      const redis = await startServer(opts, 'redis', { dir: dirs[1], args });
      servers.push(redis);
      opts.log(`appendfsync ${policy}: ${label} pid ${target.pid} port ${target.port}; redis-server pid ${redis.pid} port ${redis.port}`);
      const samples: Record<'target' | 'redis', BenchmarkRow[]> = { target: [], redis: [] };
      const requests = opts.requests ?? REQUESTS[policy][opts.quick ? 1 : 0];
      for (let round = 1; round <= opts.rounds; round++) {
        const order: Array<['target' | 'redis', ServerHandle]> = [['target', target], ['redis', redis]];
        // Alternate who goes first so warm-up and machine drift do not favour one side.
        for (const [side, server] of round % 2 === 1 ? order : order.reverse()) {
          opts.log(`round ${round}/${opts.rounds}  appendfsync ${policy}  ${side === 'target' ? label : 'redis'}: set x ${requests}`);
          samples[side].push(...(await runRedisBenchmark({ port: server.port, tests: ['set'], clients: CLIENTS, requests, pipeline: 1 })));
        }
      }
      const med = (rows: BenchmarkRow[]): ThroughputResult['target'] => ({
        rps: median(rows.map((r) => r.rps)),
        p50Ms: median(rows.map((r) => r.p50Ms)),
        p99Ms: median(rows.map((r) => r.p99Ms)),
      });
      out.push({ policy, target: med(samples.target), redis: med(samples.redis) });
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    }
  }
  return out;
}

/** A variant's data directory, loaded with `keys` keys and stopped gracefully. */
interface PreparedRestart {
  v: RestartVariant;
  dir: string;
  loadMs: number;
  logBytesPerSet: number;
  diskBytes: number;
}

async function prepareRestart(opts: BenchOptions, v: RestartVariant, keys: number): Promise<PreparedRestart> {
  const dir = tempDir(v.server);
  try {
    const server = await startServer(opts, v.server, { dir, args: v.args });
    let loadMs: number;
    let logBytesPerSet: number;
    try {
      opts.log(`${v.label}: loading ${fmtInt(keys)} keys (pid ${server.pid})`);
      const c = await RawClient.connect(server.port);
      try {
        const before = await logBytes(c);
        loadMs = await loadKeys({ port: server.port, count: keys });
        logBytesPerSet = ((await logBytes(c)) - before) / keys;
        if (v.beforeStop) await v.beforeStop(c);
      } finally {
        c.close();
      }
    } finally {
      await server.stop();
    }
    return { v, dir, loadMs, logBytesPerSet, diskBytes: diskUsage(dir) };
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Times one restart on the prepared directory (spawn until PING answers) and checks DBSIZE. */
async function timeRestart(opts: BenchOptions, p: PreparedRestart, keys: number): Promise<number> {
  const t0 = performance.now();
  const server = await startServer(opts, p.v.server, { dir: p.dir, args: p.v.args, readyTimeoutMs: RESTART_TIMEOUT_MS });
  const restartMs = performance.now() - t0;
  try {
    const c = await RawClient.connect(server.port);
    try {
      const dbsize = (await c.command(['DBSIZE'])).toString('latin1');
      if (dbsize !== `:${keys}\r\n`) throw new Error(`${p.v.label}: DBSIZE after restart is ${dbsize.trim()}, expected ${keys}`);
    } finally {
      c.close();
    }
  } finally {
    await server.stop();
  }
  return restartMs;
}

/**
 * Prepares every variant's data, then restarts each `rounds` times, the variants taking turns
 * so machine drift hits them alike, and reports the median restart of each.
 */
async function measureRestarts(opts: BenchOptions, variants: RestartVariant[], keys: number): Promise<RestartResult[]> {
  const prepared: PreparedRestart[] = [];
  try {
    for (const v of variants) prepared.push(await prepareRestart(opts, v, keys));
    const times: number[][] = prepared.map(() => []);
    for (let round = 1; round <= opts.rounds; round++) {
      for (const [i, p] of prepared.entries()) {
        opts.log(`round ${round}/${opts.rounds}  ${p.v.label}: restarting on ${fmtBytes(p.diskBytes)} of data`);
        times[i].push(await timeRestart(opts, p, keys));
      }
    }
    return prepared.map((p, i) => ({
      label: p.v.label,
      keys,
      loadMs: p.loadMs,
      logBytesPerSet: p.logBytesPerSet,
      diskBytes: p.diskBytes,
      restartMs: median(times[i]),
    }));
  } finally {
    for (const p of prepared) fs.rmSync(p.dir, { recursive: true, force: true });
  }
}

function restartVariants(label: string): RestartVariant[] {
  const extra = process.env.BENCH_CINNABAR_ARGS?.trim();
  const cinnabar = CINNABAR_RESTART_VARIANTS.map((v) => ({ ...v, label: `${label} ${v.label}` }));
  if (extra) {
    cinnabar.push({ label: `${label} ${extra}`, server: 'target', args: ['--appendonly', 'yes', ...extra.split(/\s+/)] });
  }
  return [...cinnabar, ...REDIS_RESTART_VARIANTS];
}

export const persistenceSuite: BenchSuite = {
  name: 'persistence',
  description: 'SET -P 1 with WAL vs AOF (everysec, always), restart time, log bytes/SET, disk used with 1M keys',
  async run(opts) {
    const label = targetLabel(opts);
    // --only throughput / --only restart runs one half.
    const parts: string[] = opts.only?.filter((p) => p === 'throughput' || p === 'restart') ?? [];
    const want = (p: string): boolean => parts.length === 0 || parts.includes(p);
    const result: PersistenceResult = { throughput: [], restart: [] };
    if (want('throughput')) result.throughput = await throughput(opts, label);
    if (want('restart')) {
      const keys = opts.keys ?? KEYS[opts.quick ? 1 : 0];
      result.restart = await measureRestarts(opts, restartVariants(label), keys);
    }

    if (result.throughput.length > 0) {
      opts.log('');
      opts.log(`SET with persistence on (redis-benchmark -c ${CLIENTS} -P 1, median of ${opts.rounds} round${opts.rounds === 1 ? '' : 's'})`);
      opts.log(
        formatTable(
          ['appendfsync', `${label} ops/s`, 'redis ops/s', 'ratio', `${label} p50/p99 ms`, 'redis p50/p99 ms'],
          result.throughput.map((r) => [
            r.policy,
            fmtInt(r.target.rps),
            fmtInt(r.redis.rps),
            fmtRatio(r.target.rps, r.redis.rps),
            `${fmtMs(r.target.p50Ms)}/${fmtMs(r.target.p99Ms)}`,
            `${fmtMs(r.redis.p50Ms)}/${fmtMs(r.redis.p99Ms)}`,
          ]),
        ),
      );
    }
    if (result.restart.length > 0) {
      const aof = result.restart.find((r) => r.label === 'redis AOF replay');
      opts.log('');
      opts.log(
        `Restart with ${fmtInt(result.restart[0].keys)} keys (16-byte keys, 32-byte values): spawn until PING answers, median of ${opts.rounds} round${opts.rounds === 1 ? '' : 's'}`,
      );
      opts.log(
        formatTable(
          ['variant', 'load keys/s', 'log bytes/SET', 'disk used', 'restart ms', 'vs redis AOF'],
          result.restart.map((r) => [
            r.label,
            fmtInt(r.keys / (r.loadMs / 1000)),
            r.logBytesPerSet.toFixed(1),
            fmtBytes(r.diskBytes),
            fmtInt(r.restartMs),
            aof ? fmtRatio(r.restartMs, aof.restartMs) : '-',
          ]),
        ),
      );
    }
    if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(result, null, 2) + '\n');
    return result;
  },
};
