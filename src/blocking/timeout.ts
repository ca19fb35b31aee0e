// The timeout argument of blocking commands (BLPOP ... 1.5, BZPOPMIN ... 0), parsed as Redis
// 7.0's getTimeoutFromObjectOrReply with UNIT_SECONDS: a long double (string2ld rules) in
// seconds, times 1000, rounded up, cast to a 64-bit integer (out of range → negative).

import type { Client } from '../server/client';
import { Err } from '../errors';
import { parseLongDouble } from '../keyspace/long-double';

const TWO_POW_63 = 9223372036854775808;

/**
 * The timeout in ms (0 = forever) of a blocking command's argument, or null after replying
 * the error Redis gives ("timeout is not a float or out of range", "timeout is negative").
 */
export function parseBlockingTimeout(c: Client, arg: string): number | null {
  const ld = parseLongDouble(arg);
  if (ld === undefined || ld.kind === 'nan') {
    c.error(Err.timeoutNotFloat);
    return null;
  }
  // (long long) of an infinite or too large long double is LLONG_MIN on x86-64: "negative".
  if (ld.kind === 'inf') {
    c.error(Err.timeoutNegative);
    return null;
  }
  const seconds = Number(ld.mantissa) * 2 ** ld.exp2;
  let ms = Math.ceil((ld.negative ? -seconds : seconds) * 1000);
  // A positive value too small for a double still rounds up to 1 ms in long double.
  if (ms === 0 && ld.mantissa !== 0n && !ld.negative) ms = 1;
  if (ms < 0 || !(ms < TWO_POW_63)) {
    c.error(Err.timeoutNegative);
    return null;
  }
  return ms === 0 ? 0 : ms;
}
