// Memo of rollup reads per time chunk, invalidated by the store's own writes: a store file has one writer (DuckDB
// locks it), so "no insert touched these days since" proves a cached chunk is still what SQL would return.

import { US_PER_DAY } from '../core/time.ts';

const MAX_LISTED_DAYS = 4096;

interface Entry {
  readonly stamp: number;
  readonly size: number;
  readonly value: unknown;
}

/** Chunks of [from, to) aligned to multiples of chunkUs (the whole chunks) and the uncovered edges. */
export interface ChunkPlan {
  readonly head: readonly [number, number] | undefined;
  /** Starts of the whole chunks, ascending. */
  readonly chunks: readonly number[];
  readonly tail: readonly [number, number] | undefined;
}

export function planChunks(from: number, to: number, chunkUs: number): ChunkPlan {
  const first = Math.ceil(from / chunkUs) * chunkUs;
  const last = Math.floor(to / chunkUs) * chunkUs;
  if (first >= last) return { head: from < to ? [from, to] : undefined, chunks: [], tail: undefined };
  const chunks: number[] = [];
  for (let c = first; c < last; c += chunkUs) chunks.push(c);
  return {
    head: from < first ? [from, first] : undefined,
    chunks,
    tail: last < to ? [last, to] : undefined,
  };
}

export class RollupCache {
  /** Write clock; stamps of days never written while open are 0. */
  private clock = 0;
  private readonly dayStamps = new Map<number, Map<number, number>>();
  private readonly instStamps = new Map<number, number>();
  /** A write spanning too many days to list stamps them all at once. */
  private readonly floorStamps = new Map<number, number>();
  /** Insertion order = least recently used first. */
  private readonly entries = new Map<string, Entry>();
  private held = 0;

  /** maxSize: total `size` (≈ cells) kept before the least recently used entries are dropped. */
  constructor(private readonly maxSize = 4_000_000) {}

  /** Records a write to inst's minutes in [fromUs, toUs] (inclusive). */
  touch(inst: number, fromUs: number, toUs: number): void {
    const stamp = ++this.clock;
    this.instStamps.set(inst, stamp);
    const lo = Math.floor(fromUs / US_PER_DAY);
    const hi = Math.floor(toUs / US_PER_DAY);
    if (hi - lo > MAX_LISTED_DAYS) {
      this.floorStamps.set(inst, stamp);
      this.dayStamps.delete(inst);
      return;
    }
    let days = this.dayStamps.get(inst);
    if (days === undefined) this.dayStamps.set(inst, (days = new Map<number, number>()));
    for (let d = lo; d <= hi; d++) days.set(d, stamp);
  }

  /** Latest write to inst's minutes in [fromUs, toUs). */
  stamp(inst: number, fromUs: number, toUs: number): number {
    let s = this.floorStamps.get(inst) ?? 0;
    const days = this.dayStamps.get(inst);
    if (days === undefined) return s;
    for (let d = Math.floor(fromUs / US_PER_DAY); d * US_PER_DAY < toUs; d++)
      s = Math.max(s, days.get(d) ?? 0);
    return s;
  }

  /** Latest write to any of inst's minutes. */
  instStamp(inst: number): number {
    return this.instStamps.get(inst) ?? 0;
  }

  get<T>(key: string, stamp: number): T | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    this.entries.delete(key);
    if (e.stamp !== stamp) {
      this.held -= e.size;
      return undefined;
    }
    this.entries.set(key, e);
    return e.value as T;
  }

  set(key: string, stamp: number, value: unknown, size: number): void {
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.entries.delete(key);
      this.held -= old.size;
    }
    if (size > this.maxSize) return;
    this.entries.set(key, { stamp, size, value });
    this.held += size;
    for (const [k, e] of this.entries) {
      if (this.held <= this.maxSize) break;
      this.entries.delete(k);
      this.held -= e.size;
    }
  }

  clear(): void {
    this.entries.clear();
    this.dayStamps.clear();
    this.instStamps.clear();
    this.floorStamps.clear();
    this.held = 0;
  }
}
