// COMMAND COUNT/INFO/DOCS/LIST/GETKEYS/HELP against Debian's redis-server 7.0.15 started in
// the test: for commands Cinnabar implements, the raw replies must be the same bytes, in
// RESP2 and RESP3.

import t, { type Test } from 'tap';
import { startCinnabar, startRedis } from '../helpers/server';
import { RawConnection } from '../helpers/resp';

/** Top-level elements of an array, set or map reply (keys and values), as raw frames. */
function elements(raw: string): string[] {
  const nl = raw.indexOf('\r\n');
  const n = Number(raw.slice(1, nl)) * (raw[0] === '%' ? 2 : 1);
  const out: string[] = [];
  let pos = nl + 2;
  for (let i = 0; i < n; i++) {
    const len = frameAt(raw, pos);
    out.push(raw.slice(pos, pos + len));
    pos += len;
  }
  return out;
}

function frameAt(s: string, pos: number): number {
  const nl = s.indexOf('\r\n', pos);
  const type = s[pos];
  if ('+-:_,#('.includes(type)) return nl + 2 - pos;
  const n = Number(s.slice(pos + 1, nl));
  if (type === '$' || type === '=') return n < 0 ? nl + 2 - pos : nl + 2 - pos + n + 2;
  let p = nl + 2;
  for (let i = 0; i < (type === '%' ? 2 * n : n); i++) p += frameAt(s, p);
  return p - pos;
}

t.test('COMMAND against redis-server', async (t) => {
  const [redis, cinnabar] = await Promise.all([startRedis(t), startCinnabar(t)]);
  const r = await RawConnection.connect(redis.port);
  const c = await RawConnection.connect(cinnabar.port);
  t.teardown(() => {
    r.close();
    c.close();
  });

  /** Sends the same command to both and expects the same bytes back. */
  async function same(t: Test, ...args: string[]): Promise<string> {
    const [want, got] = await Promise.all([r.call(...args), c.call(...args)]);
    t.equal(got, want, args.join(' '));
    return got;
  }

  const implemented = ['get', 'set', 'mset', 'ping', 'client|list', 'incr', 'mget'];
  const cases: string[][] = [
    ...implemented.map((n) => ['COMMAND', 'INFO', n]),
    ...implemented.map((n) => ['COMMAND', 'DOCS', n]),
    ['COMMAND', 'INFO', 'GET', 'nosuch', 'CLIENT|LIST', 'client|', 'get|x', 'client|list|x'],
    ['COMMAND', 'DOCS', 'nosuch'],
    ['COMMAND', 'DOCS', 'get', 'nosuch', 'set'],
    ['COMMAND', 'GETKEYS', 'get'],
    ['COMMAND', 'GETKEYS', 'nosuch', 'a'],
    ['COMMAND', 'GETKEYS', 'get', 'a'],
    ['COMMAND', 'GETKEYS', 'GET', 'A'],
    ['COMMAND', 'GETKEYS', 'get', 'a', 'b'],
    ['COMMAND', 'GETKEYS', 'ping', 'x'],
    ['COMMAND', 'GETKEYS', 'set', 'a', 'b', 'EX', '10'],
    ['COMMAND', 'GETKEYS', 'mset', 'a', 'b', 'c', 'd'],
    ['COMMAND', 'GETKEYS', 'mset', 'a', 'b', 'c'],
    ['COMMAND', 'GETKEYS', 'client', 'list'],
    ['COMMAND', 'GETKEYS', 'client', 'nosuch'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'mset', 'a', 'b', 'c', 'd'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'set', 'a', 'b'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'set', 'a', 'b', 'get'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'set', 'a', 'get', 'b'],
    ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'client|l*'],
    ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'MGET'],
    ['COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'foo'],
    ['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'nosuch'],
    ['COMMAND', 'LIST', 'FILTERBY'],
    ['COMMAND', 'LIST', 'FILTERBY', 'foo', 'bar'],
    ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'a', 'b'],
    ['COMMAND', 'LIST', 'x'],
    ['COMMAND', 'HELP'],
    ['COMMAND', 'HELP', 'x'],
    ['COMMAND', 'COUNT', 'x'],
    ['COMMAND', 'FOO'],
  ];

  for (const resp of ['2', '3']) {
    t.test(`RESP${resp}`, async (t) => {
      await Promise.all([r.call('HELLO', resp), c.call('HELLO', resp)]);
      for (const args of cases) await same(t, ...args);
    });
  }

  t.test('COMMAND COUNT, COMMAND and COMMAND LIST agree on what is registered', async (t) => {
    await Promise.all([r.call('HELLO', '2'), c.call('HELLO', '2')]);
    const count = Number((await c.call('COMMAND', 'COUNT')).slice(1, -2));
    t.ok(count > 10, `${count} commands`);
    const all = elements(await c.call('COMMAND'));
    t.equal(all.length, count, 'COMMAND has one entry per command');
    t.same(elements(await c.call('COMMAND', 'INFO')), all, 'COMMAND INFO without names is COMMAND');
    const names = elements(await c.call('COMMAND', 'LIST')).map((e) => e.split('\r\n')[1]);
    t.equal(names.filter((n) => !n.includes('|')).length, count, 'COMMAND LIST top-level names');
    t.ok(names.includes('client|list'), 'COMMAND LIST includes subcommands');
    t.equal(elements(await c.call('COMMAND', 'DOCS')).length, 2 * count, 'COMMAND DOCS maps every command');
    // Entries without subcommands are byte for byte Redis's (the order of subcommands
    // follows Redis's hash table, which is random).
    for (const entry of all) {
      const fields = elements(entry);
      if (fields[9] !== '*0\r\n') continue;
      const name = fields[0].split('\r\n')[1];
      t.equal(entry, elements(await r.call('COMMAND', 'INFO', name))[0], `COMMAND entry of ${name}`);
    }
  });

  t.test('containers: same entries, subcommands in any order', async (t) => {
    for (const resp of ['2', '3']) {
      await Promise.all([r.call('HELLO', resp), c.call('HELLO', resp)]);
      const info = async (conn: RawConnection): Promise<[string[], string[]]> => {
        const fields = elements(elements(await conn.call('COMMAND', 'INFO', 'command'))[0]);
        return [fields.slice(0, 9), elements(fields[9]).sort()];
      };
      t.same(await info(c), await info(r), `RESP${resp} COMMAND INFO command`);
      const docs = async (conn: RawConnection): Promise<[string[], string[]]> => {
        const map = elements(elements(await conn.call('COMMAND', 'DOCS', 'command'))[1]);
        const subs = elements(map[map.length - 1]);
        const pairs: string[] = [];
        for (let i = 0; i < subs.length; i += 2) pairs.push(subs[i] + subs[i + 1]);
        return [map.slice(0, -1), pairs.sort()];
      };
      t.same(await docs(c), await docs(r), `RESP${resp} COMMAND DOCS command`);
    }
    await Promise.all([r.call('HELLO', '2'), c.call('HELLO', '2')]);
  });

  t.test('COMMAND LIST FILTERBY ACLCAT lists the registered commands of the category', async (t) => {
    const got = elements(await c.call('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'STRING')).sort();
    const redisAll = elements(await r.call('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'string'));
    const ours = new Set(elements(await c.call('COMMAND', 'LIST')));
    t.ok(got.length > 5);
    t.same(got, redisAll.filter((e) => ours.has(e)).sort());
  });
});
