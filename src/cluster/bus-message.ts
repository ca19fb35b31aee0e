// The cluster bus wire format (our own, Cinnabar to Cinnabar): length-prefixed binary
// messages with a magic, a version and a CRC32 over everything after the checksum field.
// Every message carries the sender's view of itself (id, epochs, role, primary,
// replication offset, slots); PING/PONG/MEET add gossip about other nodes, FAIL names a
// failed node, UPDATE tells a node about a newer owner of its slots. Message type numbers
// are Redis's (CLUSTERMSG_TYPE_*) and stable; they are pinned by a unit test.
//
// Layout (big endian):
//   0 magic u32 'CNBR' | 4 version u16 | 6 type u16 | 8 total length u32 | 12 crc32 u32
//   16 sender id [40] | 56 currentEpoch u64 | 64 configEpoch u64 | 72 replOffset u64
//   80 flags u16 | 82 port u16 | 84 cport u16 | 86 cluster state u8 (1 ok) | 87 reserved u8
//   88 primary id [40] (zeros: none) | 128 slots bitmap [2048]
//   2176 ip (u8 length + bytes; empty: use the socket's address) | hostname (u8 + bytes)
//   then the body of the type.

import { crc32 } from 'node:zlib';
import { SLOT_COUNT } from './slot';
import { NODE_ID_LEN, isNodeId } from './node-table';

export const BUS_MAGIC = 0x434e4252; // "CNBR"
export const BUS_VERSION = 1;
/** Largest message accepted; anything longer is a foreign or broken peer. */
export const BUS_MAX_MESSAGE = 1 << 20;
const FIXED = 2176;
const SLOT_BYTES = SLOT_COUNT / 8;

export const MsgType = {
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
} as const;
export const MSG_TYPE_COUNT = 11;

export interface BusHeader {
  type: number;
  sender: string;
  currentEpoch: number;
  configEpoch: number;
  replOffset: number;
  flags: number;
  port: number;
  cport: number;
  clusterOk: boolean;
  /** The sender's primary when it is a replica, '' otherwise. */
  replicaOf: string;
  slots: Uint8Array;
  /** The sender's announced ip; '' lets the receiver use the socket's peer address. */
  ip: string;
  hostname: string;
}

export interface GossipEntry {
  id: string;
  /** Seconds (Unix) as the sender knows them; 0 for none. */
  pingSent: number;
  pongReceived: number;
  ip: string;
  port: number;
  cport: number;
  flags: number;
}

export type BusMessage =
  | { header: BusHeader; kind: 'gossip'; gossip: GossipEntry[] }
  | { header: BusHeader; kind: 'fail'; failing: string }
  | { header: BusHeader; kind: 'update'; node: string; configEpoch: number; slots: Uint8Array }
  | { header: BusHeader; kind: 'other'; body: Buffer };

export class BusProtocolError extends Error {
  override name = 'BusProtocolError';
}

// ── Encoding ─────────────────────────────────────────────────────────────────────────────

class Writer {
  private buf = Buffer.alloc(4096);
  len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf.writeUInt8(v, this.len);
    this.len += 1;
  }
  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.len);
    this.len += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
  }
  u64(v: number): void {
    this.ensure(8);
    this.buf.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(v))), this.len);
    this.len += 8;
  }
  /** A node id, zero-padded to its fixed width ('' for none); read back by Reader.id(). */
  id(s: string): void {
    this.ensure(NODE_ID_LEN);
    this.buf.fill(0, this.len, this.len + NODE_ID_LEN);
    this.buf.write(s.slice(0, NODE_ID_LEN), this.len, 'latin1');
    this.len += NODE_ID_LEN;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  short(s: string): void {
    const b = Buffer.from(s, 'latin1');
    if (b.length > 255) throw new RangeError('string too long for the bus');
    this.u8(b.length);
    this.bytes(b);
  }
  finish(): Buffer {
    const out = this.buf.subarray(0, this.len);
    out.writeUInt32BE(this.len, 8);
    out.writeUInt32BE(crc32(out.subarray(16)) >>> 0, 12);
    return Buffer.from(out);
  }
}

function writeHeader(w: Writer, h: BusHeader): void {
  w.u32(BUS_MAGIC);
  w.u16(BUS_VERSION);
  w.u16(h.type);
  w.u32(0); // length, filled by finish()
  w.u32(0); // crc, filled by finish()
  w.id(h.sender);
  w.u64(h.currentEpoch);
  w.u64(h.configEpoch);
  w.u64(h.replOffset);
  w.u16(h.flags);
  w.u16(h.port);
  w.u16(h.cport);
  w.u8(h.clusterOk ? 1 : 0);
  w.u8(0);
  w.id(h.replicaOf);
  if (h.slots.length !== SLOT_BYTES) throw new RangeError('slots bitmap must be 2048 bytes');
  w.bytes(h.slots);
  w.short(h.ip);
  w.short(h.hostname);
}

export function encodeGossip(h: BusHeader, gossip: readonly GossipEntry[]): Buffer {
  const w = new Writer();
  writeHeader(w, h);
  w.u16(gossip.length);
  for (const g of gossip) {
    w.id(g.id);
    w.u32(g.pingSent);
    w.u32(g.pongReceived);
    w.short(g.ip);
    w.u16(g.port);
    w.u16(g.cport);
    w.u16(g.flags);
  }
  return w.finish();
}

