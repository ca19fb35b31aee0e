// Exact emulation of the x86-64 `long double` (x87 80-bit extended, 64-bit mantissa) that
// Redis uses for INCRBYFLOAT: string2ld (glibc strtold, decimal and hex, correctly rounded),
// addition, and ld2string's "%.17Lf" human format, all in BigInt so results match digit for digit.

/** A finite value is (-1)^negative * mantissa * 2^exp2, with mantissa < 2^64. */
export type LongDouble =
  | { readonly kind: 'finite'; readonly negative: boolean; readonly mantissa: bigint; readonly exp2: number }
  | { readonly kind: 'inf'; readonly negative: boolean }
  | { readonly kind: 'nan' };

const MANTISSA_BITS = 64;
const MANTISSA_LIMIT = 1n << 64n;
/** Weight of the lowest mantissa bit of the smallest subnormal (2^-16445). */
const MIN_EXP2 = -16445;
/** Every finite value is below 2^16384; at or above it rounds to infinity. */
const MAX_BIT_POSITION = 16384;
/** string2ld refuses strings of MAX_LONG_DOUBLE_CHARS (5 * 1024) bytes or more. */
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

export const LD_NAN: LongDouble = { kind: 'nan' };

function finite(negative: boolean, mantissa: bigint, exp2: number): LongDouble {
  return { kind: 'finite', negative, mantissa, exp2 };
}

function infinity(negative: boolean): LongDouble {
  return { kind: 'inf', negative };
}

export function zero(negative = false): LongDouble {
  return finite(negative, 0n, 0);
}

function bitLength(n: bigint): number {
  if (n < 0x20000000000000n) return n === 0n ? 0 : Math.floor(Math.log2(Number(n))) + 1;
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0], 16)));
}

/**
 * The long double nearest to num/den * 2^exp2 (num >= 0, den > 0), ties to even, with
 * gradual underflow to subnormals and overflow to infinity, as the FPU rounds.
 */
export function roundToLongDouble(num: bigint, den: bigint, exp2: number, negative: boolean): LongDouble {
  if (num === 0n) return zero(negative);
  // num/den lies in (2^(bn-bd-1), 2^(bn-bd+1)): this weight for the lowest bit gives a
  // quotient of 64 or 65 bits (one more step in the second case).
  let lsb = Math.max(exp2 + bitLength(num) - bitLength(den) - MANTISSA_BITS, MIN_EXP2);
  for (;;) {
    const shift = exp2 - lsb;
    const n = shift >= 0 ? num << BigInt(shift) : num;
    const d = shift >= 0 ? den : den << BigInt(-shift);
    let q = n / d;
    if (q >= MANTISSA_LIMIT) {
      lsb++;
      continue;
    }
    const twiceRemainder = (n - q * d) * 2n;
    if (twiceRemainder > d || (twiceRemainder === d && (q & 1n) === 1n)) q++;
    if (q === MANTISSA_LIMIT) {
      q >>= 1n;
      lsb++;
    }
    if (q === 0n) return zero(negative);
    if (bitLength(q) + lsb > MAX_BIT_POSITION) return infinity(negative);
    return finite(negative, q, lsb);
  }
}

// ── Parsing (string2ld over glibc strtold) ─────────────────────────────────────────────

