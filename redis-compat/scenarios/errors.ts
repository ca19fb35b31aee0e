// Errors every client sees: unknown commands (with Redis's argument preview), unknown
// subcommands of container commands, and wrong arity for the commands we implement.

import { scenario, type Arg, type Scenario } from '../lib/scenario';

/** One scenario per group of wrong-arity calls; each call should get Redis's arity error. */
const ARITY: Record<string, Arg[][]> = {
  strings: [
    ['GET'], ['GET', 'a', 'b'], ['GeT'], ['SET'], ['SET', 'k'], ['SETNX', 'k'], ['SETEX', 'k', '10'],
    ['PSETEX', 'k'], ['GETSET', 'k'], ['GETDEL'], ['GETEX'], ['MGET'], ['MSET'], ['MSET', 'k'],
    ['MSET', 'a', '1', 'b'], ['MSETNX', 'a'], ['APPEND', 'k'], ['STRLEN'], ['GETRANGE', 'k', '0'],
    ['SUBSTR', 'k'], ['SETRANGE', 'k', '0'], ['INCR'], ['DECR', 'a', 'b'], ['INCRBY', 'k'],
    ['DECRBY', 'k', '1', '2'], ['INCRBYFLOAT', 'k'], ['LCS', 'a'],
  ],
  keys: [
    ['DEL'], ['UNLINK'], ['EXISTS'], ['TYPE'], ['KEYS'], ['KEYS', 'a', 'b'], ['SCAN'], ['RANDOMKEY', 'x'],
    ['RENAME', 'a'], ['RENAMENX', 'a'], ['COPY', 'a'], ['MOVE', 'a'], ['TOUCH'], ['SWAPDB', '0'],
    ['DBSIZE', 'x'], ['EXPIRE', 'k'], ['PEXPIRE'], ['EXPIREAT', 'k'], ['PEXPIREAT', 'k'], ['TTL'],
    ['PTTL', 'a', 'b'], ['EXPIRETIME'], ['PEXPIRETIME'], ['PERSIST'], ['OBJECT'], ['OBJECT', 'ENCODING'],
  ],
  server: [
    ['SELECT'], ['ECHO'], ['PING', 'a', 'b'], ['CLIENT'], ['CLIENT', 'SETNAME'], ['CLIENT', 'GETNAME', 'x'],
    ['CLIENT', 'ID', 'x'], ['CLIENT', 'INFO', 'x'], ['CLIENT', 'REPLY'], ['CLIENT', 'NO-EVICT'],
    ['CONFIG'], ['CONFIG', 'GET'], ['CONFIG', 'SET', 'maxmemory'], ['CONFIG', 'RESETSTAT', 'x'],
    ['COMMAND', 'COUNT', 'x'], ['COMMAND', 'GETKEYS'], ['OBJECT', 'HELP', 'x'],
    ['FLUSHALL', 'a', 'b'], ['FLUSHDB', 'a', 'b'], ['AUTH'], ['HELLO', '3', 'AUTH', 'x'], ['RESET', 'x'],
  ],
};

export const errorScenarios: Scenario[] = [
  scenario('errors/unknown-command', [
    ['FOOBAR'],
    ['FOOBAR', 'a', 'b'],
    ['foobar', 'with space', ''],
    ['FOOBAR', 'x'.repeat(200)],
    ['FOOBAR', ...Array.from({ length: 40 }, (_, i) => `arg${i}`)],
    ['FOOBAR', 'line\r\nbreak'],
    ['FOO\nBAR', 'x'],
    ['FOOBAR', "quote'd"],
    [''],
    ['', 'x'],
    ['GET\0', 'k'],
    ['x'.repeat(200)],
    [Buffer.from([0xff, 0xfe, 0x00, 0x01])],
    ['CLIENT|ID'],
    ['GET|X'],
    ['PING'],
  ]),
  scenario('errors/unknown-subcommand', [
    ['CLIENT', 'FOO'],
    ['CLIENT', 'foo', 'bar'],
    ['OBJECT', 'FOO'],
    ['OBJECT', 'FOO', 'k'],
    ['CONFIG', 'FOO'],
    ['CONFIG', 'FOO', 'x', 'y'],
    ['COMMAND', 'FOO'],
    ['CLIENT', ''],
    ['CLIENT', 'x'.repeat(200)],
    ['CLIENT', 'SETINFO', 'LIB-NAME', 'x'],
    ['PING'],
  ]),
  ...Object.entries(ARITY).map(([group, calls]) => scenario(`errors/arity-${group}`, [...calls, ['PING']])),
];
