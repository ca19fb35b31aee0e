// The core suite: redis-benchmark SET/GET/INCR/MSET at pipeline depths 1 and 16 and the data
// type commands (LPUSH ... LRANGE_600) at depth 1, target and redis-server alternating over
// several rounds (median reported), then the RSS of each after loading the same N keys
// (16-byte keys, 32-byte values) through a pipelined socket.

import * as fs from 'node:fs';
import type { ServerHandle } from '../../redis-compat/lib/servers';
import { RawClient } from '../../redis-compat/lib/raw-client';
import { loadKeys, rssBytes } from '../lib/memory';
import { runRedisBenchmark, type BenchmarkRow } from '../lib/redis-benchmark';
import { startReference, startTarget, targetLabel, type BenchOptions, type BenchSuite } from '../lib/suite';
import { fmtBytes, fmtInt, fmtMs, fmtRatio, formatTable, median } from '../lib/table';

const DEFAULT_TESTS = ['set', 'get', 'incr', 'mset'];
const PIPELINES = [1, 16];
/** Data type commands, measured at -P 1 only (the data types issue's targets). */
const TYPE_TESTS = ['lpush', 'rpush', 'lpop', 'rpop', 'sadd', 'hset', 'spop', 'zadd', 'zpopmin', 'lrange_100', 'lrange_600'];
const TYPE_PIPELINES = [1];
const CLIENTS = 50;

/** redis-benchmark -n per pipeline depth: [normal, quick]. */
const REQUESTS: Record<number, [number, number]> = { 1: [100000, 20000], 16: [500000, 100000] };
const KEYS: [number, number] = [1000000, 100000];

