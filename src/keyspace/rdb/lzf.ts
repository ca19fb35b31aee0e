// LZF compression as Redis ships it (liblzf 3.6, lzf_c.c / lzf_d.c built with HLOG 16 and
// VERY_FAST): RDB strings longer than 20 bytes are stored compressed when that saves space,
// so DUMP must compress exactly as Redis does for its bytes to match, and RESTORE must
// decompress what Redis sends.

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/**
 * One hash table, reused without clearing it per call (64K entries, ~3 µs a clear, paid
 * for every member of a large hash or set): a call stores `base + position + 1`, and
 * entries not above its `base` belong to earlier calls and read as "no earlier position"
 * (0 in lzf_c.c). The table is cleared only when `base` nears 2^31.
 */
const htab = new Int32Array(HSIZE);
let base = 0;
const BASE_LIMIT = 0x7fffffff;

function idx(h: number): number {
  return ((h >>> (3 * 8 - HLOG)) - Math.imul(h, 5)) & (HSIZE - 1);
}

/**
 * lzf_compress(in, in.length, out, outLen): the compressed bytes, or null when they do not
 * fit in `outLen` bytes (Redis then stores the string as it is).
 */
export function lzfCompress(input: Uint8Array, outLen: number): Buffer | null {
  const inLen = input.length;
  if (inLen === 0 || outLen === 0) return null;
  if (base > BASE_LIMIT - inLen - 1) {
    htab.fill(0);
    base = 0;
  }
  const callBase = base;
  base += inLen + 1;
  const out = Buffer.allocUnsafe(outLen);
  const inEnd = inLen;
  const outEnd = outLen;
  let ip = 0;
  let op = 0;
  let lit = 0;
  op++; // start run
  let hval = ((input[ip] << 8) | input[ip + 1]) >>> 0;
  while (ip < inEnd - 2) {
    hval = ((hval << 8) | input[ip + 2]) >>> 0;
    const slot = idx(hval);
    const stored = htab[slot];
    const ref = stored > callBase ? stored - callBase - 1 : 0;
    htab[slot] = callBase + ip + 1;
    const off = ip - ref - 1;
    if (ref > 0 && off >= 0 && off < MAX_OFF && input[ref + 2] === input[ip + 2] && input[ref] === input[ip] && input[ref + 1] === input[ip + 1]) {
      let len = 2;
      let maxlen = inEnd - ip - len;
      if (maxlen > MAX_REF) maxlen = MAX_REF;
      if (op + 3 + 1 >= outEnd) {
        if (op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return null;
      }
      out[op - lit - 1] = lit - 1; // stop run
      if (lit === 0) op--; // undo run if length is zero
      // lzf_c.c compares 16 bytes unrolled (without the maxlen bound) before the loop.
      let done = false;
      if (maxlen > 16) {
        for (let k = 0; k < 16; k++) {
          len++;
          if (input[ref + len] !== input[ip + len]) {
            done = true;
            break;
          }
        }
      }
      if (!done) {
        do len++;
        while (len < maxlen && input[ref + len] === input[ip + len]);
      }
      len -= 2; // len is now #octets - 1
      ip++;
      if (len < 7) {
        out[op++] = (off >> 8) + (len << 5);
      } else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // start run
      ip += len + 1;
      if (ip >= inEnd - 2) break;
      // VERY_FAST: hash the last two positions of the match.
      ip -= 2;
      hval = ((input[ip] << 8) | input[ip + 1]) >>> 0;
      hval = ((hval << 8) | input[ip + 2]) >>> 0;
      htab[idx(hval)] = callBase + ip + 1;
      ip++;
      hval = ((hval << 8) | input[ip + 2]) >>> 0;
      htab[idx(hval)] = callBase + ip + 1;
      ip++;
    } else {
      if (op >= outEnd) return null;
      lit++;
      out[op++] = input[ip++];
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outEnd) return null;
  while (ip < inEnd) {
    lit++;
    out[op++] = input[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1; // end run
  if (lit === 0) op--;
  return out.subarray(0, op);
}

/** lzf_decompress into exactly `outLen` bytes, or null when the data is corrupt or of another length. */
export function lzfDecompress(input: Uint8Array, outLen: number): Buffer | null {
  const out = Buffer.allocUnsafe(outLen);
  const inEnd = input.length;
  let ip = 0;
  let op = 0;
  if (inEnd === 0) return null;
  do {
    let ctrl = input[ip++];
    if (ctrl < 1 << 5) {
      ctrl++;
      if (op + ctrl > outLen || ip + ctrl > inEnd) return null;
      for (let i = 0; i < ctrl; i++) out[op++] = input[ip++];
    } else {
      let len = ctrl >> 5;
      let ref = op - ((ctrl & 0x1f) << 8) - 1;
      if (ip >= inEnd) return null;
      if (len === 7) {
        len += input[ip++];
        if (ip >= inEnd) return null;
      }
      ref -= input[ip++];
      if (op + len + 2 > outLen || ref < 0) return null;
      for (let i = 0; i < len + 2; i++) out[op++] = out[ref++];
    }
  } while (ip < inEnd);
  return op === outLen ? out : null;
}
