// Gives memory back after the keyspace shrinks a lot (active expiry, FLUSHALL, mass DEL).
// V8 collects garbage only when JavaScript allocates, so an idle node that just lost a
// million keys would keep their memory indefinitely. When the key count has dropped well
// below its recent peak, an asynchronous major GC is requested (measured: ~6 ms worst
// event-loop delay to free 1M small strings, vs ~100+ ms for a synchronous one).

import v8 from 'node:v8';
import vm from 'node:vm';

type GcFunction = (opts: { type: 'major' | 'minor'; execution: 'async' | 'sync' }) => void;

let gcFn: GcFunction | null | undefined;

function gcFunction(): GcFunction | null {
  if (gcFn === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gcFn = vm.runInNewContext('gc') as GcFunction;
    } catch {
      gcFn = null;
    }
  }
  return gcFn;
}

/** Asks V8 for an asynchronous major collection (MEMORY PURGE); false when it cannot. */
export function requestMajorGc(): boolean {
  const gc = gcFunction();
  if (gc === null) return false;
  gc({ type: 'major', execution: 'async' });
  return true;
}

export class MemoryReleaser {
  private peak = 0;
  private lastGcAt = 0;
  /** Major GCs requested (for INFO / tests). */
  requested = 0;

  constructor(
    /** Minimum drop in key count that is worth a collection. */
    private readonly minDrop = 10000,
    private readonly minIntervalMs = 2000,
  ) {}

  /** Called from the cron with the current key count. */
  check(keyCount: number, now: number): void {
    if (keyCount > this.peak) {
      this.peak = keyCount;
      return;
    }
    const drop = this.peak - keyCount;
    if (drop < this.minDrop || drop < this.peak / 4 || now - this.lastGcAt < this.minIntervalMs) return;
    this.peak = keyCount;
    this.lastGcAt = now;
    if (requestMajorGc()) this.requested++;
  }
}
