// The cluster suite: a 3-primary cluster of the server under test and one of redis-server
// (persistence off on both, cluster-node-timeout 15000 as Redis's default), made by
// `redis-cli --cluster create`. First the cluster bus at rest: per node, for a window with no
// client traffic, messages/s from CLUSTER INFO (cluster_stats_messages_sent/received) and
// bytes/s from /proc/<pid>/io (wchar/rchar: all the process's read/write syscalls, which at
// rest are the bus plus any log or file writes). Then `redis-benchmark --cluster -t set,get`
// against each after a warm-up run, each test on both sides back to back in every round,
// medians and the ratios printed, with the CPU time the three nodes spent per request (user +
// system from /proc/<pid>/stat: less sensitive than throughput to this host's drift).
//
// Each measured run of one side follows the other side's run, so its nodes start it after
// ~20 s without traffic. On this VM a Node process pays for that and redis-server does not:
// in the first 2-3 s of load after 20 s idle a node takes ~2,400 page faults, none later.
// They land in V8's 256 KB heap pages, the same pages several times over, at JS allocation
// sites: the young generation's memory is given back and committed again at each scavenge
// (V8 shrinks its new space while the allocation rate it measures is low, which after a
// quiet spell it is for a while). A page fault on this VM costs tens of us of CPU, so CPU
// per request is ~10% higher over the first 300k requests of a run than over the next
// 300k, about 3% over a 1M-request run. The figures keep it, as a client would see it.

import * as fs from 'node:fs';
import { clusterInfo, startServerCluster, type RunningCluster } from '../../redis-compat/lib/cluster';
import { NO_PERSISTENCE, sleep, startCinnabar, startCommand, startRedis, type StartOptions } from '../../redis-compat/lib/servers';
import { runRedisBenchmark, type BenchmarkRow } from '../lib/redis-benchmark';
import { targetLabel, type BenchOptions, type BenchSuite } from '../lib/suite';
import { fmtInt, fmtMs, fmtRatio, formatTable, median } from '../lib/table';

const NODES = 3;
const NODE_TIMEOUT_MS = 15000;
const CLIENTS = 50;
const DEFAULT_TESTS = ['set', 'get'];
/**
 * redis-benchmark -n: [normal, quick]. In --cluster mode redis-benchmark runs threads and
 * notices that all requests are done only at its 250 ms progress tick, so the elapsed time it
 * divides by is rounded up to a multiple of 250 ms: at -n 200000 and 60-70k ops/s that is a
 * step of 8% (redis-server measured 66.4k in every run while running at 70-72k). A million
 * requests make the step about 1.7%.
 */
const REQUESTS: [number, number] = [1000000, 100000];
/** Requests per test of the uncounted warm-up run on each side. */
const WARMUP_REQUESTS = 100000;
/** Length of the at-rest window, ms: [normal, quick]. */
const REST_MS: [number, number] = [10000, 5000];
/** Let the cluster settle after creation (gossip of the new config) before measuring. */
const SETTLE_MS = 3000;

interface BusSample {
  server: string;
  port: number;
  msgsSentPerS: number;
  msgsRecvPerS: number;
  wcharPerS: number;
  rcharPerS: number;
}

interface ThroughputRow {
  test: string;
  target: { rps: number; p50Ms: number; p99Ms: number; cpuUsPerRequest: number };
  redis: { rps: number; p50Ms: number; p99Ms: number; cpuUsPerRequest: number };
  /** Median over rounds of each round's ratio (the two runs of a pair are back to back). */
  pairedRatio: number;
}

export interface ClusterResult {
  nodeTimeoutMs: number;
  restMs: number;
  bus: BusSample[];
  throughput: ThroughputRow[];
}

/** USER_HZ: the unit of /proc/<pid>/stat's times, 100 on Linux. */
const CLOCK_TICKS_PER_S = 100;

/** CPU seconds (user + system, all threads) the processes have used, from /proc/<pid>/stat. */
function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / CLOCK_TICKS_PER_S;
}

