// Keyspace events and WAL effects of the sorted set commands, run in process against a
// minimal node: event names and their order are Redis 7.0's (checked with
// notify-keyspace-events KEA on redis-server), ZMPOP and the blocking pops are logged as
// ZPOPMIN/ZPOPMAX, and lex walks over a skip list log their result.

import t from 'tap';
import type { Socket } from 'node:net';
import { Client, type ClientHost } from '../../src/server/client';
import { Config } from '../../src/config/config';
import { Keyspace } from '../../src/keyspace/keyspace';
import { EffectStream } from '../../src/persistence/effects';
import type { NodeContext } from '../../src/node-context';
import { zsetCommands } from '../../src/commands/zsets';
import { zsetBlockingCommands } from '../../src/commands/zset-blocking';

function harness(configArgs: string[] = []) {
  const keyspace = new Keyspace(2);
  const effects = new EffectStream();
  const logged: string[][] = [];
  effects.addSink({ append: (_db, args) => logged.push([...args]) });
  const ready: string[] = [];
  keyspace.onKeyReady((_db, key) => ready.push(key));
  const node = { keyspace, effects, config: Config.fromArgs(configArgs) } as unknown as NodeContext;
  const host: ClientHost = {
    execute: () => undefined,
    scheduleFlush: () => undefined,
    clientClosed: () => undefined,
    protocolError: () => undefined,
    errorReplied: () => undefined,
  };
  const socket = { remoteAddress: '127.0.0.1', remotePort: 1, localAddress: '127.0.0.1', localPort: 2 } as unknown as Socket;
  const c = new Client(1, socket, keyspace.dbs[0], host, { protoMaxBulkLen: 512 * 1024 * 1024 });
  const events: string[] = [];
  keyspace.onNotify((_cls, event, _db, key) => events.push(`${event} ${key}`));
  const table = new Map([...zsetCommands, ...zsetBlockingCommands].map((s) => [s.name, s]));
  /** Runs one command as the gatekeeper would; returns its events, effects and ready keys. */
  const run = (...args: string[]): { events: string[]; effects: string[][]; reply: string; ready: string[] } => {
    events.length = 0;
    logged.length = 0;
    ready.length = 0;
    c.out = '';
    const dirty = keyspace.dirty;
    table.get(args[0].toLowerCase())!.run!(c, args, node);
    effects.commandDone(0, args, keyspace.dirty !== dirty);
    return { events: [...events], effects: logged.map((a) => [...a]), reply: c.out, ready: [...ready] };
  };
  return { run };
}

