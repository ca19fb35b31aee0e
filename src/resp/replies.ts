// Preencoded RESP replies shared by every connection (RESP2 unless named otherwise).

export const R = {
  ok: '+OK\r\n',
  pong: '+PONG\r\n',
  queued: '+QUEUED\r\n',
  zero: ':0\r\n',
  one: ':1\r\n',
  minusOne: ':-1\r\n',
  minusTwo: ':-2\r\n',
  emptyArray: '*0\r\n',
  nullBulk2: '$-1\r\n',
  nullArray2: '*-1\r\n',
  null3: '_\r\n',
  emptyBulk: '$0\r\n\r\n',
} as const;

/** An array of status lines, as Redis's addReplyHelp sends a HELP text. */
export function statusLines(lines: readonly string[]): string {
  let s = '*' + lines.length + '\r\n';
  for (const l of lines) s += '+' + l + '\r\n';
  return s;
}
