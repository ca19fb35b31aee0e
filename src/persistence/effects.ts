// The effect stream: what write commands changed, as commands that reproduce the change
// deterministically (EXPIRE → PEXPIREAT, SET EX → SET PXAT, expiry → DEL, ...). The WAL and,
// later, replication consume it. Handlers that need a rewritten effect call propagate();
// otherwise the gatekeeper logs the command as sent when it changed the dataset.

/** A consumer of effects (the WAL writer, a replication stream). */
export interface EffectSink {
  /** One effect: the args of a command that reproduces the change in database `dbIndex`. */
  append(dbIndex: number, args: readonly string[]): void;
}

/** The records that open and close an atomic group of effects (a transaction). */
export const MULTI: readonly string[] = ['MULTI'];
export const EXEC: readonly string[] = ['EXEC'];

export class EffectStream {
  private readonly sinks: EffectSink[] = [];
  /** Effects a running command declared in place of itself (null: log the command as sent). */
  private declared: Array<[number, readonly string[]]> | null = null;
  /** Commands that changed the dataset so far (expiry DELs are not counted). */
  commandEffects = 0;

  /** True when someone consumes effects; when false nothing is recorded at all. */
  get active(): boolean {
    return this.sinks.length !== 0;
  }

  addSink(sink: EffectSink): void {
    this.sinks.push(sink);
  }

  removeSink(sink: EffectSink): void {
    const i = this.sinks.indexOf(sink);
    if (i >= 0) this.sinks.splice(i, 1);
  }

  /**
   * Declares an effect of the running command, replacing the command as sent (Redis's
   * rewriteClientCommandVector / alsoPropagate). Call once per effect, in order.
   */
  propagate(dbIndex: number, args: readonly string[]): void {
    if (this.sinks.length === 0) return;
    (this.declared ??= []).push([dbIndex, args]);
  }

  /**
   * The running command declares all its effects, maybe none: it is never logged as sent
   * (MIGRATE, whose replay must not talk to the target again).
   */
  declareOnly(): void {
    if (this.sinks.length === 0) return;
    this.declared ??= [];
  }

  /** Emits an effect now, outside any command's declaration (expiry deletions). */
  emit(dbIndex: number, args: readonly string[]): void {
    if (this.atomic !== null) {
      this.atomic.push([dbIndex, args]);
      return;
    }
    for (const s of this.sinks) s.append(dbIndex, args);
  }

  /** Effects of the running atomic unit (EXEC), held until it ends; null outside one. */
  private atomic: Array<[number, readonly string[]]> | null = null;

  /**
   * EXEC starts: its effects are held and emitted together when it ends, wrapped in
   * MULTI … EXEC when there are several, so a replay applies all of them or none
   * (Redis's propagatePendingCommands).
   */
  beginAtomic(): void {
    if (this.sinks.length !== 0) this.atomic = [];
  }

  endAtomic(): void {
    const held = this.atomic;
    if (held === null) return;
    this.atomic = null;
    this.emitAll(held);
  }

  /** Emits effects as one unit: alone, or wrapped in MULTI … EXEC records. */
  private emitAll(effects: ReadonlyArray<[number, readonly string[]]>): void {
    if (effects.length === 0) return;
    if (effects.length === 1 || this.atomic !== null) {
      for (const [db, a] of effects) this.emit(db, a);
      return;
    }
    const db0 = effects[0][0];
    this.emit(db0, MULTI);
    for (const [db, a] of effects) this.emit(db, a);
    this.emit(db0, EXEC);
  }

  /** Gatekeeper: the command finished; `changed` tells whether it modified the dataset. */
  commandDone(dbIndex: number, args: readonly string[], changed: boolean): void {
    const declared = this.declared;
    if (declared !== null) {
      this.declared = null;
      if (declared.length === 0) return;
      this.commandEffects++;
      this.emitAll(declared);
    } else if (changed) {
      this.commandEffects++;
      this.emit(dbIndex, args);
    }
  }
}
