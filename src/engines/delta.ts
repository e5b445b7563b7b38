// Delta analysis over footprint bars (ANALYTICS.md §4): CVD with ATAS-style OHLC and resets, delta momentum and
// acceleration, buy/sell pressure, delta exhaustion, and the combined `deltaAnalysis` behind the delta endpoint.
//
// Interpretation choices (also in docs/analytics-choices.md, "Delta analysis and real-time metrics"):
// - A CVD reset ('session' | 'day') applies at the first bar whose start is at or after a session/day start; a bar
//   straddling a boundary stays in the segment its start belongs to. Session = the latest start of any configured
//   window at or before the bar start (overlapping windows: the one that began last); no windows ⇒ UTC day.
// - momentum = EMA(delta, N), alpha = 2/(N+1), ema[0] = delta[0]; it runs across CVD resets (it smooths bar
//   deltas, not CVD). acceleration[0] = 0. deltaPct = 0 for a bar without volume.
// - pressure with no volume ⇒ 50/50 (no side dominates).
// - Exhaustion: an up run is a maximal sequence of consecutive bars each closing strictly above the previous bar's
//   close (down run mirrored); the run ending at bar k−1 must hold ≥ exhaustionRunBars bars; bar k extends it when
//   its high is strictly above bar k−1's high (down: low strictly below); the average |delta| is over the whole
//   run; exhausted ⇔ dirDelta·R·den < num·Σ|delta| (exactly the ratio ⇒ not exhausted).

import type { AnalyticsParams, SessionSpec } from '../core/params.ts';
import { productGe } from '../core/ratio.ts';
import { US_PER_DAY } from '../core/time.ts';
import {
  barDivergences,
  isLatestSwingPairDivergent,
  swingDivergences,
  type Divergence,
} from './divergence.ts';
import type { FootprintBar } from './footprint.ts';

/** One bar of the delta series. Volumes and CVD in lots; deltaPct, momentum and acceleration are floats. */
export interface DeltaBar {
  readonly start: number;
  readonly end: number;
  readonly delta: number;
  readonly volume: number;
  readonly buy: number;
  readonly sell: number;
  /** delta / volume · 100; 0 without volume. */
  readonly deltaPct: number;
  readonly cvdOpen: number;
  readonly cvdHigh: number;
  readonly cvdLow: number;
  readonly cvdClose: number;
  /** µs: where this bar's CVD counts from (first bar's start, or the last reset boundary). */
  readonly cvdSince: number;
  readonly momentum: number;
  readonly acceleration: number;
}

export interface Pressure {
  readonly buyPressure: number;
  readonly sellPressure: number;
}

export interface DeltaExhaustion {
  /** Start of the bar that extended the move with too little delta. */
  readonly barStart: number;
  /** Direction of the run that is running out of aggressors. */
  readonly direction: 'up' | 'down';
  /** Bars in the run before the exhaustion bar. */
  readonly runBars: number;
  /** The exhaustion bar's delta (lots). */
  readonly delta: number;
  /** Average |delta| over the run (float, for display). */
  readonly runAvgAbsDelta: number;
}

export interface DeltaAnalysis {
  readonly series: DeltaBar[];
  /** CVD at the end of the range (lots). */
  readonly cumulativeDelta: number;
  readonly deltaMomentum: number;
  readonly deltaAcceleration: number;
  readonly buyPressure: number;
  readonly sellPressure: number;
  readonly isDivergent: boolean;
  readonly isExhausted: boolean;
  readonly divergences: Divergence[];
  readonly exhaustions: DeltaExhaustion[];
}

/** buy / (buy + sell) · 100 and its complement; no volume ⇒ 50/50. */
export function pressure(buy: number, sell: number): Pressure {
  const total = buy + sell;
  if (total === 0) return { buyPressure: 50, sellPressure: 50 };
  const buyPressure = (buy / total) * 100;
  return { buyPressure, sellPressure: 100 - buyPressure };
}

/**
 * Start (µs) of the session containing ts: the latest start of any window at or before ts, or the UTC day
 * when no windows are configured. Window ends are ignored on purpose: time after a window's end still belongs to
 * the session that began last, so every instant has exactly one session.
 */
export function sessionStartAt(ts: number, sessions: readonly SessionSpec[]): number {
  if (sessions.length === 0) return Math.floor(ts / US_PER_DAY) * US_PER_DAY;
  let best = -Infinity;
  for (const s of sessions) {
    const start = Math.floor((ts - s.startUs) / US_PER_DAY) * US_PER_DAY + s.startUs;
    if (start > best) best = start;
  }
  return best;
}

/** The CVD segment a bar starting at `start` belongs to (see cvdSince); null for cvdReset 'none'. */
export function cvdSegmentStart(start: number, p: AnalyticsParams): number | null {
  if (p.cvdReset === 'none') return null;
  if (p.cvdReset === 'day') return Math.floor(start / US_PER_DAY) * US_PER_DAY;
  return sessionStartAt(start, p.sessions);
}

