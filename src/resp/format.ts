// Number formatting exactly as Redis prints doubles in replies: "%.17g" (ZSCORE, RESP3
// doubles) with Redis's inf/-inf spellings.

/** Redis's "%.17g" of a double, e.g. 0.1 → "0.10000000000000001", 1e20 → "1e+20". */
export function formatDouble17g(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const sign = d < 0 ? '-' : '';
  const [mant, e] = Math.abs(d).toExponential(16).split('e');
  const ex = parseInt(e, 10);
  const digits = mant.replace('.', '');
  if (ex < -4 || ex >= 17) {
    const m = trimZeros(digits[0] + '.' + digits.slice(1));
    const a = Math.abs(ex);
    return `${sign}${m}e${ex < 0 ? '-' : '+'}${a < 10 ? '0' : ''}${a}`;
  }
  if (ex >= 0) return sign + trimZeros(digits.slice(0, ex + 1) + '.' + digits.slice(ex + 1));
  return sign + trimZeros('0.' + '0'.repeat(-ex - 1) + digits);
}

function trimZeros(s: string): string {
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

/**
 * printf("%.<digits>f") as glibc prints it (INFO ratios, usec_per_call, bytesToHuman): like
 * toFixed, except that exact ties round to even ("%.2f" of 0.125 is "0.12").
 */
export function formatFixed(d: number, digits: number): string {
  const s = d.toFixed(digits);
  if (!Number.isFinite(d) || Math.abs(d) >= 1e21) return s;
  // Every double has a finite decimal expansion; 60 more digits hold it for any value that
  // can be a tie at `digits` places (ties are odd multiples of 5·10^-(digits+1)).
  const exact = Math.abs(d).toFixed(Math.min(100, digits + 60));
  const point = exact.indexOf('.');
  const rest = exact.slice(point + 1 + digits);
  if (!/^50*$/.test(rest)) return s;
  const kept = exact.slice(0, digits === 0 ? point : point + 1 + digits);
  if ((kept.charCodeAt(kept.length - 1) - 48) % 2 !== 0) return s; // odd: toFixed rounded up, as glibc does
  return (d < 0 ? '-' : '') + kept;
}
