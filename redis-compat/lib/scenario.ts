// The shape of a differential scenario (steps sent to redis-server and the server under test,
// replies compared byte for byte) and the normalizers that blank out what may legitimately
// differ (versions, ids, ports, timing). Scenario files under scenarios/ build on these.

import { encodeCommand, joinAggregate, sortAggregate, splitAggregate, stringValue, type Arg } from './raw-client';

export type { Arg };

/**
 * Rewrites a reply (as a latin1 string: one char per byte) before comparison. Either a
 * regex replacement or a function.
 */
export type Normalizer =
  | { pattern: RegExp; replace: string | ((match: string, ...groups: string[]) => string) }
  | ((reply: string) => string);

interface StepCommon {
  /** Which connection of the scenario to use (each is opened on first use). @default 0 */
  conn?: number;
  /** Normalizers for this step only, applied after the scenario's. */
  ignore?: Normalizer[];
  /** How long to wait for the replies. @default 3000 (1000 with untilClose) */
  timeoutMs?: number;
}

/** One command; by default one reply is read. */
export interface CommandStep extends StepCommon {
  cmd: Arg[];
  /** Replies to read: 0 for CLIENT REPLY OFF/SKIP, more for commands that push extra. @default 1 */
  replies?: number;
  /** Read everything until the server closes (or timeoutMs), e.g. QUIT. */
  untilClose?: boolean;
  /** Sort the elements of a top-level aggregate reply (KEYS); 'pairs' sorts key-value pairs (CONFIG GET). */
  unordered?: boolean | 'pairs';
}

/** Exact bytes (a string is taken as latin1); for inline commands, pipelines and protocol errors. */
export interface RawStep extends StepCommon {
  raw: string | Buffer;
  /** Replies to read. @default 1 */
  replies?: number;
  /** Read everything until the server closes (or timeoutMs), for protocol errors. */
  untilClose?: boolean;
}

export interface SleepStep {
  sleepMs: number;
}

/**
 * SCAN/SSCAN/HSCAN/ZSCAN iterated from cursor 0 until the cursor comes back as 0; the sorted
 * union of returned elements is compared (cursors themselves differ between implementations).
 * The cursor is argument 1 for SCAN and argument 2 for the others; give it as '0'.
 */
export interface ScanStep extends StepCommon {
  scanUntilDone: Arg[];
}

/** A bare array is a command step reading one reply. */
export type Step = Arg[] | CommandStep | RawStep | SleepStep | ScanStep;

export interface Scenario {
  name: string;
  steps: Step[];
  /** Send HELLO 3 on every connection of the scenario before its steps (reply not compared). */
  resp3?: boolean;
  /** Normalizers applied to every reply of the scenario. */
  ignore?: Normalizer[];
  /** Commands run afterwards on a separate connection, replies not compared (e.g. undo CONFIG SET). */
  cleanup?: Arg[][];
  /**
   * Anchor (heading id) in redis-compat/DIFFERENCES.md: a mismatch is then reported as
   * KNOWN, not FAIL.
   */
  knownDifference?: string;
}

// ---------------------------------------------------------------------------------------
// Helpers for writing scenarios
// ---------------------------------------------------------------------------------------

/** Several commands in one write; all their replies are compared in order. */
export function pipeline(cmds: Arg[][], extra: Omit<RawStep, 'raw' | 'replies'> = {}): RawStep {
  return { ...extra, raw: Buffer.concat(cmds.map(encodeCommand)), replies: cmds.length };
}

/** Shorthand constructor, handy in tables of scenarios. */
export function scenario(name: string, steps: Step[], rest: Omit<Scenario, 'name' | 'steps'> = {}): Scenario {
  return { name, steps, ...rest };
}

/**
 * Subscriber `conn` sends PING and reads the `messages` pushed to it (published messages,
 * keyspace events) before its PONG: a subscriber has no other way to say "read what came".
 */
export function readPushed(conn: number, messages: number): CommandStep {
  return { cmd: ['PING'], conn, replies: messages + 1 };
}

/** Cleanup that turns keyspace notifications off again. */
export const RESET_NOTIFY: Arg[][] = [['CONFIG', 'SET', 'notify-keyspace-events', '']];

/**
 * A keyspace-notification scenario: CONFIG SET notify-keyspace-events `flags`, connection
 * `subscriber` PSUBSCRIBEs `pattern`, then `steps` (read the events with readPushed);
 * notifications are turned off afterwards.
 */
export function notificationScenario(
  name: string,
  on: { flags: string; pattern: string; subscriber: number },
  steps: Step[],
): Scenario {
  return scenario(
    name,
    [['CONFIG', 'SET', 'notify-keyspace-events', on.flags], { cmd: ['PSUBSCRIBE', on.pattern], conn: on.subscriber, replies: 1 }, ...steps],
    { cleanup: RESET_NOTIFY },
  );
}

/** Copies of scenarios run after HELLO 3, named `resp3/<name>`. */
export function asResp3(list: readonly Scenario[]): Scenario[] {
  return list.map((s) => ({ ...s, name: `resp3/${s.name}`, resp3: true }));
}

