// A restart reproduces every list exactly: a random workload over the list commands (and the
// generic ones that move, copy, expire or replace lists) across databases, while other
// clients wait in BLPOP/BRPOP/BLMOVE/BRPOPLPUSH/BLMPOP and are served by the workload's
// pushes (those pops happen outside any command and are logged as LPOP/LMOVE/...). A SAVE
// in the middle puts part of it in a snapshot. Dumped before and after a graceful restart
// and after SIGKILL under appendfsync always.

import t from 'tap';
import { startCinnabar } from '../helpers/server';
import { RawConnection } from '../helpers/resp';
import { call, dataDir, dumpKeyspace, pipeline, rng, sleep, sortedEntries, ReplyError, weightedWorkload, type WeightedMaker } from '../helpers/durability';

const DBS = 3;
const COMMANDS_PER_PHASE = 3000;
const BLOCKERS = 4;

type Rand = () => number;

function helpers(rand: Rand) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const key = (): string => 'l' + int(0, 12);
  const end = (): string => pick(['LEFT', 'RIGHT', 'left']);
  const value = (): string => {
    if (rand() < 0.4) return String(int(0, 20));
    return Array.from({ length: int(0, 10) }, () => String.fromCharCode(int(0, 255))).join('');
  };
  return { pick, int, key, end, value };
}

function workload(rand: Rand, count: number): string[][] {
  const { pick, int, key, end, value } = helpers(rand);
  const values = (): string[] => Array.from({ length: int(1, 6) }, value);
  const index = (): string => String(int(-8, 8));
  const makers: WeightedMaker[] = [
    [2, () => ['SELECT', String(int(0, DBS - 1))]],
    [10, () => ['RPUSH', key(), ...values()]],
    [8, () => ['LPUSH', key(), ...values()]],
    [2, () => ['LPUSHX', key(), ...values()]],
    [2, () => ['RPUSHX', key(), ...values()]],
    [4, () => ['LPOP', key(), ...(rand() < 0.4 ? [String(int(0, 4))] : [])]],
    [4, () => ['RPOP', key(), ...(rand() < 0.4 ? [String(int(0, 4))] : [])]],
    [3, () => ['LSET', key(), index(), value()]],
    [3, () => ['LINSERT', key(), pick(['BEFORE', 'AFTER']), String(int(0, 20)), value()]],
    [2, () => ['LREM', key(), String(int(-2, 2)), String(int(0, 20))]],
    [2, () => ['LTRIM', key(), index(), index()]],
    [3, () => ['LMOVE', key(), key(), end(), end()]],
    [2, () => ['RPOPLPUSH', key(), key()]],
    [2, () => ['LMPOP', '2', key(), key(), end(), ...(rand() < 0.5 ? ['COUNT', String(int(1, 5))] : [])]],
    // Blocking commands that find data (or time out at once inside the workload's own client).
    [1, () => ['BLPOP', key(), key(), '0.01']],
    [1, () => ['BLMOVE', key(), key(), end(), end(), '0.01']],
    [1, () => ['LRANGE', key(), '0', '-1']],
    [2, () => ['DEL', key()]],
    [0.3, () => ['SET', key(), value()]],
    [1, () => ['RENAME', key(), key()]],
    [1, () => ['COPY', key(), key(), 'DB', String(int(0, DBS - 1)), 'REPLACE']],
    [1, () => ['MOVE', key(), String(int(0, DBS - 1))]],
    [1, () => ['EXPIRE', key(), String(int(100, 1000))]],
    [0.2, () => ['SWAPDB', String(int(0, DBS - 1)), String(int(0, DBS - 1))]],
  ];
  return weightedWorkload(rand, count, makers);
}

