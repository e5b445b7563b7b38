// Deterministic event-time backtester: replays trades through the same engines as the live service (closed bars →
// signals → indicators), runs a strategy at each bar close and fills its orders on the later trade tape with
// latency, slippage and maker/taker fees; `finish` returns the report (fills, round trips, PnL, drawdown, stats).
//
// Model choices (also in docs/backtesting.md and docs/analytics-choices.md, "Backtesting"):
// - Decision time = the time of the trade that revealed the bar's close (TIME: the first trade of a later bar;
//   VOLUME/TICK_COUNT: the trade that completed it). An order is active from decision + latency
//   and can fill only on a LATER trade of the tape (never on the trade that triggered the decision).
// - Market orders fill in full at the first active trade's price, moved against us by the slippage (ticks, or bps
//   of the price rounded up to whole ticks so fills stay on the price grid), and pay the taker fee. Size is not
//   limited by the trade's size (no book in the data).
// - Limit orders fill in full at their limit price when an active trade prints through it (buy: price < limit,
//   sell: price > limit; `limitFill: 'touch'` also fills at an equal price), no slippage, maker fee.
// - PnL in quote currency (float): price ticks × lots × tick × lot size; positions in integer lots, exact.
// - Equity is marked at each bar close (its close price); drawdown is peak-to-trough of that curve; the Sharpe-like
//   ratio is mean/std of per-bar returns (Δequity / previous equity, with initialCapital added) × √(bars per year),
//   bars per year from the run's average bar duration. An open position at the end stays open and is marked.

import { unitsToNumber } from '../core/decimal.ts';
import type { AnalyticsParams } from '../core/params.ts';
import { ceilRatio, ratioFromDecimal, type Ratio } from '../core/ratio.ts';
import type { Trade } from '../core/trade.ts';
import { cvdSegmentStart } from '../engines/delta.ts';
import type { FootprintBar } from '../engines/footprint.ts';
import type { IndicatorOutput } from '../indicators/indicator.ts';
import { IndicatorRunner, type IndicatorInstance } from '../indicators/indicator-runner.ts';
import { ClosedBarStream } from '../signals/closed-bars.ts';
import { SignalEngine, type SignalEvent, type SignalOptions } from '../signals/signal-engine.ts';
import type { Strategy, StrategyContext } from './strategy.ts';

export interface BacktestCosts {
  /** Fee of limit-order fills, basis points of notional (decimal text or number; default 0). */
  readonly makerBps?: string | number;
  /** Fee of market-order fills (default 0). */
  readonly takerBps?: string | number;
  /** Slippage of market orders in whole ticks (default 0). */
  readonly slippageTicks?: number;
  /** Slippage of market orders in bps of the price, rounded up to ticks; added to slippageTicks. */
  readonly slippageBps?: string | number;
  /** µs between the decision and the order becoming active (default 0). */
  readonly latencyUs?: number;
  readonly limitFill?: 'through' | 'touch';
}

export interface BacktestOptions extends BacktestCosts {
  /** Quote currency added to equity for returns and drawdown % (default 10 000). */
  readonly initialCapital?: number;
  readonly signals?: SignalOptions;
  readonly indicators?: readonly IndicatorInstance[];
}

export interface Fill {
  readonly time: number;
  /** Signed lots. */
  readonly qty: number;
  readonly price: number;
  readonly fee: number;
  readonly liquidity: 'maker' | 'taker';
  /** Decision time of the order. */
  readonly orderTime: number;
}

export interface RoundTrip {
  readonly side: 'long' | 'short';
  readonly entryTime: number;
  readonly exitTime: number;
  /** Largest absolute position of the trip, lots. */
  readonly maxQty: number;
  /** Volume-weighted entry and exit prices, ticks (float). */
  readonly entryPrice: number;
  readonly exitPrice: number;
  /** Net of fees, quote. */
  readonly pnl: number;
  readonly fees: number;
}

export interface EquityPoint {
  readonly time: number;
  readonly equity: number;
  readonly position: number;
}

export interface BacktestStats {
  readonly trades: number;
  readonly bars: number;
  readonly barsWithPosition: number;
  readonly fills: number;
  readonly signals: number;
  readonly netPnl: number;
  readonly grossPnl: number;
  readonly fees: number;
  readonly totalReturnPct: number;
  readonly maxDrawdown: number;
  readonly maxDrawdownPct: number;
  readonly sharpeLike: number | null;
  readonly winRatePct: number | null;
  readonly profitFactor: number | null;
  readonly roundTrips: number;
  readonly finalPosition: number;
  readonly lateTrades: number;
}

