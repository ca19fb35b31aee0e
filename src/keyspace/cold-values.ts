// String values a snapshot load left as bytes ("cold"): the db holds a small integer that
// names the load batch and the entry's offset in it, and the value becomes a JS string the
// first time a command reads it, or when the warm-up pass that follows start-up reaches it.
// Loading 1M keys this way allocates half as many young objects (the scavenges that copy
// them were a third of the load: --trace-gc), so the port opens sooner; by the end of the
// warm-up every value is a string again and the batches are released.

/** A cold value in a db's dict: batch index << OFFSET_BITS | offset of the entry in it. */
export type ColdRef = number;

/** Turns the entry at `offset` of a load batch back into its string value. */
export type ColdDecoder = (batch: Buffer, offset: number) => string;

/** Offsets within a batch take the low bits; the batch index the rest of a V8 small integer. */
const OFFSET_BITS = 20;
const OFFSET_LIMIT = 1 << OFFSET_BITS;
/** 2^30 is where V8's small integers end: a ref beyond would be a heap-allocated number. */
const MAX_BATCHES = 1 << (30 - OFFSET_BITS);

/** The load batches cold values point into, and how to decode them. */
export class ColdValues {
  private readonly batches: Buffer[] = [];

  constructor(private readonly decode: ColdDecoder) {}

  /** Keeps `batch` for its cold values; -1 when no ref could name it (load it eagerly). */
  addBatch(batch: Buffer): number {
    if (this.batches.length >= MAX_BATCHES) return -1;
    this.batches.push(batch);
    return this.batches.length - 1;
  }

  /** The ref of the entry at `offset` of batch `index`, or -1 when it cannot have one. */
  ref(index: number, offset: number): ColdRef {
    if (index < 0 || offset >= OFFSET_LIMIT) return -1;
    return index * OFFSET_LIMIT + offset;
  }

  /** The string a ref stands for (a new string on every call). */
  value(ref: ColdRef): string {
    return this.decode(this.batches[ref >>> OFFSET_BITS], ref & (OFFSET_LIMIT - 1));
  }

  /** Bytes of the batches held. */
  get bytes(): number {
    let n = 0;
    for (const b of this.batches) n += b.length;
    return n;
  }
}

/** The parts of a db the warm-up walks (keyspace/db.ts's Db). */
export interface ColdHolder {
  dict: Map<string, unknown>;
  cold: ColdValues | null;
}

/**
 * Turns every cold value of `dbs` back into a string, `limit` entries per call, so the event
 * loop runs between calls. Cold values are only made by a load and never copied from dict to
 * dict (commands read values through Db.get), so a dict walked to its end stays warm; FLUSHDB
 * and SWAPDB replace or move whole dicts, so the walk goes on until every db's current dict
 * is one it has walked to the end.
 */
export class ColdWarmer {
  private readonly warmMaps = new WeakSet<Map<string, unknown>>();
  private map: Map<string, unknown> | null = null;
  private iter: Iterator<[string, unknown]> | null = null;
  /** Values turned back into strings so far. */
  warmed = 0;

  constructor(
    private readonly dbs: ColdHolder[],
    private readonly cold: ColdValues,
  ) {}

  /** Walks up to `limit` entries; true once every value is warm and the dbs let go of the batches. */
  step(limit: number): boolean {
    const cold = this.cold;
    for (let n = 0; n < limit; ) {
      if (this.map === null) {
        const db = this.nextDb();
        if (db === null) {
          for (const d of this.dbs) if (d.cold === cold) d.cold = null;
          return true;
        }
        this.map = db.dict;
        this.iter = db.dict.entries();
      }
      // A dict FLUSHDB detached meanwhile is walked to its end all the same: harmless.
      const r = this.iter!.next();
      if (r.done === true) {
        this.warmMaps.add(this.map);
        this.map = null;
        this.iter = null;
        continue;
      }
      n++;
      const v = r.value[1];
      if (typeof v === 'number') {
        this.map.set(r.value[0], cold.value(v));
        this.warmed++;
      }
    }
    return false;
  }

  /** The first db whose dict has not been walked to its end; null when there is none. */
  private nextDb(): ColdHolder | null {
    for (const d of this.dbs) if (!this.warmMaps.has(d.dict)) return d;
    return null;
  }
}
