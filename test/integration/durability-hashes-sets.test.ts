// Hashes and sets survive restarts: a random workload over every hash and set write command
// (SPOP logged as SREM, HINCRBYFLOAT as HSET of its result, the STORE commands as sent), with
// keys renamed, copied, moved, expired and swapped between databases, and a SAVE in the
// middle so part of the data comes back from the LMDB snapshot (the type codecs) and the
// rest from the WAL. Dumped key by key (and hash encodings) before and after a graceful
// restart and after SIGKILL under appendfsync always.

import t from 'tap';
import { startCinnabar } from '../helpers/server';
import { RawConnection } from '../helpers/resp';
import { call, dataDir, dumpKeyspace, leaveOutExpiredBy, rng, runPipelined, sleep, sortedEntries, weightedWorkload, type DumpedKey, type WeightedMaker } from '../helpers/durability';

const DBS = 3;
const COMMANDS_PER_PHASE = 3000;

function workload(rand: () => number, count: number): string[][] {
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const hkey = (): string => 'h' + int(0, 12);
  const skey = (): string => 's' + int(0, 12);
  const key = (): string => (rand() < 0.5 ? hkey() : skey());
  const field = (): string => 'f' + int(0, 40);
  const bytes = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(int(0, 255))).join('');
  const value = (): string => {
    const r = rand();
    if (r < 0.3) return String(int(-1000, 1000));
    if (r < 0.4) return (rand() * 100 - 50).toFixed(int(0, 4));
    // Now and then longer than hash-max-listpack-value, so hashes convert.
    return bytes(rand() < 0.05 ? int(65, 90) : int(0, 10));
  };
  const member = (): string => (rand() < 0.7 ? String(int(-50, 50)) : 'm' + bytes(int(0, 4)));
  const members = (): string[] => Array.from({ length: int(1, 6) }, member);
  const now = Date.now();
  const makers: WeightedMaker[] = [
    [2, () => ['SELECT', String(int(0, DBS - 1))]],
    [6, () => ['HSET', hkey(), field(), value(), ...(rand() < 0.4 ? [field(), value()] : [])]],
    [1, () => ['HSET', hkey(), ...Array.from({ length: 30 }, (_, i) => ['g' + i, String(i)]).flat()]],
    [2, () => ['HMSET', hkey(), field(), value()]],
    [2, () => ['HSETNX', hkey(), field(), value()]],
    [4, () => ['HDEL', hkey(), field(), field(), field()]],
    [3, () => ['HINCRBY', hkey(), field(), String(int(-100, 100))]],
    [3, () => ['HINCRBYFLOAT', hkey(), field(), (rand() * 10 - 5).toFixed(int(0, 5))]],
    [6, () => ['SADD', skey(), ...members()]],
    [1, () => ['SADD', skey(), ...Array.from({ length: 40 }, (_, i) => String(i * 11))]],
    [4, () => ['SREM', skey(), ...members()]],
    [3, () => ['SPOP', skey()]],
    [3, () => ['SPOP', skey(), String(int(0, 8))]],
    [1, () => ['SPOP', skey(), String(int(20, 60))]],
    [2, () => ['SMOVE', skey(), skey(), member()]],
    [2, () => ['SINTERSTORE', skey(), skey(), skey()]],
    [2, () => ['SUNIONSTORE', skey(), skey(), skey()]],
    [2, () => ['SDIFFSTORE', skey(), skey(), skey()]],
    [1, () => ['SRANDMEMBER', skey(), String(int(-5, 5))]],
    [1, () => ['HRANDFIELD', hkey(), String(int(-5, 5))]],
    [1, () => ['DEL', key()]],
    [1, () => ['RENAME', key(), key()]],
    [1, () => ['COPY', key(), key(), ...(rand() < 0.5 ? ['DB', String(int(0, DBS - 1))] : []), 'REPLACE']],
    [1, () => ['MOVE', key(), String(int(0, DBS - 1))]],
    [2, () => ['PEXPIRE', key(), String(rand() < 0.3 ? int(20, 200) : int(100000, 900000))]],
    [1, () => ['PEXPIREAT', key(), String(now + int(100000, 900000))]],
    [1, () => ['PERSIST', key()]],
    [0.3, () => ['SWAPDB', String(int(0, DBS - 1)), String(int(0, DBS - 1))]],
    [1, () => ['HGETALL', hkey()]],
    [1, () => ['SMEMBERS', skey()]],
  ];
  const commands = weightedWorkload(rand, count, makers, [[0.001, () => ['FLUSHDB']]]);
  // Some seeds pop or flush most sets (or hashes) away: a dozen of each always reach the restart.
  commands.push(['SELECT', '0']);
  for (let i = 0; i < 12; i++) commands.push(['SADD', `tail:s${i}`, ...members()], ['HSET', `tail:h${i}`, field(), value()]);
  return commands;
}