export interface BacktestResult {
  readonly strategy: string;
  readonly from: number | null;
  readonly to: number | null;
  readonly stats: BacktestStats;
  readonly fills: readonly Fill[];
  readonly roundTrips: readonly RoundTrip[];
  readonly equity: readonly EquityPoint[];
}

interface Order {
  readonly qty: number;
  /** NaN for market orders. */
  readonly limit: number;
  readonly activeAt: number;
  readonly orderTime: number;
}

const YEAR_US = 365 * 24 * 3600 * 1e6;
const bps = (v: string | number | undefined): Ratio =>
  ratioFromDecimal(typeof v === 'number' ? String(v) : (v ?? '0'), 10_000);

export class Backtester {
  private readonly bars: ClosedBarStream;
  private readonly signals: SignalEngine;
  private readonly indicators: IndicatorRunner | undefined;
  private orders: Order[] = [];
  private position = 0;
  private pendingMarket = 0;
  private cash = 0;
  private feesPaid = 0;
  private tradeCount = 0;
  private first = NaN;
  private last = NaN;
  private lastPrice = NaN;
  private barIndex = 0;
  private barsHeld = 0;
  private signalCount = 0;
  private cvd = 0;
  private segment: number | null = null;
  private readonly fills: Fill[] = [];
  private readonly trips: RoundTrip[] = [];
  private readonly equity: EquityPoint[] = [];
  private trip:
    | {
        side: 1 | -1;
        entryTime: number;
        maxQty: number;
        inQty: number;
        inValue: number;
        outQty: number;
        outValue: number;
        cash0: number;
        fees0: number;
      }
    | undefined;
  private readonly mult: number;
  private readonly taker: Ratio;
  private readonly maker: Ratio;
  private readonly slipBps: Ratio;
  private readonly slipTicks: number;
  private readonly latency: number;
  private readonly touch: boolean;
  private readonly capital: number;
  private readonly ctxApi: Pick<StrategyContext, 'market' | 'targetPosition' | 'limit' | 'cancelAll'>;
  private decisionTime = 0;

  constructor(
    readonly params: AnalyticsParams,
    readonly strategy: Strategy,
    readonly options: BacktestOptions = {},
  ) {
    this.bars = new ClosedBarStream(params);
    this.signals = new SignalEngine(params, options.signals ?? {});
    this.indicators =
      options.indicators !== undefined && options.indicators.length > 0
        ? new IndicatorRunner(options.indicators, params)
        : undefined;
    this.mult = unitsToNumber(1, params.scale.price) * unitsToNumber(1, params.scale.qty);
    this.taker = bps(options.takerBps);
    this.maker = bps(options.makerBps);
    this.slipBps = bps(options.slippageBps);
    this.slipTicks = options.slippageTicks ?? 0;
    this.latency = options.latencyUs ?? 0;
    this.touch = options.limitFill === 'touch';
    this.capital = options.initialCapital ?? 10_000;
    if (!Number.isInteger(this.slipTicks) || this.slipTicks < 0)
      throw new RangeError('slippageTicks must be a whole number ≥ 0');
    if (!Number.isInteger(this.latency) || this.latency < 0)
      throw new RangeError('latencyUs must be a whole number ≥ 0');
    const add = (qty: number, limit: number): void => {
      if (!Number.isSafeInteger(qty)) throw new RangeError(`order size ${qty} is not a whole number of lots`);
      if (qty === 0) return;
      if (Number.isNaN(limit)) this.pendingMarket += qty;
      this.orders.push({
        qty,
        limit,
        activeAt: this.decisionTime + this.latency,
        orderTime: this.decisionTime,
      });
    };
    this.ctxApi = {
      market: (q) => add(q, NaN),
      targetPosition: (q) => add(q - this.position - this.pendingMarket, NaN),
      limit: (q, price) => {
        if (!Number.isSafeInteger(price)) throw new RangeError(`limit price ${price} is not whole ticks`);
        add(q, price);
      },
      cancelAll: () => {
        this.orders = [];
        this.pendingMarket = 0;
      },
    };
  }

