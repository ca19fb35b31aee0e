// Expiry over a real socket: EXPIRE PEXPIRE EXPIREAT PEXPIREAT (NX XX GT LT and their
// errors, overflow checks, past times deleting), TTL PTTL EXPIRETIME PEXPIRETIME PERSIST,
// lazy expiry on read, and the active cycle removing 200k keys nobody touches.

import net from 'node:net';
import t, { type Test } from 'tap';
import { poll, sleep, startCinnabar } from '../helpers/server';
import { RawConnection } from '../helpers/resp';

/**
 * Pipelines `n` SET vol:<i> v PX <ttl> into `db` over a raw socket and resolves when every
 * +OK has arrived (counted by bytes: parsing 200k replies one by one would dominate).
 */
function loadVolatileKeys(port: number, db: number, n: number, ttlMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const select = `*2\r\n$6\r\nSELECT\r\n$${String(db).length}\r\n${db}\r\n`;
    const ttl = String(ttlMs);
    const expected = 5 * (n + 1);
    let received = 0;
    let tail = '';
    const s = net.connect(port, '127.0.0.1', () => {
      const parts: string[] = [select];
      for (let i = 0; i < n; i++) {
        const key = 'vol:' + i;
        parts.push(`*5\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$1\r\nv\r\n$2\r\nPX\r\n$${ttl.length}\r\n${ttl}\r\n`);
      }
      s.write(parts.join(''));
    });
    s.on('data', (d: Buffer) => {
      received += d.length;
      tail = (tail + d.toString('latin1')).slice(-64);
      if (tail.includes('-')) reject(new Error(`error reply: ${tail}`));
      if (received >= expected) {
        s.destroy();
        resolve();
      }
    });
    s.on('error', reject);
  });
}

