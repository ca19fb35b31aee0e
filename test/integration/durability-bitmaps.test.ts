// Bitmaps and transactions survive restarts byte for byte: a random workload of SETBIT, BITOP,
// BITFIELD (every overflow mode, i64/u63 fields) and MULTI … EXEC blocks mixing them with
// string writes and TTLs, dumped before and after a graceful restart and after SIGKILL.

import t from 'tap';
import { startCinnabar } from '../helpers/server';
import { RawConnection } from '../helpers/resp';
import { dataDir, dumpKeyspace, pipeline, rng, sleep, sortedEntries, ReplyError } from '../helpers/durability';

const DBS = 3;

function workload(rand: () => number, count: number): string[][] {
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const key = (): string => 'b' + int(0, 15);
  const field = (): string[] => {
    const signed = rand() < 0.5;
    const type = (signed ? 'i' : 'u') + int(1, signed ? 64 : 63);
    const offset = rand() < 0.3 ? '#' + int(0, 10) : String(int(0, 300));
    return [type, offset];
  };
  const num = (): string => String(BigInt(int(-1e9, 1e9)) * BigInt(int(0, 1e9)) * BigInt(int(1, 9)));
  const one = (): string[] => {
    const r = rand();
    if (r < 0.25) return ['SETBIT', key(), String(int(0, 400)), String(int(0, 1))];
    if (r < 0.35) return ['BITOP', pick(['AND', 'OR', 'XOR']), key(), key(), key()];
    if (r < 0.4) return ['BITOP', 'NOT', key(), key()];
    if (r < 0.65) {
      const ops: string[] = [];
      for (let i = int(1, 3); i > 0; i--) {
        if (rand() < 0.3) ops.push('OVERFLOW', pick(['WRAP', 'SAT', 'FAIL']));
        ops.push(pick(['SET', 'INCRBY']), ...field(), String(BigInt.asIntN(64, BigInt(num()))));
      }
      return ['BITFIELD', key(), ...ops];
    }
    if (r < 0.72) return ['SET', key(), String(int(0, 1000)), ...(rand() < 0.3 ? ['PX', String(int(30, 200000))] : [])];
    if (r < 0.78) return ['APPEND', key(), '\xff\x00x'];
    if (r < 0.82) return ['SELECT', String(int(0, DBS - 1))];
    if (r < 0.85) return ['DEL', key()];
    return ['GETBIT', key(), String(int(0, 500))];
  };
  const out: string[][] = [];
  while (out.length < count) {
    if (rand() < 0.15) {
      out.push(['MULTI']);
      for (let i = int(1, 6); i > 0; i--) out.push(one());
      out.push(rand() < 0.1 ? ['DISCARD'] : ['EXEC']);
    } else {
      out.push(one());
    }
  }
  return out;
}

async function run(port: number, commands: string[][]): Promise<number> {
  const c = await RawConnection.connect(port);
  let errors = 0;
  try {
    for (let i = 0; i < commands.length; i += 100) {
      for (const r of await pipeline(c, commands.slice(i, i + 100))) if (r instanceof ReplyError) errors++;
    }
    // Whatever a batch left open ends here.
    await pipeline(c, [['DISCARD']]);
  } finally {
    c.close();
  }
  return errors;
}

t.test('bitmaps and transactions replay to the same keyspace', async (t) => {
  const dir = dataDir(t);
  const seed = Number(process.env.DURABILITY_SEED ?? Date.now() % 1_000_000);
  t.comment(`seed ${seed} (DURABILITY_SEED=${seed} replays the workload)`);
  const rand = rng(seed);
  for (const phase of [
    { name: 'graceful restart', stop: 'SIGTERM' as const },
    { name: 'SIGKILL under always', stop: 'SIGKILL' as const },
  ]) {
    const node = await startCinnabar(t, { dir, args: ['--appendfsync', 'always'] });
    const errors = await run(node.port, workload(rand, 3000));
    await sleep(250);
    const before = await dumpKeyspace(node.port, DBS);
    await node.stop(phase.stop);
    const restarted = await startCinnabar(t, { dir });
    const after = await dumpKeyspace(restarted.port, DBS);
    const dumpedAt = Date.now() + 50;
    for (const [k, v] of [...before]) {
      if (v.pexpiretime > 0 && v.pexpiretime <= dumpedAt) {
        before.delete(k);
        after.delete(k);
      }
    }
    await restarted.stop('SIGTERM');
    t.ok(before.size > 20, `${phase.name}: ${before.size} keys, ${errors} error replies in the workload`);
    t.same(sortedEntries(after), sortedEntries(before), `${phase.name}: same keys, values and expiries`);
  }
});
