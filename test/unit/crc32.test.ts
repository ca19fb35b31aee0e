// The WAL's CRC-32 equals zlib's for every length around the JS/zlib switch, at any offset.

import t from 'tap';
import { crc32 } from 'node:zlib';
import { crc32Of } from '../../src/persistence/crc32';

t.test('crc32Of matches zlib crc32', async (t) => {
  let seed = 7;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
  const buf = Buffer.alloc(1200);
  for (let i = 0; i < buf.length; i++) buf[i] = rand();
  let mismatches = 0;
  for (let len = 0; len <= 600; len++) {
    for (const start of [0, 1, 7, 300]) {
      if (crc32Of(buf, start, start + len) !== crc32(buf.subarray(start, start + len)) >>> 0) mismatches++;
    }
  }
  t.equal(mismatches, 0, 'lengths 0-600 at four offsets');
  t.equal(crc32Of(Buffer.from('123456789'), 0, 9), 0xcbf43926, 'the CRC-32 check value');
});
