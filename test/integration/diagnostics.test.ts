// SLOWLOG, LATENCY and MEMORY against a real Cinnabar process: what the differential
// scenarios cannot pin down (redaction, EXEC, blocked commands, timing of `fast` commands,
// latency events, MALLOC-STATS), checked against Redis 7.0's behaviour.

import t from 'tap';
import IORedis from 'ioredis';
import { startCinnabar } from '../helpers/server';

type Entry = [number, number, number, string[], string, string];

async function client(t: { teardown(fn: () => unknown): void }, port: number): Promise<IORedis> {
  const r = new IORedis({ port, host: '127.0.0.1', lazyConnect: true, enableReadyCheck: false });
  await r.connect();
  t.teardown(() => r.disconnect());
  return r;
}

async function slowlog(r: IORedis): Promise<Entry[]> {
  return (await r.call('SLOWLOG', 'GET', '-1')) as Entry[];
}

t.test('slow log', async (t) => {
  // Fresh server: the first call of each command is always timed, fast or not.
  const node = await startCinnabar(t, { args: ['--slowlog-log-slower-than', '0', '--enable-debug-command', 'yes'] });
  const r = await client(t, node.port);
  const other = await client(t, node.port);

  t.test('entries: args cut as Redis cuts them, passwords redacted, client name', async (t) => {
    await r.call('SLOWLOG', 'RESET');
    await r.call('CLIENT', 'SETNAME', 'me');
    await r.call('AUTH', 'user', 'pw').catch(() => undefined);
    await r.call('CONFIG', 'SET', 'requirepass', '', 'maxmemory', '0');
    await r.call('MSET', ...Array.from({ length: 40 }, (_, i) => String(i)));
    await r.call('ECHO', 'e'.repeat(200));
    const log = await slowlog(r);
    const args = log.map((e) => e[3]).reverse();
    t.same(args.slice(1), [
      ['CLIENT', 'SETNAME', 'me'],
      ['AUTH', '(redacted)', '(redacted)'],
      ['CONFIG', 'SET', 'requirepass', '(redacted)', 'maxmemory', '0'],
      ['MSET', ...Array.from({ length: 30 }, (_, i) => String(i)), '... (10 more arguments)'],
      ['ECHO', 'e'.repeat(128) + '... (72 more bytes)'],
    ]);
    const [id, time, duration, , addr, name] = log[0];
    t.equal(id, log[1][0] + 1, 'ids count up');
    t.ok(Math.abs(time - Date.now() / 1000) < 5, 'unix time');
    t.ok(duration >= 0);
    t.match(addr, /^127\.0\.0\.1:\d+$/);
    t.equal(name, 'me');
  });

  t.test('HELLO AUTH redacted', async (t) => {
    await r.call('SLOWLOG', 'RESET');
    for (let i = 0; i < 8; i++) await r.call('HELLO', '2', 'AUTH', 'default', 'x').catch(() => undefined);
    const hellos = (await slowlog(r)).filter((e) => e[3][0] === 'HELLO');
    t.equal(hellos.length, 8);
    for (const e of hellos) t.same(e[3], ['HELLO', '2', 'AUTH', '(redacted)', '(redacted)']);
  });

  t.test('EXEC is not logged, the commands it ran are', async (t) => {
    await r.call('SLOWLOG', 'RESET');
    const m = r.multi();
    m.call('DEL', 'a');
    m.call('LRANGE', 'l', '0', '-1');
    await m.exec();
    const args = (await slowlog(r)).map((e) => e[3][0].toUpperCase()).reverse();
    t.same(args, ['SLOWLOG', 'MULTI', 'DEL', 'LRANGE']);
  });

  t.test('a blocked command is logged once served, not when it blocks or times out', async (t) => {
    await r.call('SLOWLOG', 'RESET');
    t.equal(await r.call('BLPOP', 'nothing', '0.05'), null);
    const served = r.call('BLPOP', 'q', '5');
    await new Promise((ok) => setTimeout(ok, 100));
    t.same((await slowlog(other)).map((e) => e[3][1]), ['RESET'], 'nothing logged while blocked');
    await other.call('RPUSH', 'q', 'x');
    t.same(await served, ['q', 'x']);
    const log = await slowlog(other);
    t.same(log[0][3], ['BLPOP', 'q', '5'], 'logged when served');
    t.notOk(log.some((e) => e[3][1] === 'nothing'), 'a timed-out BLPOP is not logged');
  });

  t.test('slowlog-log-slower-than 0 logs every call, fast commands included, as Redis', async (t) => {
    await r.call('SLOWLOG', 'RESET');
    for (let i = 0; i < 64; i++) await r.call('GET', 'k');
    for (let i = 0; i < 20; i++) await r.call('LRANGE', 'l', '0', '-1');
    const log = await slowlog(r);
    t.equal(log.filter((e) => e[3][0] === 'GET').length, 64, 'GET (fast) every call');
    t.equal(log.filter((e) => e[3][0] === 'LRANGE').length, 20, 'LRANGE every call');
  });

  t.test('a slow command above the default threshold', async (t) => {
    await r.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
    await r.call('SLOWLOG', 'RESET');
    await r.call('DEBUG', 'SLEEP', '0.02');
    await r.call('DEL', 'x');
    const log = await slowlog(r);
    t.equal(log.length, 1);
    t.same(log[0][3], ['DEBUG', 'SLEEP', '0.02']);
    t.ok(log[0][2] >= 20000, `duration ${log[0][2]} µs`);
  });
});

