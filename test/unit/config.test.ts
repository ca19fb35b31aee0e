// The configuration model: redis-server's command line and redis.conf syntax (quotes,
// comments, include, line numbers in fatal errors), value validation with Redis's messages,
// CONFIG SET atomicity and checks, CONFIG GET matching, CONFIG REWRITE output, and the typed
// `v` mirror. Expected texts come from redis-server 7.0.15.

import t from 'tap';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Config, ConfigError, ACCEPTED_AND_IGNORED, NOT_YET_ACTED_ON, ACTED_ON, NOTIFY, MAX_STRING_BYTES } from '../../src/config/config';
import { PARAMS } from '../../src/config/params';

const FATAL = '\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n';

function fatalAt(line: number, text: string, reason: string): string {
  return `${FATAL}Reading the configuration file, at line ${line}\n>>> '${text}'\n${reason}`;
}

/** The ConfigError message `fn` throws (fails the test when it does not throw one). */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return '(no error)';
}

function loaded(text: string): Config {
  const c = new Config();
  c.load(text);
  return c;
}

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cinnabar-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('defaults match a fresh redis-server 7.0.15, except bind, dir and appendonly', async (t) => {
  const c = new Config();
  const get = (n: string): string | undefined => c.get(n);
  t.equal(get('port'), '6379');
  t.equal(get('bind'), '127.0.0.1 -::1');
  t.equal(get('dir'), path.resolve('data'));
  t.equal(get('save'), '3600 1 300 100 60 10000');
  t.equal(get('appendonly'), 'yes', 'Cinnabar keeps data by default');
  t.equal(get('appendfsync'), 'everysec');
  t.equal(get('client-output-buffer-limit'), 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60');
  t.equal(get('oom-score-adj-values'), '0 200 800');
  t.equal(get('latency-tracking-info-percentiles'), '50 99 99.9');
  t.equal(get('proc-title-template'), '{title} {listen-addr} {server-mode}');
  t.equal(get('maxmemory-clients'), '0');
  t.equal(get('unixsocketperm'), '0');
  t.equal(get('shutdown-on-sigint'), 'default');
  t.equal(get('list-max-ziplist-size'), '-2');
  t.equal(get('replicaof'), '');
  t.equal(get('requirepass'), '');
  t.equal(get('MAXMEMORY'), '0', 'names are case-insensitive');
  t.equal(get('no-such-thing'), undefined);
  t.same(c.v.bind, ['127.0.0.1', '-::1']);
  t.equal(c.v.databases, 16);
  // 512mb as configured (CONFIG GET), read as V8's string limit less a margin (DIFFERENCES.md).
  t.equal(get('proto-max-bulk-len'), String(512 * 1024 * 1024));
  t.equal(c.v.protoMaxBulkLen, MAX_STRING_BYTES);
  t.ok(MAX_STRING_BYTES < 512 * 1024 * 1024);
  t.equal(c.v.clientQueryBufferLimit, 1024 * 1024 * 1024);
  t.same(c.v.save, [
    { seconds: 3600, changes: 1 },
    { seconds: 300, changes: 100 },
    { seconds: 60, changes: 10000 },
  ]);
});

t.test('every Redis 7.0 parameter is known (192 names with aliases, plus hidden ones) and Cinnabar adds its own', async (t) => {
  const c = new Config();
  const visible = c.getMatching(['*']);
  const own = ['wal-segment-size', 'snapshot-wal-bytes', 'snapshot-interval'];
  t.equal(visible.filter(([n]) => !own.includes(n)).length, 192);
  for (const n of own) t.ok(visible.some(([m]) => m === n), `${n} is listed`);
  for (const hidden of ['use-exit-on-panic', 'rdb-key-save-delay', 'key-load-delay', 'watchdog-period', 'loading-process-events-interval-bytes']) {
    t.notOk(visible.some(([n]) => n === hidden), `${hidden} is not listed by a pattern`);
    t.ok(c.get(hidden) !== undefined, `${hidden} answers to its exact name`);
  }
  const all = [...ACCEPTED_AND_IGNORED, ...NOT_YET_ACTED_ON, ...ACTED_ON];
  t.equal(all.length, PARAMS.length, 'every parameter has exactly one effect class');
  t.ok(ACTED_ON.includes('port') && ACTED_ON.includes('requirepass') && ACTED_ON.includes('loglevel'));
  t.ok(ACTED_ON.includes('appendonly') && ACTED_ON.includes('cluster-enabled') && NOT_YET_ACTED_ON.includes('maxmemory'));
  t.ok(ACCEPTED_AND_IGNORED.includes('activerehashing'));
});

t.test('docs/config-ignored.md lists every accepted-and-ignored parameter', async (t) => {
  const doc = readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'config-ignored.md'), 'utf8');
  for (const name of [...ACCEPTED_AND_IGNORED, ...NOT_YET_ACTED_ON]) t.ok(doc.includes('`' + name + '`'), name);
});

