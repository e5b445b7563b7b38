// Footprint imbalances (ANALYTICS.md §2): per-cell diagonal/horizontal imbalances, and stacked-imbalance zones that
// stay active until a later bar trades inside them, as a batch function and as an incremental tracker.
//
// Choices where §2 leaves room (also in docs/analytics-choices.md, "Footprint imbalances and signals"):
// - A row outside the bar's range (below the low for a buy, above the high for a sell) is a missing opposite cell
//   like any untraded row, so the zero policy applies to it: with `infinite` the lowest row's buys and the highest
//   row's sells are imbalanced when they pass the min-volume rule; with `skip` (default) they never are.
// - The zero policy applies whenever the opposite volume is 0, whatever the ratio; `one` compares with `oneLot`.
// - A row may be buy- and sell-imbalanced at once; runs are found per side, so such rows can sit in two zones.
// - A zone is touched only by a trade printed inside it in a strictly later bar (a later bar's cells), never by
//   later trades of its own bar; a later bar whose range jumps over the zone without a trade in it does not touch.
// - Zones come out ordered by bar start, then low row, then buy before sell. Bars must be oldest first, with
//   distinct starts (as FootprintEngine.getBars returns them); the tracker keys bars by start.

import type { ImbalanceParams } from '../core/params.ts';
import { geRatio } from '../core/ratio.ts';
import { cellIndexFrom, type FootprintBar } from './footprint.ts';

/** Imbalance flags of one footprint cell, aligned with `bar.cells`. */
export interface CellImbalance {
  readonly row: number;
  readonly buyImbalance: boolean;
  readonly sellImbalance: boolean;
}

export type ImbalanceSide = 'buy' | 'sell';

/** A stacked imbalance: ≥ stackCount consecutive rows of one bar imbalanced on the same side. */
export interface ImbalanceZone {
  readonly side: ImbalanceSide;
  readonly lowRow: number;
  readonly highRow: number;
  /** Number of rows in the zone: highRow − lowRow + 1. */
  readonly rows: number;
  /** µs start of the bar the zone formed in. */
  readonly barStart: number;
  /** True until a trade in a later bar prints inside [lowRow, highRow]. */
  readonly active: boolean;
  /** µs start of the first later bar that traded inside the zone; absent while active. */
  readonly touchedAt?: number;
}

/** dominant ≥ ratio · opposite, with the min-volume, positive-volume and zero-opposite rules of §2. */
function dominates(dominant: number, opposite: number, p: ImbalanceParams): boolean {
  if (dominant <= 0 || dominant < p.minLots) return false;
  if (opposite > 0) return geRatio(dominant, p.ratio, opposite);
  switch (p.zeroPolicy) {
    case 'skip':
      return false;
    case 'one':
      return geRatio(dominant, p.ratio, p.oneLot);
    case 'infinite':
      return true;
  }
}

/** Per-cell imbalance flags of a bar (diagonal: buy[r] vs sell[r−1], sell[r] vs buy[r+1]; horizontal: same row). */
export function cellImbalances(bar: FootprintBar, p: ImbalanceParams): CellImbalance[] {
  const flags = imbalanceFlags(bar, p);
  const out = new Array<CellImbalance>(flags.length);
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i]!;
    out[i] = {
      row: bar.cells[i]!.row,
      buyImbalance: (f & BUY_FLAG) !== 0,
      sellImbalance: (f & SELL_FLAG) !== 0,
    };
  }
  return out;
}

/** Bits of imbalanceFlags. */
export const BUY_FLAG = 1;
export const SELL_FLAG = 2;

/**
 * cellImbalances as one byte per cell (BUY_FLAG | SELL_FLAG), aligned with `bar.cells`: the form hot paths use
 * (a day of 1m bars has tens of thousands of cells; one object each is most of the cost).
 */
export function imbalanceFlags(bar: FootprintBar, p: ImbalanceParams): Uint8Array {
  const cells = bar.cells;
  const out = new Uint8Array(cells.length);
  if (!p.enabled) return out;
  const diagonal = p.mode !== 'horizontal';
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    let sellOpposite = c.sell;
    let buyOpposite = c.buy;
    if (diagonal) {
      // Cells hold only traded rows, so a neighbour is the adjacent cell only when its row is adjacent.
      const below = cells[i - 1];
      const above = cells[i + 1];
      sellOpposite = below !== undefined && below.row === c.row - 1 ? below.sell : 0;
      buyOpposite = above !== undefined && above.row === c.row + 1 ? above.buy : 0;
    }
    out[i] =
      (dominates(c.buy, sellOpposite, p) ? BUY_FLAG : 0) |
      (dominates(c.sell, buyOpposite, p) ? SELL_FLAG : 0);
  }
  return out;
}

