// What a benchmark suite is (`npm run bench -- <suite>`), the options every suite understands,
// and how the servers being compared are started with the same settings.

import { NO_PERSISTENCE, startCinnabar, startCommand, startRedis, type ServerHandle } from '../../redis-compat/lib/servers';

export interface BenchOptions {
  /** A/B rounds; the median per test is reported. @default 3 (1 with quick) */
  rounds: number;
  /** Fewer requests and keys, for a fast smoke run. */
  quick: boolean;
  /** Restrict to these tests (lowercase redis-benchmark names: set, get, incr, mset...). */
  only: string[] | null;
  /** redis-benchmark -n for every pipeline depth, overriding the suite's defaults. */
  requests: number | null;
  /** Keys for memory measurements, overriding the suite's default. */
  keys: number | null;
  /** Shell command for the server under test (see startCommand). @default Cinnabar from dist/ */
  targetCmd: string | null;
  /** Write the results as JSON to this file as well. */
  json: string | null;
  log: (line: string) => void;
}

export interface BenchSuite {
  name: string;
  description: string;
  run(opts: BenchOptions): Promise<unknown>;
}

/** The server under test, with the reference's settings (persistence off: the data path is compared). */
export function startTarget(opts: BenchOptions): Promise<ServerHandle> {
  const args = [...NO_PERSISTENCE];
  return opts.targetCmd ? startCommand(opts.targetCmd, { args }) : startCinnabar({ args });
}

/** The reference redis-server (startRedis already turns persistence off). */
export function startReference(): Promise<ServerHandle> {
  return startRedis({ name: 'redis' });
}

/** Label for the target column: "cinnabar", or "target" for a custom command. */
export function targetLabel(opts: BenchOptions): string {
  return opts.targetCmd ? 'target' : 'cinnabar';
}