t.test('command line: --name values are joined into config lines after the file', async (t) => {
  const c = Config.fromArgs(['--port', '7000', '--save', '--maxmemory', '10mb', '--requirepass', 'a b"c', '--bind', '127.0.0.2', '-::1']);
  t.equal(c.get('port'), '7000');
  t.equal(c.get('save'), '', 'a bare --save means save ""');
  t.equal(c.get('maxmemory'), '10485760');
  t.equal(c.get('requirepass'), 'a b"c', 'a value with spaces and quotes stays one argument');
  t.equal(c.get('bind'), '127.0.0.2 -::1');
  t.equal(Config.fromArgs(['--hz', '5', '--save']).get('save'), '', '--save as the last argument');
  t.equal(Config.fromArgs(['--save', '10', '1', '20', '2']).get('save'), '10 1 20 2');
  t.equal(Config.fromArgs(['--port 7001']).get('port'), '7001', 'name and value in one argument');
  t.equal(Config.fromArgs(['--requirepass', '']).get('requirepass'), '', 'an empty value');
  t.equal(Config.fromArgs([]).configFile, null);
  // What follows a bare name is its value even if it starts with "--".
  t.equal(errorOf(() => Config.fromArgs(['--port', '--bind', '1.2.3.4'])), fatalAt(2, 'port "--bind" "1.2.3.4"', 'wrong number of arguments'));
  t.equal(errorOf(() => Config.fromArgs(['--save', '--port', 'x'])), fatalAt(3, 'port "x"', "argument couldn't be parsed into an integer"));
  t.equal(errorOf(() => Config.fromArgs(['--port', '7820', '-v'])), fatalAt(2, 'port "7820" "-v"', 'wrong number of arguments'));
});

