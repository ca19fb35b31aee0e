// INCRBYFLOAT over the wire: replies compared byte for byte with a real redis-server for
// random starting values and increments (RESP2 and RESP3), TTL kept on existing keys,
// errors leaving the value untouched, and WRONGTYPE once a non-string type exists.

import t from 'tap';
import { compareWithRedis, prng, sendToBoth, startBoth } from '../helpers/differential';

function randomFloatText(rand: (n: number) => number): string {
  const digits = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += String(rand(10));
    return s;
  };
  const sign = ['', '', '-', '+'][rand(4)];
  switch (rand(11)) {
    case 0:
      return sign + rand(100) + '.' + digits(1 + rand(3));
    case 1:
      return sign + digits(1 + rand(25)) + '.' + digits(rand(25));
    case 2:
      return sign + digits(1 + rand(3)) + 'e' + ['', '-', '+'][rand(3)] + rand(400);
    case 3:
      return sign + digits(1 + rand(6)) + 'e' + ['', '-'][rand(2)] + (4900 + rand(60));
    case 4:
      return sign + String(rand(1e9));
    case 5:
      return sign + '0.' + '0'.repeat(rand(20)) + digits(1 + rand(5));
    case 6:
      return sign + '0x' + rand(1e6).toString(16) + ['', '.' + rand(4096).toString(16)][rand(2)] + ['', 'p' + (rand(200) - 100)][rand(2)];
    case 7:
      return ['inf', '-inf', 'nan', ' 1', '1 ', '1e', '', '0x', 'abc', '-0', '1e-4951', '1e5000'][rand(12)];
    case 8:
      return sign + digits(30 + rand(60));
    case 9:
      return sign + digits(1 + rand(17)) + '.' + digits(1 + rand(17)) + 'e' + (rand(60) - 30);
    default:
      return sign + rand(1000) / 100;
  }
}

t.test('INCRBYFLOAT', async (t) => {
  const { redis, cinnabar } = await startBoth(t);

  t.test('random values match redis-server, RESP2 then RESP3', async (t) => {
    const rand = prng(77);
    const commands: string[][] = [];
    for (let n = 0; n < 1500; n++) {
      if (rand(5) === 0) commands.push(['DEL', 'f']);
      else commands.push(['SET', 'f', randomFloatText(rand)]);
      commands.push(['INCRBYFLOAT', 'f', randomFloatText(rand)]);
      if (rand(4) === 0) commands.push(['INCRBYFLOAT', 'f', randomFloatText(rand)]);
      commands.push(['GET', 'f']);
    }
    await compareWithRedis(t, redis, cinnabar, commands);
    await sendToBoth(redis, cinnabar, [['HELLO', '3']]);
    const sample = commands.slice(0, 600);
    await compareWithRedis(t, redis, cinnabar, sample);
    await sendToBoth(redis, cinnabar, [['HELLO', '2']]);
  });

  t.test('known answers', async (t) => {
    const c = cinnabar;
    await c.call('DEL', 'g');
    t.equal(await c.call('INCRBYFLOAT', 'g', '0.1'), '$3\r\n0.1\r\n');
    t.equal(await c.call('INCRBYFLOAT', 'g', '0.2'), '$3\r\n0.3\r\n', 'long double, not double: 0.3');
    await c.call('SET', 'g', '10.5');
    t.equal(await c.call('INCRBYFLOAT', 'g', '0.1'), '$4\r\n10.6\r\n');
    await c.call('SET', 'g', '5.0e3');
    t.equal(await c.call('INCRBYFLOAT', 'g', '2.0e2'), '$4\r\n5200\r\n');
    await c.call('DEL', 'g');
    t.equal(await c.call('INCRBYFLOAT', 'g', '0.000003814697265625'), '$19\r\n0.00000381469726562\r\n', '2^-18 ties to even');
    await c.call('SET', 'g', '1e308');
    const big = await c.call('INCRBYFLOAT', 'g', '1e308');
    t.match(big, /^\$309\r\n1999999999999999999933/, '2e308 is finite in long double');
    t.equal(await c.call('INCRBYFLOAT', 'g', '1e5000'), '-ERR value is not a valid float\r\n');
    t.equal(await c.call('INCRBYFLOAT', 'g', 'inf'), '-ERR increment would produce NaN or Infinity\r\n');
    t.equal(await c.call('GET', 'g'), big, 'errors leave the value alone');
    await c.call('SET', 'g', 'abc');
    t.equal(await c.call('INCRBYFLOAT', 'g', '1'), '-ERR value is not a valid float\r\n');
    t.equal(await c.call('INCRBYFLOAT', 'g'), "-ERR wrong number of arguments for 'incrbyfloat' command\r\n");
  });

  t.test('keeps the TTL of an existing key; a new key has none', async (t) => {
    const c = cinnabar;
    await c.call('SET', 'ttl', '1.5', 'EX', '100');
    t.equal(await c.call('INCRBYFLOAT', 'ttl', '1'), '$3\r\n2.5\r\n');
    const ttl = await c.call('TTL', 'ttl');
    t.match(ttl, /^:(99|100)\r\n$/);
    await c.call('DEL', 'fresh');
    await c.call('INCRBYFLOAT', 'fresh', '1');
    t.equal(await c.call('TTL', 'fresh'), ':-1\r\n');
  });

  t.test('WRONGTYPE before the increment is parsed', async (t) => {
    const probe = await cinnabar.call('LPUSH', 'list', 'x');
    if (probe.startsWith('-ERR unknown command')) {
      t.skip('needs a list type (LPUSH) in Cinnabar', () => undefined);
      return;
    }
    t.equal(await cinnabar.call('INCRBYFLOAT', 'list', 'abc'), '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
  });
});
