// The redis-compat differential suite and the real-client checks, run inside tap: every
// scenario against Debian's redis-server and Cinnabar (raw replies compared byte for
// byte), then redis-cli, redis-cli --pipe, ioredis, node-redis and redis-benchmark.

import t from 'tap';
import { runCompat } from '../../redis-compat/lib/runner';
import { runClientSuite } from '../../redis-compat/clients';

t.test('differential scenarios against redis-server', async (t) => {
  const lines: string[] = [];
  const report = await runCompat({ log: (l) => lines.push(l) });
  for (const r of report.results) {
    if (r.status === 'fail') t.fail(r.name, { diagnostic: true, detail: lines.filter((l) => l.includes(r.name)).join('\n') });
  }
  t.equal(report.failed, 0, `${report.passed} passed, ${report.known} known differences`);
  t.ok(report.passed > 400, 'the scenarios ran');
});

t.test('real clients and tools', async (t) => {
  const lines: string[] = [];
  const report = await runClientSuite({ reference: false, log: (l) => lines.push(l) });
  for (const r of report.results) t.ok(r.ok, `${r.server} ${r.name}`, { detail: r.detail });
  t.equal(report.failed, 0);
  t.ok(report.passed >= 6, 'every check ran');
});
