// Clients waiting in blocking commands (BLPOP, BLMOVE, BZPOPMIN, ...), as Redis 7.0's
// blocked.c: a client blocks on keys with a timeout; keys signalled ready during a command
// are handled once that command (or a whole EXEC) is done, serving the clients blocked on
// each key in the order they blocked. The commands bring the type-specific part as a Waiter.
//
// Usage by a blocking command, after finding nothing to serve at once:
//   node.blocking.block(c, keys, timeoutMs, { serve(key) {...}, timedOut() {...} })
// serve(key) runs when `key` may hold data: it replies and returns true when it served the
// client (an error reply counts), or returns false to keep waiting. It declares its effects
// with node.effects.propagate() as a command would; they are logged after each serve.

import type { Client } from '../server/client';
import type { Db } from '../keyspace/db';
import type { Keyspace } from '../keyspace/keyspace';
import type { EffectStream } from '../persistence/effects';
import { Err } from '../errors';

/** The type-specific part of a blocked command. */
export interface Waiter {
  /** `key` may now serve this client: reply and return true, or return false to keep waiting. */
  serve(key: string): boolean;
  /** Replies what the command answers on timeout (a null array or null bulk). */
  timedOut(): void;
  /** Replies what the command answers when it may not block (inside EXEC); default timedOut(). */
  cannotBlock?(): void;
}

/** One blocked client. */
interface Blocked {
  readonly c: Client;
  readonly db: Db;
  readonly keys: readonly string[];
  readonly waiter: Waiter;
  /** Whether the client's replies were muted when it blocked (CLIENT REPLY OFF/SKIP). */
  readonly muted: boolean;
  /** Absolute deadline in ms, or 0 for none. */
  readonly deadline: number;
  timer: NodeJS.Timeout | null;
  active: boolean;
  /** Called with the microseconds the serve took, once it served (the slow log's entry). */
  onServed: ((usec: number) => void) | null;
}