/** OBJECT ENCODING of every hash in the dump ("db:key" → encoding). */
async function hashEncodings(port: number, dump: Map<string, DumpedKey>): Promise<Map<string, string>> {
  const c = await RawConnection.connect(port);
  const out = new Map<string, string>();
  try {
    for (const [name, k] of dump) {
      if (k.type !== 'hash') continue;
      const colon = name.indexOf(':');
      await call(c, 'SELECT', name.slice(0, colon));
      out.set(name, (await call(c, 'OBJECT', 'ENCODING', name.slice(colon + 1))) as string);
    }
  } finally {
    c.close();
  }
  return out;
}

t.test('hashes and sets come back identical after restarts, from snapshot and WAL', async (t) => {
  const dir = dataDir(t);
  const seed = Number(process.env.DURABILITY_SEED ?? Date.now() % 1_000_000);
  t.comment(`seed ${seed} (DURABILITY_SEED=${seed} replays the workload)`);
  const rand = rng(seed);
  // Snapshots only when asked (SAVE), so the test knows which part each path restores.
  const args = ['--snapshot-interval', '0', '--snapshot-wal-bytes', '0'];

  const phases: Array<{ name: string; fsync: string; stop: 'SIGTERM' | 'SIGKILL' }> = [
    { name: 'graceful restart (everysec)', fsync: 'everysec', stop: 'SIGTERM' },
    { name: 'SIGKILL under always', fsync: 'always', stop: 'SIGKILL' },
  ];
  for (const phase of phases) {
    const node = await startCinnabar(t, { dir, args: ['--appendfsync', phase.fsync, ...args] });
    const c = await RawConnection.connect(node.port);
    // Each half also converts one hash for certain (the random values may not), so both the
    // snapshot and the WAL carry a hashtable-encoded hash whatever the seed.
    const bigValue = 'v'.repeat(100);
    let errors = await runPipelined(c, [...workload(rand, COMMANDS_PER_PHASE / 2), ['HSET', 'converted:snapshot', 'f', bigValue]]);
    t.equal(await call(c, 'SAVE'), 'OK', `${phase.name}: SAVE in the middle`);
    errors += await runPipelined(c, [...workload(rand, COMMANDS_PER_PHASE / 2), ['HSET', 'converted:wal', 'f', bigValue]]);
    c.close();
    await sleep(250);
    const before = await dumpKeyspace(node.port, DBS);
    const encodingsBefore = await hashEncodings(node.port, before);
    const code = await node.stop(phase.stop);
    if (phase.stop === 'SIGTERM') t.equal(code, 0, 'clean exit');
    const restarted = await startCinnabar(t, { dir, args: ['--appendfsync', phase.fsync, ...args] });
    const after = await dumpKeyspace(restarted.port, DBS);
    // Keys whose time came while the node restarted are rightly gone: leave them out.
    leaveOutExpiredBy(Date.now() + 50, before, after, encodingsBefore);
    const encodingsAfter = await hashEncodings(restarted.port, before);
    await restarted.stop('SIGTERM');
    const types = [...before.values()].map((k) => k.type);
    const hashes = types.filter((x) => x === 'hash').length;
    const sets = types.filter((x) => x === 'set').length;
    t.ok(hashes > 10 && sets > 10, `${phase.name}: ${hashes} hashes, ${sets} sets, ${errors} error replies in the workload`);
    t.ok([...encodingsBefore.values()].includes('hashtable'), 'some hashes were converted to hashtables');
    t.same(sortedEntries(after), sortedEntries(before), `${phase.name}: same keys, values and absolute expiries`);
    t.same([...encodingsAfter].sort(), [...encodingsBefore].sort(), `${phase.name}: same hash encodings`);
  }
});
