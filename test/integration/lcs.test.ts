// LCS against a real redis-server started alongside Cinnabar: the same random string
// pairs and option combinations sent to both, replies compared byte for byte in RESP2 and
// RESP3, plus the error cases and the proto-max-bulk-len memory guard.

import t from 'tap';
import { compareWithRedis, prng, sendToBoth, startBoth } from '../helpers/differential';

const ALPHABETS = ['ab', 'acgt', 'abcdefghijklmnopqrstuvwxyz', 'a\r\n\0\xff'];

function randomString(rand: (n: number) => number): string {
  const alphabet = ALPHABETS[rand(ALPHABETS.length)];
  const len = rand(8) === 0 ? rand(300) : rand(40);
  let s = '';
  for (let i = 0; i < len; i++) s += alphabet[rand(alphabet.length)];
  return s;
}

function randomOptions(rand: (n: number) => number): string[] {
  const min = String(rand(6) - 1);
  const choices: string[][] = [
    [],
    ['LEN'],
    ['len'],
    ['IDX'],
    ['IDX', 'WITHMATCHLEN'],
    ['idx', 'MINMATCHLEN', min],
    ['MINMATCHLEN', min, 'IDX', 'withmatchlen'],
    ['WITHMATCHLEN'],
    ['MINMATCHLEN', min],
    ['LEN', 'MINMATCHLEN', min, 'WITHMATCHLEN'],
    ['IDX', 'IDX', 'MINMATCHLEN', '2', 'MINMATCHLEN', min],
  ];
  return choices[rand(choices.length)];
}

t.test('LCS matches redis-server', async (t) => {
  const { redis, cinnabar } = await startBoth(t, ['--proto-max-bulk-len', '1mb']);

  t.test('random strings and options, RESP2 then RESP3', async (t) => {
    const rand = prng(20240607);
    const commands: string[][] = [];
    for (let n = 0; n < 300; n++) {
      commands.push(['SET', 'lcs:a', randomString(rand)]);
      commands.push(['SET', 'lcs:b', randomString(rand)]);
      for (let k = 0; k < 4; k++) commands.push(['LCS', 'lcs:a', 'lcs:b', ...randomOptions(rand)]);
      commands.push(['LCS', 'lcs:b', 'lcs:a', 'IDX', 'WITHMATCHLEN']);
    }
    await compareWithRedis(t, redis, cinnabar, commands);
    await sendToBoth(redis, cinnabar, [['HELLO', '3']]);
    const c3 = await compareWithRedis(t, redis, cinnabar, commands);
    t.match(c3.find((r) => r.startsWith('%2')) ?? '', /^%2\r\n\$7\r\nmatches\r\n\*/, 'RESP3 IDX is a map');
    await sendToBoth(redis, cinnabar, [['HELLO', '2']]);
  });

  t.test('documented example', async (t) => {
    const c = cinnabar;
    await c.call('SET', 'key1', 'ohmytext');
    await c.call('SET', 'key2', 'mynewtext');
    t.equal(await c.call('LCS', 'key1', 'key2'), '$6\r\nmytext\r\n');
    t.equal(await c.call('LCS', 'key1', 'key2', 'LEN'), ':6\r\n');
    t.equal(
      await c.call('LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'),
      '*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n',
    );
  });

  t.test('errors and missing keys', async (t) => {
    const commands: string[][] = [
      ['SET', 'e:a', 'hello world'],
      ['SET', 'e:b', 'yellow word'],
      ['LCS', 'e:a', 'e:b', 'IDX', 'LEN'],
      ['LCS', 'e:a', 'e:b', 'LEN', 'IDX', 'bogus'],
      ['LCS', 'e:a', 'e:b', 'bogus'],
      ['LCS', 'e:a', 'e:b', 'MINMATCHLEN'],
      ['LCS', 'e:a', 'e:b', 'MINMATCHLEN', 'x'],
      ['LCS', 'e:a', 'e:b', 'MINMATCHLEN', '99999999999999999999'],
      ['LCS', 'e:a', 'e:b', 'MINMATCHLEN', '-3', 'IDX'],
      ['LCS', 'e:a'],
      ['LCS', 'e:missing1', 'e:missing2'],
      ['LCS', 'e:missing1', 'e:missing2', 'IDX'],
      ['LCS', 'e:missing1', 'e:missing2', 'LEN'],
      ['LCS', 'e:a', 'e:missing2', 'IDX', 'WITHMATCHLEN'],
      ['SET', 'e:int', '12345'],
      ['SET', 'e:int2', '2340'],
      ['LCS', 'e:int', 'e:int2', 'IDX'],
    ];
    await compareWithRedis(t, redis, cinnabar, commands);
  });

  t.test('non-string keys', async (t) => {
    const probe = await cinnabar.call('LPUSH', 'e:list', 'x');
    if (probe.startsWith('-ERR unknown command')) {
      t.skip('needs a list type (LPUSH) in Cinnabar', () => undefined);
      return;
    }
    await redis.call('LPUSH', 'e:list', 'x');
    const commands = [
      ['LCS', 'e:list', 'e:a'],
      ['LCS', 'e:a', 'e:list', 'bogus'],
      ['LCS', 'e:missing', 'e:list', 'IDX', 'LEN'],
    ];
    const actual = await compareWithRedis(t, redis, cinnabar, commands);
    t.equal(actual[0], '-ERR The specified keys must contain string values\r\n');
  });

  t.test('transient table limited by proto-max-bulk-len', async (t) => {
    // (601 * 436) cells * 4 bytes fit in 1mb; (601 * 437) * 4 do not.
    const commands = [
      ['SET', 'm:a', 'a'.repeat(600)],
      ['SET', 'm:b', 'a'.repeat(435)],
      ['LCS', 'm:a', 'm:b', 'LEN'],
      ['SET', 'm:b', 'a'.repeat(436)],
      ['LCS', 'm:a', 'm:b', 'LEN'],
      ['LCS', 'm:b', 'm:a'],
      ['LCS', 'm:a', 'm:b', 'LEN', 'IDX'],
      ['LCS', 'm:a', 'm:b', 'bogus'],
    ];
    const actual = await compareWithRedis(t, redis, cinnabar, commands);
    t.equal(actual[4], '-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n');
  });
});