/** setTimeout's longest delay; longer timeouts re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class BlockedClients {
  /** Per db index: key → clients blocked on it, in the order they blocked. */
  private readonly byKey: Array<Map<string, Set<Blocked>>> = [];
  private readonly byClient = new Map<Client, Blocked>();
  /** Keys signalled ready since the last handleReadyKeys(), once each. */
  private ready: Array<{ db: Db; key: string }> = [];
  private readonly readyIds = new Set<string>();
  private withTimeout = 0;

  constructor(
    keyspace: Keyspace,
    private readonly effects: EffectStream,
  ) {
    const signal = (db: Db, key: string): void => {
      if (this.byClient.size !== 0) this.signal(db, key);
    };
    keyspace.onKeyReady(signal);
    // Any change of a key someone waits on may make it servable (RENAME, MOVE, COPY, RESTORE
    // onto it), as Redis's dbAdd signals every key it creates.
    keyspace.onModified(signal);
    // SWAPDB brings other data under the keys clients wait on (scanDatabaseForReadyKeys).
    keyspace.onSwap((a, b) => {
      this.signalEveryWaitedKey(a);
      this.signalEveryWaitedKey(b);
    });
  }

  /** INFO blocked_clients. */
  get blockedCount(): number {
    return this.byClient.size;
  }

  /** INFO clients_in_timeout_table: blocked clients with a timeout. */
  get timeoutCount(): number {
    return this.withTimeout;
  }

  /** True when keys wait to be handled (checked after every command). */
  get hasReadyKeys(): boolean {
    return this.ready.length !== 0;
  }

  isBlocked(c: Client): boolean {
    return this.byClient.has(c);
  }

  /**
   * Runs `fn` with the serve's duration when `c`, blocked now, is served (not on timeout or
   * CLIENT UNBLOCK): Redis logs a blocked command in the slow log once it is served.
   */
  whenServed(c: Client, fn: (usec: number) => void): void {
    const b = this.byClient.get(c);
    if (b !== undefined) b.onServed = fn;
  }

  /**
   * Blocks `c` on `keys` of its current db for `timeoutMs` (0 = forever). Inside EXEC the
   * command cannot block: it answers at once as on timeout, as Redis does.
   */
  block(c: Client, keys: readonly string[], timeoutMs: number, waiter: Waiter): void {
    if (c.inExec) {
      if (waiter.cannotBlock !== undefined) waiter.cannotBlock();
      else waiter.timedOut();
      return;
    }
    const b: Blocked = {
      c,
      db: c.db,
      keys: [...new Set(keys)],
      waiter,
      muted: c.muted,
      deadline: timeoutMs === 0 ? 0 : Date.now() + timeoutMs,
      timer: null,
      active: true,
      onServed: null,
    };
    const queues = (this.byKey[b.db.id] ??= new Map());
    for (const key of b.keys) {
      let q = queues.get(key);
      if (q === undefined) queues.set(key, (q = new Set()));
      q.add(b);
    }
    this.byClient.set(c, b);
    if (b.deadline !== 0) {
      this.withTimeout++;
      this.arm(b);
    }
    c.waitForCompletion();
    c.unblock = (withError) => {
      if (!b.active) return;
      this.reply(b, () => (withError ? c.error(Err.unblocked) : waiter.timedOut()));
      this.unblock(b);
    };
  }

  /** `key` of `db` may serve blocked clients (signalKeyAsReady); handled after the command. */
  signal(db: Db, key: string): void {
    const q = this.byKey[db.id]?.get(key);
    if (q === undefined) return;
    const id = db.id + ':' + key;
    if (this.readyIds.has(id)) return;
    this.readyIds.add(id);
    this.ready.push({ db, key });
  }

  /** Every key clients wait on in `db` may be ready. */
  signalEveryWaitedKey(db: Db): void {
    const queues = this.byKey[db.id];
    if (queues !== undefined) for (const key of queues.keys()) this.signal(db, key);
  }

  /**
   * Serves clients blocked on the keys signalled ready (handleClientsBlockedOnKeys): per key
   * in FIFO order while the waiters accept; keys made ready by serving (BLMOVE's destination)
   * are handled in the same call.
   */
  handleReadyKeys(): void {
    while (this.ready.length !== 0) {
      const batch = this.ready;
      this.ready = [];
      for (const { db, key } of batch) {
        this.readyIds.delete(db.id + ':' + key);
        const q = this.byKey[db.id]?.get(key);
        if (q === undefined) continue;
        for (const b of [...q]) {
          if (!b.active) continue;
          if (b.c.closed) {
            this.unblock(b);
            continue;
          }
          if (!db.has(key)) break;
          let served = false;
          const t0 = b.onServed === null ? 0 : performance.now();
          this.reply(b, () => {
            served = b.waiter.serve(key);
          });
          if (served) {
            // The serve ran outside any command: log what it declared now.
            if (this.effects.active) this.effects.commandDone(db.id, [], false);
            if (b.onServed !== null) b.onServed((performance.now() - t0) * 1000);
            this.unblock(b);
          }
        }
      }
    }
  }

  /** A client disconnected: it stops waiting, with no reply. */
  clientClosed(c: Client): void {
    const b = this.byClient.get(c);
    if (b !== undefined) this.unblock(b);
  }

  /** Runs `write` with the client's replies muted as they were when it blocked. */
  private reply(b: Blocked, write: () => void): void {
    const c = b.c;
    const muted = c.muted;
    c.muted = b.muted;
    try {
      write();
    } finally {
      c.muted = muted;
    }
  }

  private arm(b: Blocked): void {
    const delay = Math.max(0, b.deadline - Date.now());
    b.timer = setTimeout(() => {
      b.timer = null;
      if (!b.active) return;
      if (Date.now() < b.deadline) return this.arm(b);
      if (!b.c.closed) this.reply(b, () => b.waiter.timedOut());
      this.unblock(b);
    }, Math.min(delay, MAX_TIMER_MS));
  }

  /** Removes `b` from every queue and lets the client run its next commands. */
  private unblock(b: Blocked): void {
    if (!b.active) return;
    b.active = false;
    const queues = this.byKey[b.db.id];
    for (const key of b.keys) {
      const q = queues.get(key);
      if (q === undefined) continue;
      q.delete(b);
      if (q.size === 0) queues.delete(key);
    }
    this.byClient.delete(b.c);
    if (b.deadline !== 0) this.withTimeout--;
    if (b.timer !== null) clearTimeout(b.timer);
    const c = b.c;
    c.unblock = null;
    // As Redis's processUnblockedClients in beforeSleep: the commands that queued up behind
    // the blocking one run after the current command, not inside it.
    if (!c.closed) setImmediate(() => c.resumeCommands());
  }
}
