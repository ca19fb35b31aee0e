// Reading the ziplist blobs of RDB versions before 10 (Redis 6.2 and older): lists, small
// hashes and small sorted sets were ziplists there, and RESTORE still accepts them.

const HEADER_SIZE = 10;
const EOF_BYTE = 0xff;

/** The elements of a ziplist, or null when it is malformed or has more than `maxElements`. */
export function decodeZiplist(buf: Buffer, maxElements = Infinity): string[] | null {
  if (buf.length < HEADER_SIZE + 1 || buf.readUInt32LE(0) !== buf.length || buf[buf.length - 1] !== EOF_BYTE) return null;
  const declared = buf.readUInt16LE(8);
  const end = buf.length - 1;
  const out: string[] = [];
  let p = HEADER_SIZE;
  while (p < end) {
    if (out.length >= maxElements) return null;
    p += buf[p] === 0xfe ? 5 : 1; // previous entry length
    if (p >= end) return null;
    const b = buf[p];
    const kind = b >> 6;
    let len: number;
    if (kind === 0) {
      len = b & 0x3f;
      p += 1;
    } else if (kind === 1) {
      if (p + 2 > end) return null;
      len = ((b & 0x3f) << 8) | buf[p + 1];
      p += 2;
    } else if (kind === 2) {
      if (p + 5 > end) return null;
      len = buf.readUInt32BE(p + 1);
      p += 5;
    } else {
      p += 1;
      let need: number;
      let value: number | bigint;
      if (b === 0xc0) need = 2;
      else if (b === 0xd0) need = 4;
      else if (b === 0xe0) need = 8;
      else if (b === 0xf0) need = 3;
      else if (b === 0xfe) need = 1;
      else if (b >= 0xf1 && b <= 0xfd) need = 0;
      else return null;
      if (p + need > end) return null;
      if (need === 2) value = buf.readInt16LE(p);
      else if (need === 4) value = buf.readInt32LE(p);
      else if (need === 8) value = buf.readBigInt64LE(p);
      else if (need === 3) value = buf.readIntLE(p, 3);
      else if (need === 1) value = buf.readInt8(p);
      else value = (b & 0x0f) - 1;
      out.push(String(value));
      p += need;
      continue;
    }
    if (p + len > end) return null;
    out.push(buf.toString('latin1', p, p + len));
    p += len;
  }
  if (declared !== 65535 && declared !== out.length) return null;
  return out;
}