interface Run {
  readonly side: ImbalanceSide;
  readonly lowRow: number;
  readonly highRow: number;
}

/** Runs of one side's flags with at least stackCount rows, appended to `runs` in row order. */
function sideRuns(
  cells: FootprintBar['cells'],
  flags: Uint8Array,
  side: ImbalanceSide,
  stackCount: number,
  runs: Run[],
): void {
  const bit = side === 'buy' ? BUY_FLAG : SELL_FLAG;
  let low = NaN;
  let prev = NaN;
  for (let i = 0; i < flags.length; i++) {
    const on = (flags[i]! & bit) !== 0;
    const row = cells[i]!.row;
    if (on && row === prev + 1) prev = row;
    else {
      if (prev - low + 1 >= stackCount) runs.push({ side, lowRow: low, highRow: prev });
      low = on ? row : NaN;
      prev = on ? row : NaN;
    }
  }
  if (prev - low + 1 >= stackCount) runs.push({ side, lowRow: low, highRow: prev });
}

const runOrder = (a: Run, b: Run): number =>
  a.lowRow - b.lowRow || (a.side === b.side ? 0 : a.side === 'buy' ? -1 : 1);

/**
 * Maximal runs of consecutive imbalanced rows of one side with at least stackCount rows, ordered as zones are.
 * `flags`: the bar's imbalanceFlags when the caller has them already.
 */
function stackedRuns(bar: FootprintBar, p: ImbalanceParams, flags?: Uint8Array): Run[] {
  if (!p.enabled) return [];
  const f = flags ?? imbalanceFlags(bar, p);
  const runs: Run[] = [];
  sideRuns(bar.cells, f, 'buy', p.stackCount, runs);
  sideRuns(bar.cells, f, 'sell', p.stackCount, runs);
  return runs.length > 1 ? runs.sort(runOrder) : runs;
}

/** Whether the bar has a trade in a row of [lowRow, highRow] (binary search over its sorted cells). */
function tradesInside(bar: FootprintBar, lowRow: number, highRow: number): boolean {
  const c = bar.cells[cellIndexFrom(bar.cells, lowRow)];
  return c !== undefined && c.row <= highRow;
}

function zoneOf(run: Run, barStart: number, touchedAt: number | undefined): ImbalanceZone {
  const rows = run.highRow - run.lowRow + 1;
  const { side, lowRow, highRow } = run;
  return touchedAt === undefined
    ? { side, lowRow, highRow, rows, barStart, active: true }
    : { side, lowRow, highRow, rows, barStart, active: false, touchedAt };
}

/** The stacked-imbalance zones that formed in one bar, judged on that bar alone (all still active). */
export function barStackedZones(bar: FootprintBar, p: ImbalanceParams): ImbalanceZone[] {
  return stackedRuns(bar, p).map((r) => zoneOf(r, bar.start, undefined));
}

/**
 * Every stacked-imbalance zone of the bars (oldest first), with whether a later bar has touched it.
 * `flags[i]`: bars[i]'s imbalanceFlags when the caller has them already.
 */
export function stackedImbalanceZones(
  bars: readonly FootprintBar[],
  p: ImbalanceParams,
  flags?: readonly Uint8Array[],
): ImbalanceZone[] {
  const out: ImbalanceZone[] = [];
  for (let i = 0; i < bars.length; i++) {
    const bar = bars[i]!;
    for (const run of stackedRuns(bar, p, flags?.[i])) {
      let touchedAt: number | undefined;
      for (let j = i + 1; j < bars.length && touchedAt === undefined; j++) {
        const later = bars[j]!;
        if (tradesInside(later, run.lowRow, run.highRow)) touchedAt = later.start;
      }
      out.push(zoneOf(run, bar.start, touchedAt));
    }
  }
  return out;
}

interface TrackedZone extends Run {
  readonly barStart: number;
  touchedAt: number | undefined;
}

interface TrackedBar {
  bar: FootprintBar;
  zones: TrackedZone[];
}

const zoneOrder = (a: TrackedZone, b: TrackedZone): number =>
  a.barStart - b.barStart || a.lowRow - b.lowRow || (a.side === b.side ? 0 : a.side === 'buy' ? -1 : 1);

