// High/low volume nodes and price inefficiencies of a dense volume profile (ANALYTICS.md §3), all decided with
// exact integer comparisons: smoothed values are compared as fractions, thresholds as cross-multiplied products.
//
// Choices where §3 is silent:
// - smoothing window w covers rows i−⌊w/2⌋ … i+⌊(w−1)/2⌋, clipped at the profile's edges; the average is taken
//   over the rows that exist (an edge row is not diluted by imaginary zero rows);
// - a local maximum is ≥ every other row within ±w rows (clipped) AND > at least one of them, so a flat stretch
//   is no node, a single-row profile has no nodes, and each row of a plateau that tops its neighbourhood is one;
//   a local minimum mirrors it;
// - HVN/LVN/thin thresholds compare the RAW row volume with factor × mean, mean = total / number of dense rows.

import { productGe, type Ratio } from '../core/ratio.ts';
import type { FootprintBar } from './footprint.ts';

const MAX = Number.MAX_SAFE_INTEGER;

function safeProduct(xs: readonly number[]): number | undefined {
  let p = 1;
  for (const x of xs) {
    p *= x;
    if (p > MAX || p < -MAX) return undefined;
  }
  return p;
}

/** ∏xs ≥ ∏ys exactly for integers (BigInt when a product leaves the safe range). */
export function productsGe(xs: readonly number[], ys: readonly number[]): boolean {
  const l = safeProduct(xs);
  const r = safeProduct(ys);
  if (l !== undefined && r !== undefined) return l >= r;
  const big = (zs: readonly number[]): bigint => zs.reduce((acc, z) => acc * BigInt(z), 1n);
  return big(xs) >= big(ys);
}

/** volume ≥ factor × total / rows, exactly. */
export const atLeastTimesMean = (volume: number, factor: Ratio, total: number, rows: number): boolean =>
  productsGe([volume, rows, factor.den], [factor.num, total]);

/** volume ≤ factor × total / rows, exactly. */
export const atMostTimesMean = (volume: number, factor: Ratio, total: number, rows: number): boolean =>
  productsGe([factor.num, total], [volume, rows, factor.den]);

export interface Smoothed {
  /** Sum of the raw volumes inside each row's (clipped) window. */
  readonly sums: readonly number[];
  /** Number of rows inside each row's (clipped) window; the smoothed value is sums[i] / counts[i]. */
  readonly counts: readonly number[];
}

/** Centred moving average over `window` rows, clipped at the edges, kept as exact sum/count pairs. */
export function smoothProfile(volumes: readonly number[], window: number): Smoothed {
  const n = volumes.length;
  const prefix = new Array<number>(n + 1);
  prefix[0] = 0;
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + volumes[i]!;
  const before = Math.floor(window / 2);
  const after = Math.floor((window - 1) / 2);
  const sums: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - before);
    const b = Math.min(n - 1, i + after);
    sums.push(prefix[b + 1]! - prefix[a]!);
    counts.push(b - a + 1);
  }
  return { sums, counts };
}

/** Compares smoothed values i and j: -1, 0 or 1. */
function cmpSmoothed(s: Smoothed, i: number, j: number): number {
  const ge = productGe(s.sums[i]!, s.counts[j]!, s.sums[j]!, s.counts[i]!);
  const le = productGe(s.sums[j]!, s.counts[i]!, s.sums[i]!, s.counts[j]!);
  return ge && le ? 0 : ge ? 1 : -1;
}

/** 1: local maximum, -1: local minimum, 0: neither — over ±radius rows, clipped. */
function extremum(s: Smoothed, i: number, radius: number): number {
  const n = s.sums.length;
  let above = false; // i is strictly above some neighbour
  let below = false; // i is strictly below some neighbour
  for (let j = Math.max(0, i - radius); j <= Math.min(n - 1, i + radius); j++) {
    if (j === i) continue;
    const c = cmpSmoothed(s, i, j);
    if (c > 0) above = true;
    else if (c < 0) below = true;
  }
  if (above && !below) return 1;
  if (below && !above) return -1;
  return 0;
}

export interface NodeParams {
  readonly window: number;
  readonly hvn: Ratio;
  readonly lvn: Ratio;
}

/** HVN and LVN indices (into the dense volume array), ascending. */
export function volumeNodes(
  volumes: readonly number[],
  total: number,
  p: NodeParams,
): { readonly hvn: number[]; readonly lvn: number[] } {
  const n = volumes.length;
  const s = smoothProfile(volumes, p.window);
  const hvn: number[] = [];
  const lvn: number[] = [];
  for (let i = 0; i < n; i++) {
    const kind = extremum(s, i, p.window);
    const v = volumes[i]!;
    if (kind > 0 && atLeastTimesMean(v, p.hvn, total, n)) hvn.push(i);
    else if (kind < 0 && atMostTimesMean(v, p.lvn, total, n)) lvn.push(i);
  }
  return { hvn, lvn };
}

/** Runs (inclusive index pairs) of ≥ minRun consecutive rows with volume ≤ threshold × mean. */
export function thinRuns(
  volumes: readonly number[],
  total: number,
  threshold: Ratio,
  minRun = 2,
): { readonly lo: number; readonly hi: number }[] {
  const n = volumes.length;
  const out: { lo: number; hi: number }[] = [];
  let start = -1;
  for (let i = 0; i <= n; i++) {
    const thin = i < n && atMostTimesMean(volumes[i]!, threshold, total, n);
    if (thin && start < 0) start = i;
    else if (!thin && start >= 0) {
      if (i - start >= minRun) out.push({ lo: start, hi: i - 1 });
      start = -1;
    }
  }
  return out;
}

export interface OneSidedRun {
  readonly barStart: number;
  readonly lowRow: number;
  readonly highRow: number;
}

/**
 * Per bar, runs of consecutive traded rows printed on one side only (buy = 0 xor sell = 0), whatever the side;
 * runs of a single row count. In bar order, then row order.
 */
export function oneSidedRuns(bars: Iterable<FootprintBar>): OneSidedRun[] {
  const out: OneSidedRun[] = [];
  for (const bar of bars) {
    const cells = [...bar.cells].filter((c) => c.buy + c.sell > 0).sort((a, b) => a.row - b.row);
    let low = NaN;
    let prev = NaN;
    for (const c of cells) {
      const oneSided = (c.buy === 0) !== (c.sell === 0);
      if (oneSided && c.row === prev + 1) {
        prev = c.row;
        continue;
      }
      if (!Number.isNaN(low)) out.push({ barStart: bar.start, lowRow: low, highRow: prev });
      low = oneSided ? c.row : NaN;
      prev = oneSided ? c.row : NaN;
    }
    if (!Number.isNaN(low)) out.push({ barStart: bar.start, lowRow: low, highRow: prev });
  }
  return out;
}
