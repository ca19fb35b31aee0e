// Key lookups for command handlers, with the hit/miss statistics and type checks Redis
// applies (lookupKeyRead / checkType).

import type { Client } from '../server/client';
import type { NodeContext } from '../node-context';
import type { Value } from '../keyspace/value';
import { Err } from '../errors';
import { NotifyClass } from '../keyspace/notify-types';

/** A read lookup: counts keyspace_hits / keyspace_misses. */
export function lookupRead(c: Client, key: string, node: NodeContext): Value | undefined {
  const v = c.db.get(key);
  if (v === undefined) {
    node.keyspace.stats.keyspaceMisses++;
    node.keyspace.notify(NotifyClass.KeyMiss, 'keymiss', c.db, key);
  } else {
    node.keyspace.stats.keyspaceHits++;
  }
  return v;
}

/**
 * A string value for reading: undefined when missing, null after replying WRONGTYPE.
 */
export function readString(c: Client, key: string, node: NodeContext): string | undefined | null {
  const v = lookupRead(c, key, node);
  if (v === undefined || typeof v === 'string') return v;
  c.error(Err.wrongType);
  return null;
}

/** A string value for writing (no hit/miss stats): undefined when missing, null after WRONGTYPE. */
export function writeString(c: Client, key: string): string | undefined | null {
  const v = c.db.get(key);
  if (v === undefined || typeof v === 'string') return v;
  c.error(Err.wrongType);
  return null;
}
