// Expiry across restarts: every way of setting a TTL is logged with its absolute time, so
// keys that expire while the node is down stay gone, and keys still alive keep their
// absolute expiry (their TTL keeps decreasing across the restart instead of resetting).

import t from 'tap';
import { poll, startCinnabar } from '../helpers/server';
import { RawConnection } from '../helpers/resp';
import { call, dataDir, sleep, type Reply } from '../helpers/durability';

t.test('TTLs across restarts', async (t) => {
  const dir = dataDir(t);
  let node = await startCinnabar(t, { dir });
  let c = await RawConnection.connect(node.port);
  const now = Date.now();
  const sec = Math.floor(now / 1000);
  // Every one of these expires within ~1 s, while the node is down.
  const short: string[][] = [
    ['SET', 's:px', 'v', 'PX', '700'],
    ['SET', 's:ex', 'v', 'EX', '1'],
    ['SET', 's:exat', 'v', 'EXAT', String(sec + 1)],
    ['SET', 's:pxat', 'v', 'PXAT', String(now + 700)],
    ['SETEX', 's:setex', '1', 'v'],
    ['PSETEX', 's:psetex', '700', 'v'],
    ['SET', 's:expire', 'v'],
    ['EXPIRE', 's:expire', '1'],
    ['SET', 's:pexpire', 'v'],
    ['PEXPIRE', 's:pexpire', '700'],
    ['SET', 's:expireat', 'v'],
    ['EXPIREAT', 's:expireat', String(sec + 1)],
    ['SET', 's:pexpireat', 'v'],
    ['PEXPIREAT', 's:pexpireat', String(now + 700)],
    ['SET', 's:getex', 'v'],
    ['GETEX', 's:getex', 'PX', '700'],
    ['SET', 's:renamed-from', 'v', 'PX', '700'],
    ['RENAME', 's:renamed-from', 's:renamed'],
    ['SET', 's:incr', '5', 'PX', '700'],
    ['INCRBYFLOAT', 's:incr', '1.5'],
  ];
  // These keep a TTL of ~100 s.
  const long: string[][] = [
    ['SET', 'l:ex', 'v', 'EX', '100'],
    ['SET', 'l:px', 'v', 'PX', '100000'],
    ['SETEX', 'l:setex', '100', 'v'],
    ['SET', 'l:expire', 'v'],
    ['EXPIRE', 'l:expire', '100'],
    ['SET', 'l:pexpireat', 'v'],
    ['PEXPIREAT', 'l:pexpireat', String(now + 100000)],
    ['SET', 'l:expireat', 'v'],
    ['EXPIREAT', 'l:expireat', String(sec + 100)],
    ['SET', 'l:getex', 'v'],
    ['GETEX', 'l:getex', 'EX', '100'],
    ['SET', 'l:keepttl', 'v', 'EX', '100'],
    ['SET', 'l:keepttl', 'v2', 'KEEPTTL'],
    ['SET', 'l:float', '1.5', 'EX', '100'],
    ['INCRBYFLOAT', 'l:float', '1'],
    ['SET', 'l:copy-src', 'v', 'EX', '100'],
    ['COPY', 'l:copy-src', 'l:copy'],
  ];
  // And these have none.
  const none: string[][] = [
    ['SET', 'p:plain', 'v'],
    ['SET', 'p:persist', 'v', 'EX', '100'],
    ['PERSIST', 'p:persist'],
    ['SET', 'p:getex-persist', 'v', 'EX', '100'],
    ['GETEX', 'p:getex-persist', 'PERSIST'],
    ['SET', 'p:overwritten', 'v', 'EX', '1'],
    ['SET', 'p:overwritten', 'v2'],
    // A TTL that would have passed by the restart, removed before it did: replay must not
    // act on the expiry time when it replays PEXPIREAT (the key would be lost).
    ['SET', 'p:persisted-in-time', 'v'],
    ['PEXPIREAT', 'p:persisted-in-time', String(now + 700)],
    ['PERSIST', 'p:persisted-in-time'],
    ['SET', 'p:renamed-src', 'v', 'PX', '700'],
    ['RENAME', 'p:renamed-src', 'p:renamed'],
    ['PERSIST', 'p:renamed'],
  ];
  for (const cmd of [...short, ...long, ...none]) {
    const r = await call(c, ...cmd);
    if (r === null || typeof r === 'object') t.fail(`${cmd.join(' ')} replied ${JSON.stringify(r)}`);
  }
  // The keys each list leaves behind: every key it names, less the sources of RENAME.
  const keysOf = (cmds: string[][]): string[] => {
    const keys = new Set(cmds.flatMap((x) => (x[0] === 'RENAME' || x[0] === 'COPY' ? [x[1], x[2]] : [x[1]])));
    for (const x of cmds) if (x[0] === 'RENAME') keys.delete(x[1]);
    return [...keys];
  };
  const shortKeys = keysOf(short);
  const liveKeys = [...keysOf(long), ...keysOf(none)].sort();
  const longKeys = liveKeys.filter((k) => k.startsWith('l:'));
  const expireTimes = new Map<string, Reply>();
  const ttls = new Map<string, number>();
  // When each PTTL reply arrived: the server computed it no later than that.
  const ttlRepliedAt = new Map<string, number>();
  for (const k of longKeys) {
    expireTimes.set(k, await call(c, 'PEXPIRETIME', k));
    ttls.set(k, (await call(c, 'PTTL', k)) as number);
    ttlRepliedAt.set(k, Date.now());
  }
  t.equal(await call(c, 'PEXPIRETIME', 'l:expireat'), (sec + 100) * 1000);
  t.equal(await call(c, 'PEXPIRETIME', 'l:pexpireat'), now + 100000);
  c.close();
  await node.stop('SIGKILL');
  // Down until every short TTL has passed.
  await sleep(Math.max(0, now + 1100 - Date.now()));

  for (const round of ['after SIGKILL', 'after a graceful restart']) {
    node = await startCinnabar(t, { dir });
    c = await RawConnection.connect(node.port);
    for (const k of shortKeys) {
      t.equal(await call(c, 'EXISTS', k), 0, `${round}: ${k} expired while down and stays gone`);
      t.equal(await call(c, 'GET', k), null);
    }
    t.same(((await call(c, 'KEYS', '*')) as string[]).sort(), liveKeys, `${round}: exactly the live keys`);
    for (const k of longKeys) {
      t.equal(await call(c, 'PEXPIRETIME', k), expireTimes.get(k), `${round}: ${k} keeps its absolute expiry`);
      // The second PTTL is computed after it is sent: at least `elapsed` after the first.
      const elapsed = Date.now() - ttlRepliedAt.get(k)!;
      const pttl = (await call(c, 'PTTL', k)) as number;
      if (!(pttl > 90000 && pttl <= ttls.get(k)! - elapsed + 5)) {
        t.fail(`${round}: ${k} PTTL ${pttl}, was ${ttls.get(k)} ${elapsed} ms ago: it should have kept decreasing`);
      }
    }
    for (const k of liveKeys.filter((x) => x.startsWith('p:'))) t.equal(await call(c, 'PTTL', k), -1, `${round}: ${k} has no TTL`);
    t.equal(await call(c, 'GET', 'l:keepttl'), 'v2');
    t.equal(await call(c, 'GET', 'l:float'), '2.5');
    // Active expiry reclaims the expired keys replay brought back into memory.
    const { last } = await poll(() => call(c, 'DBSIZE'), (n) => n === liveKeys.length, { timeoutMs: 3000, intervalMs: 50 });
    t.equal(last, liveKeys.length, `${round}: expired keys reclaimed`);
    c.close();
    await node.stop('SIGTERM');
  }
});
