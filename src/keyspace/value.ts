// The values a key can hold. Strings are stored as latin1 JS strings (one char per byte);
// the other types are objects with a `kind` tag, added by their command families.

export interface TypedValue {
  /** What TYPE prints. */
  readonly kind: 'list' | 'set' | 'zset' | 'hash' | 'stream';
  /** What OBJECT ENCODING prints. */
  encoding(): string;
  /** An independent deep copy (COPY): later writes to either must not show in the other. */
  copy(): TypedValue;
}

export type Value = string | TypedValue;

export function typeOf(v: Value): string {
  return typeof v === 'string' ? 'string' : v.kind;
}

const INT_RE = /^-?[1-9][0-9]{0,18}$/;

/** True when Redis would store this string with the "int" encoding (fits a signed 64-bit long). */
export function isIntEncodable(s: string): boolean {
  if (s === '0') return true;
  if (s.length > 20 || !INT_RE.test(s)) return false;
  const n = BigInt(s);
  return n >= -9223372036854775808n && n <= 9223372036854775807n;
}

export function stringEncoding(s: string): string {
  if (isIntEncodable(s)) return 'int';
  return s.length <= 44 ? 'embstr' : 'raw';
}
