// A typed RESP reply kept as data (the static parts of COMMAND INFO / COMMAND DOCS taken
// from Redis 7.0), and its encoder for RESP2 and RESP3. The JSON shape mirrors the wire:
// the type character of sets, maps and simple strings is the key of a one-field object.

export type RespTree =
  /** Bulk string. */
  | string
  /** Integer. */
  | number
  | null
  | readonly RespTree[]
  /** Simple string (+). */
  | { readonly '+': string }
  /** Set (~); an array in RESP2. */
  | { readonly '~': readonly RespTree[] }
  /** Map (%) as alternating keys and values; a flat array in RESP2. */
  | { readonly '%': readonly RespTree[] };

/** Array.isArray that narrows readonly arrays too. */
function isArray(t: RespTree): t is readonly RespTree[] {
  return Array.isArray(t);
}

/** Appends the encoding of `t` for protocol `resp` to `out`. */
export function encodeTree(t: RespTree, resp: 2 | 3, out: string[]): void {
  if (typeof t === 'string') {
    out.push('$' + t.length + '\r\n' + t + '\r\n');
  } else if (typeof t === 'number') {
    out.push(':' + t + '\r\n');
  } else if (t === null) {
    out.push(resp === 3 ? '_\r\n' : '$-1\r\n');
  } else if (isArray(t)) {
    out.push('*' + t.length + '\r\n');
    for (const e of t) encodeTree(e, resp, out);
  } else if ('+' in t) {
    out.push('+' + t['+'] + '\r\n');
  } else if ('~' in t) {
    out.push((resp === 3 ? '~' : '*') + t['~'].length + '\r\n');
    for (const e of t['~']) encodeTree(e, resp, out);
  } else if ('%' in t) {
    const kv = t['%'];
    out.push(resp === 3 ? '%' + kv.length / 2 + '\r\n' : '*' + kv.length + '\r\n');
    for (const e of kv) encodeTree(e, resp, out);
  }
}

/** Headers for the containers built around trees at run time. */
export function mapHeader(n: number, resp: 2 | 3): string {
  return resp === 3 ? '%' + n + '\r\n' : '*' + 2 * n + '\r\n';
}

export function setHeader(n: number, resp: 2 | 3): string {
  return (resp === 3 ? '~' : '*') + n + '\r\n';
}

/** The value of `key` in a map tree, or undefined. */
export function mapGet(t: RespTree, key: string): RespTree | undefined {
  if (t === null || typeof t !== 'object' || !('%' in t)) return undefined;
  const kv = t['%'];
  for (let i = 0; i < kv.length; i += 2) if (kv[i] === key) return kv[i + 1];
  return undefined;
}

/** Strings of an array, set or simple-string list tree (flags, categories). */
export function treeStrings(t: RespTree | undefined): string[] {
  if (t === undefined || t === null || typeof t !== 'object') return [];
  const items: readonly RespTree[] = isArray(t) ? t : '~' in t ? t['~'] : [];
  const out: string[] = [];
  for (const e of items) {
    if (typeof e === 'string') out.push(e);
    else if (e !== null && typeof e === 'object' && '+' in e) out.push(e['+']);
  }
  return out;
}
