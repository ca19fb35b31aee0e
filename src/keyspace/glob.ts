// Glob-style matching with the exact semantics of Redis's stringmatchlen (util.c), used by
// KEYS, SCAN MATCH and later by every other pattern-taking command (PSUBSCRIBE, CONFIG GET...).
// Strings are latin1 (one char per byte), so char codes are the bytes Redis compares.

/** Redis refuses to recurse deeper than this many '*' (CVE-2022-36021): no match beyond it. */
const MAX_NESTING = 1000;

/** C `char` is signed on the platforms Redis ships for; ranges compare signed values. */
function signedByte(code: number): number {
  return code > 127 ? code - 256 : code;
}

/** tolower() in the C locale (Redis never sets LC_CTYPE): only A-Z change. */
function lower(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

const STAR = 42; // '*'
const QUESTION = 63; // '?'
const OPEN = 91; // '['
const CLOSE = 93; // ']'
const BACKSLASH = 92; // '\\'
const CARET = 94; // '^'
const DASH = 45; // '-'

/** Mutable state shared by the recursion (the C code's skipLongerMatches out-parameter). */
interface MatchState {
  skipLongerMatches: boolean;
}

/**
 * stringmatchlen_impl over pattern[p...] and s[i...]. Reading one past the end of the
 * pattern yields 0, as C reads the sds NUL terminator there.
 */
function matchFrom(pattern: string, p: number, s: string, i: number, nocase: boolean, st: MatchState, nesting: number): boolean {
  if (nesting > MAX_NESTING) return false;
  const plen = pattern.length;
  const slen = s.length;
  // Out-of-range charCodeAt is NaN; `|| 0` maps it to the terminator Redis would read.
  const at = (k: number): number => pattern.charCodeAt(k) || 0;

  while (p < plen && i < slen) {
    const pc = pattern.charCodeAt(p);
    switch (pc) {
      case STAR: {
        while (p + 1 < plen && pattern.charCodeAt(p + 1) === STAR) p++;
        if (p + 1 === plen) return true;
        while (i < slen) {
          if (matchFrom(pattern, p + 1, s, i, nocase, st, nesting + 1)) return true;
          if (st.skipLongerMatches) return false;
          i++;
        }
        // The rest of the pattern matches nowhere in the rest of the string: an earlier
        // '*' taking more characters cannot help, so every caller can stop too.
        st.skipLongerMatches = true;
        return false;
      }
      case QUESTION:
        i++;
        break;
      case OPEN: {
        p++;
        const not = at(p) === CARET;
        if (not) p++;
        let match = false;
        const sc = s.charCodeAt(i);
        for (;;) {
          if (at(p) === BACKSLASH && plen - p >= 2) {
            p++;
            if (pattern.charCodeAt(p) === sc) match = true;
          } else if (at(p) === CLOSE) {
            break;
          } else if (p >= plen) {
            // Unterminated class: step back so the advance below lands on the end.
            p--;
            break;
          } else if (plen - p >= 3 && pattern.charCodeAt(p + 1) === DASH) {
            let start = signedByte(pattern.charCodeAt(p));
            let end = signedByte(pattern.charCodeAt(p + 2));
            let c = signedByte(sc);
            if (start > end) [start, end] = [end, start];
            if (nocase) {
              start = lower(start);
              end = lower(end);
              c = lower(c);
            }
            p += 2;
            if (c >= start && c <= end) match = true;
          } else if (nocase ? lower(pattern.charCodeAt(p)) === lower(sc) : pattern.charCodeAt(p) === sc) {
            match = true;
          }
          p++;
        }
        if (not) match = !match;
        if (!match) return false;
        i++;
        break;
      }
      default: {
        // A backslash makes the next character literal (a trailing one matches itself).
        if (pc === BACKSLASH && plen - p >= 2) p++;
        const a = pattern.charCodeAt(p);
        const b = s.charCodeAt(i);
        if (nocase ? lower(a) !== lower(b) : a !== b) return false;
        i++;
        break;
      }
    }
    p++;
    if (i === slen) {
      while (at(p) === STAR) p++;
      break;
    }
  }
  return p >= plen && i === slen;
}

/**
 * True when `s` matches the glob `pattern` as Redis's stringmatchlen decides: `*`, `?`,
 * `[abc]`, `[^a]`, `[a-z]` (reversed ranges allowed), backslash escapes. The pattern "*"
 * matches everything, the empty string included, as KEYS and SCAN special-case it (the
 * general algorithm never matches an empty string against a non-empty pattern: "**"
 * does not match "").
 */
export function globMatch(pattern: string, s: string, nocase = false): boolean {
  if (pattern.length === 1 && pattern.charCodeAt(0) === STAR) return true;
  return matchFrom(pattern, 0, s, 0, nocase, { skipLongerMatches: false }, 0);
}
