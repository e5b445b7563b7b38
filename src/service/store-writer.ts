// Batches live trades into the store: one insert per instrument per flush, flushed on a timer or on demand (a REST
// query awaits the flush so its range includes the live, still-open bar). The queue has a named budget.

import { instrumentKey, type Instrument } from '../core/instrument.ts';
import type { Trade } from '../core/trade.ts';
import { InstrumentWriter } from '../importers/instrument-writer.ts';
import type { TradeStore } from '../store/port.ts';

/** Trades waiting for the store before new ones are dropped (and counted) instead of queued. */
export const WRITE_QUEUE_BUDGET = 2_000_000;
/** Default interval of timed flushes. */
export const DEFAULT_FLUSH_MS = 250;

interface Pending {
  readonly instrument: Instrument;
  trades: Trade[];
  minTs: number;
}

export interface WriteListener {
  /** Trades of `key` with ts ≥ minTs, up to maxTs, are now readable from the store. */
  (key: string, minTs: number, maxTs: number): void;
}

export class StoreWriter {
  private pending = new Map<string, Pending>();
  /** Earliest ts per instrument of batches handed to the store but not written yet. */
  private readonly writing = new Map<string, { batches: number; minTs: number }>();
  private queued = 0;
  private inflight: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly writers = new Map<string, InstrumentWriter>();
  written = 0;
  duplicates = 0;
  dropped = 0;
  failures = 0;
  lastError: string | undefined;

  constructor(
    private readonly store: TradeStore,
    private readonly onWritten: WriteListener,
    private readonly flushMs = DEFAULT_FLUSH_MS,
    private readonly log: (msg: string) => void = () => {},
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.flushMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  get queuedTrades(): number {
    return this.queued;
  }

  /** Whether trades of these instruments with ts < beforeTs wait to be written. */
  hasPending(keys: readonly string[], beforeTs: number): boolean {
    for (const k of keys) {
      const p = this.pending.get(k);
      if (p !== undefined && p.minTs < beforeTs) return true;
      const w = this.writing.get(k);
      if (w !== undefined && w.minTs < beforeTs) return true;
    }
    return false;
  }

  enqueue(instrument: Instrument, trades: readonly Trade[]): void {
    if (trades.length === 0) return;
    if (this.queued + trades.length > WRITE_QUEUE_BUDGET) {
      this.dropped += trades.length;
      return;
    }
    const key = instrumentKey(instrument.exchange, instrument.symbol);
    let p = this.pending.get(key);
    if (p === undefined) this.pending.set(key, (p = { instrument, trades: [], minTs: Infinity }));
    for (const t of trades) {
      p.trades.push(t);
      if (t.ts < p.minTs) p.minTs = t.ts;
    }
    this.queued += trades.length;
  }

  /** Registers an instrument before its first trade so that queries of its market resolve from the start. */
  async register(instrument: Instrument): Promise<void> {
    const key = instrumentKey(instrument.exchange, instrument.symbol);
    let w = this.writers.get(key);
    if (w === undefined) {
      w = new InstrumentWriter(this.store, instrument.exchange, instrument.symbol);
      this.writers.set(key, w);
    }
    await w.prepare(instrument);
  }

  /** Resolves once every trade enqueued before the call is in the store (or has failed and been counted). */
  flush(): Promise<void> {
    if (this.pending.size === 0) return this.inflight;
    const batch = this.pending;
    this.pending = new Map();
    for (const [k, p] of batch) {
      const w = this.writing.get(k);
      if (w === undefined) this.writing.set(k, { batches: 1, minTs: p.minTs });
      else {
        w.batches++;
        w.minTs = Math.min(w.minTs, p.minTs);
      }
    }
    this.inflight = this.inflight.then(() => this.write(batch));
    return this.inflight;
  }

  private async write(batch: Map<string, Pending>): Promise<void> {
    for (const [key, p] of batch) {
      try {
        let w = this.writers.get(key);
        if (w === undefined) {
          w = new InstrumentWriter(this.store, p.instrument.exchange, p.instrument.symbol);
          this.writers.set(key, w);
        }
        // The writer puts the trades on the stored grid when history was imported on a finer one.
        const r = await w.write(p.trades, p.instrument);
        this.written += r.inserted;
        this.duplicates += r.duplicates;
        let maxTs = -Infinity;
        for (const t of p.trades) if (t.ts > maxTs) maxTs = t.ts;
        this.onWritten(key, p.minTs, maxTs);
      } catch (e) {
        this.failures++;
        this.lastError = e instanceof Error ? e.message : String(e);
        this.log(`store write of ${p.trades.length} ${key} trades failed: ${this.lastError}`);
      } finally {
        this.queued -= p.trades.length;
        const w = this.writing.get(key);
        if (w !== undefined && --w.batches === 0) this.writing.delete(key);
      }
    }
  }
}