  apply(t: Trade): void {
    const ts: number = t.ts;
    if (this.tradeCount++ === 0) this.first = ts;
    this.last = ts;
    this.lastPrice = t.price;
    if (this.orders.length > 0) this.fillOrders(t);
    const bars = this.bars.apply(t);
    for (let i = 0; i < bars.length; i++) this.onBar(bars[i]!, ts);
    if (this.strategy.onTrade !== undefined) {
      this.strategy.onTrade(t, {
        position: this.position,
        pendingOrders: this.orders.length,
        params: this.params,
      });
    }
  }

  applyBatch(trades: readonly Trade[]): void {
    for (let i = 0; i < trades.length; i++) this.apply(trades[i]!);
  }

  /** Closes the last bar (its decision can no longer fill) and returns the report. */
  finish(): BacktestResult {
    const bar = this.bars.flush();
    if (bar !== undefined) this.onBar(bar, this.last);
    const closed = this.trips;
    const wins = closed.filter((r) => r.pnl > 0);
    const gains = wins.reduce((s, r) => s + r.pnl, 0);
    const losses = closed.filter((r) => r.pnl < 0).reduce((s, r) => s - r.pnl, 0);
    const net = this.markedEquity(this.lastPrice);
    let peak = this.capital;
    let maxDd = 0;
    let maxDdPct = 0;
    const rets: number[] = [];
    let prev = this.capital;
    for (const e of this.equity) {
      const eq = this.capital + e.equity;
      if (eq > peak) peak = eq;
      if (peak - eq > maxDd) maxDd = peak - eq;
      if (peak > 0 && ((peak - eq) / peak) * 100 > maxDdPct) maxDdPct = ((peak - eq) / peak) * 100;
      if (prev !== 0) rets.push((eq - prev) / prev);
      prev = eq;
    }
    return {
      strategy: this.strategy.name,
      from: this.tradeCount === 0 ? null : this.first,
      to: this.tradeCount === 0 ? null : this.last,
      stats: {
        trades: this.tradeCount,
        bars: this.barIndex,
        barsWithPosition: this.barsHeld,
        fills: this.fills.length,
        signals: this.signalCount,
        netPnl: net,
        grossPnl: net + this.feesPaid,
        fees: this.feesPaid,
        totalReturnPct: (net / this.capital) * 100,
        maxDrawdown: maxDd,
        maxDrawdownPct: maxDdPct,
        sharpeLike: sharpe(rets, this.barIndex > 0 ? (this.last - this.first) / this.barIndex : 0),
        winRatePct: closed.length === 0 ? null : (wins.length / closed.length) * 100,
        profitFactor: losses === 0 ? null : gains / losses,
        roundTrips: closed.length,
        finalPosition: this.position,
        lateTrades: this.bars.lateTrades,
      },
      fills: this.fills,
      roundTrips: this.trips,
      equity: this.equity,
    };
  }

  private markedEquity(price: number): number {
    return this.cash + (this.position === 0 ? 0 : this.position * price * this.mult);
  }

  private onBar(bar: FootprintBar, decisionTs: number): void {
    const signals: SignalEvent[] = this.signals.update(bar);
    this.signalCount += signals.length;
    const seg = cvdSegmentStart(bar.start, this.params);
    if (this.barIndex > 0 && seg !== this.segment) this.cvd = 0;
    this.segment = seg;
    this.cvd += bar.delta;
    const indicators: Record<string, IndicatorOutput> = this.indicators?.update(bar, signals) ?? {};
    this.equity.push({ time: bar.end, equity: this.markedEquity(bar.close), position: this.position });
    if (this.position !== 0) this.barsHeld++;
    this.decisionTime = decisionTs;
    const api = this.ctxApi;
    const ctx: StrategyContext = {
      bar,
      signals,
      indicators,
      time: decisionTs,
      barIndex: this.barIndex,
      position: this.position,
      pendingOrders: this.orders.length,
      cvd: this.cvd,
      params: this.params,
      market: api.market,
      targetPosition: api.targetPosition,
      limit: api.limit,
      cancelAll: api.cancelAll,
    };
    this.strategy.onBar(ctx);
    this.barIndex++;
  }