t.test('adds, increments and removals', async (t) => {
  const { run } = harness();
  const add = run('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
  t.same(add.events, ['new z', 'zadd z'], 'a created key: new, then zadd');
  t.same(add.ready, ['z'], 'a sorted set that gains members is signalled ready');
  t.same(add.effects, [['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c']], 'logged as sent');
  t.same(run('ZADD', 'z', 'NX', '5', 'a'), { events: [], effects: [], reply: ':0\r\n', ready: [] }, 'no change: nothing');
  t.same(run('ZADD', 'z', '9', 'a').events, ['zadd z'], 'an update is a zadd');
  t.same(run('ZINCRBY', 'z', '1', 'b').events, ['zincr z']);
  t.same(run('ZADD', 'z', 'INCR', '1', 'b').events, ['zincr z']);
  t.same(run('ZINCRBY', 'z', '0', 'b').events, [], 'an increment by 0 changes nothing');
  t.same(run('ZREM', 'z', 'zz').events, []);
  t.same(run('ZREM', 'z', 'a').events, ['zrem z']);
  const last = run('ZREM', 'z', 'b', 'c');
  t.same(last.events, ['zrem z', 'del z'], 'emptied: zrem then del');
  t.same(last.effects, [['ZREM', 'z', 'b', 'c']]);
  t.same(run('ZRANGE', 'z', '0', '-1').effects, [], 'reads log nothing');
});

t.test('range removals', async (t) => {
  const { run } = harness();
  run('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
  t.same(run('ZREMRANGEBYRANK', 'z', '0', '0').events, ['zremrangebyrank z']);
  t.same(run('ZREMRANGEBYSCORE', 'z', '2', '2').events, ['zremrangebyscore z']);
  t.same(run('ZREMRANGEBYSCORE', 'z', '10', '20').events, [], 'nothing removed: no event');
  const lex = run('ZREMRANGEBYLEX', 'z', '-', '+');
  t.same(lex.events, ['zremrangebylex z', 'del z']);
  t.same(lex.effects, [['ZREMRANGEBYLEX', 'z', '-', '+']], 'a listpack lex walk is replayable: logged as sent');
});

t.test('lex walks over a skip list log their result', async (t) => {
  const { run } = harness(['--zset-max-listpack-entries', '2']);
  run('ZADD', 'z', '0', 'a', '0', 'b', '0', 'c', '0', 'd');
  t.same(run('ZREMRANGEBYLEX', 'z', '[b', '[c').effects, [['ZREM', 'z', 'b', 'c']]);
  const store = run('ZRANGESTORE', 'dst', 'z', '-', '+', 'BYLEX');
  t.same(store.events, ['new dst', 'zrangestore dst']);
  t.same(store.effects, [['MULTI'], ['DEL', 'dst'], ['ZADD', 'dst', '0', 'a', '0', 'd'], ['EXEC']], 'DEL + ZADD, as one unit');
  t.same(run('ZRANGESTORE', 'dst', 'z', '[x', '+', 'BYLEX').effects, [['DEL', 'dst']], 'an empty result deletes dst');
  t.same(run('ZRANGESTORE', 'dst', 'z', '[x', '+', 'BYLEX').effects, [], 'nothing to delete: nothing logged');
});

t.test('pops', async (t) => {
  const { run } = harness();
  run('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
  t.same(run('ZPOPMIN', 'z').events, ['zpopmin z']);
  t.same(run('ZPOPMAX', 'z').events, ['zpopmax z']);
  t.same(run('ZPOPMIN', 'z', '0'), { events: [], effects: [], reply: '*0\r\n', ready: [] });
  const mpop = run('ZMPOP', '2', 'none', 'z', 'MAX', 'COUNT', '5');
  t.same(mpop.events, ['zpopmax z', 'del z'], 'emptied: zpopmax then del');
  t.same(mpop.effects, [['ZPOPMAX', 'z', '5']], 'ZMPOP is logged as ZPOPMAX with the count');
  t.same(run('ZMPOP', '1', 'z', 'MIN').effects, [], 'nothing popped: nothing logged');
  run('ZADD', 'z', '1', 'a', '2', 'b');
  const b = run('BZPOPMIN', 'none', 'z', '0');
  t.same(b.effects, [['ZPOPMIN', 'z']], 'BZPOPMIN with data is logged as ZPOPMIN');
  t.equal(b.reply, '*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n');
  t.same(run('BZMPOP', '0', '1', 'z', 'MAX').effects, [['ZPOPMAX', 'z', '1']], 'BZMPOP with data is logged as ZPOPMAX with the count');
});

t.test('stores', async (t) => {
  const { run } = harness();
  run('ZADD', 'a', '1', 'x', '2', 'y');
  run('ZADD', 'b', '5', 'y');
  const u = run('ZUNIONSTORE', 'dst', '2', 'a', 'b');
  t.same(u.events, ['new dst', 'zunionstore dst']);
  t.same(u.ready, ['dst'], 'a stored result is signalled ready');
  t.same(run('ZINTERSTORE', 'dst', '2', 'a', 'b').events, ['zinterstore dst']);
  t.same(run('ZDIFFSTORE', 'dst', '2', 'a', 'b').events, ['zdiffstore dst']);
  t.same(run('ZRANGESTORE', 'dst', 'a', '0', '0').events, ['zrangestore dst']);
  t.same(run('ZDIFFSTORE', 'dst', '2', 'a', 'a').events, ['del dst'], 'an empty result deletes dst');
  t.same(run('ZDIFFSTORE', 'dst', '2', 'a', 'a'), { events: [], effects: [], reply: ':0\r\n', ready: [] });
});
