// Footprint signals at a bar's extremes and across bars (ANALYTICS.md §2): unfinished auctions, exhaustion prints,
// absorption and naked POCs. Pure batch functions over FootprintBar values; results in rows, lots and µs.
//
// Choices where §2 leaves room (also in docs/analytics-choices.md, "Footprint imbalances and signals"):
// - Unfinished auction: strictly above the threshold on both sides (buy > min and sell > min; min 0 ⇒ both > 0).
//   A one-row bar tests that row as both its high and its low row.
// - Exhaustion print needs n ≥ 2 rows (no comparison otherwise ⇒ false) and a bar spanning ≥ n rows; untraded
//   rows count 0, so only the extreme row itself may be 0 in a strictly decreasing run.
// - Absorption: the median is over the total volume of every traded row of the bar, the extreme row included; the
//   absorbed volume must be > 0. "The next N bars" are the next N bars that exist (gaps without trades are not
//   bars), whether complete or still forming; a bar with fewer than N later bars is not reported yet, so a
//   reported absorption can still disappear while the N-th later bar is forming. A one-row bar may report both a
//   sell absorption and a buy absorption at its row; results are ordered by bar, then low (sell) before high (buy).
// - Naked POC: covered by a later bar's [low row, high row] range (a jump over the POC covers it), unlike stacked
//   zones which need a trade inside. Bars must be oldest first.

import type { AnalyticsParams } from '../core/params.ts';
import { productGe } from '../core/ratio.ts';
import { cellIndexFrom, type FootprintBar } from './footprint.ts';

/** Whether a pattern is present at the bar's high row and at its low row. */
export interface ExtremeFlags {
  readonly high: boolean;
  readonly low: boolean;
}

export interface Absorption {
  /** µs start of the bar whose extreme absorbed the volume. */
  readonly barStart: number;
  /** The extreme row (the bar's low row for 'sell', its high row for 'buy'). */
  readonly row: number;
  /** The aggressors that were absorbed: 'sell' at the low (passive buyers held), 'buy' at the high. */
  readonly side: 'buy' | 'sell';
  /** Lots of aggressive volume printed at the extreme row. */
  readonly volume: number;
}

export interface NakedPoc {
  readonly barStart: number;
  readonly row: number;
  /** µs start of the first later bar whose range covered the POC; absent while the POC is still naked. */
  readonly nakedUntil?: number;
}

/** Dense per-row volumes of a bar: index k is row lowRow + k; untraded rows are 0. */
export interface RowVolumes {
  readonly lowRow: number;
  readonly highRow: number;
  readonly buy: readonly number[];
  readonly sell: readonly number[];
}

const NONE: ExtremeFlags = { high: false, low: false };

/** Dense buy/sell arrays from the bar's low row to its high row (empty arrays for a bar without cells). */
export function rowVolumes(bar: FootprintBar): RowVolumes {
  const first = bar.cells[0];
  const last = bar.cells[bar.cells.length - 1];
  if (first === undefined || last === undefined) return { lowRow: 0, highRow: -1, buy: [], sell: [] };
  const n = last.row - first.row + 1;
  const buy = new Array<number>(n).fill(0);
  const sell = new Array<number>(n).fill(0);
  for (const c of bar.cells) {
    buy[c.row - first.row] = c.buy;
    sell[c.row - first.row] = c.sell;
  }
  return { lowRow: first.row, highRow: last.row, buy, sell };
}

/** Both sides traded above `minLots` at the high row (high) and at the low row (low). */
export function unfinishedAuction(bar: FootprintBar, minLots = 0): ExtremeFlags {
  const lowCell = bar.cells[0];
  const highCell = bar.cells[bar.cells.length - 1];
  if (lowCell === undefined || highCell === undefined) return NONE;
  return {
    high: highCell.buy > minLots && highCell.sell > minLots,
    low: lowCell.buy > minLots && lowCell.sell > minLots,
  };
}

/**
 * Volume drying up into the extreme: buy strictly decreasing over the n rows up to the high row, sell strictly
 * decreasing over the n rows down to the low row.
 */
