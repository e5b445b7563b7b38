// Serialized REST responses kept until the data under them changes: an entry names the instruments and the time
// range it read, and a store write of an instrument drops the entries whose range ends after the written trades.
// Closed ranges therefore stay cached while live trades stream in; open-ended ones last until the next write.

/** Bytes of serialized responses kept (least recently used entries go first). */
export const RESPONSE_CACHE_BYTES = 64 * 1024 * 1024;
/** A response bigger than this is never cached (it would push out many small ones). */
export const RESPONSE_CACHE_MAX_ENTRY = 8 * 1024 * 1024;

export interface CacheEntry {
  readonly body: Buffer;
  /** instrumentKey of every instrument the response read. */
  readonly instruments: readonly string[];
  /** µs; the response depends on trades with ts < readTo (Infinity: open-ended). */
  readonly readTo: number;
}

export class ResponseCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly byInstrument = new Map<string, Set<string>>();
  /** The key of each body held now: a body found here will be served again (worth compressing hard once). */
  private readonly held = new WeakMap<Buffer, string>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly budget = RESPONSE_CACHE_BYTES) {}

  get size(): number {
    return this.entries.size;
  }

  get byteSize(): number {
    return this.bytes;
  }

  /** Whether this very body Buffer is a cached response (until it is evicted or invalidated). */
  holds(body: Buffer): boolean {
    return this.held.has(body);
  }

  /** The entry of a body still held (else undefined), without counting or reordering. */
  entryOf(body: Buffer): CacheEntry | undefined {
    const key = this.held.get(body);
    return key === undefined ? undefined : this.entries.get(key);
  }

  /** The entry of a body still held, counted as a hit and marked most recently used (else undefined). */
  touch(body: Buffer): CacheEntry | undefined {
    const key = this.held.get(body);
    if (key === undefined) return undefined;
    const e = this.entries.get(key)!;
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, e);
    return e;
  }

  get(key: string): Buffer | undefined {
    const e = this.entries.get(key);
    if (e === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Map order is insertion order: re-inserting marks it most recently used.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.body;
  }

  set(key: string, entry: CacheEntry): void {
    if (entry.body.length > RESPONSE_CACHE_MAX_ENTRY || entry.body.length > this.budget) return;
    this.delete(key);
    this.entries.set(key, entry);
    this.held.set(entry.body, key);
    this.bytes += entry.body.length;
    for (const i of entry.instruments) {
      let keys = this.byInstrument.get(i);
      if (keys === undefined) this.byInstrument.set(i, (keys = new Set()));
      keys.add(key);
    }
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.budget) break;
      this.delete(oldest);
    }
  }

  /** Trades of `instrument` with ts ≥ minTs were written: drop what read past minTs. */
  invalidate(instrument: string, minTs: number): void {
    const keys = this.byInstrument.get(instrument);
    if (keys === undefined) return;
    for (const key of [...keys]) {
      const e = this.entries.get(key);
      if (e !== undefined && e.readTo > minTs) this.delete(key);
    }
  }

  clear(): void {
    for (const e of this.entries.values()) this.held.delete(e.body);
    this.entries.clear();
    this.byInstrument.clear();
    this.bytes = 0;
  }

  private delete(key: string): void {
    const e = this.entries.get(key);
    if (e === undefined) return;
    this.entries.delete(key);
    this.held.delete(e.body);
    this.bytes -= e.body.length;
    for (const i of e.instruments) {
      const keys = this.byInstrument.get(i);
      keys?.delete(key);
      if (keys?.size === 0) this.byInstrument.delete(i);
    }
  }
}