export function encodeFail(h: BusHeader, failing: string): Buffer {
  const w = new Writer();
  writeHeader(w, h);
  w.id(failing);
  return w.finish();
}

export function encodeUpdate(h: BusHeader, node: string, configEpoch: number, slots: Uint8Array): Buffer {
  const w = new Writer();
  writeHeader(w, h);
  w.id(node);
  w.u64(configEpoch);
  w.bytes(slots);
  return w.finish();
}

// ── Decoding ─────────────────────────────────────────────────────────────────────────────

class Reader {
  pos: number;
  constructor(
    private readonly b: Buffer,
    from: number,
  ) {
    this.pos = from;
  }
  private need(n: number): void {
    if (this.pos + n > this.b.length) throw new BusProtocolError('message shorter than its fields');
  }
  u8(): number {
    this.need(1);
    return this.b.readUInt8(this.pos++);
  }
  u16(): number {
    this.need(2);
    const v = this.b.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.b.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): number {
    this.need(8);
    const v = this.b.readBigUInt64BE(this.pos);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new BusProtocolError('epoch or offset out of range');
    return Number(v);
  }
  id(): string {
    this.need(NODE_ID_LEN);
    const raw = this.b.subarray(this.pos, this.pos + NODE_ID_LEN);
    this.pos += NODE_ID_LEN;
    if (raw[0] === 0) return '';
    const s = raw.toString('latin1');
    if (!isNodeId(s)) throw new BusProtocolError('bad node id');
    return s;
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const v = new Uint8Array(this.b.subarray(this.pos, this.pos + n));
    this.pos += n;
    return v;
  }
  short(): string {
    const n = this.u8();
    this.need(n);
    const s = this.b.toString('latin1', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  get remaining(): number {
    return this.b.length - this.pos;
  }
}

/** Decodes one whole message (framing and checksum already checked). */
export function decodeMessage(msg: Buffer): BusMessage {
  const r = new Reader(msg, 4);
  const version = r.u16();
  if (version !== BUS_VERSION) throw new BusProtocolError(`unsupported bus version ${version}`);
  const type = r.u16();
  r.u32();
  r.u32();
  const sender = r.id();
  if (sender === '') throw new BusProtocolError('message without sender id');
  const header: BusHeader = {
    type,
    sender,
    currentEpoch: r.u64(),
    configEpoch: r.u64(),
    replOffset: r.u64(),
    flags: r.u16(),
    port: r.u16(),
    cport: r.u16(),
    clusterOk: r.u8() === 1,
    replicaOf: (r.u8(), r.id()),
    slots: r.bytes(SLOT_BYTES),
    ip: r.short(),
    hostname: r.short(),
  };
  switch (type) {
    case MsgType.PING:
    case MsgType.PONG:
    case MsgType.MEET: {
      const count = r.u16();
      const gossip: GossipEntry[] = [];
      for (let i = 0; i < count; i++) {
        const id = r.id();
        if (id === '') throw new BusProtocolError('gossip entry without id');
        gossip.push({ id, pingSent: r.u32(), pongReceived: r.u32(), ip: r.short(), port: r.u16(), cport: r.u16(), flags: r.u16() });
      }
      if (r.remaining !== 0) throw new BusProtocolError('trailing bytes after gossip');
      return { header, kind: 'gossip', gossip };
    }
    case MsgType.FAIL: {
      const failing = r.id();
      if (failing === '') throw new BusProtocolError('FAIL without node id');
      return { header, kind: 'fail', failing };
    }
    case MsgType.UPDATE: {
      const node = r.id();
      if (node === '') throw new BusProtocolError('UPDATE without node id');
      return { header, kind: 'update', node, configEpoch: r.u64(), slots: r.bytes(SLOT_BYTES) };
    }
    default:
      if (type >= MSG_TYPE_COUNT) throw new BusProtocolError(`unknown message type ${type}`);
      return { header, kind: 'other', body: msg.subarray(r.pos) };
  }
}

/**
 * Splits a byte stream into checked messages. A bad magic, a length out of bounds or a
 * checksum mismatch throws BusProtocolError: the link is then closed (the stream cannot be
 * resynchronised).
 */
export class BusFrameReader {
  private pending: Buffer[] = [];
  private pendingLen = 0;

  push(chunk: Buffer): BusMessage[] {
    this.pending.push(chunk);
    this.pendingLen += chunk.length;
    const out: BusMessage[] = [];
    while (this.pendingLen >= 12) {
      const buf = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingLen);
      this.pending = [buf];
      if (buf.readUInt32BE(0) !== BUS_MAGIC) throw new BusProtocolError('bad magic: not a Cinnabar bus peer');
      const len = buf.readUInt32BE(8);
      if (len < FIXED + 2 || len > BUS_MAX_MESSAGE) throw new BusProtocolError(`bad message length ${len}`);
      if (buf.length < len) break;
      const msg = buf.subarray(0, len);
      if ((crc32(msg.subarray(16)) >>> 0) !== msg.readUInt32BE(12)) throw new BusProtocolError('checksum mismatch');
      out.push(decodeMessage(msg));
      const rest = buf.subarray(len);
      this.pending = rest.length === 0 ? [] : [rest];
      this.pendingLen = rest.length;
    }
    return out;
  }
}
