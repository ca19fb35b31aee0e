// WAL record codec: round trips, and the on-disk format pinned byte for byte (header layout,
// magic, record type numbers), so a change to what Cinnabar writes to disk cannot go unnoticed.

import t from 'tap';
import { crc32 } from 'node:zlib';
import {
  decodeRecord,
  encodeCommand,
  encodedSize,
  HEADER_BYTES,
  RecordType,
  WAL_MAGIC,
} from '../../src/persistence/wal-record';

function encode(offset: number, db: number, args: string[]): Buffer {
  const buf = Buffer.alloc(encodedSize(args));
  const end = encodeCommand(buf, 0, offset, db, args);
  if (end !== buf.length) throw new Error(`encodeCommand ended at ${end}, encodedSize said ${buf.length}`);
  return buf;
}

t.test('format constants are stable', async (t) => {
  // These numbers are on disk in every WAL ever written: append new ones, never renumber.
  t.equal(RecordType.Command, 1);
  t.same(Object.keys(RecordType), ['Command'], 'a new record type needs a pinned number here');
  t.equal(WAL_MAGIC, 0x57414c31);
  t.equal(HEADER_BYTES, 12);
});

t.test('an encoded record, byte for byte', async (t) => {
  // offset 2^32 + 2 checks both halves of the u64; the value holds a NUL and a 0xff byte.
  const bytes = encode(4294967298, 3, ['SET', 'k', 'v\x00\xff']);
  t.equal(
    bytes.toString('hex'),
    [
      '22000000', // body length 34
      '59973042', // CRC-32 of the body (computed independently with Python's zlib.crc32)
      '314c4157', // magic "1LAW"
      '01', // record type Command
      '0200000001000000', // stream offset, u64 LE
      '0300', // db 3
      '03000000', // argc
      '03000000' + '534554', // "SET"
      '01000000' + '6b', // "k"
      '03000000' + '7600ff', // "v\0\xff"
    ].join(''),
  );
  const d = decodeRecord(bytes, 0);
  t.same(d, { kind: 'record', record: { type: 1, offset: 4294967298, db: 3, args: ['SET', 'k', 'v\x00\xff'] }, size: 46 });
});

t.test('round trips', async (t) => {
  const cases: Array<[number, number, string[]]> = [
    [0, 0, ['PING']],
    [12345, 15, ['SET', 'key', 'value', 'PXAT', '1700000000000']],
    [2 ** 40 + 7, 65535, ['DEL', '']],
    [Number.MAX_SAFE_INTEGER - 100, 1, ['APPEND', 'k', 'x'.repeat(70000)]],
    [99, 2, ['MSET', ...Array.from({ length: 200 }, (_, i) => String.fromCharCode(i % 256).repeat(i))]],
    [7, 0, []],
  ];
  for (const [offset, db, args] of cases) {
    const buf = encode(offset, db, args);
    t.equal(buf.length, encodedSize(args));
    const d = decodeRecord(buf, 0);
    t.same(d, { kind: 'record', record: { type: RecordType.Command, offset, db, args }, size: buf.length }, `${args[0]} @${offset}`);
  }
});

t.test('records packed back to back decode in sequence', async (t) => {
  const records: Array<[number, string[]]> = [
    [0, ['SET', 'a', '1']],
    [1, ['INCR', 'a']],
    [9, ['PEXPIREAT', 'a', '1893456000000']],
  ];
  const total = records.reduce((n, [, a]) => n + encodedSize(a), 0);
  const buf = Buffer.alloc(total + 5);
  let pos = 5; // not at the start of the buffer
  let offset = 1000;
  for (const [db, args] of records) {
    const end = encodeCommand(buf, pos, offset, db, args);
    offset += end - pos;
    pos = end;
  }
  pos = 5;
  offset = 1000;
  for (const [db, args] of records) {
    const d = decodeRecord(buf, pos);
    if (d.kind !== 'record') throw new Error(`expected a record at ${pos}, got ${JSON.stringify(d)}`);
    t.same(d.record, { type: 1, offset, db, args });
    pos += d.size;
    offset += d.size;
  }
  t.equal(pos, buf.length);
});

t.test('every strict prefix is incomplete, never a record or corrupt', async (t) => {
  const full = encode(500, 1, ['SET', 'some-key', 'some-value']);
  for (let n = 0; n < full.length; n++) {
    t.same(decodeRecord(full.subarray(0, n), 0), { kind: 'incomplete' }, `prefix of ${n} bytes`);
  }
});

t.test('damage is reported as corrupt with a reason', async (t) => {
  const good = encode(500, 1, ['SET', 'some-key', 'some-value']);
  const withByte = (i: number, v: number): Buffer => {
    const b = Buffer.from(good);
    b[i] = v;
    return b;
  };
  t.match(decodeRecord(withByte(8, 0), 0), { kind: 'corrupt', reason: 'bad record magic' });
  t.match(decodeRecord(withByte(0, 3), 0), { kind: 'corrupt', reason: 'bad record length' });
  t.match(decodeRecord(withByte(4, good[4] ^ 1), 0), { kind: 'corrupt', reason: 'checksum mismatch' });
  // Every byte of the body is covered by the checksum.
  for (let i = HEADER_BYTES; i < good.length; i++) {
    t.match(decodeRecord(withByte(i, good[i] ^ 0x20), 0), { kind: 'corrupt', reason: 'checksum mismatch' }, `body byte ${i}`);
  }
});

t.test('a checksummed record with an unknown type or bad inner lengths is corrupt', async (t) => {
  // Builds a record whose checksum is right but whose body is not a valid Command record.
  const frame = (body: Buffer): Buffer => {
    const h = Buffer.alloc(HEADER_BYTES);
    h.writeUInt32LE(body.length, 0);
    h.writeUInt32LE(crc32(body), 4);
    h.writeUInt32LE(WAL_MAGIC, 8);
    return Buffer.concat([h, body]);
  };
  const body = encode(0, 0, ['SET', 'k', 'v']).subarray(HEADER_BYTES);
  const unknownType = Buffer.from(body);
  unknownType[0] = 2;
  t.match(decodeRecord(frame(unknownType), 0), { kind: 'corrupt', reason: 'unknown record type 2' });
  const longArg = Buffer.from(body);
  longArg.writeUInt32LE(200, 15); // the first argument claims 200 bytes
  t.match(decodeRecord(frame(longArg), 0), { kind: 'corrupt', reason: 'argument past record end' });
  const extraArgc = Buffer.from(body);
  extraArgc.writeUInt32LE(4, 11);
  t.match(decodeRecord(frame(extraArgc), 0), { kind: 'corrupt', reason: 'argument past record end' });
  const trailing = Buffer.concat([body, Buffer.from([0])]);
  t.match(decodeRecord(frame(trailing), 0), { kind: 'corrupt', reason: 'trailing bytes in record' });
});
