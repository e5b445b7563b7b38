// Trades in time order → closed footprint bars, one at a time, through the same FootprintEngine as every query.
// Each bar is folded by its own engine, so memory stays bounded however long a replay runs.
//
// Choices: a TIME bar closes when the first trade of a later bar arrives (event time: no clock), or on flush();
// a VOLUME/TICK_COUNT bar closes on the very trade that reaches its threshold, or when a trade of the next daily
// anchor arrives. Closed bars are reported with complete = true. A late trade that belongs to a bar already closed
// (TIME: an earlier bar; VOLUME/TICK_COUNT: older than the latest trade, whose order decides the boundaries) cannot
// change what was already decided: it is dropped and counted in `lateTrades`.

import type { AnalyticsParams } from '../core/params.ts';
import type { Trade } from '../core/trade.ts';
import { anchorStart, thresholdReached, timeBarStart } from '../engines/bars.ts';
import { FootprintEngine, type FootprintBar } from '../engines/footprint.ts';

const NONE: readonly FootprintBar[] = [];

export class ClosedBarStream {
  private engine: FootprintEngine;
  private fed = 0;
  private key = NaN;
  private volume = 0;
  private trades = 0;
  private late = 0;
  private lastTs = -Infinity;
  private readonly time: boolean;

  constructor(readonly params: AnalyticsParams) {
    this.engine = new FootprintEngine(params);
    this.time = params.bars.aggregation === 'TIME';
  }

  /** Trades dropped because their bar had already closed. */
  get lateTrades(): number {
    return this.late;
  }

  /** Whether a bar is forming (a trade applied since the last close). */
  get forming(): boolean {
    return this.fed > 0;
  }

  /** Time of the latest trade applied (µs), -Infinity before any. */
  get now(): number {
    return this.lastTs;
  }

  /** Applies one trade; returns the bars it closed (none, usually; at most two: the previous and its own). */
  apply(t: Trade): readonly FootprintBar[] {
    const p = this.params.bars;
    const ts: number = t.ts;
    const key = this.time ? timeBarStart(ts, p) : anchorStart(ts, p.anchorUs);
    if (this.time ? this.fed > 0 && key < this.key : ts < this.lastTs) {
      this.late++;
      return NONE;
    }
    let closed: FootprintBar[] | undefined;
    if (this.fed > 0 && key !== this.key) closed = [this.close()];
    if (this.fed === 0) this.key = key;
    this.engine.apply(t);
    this.fed++;
    if (ts > this.lastTs) this.lastTs = ts;
    if (!this.time) {
      this.volume += t.qty;
      this.trades += t.count ?? 1;
      if (thresholdReached(p, this.volume, this.trades)) (closed ??= []).push(this.close());
    }
    return closed ?? NONE;
  }

  /** The bar still forming (complete = false for TIME bars), if any. */
  current(): FootprintBar | undefined {
    return this.fed === 0 ? undefined : this.engine.getBars()[0];
  }

  /** Closes the forming bar (end of the data); returns it, if any. */
  flush(): FootprintBar | undefined {
    return this.fed === 0 ? undefined : this.close();
  }

  private close(): FootprintBar {
    const bar = this.engine.getBars()[0]!;
    this.engine = new FootprintEngine(this.params);
    this.fed = 0;
    this.volume = 0;
    this.trades = 0;
    return bar.complete ? bar : { ...bar, complete: true };
  }
}

/** Batch form: every bar of the trades (time order), all closed; equals buildFootprint's bars. */
export function closedBars(trades: Iterable<Trade>, params: AnalyticsParams): FootprintBar[] {
  const s = new ClosedBarStream(params);
  const out: FootprintBar[] = [];
  for (const t of trades) for (const b of s.apply(t)) out.push(b);
  const last = s.flush();
  if (last !== undefined) out.push(last);
  return out;
}