t.test('command line errors are redis-server fatal messages', async (t) => {
  const cases: Array<[string[], string]> = [
    [['--port', 'abc'], fatalAt(2, 'port "abc"', "argument couldn't be parsed into an integer")],
    [['--foo', 'bar'], fatalAt(2, 'foo "bar"', 'Bad directive or wrong number of arguments')],
    [['--databases', '-1'], fatalAt(2, 'databases "-1"', 'argument must be between 1 and 2147483647 inclusive')],
    [['--port', '70000'], fatalAt(2, 'port "70000"', 'argument must be between 0 and 65535 inclusive')],
    [['--port'], fatalAt(2, 'port', 'wrong number of arguments')],
    [['--maxclients', '0'], fatalAt(2, 'maxclients "0"', 'argument must be between 1 and 4294967295 inclusive')],
    [['--maxmemory', '-1'], fatalAt(2, 'maxmemory "-1"', 'argument must be a memory value')],
    [['--maxmemory-clients', '200%'], fatalAt(2, 'maxmemory-clients "200%"', 'percentage argument must be less or equal to 100')],
    [['--maxmemory-clients', 'x'], fatalAt(2, 'maxmemory-clients "x"', 'argument must be a memory or percent value')],
    [['--proto-max-bulk-len', '10'], fatalAt(2, 'proto-max-bulk-len "10"', 'argument must be between 1048576 and 9223372036854775807 inclusive')],
    [['--unixsocketperm', '999'], fatalAt(2, 'unixsocketperm "999"', "argument couldn't be parsed as an octal number")],
    [['--loglevel', 'foo'], fatalAt(2, 'loglevel "foo"', 'argument(s) must be one of the following: debug, verbose, notice, warning')],
    [['--appendonly', 'maybe'], fatalAt(2, 'appendonly "maybe"', "argument must be 'yes' or 'no'")],
    [['--save', '10'], fatalAt(2, 'save "10"', 'Invalid save parameters')],
    [['--notify-keyspace-events', 'X'], fatalAt(2, 'notify-keyspace-events "X"', "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")],
    [['--client-output-buffer-limit', 'master', '1', '2', '3'], fatalAt(2, 'client-output-buffer-limit "master" "1" "2" "3"', 'Invalid client class specified in buffer limit configuration.')],
    [['--oom-score-adj-values', '1', '2'], fatalAt(2, 'oom-score-adj-values "1" "2"', 'wrong number of arguments')],
    [['--replicaof', '1.2.3.4', '99999'], fatalAt(2, 'replicaof "1.2.3.4" "99999"', 'Invalid master port')],
    [['--dbfilename', 'a/b'], fatalAt(2, 'dbfilename "a/b"', "dbfilename can't be a path, just a filename")],
    [['--proc-title-template', '{foo}'], fatalAt(2, 'proc-title-template "{foo}"', 'template format is invalid or contains unknown variables')],
    [['--cluster-announce-hostname', 'a_b'], fatalAt(2, 'cluster-announce-hostname "a_b"', 'Hostnames may only contain alphanumeric characters, hyphens or dots')],
    [['--bind', ...'1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17'.split(' ')], fatalAt(2, 'bind ' + '1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17'.split(' ').map((a) => `"${a}"`).join(' '), 'Too many bind addresses specified.')],
    [['--dir', '/etc/passwd'], fatalAt(2, 'dir "/etc/passwd"', 'Not a directory')],
    [['--foo.bar'], fatalAt(2, 'foo.bar', 'Module config specified without value')],
    [['--foo.bar', '1'], 'Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting'],
    [['--cluster-enabled', 'yes', '--replicaof', '1.2.3.4', '5'], FATAL + 'replicaof directive not allowed in cluster mode'],
    [['--logfile', '/nonexistent-cinnabar-dir/x.log'], FATAL + "Can't open the log file: No such file or directory"],
    [['--tls-port', '6380'], 'Failed to configure TLS: Cinnabar does not support TLS.'],
    [['--rename-command', 'FLUSHALL', ''], fatalAt(2, 'rename-command "FLUSHALL" ""', 'rename-command is not supported by Cinnabar')],
    [['--sentinel'], 'Sentinel mode is not supported by Cinnabar.'],
  ];
  for (const [argv, want] of cases) t.equal(errorOf(() => Config.fromArgs(argv)), want, argv.join(' '));
  // Directives Redis 7.0 still accepts and ignores.
  t.doesNotThrow(() => Config.fromArgs(['--list-max-ziplist-entries', '5', '--lua-replicate-commands', 'yes']));
  t.equal(
    errorOf(() => Config.fromArgs(['--list-max-ziplist-entries'])),
    fatalAt(2, 'list-max-ziplist-entries', 'Bad directive or wrong number of arguments'),
  );
});