/** A client that keeps waiting in random blocking commands until told to stop. */
class Blocker {
  served = 0;
  stop = false;
  id = '';
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly c: RawConnection,
    private readonly rand: Rand,
  ) {}

  async start(db: number): Promise<void> {
    await call(this.c, 'SELECT', String(db));
    this.id = String(await call(this.c, 'CLIENT', 'ID'));
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    const { pick, int, key, end } = helpers(this.rand);
    while (!this.stop) {
      const cmd = pick([
        () => ['BLPOP', key(), key(), '0'],
        () => ['BRPOP', key(), '0'],
        () => ['BLMOVE', key(), key(), end(), end(), '0'],
        () => ['BRPOPLPUSH', key(), key(), '0'],
        () => ['BLMPOP', '0', '2', key(), key(), end(), 'COUNT', String(int(1, 3))],
      ])();
      const r = await call(this.c, ...cmd);
      if (r !== null && !(r instanceof ReplyError)) this.served++;
    }
  }

  /** Unblocks it (CLIENT UNBLOCK) until its loop has ended. */
  async finish(admin: RawConnection): Promise<void> {
    this.stop = true;
    let ended = false;
    void this.done.then(() => (ended = true));
    while (!ended) {
      await call(admin, 'CLIENT', 'UNBLOCK', this.id);
      await sleep(10);
    }
    this.c.close();
  }
}

async function run(port: number, commands: string[][], midway: () => Promise<void>): Promise<number> {
  const c = await RawConnection.connect(port);
  let errors = 0;
  try {
    for (let i = 0; i < commands.length; i += 50) {
      for (const r of await pipeline(c, commands.slice(i, i + 50))) if (r instanceof ReplyError) errors++;
      if (i === Math.floor(commands.length / 100) * 50) await midway();
      // Let the blockers send their next command between batches.
      await sleep(2);
    }
  } finally {
    c.close();
  }
  return errors;
}

t.test('a restart reproduces every list, including pops served to blocked clients', async (t) => {
  const dir = dataDir(t);
  const seed = Number(process.env.DURABILITY_SEED ?? Date.now() % 1_000_000);
  t.comment(`seed ${seed} (DURABILITY_SEED=${seed} replays the workload)`);
  const rand = rng(seed);

  const phases: Array<{ name: string; fsync: string; stop: 'SIGTERM' | 'SIGKILL' }> = [
    { name: 'graceful restart (everysec)', fsync: 'everysec', stop: 'SIGTERM' },
    { name: 'SIGKILL under always', fsync: 'always', stop: 'SIGKILL' },
  ];
  for (const phase of phases) {
    const node = await startCinnabar(t, { dir, args: ['--appendonly', 'yes', '--appendfsync', phase.fsync] });
    const admin = await RawConnection.connect(node.port);
    const blockers: Blocker[] = [];
    for (let i = 0; i < BLOCKERS; i++) {
      const b = new Blocker(await RawConnection.connect(node.port), rng(seed + i + 1));
      await b.start(i % 2);
      blockers.push(b);
    }
    let saved = '';
    const errors = await run(node.port, workload(rand, COMMANDS_PER_PHASE), async () => {
      saved = String(await call(admin, 'SAVE'));
    });
    for (const b of blockers) await b.finish(admin);
    const served = blockers.reduce((n, b) => n + b.served, 0);
    admin.close();
    const before = await dumpKeyspace(node.port, DBS);
    const code = await node.stop(phase.stop);
    if (phase.stop === 'SIGTERM') t.equal(code, 0, 'clean exit');
    const restarted = await startCinnabar(t, { dir, args: ['--appendonly', 'yes', '--appendfsync', phase.fsync] });
    const after = await dumpKeyspace(restarted.port, DBS);
    await restarted.stop('SIGTERM');
    const lists = [...before.values()].filter((k) => k.type === 'list').length;
    t.equal(saved, 'OK', `${phase.name}: SAVE in the middle`);
    t.ok(served > 20, `${phase.name}: ${served} pops served to blocked clients`);
    t.ok(lists > 5, `${phase.name}: ${lists} lists of ${before.size} keys, ${errors} error replies in the workload`);
    t.same(sortedEntries(after), sortedEntries(before), `${phase.name}: same keys, values and absolute expiries`);
  }
});
