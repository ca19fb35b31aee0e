// What the main thread and the MIGRATE link worker share: the request posted to the worker
// and the layout of the shared memory the result comes back in (the main thread is asleep
// in Atomics.wait meanwhile, so it cannot receive a message).

/** An exchange: the main thread fills it, posts it, and waits on `shared`'s State word. */
export interface LinkRequest {
  shared: SharedArrayBuffer;
  host: string;
  port: number;
  /** Longest wait for any one step (connect, a 64 KiB write, each reply), in ms. */
  timeoutMs: number;
  /** AUTH arguments (password, or username and password), or null. */
  auth: string[] | null;
  dbid: number;
  /** The RESTORE (or RESTORE-ASKING) commands, RESP-encoded, one per key. */
  restores: Uint8Array;
  keys: number;
}

export interface LinkWorkerData {
  role: 'cinnabar-migrate-link';
}

// Layout of `shared`: Int32 words, then one status byte per key, then the error text.
export const Word = {
  /** 0 while the exchange runs, 1 once the result below is complete (Atomics.notify'd). */
  State: 0,
  /** Bumped at every step that made progress: the main thread's watchdog. */
  Progress: 1,
  Outcome: 2,
  /** Bytes of the first error reply's text (without its '-' and CRLF). */
  ErrorLength: 3,
} as const;
export const WORDS = 4;
/** Space for the first error reply, as Redis reads replies into 1024-byte buffers. */
export const ERROR_BYTES = 1024;

export const LinkOutcome = {
  /** Every reply was read (some may be errors: see the key statuses and the error text). */
  Replied: 0,
  /** The connection did not come up within the timeout. */
  ConnectTimeout: 1,
  /** Writing the commands failed or timed out. */
  WriteFailed: 2,
  /** A reply did not come (error, close or timeout). */
  ReadFailed: 3,
} as const;

/** Per-key status bytes. */
export const KeyStatus = { NoReply: 0, Ok: 1, Error: 2 } as const;

export function sharedSize(keys: number): number {
  return WORDS * 4 + keys + ERROR_BYTES;
}

/** A command in RESP (latin1 strings: one char per byte). */
export function encodeCommand(args: readonly string[]): string {
  return `*${args.length}\r\n` + encodeBulks(args);
}

/** Arguments as RESP bulk strings, without the array header. */
export function encodeBulks(args: readonly string[]): string {
  let s = '';
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}