t.test('latency monitor', async (t) => {
  const node = await startCinnabar(t, { args: ['--latency-monitor-threshold', '5', '--enable-debug-command', 'yes'] });
  const r = await client(t, node.port);
  t.same(await r.call('LATENCY', 'LATEST'), []);
  await r.call('DEBUG', 'SLEEP', '0.02');
  const latest = (await r.call('LATENCY', 'LATEST')) as Array<[string, number, number, number]>;
  t.equal(latest.length, 1);
  const [event, time, last, max] = latest[0];
  t.equal(event, 'command');
  t.ok(Math.abs(time - Date.now() / 1000) < 5);
  t.ok(last >= 20 && max === last, `latest ${last} ms, max ${max} ms`);
  const history = (await r.call('LATENCY', 'HISTORY', 'command')) as Array<[number, number]>;
  t.same(history, [[time, last]]);
  t.match(await r.call('LATENCY', 'DOCTOR'), /^Dave, I have observed latency spikes in this Redis instance\. You don't mind talking about it, do you Dave\?\n\n1\. command: 1 latency spikes \(average \d+ms, mean deviation 0ms, period 1\.00 sec\)\. Worst all time event \d+ms\.\n/);
  // One sample: the lowest bar, one blank row, then its age written downwards ("0s").
  t.match(await r.call('LATENCY', 'GRAPH', 'command'), /^command - high (\d+) ms, low \1 ms \(all time high \1 ms\)\n-{80}\n \n \n \n_\n \n\d\ns\n$/);
  t.equal(await r.call('LATENCY', 'RESET', 'COMMAND', 'other'), 1, 'event names match case-insensitively');
  t.same(await r.call('LATENCY', 'LATEST'), []);
});

t.test('memory', async (t) => {
  const node = await startCinnabar(t);
  const r = await client(t, node.port);
  t.equal(await r.call('MEMORY', 'MALLOC-STATS'), 'Stats not supported for the current allocator');
  t.equal(await r.call('MEMORY', 'PURGE'), 'OK');
  await r.call('RPUSH', 'l', ...Array.from({ length: 1000 }, (_, i) => String(i)));
  const usage = (await r.call('MEMORY', 'USAGE', 'l')) as number;
  t.ok(usage > 2500 && usage < 4000, `a 1000-integer list as Redis 7.0 sizes it (3200): ${usage}`);
  await r.call('SADD', 's', ...Array.from({ length: 1000 }, (_, i) => 'm' + i));
  const all = (await r.call('MEMORY', 'USAGE', 's', 'SAMPLES', '0')) as number;
  t.ok(all > 40000 && all < 80000, `a 1000-member hashtable set: ${all}`);
  const stats = (await r.call('MEMORY', 'STATS')) as Array<string | number | unknown[]>;
  t.equal(stats[0], 'peak.allocated');
  t.equal(stats[stats.indexOf('keys.count') + 1], 2);
  t.ok(stats.includes('db.0'));
});

t.test('MEMORY USAGE sizes listpack back-lengths as lpEncodeBacklen (an entry of 16383 bytes has a 3-byte one)', async (t) => {
  const node = await startCinnabar(t);
  const r = await client(t, node.port);
  await r.call('CONFIG', 'SET', 'hash-max-listpack-value', '20000');
  // Padding that brings a listpack holding an entry of 16383 bytes with a 2-byte back-length
  // to exactly 20480 bytes (a jemalloc size class): 7 + 3 + 16385 + 31 * 128 + 117.
  const padding: string[] = [];
  for (let i = 0; i < 31; i++) padding.push(`F${i}`.padEnd(62, '.'), `V${i}`.padEnd(62, '.'));
  padding.push('G'.padEnd(56, '.'), 'W'.padEnd(57, '.'));
  await r.call('HSET', 'entry16383', 'f', 'x'.repeat(16378), ...padding);
  await r.call('HSET', 'entry16382', 'f', 'x'.repeat(16377), ...padding);
  t.equal(await r.call('OBJECT', 'ENCODING', 'entry16383'), 'listpack');
  const [big, small] = [(await r.call('MEMORY', 'USAGE', 'entry16383')) as number, (await r.call('MEMORY', 'USAGE', 'entry16382')) as number];
  t.same([big, small], [24632, 20536], 'as redis-server 7.0: 20481 bytes take the next size class');
});
