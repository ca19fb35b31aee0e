// The command table against Redis 7.0: every command and subcommand Cinnabar registers must
// declare the name, arity, flags, key positions and group Redis 7.0 has (from the metadata
// generated off the real server), so a wrong declaration fails the build.

import t from 'tap';
import { CommandTable } from '../../src/commands/registry';
import type { Command } from '../../src/commands/spec';
import {
  FLAG_ORDER,
  keySpecs,
  redisCommandNames,
  redisFlags,
  redisMeta,
  visibleFlags,
} from '../../src/commands/meta';
import { mapGet } from '../../src/commands/meta/resp-tree';
import { REDIS_VERSION_OF_META } from '../../src/commands/meta/redis-commands';

const table = new CommandTable();

t.equal(REDIS_VERSION_OF_META, '7.0.15', 'metadata generated from Redis 7.0.15');
t.ok(redisCommandNames().length > 350, 'metadata covers every Redis command and subcommand');

t.test('Redis prints flags in FLAG_ORDER', async (t) => {
  for (const name of redisCommandNames()) {
    const flags = redisFlags(redisMeta(name)!);
    t.same(visibleFlags(flags), flags, name);
  }
});

t.test('key specs parse', async (t) => {
  for (const name of redisCommandNames()) {
    for (const spec of keySpecs(redisMeta(name)!)) {
      t.ok(spec.flags.length > 0, `${name} key spec has flags`);
    }
  }
});

function check(cmd: Command): void {
  t.test(cmd.fullName, async (t) => {
    const meta = redisMeta(cmd.fullName);
    if (meta === undefined) {
      t.fail(`${cmd.fullName} is not a Redis 7.0 command`);
      return;
    }
    const spec = cmd.spec;
    t.equal(spec.name, cmd.fullName.split('|').pop(), 'name');
    t.equal(spec.arity, meta.arity, 'arity');
    t.same(visibleFlags(spec.flags), redisFlags(meta), 'flags (as COMMAND INFO shows them)');
    for (const f of spec.flags) t.ok(FLAG_ORDER.includes(f) || f === 'may_replicate' || f === 'sentinel', `known flag ${f}`);
    t.same([spec.firstKey, spec.lastKey, spec.step], [meta.firstKey, meta.lastKey, meta.step], 'first/last/step');
    t.equal(spec.group, mapGet(meta.docs, 'group'), 'docs group');
    const redisSubs = meta.subcommands;
    if (redisSubs.length > 0) {
      t.not(cmd.subcommands, null, 'a container in Redis is a container here');
      for (const sub of cmd.subcommands?.values() ?? []) {
        t.ok(redisSubs.includes(sub.fullName), `${sub.fullName} is a Redis subcommand`);
      }
    } else {
      t.equal(cmd.subcommands, null, 'no subcommands in Redis');
    }
    // Keys that key specs cannot find alone (Redis's getkeys_proc commands) need a keys().
    const specs = keySpecs(meta);
    const unreadable = specs.some(
      (s) => !s.flags.includes('not_key') && (s.begin.type === 'unknown' || s.find.type === 'unknown' || s.flags.includes('incomplete')),
    );
    if (unreadable) t.type(spec.keys, 'function', 'declares keys() for keys its specs cannot find');
  });
}

for (const cmd of table.everyCommand()) check(cmd);
