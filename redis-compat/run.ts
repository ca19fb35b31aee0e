// Entry of the differential suite (`npm run compat`): starts redis-server and the server under
// test, runs every scenario against both and prints PASS/FAIL/KNOWN per scenario and the
// `N passed, M failed` line. Usage: node dist/redis-compat/run.js [--filter s] [--target-cmd 'cmd']
// [--cluster] (3-node clusters on both sides, through a MOVED-following client).

import { parseArgs } from 'node:util';
import { runCompat } from './lib/runner';
import { installCleanupHandlers } from './lib/servers';

export { runCompat, runScenarios, runScenario } from './lib/runner';
export type { CompatOptions, CompatReport, ScenarioResult, Mismatch } from './lib/runner';
export { allScenarios } from './scenarios';

const USAGE = `usage: node dist/redis-compat/run.js [options]
  --filter S         run only scenarios whose name contains S
  --target-cmd CMD   shell command starting the server under test ({port} and {dir} are
                     substituted, else --port/--bind/--dir are appended); default: Cinnabar
  --target-port P    use a server under test that is already running on port P
  --redis-port P     use a reference redis-server that is already running on port P
  --cluster          compare a 3-primary redis-server cluster with a 3-primary cluster of the
                     server under test, following MOVED/ASK (skips: scenarios/cluster-skips.ts)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      filter: { type: 'string' },
      'target-cmd': { type: 'string' },
      'target-port': { type: 'string' },
      'redis-port': { type: 'string' },
      cluster: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  installCleanupHandlers();
  const report = await runCompat({
    filter: values.filter,
    targetCmd: values['target-cmd'],
    targetPort: values['target-port'] ? Number(values['target-port']) : undefined,
    redisPort: values['redis-port'] ? Number(values['redis-port']) : undefined,
    cluster: values.cluster ?? false,
  });
  process.exitCode = report.failed > 0 ? 1 : 0;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack ?? err.message : err);
    console.log('0 passed, 1 failed');
    process.exitCode = 1;
  });
}