t.test('config file: comments, blank lines, quotes, CRLF, line numbers, options after it', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'c.conf');
  writeFileSync(
    file,
    '# a comment\n\n   maxmemory 1MB   \r\n\trequirepass "sec ret\\x21"\nappendfsync \'always\'\nSLAVE-READ-ONLY no\nsave 900 1\nsave 300 10\n',
  );
  const c = Config.fromArgs([file, '--hz', '20']);
  t.equal(c.configFile, file);
  t.equal(c.get('maxmemory'), '1048576');
  t.equal(c.get('requirepass'), 'sec ret!');
  t.equal(c.v.requirepass, 'sec ret!');
  t.equal(c.get('appendfsync'), 'always');
  t.equal(c.get('replica-read-only'), 'no', 'alias sets the same parameter');
  t.equal(c.get('save'), '900 1 300 10', 'save lines in a file add up');
  t.equal(c.get('hz'), '20');

  writeFileSync(file, '# c\nport 7000\n\n   maxmemory 1mb   \nfoo "bar\n');
  t.equal(errorOf(() => Config.fromArgs([file])), fatalAt(5, 'foo "bar', 'Unbalanced quotes in configuration line'));
  writeFileSync(file, 'port 7000\r\nhz  "abc" \r\n');
  t.equal(errorOf(() => Config.fromArgs([file])), fatalAt(2, 'hz  "abc"', "argument couldn't be parsed into an integer"));
  // The options start on the line after the file's last line (the file ends with "\n" or not).
  writeFileSync(file, 'port 7000\n# c\n');
  t.equal(errorOf(() => Config.fromArgs([file, '--hz', 'x'])), fatalAt(4, 'hz "x"', "argument couldn't be parsed into an integer"));
  writeFileSync(file, 'port 7000');
  t.equal(errorOf(() => Config.fromArgs([file, '--hz', 'x'])), fatalAt(2, 'hz "x"', "argument couldn't be parsed into an integer"));
  t.equal(
    errorOf(() => Config.fromArgs([path.join(dir, 'missing.conf')])),
    `Fatal error, can't open config file '${path.join(dir, 'missing.conf')}': No such file or directory`,
  );
});

t.test('include: files and globs, errors with the included file\'s line numbers', async (t) => {
  const dir = tempDir(t);
  mkdirSync(path.join(dir, 'conf.d'));
  writeFileSync(path.join(dir, 'conf.d', 'b.conf'), 'maxmemory 2mb\n');
  writeFileSync(path.join(dir, 'conf.d', 'a.conf'), 'maxmemory 1mb\ntimeout 9\n');
  writeFileSync(path.join(dir, 'inc.conf'), '# inc\nhz 5\n');
  const main = path.join(dir, 'main.conf');
  writeFileSync(main, `include ${dir}/inc.conf\ninclude ${dir}/conf.d/*.conf\ninclude ${dir}/empty.d/*.conf\n`);
  const c = Config.fromArgs([main]);
  t.equal(c.get('hz'), '5');
  t.equal(c.get('maxmemory'), String(2 * 1024 * 1024), 'glob matches are read in sorted order');
  t.equal(c.get('timeout'), '9');

  writeFileSync(path.join(dir, 'inc.conf'), '# inc\nhz 5\nloglevel xx\n');
  writeFileSync(main, `port 7000\ninclude ${dir}/inc.conf\n`);
  t.equal(errorOf(() => Config.fromArgs([main])), fatalAt(3, 'loglevel xx', 'argument(s) must be one of the following: debug, verbose, notice, warning'));
  writeFileSync(main, `include ${dir}/nope.conf\n`);
  t.equal(errorOf(() => Config.fromArgs([main])), `Fatal error, can't open config file '${dir}/nope.conf': No such file or directory`);

  // Redis quirk: after an include, each `save` line replaces the rules instead of adding.
  writeFileSync(path.join(dir, 'inc.conf'), '# empty\n');
  writeFileSync(main, `include ${dir}/inc.conf\nsave 100 1\nsave 200 2\n`);
  t.equal(Config.fromArgs([main]).get('save'), '200 2');
});