interface Median {
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

export interface CoreResult {
  throughput: Array<{ test: string; pipeline: number; target: Median; redis: Median }>;
  memory: Array<{ server: string; keys: number; rssBefore: number; rssAfter: number; loadMs: number }>;
}

async function throughput(opts: BenchOptions, label: string): Promise<CoreResult['throughput']> {
  const groups: Array<{ tests: string[]; pipelines: number[] }> = opts.only
    ? [{ tests: opts.only, pipelines: PIPELINES }]
    : [
        { tests: DEFAULT_TESTS, pipelines: PIPELINES },
        { tests: TYPE_TESTS, pipelines: TYPE_PIPELINES },
      ];
  const servers: ServerHandle[] = [];
  try {
    const target = await startTarget(opts);
    servers.push(target);
    const redis = await startReference();
    servers.push(redis);
    opts.log(`${label} pid ${target.pid} port ${target.port}; redis-server pid ${redis.pid} port ${redis.port}`);
    // samples[side][pipeline][test] = rows over rounds
    const samples = new Map<string, BenchmarkRow[]>();
    const add = (side: string, p: number, rows: BenchmarkRow[]): void => {
      for (const r of rows) {
        const key = `${side}|${p}|${r.test}`;
        samples.set(key, [...(samples.get(key) ?? []), r]);
      }
    };
    const order: Array<[string, ServerHandle]> = [[label, target], ['redis', redis]];
    for (let round = 1; round <= opts.rounds; round++) {
      for (const { tests, pipelines } of groups) {
        for (const p of pipelines) {
          const requests = opts.requests ?? REQUESTS[p][opts.quick ? 1 : 0];
          // Alternate who goes first so warm-up and machine drift do not favour one side.
          const sides = round % 2 === 1 ? order : [...order].reverse();
          for (const [side, server] of sides) {
            opts.log(`round ${round}/${opts.rounds}  -P ${p}  ${side}: ${tests.join(',')} x ${requests}`);
            add(side, p, await runRedisBenchmark({ port: server.port, tests, clients: CLIENTS, requests, pipeline: p }));
          }
        }
      }
    }
    const testNames = [...new Set([...samples.keys()].map((k) => k.split('|')[2]))];
    const med = (side: string, p: number, test: string): Median => {
      const rows = samples.get(`${side}|${p}|${test}`) ?? [];
      return { rps: median(rows.map((r) => r.rps)), p50Ms: median(rows.map((r) => r.p50Ms)), p99Ms: median(rows.map((r) => r.p99Ms)) };
    };
    const out: CoreResult['throughput'] = [];
    for (const p of PIPELINES) {
      for (const test of testNames) {
        if (samples.has(`${label}|${p}|${test}`)) out.push({ test, pipeline: p, target: med(label, p, test), redis: med('redis', p, test) });
      }
    }
    return out;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

async function memoryOf(server: ServerHandle, keys: number): Promise<CoreResult['memory'][number]> {
  const rssBefore = rssBytes(server.pid);
  const loadMs = await loadKeys({ port: server.port, count: keys });
  const c = await RawClient.connect(server.port);
  try {
    const dbsize = (await c.command(['DBSIZE'])).toString('latin1');
    if (dbsize !== `:${keys}\r\n`) throw new Error(`${server.name}: DBSIZE after loading ${keys} keys is ${dbsize.trim()}`);
  } finally {
    c.close();
  }
  // Let a garbage-collected server settle before reading its RSS.
  await new Promise((r) => setTimeout(r, 1000));
  return { server: server.name, keys, rssBefore, rssAfter: rssBytes(server.pid), loadMs };
}

async function memory(opts: BenchOptions, label: string): Promise<CoreResult['memory']> {
  const keys = opts.keys ?? KEYS[opts.quick ? 1 : 0];
  const out: CoreResult['memory'] = [];
  // Fresh processes, one at a time, so neither measurement carries the benchmark's garbage.
  for (const start of [() => startTarget(opts), () => startReference()]) {
    const server = await start();
    try {
      opts.log(`loading ${fmtInt(keys)} keys into ${server.name === 'redis' ? 'redis' : label} (pid ${server.pid})`);
      const m = await memoryOf(server, keys);
      out.push({ ...m, server: server.name === 'redis' ? 'redis' : label });
    } finally {
      await server.stop();
    }
  }
  return out;
}

export const coreSuite: BenchSuite = {
  name: 'core',
  description: 'redis-benchmark SET/GET/INCR/MSET at -P 1 and -P 16, data type commands at -P 1, then RSS after loading 1M keys',
  async run(opts) {
    const label = targetLabel(opts);
    const tp = await throughput(opts, label);
    const mem = await memory(opts, label);
    opts.log('');
    opts.log(`Throughput (redis-benchmark -c ${CLIENTS}, median of ${opts.rounds} round${opts.rounds === 1 ? '' : 's'})`);
    opts.log(
      formatTable(
        ['test', 'pipeline', `${label} ops/s`, 'redis ops/s', 'ratio', `${label} p50/p99 ms`, 'redis p50/p99 ms'],
        tp.map((r) => [
          r.test,
          String(r.pipeline),
          fmtInt(r.target.rps),
          fmtInt(r.redis.rps),
          fmtRatio(r.target.rps, r.redis.rps),
          `${fmtMs(r.target.p50Ms)}/${fmtMs(r.target.p99Ms)}`,
          `${fmtMs(r.redis.p50Ms)}/${fmtMs(r.redis.p99Ms)}`,
        ]),
      ),
    );
    opts.log('');
    opts.log(`Memory (${fmtInt(mem[0]?.keys ?? 0)} keys: 16-byte keys, 32-byte values)`);
    opts.log(
      formatTable(
        ['server', 'RSS before', 'RSS after', 'bytes/key', 'load keys/s'],
        mem.map((m) => [
          m.server,
          fmtBytes(m.rssBefore),
          fmtBytes(m.rssAfter),
          fmtInt((m.rssAfter - m.rssBefore) / m.keys),
          fmtInt(m.keys / (m.loadMs / 1000)),
        ]),
      ),
    );
    if (mem.length === 2) opts.log(`RSS ratio ${label}/redis: ${fmtRatio(mem[0].rssAfter, mem[1].rssAfter)}`);
    const result: CoreResult = { throughput: tp, memory: mem };
    if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(result, null, 2) + '\n');
    return result;
  },
};