export function exhaustionPrint(bar: FootprintBar, n: number, rowTicks: number): ExtremeFlags {
  if (bar.cells.length === 0 || n < 2) return NONE;
  const highRow = Math.floor(bar.high / rowTicks);
  const lowRow = Math.floor(bar.low / rowTicks);
  if (highRow - lowRow + 1 < n) return NONE;
  const cells = bar.cells;
  let high = true;
  let low = true;
  for (let k = 0; k < n - 1 && (high || low); k++) {
    if (high && !((cellAt(cells, highRow - k)?.buy ?? 0) < (cellAt(cells, highRow - k - 1)?.buy ?? 0))) {
      high = false;
    }
    if (low && !((cellAt(cells, lowRow + k)?.sell ?? 0) < (cellAt(cells, lowRow + k + 1)?.sell ?? 0))) {
      low = false;
    }
  }
  return { high, low };
}

/** The cell of `row` in cells sorted by row, or undefined when the row did not trade. */
function cellAt(cells: FootprintBar['cells'], row: number): FootprintBar['cells'][number] | undefined {
  const c = cells[cellIndexFrom(cells, row)];
  return c !== undefined && c.row === row ? c : undefined;
}

/**
 * Absorptions at bar extremes: the aggressive volume into the extreme ≥ factor × the bar's median row volume,
 * and none of the next `absorption.bars` bars trades more than `absorption.rows` rows beyond that extreme.
 * Bars oldest first; a bar is decided only once that many later bars exist.
 */
export function absorptions(bars: readonly FootprintBar[], p: AnalyticsParams): Absorption[] {
  const { factor, rows: slack, bars: follow } = p.absorption;
  const rowTicks = p.rowTicks;
  const out: Absorption[] = [];
  let vols = new Float64Array(64);
  for (let i = 0; i + follow < bars.length; i++) {
    const bar = bars[i]!;
    const cells = bar.cells;
    if (vols.length < cells.length) vols = new Float64Array(cells.length * 2);
    let n = 0;
    for (const c of cells) if (c.buy + c.sell > 0) vols[n++] = c.buy + c.sell;
    if (n === 0) continue;
    const sorted = vols.subarray(0, n).sort();
    // Median = (a + b) / 2 with a = b for an odd count, so vol ≥ f·median ⇔ 2·vol·den ≥ num·(a + b), exactly.
    const ab = sorted[(n - 1) >> 1]! + sorted[n >> 1]!;
    const lowCell = cells[0]!;
    const highCell = cells[cells.length - 1]!;
    const end = i + 1 + follow;
    if (lowCell.sell > 0 && productGe(2 * lowCell.sell, factor.den, factor.num, ab)) {
      let held = true;
      for (let j = i + 1; j < end && held; j++)
        held = Math.floor(bars[j]!.low / rowTicks) >= lowCell.row - slack;
      if (held) out.push({ barStart: bar.start, row: lowCell.row, side: 'sell', volume: lowCell.sell });
    }
    if (highCell.buy > 0 && productGe(2 * highCell.buy, factor.den, factor.num, ab)) {
      let held = true;
      for (let j = i + 1; j < end && held; j++)
        held = Math.floor(bars[j]!.high / rowTicks) <= highCell.row + slack;
      if (held) out.push({ barStart: bar.start, row: highCell.row, side: 'buy', volume: highCell.buy });
    }
  }
  return out;
}

/** Each bar's POC with the start of the first later bar whose [low row, high row] covered it. Bars oldest first. */
export function nakedPocs(bars: readonly FootprintBar[]): NakedPoc[] {
  const found: { barStart: number; row: number; nakedUntil: number | undefined }[] = [];
  let open: number[] = []; // indexes into `found` of POCs still naked
  for (const bar of bars) {
    const first = bar.cells[0];
    const last = bar.cells[bar.cells.length - 1];
    if (first === undefined || last === undefined) continue;
    open = open.filter((k) => {
      const poc = found[k]!;
      if (poc.row < first.row || poc.row > last.row) return true;
      poc.nakedUntil = bar.start;
      return false;
    });
    open.push(found.length);
    found.push({ barStart: bar.start, row: bar.pocRow, nakedUntil: undefined });
  }
  return found.map((f) =>
    f.nakedUntil === undefined
      ? { barStart: f.barStart, row: f.row }
      : { barStart: f.barStart, row: f.row, nakedUntil: f.nakedUntil },
  );
}
