// Price/delta divergences (ANALYTICS.md §4): bar-level (ATAS: the bar's direction disagrees with its delta) and
// swing-level (a higher swing high with lower CVD, or a lower swing low with higher CVD).
//
// Interpretation choices (also in docs/analytics-choices.md):
// - Bar level: a doji (close = open) or a zero delta is never a divergence.
// - A swing high is a bar with a full ±lookback window on both sides whose high is STRICTLY above every other high
//   in the window (an equal high elsewhere in the window disqualifies both: a flat top is no pivot); swing lows
//   mirrored with lows. The last `lookback` bars therefore never hold a confirmed swing.
// - Swing pairs are consecutive swing highs (or lows); the CVD compared is each swing bar's cvdClose. A pair whose
//   points lie in different CVD reset segments (cvdSince differs) never diverges: its CVDs have no common base.
// - Equal price highs, or equal CVDs, are not a divergence (strict comparisons both ways).
// - `isDivergent` = the pair completed last diverges; a pair completes when its second swing is confirmed, so the
//   latest pair is the one whose second point is the latest bar; a bar that is both a swing high and a swing low
//   completes two pairs at once and either diverging counts.

import type { DeltaBar } from './delta.ts';
import type { FootprintBar } from './footprint.ts';

export type DivergenceDirection = 'bullish' | 'bearish';

export interface DivergencePoint {
  /** Bar start, µs. */
  readonly time: number;
  /** The swing bar's high (swing highs) or low (swing lows), ticks. */
  readonly price: number;
  /** The swing bar's cvdClose, lots. */
  readonly cvd: number;
}

export interface BarDivergence {
  readonly kind: 'bar';
  readonly direction: DivergenceDirection;
  readonly barStart: number;
}

export interface SwingDivergence {
  readonly kind: 'swing';
  /** bearish: at swing highs; bullish: at swing lows. */
  readonly direction: DivergenceDirection;
  readonly first: DivergencePoint;
  readonly second: DivergencePoint;
}

export type Divergence = BarDivergence | SwingDivergence;

/** Up bar (close > open) with negative delta ⇒ bearish; down bar with positive delta ⇒ bullish. */
export function barDivergences(bars: readonly FootprintBar[]): BarDivergence[] {
  const out: BarDivergence[] = [];
  for (const b of bars) {
    if (b.close > b.open && b.delta < 0) out.push({ kind: 'bar', direction: 'bearish', barStart: b.start });
    else if (b.close < b.open && b.delta > 0)
      out.push({ kind: 'bar', direction: 'bullish', barStart: b.start });
  }
  return out;
}

/** Indices of confirmed swing highs and lows, ascending. */
export function swingPoints(
  bars: readonly FootprintBar[],
  lookback: number,
): { readonly highs: number[]; readonly lows: number[] } {
  const highs: number[] = [];
  const lows: number[] = [];
  for (let i = lookback; i + lookback < bars.length; i++) {
    const b = bars[i]!;
    let isHigh = true;
    let isLow = true;
    for (let j = i - lookback; j <= i + lookback && (isHigh || isLow); j++) {
      if (j === i) continue;
      const o = bars[j]!;
      if (o.high >= b.high) isHigh = false;
      if (o.low <= b.low) isLow = false;
    }
    if (isHigh) highs.push(i);
    if (isLow) lows.push(i);
  }
  return { highs, lows };
}

interface SwingPair {
  readonly prev: number;
  readonly cur: number;
  readonly divergent: boolean;
}

function pairsOf(
  idx: readonly number[],
  bars: readonly FootprintBar[],
  series: readonly DeltaBar[],
  high: boolean,
): SwingPair[] {
  const out: SwingPair[] = [];
  for (let k = 1; k < idx.length; k++) {
    const prev = idx[k - 1]!;
    const cur = idx[k]!;
    const sp = series[prev]!;
    const sc = series[cur]!;
    const divergent =
      sp.cvdSince === sc.cvdSince &&
      (high
        ? bars[cur]!.high > bars[prev]!.high && sc.cvdClose < sp.cvdClose
        : bars[cur]!.low < bars[prev]!.low && sc.cvdClose > sp.cvdClose);
    out.push({ prev, cur, divergent });
  }
  return out;
}

function point(
  i: number,
  bars: readonly FootprintBar[],
  series: readonly DeltaBar[],
  high: boolean,
): DivergencePoint {
  const b = bars[i]!;
  return { time: b.start, price: high ? b.high : b.low, cvd: series[i]!.cvdClose };
}

/**
 * Swing divergences, ordered by their second point (bearish before bullish at the same bar).
 * `series` must be deltaSeries(bars, p), index-aligned with bars.
 */
export function swingDivergences(
  bars: readonly FootprintBar[],
  series: readonly DeltaBar[],
  lookback: number,
): SwingDivergence[] {
  const { highs, lows } = swingPoints(bars, lookback);
  const out: { at: number; order: number; d: SwingDivergence }[] = [];
  for (const [list, high] of [
    [highs, true],
    [lows, false],
  ] as const) {
    for (const pr of pairsOf(list, bars, series, high)) {
      if (!pr.divergent) continue;
      out.push({
        at: pr.cur,
        order: high ? 0 : 1,
        d: {
          kind: 'swing',
          direction: high ? 'bearish' : 'bullish',
          first: point(pr.prev, bars, series, high),
          second: point(pr.cur, bars, series, high),
        },
      });
    }
  }
  return out.sort((a, b) => a.at - b.at || a.order - b.order).map((x) => x.d);
}

/** Whether the most recently completed swing pair (highs or lows) diverges. */
export function isLatestSwingPairDivergent(
  bars: readonly FootprintBar[],
  series: readonly DeltaBar[],
  lookback: number,
): boolean {
  const { highs, lows } = swingPoints(bars, lookback);
  const hp = pairsOf(highs, bars, series, true);
  const lp = pairsOf(lows, bars, series, false);
  const h = hp[hp.length - 1];
  const l = lp[lp.length - 1];
  if (h === undefined) return l?.divergent ?? false;
  if (l === undefined) return h.divergent;
  if (h.cur !== l.cur) return h.cur > l.cur ? h.divergent : l.divergent;
  return h.divergent || l.divergent;
}