// ---------------------------------------------------------------------------------------
// Normalizers
// ---------------------------------------------------------------------------------------

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The value that follows the string element `name` in a flat array or map (HELLO fields,
 * CONFIG GET pairs) is replaced by `<name>`.
 */
export function fieldValue(name: string): Normalizer {
  const n = escapeRegex(name);
  return {
    pattern: new RegExp(`((?:\\$${name.length}\\r\\n|\\+)${n}\\r\\n)(?:[$=]\\d+\\r\\n[^\\r]*|[:+,(]-?[^\\r]*)\\r\\n`, 'g'),
    replace: `$1<${name}>\r\n`,
  };
}

/** Integer replies at or above zero are rounded up to a multiple of `step` (TTL jitter). */
export function roundIntegers(step: number): Normalizer {
  return {
    pattern: /^:(\d+)\r\n$/,
    replace: (_m, n) => `:${Math.ceil(Number(n) / step) * step}\r\n`,
  };
}

/** Every integer reply (top level or nested) becomes `:<int>` (client ids, counts that differ). */
export const anyInteger: Normalizer = { pattern: /:-?\d+\r\n/g, replace: ':<int>\r\n' };

/** Replaces an integer reply in [lo, hi] (e.g. a TTL within tolerance) with `:<lo..hi>`. */
export function integerWithin(lo: number, hi: number): Normalizer {
  return (reply) => {
    const m = /^:(-?\d+)\r\n$/.exec(reply);
    if (!m) return reply;
    const v = Number(m[1]);
    return v >= lo && v <= hi ? `:<${lo}..${hi}>\r\n` : reply;
  };
}

/** HELLO's version and id fields. */
export const helloFields: Normalizer[] = [fieldValue('version'), fieldValue('id')];

/** Fields of CLIENT INFO / CLIENT LIST lines that depend on the process, socket or memory layout. */
const VOLATILE_CLIENT_FIELDS = [
  'id', 'addr', 'laddr', 'fd', 'age', 'idle', 'qbuf', 'qbuf-free', 'argv-mem', 'multi-mem',
  'rbs', 'rbp', 'obl', 'oll', 'omem', 'tot-mem', 'events',
];

/** CLIENT INFO / CLIENT LIST: volatile fields become `field=*` and string lengths `*`. */
export const clientInfoFields: Normalizer[] = [
  // A field starts a line, follows a space, or opens a RESP3 verbatim string (`txt:`).
  { pattern: new RegExp(`(^|[ \\n]|txt:)(${VOLATILE_CLIENT_FIELDS.map(escapeRegex).join('|')})=\\S*`, 'g'), replace: '$1$2=*' },
  { pattern: /^([$=])\d+\r\n/, replace: '$1*\r\n' },
];

/** Bulk and verbatim lengths become `*` (after another normalizer changed the payload). */
export const anyLength: Normalizer = { pattern: /([$=])\d+\r\n/g, replace: '$1*\r\n' };

/** Applies `fn` to the reply's bytes (normalizers see latin1 strings). */
function onBytes(fn: (reply: Buffer) => Buffer): Normalizer {
  return (reply) => {
    const b = Buffer.from(reply, 'latin1');
    if (!'*%~'.includes(reply[0] ?? '')) return reply;
    return fn(b).toString('latin1');
  };
}

/**
 * COMMAND INFO lists a container command's subcommands in hash-table order, which differs
 * from one process to the next: sort them (element 10 of each command's entry).
 */
export const commandInfoSubcommandsSorted: Normalizer = onBytes((reply) => {
  const top = splitAggregate(reply);
  return joinAggregate(
    top.header,
    top.elements.map((entry) => {
      const e = splitAggregate(entry);
      if (e.elements.length < 10) return entry;
      e.elements[9] = sortAggregate(e.elements[9], false);
      return joinAggregate(e.header, e.elements);
    }),
  );
});

/** COMMAND DOCS: the same for the `subcommands` map inside each command's docs. */
export const commandDocsSubcommandsSorted: Normalizer = onBytes((reply) => {
  const top = splitAggregate(reply);
  const out = top.elements.map((el, i) => {
    if (i % 2 === 0) return el; // command name
    const doc = splitAggregate(el);
    for (let k = 0; k + 1 < doc.elements.length; k += 2) {
      if (stringValue(doc.elements[k])?.toString('latin1') === 'subcommands') {
        doc.elements[k + 1] = sortAggregate(doc.elements[k + 1], true);
      }
    }
    return joinAggregate(doc.header, doc.elements);
  });
  return joinAggregate(top.header, out);
});

export function applyNormalizers(reply: string, normalizers: readonly Normalizer[]): string {
  let out = reply;
  for (const n of normalizers) {
    if (typeof n === 'function') out = n(out);
    else if (typeof n.replace === 'string') out = out.replace(n.pattern, n.replace);
    else out = out.replace(n.pattern, n.replace as (match: string, ...groups: string[]) => string);
  }
  return out;
}