t.test('values: memory units, bools, enums, percent, octal, special kinds', async (t) => {
  const c = loaded(
    [
      'maxmemory 1GB',
      'proto-max-bulk-len 2mb',
      'activerehashing NO',
      'maxmemory-policy ALLKEYS-LRU',
      'maxmemory-clients 10%',
      'oom-score-adj relative',
      'notify-keyspace-events KEA',
      'shutdown-on-sigterm nosave force now',
      'latency-tracking-info-percentiles 99.9999 50',
      'client-output-buffer-limit replica 1k 2kb +5 normal 1 2 3',
      'hz 1000',
      'repl-backlog-size 1',
      'slowlog-log-slower-than -1',
      'list-max-listpack-size -2147483648',
      'maxmemory-samples 1',
      'bind ""',
    ].join('\n'),
  );
  t.equal(c.get('maxmemory'), String(1024 ** 3));
  t.equal(c.v.maxmemory, 1024 ** 3);
  t.equal(c.v.protoMaxBulkLen, 2 * 1024 * 1024);
  t.equal(c.get('activerehashing'), 'no');
  t.equal(c.get('maxmemory-policy'), 'allkeys-lru');
  t.equal(c.v.maxmemoryPolicy, 'allkeys-lru');
  t.equal(c.get('maxmemory-clients'), '10%');
  t.equal(c.get('oom-score-adj'), 'yes', 'a synonym reads back as Redis names it');
  t.equal(c.get('notify-keyspace-events'), 'AKE');
  t.equal(c.v.notifyKeyspaceEvents & NOTIFY.KEYSPACE, NOTIFY.KEYSPACE);
  t.equal(c.get('shutdown-on-sigterm'), 'nosave now force');
  t.equal(c.get('latency-tracking-info-percentiles'), '99.9999 50');
  t.equal(c.get('client-output-buffer-limit'), 'normal 1 2 3 slave 1000 2048 5 pubsub 33554432 8388608 60');
  t.equal(c.get('hz'), '500', 'hz is capped at 500');
  t.equal(c.v.hz, 500);
  t.equal(c.get('repl-backlog-size'), '16384', 'the backlog has a 16k minimum');
  t.equal(c.get('slowlog-log-slower-than'), '-1');
  t.equal(c.get('list-max-listpack-size'), '-2147483648');
  t.equal(c.get('bind'), '');
  t.same(c.v.bind, []);
  t.equal(loaded('hz 0').get('hz'), '1');
  t.equal(loaded('maxmemory 99999999999999999999').get('maxmemory'), '18446744073709551615');
  t.equal(loaded('notify-keyspace-events Kgn$m').get('notify-keyspace-events'), 'g$nKm');
  t.equal(loaded('unixsocketperm 0770').get('unixsocketperm'), '770');
  t.equal(loaded('replicaof 10.0.0.1 6380').get('replicaof'), '10.0.0.1 6380');
  t.same(loaded('replicaof 10.0.0.1 6380').v.replicaof, { host: '10.0.0.1', port: 6380 });
  t.equal(loaded('replicaof no one').get('slaveof'), '');
});

t.test('CONFIG SET: checks, atomicity and Redis\'s error precedence', async (t) => {
  const c = new Config();
  const set = (...flat: string[]) => {
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
    return c.set(pairs, { localClient: true });
  };
  t.same(set('foo', 'bar'), { kind: 'unknown', name: 'foo' });
  t.same(set('port', '1', 'foo', 'bar'), { kind: 'unknown', name: 'foo' });
  t.same(set('DATABASES', '5'), { kind: 'failed', name: 'DATABASES', reason: "can't set immutable config" });
  t.same(set('foo', '1', 'databases', '2'), { kind: 'unknown', name: 'foo' });
  t.same(set('databases', '2', 'foo', '1'), { kind: 'failed', name: 'databases', reason: "can't set immutable config" });
  t.same(set('dir', '/tmp'), { kind: 'failed', name: 'dir', reason: "can't set protected config" });
  t.same(set('maxmemory', '10', 'MAXMEMORY', '20'), { kind: 'failed', name: 'MAXMEMORY', reason: 'duplicate parameter' });
  t.same(set('MAXMEMORY', 'abc'), { kind: 'failed', name: 'maxmemory', reason: 'argument must be a memory value' }, 'parse errors name the parameter in lower case');
  t.same(set('maxmemory', '5', 'hz', 'abc'), { kind: 'failed', name: 'hz', reason: "argument couldn't be parsed into an integer" });
  t.equal(c.get('maxmemory'), '0', 'nothing changed when one value was refused');
  t.same(set('tls-port', '6390'), { kind: 'failed', name: 'tls-port', reason: 'Unable to update TLS configuration. Check server logs.' });
  t.equal(c.get('tls-port'), '0');
  t.same(set('activedefrag', 'yes'), {
    kind: 'failed',
    name: 'activedefrag',
    reason:
      'Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution',
  });
  t.same(set('shutdown-on-sigint', 'save nosave'), {
    kind: 'failed',
    name: 'shutdown-on-sigint',
    reason: "shutdown options SAVE and NOSAVE can't be used simultaneously",
  });

  t.equal(set('slave-priority', '5', 'replica-priority', '6'), null, 'an alias and its primary are different parameters');
  t.equal(c.get('replica-priority'), '6');
  t.equal(set('maxmemory', '5mb', 'timeout', '100', 'save', '', 'bind', '127.0.0.1  ::1'), null);
  t.equal(c.v.maxmemory, 5 * 1024 * 1024);
  t.equal(c.v.timeout, 100);
  t.same(c.v.save, []);
  t.same(c.v.bind, ['127.0.0.1', '', '::1'], 'multi-argument values split on single spaces');
  t.equal(set('save', '10 1 20 2'), null);
  t.equal(c.get('save'), '10 1 20 2', 'CONFIG SET save replaces the rules');
  t.equal(set('client-output-buffer-limit', 'pubsub 1 2 3'), null);
  t.equal(c.get('client-output-buffer-limit'), 'normal 0 0 0 slave 268435456 67108864 60 pubsub 1 2 3', 'other classes are kept');
  t.equal(set('loglevel', 'WARNING'), null);
  t.equal(c.v.loglevel, 'warning');
  t.same(c.set([['maxmemory', '1']], { localClient: true, loading: true }), null, 'maxmemory can change while loading');
  t.same(c.set([['appendonly', 'yes']], { localClient: true, loading: true }), { kind: 'loading' });
});

