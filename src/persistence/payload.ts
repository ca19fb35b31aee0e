// Length-prefixed strings in the payloads of typed snapshot values (u32 LE byte length, then
// the latin1 bytes), shared by the value types' codecs, with the bounds checks decoding needs.

import { latin1 } from '../resp/latin1';

/** Bytes a string takes as a length-prefixed field. */
export function prefixedSize(s: string): number {
  return 4 + s.length;
}

/** Writes `s` length-prefixed at `pos`; returns the end. */
export function writePrefixed(buf: Buffer, pos: number, s: string): number {
  const p = buf.writeUInt32LE(s.length, pos);
  return p + buf.write(s, p, 'latin1');
}

/** Reads a payload `buf[pos, end)` field by field; errors name `what` ("hash", "set"...). */
export class PayloadReader {
  constructor(
    private readonly buf: Buffer,
    public pos: number,
    private readonly end: number,
    private readonly what: string,
  ) {}

  /** A u8 then a u32 LE count: the header of every collection payload. */
  header(): { encoding: number; count: number } {
    if (this.end - this.pos < 5) throw new Error(`snapshot ${this.what} payload too short`);
    const encoding = this.buf[this.pos];
    const count = this.buf.readUInt32LE(this.pos + 1);
    this.pos += 5;
    return { encoding, count };
  }

  /** The next length-prefixed string (copied out of the buffer). */
  string(): string {
    const { buf, end } = this;
    if (this.pos + 4 > end) throw new Error(`snapshot ${this.what} payload past its end`);
    const len = buf.readUInt32LE(this.pos);
    const start = this.pos + 4;
    if (start + len > end) throw new Error(`snapshot ${this.what} payload past its end`);
    this.pos = start + len;
    return latin1(buf, start, start + len);
  }

  /** Checks that the whole payload was read. */
  finish(): void {
    if (this.pos !== this.end) throw new Error(`snapshot ${this.what} payload has trailing bytes`);
  }
}
