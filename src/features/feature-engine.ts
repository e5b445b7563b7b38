// Per-bar feature rows for machine learning: delta, delta %, imbalance counts, POC and value-area position, CVD and
// its slope, confirmed absorptions, liquidity index, signal counts, with optional forward-return labels.
// Pure and incremental (trades in time order → one row per closed bar); `featureRows` is the batch form.
//
// Choices (also in docs/features.md and docs/analytics-choices.md, "Features"):
// - No look-ahead in features: a row uses only trades up to its bar's close. An absorption needs `absorption.bars`
//   later bars, so `absorption_*_volume` of a row is the absorption CONFIRMED at that bar (about an earlier bar).
// - va_position = (close − VAL low edge) / (VAH high edge − VAL low edge) against the developing value area of the
//   bar's session built from the session's EARLIER bars; null for a session's first bar. <0 below, >1 above.
// - poc_position = (POC row − low row) / (high row − low row); 0.5 for a one-row bar.
// - cvd_slope = least-squares slope of CVD (lots per bar) over the last `slopeBars` bars (this one included); null
//   until that many bars exist. CVD runs from the first bar (cvdReset applies).
// - liquidity_index = MetricsEngine's index (ANALYTICS.md §5) as of the bar's last trade.
// - Labels: fwd_return_k = close[i+k] / close[i] − 1 (float), null where bar i+k does not exist.

import type { AnalyticsParams } from '../core/params.ts';
import type { Trade } from '../core/trade.ts';
import { cvdSegmentStart, sessionStartAt } from '../engines/delta.ts';
import type { FootprintBar } from '../engines/footprint.ts';
import { unfinishedAuction } from '../engines/footprint-signals.ts';
import { barStackedZones, cellImbalances } from '../engines/imbalance.ts';
import { MetricsEngine } from '../engines/metrics.ts';
import { computeProfile, ProfileAccumulator } from '../engines/profile.ts';
import { ClosedBarStream } from '../signals/closed-bars.ts';
import { SignalEngine } from '../signals/signal-engine.ts';

/** One bar's features. Prices in ticks, volumes in lots (the export converts them); ratios are floats. */
export interface FeatureRow {
  readonly barStart: number;
  readonly barEnd: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly buyVolume: number;
  readonly sellVolume: number;
  readonly delta: number;
  readonly deltaPct: number;
  readonly minDelta: number;
  readonly maxDelta: number;
  readonly trades: number;
  readonly buyImbalances: number;
  readonly sellImbalances: number;
  readonly stackedBuyZones: number;
  readonly stackedSellZones: number;
  readonly pocPrice: number;
  readonly pocPosition: number;
  readonly vaPosition: number | null;
  readonly cvd: number;
  readonly cvdSlope: number | null;
  readonly absorptionBuyVolume: number;
  readonly absorptionSellVolume: number;
  readonly unfinishedHigh: boolean;
  readonly unfinishedLow: boolean;
  readonly liquidityIndex: number | null;
  readonly bullishSignals: number;
  readonly bearishSignals: number;
  /** fwd_return_k by horizon k (bars); filled by `addForwardReturns`. */
  readonly forwardReturns: Readonly<Record<number, number | null>>;
}

export interface FeatureOptions {
  /** Bars in the CVD slope (default 10). */
  readonly slopeBars?: number;
}

export const DEFAULT_SLOPE_BARS = 10;

export class FeatureEngine {
  private readonly bars: ClosedBarStream;
  private readonly metrics: MetricsEngine;
  private readonly signals: SignalEngine;
  private readonly slopeBars: number;
  private readonly cvds: number[] = [];
  private cvd = 0;
  private segment: number | null = null;
  private count = 0;
  private session = NaN;
  private sessionProfile: ProfileAccumulator;

  constructor(
    readonly params: AnalyticsParams,
    options: FeatureOptions = {},
  ) {
    this.bars = new ClosedBarStream(params);
    this.metrics = new MetricsEngine(params);
    this.signals = new SignalEngine(params);
    this.slopeBars = options.slopeBars ?? DEFAULT_SLOPE_BARS;
    if (!Number.isInteger(this.slopeBars) || this.slopeBars < 2)
      throw new RangeError('slopeBars must be ≥ 2');
    this.sessionProfile = new ProfileAccumulator(params);
  }

  /** Applies a trade; returns the rows of the bars it closed (usually none). */
  apply(t: Trade): FeatureRow[] {
    const out: FeatureRow[] = [];
    this.applyTo(t, out);
    return out;
  }

  applyBatch(trades: Iterable<Trade>): FeatureRow[] {
    const out: FeatureRow[] = [];
    for (const t of trades) this.applyTo(t, out);
    return out;
  }

  private applyTo(t: Trade, out: FeatureRow[]): void {
    const bars = this.bars.apply(t);
    // Bars closed BY this trade's arrival exclude it (read the metrics first); a VOLUME/TICK_COUNT bar completed by
    // it (the last one returned, nothing left forming) includes it.
    const own = bars.length > 0 && !this.bars.forming ? 1 : 0;
    for (let i = 0; i < bars.length - own; i++) out.push(this.row(bars[i]!));
    this.metrics.apply(t);
    if (own === 1) out.push(this.row(bars[bars.length - 1]!));
  }

