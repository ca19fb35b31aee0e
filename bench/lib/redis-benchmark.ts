// Runs redis-benchmark against one server and parses its --csv output: one row per test with
// requests per second and the latency columns redis-benchmark 7.0 prints
// ("test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms").

import { spawn } from 'node:child_process';
import { LOOPBACK } from '../../redis-compat/lib/servers';

export interface BenchmarkRun {
  port: number;
  /** redis-benchmark -t list, e.g. ['set', 'get']. */
  tests: string[];
  /** -c @default 50 */
  clients?: number;
  /** -n */
  requests: number;
  /** -P @default 1 */
  pipeline?: number;
  /** Extra redis-benchmark arguments (-r, -d ...). */
  extra?: string[];
}

export interface BenchmarkRow {
  /** As redis-benchmark names it: SET, GET, INCR, "MSET (10 keys)", PING_INLINE... */
  test: string;
  rps: number;
  avgMs: number;
  minMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

const COLUMNS: Record<string, keyof Omit<BenchmarkRow, 'test'>> = {
  rps: 'rps',
  avg_latency_ms: 'avgMs',
  min_latency_ms: 'minMs',
  p50_latency_ms: 'p50Ms',
  p95_latency_ms: 'p95Ms',
  p99_latency_ms: 'p99Ms',
  max_latency_ms: 'maxMs',
};

export async function runRedisBenchmark(r: BenchmarkRun): Promise<BenchmarkRow[]> {
  const args = [
    '-h', LOOPBACK, '-p', String(r.port),
    '-c', String(r.clients ?? 50),
    '-n', String(r.requests),
    '-t', r.tests.join(','),
    '-P', String(r.pipeline ?? 1),
    '--csv',
    ...(r.extra ?? []),
  ];
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`redis-benchmark ${args.join(' ')} exited ${code}: ${stderr}${stdout}`)),
    );
  });
  return parseCsv(out);
}

/** Parses redis-benchmark --csv output by its header row, so column order does not matter. */
export function parseCsv(text: string): BenchmarkRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.startsWith('"'));
  if (lines.length === 0) return [];
  const header = splitCsvLine(lines[0]);
  if (header[0] !== 'test') throw new Error(`unexpected redis-benchmark CSV header: ${lines[0]}`);
  return lines.slice(1).map((line) => {
    const cells = splitCsvLine(line);
    const row: BenchmarkRow = { test: cells[0], rps: NaN, avgMs: NaN, minMs: NaN, p50Ms: NaN, p95Ms: NaN, p99Ms: NaN, maxMs: NaN };
    header.forEach((name, i) => {
      const field = COLUMNS[name];
      if (field) row[field] = Number(cells[i]);
    });
    return row;
  });
}

function splitCsvLine(line: string): string[] {
  return line.split(',').map((c) => c.replace(/^"|"$/g, ''));
}
