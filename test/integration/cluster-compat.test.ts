// The differential scenarios on clusters (`node dist/redis-compat/run.js --cluster`): a
// 3-primary Cinnabar cluster against a 3-primary redis-server cluster with the same slot
// layout, through a MOVED/ASK-following raw client, replies compared byte for byte (RESP2
// scenarios here; the command line runs the RESP3 copies too). With
// CLUSTER_TEST_SERVERS=redis the harness calibrates itself: redis-server on both sides.

import t from 'tap';
import { runCompat } from '../../redis-compat/lib/runner';
import { allScenarios } from '../../redis-compat/scenarios';
import { clusterModeScenarios } from '../../redis-compat/scenarios/cluster';
import { clusterTestKinds, skipUnless } from '../helpers/cluster';

/**
 * Scenarios that still differ on a Cinnabar cluster, by name prefix (resp3/ copies too), with
 * the missing server feature: reported as TODO, not failures. Remove an entry once it passes.
 */
const CINNABAR_TODO: ReadonlyArray<[prefix: string, todo: string]> = [
  ['cluster/failover-on-a-primary', 'CLUSTER FAILOVER (manual failover) not implemented'],
];

function todoFor(name: string): string | undefined {
  const bare = name.startsWith('resp3/') ? name.slice('resp3/'.length) : name;
  return CINNABAR_TODO.find(([prefix]) => bare.startsWith(prefix))?.[1];
}

/** The runner's report lines for one scenario: its FAIL line and the indented lines after it. */
function reportOf(lines: string[], name: string): string {
  const start = lines.findIndex((l) => l === `FAIL  ${name}`);
  if (start < 0) return '';
  let end = start + 1;
  while (end < lines.length && lines[end].startsWith(' ')) end++;
  return lines.slice(start, end).join('\n');
}

for (const kind of clusterTestKinds()) {
  t.test(`${kind} cluster: differential scenarios against a redis-server cluster`, skipUnless(kind, null), async (t) => {
    const lines: string[] = [];
    const report = await runCompat({
      cluster: true,
      // RESP2 only here, to keep the suite fast: the RESP3 encodings are not cluster business
      // and are compared in standalone mode (`run.js --cluster` runs them too).
      scenarios: [...allScenarios.filter((s) => !s.name.startsWith('resp3/')), ...clusterModeScenarios],
      targetCmd: kind === 'redis' ? "redis-server --save '' --appendonly no" : undefined,
      log: (l) => lines.push(l),
    });
    let todo = 0;
    for (const r of report.results) {
      if (r.status !== 'fail') continue;
      const detail = reportOf(lines, r.name);
      const reason = kind === 'cinnabar' ? todoFor(r.name) : undefined;
      if (reason) todo++;
      t.fail(r.name, { todo: reason ? `cluster: ${reason}` : false, diagnostic: true, detail: detail + (r.error ? `\n${r.error}` : '') });
    }
    t.equal(report.failed - todo, 0, `${report.passed} passed, ${report.known} known differences, ${todo} TODO`);
    if (kind === 'cinnabar') {
      const failing = report.results.filter((r) => r.status === 'fail').map((r) => r.name);
      for (const [prefix] of CINNABAR_TODO) {
        const ran = report.results.some((r) => todoFor(r.name) !== undefined && (r.name.startsWith(prefix) || r.name.startsWith(`resp3/${prefix}`)));
        if (ran) t.ok(failing.some((n) => todoFor(n) !== undefined && n.replace(/^resp3\//, '').startsWith(prefix)), `TODO '${prefix}' still fails (remove it from CINNABAR_TODO once it passes)`);
      }
    }
    t.ok(report.passed > 200, 'the scenarios ran');
  });
}