  private fillOrders(t: Trade): void {
    const ts: number = t.ts;
    const price: number = t.price;
    let kept = 0;
    const orders = this.orders;
    for (let i = 0; i < orders.length; i++) {
      const o = orders[i]!;
      if (o.activeAt > ts) {
        orders[kept++] = o;
        continue;
      }
      if (Number.isNaN(o.limit)) {
        const slip = this.slipTicks + ceilRatio(this.slipBps, price);
        this.fill(o, ts, o.qty > 0 ? price + slip : Math.max(0, price - slip), 'taker');
        this.pendingMarket -= o.qty;
      } else {
        const through =
          o.qty > 0
            ? price < o.limit || (this.touch && price === o.limit)
            : price > o.limit || (this.touch && price === o.limit);
        if (through) this.fill(o, ts, o.limit, 'maker');
        else orders[kept++] = o;
      }
    }
    orders.length = kept;
  }

  private fill(o: Order, ts: number, price: number, liquidity: 'maker' | 'taker'): void {
    const notional = Math.abs(o.qty) * price * this.mult;
    const r = liquidity === 'maker' ? this.maker : this.taker;
    const fee = (notional * r.num) / r.den;
    this.fills.push({ time: ts, qty: o.qty, price, fee, liquidity, orderTime: o.orderTime });
    // A fill that crosses zero closes the trip with its first part and opens a new one with the rest.
    let qty = o.qty;
    const before = this.position;
    if (before !== 0 && Math.sign(qty) !== Math.sign(before) && Math.abs(qty) > Math.abs(before)) {
      this.applyFill(-before, price, ts, (fee * Math.abs(before)) / Math.abs(o.qty));
      qty += before;
      this.applyFill(qty, price, ts, fee - (fee * Math.abs(before)) / Math.abs(o.qty));
    } else {
      this.applyFill(qty, price, ts, fee);
    }
  }

  private applyFill(qty: number, price: number, ts: number, fee: number): void {
    this.cash -= qty * price * this.mult + fee;
    this.feesPaid += fee;
    const before = this.position;
    this.position += qty;
    if (before === 0) {
      this.trip = {
        side: qty > 0 ? 1 : -1,
        entryTime: ts,
        maxQty: 0,
        inQty: 0,
        inValue: 0,
        outQty: 0,
        outValue: 0,
        cash0: this.cash + qty * price * this.mult + fee,
        fees0: this.feesPaid - fee,
      };
    }
    const trip = this.trip;
    if (trip === undefined) return;
    if (Math.sign(qty) === trip.side) {
      trip.inQty += Math.abs(qty);
      trip.inValue += Math.abs(qty) * price;
    } else {
      trip.outQty += Math.abs(qty);
      trip.outValue += Math.abs(qty) * price;
    }
    trip.maxQty = Math.max(trip.maxQty, Math.abs(this.position));
    if (this.position === 0) {
      this.trips.push({
        side: trip.side === 1 ? 'long' : 'short',
        entryTime: trip.entryTime,
        exitTime: ts,
        maxQty: trip.maxQty,
        entryPrice: trip.inValue / trip.inQty,
        exitPrice: trip.outValue / trip.outQty,
        pnl: this.cash - trip.cash0,
        fees: this.feesPaid - trip.fees0,
      });
      this.trip = undefined;
    }
  }
}

/** mean/std of per-bar returns × √(bars per year); null with fewer than 2 returns or no variation. */
function sharpe(rets: readonly number[], barUs: number): number | null {
  if (rets.length < 2 || barUs <= 0) return null;
  const mean = rets.reduce((s, r) => s + r, 0) / rets.length;
  const v = rets.reduce((s, r) => s + (r - mean) ** 2, 0) / (rets.length - 1);
  if (v === 0) return null;
  return (mean / Math.sqrt(v)) * Math.sqrt(YEAR_US / barUs);
}

/** Replays time-ordered trades (an array, or batches from a store's iterateTrades) through a backtest. */
export async function runBacktest(
  trades: Iterable<Trade> | AsyncIterable<readonly Trade[]>,
  params: AnalyticsParams,
  strategy: Strategy,
  options: BacktestOptions = {},
): Promise<BacktestResult> {
  const bt = new Backtester(params, strategy, options);
  if (Symbol.asyncIterator in trades) {
    for await (const batch of trades) bt.applyBatch(batch);
  } else {
    for (const t of trades) bt.apply(t);
  }
  return bt.finish();
}