const DECIMAL_RE = /^([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/;
const HEX_RE = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/;
const INF_RE = /^(?:inf|infinity)$/i;

/** An exponent string as a number, saturated far beyond any value that can matter. */
function saturatedExponent(s: string | undefined): number {
  if (s === undefined) return 0;
  const negative = s[0] === '-';
  const digits = s.replace(/^[+-]?0*/, '');
  const magnitude = digits.length > 9 ? 1e9 : Number(digits || '0');
  return negative ? -magnitude : magnitude;
}

/**
 * Parses a float as Redis's string2ld does: the whole string must be one strtold number
 * (no leading space, no trailing bytes, under 5120 bytes). NaN, and finite input that
 * overflows to infinity or underflows to zero (strtold's ERANGE), are refused: undefined.
 */
export function parseLongDouble(s: string): LongDouble | undefined {
  if (s.length === 0 || s.length >= MAX_LONG_DOUBLE_CHARS) return undefined;
  let negative = false;
  let body = s;
  if (s[0] === '+' || s[0] === '-') {
    negative = s[0] === '-';
    body = s.slice(1);
  }
  if (INF_RE.test(body)) return infinity(negative);
  const hex = HEX_RE.exec(body);
  const v = hex !== null ? parseHex(hex, negative) : parseDecimal(body, negative);
  // Out of range finite input: strtold sets ERANGE and string2ld refuses it.
  return v === undefined || v.kind !== 'finite' ? undefined : v;
}

/** The rounded value, or undefined when nonzero input became 0 or inf (strtold's ERANGE). */
function checkedRound(num: bigint, den: bigint, exp2: number, negative: boolean): LongDouble | undefined {
  const v = roundToLongDouble(num, den, exp2, negative);
  if (v.kind !== 'finite' || v.mantissa === 0n) return undefined;
  return v;
}

function parseDecimal(body: string, negative: boolean): LongDouble | undefined {
  const m = DECIMAL_RE.exec(body);
  if (m === null) return undefined;
  const intDigits = m[1];
  const fracDigits = m[2] ?? '';
  if (intDigits.length === 0 && fracDigits.length === 0) return undefined;
  let digits = (intDigits + fracDigits).replace(/^0+/, '');
  if (digits.length === 0) return zero(negative);
  let exp10 = saturatedExponent(m[3]) - fracDigits.length;
  const trimmed = digits.replace(/0+$/, '');
  exp10 += digits.length - trimmed.length;
  digits = trimmed;
  // The value lies in [10^(order-1), 10^order); the format spans about 3.6e-4951..1.2e4932.
  const order = digits.length + exp10;
  if (order > 4940) return undefined;
  if (order < -4960) return undefined;
  const d = BigInt(digits);
  return exp10 >= 0 ? checkedRound(d * 10n ** BigInt(exp10), 1n, 0, negative) : checkedRound(d, 10n ** BigInt(-exp10), 0, negative);
}

function parseHex(m: RegExpExecArray, negative: boolean): LongDouble | undefined {
  const intDigits = m[1];
  const fracDigits = m[2] ?? '';
  if (intDigits.length === 0 && fracDigits.length === 0) return undefined;
  const digits = (intDigits + fracDigits).replace(/^0+/, '');
  if (digits.length === 0) return zero(negative);
  const mantissa = BigInt('0x' + digits);
  const exp2 = saturatedExponent(m[3]) - 4 * fracDigits.length;
  const top = bitLength(mantissa) + exp2;
  if (top > MAX_BIT_POSITION + 8 || top < MIN_EXP2 - 8) return undefined;
  return checkedRound(mantissa, 1n, exp2, negative);
}

// ── Arithmetic ─────────────────────────────────────────────────────────────────────────

/** a + b rounded to nearest (ties to even), with IEEE rules for zeros, infinities and NaN. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (a.kind === 'nan' || b.kind === 'nan') return LD_NAN;
  if (a.kind === 'inf') return b.kind === 'inf' && b.negative !== a.negative ? LD_NAN : a;
  if (b.kind === 'inf') return b;
  if (a.mantissa === 0n && b.mantissa === 0n) return zero(a.negative && b.negative);
  if (a.mantissa === 0n) return b;
  if (b.mantissa === 0n) return a;
  const lsb = Math.min(a.exp2, b.exp2);
  const sa = a.mantissa << BigInt(a.exp2 - lsb);
  const sb = b.mantissa << BigInt(b.exp2 - lsb);
  const sum = (a.negative ? -sa : sa) + (b.negative ? -sb : sb);
  // An exact zero sum is +0 when rounding to nearest.
  if (sum === 0n) return zero(false);
  return sum < 0n ? roundToLongDouble(-sum, 1n, lsb, true) : roundToLongDouble(sum, 1n, lsb, false);
}

// ── Formatting ─────────────────────────────────────────────────────────────────────────

/** printf("%.<digits>Lf", v) as glibc prints it: the exact value rounded half to even. */
export function formatFixed(v: LongDouble, digits: number): string {
  if (v.kind === 'nan') return 'nan';
  if (v.kind === 'inf') return v.negative ? '-inf' : 'inf';
  const sign = v.negative ? '-' : '';
  const zeros = digits > 0 ? '.' + '0'.repeat(digits) : '';
  if (v.exp2 >= 0) return sign + (v.mantissa << BigInt(v.exp2)).toString() + zeros;
  const k = BigInt(-v.exp2);
  const scaled = v.mantissa * 10n ** BigInt(digits);
  let q = scaled >> k;
  const remainder = scaled - (q << k);
  const half = 1n << (k - 1n);
  if (remainder > half || (remainder === half && (q & 1n) === 1n)) q++;
  const text = q.toString().padStart(digits + 1, '0');
  if (digits === 0) return sign + text;
  return sign + text.slice(0, -digits) + '.' + text.slice(-digits);
}

/**
 * ld2string(..., LD_STR_HUMAN): "%.17Lf" with trailing zeros and a trailing '.' removed,
 * and "-0" printed as "0". This is the text INCRBYFLOAT stores and replies.
 */
export function formatHuman(v: LongDouble): string {
  if (v.kind !== 'finite') return formatFixed(v, 17);
  let s = formatFixed(v, 17);
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48 /* '0' */) end--;
  if (s.charCodeAt(end - 1) === 46 /* '.' */) end--;
  s = s.slice(0, end);
  return s === '-0' ? '0' : s;
}
