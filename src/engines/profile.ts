// Volume profile (ANALYTICS.md §3): trades or footprint cells → rows of buy/sell lots → a dense profile with POC,
// value area, HVN/LVN and price inefficiencies. VPVR is `buildProfile` over a time range.
//
// Choices where §3 is silent (see also value-area.ts, volume-nodes.ts and docs/analytics-choices.md):
// - the profile is dense: every row from the lowest to the highest row with volume > 0 is a level, zero-volume
//   rows inside included; rows whose total volume is 0 (zero-quantity prints) never widen the range;
// - an empty profile (no volume) has lowRow/highRow/pocRow/vahRow/valRow = null and no levels;
// - cells given to `addCells`/`computeProfile` must use the same rowTicks as the params; duplicate rows are summed;
// - inefficiencies: 'thin' runs (ascending) first, then 'one_sided' runs in the order of the bars given.

import type { AnalyticsParams } from '../core/params.ts';
import type { Trade } from '../core/trade.ts';
import { tradeCount } from '../core/trade.ts';
import { pocOf, type FootprintBar } from './footprint.ts';
import { valueAreaSpan } from './value-area.ts';
import { oneSidedRuns, thinRuns, volumeNodes } from './volume-nodes.ts';

/** One profile row: lots bought/sold by takers and the exchange trades behind them. */
export interface ProfileRow {
  readonly row: number;
  readonly buy: number;
  readonly sell: number;
  readonly buyTrades: number;
  readonly sellTrades: number;
}

interface MutableRow {
  row: number;
  buy: number;
  sell: number;
  buyTrades: number;
  sellTrades: number;
}

/** Incremental row → {buy, sell, buyTrades, sellTrades}; order-independent, so chunks and late trades are free. */
export class ProfileAccumulator {
  private readonly byRow = new Map<number, MutableRow>();
  private buyLots = 0;
  private sellLots = 0;

  readonly rowTicks: number;

  /** Takes the params (only `rowTicks` is used). */
  constructor(p: Pick<AnalyticsParams, 'rowTicks'>) {
    if (!Number.isInteger(p.rowTicks) || p.rowTicks < 1) {
      throw new RangeError(`rowTicks must be a positive integer, got ${p.rowTicks}`);
    }
    this.rowTicks = p.rowTicks;
  }

  private at(row: number): MutableRow {
    let r = this.byRow.get(row);
    if (r === undefined) {
      r = { row, buy: 0, sell: 0, buyTrades: 0, sellTrades: 0 };
      this.byRow.set(row, r);
    }
    return r;
  }

  apply(t: Trade): void {
    const r = this.at(Math.floor(t.price / this.rowTicks));
    if (t.side > 0) {
      r.buy += t.qty;
      r.buyTrades += tradeCount(t);
      this.buyLots += t.qty;
    } else {
      r.sell += t.qty;
      r.sellTrades += tradeCount(t);
      this.sellLots += t.qty;
    }
  }

  applyBatch(trades: Iterable<Trade>): void {
    for (const t of trades) this.apply(t);
  }

  /** Adds footprint cells or stored rollup rows (same rowTicks). */
  addCells(cells: Iterable<ProfileRow>): void {
    for (const c of cells) {
      const r = this.at(c.row);
      r.buy += c.buy;
      r.sell += c.sell;
      r.buyTrades += c.buyTrades;
      r.sellTrades += c.sellTrades;
      this.buyLots += c.buy;
      this.sellLots += c.sell;
    }
  }

  /** Adds another accumulator's rows (e.g. merging per-session or per-shard profiles). */
  merge(other: ProfileAccumulator): void {
    this.addCells(other.byRow.values());
  }

  get buy(): number {
    return this.buyLots;
  }

  get sell(): number {
    return this.sellLots;
  }

  get totalVolume(): number {
    return this.buyLots + this.sellLots;
  }

  /** Rows that received anything, sorted by row ascending (copies). */
  rows(): ProfileRow[] {
    return [...this.byRow.values()].sort((a, b) => a.row - b.row).map((r) => ({ ...r }));
  }
}

export interface ProfileLevel {
  /** Row index; its price label is the low edge row · rowTicks ticks. */
  readonly row: number;
  readonly volume: number;
  readonly buy: number;
  readonly sell: number;
  readonly delta: number;
  readonly buyTrades: number;
  readonly sellTrades: number;
  /** volume / total · 100 (float). */
  readonly percentage: number;
  readonly isPoc: boolean;
  readonly isValueArea: boolean;
  readonly isHvn: boolean;
  readonly isLvn: boolean;
}

export type Inefficiency =
  | { readonly kind: 'thin'; readonly lowRow: number; readonly highRow: number }
  | {
      readonly kind: 'one_sided';
      readonly lowRow: number;
      readonly highRow: number;
      readonly barStart: number;
    };

