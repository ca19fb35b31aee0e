// INCRBYFLOAT key increment: adds in x87 long double precision exactly as Redis does on
// x86-64 (see keyspace/long-double.ts) and stores the "%.17Lf" human text, keeping the TTL.
// Order of checks follows incrbyfloatCommand: type, current value, increment, NaN/Inf.

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import type { CommandSpec } from './spec';
import { Err } from '../errors';
import { writeString } from './lookup';
import { NotifyClass } from '../keyspace/notify-types';
import { addLongDouble, formatHuman, parseLongDouble, zero } from '../keyspace/long-double';

function incrbyfloat(c: Client, args: string[], node: NodeContext): void {
  const key = args[1];
  const current = writeString(c, key);
  if (current === null) return;
  const value = current === undefined ? zero() : parseLongDouble(current);
  if (value === undefined) return c.error(Err.notFloat);
  const increment = parseLongDouble(args[2]);
  if (increment === undefined) return c.error(Err.notFloat);
  const sum = addLongDouble(value, increment);
  if (sum.kind !== 'finite') return c.error(Err.incrFloatNaN);
  const text = formatHuman(sum);
  if (current === undefined) c.db.set(key, text);
  else c.db.replace(key, text);
  node.keyspace.modified(c.db, key);
  node.keyspace.notify(NotifyClass.String, 'incrbyfloat', c.db, key);
  // Replay must not redo the float arithmetic: log the resulting value.
  node.effects.propagate(c.db.id, ['SET', key, text, 'KEEPTTL']);
  c.bulk(text);
}

export const incrbyfloatCommands: CommandSpec[] = [
  {
    name: 'incrbyfloat',
    arity: 3,
    flags: ['write', 'denyoom', 'fast'],
    firstKey: 1,
    lastKey: 1,
    step: 1,
    group: 'string',
    run: incrbyfloat,
  },
];
