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
