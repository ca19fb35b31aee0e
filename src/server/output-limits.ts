// Client output buffer limits (networking.c checkClientOutputBufferLimits): a client whose
// unsent replies reach its class's hard limit, or stay at or above the soft limit for longer
// than the soft seconds, is disconnected instead of making the node's memory grow unbounded.

import type { Client } from './client';
import type { BufferLimits } from '../config/kinds';
import type { ServerStats } from '../node-context';
import type { Logger } from '../log';

const NORMAL = 0;
const REPLICA = 1;
const PUBSUB = 2;

/** getClientType for limits: masters count as normal clients, subscribers as pubsub ones. */
function limitClass(c: Client): number {
  if (c.kind === 'master') return NORMAL;
  if (c.kind === 'replica') return REPLICA;
  return c.subscriptionCount > 0 ? PUBSUB : NORMAL;
}

/**
 * True when `c` is over its class's limit (Redis's checkClientOutputBufferLimits, with
 * `nowSec` as server.unixtime). Replica links are left to replication, which sizes them
 * against its backlog.
 */
export function outputLimitReached(c: Client, limits: BufferLimits, nowSec: number): boolean {
  const cls = limitClass(c);
  if (cls === REPLICA) return false;
  const limit = limits[cls];
  if (limit.hard === 0n && limit.soft === 0n) return false;
  const used = c.pendingOutput;
  if (used === 0) return false;
  const hard = limit.hard !== 0n && used >= Number(limit.hard);
  let soft = limit.soft !== 0n && used >= Number(limit.soft);
  if (soft) {
    if (c.softLimitReachedAt === 0) {
      // The first time the soft limit is seen reached: the clock starts now.
      c.softLimitReachedAt = nowSec;
      soft = false;
    } else if (nowSec - c.softLimitReachedAt <= Number(limit.seconds)) {
      soft = false;
    }
  } else {
    c.softLimitReachedAt = 0;
  }
  return soft || hard;
}

/** Drops a client that overcame its output buffer limit (its unsent replies are discarded). */
export function closeForOutputLimit(c: Client, stats: ServerStats, log: Logger): void {
  if (c.closed) return;
  stats.clientOutputLimitDisconnections++;
  log.warn({ client: c.id, addr: c.addr, pending: c.pendingOutput }, 'client closed for overcoming of output buffer limits');
  c.close();
}
