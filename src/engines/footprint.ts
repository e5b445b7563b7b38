// Footprint engine: trades → bars (TIME / VOLUME / TICK_COUNT) → cells (bar × price row) with bar statistics.
// Incremental and exact: feeding trades one by one, in chunks or late gives the same bars as a batch build.

import type { AnalyticsParams } from '../core/params.ts';
import type { Trade } from '../core/trade.ts';
import { anchorStart, thresholdReached, timeBarStart } from './bars.ts';
import { compareTrades, TradeLog } from './trade-log.ts';

/** One footprint cell: a bar × a price row. Volumes in lots, trade counts in exchange trades. */
export interface FootprintCell {
  readonly row: number;
  readonly buy: number;
  readonly sell: number;
  readonly buyTrades: number;
  readonly sellTrades: number;
}

export interface FootprintBar {
  /** µs. TIME: the grid start. VOLUME/TICK_COUNT: the first trade's time. */
  readonly start: number;
  /** µs. TIME: start + timeframe. VOLUME/TICK_COUNT: the last trade's time so far. */
  readonly end: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly buy: number;
  readonly sell: number;
  readonly volume: number;
  readonly delta: number;
  /** Extremes of the running delta after each trade of the bar. */
  readonly minDelta: number;
  readonly maxDelta: number;
  /** Exchange trades (aggTrades count for lastId − firstId + 1). */
  readonly trades: number;
  readonly buyTrades: number;
  readonly sellTrades: number;
  /** Row of the bar's point of control. */
  readonly pocRow: number;
  /** VOLUME/TICK_COUNT: whether the threshold was reached; TIME: always false until a later bar exists. */
  readonly complete: boolean;
  /** Cells sorted by row ascending, only rows that traded. */
  readonly cells: readonly FootprintCell[];
}

/** Index of the first of the bar's cells (sorted by row) whose row is ≥ row; cells.length when there is none. */
export function cellIndexFrom(cells: readonly FootprintCell[], row: number): number {
  let lo = 0;
  let hi = cells.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cells[mid]!.row < row) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface MutableCell {
  row: number;
  buy: number;
  sell: number;
  buyTrades: number;
  sellTrades: number;
}

class BarState {
  cells = new Map<number, MutableCell>();
  open = 0;
  high = -Infinity;
  low = Infinity;
  close = 0;
  buy = 0;
  sell = 0;
  buyTrades = 0;
  sellTrades = 0;
  minDelta = Infinity;
  maxDelta = -Infinity;
  lastTs = -Infinity;
  firstTs = Infinity;
  complete = false;
  view: FootprintBar | undefined;

  constructor(
    readonly start: number,
    readonly session: number,
    /** Log index of the bar's first trade (VOLUME/TICK_COUNT rebuilds). */
    public firstIdx: number,
  ) {}

  add(price: number, signedQty: number, count: number, ts: number, rowTicks: number): void {
    if (this.firstTs === Infinity) {
      this.open = price;
      this.firstTs = ts;
    }
    this.close = price;
    this.lastTs = ts;
    if (price > this.high) this.high = price;
    if (price < this.low) this.low = price;
    const row = Math.floor(price / rowTicks);
    let c = this.cells.get(row);
    if (c === undefined) {
      c = { row, buy: 0, sell: 0, buyTrades: 0, sellTrades: 0 };
      this.cells.set(row, c);
    }
    if (signedQty > 0) {
      c.buy += signedQty;
      c.buyTrades += count;
      this.buy += signedQty;
      this.buyTrades += count;
    } else {
      c.sell -= signedQty;
      c.sellTrades += count;
      this.sell -= signedQty;
      this.sellTrades += count;
    }
    const d = this.buy - this.sell;
    if (d < this.minDelta) this.minDelta = d;
    if (d > this.maxDelta) this.maxDelta = d;
    this.view = undefined;
  }
}

/**
 * POC among rows: the largest total volume; tie → the row closest to the middle of the rows' range;
 * still tied → the lower row. `rows` must be sorted ascending.
 */
export function pocOf(rows: readonly number[], volumes: readonly number[]): number {
  if (rows.length === 0) return NaN;
  const mid2 = rows[0]! + rows[rows.length - 1]!; // twice the middle, keeps integers
  let best = 0;
  for (let i = 1; i < rows.length; i++) {
    const v = volumes[i]!;
    const bv = volumes[best]!;
    if (v > bv) best = i;
    else if (v === bv && Math.abs(2 * rows[i]! - mid2) < Math.abs(2 * rows[best]! - mid2)) best = i;
  }
  return rows[best]!;
}

export class FootprintEngine {
  private readonly log = new TradeLog();
  private readonly bars: BarState[] = [];
  private readonly byStart = new Map<number, BarState>();
  private readonly rowTicks: number;
  private lateCount = 0;

  constructor(readonly params: AnalyticsParams) {
    this.rowTicks = params.rowTicks;
  }

  /** Trades that arrived after a later trade and were inserted where they belong. */
  get lateTrades(): number {
    return this.lateCount;
  }

