// Redis's CRC-64 (Jones polynomial 0xad93d23594c935a9, reflected, init 0, no final xor:
// crc64.c), which closes every DUMP payload. Table-driven on two 32-bit halves so that no
// BigInt arithmetic runs per byte.

const REFLECTED_POLY_HI = 0x95ac9329;
const REFLECTED_POLY_LO = 0xac4bc9b5;

const TABLE_HI = new Uint32Array(256);
const TABLE_LO = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let hi = 0;
  let lo = i;
  for (let bit = 0; bit < 8; bit++) {
    const carry = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi >>>= 1;
    if (carry !== 0) {
      hi = (hi ^ REFLECTED_POLY_HI) >>> 0;
      lo = (lo ^ REFLECTED_POLY_LO) >>> 0;
    }
  }
  TABLE_HI[i] = hi;
  TABLE_LO[i] = lo;
}

/** crc64(0, buf[start, end)) as Redis computes it, written little-endian into 8 bytes. */
export function crc64(buf: Uint8Array, start = 0, end = buf.length): Buffer {
  let hi = 0;
  let lo = 0;
  for (let i = start; i < end; i++) {
    const idx = (lo ^ buf[i]) & 0xff;
    lo = ((lo >>> 8) | ((hi & 0xff) << 24)) ^ TABLE_LO[idx];
    hi = (hi >>> 8) ^ TABLE_HI[idx];
  }
  const out = Buffer.allocUnsafe(8);
  out.writeUInt32LE(lo >>> 0, 0);
  out.writeUInt32LE(hi >>> 0, 4);
  return out;
}
