// checkClientOutputBufferLimits as Redis applies it: the class of a client (subscribers are
// pubsub, masters normal, replicas left to replication), the hard limit at once, and the soft
// limit only once it has held for longer than its seconds, restarting when usage drops.

import t from 'tap';
import type { Client } from '../../src/server/client';
import type { BufferLimits } from '../../src/config/kinds';
import { outputLimitReached } from '../../src/server/output-limits';

function fakeClient(kind: Client['kind'], subscriptions: number): { c: Client; setPending(n: number): void } {
  let pending = 0;
  const c = {
    kind,
    subscriptionCount: subscriptions,
    softLimitReachedAt: 0,
    get pendingOutput() {
      return pending;
    },
  } as unknown as Client;
  return { c, setPending: (n) => (pending = n) };
}

const LIMITS: BufferLimits = [
  { hard: 0n, soft: 0n, seconds: 0n },
  { hard: 100n, soft: 50n, seconds: 1n },
  { hard: 1000n, soft: 500n, seconds: 2n },
];

t.test('hard limit: at once, for subscribers only with these limits', async (t) => {
  const sub = fakeClient('normal', 1);
  sub.setPending(999);
  t.notOk(outputLimitReached(sub.c, LIMITS, 100), 'below hard, first time above soft');
  sub.setPending(1000);
  t.ok(outputLimitReached(sub.c, LIMITS, 100), 'at the hard limit');
  const normal = fakeClient('normal', 0);
  normal.setPending(10_000_000);
  t.notOk(outputLimitReached(normal.c, LIMITS, 100), 'normal class has no limits here');
  const master = fakeClient('master', 1);
  master.setPending(10_000_000);
  t.notOk(outputLimitReached(master.c, LIMITS, 100), 'a master link counts as normal');
  const replica = fakeClient('replica', 0);
  replica.setPending(10_000_000);
  t.notOk(outputLimitReached(replica.c, LIMITS, 100), 'replicas are left to replication');
  const empty = fakeClient('normal', 1);
  t.notOk(outputLimitReached(empty.c, LIMITS, 100), 'nothing pending: nothing to check');
});

t.test('soft limit: only after more than its seconds, continuously', async (t) => {
  const sub = fakeClient('normal', 1);
  sub.setPending(600);
  t.notOk(outputLimitReached(sub.c, LIMITS, 100), 'first seen at 100');
  t.equal(sub.c.softLimitReachedAt, 100);
  t.notOk(outputLimitReached(sub.c, LIMITS, 102), 'two seconds later: not more than 2');
  t.ok(outputLimitReached(sub.c, LIMITS, 103), 'three seconds later');
  const again = fakeClient('normal', 1);
  again.setPending(600);
  outputLimitReached(again.c, LIMITS, 100);
  again.setPending(400);
  t.notOk(outputLimitReached(again.c, LIMITS, 101), 'dropped below the soft limit');
  t.equal(again.c.softLimitReachedAt, 0, 'the clock restarts');
  again.setPending(600);
  t.notOk(outputLimitReached(again.c, LIMITS, 105));
  t.notOk(outputLimitReached(again.c, LIMITS, 107));
  t.ok(outputLimitReached(again.c, LIMITS, 108));
});
