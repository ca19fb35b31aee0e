// Differential test helpers: send the same pipelined commands to redis-server and to
// Cinnabar and compare the raw replies, with a seeded generator so failures reproduce.

import type { Test } from 'tap';
import { RawConnection } from './resp';
import { startCinnabar, startRedis } from './server';

/** Deterministic pseudo-random integers in [0, n) from a seed. */
export function prng(seed: number): (n: number) => number {
  let s = seed;
  return (n: number) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return Math.floor((s / 0x80000000) * n);
  };
}

/** Sends every command to both connections (pipelined); returns [redis replies, cinnabar replies]. */
export async function sendToBoth(redis: RawConnection, cinnabar: RawConnection, commands: string[][]): Promise<[string[], string[]]> {
  for (const cmd of commands) {
    redis.send(...cmd);
    cinnabar.send(...cmd);
  }
  const fromRedis: string[] = [];
  const fromCinnabar: string[] = [];
  for (let i = 0; i < commands.length; i++) {
    fromRedis.push(await redis.reply());
    fromCinnabar.push(await cinnabar.reply());
  }
  return [fromRedis, fromCinnabar];
}

/** Asserts the replies are identical, reporting the first few differences by command. */
export function expectSameReplies(t: Test, commands: string[][], expected: string[], actual: string[]): void {
  let mismatches = 0;
  for (let i = 0; i < commands.length; i++) {
    if (expected[i] !== actual[i] && mismatches++ < 5) {
      t.equal(actual[i], expected[i], JSON.stringify(commands[i]).slice(0, 300));
    }
  }
  t.equal(mismatches, 0, `${commands.length} replies identical`);
}

/** Sends the commands to both and asserts identical replies; returns Cinnabar's. */
export async function compareWithRedis(t: Test, redis: RawConnection, cinnabar: RawConnection, commands: string[][]): Promise<string[]> {
  const [expected, actual] = await sendToBoth(redis, cinnabar, commands);
  expectSameReplies(t, commands, expected, actual);
  return actual;
}

/** Starts redis-server and Cinnabar with the same extra arguments; one open connection to each, closed on teardown. */
export async function startBoth(t: Test, args: string[] = []): Promise<{ redis: RawConnection; cinnabar: RawConnection }> {
  const [redisNode, cinnabarNode] = await Promise.all([startRedis(t, args), startCinnabar(t, { args })]);
  const redis = await RawConnection.connect(redisNode.port);
  const cinnabar = await RawConnection.connect(cinnabarNode.port);
  t.teardown(() => {
    redis.close();
    cinnabar.close();
  });
  return { redis, cinnabar };
}