/**
 * Incremental stacked-imbalance zones: feed bars as they form (re-feeding a bar replaces it, keyed by its start;
 * late/out-of-order bars are handled). Queries equal `stackedImbalanceZones` over the bars fed.
 */
export class StackedZoneTracker {
  /** Sorted by bar start. */
  private readonly bars: TrackedBar[] = [];
  private readonly open = new Set<TrackedZone>();
  /** Touched zones by the start of the bar that touched them, so a re-fed bar finds the zones it decided. */
  private readonly touchedBy = new Map<number, Set<TrackedZone>>();

  constructor(private readonly p: ImbalanceParams) {}

  /** Adds or replaces the bar with this start; returns the zones that formed in it. */
  update(bar: FootprintBar): ImbalanceZone[] {
    const s = bar.start;
    const idx = this.lowerBound(s);
    let entry = this.bars[idx];
    if (entry !== undefined && entry.bar.start === s) {
      for (const z of entry.zones) this.unregister(z);
      entry.bar = bar;
    } else {
      entry = { bar, zones: [] };
      this.bars.splice(idx, 0, entry);
    }
    entry.zones = stackedRuns(bar, this.p).map((r) => ({
      ...r,
      barStart: s,
      touchedAt: this.firstTouch(idx + 1, r),
    }));
    for (const z of entry.zones) this.register(z);

    // Only zones of earlier bars not yet touched before s can change: the open ones and those touched at or after s.
    const latest = idx === this.bars.length - 1;
    const candidates: TrackedZone[] = [...this.open];
    for (const [at, set] of this.touchedBy) if (latest ? at === s : at >= s) candidates.push(...set);
    for (const z of candidates) {
      if (z.barStart >= s) continue;
      if (tradesInside(bar, z.lowRow, z.highRow)) this.setTouch(z, s);
      else if (z.touchedAt === s) this.setTouch(z, this.firstTouch(idx + 1, z));
    }
    return entry.zones.map((z) => zoneOf(z, z.barStart, z.touchedAt));
  }

  /** Forgets bars that started before ts; zones of later bars do not depend on earlier bars. */
  dropBefore(ts: number): void {
    let n = 0;
    while (n < this.bars.length && this.bars[n]!.bar.start < ts) n++;
    for (const entry of this.bars.splice(0, n)) for (const z of entry.zones) this.unregister(z);
  }

  /** Active zones that formed in bars starting at or after sinceTs, in batch order. */
  activeZones(sinceTs = -Infinity): ImbalanceZone[] {
    return [...this.open]
      .filter((z) => z.barStart >= sinceTs)
      .sort(zoneOrder)
      .map((z) => zoneOf(z, z.barStart, undefined));
  }

  /** All zones (active and touched) of bars starting at or after sinceTs, in batch order. */
  zones(sinceTs = -Infinity): ImbalanceZone[] {
    const out: ImbalanceZone[] = [];
    for (const entry of this.bars) {
      if (entry.bar.start < sinceTs) continue;
      for (const z of entry.zones) out.push(zoneOf(z, z.barStart, z.touchedAt));
    }
    return out;
  }

  private lowerBound(start: number): number {
    let lo = 0;
    let hi = this.bars.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.bars[mid]!.bar.start < start) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private firstTouch(fromIdx: number, r: Run): number | undefined {
    for (let k = fromIdx; k < this.bars.length; k++) {
      const later = this.bars[k]!.bar;
      if (tradesInside(later, r.lowRow, r.highRow)) return later.start;
    }
    return undefined;
  }

  private register(z: TrackedZone): void {
    if (z.touchedAt === undefined) {
      this.open.add(z);
      return;
    }
    let set = this.touchedBy.get(z.touchedAt);
    if (set === undefined) {
      set = new Set();
      this.touchedBy.set(z.touchedAt, set);
    }
    set.add(z);
  }

  private unregister(z: TrackedZone): void {
    if (z.touchedAt === undefined) {
      this.open.delete(z);
      return;
    }
    const set = this.touchedBy.get(z.touchedAt);
    set?.delete(z);
    if (set?.size === 0) this.touchedBy.delete(z.touchedAt);
  }

  private setTouch(z: TrackedZone, at: number | undefined): void {
    if (z.touchedAt === at) return;
    this.unregister(z);
    z.touchedAt = at;
    this.register(z);
  }
}
