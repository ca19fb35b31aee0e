// SAVE, BGSAVE and BGREWRITEAOF: all three write an LMDB snapshot of the dataset (which also
// lets the WAL before it be deleted — Cinnabar's equivalent of an AOF rewrite). SAVE answers
// once the snapshot is durable; the other clients keep being served meanwhile.

import type { CommandSpec, Handler } from './spec';
import { Err } from '../errors';
import { is } from './args';

const save: Handler = (c, _args, node) => {
  if (node.saves.inProgress) return c.error(Err.bgsaveInProgress);
  c.waitForCompletion();
  node.saves.start('SAVE').then(
    () => {
      c.ok();
      c.resumeCommands();
    },
    () => {
      c.error('ERR');
      c.resumeCommands();
    },
  );
};

const bgsave: Handler = (c, args, node) => {
  const schedule = args.length === 2 && is(args[1], 'schedule');
  if (args.length > 2 || (args.length === 2 && !schedule)) return c.error(Err.syntax);
  if (node.saves.inProgress) {
    if (!schedule) return c.error(Err.bgsaveInProgress);
    node.saves.schedule();
    return c.status('Background saving scheduled');
  }
  node.saves.start('BGSAVE').catch(() => undefined);
  c.status('Background saving started');
};

const bgrewriteaof: Handler = (c, _args, node) => {
  if (node.saves.inProgress) {
    node.saves.schedule();
    return c.status('Background append only file rewriting scheduled');
  }
  node.saves.start('BGREWRITEAOF').catch(() => undefined);
  c.status('Background append only file rewriting started');
};

export const saveCommands: CommandSpec[] = [
  { name: 'save', arity: 1, flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'], firstKey: 0, lastKey: 0, step: 0, group: 'server', run: save },
  { name: 'bgsave', arity: -1, flags: ['admin', 'noscript', 'no_async_loading'], firstKey: 0, lastKey: 0, step: 0, group: 'server', run: bgsave },
  { name: 'bgrewriteaof', arity: 1, flags: ['admin', 'noscript', 'no_async_loading'], firstKey: 0, lastKey: 0, step: 0, group: 'server', run: bgrewriteaof },
];
