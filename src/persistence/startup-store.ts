// Opening the snapshot store for start-up as early as possible. main.ts calls this before it
// loads the rest of the server, so the snapshot worker's thread start and LMDB open (about
// 0.3 s of a restart, measured with --cpu-prof as main-thread idle time) overlap the main
// thread's module loading instead of following it.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SnapshotStore } from './snapshot';

/**
 * Creates `dir` and starts opening its snapshot store when start-up will load one: with the
 * WAL on (appendonly yes), or when a snapshot exists. Null when there is nothing to open.
 * The caller awaits the promise (Node.start) and loads the snapshot first thing (the store
 * preloads it); its failure is reported there.
 */
export function openStartupSnapshots(dir: string, appendonly: boolean, databases: number): Promise<SnapshotStore> | null {
  mkdirSync(dir, { recursive: true });
  if (!appendonly && !existsSync(join(dir, 'snapshot'))) return null;
  // preload: the worker reads the snapshot out while this thread is still loading modules.
  const opening = SnapshotStore.open(dir, { databases, preload: true });
  // Handled where it is awaited; this keeps a failure during module loading from counting
  // as an unhandled rejection before Node.start gets to it.
  opening.catch(() => undefined);
  return opening;
}
