// Bitmaps against redis-server with seeded random inputs: BITCOUNT and BITPOS over random
// strings with random ranges in both units, BITFIELD with random types, offsets, values and
// overflow modes, SETBIT/BITOP sequences; then WATCH and bitmaps (a SETBIT that changes
// nothing keeps the watch, as in Redis 7.0).

import t from 'tap';
import { compareWithRedis, prng, startBoth } from '../helpers/differential';

const seed = Number(process.env.BITMAP_SEED ?? Date.now() % 1_000_000);

function randomBytes(rand: (n: number) => number, len: number): string {
  let s = '';
  // Runs of 0x00 and 0xff as well as random bytes, so BITPOS finds and misses things.
  for (let i = 0; i < len; i++) {
    const k = rand(4);
    s += String.fromCharCode(k === 0 ? 0 : k === 1 ? 255 : rand(256));
  }
  return s;
}

t.test('bitmaps match redis-server on random inputs', async (t) => {
  t.comment(`seed ${seed} (BITMAP_SEED=${seed} replays it)`);
  const rand = prng(seed);
  const { redis, cinnabar } = await startBoth(t);
  const idx = (len: number) => String(rand(len * 2 + 6) - len - 3);

  const counts: string[][] = [];
  for (let i = 0; i < 60; i++) {
    const len = rand(12);
    counts.push(['SET', 's', randomBytes(rand, len)]);
    for (let j = 0; j < 10; j++) {
      const unit = rand(3) === 0 ? [] : [rand(2) ? 'BIT' : 'BYTE'];
      const bits = unit[0] === 'BIT' ? 8 : 1;
      counts.push(['BITCOUNT', 's', idx(len * bits), idx(len * bits), ...unit]);
      const bit = String(rand(2));
      const form = rand(4);
      if (form === 0) counts.push(['BITPOS', 's', bit]);
      else if (form === 1) counts.push(['BITPOS', 's', bit, idx(len * bits)]);
      else counts.push(['BITPOS', 's', bit, idx(len * bits), idx(len * bits), ...unit]);
    }
  }
  await compareWithRedis(t, redis, cinnabar, counts);

  const fields: string[][] = [['DEL', 'f']];
  const modes = ['WRAP', 'SAT', 'FAIL'];
  for (let i = 0; i < 400; i++) {
    const ops: string[] = [];
    for (let k = 0; k < 1 + rand(4); k++) {
      const signed = rand(2) === 1;
      const bits = 1 + rand(signed ? 64 : 63);
      const type = (signed ? 'i' : 'u') + bits;
      const offset = rand(3) === 0 ? '#' + rand(8) : String(rand(200));
      const big = BigInt(rand(2 ** 30)) * BigInt(rand(2 ** 30)) * BigInt(rand(16) + 1);
      const value = String(rand(3) === 0 ? BigInt(rand(600)) - 300n : rand(2) ? big : -big);
      const clamped = String(BigInt.asIntN(64, BigInt(value)));
      if (rand(4) === 0) ops.push('OVERFLOW', modes[rand(3)]);
      const op = rand(3);
      if (op === 0) ops.push('GET', type, offset);
      else ops.push(op === 1 ? 'SET' : 'INCRBY', type, offset, clamped);
    }
    fields.push(['BITFIELD', 'f', ...ops]);
    if (i % 50 === 0) fields.push(['GET', 'f'], ['BITFIELD_RO', 'f', 'GET', 'i64', String(rand(100)), 'GET', 'u63', String(rand(100))]);
  }
  fields.push(['GET', 'f']);
  await compareWithRedis(t, redis, cinnabar, fields);

  const ops: string[][] = [];
  for (let i = 0; i < 300; i++) {
    const key = 'k' + rand(4);
    const r = rand(4);
    if (r === 0) ops.push(['SETBIT', key, String(rand(100)), String(rand(2))]);
    else if (r === 1) ops.push(['GETBIT', key, String(rand(110))]);
    else if (r === 2) ops.push(['BITOP', ['AND', 'OR', 'XOR'][rand(3)], 'k' + rand(4), key, 'k' + rand(4), 'k' + rand(5)]);
    else ops.push(['BITOP', 'NOT', 'k' + rand(4), key]);
    if (i % 20 === 0) ops.push(['MGET', 'k0', 'k1', 'k2', 'k3']);
  }
  ops.push(['MGET', 'k0', 'k1', 'k2', 'k3', 'k4']);
  await compareWithRedis(t, redis, cinnabar, ops);
});

t.test('WATCH and bit commands', async (t) => {
  const { redis, cinnabar } = await startBoth(t);
  const seq: string[][] = [
    ['SETBIT', 'w', '5', '1'],
    ['WATCH', 'w'],
    ['SETBIT', 'w', '5', '1'],
    ['MULTI'],
    ['GETBIT', 'w', '5'],
    ['EXEC'],
    ['WATCH', 'w'],
    ['SETBIT', 'w', '5', '0'],
    ['MULTI'],
    ['GETBIT', 'w', '5'],
    ['EXEC'],
    ['WATCH', 'w'],
    ['SETBIT', 'w', '100', '0'],
    ['MULTI'],
    ['STRLEN', 'w'],
    ['EXEC'],
    ['WATCH', 'w'],
    ['BITFIELD', 'w', 'GET', 'u8', '0'],
    ['BITFIELD', 'w', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '0', '9'],
    ['MULTI'],
    ['STRLEN', 'w'],
    ['EXEC'],
    ['WATCH', 'none'],
    ['BITOP', 'OR', 'none', 'missing1', 'missing2'],
    ['MULTI'],
    ['PING'],
    ['EXEC'],
  ];
  await compareWithRedis(t, redis, cinnabar, seq);
});
