// INFO against Debian's redis-server 7.0.15: the same sections in the same order with the
// same field names, the same framing (RESP2 bulk, RESP3 verbatim, blank line between
// sections), and live values that move: keyspace, commandstats, errorstats, stats.

import t from 'tap';
import { startCinnabar, startRedis } from '../helpers/server';
import { RawConnection } from '../helpers/resp';
import { bytesToHuman } from '../../src/commands/info';

/** The text of a bulk or verbatim reply. */
function text(raw: string): string {
  const nl = raw.indexOf('\r\n');
  const body = raw.slice(nl + 2, -2);
  return raw[0] === '=' ? body.slice(4) : body;
}

/** Section title → field names, in order. */
function layout(info: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of info.split('\r\n')) {
    if (line.startsWith('# ')) sections.set(line.slice(2), (current = []));
    else if (line !== '') current.push(line.slice(0, line.indexOf(':')));
  }
  return sections;
}

function fields(info: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of info.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

/** Lines whose names depend on what ran (commands, errors, databases), not on the layout. */
const LIVE = /^(cmdstat_|errorstat_|latency_percentiles_usec_|db\d+$)/;
/** Cinnabar's own fields, appended to the server section. */
const OWN = new Set(['cinnabar_version', 'nodejs_version']);

t.test('INFO', async (t) => {
  const [redis, cinnabar] = await Promise.all([startRedis(t), startCinnabar(t, { args: ['--appendonly', 'no'] })]);
  const r = await RawConnection.connect(redis.port);
  const c = await RawConnection.connect(cinnabar.port);
  t.teardown(() => {
    r.close();
    c.close();
  });

  t.test('sections and field names in Redis order', async (t) => {
    for (const args of [[], ['everything'], ['all'], ['default'], ['default', 'commandstats'], ['keyspace', 'server'], ['module_list']]) {
      const want = layout(text(await r.call('INFO', ...args)));
      const got = layout(text(await c.call('INFO', ...args)));
      t.same([...got.keys()], [...want.keys()], `sections of INFO ${args.join(' ')}`);
      for (const [title, names] of want) {
        t.same(
          (got.get(title) ?? []).filter((n) => !LIVE.test(n) && !OWN.has(n)),
          names.filter((n) => !LIVE.test(n)),
          `fields of ${title}`,
        );
      }
    }
    const server = text(await c.call('INFO', 'server')).split('\r\n');
    t.match(server.at(-2), /^nodejs_version:/, "Cinnabar's fields close the server section");
    t.match(server.at(-3), /^cinnabar_version:\d+\.\d+\.\d+/);
  });

  t.test('framing is byte for byte Redis', async (t) => {
    // Runs before anything could fail on either server, so errorstats are empty on both.
    for (const resp of ['2', '3']) {
      await Promise.all([r.call('HELLO', resp), c.call('HELLO', resp)]);
      for (const args of [['keyspace'], ['nosuch'], ['cluster'], ['CLUSTER', 'keyspace', 'nosuch'], ['modules'], ['errorstats', 'modules']]) {
        const [want, got] = await Promise.all([r.call('INFO', ...args), c.call('INFO', ...args)]);
        t.equal(got, want, `RESP${resp} INFO ${args.join(' ')}`);
      }
    }
    await c.call('HELLO', '2');
    await r.call('HELLO', '2');
  });

  t.test('server section', async (t) => {
    const f = fields(text(await c.call('INFO', 'server')));
    t.equal(f.get('redis_version'), '7.0.15');
    t.equal(f.get('redis_mode'), 'standalone');
    t.equal(f.get('tcp_port'), String(cinnabar.port));
    t.equal(f.get('process_id'), String(cinnabar.pid));
    t.match(f.get('run_id'), /^[0-9a-f]{40}$/);
    t.match(f.get('server_time_usec'), /^\d{16}$/);
    t.equal(f.get('hz'), '10');
    t.equal(f.get('arch_bits'), '64');
  });

  t.test('memory section', async (t) => {
    const f = fields(text(await c.call('INFO', 'memory')));
    const used = Number(f.get('used_memory'));
    t.ok(used > 0);
    t.equal(f.get('used_memory_human'), bytesToHuman(used));
    t.equal(f.get('used_memory_rss_human'), bytesToHuman(Number(f.get('used_memory_rss'))));
    t.ok(Number(f.get('used_memory_peak')) >= used);
    t.match(f.get('used_memory_peak_perc'), /^\d+\.\d\d%$/);
    t.match(f.get('mem_fragmentation_ratio'), /^\d+\.\d\d$/);
    t.equal(f.get('maxmemory_policy'), 'noeviction');
  });

  t.test('keyspace after writes', async (t) => {
    t.equal(await c.call('INFO', 'keyspace'), '$12\r\n# Keyspace\r\n\r\n', 'empty: only the header');
    await c.call('SET', 'a', '1');
    await c.call('SET', 'b', '2', 'EX', '100');
    await c.call('SELECT', '3');
    await c.call('SET', 'c', '3');
    await c.call('SELECT', '0');
    const body = text(await c.call('INFO', 'keyspace'));
    t.match(body, /^# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=\d+\r\ndb3:keys=1,expires=0,avg_ttl=0\r\n$/);
    const f = fields(text(await c.call('INFO', 'persistence')));
    t.ok(Number(f.get('rdb_changes_since_last_save')) >= 3, 'rdb_changes_since_last_save counts writes');
    t.equal(f.get('aof_enabled'), '0');
  });

  t.test('commandstats, errorstats and stats count calls', async (t) => {
    const stats = async (): Promise<Map<string, string>> => fields(text(await c.call('INFO', 'everything')));
    /** The numbers of a cmdstat_/errorstat_ line, 0 when absent. */
    const counters = (f: Map<string, string>, name: string): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const kv of (f.get(name) ?? '').split(',')) if (kv) out[kv.split('=')[0]] = Number(kv.split('=')[1]);
      return out;
    };
    const before = await stats();
    t.notOk(before.has('cmdstat_getrange'), 'commands never called are left out');
    for (let i = 0; i < 5; i++) await c.call('GET', 'a');
    await c.call('GET', 'missing');
    await c.call('GET'); // arity: rejected
    await c.call('NOSUCH');
    await c.call('COMMAND', 'COUNT');
    await c.call('GETRANGE', 'a', '0', '-1');
    const info = text(await c.call('INFO', 'commandstats'));
    t.match(info, /\r\ncmdstat_get:calls=\d+,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=\d+,failed_calls=\d+\r\n/);
    const after = await stats();
    const [g0, g1] = [counters(before, 'cmdstat_get'), counters(after, 'cmdstat_get')];
    t.equal(g1.calls - (g0.calls ?? 0), 6, 'GET calls');
    t.equal(g1.rejected_calls - (g0.rejected_calls ?? 0), 1, 'GET rejected calls');
    t.equal(counters(after, 'cmdstat_command|count').calls - (counters(before, 'cmdstat_command|count').calls ?? 0), 1, 'subcommand line');
    t.equal(counters(after, 'cmdstat_getrange').calls, 1);
    t.equal(counters(after, 'errorstat_ERR').count - (counters(before, 'errorstat_ERR').count ?? 0), 2, 'errorstat_ERR');
    t.equal(Number(after.get('keyspace_hits')) - Number(before.get('keyspace_hits')), 6, 'keyspace_hits (GET, GETRANGE)');
    t.equal(Number(after.get('keyspace_misses')) - Number(before.get('keyspace_misses')), 1, 'keyspace_misses');
    t.equal(Number(after.get('total_error_replies')) - Number(before.get('total_error_replies')), 2, 'total_error_replies');
    t.ok(Number(after.get('total_commands_processed')) - Number(before.get('total_commands_processed')) >= 9, 'total_commands_processed');
  });

  t.test('instantaneous_ops_per_sec follows the load', async (t) => {
    await c.call('INFO', 'stats'); // starts the sampler
    const deadline = Date.now() + 400;
    while (Date.now() < deadline) {
      let batch = '';
      for (let i = 0; i < 200; i++) batch += '*1\r\n$4\r\nPING\r\n';
      c.writeRaw(batch);
      for (let i = 0; i < 200; i++) await c.reply();
    }
    const f = fields(text(await c.call('INFO', 'stats')));
    t.ok(Number(f.get('instantaneous_ops_per_sec')) > 0, `instantaneous_ops_per_sec ${f.get('instantaneous_ops_per_sec')}`);
    t.match(f.get('instantaneous_input_kbps'), /^\d+\.\d\d$/);
  });

  t.test('clients section', async (t) => {
    const f = fields(text(await c.call('INFO', 'clients')));
    t.equal(f.get('connected_clients'), '1');
    t.equal(f.get('maxclients'), '10000');
  });
});

t.test('INFO persistence with the WAL on matches Redis with the AOF on, plus wal_* fields', async (t) => {
  const [redis, cinnabar] = await Promise.all([startRedis(t, ['--appendonly', 'yes']), startCinnabar(t)]);
  const r = await RawConnection.connect(redis.port);
  const c = await RawConnection.connect(cinnabar.port);
  t.teardown(() => {
    r.close();
    c.close();
  });
  await c.call('SET', 'k', 'v');
  const want = [...fields(text(await r.call('INFO', 'persistence'))).keys()];
  const got = [...fields(text(await c.call('INFO', 'persistence'))).keys()];
  t.same(got.filter((n) => !n.startsWith('wal_') && !n.startsWith('snapshot_')), want);
  const f = fields(text(await c.call('INFO', 'persistence')));
  t.equal(f.get('aof_enabled'), '1');
  t.equal(f.get('aof_last_write_status'), 'ok');
  t.ok(Number(f.get('wal_offset')) > 0, 'the SET was logged');
});
