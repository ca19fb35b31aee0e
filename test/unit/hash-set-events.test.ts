// Keyspace events and WAL effects of the hash and set commands, run in process against a
// minimal node: the event names and their order are Redis 7.0's (checked with
// notify-keyspace-events KEA on redis-server), and commands with random or float results
// declare deterministic effects (SPOP → SREM or DEL, HINCRBYFLOAT → HSET of the result).

import t from 'tap';
import type { Socket } from 'node:net';
import { Client, type ClientHost } from '../../src/server/client';
import { Config } from '../../src/config/config';
import { Keyspace } from '../../src/keyspace/keyspace';
import { EffectStream } from '../../src/persistence/effects';
import type { NodeContext } from '../../src/node-context';
import { hashCommands } from '../../src/commands/hashes';
import { setCommands } from '../../src/commands/sets';

function harness() {
  const keyspace = new Keyspace(2);
  const effects = new EffectStream();
  const logged: string[][] = [];
  effects.addSink({ append: (_db, args) => logged.push([...args]) });
  const node = { keyspace, effects, config: Config.fromArgs([]) } as unknown as NodeContext;
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
  const table = new Map([...hashCommands, ...setCommands].map((s) => [s.name, s]));
  /** Runs one command as the gatekeeper would; returns its events and effects. */
  const run = (...args: string[]): { events: string[]; effects: string[][]; reply: string } => {
    events.length = 0;
    logged.length = 0;
    c.out = '';
    const dirty = keyspace.dirty;
    table.get(args[0].toLowerCase())!.run!(c, args, node);
    effects.commandDone(0, args, keyspace.dirty !== dirty);
    return { events: [...events], effects: logged.map((a) => [...a]), reply: c.out };
  };
  return { run };
}

t.test('hash events and effects', async (t) => {
  const { run } = harness();
  t.same(run('HSET', 'h', 'a', '1').events, ['hset h']);
  t.same(run('HMSET', 'h', 'b', '2').events, ['hset h']);
  t.same(run('HSETNX', 'h', 'c', '3').events, ['hset h']);
  t.same(run('HSETNX', 'h', 'c', '3'), { events: [], effects: [], reply: ':0\r\n' }, 'no change: no event, nothing logged');
  t.same(run('HINCRBY', 'h', 'n', '1').events, ['hincrby h']);
  const f = run('HINCRBYFLOAT', 'h', 'n', '1.5');
  t.same(f.events, ['hincrbyfloat h']);
  t.same(f.effects, [['HSET', 'h', 'n', '2.5']], 'HINCRBYFLOAT is logged as HSET of its result');
  t.same(run('HDEL', 'h', 'a', 'zz').events, ['hdel h']);
  t.same(run('HDEL', 'h', 'zz').events, []);
  const last = run('HDEL', 'h', 'b', 'c', 'n');
  t.same(last.events, ['hdel h', 'del h'], 'emptied: hdel then del');
  t.same(last.effects, [['HDEL', 'h', 'b', 'c', 'n']]);
  t.same(run('HGETALL', 'h').effects, [], 'reads log nothing');
});

t.test('set events and effects', async (t) => {
  const { run } = harness();
  t.same(run('SADD', 's', '1', '2', '3', '4', '5', '6').events, ['sadd s']);
  t.same(run('SADD', 's', '1').events, [], 'nothing added: no event');
  t.same(run('SREM', 's', '1', 'zz').events, ['srem s']);
  const one = run('SPOP', 's');
  const popped = /^\$1\r\n(\d)\r\n$/.exec(one.reply)![1];
  t.same(one.events, ['spop s']);
  t.same(one.effects, [['SREM', 's', popped]], 'SPOP is logged as SREM of the popped member');
  const two = run('SPOP', 's', '2');
  t.same(two.events, ['spop s']);
  t.equal(two.effects.length, 1);
  t.equal(two.effects[0].slice(0, 2).join(' '), 'SREM s');
  t.equal(two.effects[0].length, 4, 'SPOP count is logged as one SREM of what it popped');
  t.same(run('SPOP', 's', '0'), { events: [], effects: [], reply: '*0\r\n' });
  t.same(run('SRANDMEMBER', 's', '-5').effects, [], 'SRANDMEMBER logs nothing');
  const left = run('SMEMBERS', 's').reply.match(/\d+\r\n(\d)\r\n/g)!.length;
  t.equal(left, 2);
  const [a] = /\$1\r\n(\d)\r\n/.exec(run('SMEMBERS', 's').reply)!.slice(1);
  t.same(run('SMOVE', 's', 'd', a).events, ['srem s', 'sadd d']);
  t.same(run('SADD', 'x', '9').events, ['sadd x']);
  t.same(run('SMOVE', 'x', 'd', '9').events, ['srem x', 'del x', 'sadd d'], 'emptied source: del before sadd');
  t.same(run('SINTERSTORE', 'st', 's', 'nokey').events, [], 'empty result, no destination: nothing');
  t.same(run('SUNIONSTORE', 'su', 's', 'd').events, ['sunionstore su']);
  t.same(run('SINTERSTORE', 'su', 'su', 'd').events, ['sinterstore su']);
  t.same(run('SDIFFSTORE', 'sd', 'd', 's').events, ['sdiffstore sd']);
  const emptied = run('SDIFFSTORE', 'sd', 'nokey');
  t.same(emptied.events, ['del sd'], 'an empty result deletes the destination');
  t.same(emptied.effects, [['SDIFFSTORE', 'sd', 'nokey']], 'STORE commands are logged as sent');
  const all = run('SPOP', 'd', '10');
  t.same(all.events, ['spop d', 'del d']);
  t.same(all.effects, [['DEL', 'd']], 'SPOP of the whole set is logged as DEL');
  t.same(run('SREM', 's', '1', '2', '3', '4', '5', '6').events, ['srem s', 'del s']);
});
