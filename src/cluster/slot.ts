// Hash slots as Redis Cluster computes them: CRC16 (XMODEM, poly 0x1021) of the key, or of
// its {hash tag} when it has a non-empty one, modulo 16384. Keys are latin1 strings (one
// char per byte), so the CRC runs over char codes.

export const SLOT_COUNT = 16384;

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    t[i] = crc;
  }
  return t;
})();

/** CRC16-CCITT (XMODEM) of s[from, to) as bytes. */
export function crc16(s: string, from = 0, to = s.length): number {
  let crc = 0;
  for (let i = from; i < to; i++) crc = ((crc << 8) & 0xff00) ^ TABLE[((crc >> 8) ^ s.charCodeAt(i)) & 0xff];
  return crc;
}

/** cluster.c keyHashSlot: the slot of a key, honouring the first non-empty {...} tag. */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return crc16(key, open + 1, close) & (SLOT_COUNT - 1);
  }
  return crc16(key) & (SLOT_COUNT - 1);
}