t.test('protected configs follow enable-protected-configs', async (t) => {
  const dir = tempDir(t);
  const local = loaded('enable-protected-configs local');
  t.same(local.set([['dir', dir]], { localClient: false }), { kind: 'failed', name: 'dir', reason: "can't set protected config" });
  t.equal(local.set([['dir', dir]], { localClient: true }), null);
  t.equal(local.v.dir, dir);
  t.same(loaded('enable-protected-configs yes').set([['dir', path.join(dir, 'missing')]], { localClient: false }), {
    kind: 'failed',
    name: 'dir',
    reason: 'No such file or directory',
  });
  t.same(loaded('enable-protected-configs yes').set([['dbfilename', 'a/b']], { localClient: false }), {
    kind: 'failed',
    name: 'dbfilename',
    reason: "dbfilename can't be a path, just a filename",
  });
});

t.test('change listeners run once per CONFIG SET and can refuse it', async (t) => {
  const c = new Config();
  const seen: string[] = [];
  c.onChange('loglevel', () => {
    seen.push('loglevel=' + c.v.loglevel);
  });
  c.onChange(['port', 'bind'], () => 'cannot rebind');
  t.equal(c.set([['loglevel', 'debug']], { localClient: true }), null);
  t.equal(c.set([['loglevel', 'debug']], { localClient: true }), null, 'an unchanged value does not call the listener');
  t.same(seen, ['loglevel=debug']);
  t.same(c.set([['loglevel', 'warning'], ['maxmemory', '7'], ['port', '7000']], { localClient: true }), {
    kind: 'failed',
    name: 'port',
    reason: 'cannot rebind',
  });
  t.equal(c.get('loglevel'), 'debug', 'every value of a refused CONFIG SET is restored');
  t.equal(c.get('maxmemory'), '0');
  t.equal(c.get('port'), '6379');
  t.same(seen, ['loglevel=debug', 'loglevel=warning', 'loglevel=debug'], 'listeners see the restored values too');
  t.equal(c.set([['port', '6379']], { localClient: true }), null, 'setting the current port is fine');
});