  get tradeCount(): number {
    return this.log.length;
  }

  apply(t: Trade): void {
    if (this.log.isInOrder(t)) {
      const idx = this.log.push(t);
      this.addInOrder(idx);
    } else {
      this.lateCount++;
      const idx = this.log.insert(t);
      this.rebuildFrom(idx);
    }
  }

  applyBatch(trades: readonly Trade[]): void {
    this.log.reserve(this.log.length + trades.length);
    for (const t of trades) this.apply(t);
  }

  private addInOrder(idx: number): void {
    const log = this.log;
    const ts = log.ts[idx]!;
    const p = this.params.bars;
    let bar: BarState | undefined;
    if (p.aggregation === 'TIME') {
      const start = timeBarStart(ts, p);
      bar = this.byStart.get(start);
      if (bar === undefined) bar = this.newBar(start, start, idx);
    } else {
      const session = anchorStart(ts, p.anchorUs);
      bar = this.bars[this.bars.length - 1];
      if (bar === undefined || bar.complete || bar.session !== session) bar = this.newBar(ts, session, idx);
    }
    bar.add(log.price[idx]!, log.signedQty[idx]!, log.count[idx]!, ts, this.rowTicks);
    if (p.aggregation !== 'TIME' && thresholdReached(p, bar.buy + bar.sell, bar.buyTrades + bar.sellTrades)) {
      bar.complete = true;
    }
  }

  private newBar(start: number, session: number, idx: number): BarState {
    const bar = new BarState(start, session, idx);
    this.bars.push(bar);
    this.byStart.set(start, bar);
    return bar;
  }

  /** A late trade landed at log index idx: rebuild what it changes. */
  private rebuildFrom(idx: number): void {
    const p = this.params.bars;
    const ts = this.log.ts[idx]!;
    if (p.aggregation === 'TIME') {
      const start = timeBarStart(ts, p);
      const lo = this.log.lowerBound(start);
      const hi = this.log.lowerBound(start + p.timeframeUs);
      const bar = new BarState(start, start, lo);
      for (let i = lo; i < hi; i++) this.addTo(bar, i);
      const old = this.byStart.get(start);
      this.byStart.set(start, bar);
      if (old) this.bars[this.bars.indexOf(old)] = bar;
      else {
        const at = this.bars.findIndex((b) => b.start > start);
        this.bars.splice(at < 0 ? this.bars.length : at, 0, bar);
      }
      return;
    }
    // VOLUME / TICK_COUNT: boundaries after the insertion point may all move; refold from the bar holding it.
    let k = this.bars.length - 1;
    while (k > 0 && this.bars[k]!.firstIdx > idx) k--;
    const from = Math.min(idx, this.bars[k]?.firstIdx ?? idx);
    for (const b of this.bars.splice(k)) this.byStart.delete(b.start);
    for (let i = from; i < this.log.length; i++) this.addInOrder(i);
  }

  private addTo(bar: BarState, i: number): void {
    const log = this.log;
    bar.add(log.price[i]!, log.signedQty[i]!, log.count[i]!, log.ts[i]!, this.rowTicks);
  }

  /** All bars, oldest first. */
  getBars(): FootprintBar[] {
    const out: FootprintBar[] = [];
    const p = this.params.bars;
    for (let i = 0; i < this.bars.length; i++) {
      const b = this.bars[i]!;
      const complete = p.aggregation === 'TIME' ? i < this.bars.length - 1 : b.complete;
      out.push(this.viewOf(b, complete));
    }
    return out;
  }

  /** Bars whose start lies in [from, to). */
  getBarsInRange(from: number, to: number): FootprintBar[] {
    return this.getBars().filter((b) => b.start >= from && b.start < to);
  }

  private viewOf(b: BarState, complete: boolean): FootprintBar {
    if (b.view !== undefined && b.view.complete === complete) return b.view;
    const cells = [...b.cells.values()].sort((x, y) => x.row - y.row).map((c) => ({ ...c }));
    const pocRow = pocOf(
      cells.map((c) => c.row),
      cells.map((c) => c.buy + c.sell),
    );
    const timeBar = this.params.bars.aggregation === 'TIME';
    b.view = {
      start: b.start,
      end: timeBar ? b.start + this.params.bars.timeframeUs : b.lastTs,
      open: b.open,
      high: b.high,
      low: b.low,
      close: b.close,
      buy: b.buy,
      sell: b.sell,
      volume: b.buy + b.sell,
      delta: b.buy - b.sell,
      minDelta: b.minDelta,
      maxDelta: b.maxDelta,
      trades: b.buyTrades + b.sellTrades,
      buyTrades: b.buyTrades,
      sellTrades: b.sellTrades,
      pocRow,
      complete,
      cells,
    };
    return b.view;
  }
}

/** Batch build: the same result as applying the trades one by one in time order. */
export function buildFootprint(trades: readonly Trade[], params: AnalyticsParams): FootprintBar[] {
  const engine = new FootprintEngine(params);
  engine.applyBatch([...trades].sort(compareTrades));
  return engine.getBars();
}
