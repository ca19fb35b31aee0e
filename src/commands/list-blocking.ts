// Blocking list commands: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP (t_list.c's blocking part).
// With data at hand they answer as their non-blocking forms and are logged as those (LPOP,
// LMOVE, ...); otherwise the client waits through node.blocking until a key is pushed to,
// and the pop done then is logged the same way.

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import { keyCommand, type CommandSpec, type Handler } from './spec';
import { parseBlockingTimeout } from '../blocking/timeout';
import { ListValue } from '../types/list';
import { endArg, moveOne, mpopKeys, parseMpop, popOneWithKey, popRangeWithKey, writeList, type End } from './lists';

/** The list at `key` if it holds one now (a blocked client's serve ignores other types). */
function listAt(c: Client, key: string): ListValue | undefined {
  const v = c.db.get(key);
  return v instanceof ListValue && v.length > 0 ? v : undefined;
}

/** blockingPopGenericCommand: keys in order, the first non-empty list serves; else block. */
function blockingPop(c: Client, node: NodeContext, keys: string[], end: End, count: number, timeout: number): void {
  const pop = (key: string, list: ListValue): void => {
    if (count === -1) popOneWithKey(c, node, key, list, end);
    else popRangeWithKey(c, node, key, list, end, count);
  };
  for (const key of keys) {
    const list = writeList(c, c.db, key);
    if (list === null) return;
    if (list === undefined) continue;
    pop(key, list);
    return;
  }
  node.blocking.block(c, keys, timeout, {
    serve(key) {
      const list = listAt(c, key);
      if (list === undefined) return false;
      pop(key, list);
      return true;
    },
    timedOut: () => c.nullArray(),
  });
}

function bpop(c: Client, args: string[], node: NodeContext, end: End): void {
  const timeout = parseBlockingTimeout(c, args[args.length - 1]);
  if (timeout === null) return;
  blockingPop(c, node, args.slice(1, -1), end, -1, timeout);
}

const blpop: Handler = (c, args, node) => bpop(c, args, node, 'left');
const brpop: Handler = (c, args, node) => bpop(c, args, node, 'right');

const blmpop: Handler = (c, args, node) => {
  const p = parseMpop(c, args, 2);
  if (p === null) return;
  const timeout = parseBlockingTimeout(c, args[1]);
  if (timeout === null) return;
  blockingPop(c, node, p.keys, p.end, p.count, timeout);
};

/** blmoveGenericCommand: moves at once when the source has elements, else waits on it. */
function blockingMove(c: Client, node: NodeContext, src: string, dst: string, from: End, to: End, timeout: number, effect: 'LMOVE' | 'RPOPLPUSH'): void {
  const list = writeList(c, c.db, src);
  if (list === null) return;
  if (list !== undefined) {
    moveOne(c, node, src, list, dst, from, to, effect);
    return;
  }
  node.blocking.block(c, [src], timeout, {
    serve(key) {
      const l = listAt(c, key);
      if (l === undefined) return false;
      // A destination of another type answers WRONGTYPE: the client is served all the same.
      moveOne(c, node, src, l, dst, from, to, effect);
      return true;
    },
    timedOut: () => c.nullArray(),
    cannotBlock: () => c.nullBulk(),
  });
}

const blmove: Handler = (c, args, node) => {
  const from = endArg(c, args[3]);
  if (from === undefined) return;
  const to = endArg(c, args[4]);
  if (to === undefined) return;
  const timeout = parseBlockingTimeout(c, args[5]);
  if (timeout === null) return;
  blockingMove(c, node, args[1], args[2], from, to, timeout, 'LMOVE');
};

const brpoplpush: Handler = (c, args, node) => {
  const timeout = parseBlockingTimeout(c, args[3]);
  if (timeout === null) return;
  blockingMove(c, node, args[1], args[2], 'right', 'left', timeout, 'RPOPLPUSH');
};

export const listBlockingCommands: CommandSpec[] = [
  keyCommand('blpop', -3, ['write', 'noscript', 'blocking'], 'list', blpop, 1, -2, 1),
  keyCommand('brpop', -3, ['write', 'noscript', 'blocking'], 'list', brpop, 1, -2, 1),
  keyCommand('blmove', 6, ['write', 'denyoom', 'noscript', 'blocking'], 'list', blmove, 1, 2, 1),
  keyCommand('brpoplpush', 4, ['write', 'denyoom', 'noscript', 'blocking'], 'list', brpoplpush, 1, 2, 1),
  { ...keyCommand('blmpop', -5, ['write', 'blocking', 'movablekeys'], 'list', blmpop, 0, 0, 0), keys: mpopKeys(2) },
];
