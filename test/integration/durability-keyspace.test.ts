// A restart reproduces the keyspace exactly: a random workload over every write command
// Cinnabar has, across several databases (with short TTLs expiring mid-workload, so expiry
// DELs are in the log too), dumped key by key (type, value, absolute expiry) before and
// after a graceful restart and after SIGKILL under appendfsync always.

import t from 'tap';
import { startCinnabar } from '../helpers/server';
import { RawConnection } from '../helpers/resp';
import { dataDir, dumpKeyspace, leaveOutExpiredBy, rng, runPipelined, sleep, sortedEntries, weightedWorkload, type WeightedMaker } from '../helpers/durability';

const DBS = 4;
const COMMANDS_PER_PHASE = 4000;

/** Every write command (and a few reads, which expire keys lazily), with random arguments. */
function workload(rand: () => number, count: number): string[][] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const key = (): string => 'k' + int(0, 30);
  const db = (): string => String(int(0, DBS - 1));
  const value = (): string => {
    const r = rand();
    if (r < 0.35) return String(int(-1000, 1000));
    if (r < 0.45) return (rand() * 100 - 50).toFixed(int(0, 4));
    // Binary-safe: any byte, including NUL, CR, LF and bytes above 0x7f.
    return Array.from({ length: int(0, 12) }, () => String.fromCharCode(int(0, 255))).join('');
  };
  const now = Date.now();
  // Mostly long TTLs; some short ones expire during the workload (logged as DEL).
  const ttlMs = (): number => (rand() < 0.15 ? int(20, 250) : int(100000, 900000));
  const expiryOption = (): string[] => {
    const ms = ttlMs();
    return pick([
      ['EX', String(Math.ceil(ms / 1000))],
      ['PX', String(ms)],
      ['EXAT', String(Math.ceil((now + ms) / 1000) + 1)],
      ['PXAT', String(now + ms)],
    ]);
  };
  const makers: WeightedMaker[] = [
    [3, () => ['SELECT', db()]],
    [6, () => ['SET', key(), value()]],
    [6, () => ['SET', key(), value(), ...expiryOption()]],
    [3, () => ['SET', key(), value(), pick(['NX', 'XX']), ...(rand() < 0.5 ? expiryOption() : [])]],
    [2, () => ['SET', key(), value(), 'KEEPTTL', ...(rand() < 0.5 ? ['GET'] : [])]],
    [1, () => ['SET', key(), value(), 'GET', ...expiryOption()]],
    [1, () => ['SETNX', key(), value()]],
    [1, () => ['SETEX', key(), String(int(100, 1000)), value()]],
    [1, () => ['PSETEX', key(), String(ttlMs()), value()]],
    [1, () => ['GETSET', key(), value()]],
    [2, () => ['GETDEL', key()]],
    [3, () => ['GETEX', key(), ...pick([[], ['PERSIST'], expiryOption(), ['PXAT', String(now - 1000)]])]],
    [2, () => ['MSET', key(), value(), key(), value(), key(), value()]],
    [1, () => ['MSETNX', key(), value(), key(), value()]],
    [3, () => ['APPEND', key(), value()]],
    [2, () => ['SETRANGE', key(), String(int(0, 20)), value()]],
    [4, () => ['INCR', key()]],
    [2, () => ['DECR', key()]],
    [2, () => ['INCRBY', key(), String(int(-100, 100))]],
    [1, () => ['DECRBY', key(), String(int(-100, 100))]],
    [3, () => ['INCRBYFLOAT', key(), (rand() * 10 - 5).toFixed(int(0, 5))]],
    [2, () => ['DEL', key(), key()]],
    [1, () => ['UNLINK', key()]],
    [2, () => ['RENAME', key(), key()]],
    [1, () => ['RENAMENX', key(), key()]],
    [2, () => ['COPY', key(), key(), ...(rand() < 0.5 ? ['DB', db()] : []), ...(rand() < 0.5 ? ['REPLACE'] : [])]],
    [2, () => ['MOVE', key(), db()]],
    [1, () => ['SWAPDB', db(), db()]],
    [3, () => ['EXPIRE', key(), String(int(-5, 1000)), ...(rand() < 0.3 ? [pick(['NX', 'XX', 'GT', 'LT'])] : [])]],
    [2, () => ['PEXPIRE', key(), String(ttlMs()), ...(rand() < 0.3 ? [pick(['NX', 'XX', 'GT', 'LT'])] : [])]],
    [1, () => ['EXPIREAT', key(), String(pick([1, Math.floor(now / 1000) + int(100, 1000)]))]],
    [2, () => ['PEXPIREAT', key(), String(now + ttlMs())]],
    [2, () => ['PERSIST', key()]],
    [3, () => ['GET', key()]],
    [1, () => ['EXISTS', key(), key()]],
  ];
  const rare: WeightedMaker[] = [
    [0.002, () => ['FLUSHDB']],
    [0.0005, () => ['FLUSHALL']],
  ];
  return weightedWorkload(rand, count, makers, rare);
}

/** Runs the commands in pipelined batches with pauses, so short TTLs pass meanwhile. */
async function run(port: number, commands: string[][]): Promise<{ errors: number }> {
  const c = await RawConnection.connect(port);
  try {
    return { errors: await runPipelined(c, commands) };
  } finally {
    c.close();
  }
}

t.test('a restart reproduces every key of every database', async (t) => {
  const dir = dataDir(t);
  const seed = Number(process.env.DURABILITY_SEED ?? Date.now() % 1_000_000);
  t.comment(`seed ${seed} (DURABILITY_SEED=${seed} replays the workload)`);
  const rand = rng(seed);

  const phases: Array<{ name: string; fsync: string; stop: 'SIGTERM' | 'SIGKILL' }> = [
    { name: 'graceful restart (everysec)', fsync: 'everysec', stop: 'SIGTERM' },
    { name: 'SIGKILL under always', fsync: 'always', stop: 'SIGKILL' },
  ];
  for (const phase of phases) {
    const node = await startCinnabar(t, { dir, args: ['--appendfsync', phase.fsync] });
    const { errors } = await run(node.port, workload(rand, COMMANDS_PER_PHASE));
    // Let the short TTLs pass, so nothing expires between the two dumps.
    await sleep(300);
    const before = await dumpKeyspace(node.port, DBS);
    const code = await node.stop(phase.stop);
    if (phase.stop === 'SIGTERM') t.equal(code, 0, 'clean exit');
    const restarted = await startCinnabar(t, { dir, args: ['--appendfsync', phase.fsync] });
    const after = await dumpKeyspace(restarted.port, DBS);
    // Keys whose time came while the node restarted are rightly gone: leave them out.
    leaveOutExpiredBy(Date.now() + 50, before, after);
    // The next phase starts its own node on this directory.
    await restarted.stop('SIGTERM');
    const withTtl = [...before.values()].filter((k) => k.pexpiretime > 0).length;
    t.ok(before.size > 40, `${phase.name}: ${before.size} keys (${withTtl} with a TTL), ${errors} error replies in the workload`);
    t.same(sortedEntries(after), sortedEntries(before), `${phase.name}: same keys, values and absolute expiries`);
  }
});
