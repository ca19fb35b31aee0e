// Connection commands: PING, ECHO, QUIT, SELECT (HELLO, RESET and CLIENT live in their own
// modules).

import type { CommandSpec } from './spec';
import { Err } from '../errors';
import { parseI64 } from './args';
import { R } from '../resp/replies';

export const connectionCommands: CommandSpec[] = [
  {
    name: 'ping',
    arity: -1,
    flags: ['fast'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'connection',
    run(c, args) {
      if (args.length > 2) return c.error(Err.wrongArity('ping'));
      // A RESP2 subscriber gets PING's answer in the shape of a message.
      if (c.resp === 2 && c.subscriptionCount > 0) c.write('*2\r\n$4\r\npong\r\n' + (args.length === 2 ? '$' + args[1].length + '\r\n' + args[1] + '\r\n' : '$0\r\n\r\n'));
      else if (args.length === 2) c.bulk(args[1]);
      else c.write(R.pong);
    },
  },
  {
    name: 'echo',
    arity: 2,
    flags: ['loading', 'stale', 'fast'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'connection',
    run(c, args) {
      c.bulk(args[1]);
    },
  },
  {
    name: 'quit',
    arity: -1,
    flags: ['allow_busy', 'noscript', 'loading', 'stale', 'fast', 'no_auth'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'connection',
    run(c) {
      c.ok();
      c.closeAfterReplies();
    },
  },
  {
    name: 'select',
    arity: 2,
    flags: ['loading', 'stale', 'fast'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    group: 'connection',
    run(c, args, node) {
      const idx = parseI64(args[1]);
      if (idx === undefined) return c.error(Err.notInteger);
      if (node.cluster !== null && idx !== 0) return c.error(Err.selectInCluster);
      if (!node.selectDb(c, idx)) return c.error(Err.dbIndexOutOfRange);
      c.ok();
    },
  },
];
