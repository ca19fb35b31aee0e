// The cluster bus codec: stable message type numbers, round trips of every message kind,
// framing fed whole, byte by byte and split everywhere, and garbage refused with
// BusProtocolError (never another exception).

import t, { type Test } from 'tap';
import { randomBytes } from 'node:crypto';
import {
  BUS_MAGIC,
  BusFrameReader,
  BusProtocolError,
  encodeFail,
  encodeGossip,
  encodeUpdate,
  MsgType,
  type BusHeader,
  type BusMessage,
} from '../../src/cluster/bus-message';

function header(type: number): BusHeader {
  const slots = new Uint8Array(2048);
  slots[0] = 0b101;
  slots[2047] = 0x80;
  return {
    type,
    sender: 'ab'.repeat(20),
    currentEpoch: 12,
    configEpoch: 7,
    replOffset: 2 ** 40 + 3,
    flags: 2,
    port: 7000,
    cport: 17000,
    clusterOk: true,
    replicaOf: '',
    slots,
    ip: '10.1.2.3',
    hostname: 'node-1',
  };
}

t.test('message type numbers are stable (Redis CLUSTERMSG_TYPE_*)', async (t) => {
  t.same(MsgType, {
    PING: 0,
    PONG: 1,
    MEET: 2,
    FAIL: 3,
    PUBLISH: 4,
    FAILOVER_AUTH_REQUEST: 5,
    FAILOVER_AUTH_ACK: 6,
    UPDATE: 7,
    MFSTART: 8,
    MODULE: 9,
    PUBLISHSHARD: 10,
  });
  t.equal(BUS_MAGIC, 0x434e4252);
});

const gossip = [
  { id: 'cd'.repeat(20), pingSent: 0, pongReceived: 1796156008, ip: '127.0.0.1', port: 7001, cport: 17001, flags: 2 | 8 },
  { id: 'ef'.repeat(20), pingSent: 5, pongReceived: 6, ip: '::1', port: 7002, cport: 27002, flags: 4 },
];

function frames(): Buffer[] {
  const replica = header(MsgType.PONG);
  replica.replicaOf = 'cd'.repeat(20);
  replica.ip = '';
  return [
    encodeGossip(header(MsgType.PING), gossip),
    encodeGossip(replica, []),
    encodeGossip(header(MsgType.MEET), gossip.slice(0, 1)),
    encodeFail(header(MsgType.FAIL), 'ef'.repeat(20)),
    encodeUpdate(header(MsgType.UPDATE), 'cd'.repeat(20), 99, header(0).slots),
  ];
}

function check(t: Test, msgs: BusMessage[]): void {
  t.equal(msgs.length, 5);
  const [ping, pong, meet, fail, update] = msgs;
  t.equal(ping.kind, 'gossip');
  t.same(ping.header, header(MsgType.PING));
  if (ping.kind === 'gossip') t.same(ping.gossip, gossip);
  t.equal(pong.header.replicaOf, 'cd'.repeat(20));
  t.equal(pong.header.ip, '');
  if (pong.kind === 'gossip') t.same(pong.gossip, []);
  t.equal(meet.header.type, MsgType.MEET);
  t.same(fail.kind === 'fail' && fail.failing, 'ef'.repeat(20));
  t.ok(update.kind === 'update' && update.configEpoch === 99 && update.node === 'cd'.repeat(20) && update.slots[2047] === 0x80);
}

t.test('round trip, whole stream', async (t) => {
  check(t, new BusFrameReader().push(Buffer.concat(frames())));
});

t.test('round trip, byte by byte', async (t) => {
  const all = Buffer.concat(frames());
  const r = new BusFrameReader();
  const got: BusMessage[] = [];
  for (let i = 0; i < all.length; i++) got.push(...r.push(all.subarray(i, i + 1)));
  check(t, got);
});

t.test('round trip, split at every boundary of the first frames', async (t) => {
  const all = Buffer.concat(frames());
  for (let cut = 1; cut < 2400; cut += 7) {
    const r = new BusFrameReader();
    const got = [...r.push(all.subarray(0, cut)), ...r.push(all.subarray(cut))];
    if (got.length !== 5) t.fail(`cut at ${cut}`);
  }
  t.pass('all cuts decode');
});

t.test('garbage is refused with BusProtocolError', async (t) => {
  t.throws(() => new BusFrameReader().push(Buffer.from('PING\r\n*1\r\n$4\r\nPING\r\n')), { name: 'BusProtocolError' }, 'RESP on the bus port');
  t.throws(() => new BusFrameReader().push(Buffer.from('RCmb\x00\x00\x00\x00\x00\x00\x00\x00', 'latin1')), { name: 'BusProtocolError' }, "Redis's own bus magic");
  const good = frames()[0];
  const badCrc = Buffer.from(good);
  badCrc[good.length - 1] ^= 0xff;
  t.throws(() => new BusFrameReader().push(badCrc), { name: 'BusProtocolError' }, 'checksum');
  const badLen = Buffer.from(good);
  badLen.writeUInt32BE(10, 8);
  t.throws(() => new BusFrameReader().push(badLen), { name: 'BusProtocolError' }, 'length too small');
  badLen.writeUInt32BE(0x7fffffff, 8);
  t.throws(() => new BusFrameReader().push(badLen), { name: 'BusProtocolError' }, 'length too large');
  const badVersion = Buffer.from(good);
  badVersion.writeUInt16BE(99, 4);
  t.throws(() => new BusFrameReader().push(badVersion), { name: 'BusProtocolError' }, 'version');
  // Random bytes, and random bytes behind a valid magic: only BusProtocolError, or waiting.
  for (let i = 0; i < 500; i++) {
    const junk = randomBytes(4 + (i % 300));
    if (i % 2 === 0) junk.writeUInt32BE(BUS_MAGIC, 0);
    try {
      new BusFrameReader().push(junk);
    } catch (err) {
      if (!(err instanceof BusProtocolError)) t.fail(`unexpected ${String(err)}`);
    }
  }
  t.pass('random input never throws anything but BusProtocolError');
});

t.test('mutated frames with a valid checksum decode or are refused, never crash', async (t) => {
  const { crc32 } = await import('node:zlib');
  const base = frames();
  let refused = 0;
  for (let i = 0; i < 2000; i++) {
    const f = Buffer.from(base[i % base.length]);
    for (let k = 0; k < 3; k++) {
      // Mutate the variable part (after the fixed length field) so framing stays valid.
      const at = 16 + Math.floor(Math.random() * (f.length - 16));
      f[at] = Math.floor(Math.random() * 256);
    }
    f.writeUInt32BE(crc32(f.subarray(16)) >>> 0, 12);
    try {
      new BusFrameReader().push(f);
    } catch (err) {
      if ((err as Error).name !== 'BusProtocolError') t.fail(`unexpected ${String(err)}`);
      refused++;
    }
  }
  t.ok(refused > 0, `some mutations refused (${refused})`);
});

t.test('a consistent frame with corrupt fields is refused', async (t) => {
  // Re-checksummed frame whose sender id is not hex.
  const f = Buffer.from(frames()[0]);
  f.write('zz', 16, 'latin1');
  const { crc32 } = await import('node:zlib');
  f.writeUInt32BE(crc32(f.subarray(16)) >>> 0, 12);
  t.throws(() => new BusFrameReader().push(f), { name: 'BusProtocolError' });
});