export interface Profile {
  readonly rowTicks: number;
  /** null when the profile is empty (no volume). */
  readonly lowRow: number | null;
  readonly highRow: number | null;
  readonly totalVolume: number;
  readonly buy: number;
  readonly sell: number;
  readonly delta: number;
  readonly pocRow: number | null;
  /** Highest row of the value area (reported by its low-edge label like every row). */
  readonly vahRow: number | null;
  readonly valRow: number | null;
  readonly valueAreaVolume: number;
  /** Dense, lowRow … highRow ascending. */
  readonly levels: readonly ProfileLevel[];
  readonly hvnRows: readonly number[];
  readonly lvnRows: readonly number[];
  readonly inefficiencies: readonly Inefficiency[];
}

/** Sums rows by row index; drops rows without volume (they carry no price information). */
function denseInput(source: ProfileAccumulator | Iterable<ProfileRow>, rowTicks: number): ProfileRow[] {
  if (source instanceof ProfileAccumulator) {
    if (source.rowTicks !== rowTicks) {
      throw new RangeError(
        `profile rows of ${source.rowTicks} ticks cannot be read with rowTicks ${rowTicks}`,
      );
    }
    return source.rows().filter((r) => r.buy + r.sell > 0);
  }
  const acc = new ProfileAccumulator({ rowTicks });
  acc.addCells(source);
  return acc.rows().filter((r) => r.buy + r.sell > 0);
}

/**
 * The profile of rows (an accumulator, footprint cells or stored rollup rows). `bars`, when given, adds the
 * 'one_sided' inefficiencies of those bars (pass the bars of the same range).
 */
export function computeProfile(
  source: ProfileAccumulator | Iterable<ProfileRow>,
  p: AnalyticsParams,
  bars?: Iterable<FootprintBar>,
): Profile {
  const sparse = denseInput(source, p.rowTicks);
  const oneSided = bars === undefined ? [] : oneSidedRuns(bars);
  const oneSidedOut: Inefficiency[] = oneSided.map((r) => ({ kind: 'one_sided', ...r }));
  const first = sparse[0];
  const last = sparse[sparse.length - 1];
  if (first === undefined || last === undefined) {
    return {
      rowTicks: p.rowTicks,
      lowRow: null,
      highRow: null,
      totalVolume: 0,
      buy: 0,
      sell: 0,
      delta: 0,
      pocRow: null,
      vahRow: null,
      valRow: null,
      valueAreaVolume: 0,
      levels: [],
      hvnRows: [],
      lvnRows: [],
      inefficiencies: oneSidedOut,
    };
  }
  const lowRow = first.row;
  const highRow = last.row;
  const n = highRow - lowRow + 1;
  const buys = new Array<number>(n).fill(0);
  const sells = new Array<number>(n).fill(0);
  const buyTrades = new Array<number>(n).fill(0);
  const sellTrades = new Array<number>(n).fill(0);
  for (const r of sparse) {
    const i = r.row - lowRow;
    buys[i] = r.buy;
    sells[i] = r.sell;
    buyTrades[i] = r.buyTrades;
    sellTrades[i] = r.sellTrades;
  }
  const volumes = buys.map((b, i) => b + sells[i]!);
  const buy = buys.reduce((s, v) => s + v, 0);
  const sell = sells.reduce((s, v) => s + v, 0);
  const total = buy + sell;
  const rowIds = volumes.map((_, i) => lowRow + i);
  const pocRow = pocOf(rowIds, volumes);
  const va = valueAreaSpan(volumes, pocRow - lowRow, p.valueArea.fraction, p.valueArea.method, total);
  const nodes = volumeNodes(volumes, total, p.nodes);
  const hvn = new Set(nodes.hvn);
  const lvn = new Set(nodes.lvn);
  const levels: ProfileLevel[] = volumes.map((volume, i) => ({
    row: lowRow + i,
    volume,
    buy: buys[i]!,
    sell: sells[i]!,
    delta: buys[i]! - sells[i]!,
    buyTrades: buyTrades[i]!,
    sellTrades: sellTrades[i]!,
    percentage: (volume / total) * 100,
    isPoc: lowRow + i === pocRow,
    isValueArea: i >= va.lo && i <= va.hi,
    isHvn: hvn.has(i),
    isLvn: lvn.has(i),
  }));
  const thin: Inefficiency[] = thinRuns(volumes, total, p.inefficiency).map((r) => ({
    kind: 'thin',
    lowRow: lowRow + r.lo,
    highRow: lowRow + r.hi,
  }));
  return {
    rowTicks: p.rowTicks,
    lowRow,
    highRow,
    totalVolume: total,
    buy,
    sell,
    delta: buy - sell,
    pocRow,
    vahRow: lowRow + va.hi,
    valRow: lowRow + va.lo,
    valueAreaVolume: va.volume,
    levels,
    hvnRows: nodes.hvn.map((i) => lowRow + i),
    lvnRows: nodes.lvn.map((i) => lowRow + i),
    inefficiencies: [...thin, ...oneSidedOut],
  };
}

/** VPVR: the profile of the trades with ts in [from, to) (unbounded when omitted). */
export function buildProfile(
  trades: Iterable<Trade>,
  p: AnalyticsParams,
  from = -Infinity,
  to = Infinity,
  bars?: Iterable<FootprintBar>,
): Profile {
  const acc = new ProfileAccumulator(p);
  for (const t of trades) if (t.ts >= from && t.ts < to) acc.apply(t);
  return computeProfile(acc, p, bars);
}
