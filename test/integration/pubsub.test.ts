// Pub/sub with several clients, against Cinnabar and redis-server side by side: the same script
// runs on both and the raw bytes each subscriber receives are compared (message, pmessage and
// smessage order, RESP3 pushes interleaved with replies, unsubscribing everything), then the
// pubsub output buffer limit on a subscriber that does not read, idle timeout, CLIENT LIST /
// INFO, and ioredis as a subscriber.

import t from 'tap';
import net from 'node:net';
import IORedis from 'ioredis';
import { poll, startCinnabar, startRedis, type Running } from '../helpers/server';
import { RawConnection, frameLength } from '../helpers/resp';
import { sleep } from '../helpers/durability';

let shared: Promise<Running[]> | undefined;

/** One redis-server and one Cinnabar for the side-by-side tests (limits are put back after each). */
function bothServers(): Promise<Running[]> {
  shared ??= Promise.all([startRedis(t), startCinnabar(t)]);
  return shared;
}

const DEFAULT_LIMITS = 'normal 0 0 0 pubsub 32mb 8mb 60';

/** Everything a connection received within `ms` (it stays open). */
function drain(c: RawConnection, ms = 150): Promise<string> {
  return c.untilClosed(ms);
}

/** Splits raw bytes into whole RESP frames. */
function frames(s: string): string[] {
  const out: string[] = [];
  let p = 0;
  while (p < s.length) {
    const n = frameLength(s, p);
    if (n === 0) throw new Error(`incomplete frame in ${JSON.stringify(s.slice(p))}`);
    out.push(s.slice(p, p + n));
    p += n;
  }
  return out;
}

interface Clients {
  a: RawConnection;
  b: RawConnection;
  c: RawConnection;
  pub: RawConnection;
}

async function connectAll(port: number): Promise<Clients> {
  const [a, b, c, pub] = await Promise.all([0, 1, 2, 3].map(() => RawConnection.connect(port)));
  return { a, b, c, pub };
}

/**
 * One script for one server; returns what each subscriber received at each checkpoint.
 * a: RESP2, channels + a pattern; b: RESP3, a channel, a shard channel and commands in
 * between; c: RESP2, two patterns that never match the same channel.
 */
async function script(port: number): Promise<Record<string, string>> {
  const { a, b, c, pub } = await connectAll(port);
  const seen: Record<string, string> = {};
  try {
    a.send('SUBSCRIBE', 'news', 'sport');
    a.send('PSUBSCRIBE', 'n*');
    b.send('HELLO', '3');
    await b.reply();
    b.send('SUBSCRIBE', 'news');
    b.send('SSUBSCRIBE', 'shard');
    c.send('PSUBSCRIBE', 'sp?rt', 'w*');
    seen['a:subscribed'] = await drain(a);
    seen['b:subscribed'] = await drain(b);
    seen['c:subscribed'] = await drain(c);

    const counts: string[] = [];
    for (const [cmd, ch, msg] of [
      ['PUBLISH', 'news', 'first'],
      ['PUBLISH', 'sport', 'goal'],
      ['PUBLISH', 'nothing', 'n-pattern only'],
      ['SPUBLISH', 'shard', 'shard message'],
      ['PUBLISH', 'shard', 'not to shard subscribers'],
      ['PUBLISH', 'weather', 'rain'],
      ['PUBLISH', 'news', 'x'.repeat(70000)],
      ['PUBLISH', 'nobody', 'lost'],
    ]) {
      counts.push(await pub.call(cmd, ch, msg));
    }
    seen['pub:counts'] = counts.join('');
    // RESP3: commands run between pushes, and their replies keep their place.
    b.send('SET', 'k', 'v');
    b.send('GET', 'k');
    await sleep(20);
    await pub.call('PUBLISH', 'news', 'after get');
    b.send('PING');
    seen['a:messages'] = await drain(a);
    seen['b:messages'] = await drain(b);
    seen['c:messages'] = await drain(c);

    // RESP2 subscriber mode: refused commands, PING's shape.
    a.send('GET', 'k');
    a.send('PING');
    a.send('PING', 'arg');
    seen['a:mode'] = await drain(a);

    // Unsubscribing from everything, then back to normal.
    a.send('PUNSUBSCRIBE');
    seen['a:punsubscribe-all'] = await drain(a);
    c.send('PUNSUBSCRIBE');
    seen['c:punsubscribe-all'] = await drain(c);
    b.send('SUNSUBSCRIBE');
    b.send('UNSUBSCRIBE');
    b.send('UNSUBSCRIBE');
    seen['b:unsubscribe-all'] = await drain(b);
    seen['pub:after-unsubscribe'] = await pub.call('PUBLISH', 'news', 'only a');
    seen['a:last-message'] = await drain(a);
    a.send('UNSUBSCRIBE', 'news');
    a.send('UNSUBSCRIBE');
    a.send('GET', 'k');
    seen['a:unsubscribed'] = await drain(a);
    seen['pub:numsub'] = await pub.call('PUBSUB', 'NUMSUB', 'news', 'sport');
    seen['pub:numpat'] = await pub.call('PUBSUB', 'NUMPAT');
  } finally {
    for (const x of [a, b, c, pub]) x.close();
  }
  return seen;
}