/** EMA with alpha = 2/(period+1), seeded with the first value. */
export function ema(values: readonly number[], period: number): number[] {
  const alpha = 2 / (period + 1);
  const out: number[] = [];
  let prev = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    prev = i === 0 ? v : alpha * v + (1 - alpha) * prev;
    out.push(prev);
  }
  return out;
}

/** Per-bar delta, CVD OHLC (with resets), momentum and acceleration. Bars oldest first. */
export function deltaSeries(bars: readonly FootprintBar[], p: AnalyticsParams): DeltaBar[] {
  const momentum = ema(
    bars.map((b) => b.delta),
    p.deltaSmoothingPeriod,
  );
  const out: DeltaBar[] = [];
  let cvd = 0;
  let segment: number | null = null;
  let since = 0;
  for (let i = 0; i < bars.length; i++) {
    const b = bars[i]!;
    const seg = cvdSegmentStart(b.start, p);
    if (i === 0) {
      since = seg ?? b.start;
    } else if (seg !== segment) {
      cvd = 0;
      since = seg ?? b.start;
    }
    segment = seg;
    const open = cvd;
    const close = open + b.delta;
    cvd = close;
    const m = momentum[i]!;
    out.push({
      start: b.start,
      end: b.end,
      delta: b.delta,
      volume: b.volume,
      buy: b.buy,
      sell: b.sell,
      deltaPct: b.volume === 0 ? 0 : (b.delta / b.volume) * 100,
      cvdOpen: open,
      cvdHigh: Math.max(open, open + b.maxDelta),
      cvdLow: Math.min(open, open + b.minDelta),
      cvdClose: close,
      cvdSince: since,
      momentum: m,
      acceleration: i === 0 ? 0 : m - momentum[i - 1]!,
    });
  }
  return out;
}

/** dirDelta · runBars · den < num · sumAbs, exactly (dirDelta may be negative). */
function belowRunShare(dirDelta: number, runBars: number, sumAbs: number, p: AnalyticsParams): boolean {
  const { num, den } = p.exhaustionRatio;
  if (dirDelta < 0) return true; // a push against the move is below any non-negative share
  return !productGe(dirDelta, runBars * den, num, sumAbs);
}

/** Delta exhaustion bars (§4, our definition; see the module header). */
export function deltaExhaustions(bars: readonly FootprintBar[], p: AnalyticsParams): DeltaExhaustion[] {
  const out: DeltaExhaustion[] = [];
  // Run ending at the previous bar: direction, length and Σ|delta| of its bars.
  let dir: 0 | 1 | -1 = 0;
  let run = 0;
  let sumAbs = 0;
  for (let k = 1; k < bars.length; k++) {
    const b = bars[k]!;
    const prev = bars[k - 1]!;
    if (dir !== 0 && run >= p.exhaustionRunBars) {
      const extends_ = dir === 1 ? b.high > prev.high : b.low < prev.low;
      const dirDelta = dir * b.delta;
      if (extends_ && belowRunShare(dirDelta, run, sumAbs, p)) {
        out.push({
          barStart: b.start,
          direction: dir === 1 ? 'up' : 'down',
          runBars: run,
          delta: b.delta,
          runAvgAbsDelta: sumAbs / run,
        });
      }
    }
    const step: 0 | 1 | -1 = b.close > prev.close ? 1 : b.close < prev.close ? -1 : 0;
    if (step !== 0 && step === dir) {
      run++;
      sumAbs += Math.abs(b.delta);
    } else {
      dir = step;
      run = step === 0 ? 0 : 1;
      sumAbs = step === 0 ? 0 : Math.abs(b.delta);
    }
  }
  return out;
}

/** Everything the delta endpoint reports over a range of bars (oldest first). */
export function deltaAnalysis(bars: readonly FootprintBar[], p: AnalyticsParams): DeltaAnalysis {
  const series = deltaSeries(bars, p);
  let buy = 0;
  let sell = 0;
  for (const b of bars) {
    buy += b.buy;
    sell += b.sell;
  }
  const last = series[series.length - 1];
  const exhaustions = deltaExhaustions(bars, p);
  const lastBar = bars[bars.length - 1];
  const divergences: Divergence[] = p.divergenceEnabled
    ? mergeByTime(barDivergences(bars), swingDivergences(bars, series, p.swingLookback))
    : [];
  return {
    series,
    cumulativeDelta: last?.cvdClose ?? 0,
    deltaMomentum: last?.momentum ?? 0,
    deltaAcceleration: last?.acceleration ?? 0,
    ...pressure(buy, sell),
    isDivergent: p.divergenceEnabled && isLatestSwingPairDivergent(bars, series, p.swingLookback),
    isExhausted: lastBar !== undefined && exhaustions[exhaustions.length - 1]?.barStart === lastBar.start,
    divergences,
    exhaustions,
  };
}

const observedAt = (d: Divergence): number => (d.kind === 'bar' ? d.barStart : d.second.time);

/** Bar- and swing-level divergences in the order they are observed; bar-level first at equal times. */
function mergeByTime(barLevel: readonly Divergence[], swingLevel: readonly Divergence[]): Divergence[] {
  return [...barLevel, ...swingLevel].sort((a, b) => observedAt(a) - observedAt(b));
}
