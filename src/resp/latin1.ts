// Turning bytes into latin1 strings (one char per byte) as cheaply as V8 allows: keys and
// values become Map keys and stored strings straight from request and snapshot buffers.

/**
 * Buffer's own latin1 codec, called directly (@types/node omits it): `buf.toString('latin1',
 * a, b)` goes through argument checks and a slice wrapper that cost ~10% of a pipelined
 * SET/GET run (measured with --cpu-prof under redis-benchmark -P 16); `buf.write` likewise.
 */
interface Latin1Codec {
  latin1Slice(start: number, end: number): string;
  latin1Write(s: string, offset: number): number;
}

/**
 * The codec's functions, taken from Buffer.prototype once: a call through `buf.latin1Slice`
 * left a LoadIC call in the optimized request decoder (perf: ~1.3% of a cluster node's CPU
 * under redis-benchmark --cluster GET, whose 22-byte keys take this path), a call through
 * these does not.
 */
const codec = Buffer.prototype as unknown as Latin1Codec;
const nativeSlice = codec.latin1Slice;
const nativeWrite = codec.latin1Write;

/** buf[start, end) as a latin1 string, through Buffer's native codec. */
export function latin1Slice(buf: Buffer, start: number, end: number): string {
  return nativeSlice.call(buf, start, end);
}

/** Writes `s` (latin1) into buf at `offset`; returns the bytes written (s.length when it fits). */
export function latin1Write(buf: Buffer, s: string, offset: number): number {
  return nativeWrite.call(buf, s, offset);
}

/**
 * Short strings are built with String.fromCharCode and explicit arguments: ~25 ns for 16
 * bytes against ~60 ns for the native latin1Slice call (cpuUsage over 5M calls). Keys and
 * small values of pipelined commands are mostly this short.
 */
const fc = String.fromCharCode;

function shortLatin1(b: Buffer, s: number, n: number): string {
  switch (n) {
    case 0:
      return '';
    case 1:
      return fc(b[s]);
    case 2:
      return fc(b[s], b[s + 1]);
    case 3:
      return fc(b[s], b[s + 1], b[s + 2]);
    case 4:
      return fc(b[s], b[s + 1], b[s + 2], b[s + 3]);
    case 5:
      return fc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4]);
    case 6:
      return fc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5]);
    case 7:
      return fc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6]);
    case 8:
      return fc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7]);
    case 9:
      return fc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8]);
    case 10:
      return fc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9]);
    case 11:
      return fc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10]);
    case 12:
      return fc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11]);
    case 13:
      return fc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12]);
    case 14:
      return fc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13]);
    case 15:
      return fc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14]);
    case 16:
      return fc(b[s], b[s + 1], b[s + 2], b[s + 3], b[s + 4], b[s + 5], b[s + 6], b[s + 7], b[s + 8], b[s + 9], b[s + 10], b[s + 11], b[s + 12], b[s + 13], b[s + 14], b[s + 15]);
    default:
      return latin1Slice(b, s, s + n);
  }
}

export function latin1(buf: Buffer, start: number, end: number): string {
  return shortLatin1(buf, start, end - start);
}
