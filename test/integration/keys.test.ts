// Keyspace commands over a real socket: DEL UNLINK EXISTS TOUCH TYPE KEYS SCAN RANDOMKEY
// RENAME RENAMENX COPY MOVE SWAPDB OBJECT, with the exact replies and error strings of Redis
// 7.0 (each expectation was checked against redis-server 7.0.15).

import t, { type Test } from 'tap';
import { startCinnabar } from '../helpers/server';
import { RawConnection, bulks } from '../helpers/resp';


/** Splits a SCAN reply into its cursor and keys. */
function scanReply(s: string): { cursor: string; keys: string[] } {
  const m = /^\*2\r\n\$\d+\r\n(\d+)\r\n/.exec(s);
  if (m === null) throw new Error(`not a SCAN reply: ${JSON.stringify(s)}`);
  return { cursor: m[1], keys: bulks(s.slice(m[0].length)) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('keyspace commands', async (t) => {
  const node = await startCinnabar(t);
  const connect = async (t: Test) => {
    const c = await RawConnection.connect(node.port);
    t.teardown(() => c.close());
    return c;
  };

  t.test('DEL, UNLINK, EXISTS, TOUCH count keys, duplicates included', async (t) => {
    const c = await connect(t);
    t.equal(await c.call('SELECT', '1'), '+OK\r\n');
    await c.call('SET', 'a', '1');
    await c.call('SET', 'b', '2');
    t.equal(await c.call('EXISTS', 'a', 'a', 'b', 'nokey'), ':3\r\n');
    t.equal(await c.call('TOUCH', 'a', 'a', 'nokey'), ':2\r\n');
    t.equal(await c.call('DEL', 'a', 'a', 'b', 'c'), ':2\r\n');
    t.equal(await c.call('EXISTS', 'a', 'b'), ':0\r\n');
    await c.call('SET', 'a', '1');
    t.equal(await c.call('UNLINK', 'a', 'a'), ':1\r\n');
    t.equal(await c.call('DEL'), "-ERR wrong number of arguments for 'del' command\r\n");
    t.equal(await c.call('EXISTS'), "-ERR wrong number of arguments for 'exists' command\r\n");
    // An expired key is not counted as deleted.
    await c.call('SET', 'e', 'v', 'PX', '1');
    await sleep(10);
    t.equal(await c.call('DEL', 'e'), ':0\r\n');
  });

  t.test('TYPE', async (t) => {
    const c = await connect(t);
    await c.call('SET', 'type:s', 'v');
    t.equal(await c.call('TYPE', 'type:s'), '+string\r\n');
    t.equal(await c.call('TYPE', 'type:none'), '+none\r\n');
    t.equal(await c.call('TYPE'), "-ERR wrong number of arguments for 'type' command\r\n");
  });

  t.test('KEYS matches globs and skips expired keys', async (t) => {
    const c = await connect(t);
    t.equal(await c.call('SELECT', '2'), '+OK\r\n');
    for (const k of ['hello', 'hallo', 'hxllo', 'hllo', 'heeeello', '', 'h*llo']) await c.call('SET', k, '1');
    t.same(bulks(await c.call('KEYS', 'h?llo')).sort(), ['h*llo', 'hallo', 'hello', 'hxllo']);
    t.same(bulks(await c.call('KEYS', 'h*llo')).sort(), ['h*llo', 'hallo', 'heeeello', 'hello', 'hllo', 'hxllo']);
    t.same(bulks(await c.call('KEYS', 'h[ae]llo')).sort(), ['hallo', 'hello']);
    t.same(bulks(await c.call('KEYS', 'h[^e]llo')).sort(), ['h*llo', 'hallo', 'hxllo']);
    t.same(bulks(await c.call('KEYS', 'h\\*llo')), ['h*llo']);
    t.same(bulks(await c.call('KEYS', '*')).length, 7, '"*" lists the empty key too');
    t.same(bulks(await c.call('KEYS', '**')).length, 6, '"**" does not match the empty key');
    t.equal(await c.call('KEYS', 'nomatch*'), '*0\r\n');
    await c.call('SET', 'hyllo', '1', 'PX', '1');
    await sleep(10);
    t.notOk(bulks(await c.call('KEYS', 'h?llo')).includes('hyllo'));
  });

  t.test('SCAN argument errors', async (t) => {
    const c = await connect(t);
    for (const [args, reply] of [
      [['abc'], '-ERR invalid cursor\r\n'],
      [[' 0'], '-ERR invalid cursor\r\n'],
      [['0 '], '-ERR invalid cursor\r\n'],
      [['18446744073709551616'], '-ERR invalid cursor\r\n'],
      [['abc', 'COUNT', '0'], '-ERR invalid cursor\r\n'],
      [['0', 'COUNT', '0'], '-ERR syntax error\r\n'],
      [['0', 'COUNT', '-1'], '-ERR syntax error\r\n'],
      [['0', 'COUNT', 'x'], '-ERR value is not an integer or out of range\r\n'],
      [['0', 'COUNT'], '-ERR syntax error\r\n'],
      [['0', 'MATCH'], '-ERR syntax error\r\n'],
      [['0', 'TYPE'], '-ERR syntax error\r\n'],
      [['0', 'foo', 'bar'], '-ERR syntax error\r\n'],
      [[], "-ERR wrong number of arguments for 'scan' command\r\n"],
    ] as const) {
      t.equal(await c.call('SCAN', ...args), reply, args.join(' '));
    }
  });

  t.test('SCAN small db, odd cursors, MATCH and TYPE', async (t) => {
    const c = await connect(t);
    t.equal(await c.call('SELECT', '3'), '+OK\r\n');
    t.equal(await c.call('SCAN', '0'), '*2\r\n$1\r\n0\r\n*0\r\n');
    await c.call('SET', 'a', '1');
    await c.call('SET', 'b', '2');
    t.equal(await c.call('SCAN', '0'), '*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n');
    t.equal(await c.call('SCAN', ''), '*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n', 'empty cursor is 0');
    t.equal(await c.call('SCAN', '+0'), '*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n');
    t.equal(await c.call('SCAN', '-1'), '*2\r\n$1\r\n0\r\n*0\r\n', 'a cursor past the end finishes');
    t.equal(await c.call('SCAN', '18446744073709551615'), '*2\r\n$1\r\n0\r\n*0\r\n');
    t.equal(await c.call('SCAN', '0', 'MATCH', 'b*'), '*2\r\n$1\r\n0\r\n*1\r\n$1\r\nb\r\n');
    t.equal(await c.call('SCAN', '0', 'match', '*', 'count', '1', 'COUNT', '100'), '*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n');
    t.equal(await c.call('SCAN', '0', 'TYPE', 'STRING'), '*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n');
    t.equal(await c.call('SCAN', '0', 'TYPE', 'list'), '*2\r\n$1\r\n0\r\n*0\r\n');
    t.equal(await c.call('SCAN', '0', 'TYPE', 'nosuchtype'), '*2\r\n$1\r\n0\r\n*0\r\n');
    // COUNT 1 over two keys: a non-zero cursor first, then the rest and 0.
    const first = scanReply(await c.call('SCAN', '0', 'COUNT', '1'));
    t.not(first.cursor, '0');
    t.same(first.keys, ['a']);
    const second = scanReply(await c.call('SCAN', first.cursor, 'COUNT', '1'));
    t.same(second, { cursor: '0', keys: ['b'] });
    await c.call('HELLO', '3');
    t.equal(await c.call('SCAN', '0'), '*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n', 'same shape in RESP3');
  });

  t.test('SCAN iterates a large db once, while another client writes', async (t) => {
    const c = await connect(t);
    const w = await connect(t);
    await c.call('SELECT', '4');
    await w.call('SELECT', '4');
    let load = '';
    for (let i = 0; i < 3000; i++) load += `*3\r\n$3\r\nSET\r\n$${String(i).length + 5}\r\nscan:${i}\r\n$1\r\nv\r\n`;
    w.writeRaw(load);
    for (let i = 0; i < 3000; i++) await w.reply();
    const seen = new Map<string, number>();
    let cursor = '0';
    let calls = 0;
    let added = 0;
    do {
      const r = scanReply(await c.call('SCAN', cursor, 'COUNT', '25', 'MATCH', 'scan:*'));
      t.ok(/^(0|[1-9][0-9]*)$/.test(r.cursor), 'decimal cursor');
      for (const k of r.keys) seen.set(k, (seen.get(k) ?? 0) + 1);
      cursor = r.cursor;
      calls++;
      // Churn between calls: new keys, and deletes of keys already returned (so that a
      // cursor resumed by position instead of by live iterator would skip unseen keys).
      await w.call('SET', `other:${added++}`, 'x');
      await w.call('DEL', `scan:${calls - 1}`);
    } while (cursor !== '0');
    let missing = 0;
    let twice = 0;
    // Keys from `calls` on were never deleted: each must appear exactly once.
    for (let i = calls; i < 3000; i++) {
      const n = seen.get(`scan:${i}`) ?? 0;
      if (n === 0) missing++;
      if (n > 1) twice++;
    }
    t.equal(missing, 0, 'no stable key missed');
    t.equal(twice, 0, 'no key returned twice');
    t.ok(calls >= 100 && calls < 130, `about 3000/25 calls (${calls})`);
    t.notOk([...seen.keys()].some((k) => k.startsWith('other:')), 'MATCH filters');
  });

  t.test('SCAN skips and deletes expired keys', async (t) => {
    const c = await connect(t);
    await c.call('SELECT', '5');
    await c.call('SET', 'live', '1');
    await c.call('SET', 'dying', '1', 'PX', '1');
    await sleep(10);
    t.equal(await c.call('SCAN', '0'), '*2\r\n$1\r\n0\r\n*1\r\n$4\r\nlive\r\n');
    t.equal(await c.call('DBSIZE'), ':1\r\n');
  });

  t.test('RANDOMKEY', async (t) => {
    const c = await connect(t);
    await c.call('SELECT', '6');
    t.equal(await c.call('RANDOMKEY'), '$-1\r\n');
    await c.call('SET', 'gone', '1', 'PX', '1');
    await sleep(10);
    t.equal(await c.call('RANDOMKEY'), '$-1\r\n', 'expired keys are deleted, not returned');
    t.equal(await c.call('DBSIZE'), ':0\r\n');
    for (const k of ['x', 'y', 'z']) await c.call('SET', k, '1');
    const seen = new Set<string>();
    for (let i = 0; i < 200 && seen.size < 3; i++) seen.add(bulks('*1\r\n' + (await c.call('RANDOMKEY')))[0]);
    t.same([...seen].sort(), ['x', 'y', 'z']);
    t.equal(await c.call('RANDOMKEY', 'x'), "-ERR wrong number of arguments for 'randomkey' command\r\n");
    const r3 = await connect(t);
    await r3.call('HELLO', '3');
    await r3.call('SELECT', '7');
    t.equal(await r3.call('RANDOMKEY'), '_\r\n', 'RESP3 null');
  });

  t.test('RENAME and RENAMENX', async (t) => {
    const c = await connect(t);
    await c.call('SELECT', '8');
    t.equal(await c.call('RENAME', 'nokey', 'a'), '-ERR no such key\r\n');
    t.equal(await c.call('RENAME', 'nokey', 'nokey'), '-ERR no such key\r\n');
    t.equal(await c.call('RENAMENX', 'nokey', 'nokey'), '-ERR no such key\r\n');
    await c.call('SET', 'a', '1');
    t.equal(await c.call('RENAME', 'a', 'a'), '+OK\r\n');
    t.equal(await c.call('RENAMENX', 'a', 'a'), ':0\r\n');
    await c.call('SET', 'b', '2');
    t.equal(await c.call('RENAMENX', 'a', 'b'), ':0\r\n');
    await c.call('EXPIRE', 'b', '100');
    await c.call('EXPIRE', 'a', '50');
    t.equal(await c.call('RENAME', 'a', 'b'), '+OK\r\n');
    t.equal(await c.call('GET', 'b'), '$1\r\n1\r\n');
    t.equal(await c.call('EXISTS', 'a'), ':0\r\n');
    t.equal(await c.call('TTL', 'b'), ':50\r\n', 'the source TTL moves with the value');
    await c.call('SET', 'c', '3');
    t.equal(await c.call('RENAME', 'c', 'b'), '+OK\r\n');
    t.equal(await c.call('TTL', 'b'), ':-1\r\n', "the destination's old TTL is gone");
    t.equal(await c.call('RENAMENX', 'b', 'd'), ':1\r\n');
    t.equal(await c.call('GET', 'd'), '$1\r\n3\r\n');
    t.equal(await c.call('RENAME', 'd'), "-ERR wrong number of arguments for 'rename' command\r\n");
  });

  t.test('COPY', async (t) => {
    const c = await connect(t);
    await c.call('SELECT', '9');
    await c.call('SET', 'b', '1');
    for (const [args, reply] of [
      [['b', 'b'], '-ERR source and destination objects are the same\r\n'],
      [['b', 'b', 'DB', '9'], '-ERR source and destination objects are the same\r\n'],
      [['nokey', 'nokey'], '-ERR source and destination objects are the same\r\n'],
      [['b', 'c', 'DB', '16'], '-ERR DB index is out of range\r\n'],
      [['b', 'c', 'DB', '-1'], '-ERR DB index is out of range\r\n'],
      [['nokey', 'c', 'DB', '99'], '-ERR DB index is out of range\r\n'],
      [['b', 'c', 'DB', 'x'], '-ERR value is not an integer or out of range\r\n'],
      [['b', 'c', 'DB', '99999999999'], '-ERR value is out of range, value must between -2147483648 and 2147483647\r\n'],
      [['b', 'c', 'DB'], '-ERR syntax error\r\n'],
      [['b', 'c', 'foo'], '-ERR syntax error\r\n'],
      [['nokey', 'c'], ':0\r\n'],
      [['b'], "-ERR wrong number of arguments for 'copy' command\r\n"],
    ] as const) {
      t.equal(await c.call('COPY', ...args), reply, args.join(' '));
    }
    await c.call('PEXPIRE', 'b', '100000');
    t.equal(await c.call('COPY', 'b', 'c', 'replace', 'REPLACE'), ':1\r\n');
    t.equal(await c.call('GET', 'c'), '$1\r\n1\r\n');
    t.match(await c.call('PTTL', 'c'), /^:(99\d\d\d|100000)\r\n$/, 'TTL copied');
    await c.call('SET', 'd', 'x');
    t.equal(await c.call('COPY', 'b', 'd'), ':0\r\n');
    t.equal(await c.call('COPY', 'b', 'd', 'REPLACE'), ':1\r\n');
    t.equal(await c.call('GET', 'd'), '$1\r\n1\r\n');
    t.equal(await c.call('COPY', 'b', 'b', 'DB', '10'), ':1\r\n');
    t.equal(await c.call('COPY', 'b', 'b', 'DB', '10'), ':0\r\n', 'exists in the target db');
    await c.call('SELECT', '10');
    t.equal(await c.call('GET', 'b'), '$1\r\n1\r\n');
    t.match(await c.call('TTL', 'b'), /^:(99|100)\r\n$/);
    t.equal(await c.call('GET', 'b'), '$1\r\n1\r\n', 'source untouched');
  });

  t.test('MOVE', async (t) => {
    const c = await connect(t);
    await c.call('SELECT', '11');
    await c.call('SET', 'm', 'v');
    for (const [args, reply] of [
      [['m', '11'], '-ERR source and destination objects are the same\r\n'],
      [['nokey', '11'], '-ERR source and destination objects are the same\r\n'],
      [['m', '16'], '-ERR DB index is out of range\r\n'],
      [['m', '-1'], '-ERR DB index is out of range\r\n'],
      [['m', 'x'], '-ERR value is not an integer or out of range\r\n'],
      [['m', ' 1'], '-ERR value is not an integer or out of range\r\n'],
      [['m', '2147483648'], '-ERR value is out of range, value must between -2147483648 and 2147483647\r\n'],
      [['nokey', '12'], ':0\r\n'],
      [['m'], "-ERR wrong number of arguments for 'move' command\r\n"],
    ] as const) {
      t.equal(await c.call('MOVE', ...args), reply, args.join(' '));
    }
    await c.call('EXPIRE', 'm', '100');
    t.equal(await c.call('MOVE', 'm', '12'), ':1\r\n');
    t.equal(await c.call('EXISTS', 'm'), ':0\r\n');
    await c.call('SET', 'm', 'again');
    t.equal(await c.call('MOVE', 'm', '12'), ':0\r\n', 'exists in the target db');
    await c.call('SELECT', '12');
    t.equal(await c.call('GET', 'm'), '$1\r\nv\r\n');
    t.equal(await c.call('TTL', 'm'), ':100\r\n', 'TTL moved');
  });

  t.test('SWAPDB', async (t) => {
    const c = await connect(t);
    const other = await connect(t);
    await c.call('SELECT', '13');
    await other.call('SELECT', '14');
    await c.call('SET', 'in13', 'a');
    await c.call('SET', 'ttl13', 'a', 'EX', '100');
    await other.call('SET', 'in14', 'b');
    for (const [args, reply] of [
      [['x', '1'], '-ERR invalid first DB index\r\n'],
      [['0', 'x'], '-ERR invalid second DB index\r\n'],
      [['x', 'y'], '-ERR invalid first DB index\r\n'],
      [['99999999999', '0'], '-ERR invalid first DB index\r\n'],
      [['0', '99999999999'], '-ERR invalid second DB index\r\n'],
      [['0', '16'], '-ERR DB index is out of range\r\n'],
      [['-1', '0'], '-ERR DB index is out of range\r\n'],
      [['13', '13'], '+OK\r\n'],
      [['13'], "-ERR wrong number of arguments for 'swapdb' command\r\n"],
    ] as const) {
      t.equal(await c.call('SWAPDB', ...args), reply, args.join(' '));
    }
    t.equal(await c.call('SWAPDB', '13', '14'), '+OK\r\n');
    t.equal(await c.call('DBSIZE'), ':1\r\n');
    t.equal(await c.call('GET', 'in14'), '$1\r\nb\r\n', 'a client keeps its index and sees the other data');
    t.equal(await other.call('DBSIZE'), ':2\r\n');
    t.equal(await other.call('GET', 'in13'), '$1\r\na\r\n');
    t.equal(await other.call('TTL', 'ttl13'), ':100\r\n', 'TTLs travel with their db');
  });

  t.test('OBJECT', async (t) => {
    const c = await connect(t);
    await c.call('SELECT', '15');
    const help = await c.call('OBJECT', 'HELP');
    t.equal(
      help,
      '*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+ENCODING <key>\r\n' +
        '+    Return the kind of internal representation used in order to store the value\r\n' +
        '+    associated with a <key>.\r\n+FREQ <key>\r\n' +
        '+    Return the access frequency index of the <key>. The returned integer is\r\n' +
        '+    proportional to the logarithm of the recent access frequency of the key.\r\n+IDLETIME <key>\r\n' +
        '+    Return the idle time of the <key>, that is the approximated number of\r\n' +
        '+    seconds elapsed since the last access to the key.\r\n+REFCOUNT <key>\r\n' +
        '+    Return the number of references of the value associated with the specified\r\n' +
        '+    <key>.\r\n+HELP\r\n+    Prints this help.\r\n',
    );
    t.equal(await c.call('OBJECT', 'help', 'x'), "-ERR wrong number of arguments for 'object|help' command\r\n");
    t.equal(await c.call('OBJECT'), "-ERR wrong number of arguments for 'object' command\r\n");
    t.equal(await c.call('OBJECT', 'foo'), "-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n");
    t.equal(await c.call('OBJECT', 'encoding'), "-ERR wrong number of arguments for 'object|encoding' command\r\n");
    for (const sub of ['encoding', 'refcount', 'idletime', 'freq']) {
      t.equal(await c.call('OBJECT', sub, 'nokey'), '$-1\r\n', `${sub} of a missing key`);
    }
    const enc: Array<[string, string, string]> = [
      ['100', 'int', ':2147483647\r\n'],
      ['0', 'int', ':2147483647\r\n'],
      ['9999', 'int', ':2147483647\r\n'],
      ['10000', 'int', ':1\r\n'],
      ['-1', 'int', ':1\r\n'],
      ['01', 'embstr', ':1\r\n'],
      ['x'.repeat(44), 'embstr', ':1\r\n'],
      ['x'.repeat(45), 'raw', ':1\r\n'],
    ];
    for (const [value, encoding, refcount] of enc) {
      await c.call('SET', 'o', value);
      t.equal(await c.call('OBJECT', 'ENCODING', 'o'), `$${encoding.length}\r\n${encoding}\r\n`, `encoding of ${value}`);
      t.equal(await c.call('OBJECT', 'REFCOUNT', 'o'), refcount, `refcount of ${value}`);
    }
    t.equal(await c.call('OBJECT', 'IDLETIME', 'o'), ':0\r\n');
    t.equal(
      await c.call('OBJECT', 'FREQ', 'o'),
      '-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n',
    );
    t.equal(await c.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'), '+OK\r\n');
    t.teardown(async () => {
      const r = await RawConnection.connect(node.port);
      await r.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
      r.close();
    });
    t.equal(
      await c.call('OBJECT', 'IDLETIME', 'o'),
      '-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n',
    );
    t.equal(await c.call('OBJECT', 'FREQ', 'o'), ':0\r\n');
    t.equal(await c.call('OBJECT', 'FREQ', 'nokey'), '$-1\r\n');
    await c.call('HELLO', '3');
    t.equal(await c.call('OBJECT', 'ENCODING', 'nokey'), '_\r\n');
  });
});