  /** Row of the forming bar (end of data). */
  flush(): FeatureRow | undefined {
    const bar = this.bars.flush();
    return bar === undefined ? undefined : this.row(bar);
  }

  private row(bar: FootprintBar): FeatureRow {
    const p = this.params;
    const rowOf = (ticks: number): number => Math.floor(ticks / p.rowTicks);
    const seg = cvdSegmentStart(bar.start, p);
    if (this.count > 0 && seg !== this.segment) this.cvd = 0;
    this.segment = seg;
    this.cvd += bar.delta;
    this.count++;
    this.cvds.push(this.cvd);
    if (this.cvds.length > this.slopeBars) this.cvds.shift();

    let buyImb = 0;
    let sellImb = 0;
    for (const f of cellImbalances(bar, p.imbalance)) {
      if (f.buyImbalance) buyImb++;
      if (f.sellImbalance) sellImb++;
    }
    const zones = barStackedZones(bar, p.imbalance);
    const lowRow = rowOf(bar.low);
    const highRow = rowOf(bar.high);

    // Developing value area of the session's earlier bars.
    const session = sessionStartAt(bar.start, p.sessions);
    if (session !== this.session) {
      this.session = session;
      this.sessionProfile = new ProfileAccumulator(p);
    }
    let vaPosition: number | null = null;
    if (this.sessionProfile.totalVolume > 0) {
      const prof = computeProfile(this.sessionProfile, p);
      if (prof.valRow !== null && prof.vahRow !== null) {
        const lo = prof.valRow * p.rowTicks;
        const hi = (prof.vahRow + 1) * p.rowTicks;
        vaPosition = (bar.close - lo) / (hi - lo);
      }
    }
    this.sessionProfile.addCells(bar.cells);

    let absBuy = 0;
    let absSell = 0;
    let bull = 0;
    let bear = 0;
    for (const s of this.signals.update(bar)) {
      if (s.direction === 'bullish') bull++;
      else bear++;
      if (s.evidence.kind === 'absorption') {
        if (s.evidence.side === 'buy') absBuy += s.evidence.volume;
        else absSell += s.evidence.volume;
      }
    }
    const u = unfinishedAuction(bar, p.unfinishedMinLots);
    const m = this.metrics.snapshot();
    return {
      barStart: bar.start,
      barEnd: bar.end,
      open: bar.open,
      high: bar.high,
      low: bar.low,
      close: bar.close,
      volume: bar.volume,
      buyVolume: bar.buy,
      sellVolume: bar.sell,
      delta: bar.delta,
      deltaPct: bar.volume === 0 ? 0 : (bar.delta / bar.volume) * 100,
      minDelta: bar.minDelta,
      maxDelta: bar.maxDelta,
      trades: bar.trades,
      buyImbalances: buyImb,
      sellImbalances: sellImb,
      stackedBuyZones: zones.filter((z) => z.side === 'buy').length,
      stackedSellZones: zones.filter((z) => z.side === 'sell').length,
      pocPrice: bar.pocRow * p.rowTicks,
      pocPosition: highRow === lowRow ? 0.5 : (bar.pocRow - lowRow) / (highRow - lowRow),
      vaPosition,
      cvd: this.cvd,
      cvdSlope: this.cvds.length < this.slopeBars ? null : slope(this.cvds),
      absorptionBuyVolume: absBuy,
      absorptionSellVolume: absSell,
      unfinishedHigh: u.high,
      unfinishedLow: u.low,
      liquidityIndex: m.liquidityIndex,
      bullishSignals: bull,
      bearishSignals: bear,
      forwardReturns: {},
    };
  }
}

/** Least-squares slope of ys against 0…n−1. */
export function slope(ys: readonly number[]): number {
  const n = ys.length;
  const mx = (n - 1) / 2;
  let my = 0;
  for (const y of ys) my += y;
  my /= n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (i - mx) * (ys[i]! - my);
    den += (i - mx) ** 2;
  }
  return num / den;
}

/** Rows with fwd_return_k = close[i+k] / close[i] − 1 for each horizon k (bars). */
export function addForwardReturns(rows: readonly FeatureRow[], horizons: readonly number[]): FeatureRow[] {
  for (const k of horizons)
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`horizon ${k} must be ≥ 1 bar`);
  return rows.map((r, i) => {
    const f: Record<number, number | null> = {};
    for (const k of horizons) {
      const later = rows[i + k];
      f[k] = later === undefined ? null : later.close / r.close - 1;
    }
    return { ...r, forwardReturns: f };
  });
}

/** Batch form: the rows of every bar of the trades (time order), labels for `horizons`. */
export function featureRows(
  trades: Iterable<Trade>,
  params: AnalyticsParams,
  options: FeatureOptions & { readonly horizons?: readonly number[] } = {},
): FeatureRow[] {
  const e = new FeatureEngine(params, options);
  const rows = e.applyBatch(trades);
  const last = e.flush();
  if (last !== undefined) rows.push(last);
  return addForwardReturns(rows, options.horizons ?? []);
}