t.test('expiry', async (t) => {
  const node = await startCinnabar(t);
  const connect = async (t: Test, db: number) => {
    const c = await RawConnection.connect(node.port);
    t.teardown(() => c.close());
    t.equal(await c.call('SELECT', String(db)), '+OK\r\n');
    return c;
  };

  t.test('option and argument errors, in Redis order', async (t) => {
    const c = await connect(t, 1);
    await c.call('SET', 'k', 'v');
    for (const [args, reply] of [
      [['EXPIRE', 'k', '100', 'nx', 'xx'], '-ERR NX and XX, GT or LT options at the same time are not compatible\r\n'],
      [['EXPIRE', 'k', '100', 'nx', 'gt'], '-ERR NX and XX, GT or LT options at the same time are not compatible\r\n'],
      [['EXPIRE', 'k', '100', 'lt', 'nx'], '-ERR NX and XX, GT or LT options at the same time are not compatible\r\n'],
      [['EXPIRE', 'k', '100', 'gt', 'lt'], '-ERR GT and LT options at the same time are not compatible\r\n'],
      [['EXPIRE', 'k', '100', 'foo'], '-ERR Unsupported option foo\r\n'],
      [['EXPIRE', 'k', '100', 'foo\nbar'], '-ERR Unsupported option foo bar\r\n'],
      [['EXPIRE', 'k', 'abc', 'foo'], '-ERR Unsupported option foo\r\n'],
      [['EXPIRE', 'k', 'abc', 'nx', 'xx'], '-ERR NX and XX, GT or LT options at the same time are not compatible\r\n'],
      [['EXPIRE', 'k', 'abc'], '-ERR value is not an integer or out of range\r\n'],
      [['EXPIRE', 'nokey', 'abc'], '-ERR value is not an integer or out of range\r\n'],
      [['EXPIRE', 'k', ''], '-ERR value is not an integer or out of range\r\n'],
      [['EXPIRE', 'k', '1.5'], '-ERR value is not an integer or out of range\r\n'],
      [['EXPIRE', 'k', '9223370399119966'], "-ERR invalid expire time in 'expire' command\r\n"],
      [['EXPIRE', 'k', '9223372036854776'], "-ERR invalid expire time in 'expire' command\r\n"],
      [['EXPIRE', 'k', '10000000000000000'], "-ERR invalid expire time in 'expire' command\r\n"],
      [['EXPIRE', 'k', '-9223372036854776'], "-ERR invalid expire time in 'expire' command\r\n"],
      [['EXPIRE', 'k', '-9999999999999999'], "-ERR invalid expire time in 'expire' command\r\n"],
      [['PEXPIRE', 'k', '9223372036854770000'], "-ERR invalid expire time in 'pexpire' command\r\n"],
      [['PEXPIRE', 'k', '9223372036854775807'], "-ERR invalid expire time in 'pexpire' command\r\n"],
      [['EXPIREAT', 'k', '9223372036854776'], "-ERR invalid expire time in 'expireat' command\r\n"],
      [['PEXPIREAT', 'k', '9223372036854775808'], '-ERR value is not an integer or out of range\r\n'],
      [['EXPIRE', 'k'], "-ERR wrong number of arguments for 'expire' command\r\n"],
      [['TTL'], "-ERR wrong number of arguments for 'ttl' command\r\n"],
      [['PERSIST', 'a', 'b'], "-ERR wrong number of arguments for 'persist' command\r\n"],
    ] as const) {
      t.equal(await c.call(...args), reply, args.join(' '));
    }
    t.equal(await c.call('TTL', 'k'), ':-1\r\n', 'no error changed the key');
  });

  t.test('NX XX GT LT', async (t) => {
    const c = await connect(t, 2);
    await c.call('SET', 'k', 'v');
    t.equal(await c.call('EXPIRE', 'nokey', '100'), ':0\r\n');
    t.equal(await c.call('EXPIRE', 'k', '100', 'xx'), ':0\r\n', 'XX: no TTL yet');
    t.equal(await c.call('EXPIRE', 'k', '100', 'gt'), ':0\r\n', 'GT: no TTL is infinite');
    t.equal(await c.call('EXPIRE', 'k', '100', 'xx', 'gt'), ':0\r\n');
    t.equal(await c.call('EXPIRE', 'k', '100', 'NX'), ':1\r\n');
    t.equal(await c.call('EXPIRE', 'k', '100', 'nx'), ':0\r\n');
    t.equal(await c.call('TTL', 'k'), ':100\r\n');
    t.equal(await c.call('EXPIRE', 'k', '50', 'gt'), ':0\r\n');
    t.equal(await c.call('EXPIRE', 'k', '200', 'GT'), ':1\r\n');
    t.equal(await c.call('EXPIRE', 'k', '300', 'lt'), ':0\r\n');
    t.equal(await c.call('EXPIRE', 'k', '150', 'LT', 'xx'), ':1\r\n');
    t.equal(await c.call('TTL', 'k'), ':150\r\n');
    t.equal(await c.call('PERSIST', 'k'), ':1\r\n');
    t.equal(await c.call('EXPIRE', 'k', '100', 'lt'), ':1\r\n', 'LT: anything beats no TTL');
    t.equal(await c.call('EXPIRE', 'k', '100', 'nx', 'nx'), ':0\r\n', 'repeated flags are fine');
    await c.call('PERSIST', 'k');
    t.equal(await c.call('EXPIRE', 'k', '-5', 'gt'), ':0\r\n');
    t.equal(await c.call('EXISTS', 'k'), ':1\r\n');
    t.equal(await c.call('EXPIRE', 'k', '-5', 'lt'), ':1\r\n');
    t.equal(await c.call('EXISTS', 'k'), ':0\r\n', 'a past time deletes');
  });

  t.test('past and extreme times', async (t) => {
    const c = await connect(t, 3);
    for (const args of [
      ['EXPIRE', 'k', '0'],
      ['EXPIRE', 'k', '-9223372036854775'],
      ['PEXPIRE', 'k', '-1'],
      ['EXPIREAT', 'k', '0'],
      ['PEXPIREAT', 'k', '1'],
      ['PEXPIREAT', 'k', '-9223372036854775808'],
      ['EXPIREAT', 'k', String(Math.floor(Date.now() / 1000) - 10)],
    ]) {
      await c.call('SET', 'k', 'v');
      t.equal(await c.call(...args), ':1\r\n', args.join(' '));
      t.equal(await c.call('EXISTS', 'k'), ':0\r\n', 'deleted');
    }
    await c.call('SET', 'k', 'v');
    t.equal(await c.call('PEXPIREAT', 'k', '9223372036854775807'), ':1\r\n');
    t.equal(await c.call('PEXPIRETIME', 'k'), ':9223372036854775807\r\n');
    t.equal(await c.call('EXPIRETIME', 'k'), ':9223372036854776\r\n');
    t.equal(await c.call('PEXPIREAT', 'k', '9223372036854770000'), ':1\r\n');
    t.equal(await c.call('PEXPIRETIME', 'k'), ':9223372036854770000\r\n');
    t.equal(await c.call('EXPIREAT', 'k', '9223372036854775'), ':1\r\n');
    t.equal(await c.call('EXPIREAT', 'k', '9223372036854774'), ':1\r\n');
    t.equal(await c.call('PEXPIRETIME', 'k'), ':9223372036854774000\r\n');
    t.equal(await c.call('EXPIREAT', 'k', '9223372036854775', 'lt'), ':0\r\n');
  });

  t.test('TTL PTTL EXPIRETIME PEXPIRETIME PERSIST', async (t) => {
    const c = await connect(t, 4);
    for (const cmd of ['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']) {
      t.equal(await c.call(cmd, 'nokey'), ':-2\r\n', `${cmd} of a missing key`);
    }
    await c.call('SET', 'k', 'v');
    for (const cmd of ['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']) {
      t.equal(await c.call(cmd, 'k'), ':-1\r\n', `${cmd} without TTL`);
    }
    t.equal(await c.call('EXPIREAT', 'k', '1893456000'), ':1\r\n');
    t.equal(await c.call('EXPIRETIME', 'k'), ':1893456000\r\n');
    t.equal(await c.call('PEXPIRETIME', 'k'), ':1893456000000\r\n');
    t.equal(await c.call('PEXPIREAT', 'k', '1893456000499'), ':1\r\n');
    t.equal(await c.call('EXPIRETIME', 'k'), ':1893456000\r\n', 'rounded to the nearest second');
    t.equal(await c.call('PEXPIREAT', 'k', '1893456000500'), ':1\r\n');
    t.equal(await c.call('EXPIRETIME', 'k'), ':1893456001\r\n');
    // TTL rounds to the nearest second; the margins tolerate up to 400 ms of delay.
    t.equal(await c.call('PEXPIRE', 'k', '10100'), ':1\r\n');
    t.equal(await c.call('TTL', 'k'), ':10\r\n');
    t.equal(await c.call('PEXPIRE', 'k', '10900'), ':1\r\n');
    t.equal(await c.call('TTL', 'k'), ':11\r\n');
    const pttl = Number((await c.call('PTTL', 'k')).slice(1, -2));
    t.ok(pttl > 10000 && pttl <= 10900, `PTTL in ms (${pttl})`);
    const at = Number((await c.call('PEXPIRETIME', 'k')).slice(1, -2));
    t.ok(Math.abs(at - (Date.now() + 10900)) < 1000, 'absolute time in ms');
    t.equal(await c.call('PERSIST', 'k'), ':1\r\n');
    t.equal(await c.call('PERSIST', 'k'), ':0\r\n');
    t.equal(await c.call('PERSIST', 'nokey'), ':0\r\n');
    t.equal(await c.call('TTL', 'k'), ':-1\r\n');
    await c.call('SET', 'k', 'v', 'EX', '100');
    await c.call('SET', 'k', 'w');
    t.equal(await c.call('TTL', 'k'), ':-1\r\n', 'SET clears the TTL');
    await c.call('HELLO', '3');
    t.equal(await c.call('TTL', 'nokey'), ':-2\r\n', 'integers in RESP3 too');
  });

  t.test('a key with PEXPIRE 100 reads as missing right after', async (t) => {
    const c = await connect(t, 5);
    await c.call('SET', 'short', 'v');
    t.equal(await c.call('PEXPIRE', 'short', '100'), ':1\r\n');
    t.equal(await c.call('GET', 'short'), '$1\r\nv\r\n');
    await sleep(110);
    t.equal(await c.call('GET', 'short'), '$-1\r\n');
    t.equal(await c.call('EXISTS', 'short'), ':0\r\n');
    t.equal(await c.call('TTL', 'short'), ':-2\r\n');
  });

  t.test('200k keys with a 1s TTL vanish without being touched', async (t) => {
    const c = await connect(t, 6);
    const n = 200000;
    const startedAt = Date.now();
    await loadVolatileKeys(node.port, 6, n, 1000);
    const loadMs = Date.now() - startedAt;
    const dbsize = async (): Promise<number> => Number((await c.call('DBSIZE')).slice(1, -2));
    const size = await dbsize();
    // Keys set in the first second may already be gone if loading took that long.
    if (loadMs < 900) t.equal(size, n, `all loaded (${loadMs} ms)`);
    else t.ok(size > 0 && size <= n, `loaded in ${loadMs} ms, ${size} left`);
    const { last: left } = await poll(dbsize, (n) => n === 0, { timeoutMs: 8000 - (Date.now() - startedAt) });
    const elapsed = Date.now() - startedAt;
    t.equal(left, 0, 'every key was removed by the active cycle');
    t.ok(elapsed < 1000 + loadMs + 5000, `within ~5s of expiring (${elapsed} ms after the first SET)`);
  });
});
