// Splits an inline command line into arguments exactly as Redis's sdssplitargs does:
// spaces separate, "double quotes" take \n \r \t \b \a \\ \" \xHH escapes, 'single quotes'
// take \' only; a closing quote must be followed by a space or the end. Returns null when
// the quotes do not balance.

function isSpace(c: string): boolean {
  return c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\v' || c === '\f';
}

function hexValue(c: string): number {
  const n = parseInt(c, 16);
  return Number.isNaN(n) ? -1 : n;
}

export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let p = 0;
  const n = line.length;
  for (;;) {
    while (p < n && isSpace(line[p])) p++;
    if (p >= n) return out;
    let inq = false;
    let insq = false;
    let done = false;
    let cur = '';
    while (!done) {
      const c = p < n ? line[p] : '';
      if (inq) {
        if (c === '\\' && p + 3 < n && line[p + 1] === 'x' && hexValue(line[p + 2]) >= 0 && hexValue(line[p + 3]) >= 0) {
          cur += String.fromCharCode(hexValue(line[p + 2]) * 16 + hexValue(line[p + 3]));
          p += 3;
        } else if (c === '\\' && p + 1 < n) {
          p++;
          const e = line[p];
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === '"') {
          if (p + 1 < n && !isSpace(line[p + 1])) return null;
          done = true;
        } else if (c === '') {
          return null;
        } else {
          cur += c;
        }
      } else if (insq) {
        if (c === '\\' && p + 1 < n && line[p + 1] === "'") {
          p++;
          cur += "'";
        } else if (c === "'") {
          if (p + 1 < n && !isSpace(line[p + 1])) return null;
          done = true;
        } else if (c === '') {
          return null;
        } else {
          cur += c;
        }
      } else if (c === '' || isSpace(c)) {
        done = true;
      } else if (c === '"') {
        inq = true;
      } else if (c === "'") {
        insq = true;
      } else {
        cur += c;
      }
      if (p < n) p++;
    }
    out.push(cur);
  }
}
