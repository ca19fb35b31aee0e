// Entry of the side-by-side benchmarks (`npm run bench -- [suite] [options]`): the first
// positional argument picks a suite (default `core`); later suites (persistence, cluster)
// register in SUITES below and share the options and server start-up in lib/suite.ts.

import { parseArgs } from 'node:util';
import { installCleanupHandlers } from '../redis-compat/lib/servers';
import type { BenchOptions, BenchSuite } from './lib/suite';
import { clusterSuite } from './suites/cluster';
import { coreSuite } from './suites/core';
import { persistenceSuite } from './suites/persistence';

export const SUITES: Record<string, BenchSuite> = {
  [coreSuite.name]: coreSuite,
  [persistenceSuite.name]: persistenceSuite,
  [clusterSuite.name]: clusterSuite,
};

const USAGE = `usage: node dist/bench/run.js [suite] [options]
suites:
${Object.values(SUITES).map((s) => `  ${s.name.padEnd(12)} ${s.description}`).join('\n')}
options:
  --rounds N         A/B rounds, median reported (default 3; 1 with --quick)
  --quick            fewer requests and keys
  --only set,get     only these redis-benchmark tests
  --requests N       redis-benchmark -n for every pipeline depth
  --keys N           keys loaded for the memory measurement (default 1000000; 100000 with --quick)
  --target-cmd CMD   shell command starting the server under test (default: Cinnabar)
  --json FILE        also write the results as JSON`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      rounds: { type: 'string' },
      quick: { type: 'boolean' },
      only: { type: 'string' },
      requests: { type: 'string' },
      keys: { type: 'string' },
      'target-cmd': { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const name = positionals[0] ?? 'core';
  const suite = SUITES[name];
  if (!suite) {
    console.error(`unknown suite '${name}'\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const positive = (v: string | undefined, what: string): number | null => {
    if (v === undefined) return null;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${what} wants a positive integer, got '${v}'`);
    return n;
  };
  const quick = values.quick ?? false;
  const opts: BenchOptions = {
    rounds: positive(values.rounds, 'rounds') ?? (quick ? 1 : 3),
    quick,
    only: values.only ? values.only.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean) : null,
    requests: positive(values.requests, 'requests'),
    keys: positive(values.keys, 'keys'),
    targetCmd: values['target-cmd'] ?? null,
    json: values.json ?? null,
    log: (line) => console.log(line),
  };
  installCleanupHandlers();
  await suite.run(opts);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack ?? err.message : err);
    process.exitCode = 1;
  });
}
