// Number and string conversions with the exact acceptance rules of the C functions Redis's
// config code calls (string2ll, strtoll, memtoull, strtod via string2d, sdscatrepr), so a
// value Redis refuses is refused here with the same message, and one it accepts means the same.
// Config strings are latin1 "byte strings", as everywhere in Cinnabar.

export const LLONG_MAX = 9223372036854775807n;
export const LLONG_MIN = -9223372036854775808n;
export const ULLONG_MAX = 18446744073709551615n;
export const INT_MAX = 2147483647n;
export const INT_MIN = -2147483648n;
export const UINT_MAX = 4294967295n;

/** A value refused by a parser, with Redis's reason (shown after "CONFIG SET failed ... - "). */
export class Invalid {
  constructor(readonly reason: string) {}
}

const STRING2LL_RE = /^(0|-?[1-9][0-9]*)$/;

/** Redis's string2ll: no spaces, no '+', no leading zeros, no "-0", within 64 bits. */
export function string2ll(s: string): bigint | undefined {
  if (s.length === 0 || s.length > 20 || !STRING2LL_RE.test(s)) return undefined;
  const n = BigInt(s);
  return n < LLONG_MIN || n > LLONG_MAX ? undefined : n;
}

function isCSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
}

/**
 * C's strtoll: leading white space, an optional sign, digits of `base`; clamps on overflow.
 * `complete` is true when the whole string was consumed (C's `*endptr == '\0'`; note that
 * an empty string counts as complete with value 0, as in C), `overflow` mirrors ERANGE.
 */
export function strtoll(s: string, base = 10): { value: bigint; complete: boolean; overflow: boolean } {
  let i = 0;
  while (i < s.length && isCSpace(s[i])) i++;
  let negative = false;
  if (s[i] === '+' || s[i] === '-') {
    negative = s[i] === '-';
    i++;
  }
  const start = i;
  let n = 0n;
  const b = BigInt(base);
  while (i < s.length) {
    const d = parseInt(s[i], base);
    if (Number.isNaN(d)) break;
    n = n * b + BigInt(d);
    i++;
  }
  if (i === start) return { value: 0n, complete: s.length === 0, overflow: false };
  let value = negative ? -n : n;
  let overflow = false;
  if (value > LLONG_MAX) {
    value = LLONG_MAX;
    overflow = true;
  } else if (value < LLONG_MIN) {
    value = LLONG_MIN;
    overflow = true;
  }
  return { value, complete: i === s.length, overflow };
}

const MEMORY_UNITS: Record<string, bigint> = {
  '': 1n,
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000n * 1000n,
  mb: 1024n * 1024n,
  g: 1000n * 1000n * 1000n,
  gb: 1024n * 1024n * 1024n,
};

/**
 * Redis's memtoull: digits then an optional unit (b, k, kb, m, mb, g, gb, any case; k is 1000
 * and kb 1024). No sign, no spaces; "" and "kb" alone are 0. Wraps like C's unsigned math.
 */
export function memtoull(s: string): bigint | undefined {
  if (s[0] === '-') return undefined;
  let u = 0;
  while (u < s.length && s.charCodeAt(u) >= 48 && s.charCodeAt(u) <= 57) u++;
  const mul = MEMORY_UNITS[s.slice(u).toLowerCase()];
  if (mul === undefined || u >= 128) return undefined;
  let val = u === 0 ? 0n : BigInt(s.slice(0, u));
  if (val > ULLONG_MAX) val = ULLONG_MAX; // strtoull saturates; Redis does not check ERANGE
  return BigInt.asUintN(64, val * mul);
}

/** rewriteConfigFormatMemory: the largest exact unit of gb, mb, kb, or plain bytes. */
export function formatMemory(bytes: bigint): string {
  const gb = 1024n * 1024n * 1024n;
  const mb = 1024n * 1024n;
  const kb = 1024n;
  if (bytes !== 0n && bytes % gb === 0n) return `${bytes / gb}gb`;
  if (bytes !== 0n && bytes % mb === 0n) return `${bytes / mb}mb`;
  if (bytes !== 0n && bytes % kb === 0n) return `${bytes / kb}kb`;
  return String(bytes);
}

const FLOAT_RE = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const INF_RE = /^[+-]?(?:inf|infinity)$/i;

/** Redis's string2d (strtod without leading space, no NaN), or undefined. */
export function string2d(s: string): number | undefined {
  if (s.length === 0 || isCSpace(s[0])) return undefined;
  if (FLOAT_RE.test(s)) return Number(s);
  if (INF_RE.test(s)) return s[0] === '-' ? -Infinity : Infinity;
  return undefined;
}

/** printf("%f") followed by Redis's trimDoubleString (no trailing zeros, no bare dot). */
export function formatPercentile(d: number): string {
  let s = (Object.is(d, -0) ? '-' : '') + d.toFixed(6);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

/** sdscatrepr: a double-quoted string with C escapes, readable back by sdssplitargs. */
export function repr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const code = s.charCodeAt(i);
    switch (c) {
      case '\\':
        out += '\\\\';
        break;
      case '"':
        out += '\\"';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '\x07':
        out += '\\a';
        break;
      case '\b':
        out += '\\b';
        break;
      default:
        out += code >= 0x20 && code <= 0x7e ? c : '\\x' + code.toString(16).padStart(2, '0');
    }
  }
  return out + '"';
}

/** Trims any of `chars` from both ends (sdstrim). */
export function trimChars(s: string, chars: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && chars.includes(s[a])) a++;
  while (b > a && chars.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

/** ASCII-only lower case, as C's tolower in the "C" locale (sdstolower). */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** A latin1 byte string as the UTF-8 text it encodes (file names, messages). */
export function bytesToText(s: string): string {
  return Buffer.from(s, 'latin1').toString('utf8');
}

/** UTF-8 text (a command-line argument) as a latin1 byte string. */
export function textToBytes(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

export { strerror } from '../strerror';
