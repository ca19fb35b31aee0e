// The primitives of Redis's RDB serialization (rdb.c) that DUMP payloads are made of:
// lengths (rdbSaveLen/rdbLoadLen) and strings, stored as small integers, LZF-compressed or
// as they are (rdbSaveRawString / rdbGenericLoadStringObject).

import { constants as bufferConstants } from 'node:buffer';
import { isIntEncodable } from '../value';
import { lzfCompress, lzfDecompress } from './lzf';

const LEN_6BIT = 0;
const LEN_14BIT = 1;
const LEN_32BIT = 0x80;
const LEN_64BIT = 0x81;
const ENCVAL = 3;
const ENC_INT8 = 0;
const ENC_INT16 = 1;
const ENC_INT32 = 2;
const ENC_LZF = 3;

/**
 * The most bytes one LZF input byte can become (lzf_d.c): a back-reference of at most
 * 2 + 7 + 255 = 264 bytes takes 3 input bytes, so 88 per byte; a literal run never grows.
 */
const LZF_MAX_EXPANSION = 88;

/**
 * The most bytes all the LZF strings of one payload may decompress to (Redis's largest
 * string): a few MB of crafted LZF would otherwise grow 88-fold and exhaust the JS heap.
 */
export const MAX_DECOMPRESSED_BYTES = 512 * 1024 * 1024;

/** Appends RDB-encoded pieces; bytes() joins them. */
export class RdbWriter {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  /** @param compress rdbcompression: LZF-compress strings longer than 20 bytes when it saves space */
  constructor(private readonly compress: boolean) {}

  raw(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  byte(n: number): void {
    this.raw(Buffer.from([n]));
  }

  len(n: number): void {
    if (n < 1 << 6) {
      this.byte((LEN_6BIT << 6) | n);
    } else if (n < 1 << 14) {
      this.raw(Buffer.from([(LEN_14BIT << 6) | (n >> 8), n & 0xff]));
    } else if (n <= 0xffffffff) {
      const b = Buffer.allocUnsafe(5);
      b[0] = LEN_32BIT;
      b.writeUInt32BE(n, 1);
      this.raw(b);
    } else {
      const b = Buffer.allocUnsafe(9);
      b[0] = LEN_64BIT;
      b.writeBigUInt64BE(BigInt(n), 1);
      this.raw(b);
    }
  }

  /** A latin1 string (rdbSaveRawString). */
  string(s: string): void {
    if (s.length <= 11 && isIntEncodable(s) && this.integer(Number(s))) return;
    this.blob(Buffer.from(s, 'latin1'));
  }

  /** Bytes that are not an integer string (listpacks, intsets): LZF or as they are. */
  blob(b: Buffer): void {
    if (this.compress && b.length > 20) {
      const packed = lzfCompress(b, b.length - 4);
      if (packed !== null) {
        this.byte((ENCVAL << 6) | ENC_LZF);
        this.len(packed.length);
        this.len(b.length);
        this.raw(packed);
        return;
      }
    }
    this.len(b.length);
    this.raw(b);
  }

  /** rdbEncodeInteger: false when `v` needs more than 32 bits. */
  private integer(v: number): boolean {
    if (v >= -128 && v <= 127) {
      const b = Buffer.allocUnsafe(2);
      b[0] = (ENCVAL << 6) | ENC_INT8;
      b.writeInt8(v, 1);
      this.raw(b);
    } else if (v >= -32768 && v <= 32767) {
      const b = Buffer.allocUnsafe(3);
      b[0] = (ENCVAL << 6) | ENC_INT16;
      b.writeInt16LE(v, 1);
      this.raw(b);
    } else if (v >= -2147483648 && v <= 2147483647) {
      const b = Buffer.allocUnsafe(5);
      b[0] = (ENCVAL << 6) | ENC_INT32;
      b.writeInt32LE(v, 1);
      this.raw(b);
    } else {
      return false;
    }
    return true;
  }

  doubleLE(d: number): void {
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleLE(d, 0);
    this.raw(b);
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}

/** Thrown by RdbReader on malformed input; RESTORE answers "Bad data format". */
export class BadDataFormat extends Error {
  constructor(what: string) {
    super(`bad DUMP payload: ${what}`);
    this.name = 'BadDataFormat';
  }
}

/** Reads RDB-encoded pieces from buf[pos, end). */
export class RdbReader {
  private decompressedLeft = MAX_DECOMPRESSED_BYTES;

  constructor(
    private readonly buf: Buffer,
    private pos: number,
    private readonly end: number,
  ) {}

  private need(n: number): number {
    if (n > this.end - this.pos) throw new BadDataFormat('truncated');
    const p = this.pos;
    this.pos += n;
    return p;
  }

  byte(): number {
    return this.buf[this.need(1)];
  }

  /** A length, or an encoding marker ({ encoded: true, value: the ENC_* number }). */
  private lenOrEncoding(): { encoded: boolean; value: number } {
    const b = this.byte();
    const kind = b >> 6;
    if (kind === ENCVAL) return { encoded: true, value: b & 0x3f };
    if (kind === LEN_6BIT) return { encoded: false, value: b & 0x3f };
    if (kind === LEN_14BIT) return { encoded: false, value: ((b & 0x3f) << 8) | this.byte() };
    if (b === LEN_32BIT) return { encoded: false, value: this.buf.readUInt32BE(this.need(4)) };
    if (b === LEN_64BIT) {
      const n = this.buf.readBigUInt64BE(this.need(8));
      if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new BadDataFormat('length too big');
      return { encoded: false, value: Number(n) };
    }
    throw new BadDataFormat('unknown length encoding');
  }

  len(): number {
    const l = this.lenOrEncoding();
    if (l.encoded) throw new BadDataFormat('encoded value where a length belongs');
    return l.value;
  }

  /** A string as raw bytes (integers come back as their decimal text). */
  blob(): Buffer {
    const l = this.lenOrEncoding();
    if (!l.encoded) return this.buf.subarray(this.need(l.value), this.pos);
    switch (l.value) {
      case ENC_INT8:
        return Buffer.from(String(this.buf.readInt8(this.need(1))), 'latin1');
      case ENC_INT16:
        return Buffer.from(String(this.buf.readInt16LE(this.need(2))), 'latin1');
      case ENC_INT32:
        return Buffer.from(String(this.buf.readInt32LE(this.need(4))), 'latin1');
      case ENC_LZF: {
        const clen = this.len();
        const len = this.len();
        const packed = this.buf.subarray(this.need(clen), this.pos);
        // A length no LZF data can expand to, or no JS string can hold, is an attack or
        // corruption: refuse it before allocating.
        if (len > LZF_MAX_EXPANSION * clen || len > bufferConstants.MAX_STRING_LENGTH) {
          throw new BadDataFormat('impossible LZF decompressed length');
        }
        if (len > this.decompressedLeft) throw new BadDataFormat('decompresses to more than 512 MiB');
        this.decompressedLeft -= len;
        const out = lzfDecompress(packed, len);
        if (out === null) throw new BadDataFormat('invalid LZF compressed string');
        return out;
      }
      default:
        throw new BadDataFormat('unknown string encoding');
    }
  }

  string(): string {
    return this.blob().toString('latin1');
  }

  doubleLE(): number {
    return this.buf.readDoubleLE(this.need(8));
  }
}
