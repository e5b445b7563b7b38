// The strategy API of the backtester: a strategy sees each closed bar with its signals (and indicator values) and
// places orders through its context; the same object can run live on the same engines.

import type { AnalyticsParams } from '../core/params.ts';
import type { Trade } from '../core/trade.ts';
import type { FootprintBar } from '../engines/footprint.ts';
import type { IndicatorOutput } from '../indicators/indicator.ts';
import type { SignalEvent } from '../signals/signal-engine.ts';

export interface StrategyContext {
  /** The bar that just closed. */
  readonly bar: FootprintBar;
  /** Signals this bar completed (after cooldowns). */
  readonly signals: readonly SignalEvent[];
  /** Indicator outputs at this bar, by indicator name. */
  readonly indicators: Readonly<Record<string, IndicatorOutput>>;
  /** µs: decision time, the time of the trade that revealed the bar's close. */
  readonly time: number;
  /** Bars closed before this one. */
  readonly barIndex: number;
  /** Signed position in lots (+ long, − short), including fills up to now; pending orders excluded. */
  readonly position: number;
  /** Pending orders (not yet filled or cancelled). */
  readonly pendingOrders: number;
  /** CVD (lots) at the bar's close, from the first bar of the run (cvdReset applies). */
  readonly cvd: number;
  readonly params: AnalyticsParams;
  /** Market order: +lots buys, −lots sells; fills after the latency at the next trade, with slippage. */
  market(signedLots: number): void;
  /** Market order for the difference between `lots` and position + pending market orders. */
  targetPosition(signedLots: number): void;
  /** Limit order at `priceTicks`: fills when the tape trades through the price (see BacktestCosts.limitFill). */
  limit(signedLots: number, priceTicks: number): void;
  cancelAll(): void;
}

export interface Strategy {
  readonly name: string;
  onBar(ctx: StrategyContext): void;
  /** Optional per-trade hook (slower): sees every trade after fills were checked. */
  onTrade?(trade: Trade, ctx: Pick<StrategyContext, 'position' | 'pendingOrders' | 'params'>): void;
}

/** A module's default export for `orderflow backtest STRATEGY`: a factory, so every run starts with fresh state. */
export type StrategyFactory = (options: Readonly<Record<string, unknown>>) => Strategy;

/** Identity helper that types a strategy factory. */
export const defineStrategy = (factory: StrategyFactory): StrategyFactory => factory;
