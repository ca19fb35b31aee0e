// Blocking sorted set pops: BZPOPMIN BZPOPMAX BZMPOP (t_zset.c blockingGenericZpopCommand).
// With a non-empty sorted set at hand they answer as ZPOPMIN/ZPOPMAX/ZMPOP and are logged as
// ZPOPMIN/ZPOPMAX (with the count for BZMPOP); otherwise the client waits through
// node.blocking until a sorted set appears at one of the keys, and the pop done then is
// logged the same way.

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import { keyCommand, type CommandSpec, type Handler } from './spec';
import { Err } from '../errors';
import { parseBlockingTimeout } from '../blocking/timeout';
import { ZSetValue, type ZSetEnd } from '../types/zset';
import { parseZmpop, zpopGeneric } from './zsets';

/**
 * Pops from the first non-empty sorted set of `keys` (count -1: one, BZPOPMIN's flat
 * [key, member, score] reply; otherwise BZMPOP's nested reply), or blocks on all of them.
 */
function blockingZpop(c: Client, node: NodeContext, keys: readonly string[], end: ZSetEnd, count: number, timeoutMs: number): void {
  const pop = (key: string): void => {
    zpopGeneric(c, node, [key], end, true, count, count !== -1, false);
    const effect = [end === 'min' ? 'ZPOPMIN' : 'ZPOPMAX', key];
    if (count !== -1) effect.push(String(count));
    node.effects.propagate(c.dbIndex, effect);
  };
  for (const key of keys) {
    const v = c.db.get(key);
    if (v === undefined) continue;
    if (!(v instanceof ZSetValue)) return c.error(Err.wrongType);
    pop(key);
    return;
  }
  node.blocking.block(c, keys, timeoutMs, {
    serve(key) {
      // Only a sorted set serves; a key of another type keeps the client waiting.
      const v = c.db.get(key);
      if (!(v instanceof ZSetValue) || v.size === 0) return false;
      pop(key);
      return true;
    },
    timedOut: () => c.nullArray(),
  });
}

function bzpopMinMax(end: ZSetEnd): Handler {
  return (c, args, node) => {
    const timeout = parseBlockingTimeout(c, args[args.length - 1]);
    if (timeout === null) return;
    blockingZpop(c, node, args.slice(1, -1), end, -1, timeout);
  };
}

/** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: arguments first, then the timeout. */
const bzmpop: Handler = (c, args, node) => {
  const p = parseZmpop(c, args, 2);
  if (p === null) return;
  const timeout = parseBlockingTimeout(c, args[1]);
  if (timeout === null) return;
  blockingZpop(c, node, p.keys, p.end, p.count, timeout);
};

export const zsetBlockingCommands: CommandSpec[] = [
  keyCommand('bzpopmin', -3, ['write', 'noscript', 'blocking', 'fast'], 'sorted-set', bzpopMinMax('min'), 1, -2, 1),
  keyCommand('bzpopmax', -3, ['write', 'noscript', 'blocking', 'fast'], 'sorted-set', bzpopMinMax('max'), 1, -2, 1),
  keyCommand('bzmpop', -5, ['write', 'blocking', 'movablekeys'], 'sorted-set', bzmpop, 0, 0, 0),
];
