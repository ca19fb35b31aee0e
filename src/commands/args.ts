// Argument parsing shared by command modules, with Redis's acceptance rules: integers as
// string2ll (no spaces, no '+', no leading zeros), doubles as strtod without leading space.

// string2ll: "0" or an optional '-' then 1-9 then digits ("-0" and leading zeros refused).
const INT_RE = /^(0|-?[1-9][0-9]*)$/;
const MIN_I64 = -9223372036854775808n;
const MAX_I64 = 9223372036854775807n;

/**
 * A signed 64-bit integer as Redis's string2ll accepts it, or undefined. Values beyond
 * ±2^53 come back rounded; use parseI64Exact where exactness matters.
 */
export function parseI64(s: string): number | undefined {
  const len = s.length;
  if (len === 0 || len > 20) return undefined;
  if (len < 16) {
    // Digit loop instead of a regex: INCR and friends parse on every call.
    let i = 0;
    let neg = false;
    if (s.charCodeAt(0) === 45) {
      neg = true;
      i = 1;
      if (len === 1) return undefined;
    }
    const first = s.charCodeAt(i);
    if (first === 48) return len === 1 ? 0 : undefined;
    let n = 0;
    for (; i < len; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return undefined;
      n = n * 10 + d;
    }
    return neg ? -n : n;
  }
  const b = parseI64Exact(s);
  return b === undefined ? undefined : Number(b);
}

export function parseI64Exact(s: string): bigint | undefined {
  if (s.length === 0 || s.length > 20 || !INT_RE.test(s)) return undefined;
  const b = BigInt(s);
  return b < MIN_I64 || b > MAX_I64 ? undefined : b;
}

export function isI64(b: bigint): boolean {
  return b >= MIN_I64 && b <= MAX_I64;
}

const FLOAT_RE = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const INF_RE = /^[+-]?(?:inf|infinity)$/i;

/** A double as Redis's string2d/strtold accepts it (inf allowed, nan refused), or undefined. */
export function parseDouble(s: string): number | undefined {
  if (s.length === 0 || s.length > 5000) return undefined;
  if (FLOAT_RE.test(s)) {
    const d = Number(s);
    return Number.isNaN(d) ? undefined : d;
  }
  if (INF_RE.test(s)) return s[0] === '-' ? -Infinity : Infinity;
  return undefined;
}

/** Case-insensitive comparison with an all-lowercase option name. */
export function is(arg: string, lower: string): boolean {
  return arg.length === lower.length && (arg === lower || arg.toLowerCase() === lower);
}

/** C's atoi: optional leading space and sign, then digits; 0 when there are none. */
export function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(s);
  return m === null ? 0 : Number(m[1]);
}
