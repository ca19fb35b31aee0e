// The effect stream: what write commands changed, as commands that reproduce the change
// deterministically (EXPIRE → PEXPIREAT, SET EX → SET PXAT, expiry → DEL, ...). The WAL and,
// later, replication consume it. Handlers that need a rewritten effect call propagate();
// otherwise the gatekeeper logs the command as sent when it changed the dataset.

/** A consumer of effects (the WAL writer, a replication stream). */
export interface EffectSink {
  /** One effect: the args of a command that reproduces the change in database `dbIndex`. */
  append(dbIndex: number, args: readonly string[]): void;
}

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

  /** Emits an effect now, outside any command's declaration (expiry deletions). */
  emit(dbIndex: number, args: readonly string[]): void {
    for (const s of this.sinks) s.append(dbIndex, args);
  }

  /** Gatekeeper: the command finished; `changed` tells whether it modified the dataset. */
  commandDone(dbIndex: number, args: readonly string[], changed: boolean): void {
    const declared = this.declared;
    if (declared !== null) {
      this.declared = null;
      this.commandEffects++;
      for (const [db, a] of declared) this.emit(db, a);
    } else if (changed) {
      this.commandEffects++;
      this.emit(dbIndex, args);
    }
  }
}
