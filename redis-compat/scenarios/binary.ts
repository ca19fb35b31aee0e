// Binary safety and size: ECHO/PING of all 256 byte values, keys and values containing NUL,
// CR and LF, UTF-8 text counted in bytes, and values of a megabyte and more.

import { scenario, type Scenario } from '../lib/scenario';

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const ALL_BYTES_REVERSED = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));
const CRLF_KEY = Buffer.from('key\r\nwith\0nul', 'latin1');
const MEGABYTE = Buffer.alloc(1024 * 1024, 'abcdefghijklmnopqrstuvwxyz0123456789');

export const binaryScenarios: Scenario[] = [
  scenario('binary/echo-all-bytes', [
    ['ECHO', ALL_BYTES],
    ['ECHO', ALL_BYTES_REVERSED],
    ['PING', ALL_BYTES],
    ...Array.from({ length: 16 }, (_, i) => ['ECHO', ALL_BYTES.subarray(i * 16, i * 16 + 16)]),
  ]),
  scenario('binary/keys-and-values', [
    ['SET', CRLF_KEY, ALL_BYTES],
    ['GET', CRLF_KEY],
    ['EXISTS', CRLF_KEY],
    ['STRLEN', CRLF_KEY],
    ['GETRANGE', CRLF_KEY, '10', '20'],
    ['APPEND', CRLF_KEY, Buffer.from([0, 0, 255])],
    ['STRLEN', CRLF_KEY],
    ['SETRANGE', CRLF_KEY, '0', Buffer.from([13, 10])],
    ['GETRANGE', CRLF_KEY, '0', '3'],
    ['TYPE', CRLF_KEY],
    { cmd: ['KEYS', '*'], unordered: true },
    { cmd: ['KEYS', Buffer.from('key\r\n*', 'latin1')], unordered: true },
    { scanUntilDone: ['SCAN', '0', 'MATCH', Buffer.from('*\0*', 'latin1')] },
    ['RENAME', CRLF_KEY, ALL_BYTES],
    ['EXISTS', ALL_BYTES],
    ['MSET', Buffer.from([0]), Buffer.from([1]), Buffer.from([255]), Buffer.from([0])],
    ['MGET', Buffer.from([0]), Buffer.from([255]), Buffer.from([128])],
    ['SET', 'empty', ''],
    ['GET', 'empty'],
    ['STRLEN', 'empty'],
    ['DEL', ALL_BYTES, Buffer.from([0])],
  ]),
  scenario('binary/utf8', [
    ['SET', 'ключ', 'значение'],
    ['GET', 'ключ'],
    ['STRLEN', 'ключ'],
    ['GETRANGE', 'ключ', '0', '2'],
    ['APPEND', 'ключ', '✓'],
    ['STRLEN', 'ключ'],
    ['SET', 'emoji', '😀'],
    ['STRLEN', 'emoji'],
    { cmd: ['KEYS', '?????'], unordered: true },
    { cmd: ['KEYS', 'к*'], unordered: true },
    ['LCS', 'ключ', 'emoji'],
  ]),
  scenario('binary/large-values', [
    ['SET', 'big', MEGABYTE],
    ['STRLEN', 'big'],
    ['GET', 'big'],
    ['APPEND', 'big', MEGABYTE],
    ['STRLEN', 'big'],
    ['GETRANGE', 'big', '1048570', '1048580'],
    ['SETRANGE', 'big', '4194304', 'end'],
    ['STRLEN', 'big'],
    ['GETRANGE', 'big', '-5', '-1'],
    ['OBJECT', 'ENCODING', 'big'],
    ['ECHO', MEGABYTE],
    ['SET', 'huge', Buffer.alloc(8 * 1024 * 1024, 'xyz')],
    ['STRLEN', 'huge'],
    ['GETRANGE', 'huge', '8388600', '-1'],
  ]),
  scenario('binary/binary-numbers', [
    ['SET', 'n', Buffer.from('12\0', 'latin1')],
    ['INCR', 'n'],
    ['SET', 'n', Buffer.from('\x001', 'latin1')],
    ['INCRBYFLOAT', 'n', '1'],
    ['INCRBY', 'k', Buffer.from('5\0', 'latin1')],
    ['EXPIRE', 'n', Buffer.from('10\0', 'latin1')],
  ]),
];
