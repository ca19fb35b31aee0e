// Argument parsing of the sorted set commands, with C's strtod underneath as Redis uses it:
// scores and weights as getDoubleFromObject (whole string, no leading space, hex and
// "inf"/"infinity" accepted, NaN and overflow/underflow refused), score ranges as
// zslParseRange (plain strtod: leading space allowed, "(" for exclusive) and lex ranges as
// zslParseLexRange ("-", "+", "(x", "[x").

import type { LexBound, LexRange, ScoreRange } from '../types/skiplist';

/** strtod's result: the value, where parsing stopped, and whether it was out of range (ERANGE). */
interface Strtod {
  value: number;
  end: number;
  range: boolean;
}

const DECIMAL_RE = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/;
const HEX_RE = /^([+-]?)0[xX]((?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+))(?:[pP]([+-]?[0-9]+))?/;
const SPECIAL_RE = /^([+-]?)(?:(infinity|inf)|(nan)(?:\([0-9A-Za-z_]*\))?)/i;

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

/** glibc strtod over `s` from `from`, skipping leading white space. */
function strtod(s: string, from = 0): Strtod {
  let i = from;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  const rest = i === 0 ? s : s.slice(i);
  const hex = HEX_RE.exec(rest);
  if (hex !== null) return hexValue(hex, i);
  const special = SPECIAL_RE.exec(rest);
  if (special !== null) {
    const value = special[2] !== undefined ? (special[1] === '-' ? -Infinity : Infinity) : NaN;
    return { value, end: i + special[0].length, range: false };
  }
  const dec = DECIMAL_RE.exec(rest);
  if (dec === null) return { value: 0, end: from, range: false };
  const text = dec[0];
  const value = Number(text);
  // Overflow to ±inf, or a non-zero number that rounds to zero: ERANGE. (glibc also sets it
  // for inexact subnormal results, which Redis accepts anyway.)
  const range = !Number.isFinite(value) || (value === 0 && /[1-9]/.test(text.replace(/[eE].*$/, '')));
  return { value, end: i + text.length, range };
}

/** A hexadecimal strtod match, rounded to nearest even like glibc. */
function hexValue(m: RegExpExecArray, offset: number): Strtod {
  const [whole, sign, digits, expText] = m;
  const point = digits.indexOf('.');
  const intPart = point < 0 ? digits : digits.slice(0, point);
  const fracPart = point < 0 ? '' : digits.slice(point + 1);
  const mantissa = BigInt('0x' + (intPart + fracPart || '0'));
  const exp = (expText === undefined ? 0 : Number(expText)) - 4 * fracPart.length;
  let value = scaleBinary(mantissa, exp);
  const range = !Number.isFinite(value) || (value === 0 && mantissa !== 0n);
  if (sign === '-') value = -value;
  return { value, end: offset + whole.length, range };
}

/** mantissa · 2^exp as the nearest double (ties to even), with overflow to Infinity. */
function scaleBinary(mantissa: bigint, exp: number): number {
  if (mantissa === 0n) return 0;
  const bits = mantissa.toString(2).length;
  const top = bits + exp; // the value lies in [2^(top-1), 2^top)
  if (top > 1024) return Infinity;
  // Keep 53 significant bits, fewer for subnormals (smallest exponent of a unit: -1074).
  const keep = Math.max(0, Math.min(53, top + 1074));
  const shift = bits - keep;
  let m = mantissa;
  let e = exp;
  if (shift > 0) {
    const big = BigInt(shift);
    const rem = m & ((1n << big) - 1n);
    m >>= big;
    e += shift;
    const half = 1n << (big - 1n);
    if (rem > half || (rem === half && (m & 1n) === 1n)) m += 1n;
  }
  // m < 2^54 and e within range: exact in two steps (avoid 2^e underflow/overflow).
  return Number(m) * 2 ** Math.floor(e / 2) * 2 ** (e - Math.floor(e / 2));
}

/** A score, weight or increment as getDoubleFromObject accepts it, or undefined. */
export function parseScore(s: string): number | undefined {
  if (s.length === 0 || isSpace(s.charCodeAt(0))) return undefined;
  const r = strtod(s);
  if (r.end !== s.length || r.range || Number.isNaN(r.value)) return undefined;
  return r.value;
}

/** strtod as zslParseRange calls it: stops at a NUL byte (the sds terminator). */
function rangeValue(s: string, from: number): number | undefined {
  const nul = s.indexOf('\0', from);
  const text = nul < 0 ? s : s.slice(0, nul);
  const r = strtod(text, from);
  // Without a conversion strtod's end is the start: only "" and "(" pass (as 0).
  if (r.end !== text.length || Number.isNaN(r.value)) return undefined;
  return r.value;
}

/** A score interval from min and max arguments (zslParseRange), or undefined. */
export function parseScoreRange(minArg: string, maxArg: string): ScoreRange | undefined {
  const minExclusive = minArg.startsWith('(');
  const maxExclusive = maxArg.startsWith('(');
  const min = rangeValue(minArg, minExclusive ? 1 : 0);
  const max = rangeValue(maxArg, maxExclusive ? 1 : 0);
  if (min === undefined || max === undefined) return undefined;
  return { min, max, minExclusive, maxExclusive };
}

function lexBound(s: string): LexBound | undefined {
  switch (s.charCodeAt(0)) {
    case 43: // '+'
      return s.length === 1 ? { inf: 1, value: '', exclusive: true } : undefined;
    case 45: // '-'
      return s.length === 1 ? { inf: -1, value: '', exclusive: true } : undefined;
    case 40: // '('
      return { inf: 0, value: s.slice(1), exclusive: true };
    case 91: // '['
      return { inf: 0, value: s.slice(1), exclusive: false };
    default:
      return undefined;
  }
}

/** A lex interval from min and max arguments (zslParseLexRange), or undefined. */
export function parseLexRange(minArg: string, maxArg: string): LexRange | undefined {
  const min = lexBound(minArg);
  const max = lexBound(maxArg);
  if (min === undefined || max === undefined) return undefined;
  return { min, max };
}
