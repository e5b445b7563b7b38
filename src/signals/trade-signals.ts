// Trades → closed bars → signals in one incremental stream, the form the live service and the backtester use;
// `signalsFromTrades` is the batch form (time-ordered trades in, the same events out).

import type { AnalyticsParams } from '../core/params.ts';
import type { Trade } from '../core/trade.ts';
import type { FootprintBar } from '../engines/footprint.ts';
import { ClosedBarStream } from './closed-bars.ts';
import { SignalEngine, type SignalEvent, type SignalOptions } from './signal-engine.ts';

export class TradeSignalStream {
  readonly bars: ClosedBarStream;
  readonly engine: SignalEngine;
  /** Called with each closed bar and the signals it completed. */
  onBar: ((bar: FootprintBar, signals: readonly SignalEvent[]) => void) | undefined;

  constructor(params: AnalyticsParams, options: SignalOptions = {}) {
    this.bars = new ClosedBarStream(params);
    this.engine = new SignalEngine(params, options);
  }

  /** Applies one trade; returns the signals of the bar it closed (usually none). */
  apply(t: Trade): SignalEvent[] {
    const bars = this.bars.apply(t);
    if (bars.length === 0) return [];
    const out: SignalEvent[] = [];
    for (const bar of bars) out.push(...this.closed(bar));
    return out;
  }

  applyBatch(trades: Iterable<Trade>): SignalEvent[] {
    const out: SignalEvent[] = [];
    for (const t of trades) for (const bar of this.bars.apply(t)) out.push(...this.closed(bar));
    return out;
  }

  /** Closes the forming bar (end of data) and returns its signals. */
  flush(): SignalEvent[] {
    const bar = this.bars.flush();
    return bar === undefined ? [] : this.closed(bar);
  }

  private closed(bar: FootprintBar): SignalEvent[] {
    const signals = this.engine.update(bar);
    this.onBar?.(bar, signals);
    return signals;
  }
}

/** Every signal of the trades (time order), the last bar closed at the end. */
export function signalsFromTrades(
  trades: Iterable<Trade>,
  params: AnalyticsParams,
  options: SignalOptions = {},
): SignalEvent[] {
  const s = new TradeSignalStream(params, options);
  return [...s.applyBatch(trades), ...s.flush()];
}