t.test('subscribers receive the same bytes from Cinnabar and redis-server', async (t) => {
  const [redis, cinnabar] = await bothServers();
  const expected = await script(redis.port);
  const actual = await script(cinnabar.port);
  for (const name of Object.keys(expected)) t.equal(actual[name], expected[name], name);
  t.match(expected['a:messages'], /pmessage/, 'the script exercises pattern messages');
  t.match(expected['b:messages'], /^>3\r\n\$7\r\nmessage/, 'and RESP3 pushes');
});

/** UNSUBSCRIBE without arguments lists channels in hash order in Redis: compare names and counts. */
t.test('unsubscribe from several channels at once', async (t) => {
  const [redis, cinnabar] = await bothServers();
  const results: Array<{ names: string[]; counts: string[] }> = [];
  for (const node of [redis, cinnabar] as Running[]) {
    const s = await RawConnection.connect(node.port);
    s.send('SUBSCRIBE', 'c1', 'c2', 'c3');
    s.send('PSUBSCRIBE', 'p*');
    await drain(s);
    s.send('UNSUBSCRIBE');
    const replies = frames(await drain(s));
    results.push({
      names: replies.map((r) => r.split('\r\n')[4]).sort(),
      counts: replies.map((r) => r.split('\r\n')[5]),
    });
    s.close();
  }
  t.same(results[1], results[0]);
  t.same(results[0].names, ['c1', 'c2', 'c3']);
  t.same(results[0].counts, [':3', ':2', ':1'], 'the pattern still counts');
});

/** A subscriber socket that never reads; `closed` resolves when the server drops it. */
async function nonReadingSubscriber(port: number, channel: string): Promise<{ socket: net.Socket; closed: Promise<void> }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  socket.write(`*2\r\n$9\r\nSUBSCRIBE\r\n$${channel.length}\r\n${channel}\r\n`);
  await sleep(50);
  socket.pause();
  const closed = new Promise<void>((resolve) => {
    socket.on('close', () => resolve());
    socket.on('end', () => resolve());
    socket.on('error', () => resolve());
  });
  return { socket, closed };
}

async function closedWithin(p: Promise<void>, ms: number): Promise<boolean> {
  return Promise.race([p.then(() => true), sleep(ms).then(() => false)]);
}

