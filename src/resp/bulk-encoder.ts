// Encodes a run of bulk strings ("$3\r\nfoo\r\n"...) into one flat latin1 string through a
// reused byte buffer. Building the same reply with `s += '$' + e.length + ...` makes four
// cons strings per element; for LRANGE 0 99 that garbage was a quarter of the CPU time and
// the reply ran at half redis-server's rate at -P 16 (--cpu-prof). Here each element costs a
// few byte stores and the reply is one string allocation.

import { latin1Slice, latin1Write } from './latin1';

/** Elements up to this long are copied byte by byte in JS; longer ones by Buffer#latin1Write. */
const SHORT = 32;


let scratch = Buffer.allocUnsafe(64 * 1024);
let used = 0;

function reserve(n: number): void {
  if (used + n <= scratch.length) return;
  let size = scratch.length * 2;
  while (size < used + n) size *= 2;
  const bigger = Buffer.allocUnsafe(size);
  scratch.copy(bigger, 0, 0, used);
  scratch = bigger;
}

/** Writes the decimal digits of a non-negative integer. */
function putUint(n: number): void {
  if (n < 10) {
    scratch[used++] = 48 + n;
    return;
  }
  const s = String(n);
  for (let i = 0; i < s.length; i++) scratch[used++] = s.charCodeAt(i);
}

/** Starts a reply: an optional header line such as "*100" (written with its CRLF). */
export function beginBulks(prefixChar: number, count: number): void {
  used = 0;
  if (prefixChar === 0) return;
  reserve(24);
  scratch[used++] = prefixChar;
  putUint(count);
  scratch[used++] = 13;
  scratch[used++] = 10;
}

/** Appends one bulk string. */
export function addBulk(e: string): void {
  const len = e.length;
  reserve(len + 24);
  scratch[used++] = 36; // '$'
  putUint(len);
  scratch[used++] = 13;
  scratch[used++] = 10;
  if (len <= SHORT) {
    for (let i = 0; i < len; i++) scratch[used++] = e.charCodeAt(i);
  } else {
    used += latin1Write(scratch, e, used);
  }
  scratch[used++] = 13;
  scratch[used++] = 10;
}

/** Bytes encoded since beginBulks (callers flush in chunks to bound the string size). */
export function encodedLength(): number {
  return used;
}

/** The encoded reply as one flat latin1 string; the buffer is free for the next reply. */
export function finishBulks(): string {
  const s = latin1Slice(scratch, 0, used);
  used = 0;
  if (scratch.length > 1024 * 1024) scratch = Buffer.allocUnsafe(64 * 1024);
  return s;
}