/** rchar and wchar of a process from /proc/<pid>/io. */
function procIo(pid: number): { rchar: number; wchar: number } {
  const text = fs.readFileSync(`/proc/${pid}/io`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { rchar: field('rchar'), wchar: field('wchar') };
}

/**
 * Bus traffic of every node of both clusters over the same window. /proc is read inside the
 * CLUSTER INFO reads, so those two exchanges fall outside the byte counts.
 */
async function busAtRest(clusters: Array<[string, RunningCluster]>, restMs: number): Promise<BusSample[]> {
  const nodes = clusters.flatMap(([server, c]) => c.nodes.map((n) => ({ server, port: n.port, pid: n.pid })));
  const infoBefore = await Promise.all(nodes.map((n) => clusterInfo(n.port)));
  const ioBefore = nodes.map((n) => procIo(n.pid));
  const t0 = Date.now();
  await sleep(restMs);
  const ioAfter = nodes.map((n) => procIo(n.pid));
  const seconds = (Date.now() - t0) / 1000;
  const infoAfter = await Promise.all(nodes.map((n) => clusterInfo(n.port)));
  const counter = (info: Record<string, string>, name: string): number => Number(info[name] ?? NaN);
  return nodes.map((n, i) => ({
    server: n.server,
    port: n.port,
    msgsSentPerS: (counter(infoAfter[i], 'cluster_stats_messages_sent') - counter(infoBefore[i], 'cluster_stats_messages_sent')) / seconds,
    msgsRecvPerS: (counter(infoAfter[i], 'cluster_stats_messages_received') - counter(infoBefore[i], 'cluster_stats_messages_received')) / seconds,
    wcharPerS: (ioAfter[i].wchar - ioBefore[i].wchar) / seconds,
    rcharPerS: (ioAfter[i].rchar - ioBefore[i].rchar) / seconds,
  }));
}

async function throughput(opts: BenchOptions, label: string, target: RunningCluster, redis: RunningCluster): Promise<ThroughputRow[]> {
  const tests = opts.only ?? DEFAULT_TESTS;
  const requests = opts.requests ?? REQUESTS[opts.quick ? 1 : 0];
  const samples = new Map<string, Array<BenchmarkRow & { cpuUsPerRequest: number }>>();
  const order: Array<[string, RunningCluster]> = [[label, target], ['redis', redis]];
  const runs: Array<{ round: number; test: string; side: string; cluster: RunningCluster }> = [];
  const bench = (cluster: RunningCluster, which: string[], n: number): Promise<BenchmarkRow[]> => {
    opts.log(`  redis-benchmark --cluster -t ${which.join(',')} -n ${n} -c ${CLIENTS}`);
    return runRedisBenchmark({ port: cluster.ports[0], tests: which, clients: CLIENTS, requests: n, extra: ['--cluster'] });
  };
  for (let round = 1; round <= opts.rounds; round++) {
    // Each test runs on both sides back to back, so a pair is measured within ~30 s of machine
    // drift (this host's speed changes by 20-30% over minutes); who goes first alternates by
    // round and by test so warm-up and drift favour neither side.
    tests.forEach((test, i) => {
      const pair = (round + i) % 2 === 1 ? order : [...order].reverse();
      for (const [side, cluster] of pair) runs.push({ round, test, side, cluster });
    });
  }
  // Warm-up, not counted: Node's JIT compiles the request path during the first ~100k
  // requests, a cost paid once per process that would otherwise land in round 1's first test.
  for (const [side, cluster] of order) {
    opts.log(`warm-up  ${side}:`);
    await bench(cluster, tests, WARMUP_REQUESTS);
  }
  for (const r of runs) {
    opts.log(`round ${r.round}/${opts.rounds}  ${r.side}:`);
    const pids = r.cluster.nodes.map((n) => n.pid);
    const cpuBefore = cpuSeconds(pids);
    const rows = await bench(r.cluster, [r.test], requests);
    const cpuUsPerRequest = ((cpuSeconds(pids) - cpuBefore) * 1e6) / requests;
    for (const row of rows) {
      opts.log(`  ${row.test}: ${fmtInt(row.rps)} ops/s, nodes' CPU ${cpuUsPerRequest.toFixed(1)} us/request`);
      samples.set(`${r.side}|${row.test}`, [...(samples.get(`${r.side}|${row.test}`) ?? []), { ...row, cpuUsPerRequest }]);
    }
  }
  const med = (side: string, test: string): ThroughputRow['target'] => {
    const rows = samples.get(`${side}|${test}`) ?? [];
    return {
      rps: median(rows.map((r) => r.rps)),
      p50Ms: median(rows.map((r) => r.p50Ms)),
      p99Ms: median(rows.map((r) => r.p99Ms)),
      cpuUsPerRequest: median(rows.map((r) => r.cpuUsPerRequest)),
    };
  };
  const paired = (test: string): number => {
    const mine = samples.get(`${label}|${test}`) ?? [];
    const theirs = samples.get(`redis|${test}`) ?? [];
    return median(mine.slice(0, theirs.length).map((r, i) => r.rps / theirs[i].rps));
  };
  const names = [...new Set([...samples.keys()].map((k) => k.split('|')[1]))];
  return names.map((test) => ({ test, target: med(label, test), redis: med('redis', test), pairedRatio: paired(test) }));
}

export const clusterSuite: BenchSuite = {
  name: 'cluster',
  description: '3-primary clusters: cluster bus traffic at rest, then redis-benchmark --cluster SET/GET',
  async run(opts) {
    const label = targetLabel(opts);
    const restMs = REST_MS[opts.quick ? 1 : 0];
    const clusters: RunningCluster[] = [];
    try {
      const startTarget = opts.targetCmd ? (o: StartOptions) => startCommand(opts.targetCmd as string, o) : (o: StartOptions) => startCinnabar(o);
      const target = await startServerCluster(startTarget, NODES, { name: label, args: NO_PERSISTENCE, nodeTimeoutMs: NODE_TIMEOUT_MS });
      clusters.push(target);
      const redis = await startServerCluster(startRedis, NODES, { name: 'redis', nodeTimeoutMs: NODE_TIMEOUT_MS });
      clusters.push(redis);
      opts.log(`${label} cluster: ports ${target.ports.join(',')} pids ${target.nodes.map((n) => n.pid).join(',')}`);
      opts.log(`redis cluster: ports ${redis.ports.join(',')} pids ${redis.nodes.map((n) => n.pid).join(',')}`);
      await sleep(SETTLE_MS);
      opts.log(`measuring the cluster bus at rest for ${restMs / 1000} s (cluster-node-timeout ${NODE_TIMEOUT_MS} ms)`);
      const bus = await busAtRest([[label, target], ['redis', redis]], restMs);
      const tp = await throughput(opts, label, target, redis);

      opts.log('');
      opts.log(`Cluster bus at rest, per node (${restMs / 1000} s; messages: CLUSTER INFO cluster_stats_messages_*; bytes: /proc/<pid>/io wchar/rchar, all syscall I/O)`);
      opts.log(
        formatTable(
          ['server', 'port', 'msgs sent/s', 'msgs recv/s', 'bytes written/s', 'bytes read/s'],
          bus.map((b) => [b.server, String(b.port), b.msgsSentPerS.toFixed(1), b.msgsRecvPerS.toFixed(1), fmtInt(b.wcharPerS), fmtInt(b.rcharPerS)]),
        ),
      );
      const avg = (server: string, f: (b: BusSample) => number): number => {
        const rows = bus.filter((b) => b.server === server);
        return rows.reduce((a, b) => a + f(b), 0) / rows.length;
      };
      opts.log(
        `bytes written/s per node, ${label}/redis: ${fmtRatio(avg(label, (b) => b.wcharPerS), avg('redis', (b) => b.wcharPerS))}; ` +
          `messages sent/s per node, ${label}/redis: ${fmtRatio(avg(label, (b) => b.msgsSentPerS), avg('redis', (b) => b.msgsSentPerS))}`,
      );
      opts.log('');
      opts.log(`Throughput (redis-benchmark --cluster -c ${CLIENTS}, median of ${opts.rounds} round${opts.rounds === 1 ? '' : 's'}; ratio: of the medians, paired: median of each round's ratio)`);
      opts.log(
        formatTable(
          ['test', `${label} ops/s`, 'redis ops/s', 'ratio', 'paired', `${label} p50/p99 ms`, 'redis p50/p99 ms', `CPU us/req ${label}/redis`],
          tp.map((r) => [
            r.test,
            fmtInt(r.target.rps),
            fmtInt(r.redis.rps),
            fmtRatio(r.target.rps, r.redis.rps),
            `${r.pairedRatio.toFixed(2)}x`,
            `${fmtMs(r.target.p50Ms)}/${fmtMs(r.target.p99Ms)}`,
            `${fmtMs(r.redis.p50Ms)}/${fmtMs(r.redis.p99Ms)}`,
            `${r.target.cpuUsPerRequest.toFixed(1)}/${r.redis.cpuUsPerRequest.toFixed(1)}`,
          ]),
        ),
      );
      const result: ClusterResult = { nodeTimeoutMs: NODE_TIMEOUT_MS, restMs, bus, throughput: tp };
      if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(result, null, 2) + '\n');
      return result;
    } finally {
      await Promise.all(clusters.map((c) => c.stop()));
    }
  },
};
