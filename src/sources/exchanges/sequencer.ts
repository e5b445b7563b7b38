// Per-stream ordering and dedupe over contiguous integer trade ids: delivers each id once and in id order,
// buffers ids that arrive early, and says which range is missing so the collector can backfill it over REST.
// Pure (no I/O, no clock): the collector decides when a missing range has waited long enough.

import type { Trade } from '../../core/trade.ts';

export interface IdRange {
  readonly from: number;
  readonly to: number;
}

export interface LostRange extends IdRange {
  readonly reason: string;
}

/** Named budgets: how many early trades may wait for a missing id, how many lost ranges are kept. */
export const DEFAULT_BUFFER_BUDGET = 200_000;
const LOST_RANGES_KEPT = 10_000;

export class StreamSequencer {
  /** Next id to deliver; undefined until the first trade sets the baseline. */
  next: number | undefined;
  delivered = 0;
  duplicates = 0;
  lost = 0;
  /** Trades declared lost that turned up later after all (delivered out of order). */
  recovered = 0;
  readonly lostRanges: LostRange[] = [];
  private readonly buffer = new Map<number, Trade>();
  private latestKnown = -1;

  constructor(private readonly bufferBudget = DEFAULT_BUFFER_BUDGET) {}

  /** Takes trades in any order (duplicates allowed); returns the ones now deliverable, in id order. */
  offer(trades: readonly Trade[], out: Trade[] = []): Trade[] {
    for (const t of trades) this.offerOne(t, out);
    if (this.buffer.size > this.bufferBudget) {
      const g = this.gap();
      if (g) this.giveUp(g.to, 'buffer-budget', out);
    }
    return out;
  }

  private offerOne(t: Trade, out: Trade[]): void {
    const id = t.id as number;
    if (this.next === undefined) this.next = id;
    if (id === this.next) {
      out.push(t);
      this.delivered++;
      this.next = id + 1;
      this.drain(out);
    } else if (id > this.next) {
      if (this.buffer.has(id)) this.duplicates++;
      else this.buffer.set(id, t);
    } else if (this.unlose(id)) {
      out.push(t);
      this.delivered++;
      this.recovered++;
    } else {
      this.duplicates++;
    }
  }

  private drain(out: Trade[]): void {
    let next = this.next!;
    let t = this.buffer.get(next);
    while (t !== undefined) {
      this.buffer.delete(next);
      out.push(t);
      this.delivered++;
      next++;
      t = this.buffer.get(next);
    }
    this.next = next;
  }

  /** A heartbeat (Coinbase `last_trade_id`) says ids up to `id` exist: missing ones form a gap. */
  noteLatest(id: number): void {
    if (id > this.latestKnown) this.latestKnown = id;
  }

  /** Whether `id` is still needed (not delivered, not waiting in the buffer). */
  needs(id: number): boolean {
    return this.next === undefined || (id >= this.next && !this.buffer.has(id));
  }

  hasGap(): boolean {
    return this.next !== undefined && (this.buffer.size > 0 || this.latestKnown >= this.next);
  }

  /** The first missing range: from `next` up to just before the lowest early trade (or the heartbeat's id). */
  gap(): IdRange | undefined {
    if (!this.hasGap()) return undefined;
    let min = Infinity;
    for (const id of this.buffer.keys()) if (id < min) min = id;
    const to = min === Infinity ? this.latestKnown : min - 1;
    return { from: this.next!, to };
  }

  /** Gives up on every id from `next` to `to` that has not arrived: recorded as lost, later trades released. */
  giveUp(to: number, reason: string, out: Trade[] = []): Trade[] {
    if (this.next === undefined) return out;
    let runStart = -1;
    for (let id = this.next; id <= to; id++) {
      const t = this.buffer.get(id);
      if (t !== undefined) {
        if (runStart >= 0) this.recordLost(runStart, id - 1, reason);
        runStart = -1;
        this.buffer.delete(id);
        out.push(t);
        this.delivered++;
      } else if (runStart < 0) runStart = id;
    }
    if (runStart >= 0) this.recordLost(runStart, to, reason);
    if (to + 1 > this.next) this.next = to + 1;
    this.drain(out);
    return out;
  }

  private recordLost(from: number, to: number, reason: string): void {
    this.lost += to - from + 1;
    this.lostRanges.push({ from, to, reason });
    if (this.lostRanges.length > LOST_RANGES_KEPT) this.lostRanges.shift();
  }

  /** If `id` was declared lost, takes it out of its range (splitting the range). */
  private unlose(id: number): boolean {
    for (let i = this.lostRanges.length - 1; i >= 0; i--) {
      const r = this.lostRanges[i]!;
      if (id < r.from || id > r.to) continue;
      const parts: LostRange[] = [];
      if (r.from < id) parts.push({ from: r.from, to: id - 1, reason: r.reason });
      if (id < r.to) parts.push({ from: id + 1, to: r.to, reason: r.reason });
      this.lostRanges.splice(i, 1, ...parts);
      this.lost--;
      return true;
    }
    return false;
  }

  /** delivered / (delivered + lost); 1 before anything happened. */
  completeness(): number {
    const total = this.delivered + this.lost;
    return total === 0 ? 1 : this.delivered / total;
  }

  get buffered(): number {
    return this.buffer.size;
  }
}

/** Dedupe of (exchange, symbol, id) for feeds whose ids are not contiguous integers, with a bounded memory. */
export class DedupeWindow {
  private readonly seen = new Set<string | number>();
  private readonly order: (string | number)[] = [];
  private head = 0;

  constructor(private readonly capacity = 100_000) {}

  /** true the first time an id is seen (within the last `capacity` ids). */
  add(id: string | number): boolean {
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    this.order.push(id);
    if (this.order.length - this.head > this.capacity) {
      this.seen.delete(this.order[this.head]!);
      this.head++;
      if (this.head > 4096 && this.head * 2 > this.order.length) {
        this.order.splice(0, this.head);
        this.head = 0;
      }
    }
    return true;
  }
}
