// Commands applied to a key of another type (a list made with RPUSH): WRONGTYPE errors, the
// commands that ignore the type (DEL, EXISTS, TYPE, RENAME, MGET...) and SCAN/KEYS TYPE filters.
// These need RPUSH on the server under test.

import { scenario, type Scenario } from '../lib/scenario';

export const typeScenarios: Scenario[] = [
  scenario('types/wrongtype-string-commands', [
    ['RPUSH', 'list', 'a', 'b'],
    ['GET', 'list'],
    ['GETSET', 'list', 'v'],
    ['GETDEL', 'list'],
    ['GETEX', 'list', 'EX', '10'],
    ['APPEND', 'list', 'x'],
    ['STRLEN', 'list'],
    ['GETRANGE', 'list', '0', '-1'],
    ['SUBSTR', 'list', '0', '-1'],
    ['SETRANGE', 'list', '0', 'x'],
    ['INCR', 'list'],
    ['DECRBY', 'list', '2'],
    ['INCRBYFLOAT', 'list', '1.5'],
    ['LCS', 'list', 'list'],
    ['SET', 's', 'v'],
    ['LCS', 's', 'list'],
    ['MGET', 'list', 's'],
    ['SETNX', 'list', 'v'],
    ['MSETNX', 'list', 'v', 'other', 'v'],
    ['EXISTS', 'other'],
    ['SET', 'list', 'x', 'GET'],
    ['TYPE', 'list'],
  ]),
  scenario('types/generic-commands-on-a-list', [
    ['RPUSH', 'list', 'a', 'b'],
    ['TYPE', 'list'],
    ['EXISTS', 'list'],
    ['EXPIRE', 'list', '100'],
    ['PERSIST', 'list'],
    ['OBJECT', 'ENCODING', 'list'],
    ['RENAME', 'list', 'l2'],
    ['COPY', 'l2', 'l3'],
    ['TYPE', 'l3'],
    ['MOVE', 'l3', '1'],
    { cmd: ['KEYS', '*'], unordered: true },
    { scanUntilDone: ['SCAN', '0', 'TYPE', 'list'] },
    { scanUntilDone: ['SCAN', '0', 'TYPE', 'string'] },
    ['SET', 'l2', 'now a string'],
    ['TYPE', 'l2'],
    ['DEL', 'l2'],
  ]),
];