t.test('CONFIG GET matching: exact names as spelled, patterns case-insensitive, no duplicates', async (t) => {
  const c = new Config();
  t.same(c.getMatching(['maxmemory', 'MAXMEMORY']), [['maxmemory', '0']]);
  t.same(c.getMatching(['SLAVE-READ-ONLY']), [['SLAVE-READ-ONLY', 'yes']]);
  const names = (patterns: string[]): string[] => c.getMatching(patterns).map(([n]) => n).sort();
  t.same(names(['*read-only*']), ['replica-read-only', 'slave-read-only']);
  t.same(names(['MAXMEMORY', 'max*']), ['MAXMEMORY', 'maxclients', 'maxmemory-clients', 'maxmemory-eviction-tenacity', 'maxmemory-policy', 'maxmemory-samples']);
  t.same(names(['h?']), ['hz']);
  t.same(names(['*MAX*LEN*']), ['acllog-max-len', 'proto-max-bulk-len', 'slowlog-max-len']);
  t.same(names(['nosuch', '*exit*']), []);
  t.same(c.getMatching(['use-exit-on-panic']), [['use-exit-on-panic', 'no']]);
});

t.test('CONFIG REWRITE keeps the file\'s shape and appends what changed', async (t) => {
  const dir = tempDir(t);
  const old = [
    '# My config',
    'port 7811',
    '',
    '  # indented comment',
    'maxmemory 100mb',
    'save 900 1',
    'save 300 10',
    'list-max-ziplist-size -3',
    'slave-read-only yes',
    'hz 20',
    'hz 30',
    '  ',
    '\t',
    'requirepass "sec ret"',
    'include /somewhere/else.conf',
    'futureoption 1',
    'loglevel notice',
    '',
  ].join('\n');
  const c = loaded(`dir ${dir}\n` + old.replace('include /somewhere/else.conf\n', '').replace('futureoption 1\n', ''));
  t.equal(
    c.set(
      [
        ['maxmemory', '200mb'],
        ['hz', '10'],
        ['timeout', '5'],
        ['notify-keyspace-events', 'KEA'],
        ['slave-read-only', 'no'],
        ['replica-announce-ip', 'a b'],
        ['client-output-buffer-limit', 'normal 1mb 2mb 3'],
      ],
      { localClient: true },
    ),
    null,
  );
  const text = c.rewriteText(old);
  t.equal(
    text,
    [
      '# My config',
      'port 7811',
      '',
      '# indented comment',
      'maxmemory 200mb',
      'save 900 1',
      'save 300 10',
      'list-max-listpack-size -3',
      'replica-read-only no',
      'hz 10',
      '',
      'requirepass "sec ret"',
      'include /somewhere/else.conf',
      '# ??? futureoption 1',
      'loglevel notice',
      '',
      '# Generated by CONFIG REWRITE',
      'timeout 5',
      `dir "${dir}"`,
      'replica-announce-ip "a b"',
      'client-output-buffer-limit normal 1mb 2mb 3',
      'latency-tracking-info-percentiles 50 99 99.9',
      'notify-keyspace-events "AKE"',
      '',
    ].join('\n'),
  );
  // A second rewrite of the result changes nothing but keeps one signature.
  t.equal(c.rewriteText(text).split('# Generated by CONFIG REWRITE').length, 2);

  // Lines of options set back to "nothing" go away: requirepass "" and a primary's replicaof.
  const r = loaded('replicaof 10.0.0.1 6379\nrequirepass x');
  r.assign('replicaof', 'no one');
  r.set([['requirepass', '']], { localClient: true });
  const out = r.rewriteText('replicaof 10.0.0.1 6379\nslaveof 10.0.0.1 6379\nrequirepass x\n');
  t.notMatch(out, /replicaof|slaveof|requirepass/);
  t.match(out, /^save 3600 1\nsave 300 100\nsave 60 10000\n/m, 'save lines are always written');

  // The real file: written atomically, CONFIG REWRITE needs a file.
  const file = path.join(dir, 'x.conf');
  writeFileSync(file, 'port 7000\n');
  const f = Config.fromArgs([file, '--timeout', '3']);
  t.equal(f.rewrite(), null);
  t.match(readFileSync(file, 'latin1'), /^port 7000\n\n# Generated by CONFIG REWRITE\ntimeout 3\n/);
  t.equal(new Config().rewrite(), 'no config file');
});
