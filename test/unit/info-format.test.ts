// INFO's pure parts: Redis's bytesToHuman and glibc's "%.2f" (ties to even), with expected
// strings taken from Debian's redis-server 7.0.15 INFO output and glibc printf; section
// selection; and the providers through which other layers fill sections.

import t from 'tap';
import { bytesToHuman, genInfo, provideInfoFields, replaceInfoSection, selectSections } from '../../src/commands/info';
import type { NodeContext } from '../../src/node-context';
import { formatFixed } from '../../src/resp/format';

t.test('bytesToHuman', async (t) => {
  const cases: [number, string][] = [
    [0, '0B'],
    [200, '200B'],
    [1023, '1023B'],
    [1024, '1.00K'],
    [32768, '32.00K'],
    [965656, '943.02K'],
    [985928, '962.82K'],
    [12439552, '11.86M'],
    [25276510208, '23.54G'],
    [1024 ** 4 * 3, '3.00T'],
    [1024 ** 5 * 2, '2.00P'],
  ];
  for (const [n, s] of cases) t.equal(bytesToHuman(n), s, String(n));
});

t.test('formatFixed rounds exact ties to even like glibc', async (t) => {
  const cases: [number, number, string][] = [
    [0.125, 2, '0.12'],
    [0.375, 2, '0.38'],
    [0.625, 2, '0.62'],
    [-0.125, 2, '-0.12'],
    [2.5, 0, '2'],
    [3.5, 0, '4'],
    [1.005, 2, '1.00'], // not a tie: 1.005 is 1.00499999999999989...
    [12.345, 2, '12.35'], // not a tie: 12.345 is 12.3450000000000006...
    [56.93, 2, '56.93'],
    [0, 2, '0.00'],
    [100, 2, '100.00'],
  ];
  for (const [d, digits, s] of cases) t.equal(formatFixed(d, digits), s, `${d} %.${digits}f`);
});

t.test('selectSections', async (t) => {
  const names = (args: string[]): string[] => [...selectSections(args)].sort();
  const defaults = ['clients', 'cluster', 'cpu', 'errorstats', 'keyspace', 'memory', 'modules', 'persistence', 'replication', 'server', 'stats'];
  t.same(names([]), defaults);
  t.same(names(['default']), defaults);
  t.same(names(['all']), [...defaults, 'commandstats', 'latencystats'].sort());
  t.same(names(['everything']), names(['all']));
  t.same(names(['KEYSPACE', 'cluster']), ['cluster', 'keyspace']);
  t.same(names(['module_list']), ['modules']);
  t.same(names(['nosuch']), []);
  t.same(names(['default', 'commandstats']), [...defaults, 'commandstats'].sort());
});

t.test('providers merge into or replace a section', async (t) => {
  // Just what the persistence and replication sections read of a node.
  const node = {
    keyspace: { dirty: 7, dbs: [] },
    lastSaveAt: 1_700_000_000_000,
    stats: { totalCommandsProcessed: 0, netInputBytes: 0, netOutputBytes: 0 },
  } as unknown as NodeContext;
  const before = genInfo(node, new Set(['persistence']));
  t.match(before, /^# Persistence\r\nloading:0\r\n/);
  t.match(before, /\r\nrdb_changes_since_last_save:7\r\n/);
  t.match(before, /\r\nrdb_last_save_time:1700000000\r\n/);
  provideInfoFields(node, 'persistence', () => [
    ['aof_enabled', 1],
    ['wal_segments', 3],
  ]);
  const after = genInfo(node, new Set(['persistence']));
  t.equal(after.split('\r\n').length, before.split('\r\n').length + 1, 'one field added');
  t.match(after, /\r\nrdb_last_load_keys_loaded:0\r\naof_enabled:1\r\naof_rewrite_in_progress:0\r\n/, 'replaced in place');
  t.match(after, /\r\nmodule_fork_last_cow_size:0\r\nwal_segments:3\r\n$/, 'new fields appended');
  replaceInfoSection(node, 'replication', () => [
    ['role', 'slave'],
    ['master_host', '127.0.0.1'],
  ]);
  t.equal(genInfo(node, new Set(['replication', 'cluster'])), '# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n');
});