t.test('a subscriber that does not read is dropped at the hard limit', async (t) => {
  const [redis, cinnabar] = await bothServers();
  const outcome: string[] = [];
  for (const node of [redis, cinnabar] as Running[]) {
    const admin = await RawConnection.connect(node.port);
    t.equal(await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 1mb 512kb 1'), '+OK\r\n');
    const { socket, closed } = await nonReadingSubscriber(node.port, 'flood');
    // Kernel socket buffers take several MB first; 40 MB is well past them.
    const message = 'm'.repeat(16 * 1024);
    let receivers = '';
    for (let i = 0; i < 2560; i += 64) {
      const batch: string[] = [];
      for (let j = 0; j < 64; j++) batch.push(`*3\r\n$7\r\nPUBLISH\r\n$5\r\nflood\r\n$${message.length}\r\n${message}\r\n`);
      admin.writeRaw(batch.join(''));
      for (let j = 0; j < 64; j++) receivers = await admin.reply();
      if (receivers === ':0\r\n') break;
    }
    socket.resume();
    const wasClosed = await closedWithin(closed, 3000);
    const numsub = await admin.call('PUBSUB', 'NUMSUB', 'flood');
    outcome.push(`closed=${wasClosed} last=${receivers.trim()} numsub=${numsub.replace(/\r\n/g, ' ')}`);
    t.equal(await admin.call('PING'), '+PONG\r\n', 'the node still serves');
    await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', DEFAULT_LIMITS);
    socket.destroy();
    admin.close();
  }
  t.equal(outcome[1], outcome[0], 'the same outcome as redis-server');
  t.equal(outcome[0], 'closed=true last=:0 numsub=*2 $5 flood :0 ', 'dropped and unsubscribed');
});

t.test('a subscriber above the soft limit is dropped only after the soft seconds', async (t) => {
  const [, node] = await bothServers();
  const admin = await RawConnection.connect(node.port);
  t.equal(await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 0 256kb 2'), '+OK\r\n');
  const { socket, closed } = await nonReadingSubscriber(node.port, 'slow');
  const message = 'm'.repeat(64 * 1024);
  // The soft limit is first reached during this flood: the soft seconds count from then.
  const started = Date.now();
  // Well past the kernel's buffers and the soft limit, with no hard limit.
  for (let i = 0; i < 200; i++) admin.send('PUBLISH', 'slow', message);
  for (let i = 0; i < 200; i++) await admin.reply();
  // The limit is checked as messages arrive: keep publishing while the seconds pass.
  const { ok: dropped } = await poll(
    async () => {
      await admin.call('PUBLISH', 'slow', 'tick');
      return (await admin.call('PUBSUB', 'NUMSUB', 'slow')).endsWith(':0\r\n');
    },
    (gone) => gone,
    { timeoutMs: 8000 - (Date.now() - started) },
  );
  const elapsed = Date.now() - started;
  t.ok(dropped, 'dropped once the soft limit lasted long enough');
  t.ok(elapsed > 2000, `not before the soft seconds passed (${elapsed} ms)`);
  socket.resume();
  t.ok(await closedWithin(closed, 2000), 'its connection is closed');
  await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', DEFAULT_LIMITS);
  admin.close();
});

t.test('the normal class limit drops a client whose queued reply is too big, as redis-server', async (t) => {
  const [redis, cinnabar] = await bothServers();
  const outcome: string[] = [];
  for (const node of [redis, cinnabar] as Running[]) {
    const admin = await RawConnection.connect(node.port);
    t.equal(await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1mb 0 0'), '+OK\r\n');
    await admin.call('SET', 'small', 's'.repeat(500000));
    await admin.call('SET', 'big', 'b'.repeat(2000000));
    const reader = await RawConnection.connect(node.port);
    const small = await reader.call('GET', 'small');
    reader.send('GET', 'big');
    const big = await reader.untilClosed(2000);
    outcome.push(`small=${small.length} big=${big.length} closed=${reader.closed}`);
    await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', DEFAULT_LIMITS);
    reader.close();
    admin.close();
  }
  t.equal(outcome[1], outcome[0]);
  t.equal(outcome[0], 'small=500011 big=0 closed=true');
});

t.test('subscribers do not time out; CLIENT LIST and INFO show subscriptions', async (t) => {
  const [, node] = await bothServers();
  const setter = await RawConnection.connect(node.port);
  t.equal(await setter.call('CONFIG', 'SET', 'timeout', '1'), '+OK\r\n');
  setter.close();
  const sub = await RawConnection.connect(node.port);
  sub.send('SUBSCRIBE', 'a', 'b');
  sub.send('PSUBSCRIBE', 'p*');
  sub.send('SSUBSCRIBE', 's');
  await drain(sub);
  const admin = await RawConnection.connect(node.port);
  const list = await admin.call('CLIENT', 'LIST');
  t.match(list, /flags=P db=0 sub=2 psub=1 ssub=1 /, 'CLIENT LIST counts and flag');
  t.match(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub'), /sub=2 psub=1 ssub=1/);
  const stats = await admin.call('INFO', 'stats');
  t.match(stats, /pubsub_channels:2\r\npubsub_patterns:1\r\npubsubshard_channels:1\r\n/);
  admin.close();
  await sleep(2500);
  t.notOk(sub.closed, 'the subscriber outlived the 1 s timeout');
  const later = await RawConnection.connect(node.port);
  t.equal(await later.call('PUBLISH', 'a', 'still here'), ':1\r\n');
  await later.call('CONFIG', 'SET', 'timeout', '0');
  later.close();
  sub.close();
});

t.test('ioredis as a subscriber', async (t) => {
  const [, node] = await bothServers();
  const sub = new IORedis({ port: node.port, host: '127.0.0.1', lazyConnect: true });
  const pub = new IORedis({ port: node.port, host: '127.0.0.1', lazyConnect: true });
  t.teardown(() => {
    sub.disconnect();
    pub.disconnect();
  });
  await sub.connect();
  await pub.connect();
  const got: string[] = [];
  sub.on('message', (channel: string, message: string) => got.push(`message ${channel} ${message}`));
  sub.on('pmessage', (pattern: string, channel: string, message: string) => got.push(`pmessage ${pattern} ${channel} ${message}`));
  t.equal(await sub.subscribe('news', 'sport'), 2);
  t.equal(await sub.psubscribe('n*'), 3);
  t.equal(await pub.publish('news', 'hello'), 2);
  t.equal(await pub.publish('sport', 'goal'), 1);
  t.equal(await pub.publish('nope', 'pattern'), 1);
  await sleep(100);
  t.same(got, ['message news hello', 'pmessage n* news hello', 'message sport goal', 'pmessage n* nope pattern']);
  // (ioredis waits forever on argument-less (P)UNSUBSCRIBE, with redis-server too: name them.)
  t.equal(await sub.unsubscribe('news'), 2);
  t.equal(await sub.punsubscribe('n*'), 1);
  t.equal(await pub.publish('news', 'gone'), 0);
  t.equal(await sub.unsubscribe('sport'), 0);
  t.equal(await sub.get('ioredis-missing'), null, 'back to normal commands');
});
