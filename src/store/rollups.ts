// Minute × tick rollups (pure): building them from trades, and rebuilding TIME-bar footprints of any whole-minute
// timeframe and any row size from them, exactly equal to the footprint engine's bars over the same trades.

import type { AnalyticsParams } from '../core/params.ts';
import { US_PER_MINUTE } from '../core/time.ts';
import { tradeCount, type Trade } from '../core/trade.ts';
import { OrderflowError } from '../core/errors.ts';
import { pocOf, type FootprintBar, type FootprintCell } from '../engines/footprint.ts';
import type { MinuteRollup, RollupCell } from './port.ts';
import { compareTradeOrder } from './trade-order.ts';

/** Start of the UTC minute holding ts (µs). */
export const minuteOf = (ts: number): number => Math.floor(ts / US_PER_MINUTE) * US_PER_MINUTE;

/** The rollup of one minute from its trades, which must already be in canonical (ts, id) order. */
export function minuteRollupOf(sorted: readonly Trade[]): MinuteRollup {
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (first === undefined || last === undefined)
    throw new RangeError('a minute rollup needs at least one trade');
  const cells = new Map<
    number,
    { tick: number; buy: number; sell: number; buyTrades: number; sellTrades: number }
  >();
  let high = -Infinity;
  let low = Infinity;
  let buy = 0;
  let sell = 0;
  let buyTrades = 0;
  let sellTrades = 0;
  let minDelta = Infinity;
  let maxDelta = -Infinity;
  for (const t of sorted) {
    if (t.price > high) high = t.price;
    if (t.price < low) low = t.price;
    let c = cells.get(t.price);
    if (c === undefined) {
      c = { tick: t.price, buy: 0, sell: 0, buyTrades: 0, sellTrades: 0 };
      cells.set(t.price, c);
    }
    const n = tradeCount(t);
    if (t.side === 1) {
      c.buy += t.qty;
      c.buyTrades += n;
      buy += t.qty;
      buyTrades += n;
    } else {
      c.sell += t.qty;
      c.sellTrades += n;
      sell += t.qty;
      sellTrades += n;
    }
    const d = buy - sell;
    if (d < minDelta) minDelta = d;
    if (d > maxDelta) maxDelta = d;
  }
  return {
    minute: minuteOf(first.ts),
    open: first.price,
    high,
    low,
    close: last.price,
    firstTs: first.ts,
    firstId: first.id,
    lastTs: last.ts,
    lastId: last.id,
    buy,
    sell,
    buyTrades,
    sellTrades,
    minDelta,
    maxDelta,
    cells: [...cells.values()].sort((a, b) => a.tick - b.tick),
  };
}

/** Rollups of every minute the trades touch, oldest first (the reference the stores are tested against). */
export function minuteRollupsFromTrades(trades: readonly Trade[]): MinuteRollup[] {
  const byMinute = new Map<number, Trade[]>();
  for (const t of trades) {
    const m = minuteOf(t.ts);
    let list = byMinute.get(m);
    if (list === undefined) byMinute.set(m, (list = []));
    list.push(t);
  }
  return [...byMinute.keys()]
    .sort((a, b) => a - b)
    .map((m) => minuteRollupOf(byMinute.get(m)!.sort(compareTradeOrder)));
}

interface BarAcc {
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  buy: number;
  sell: number;
  buyTrades: number;
  sellTrades: number;
  minDelta: number;
  maxDelta: number;
  cells: Map<number, { row: number; buy: number; sell: number; buyTrades: number; sellTrades: number }>;
}

function addCell(acc: BarAcc, row: number, c: RollupCell): void {
  let cell = acc.cells.get(row);
  if (cell === undefined) {
    cell = { row, buy: 0, sell: 0, buyTrades: 0, sellTrades: 0 };
    acc.cells.set(row, cell);
  }
  cell.buy += c.buy;
  cell.sell += c.sell;
  cell.buyTrades += c.buyTrades;
  cell.sellTrades += c.sellTrades;
}

/**
 * TIME-bar footprints from minute rollups: identical to buildFootprint over the same trades in (ts, id) order,
 * for timeframes that are whole minutes. The rollups must be complete for every bar they touch (query whole
 * bars: floor the range start to the timeframe); bars with no rollup do not exist, as in the engine.
 */
export function footprintFromRollups(
  rollups: readonly MinuteRollup[],
  params: AnalyticsParams,
): FootprintBar[] {
  const { aggregation, timeframeUs } = params.bars;
  if (aggregation !== 'TIME') {
    throw new OrderflowError(
      'INVALID_CONFIG',
      `footprints from rollups need TIME bars, not ${aggregation} (read ticks)`,
    );
  }
  if (timeframeUs % US_PER_MINUTE !== 0) {
    throw new OrderflowError(
      'INVALID_TIMEFRAME',
      `footprints from rollups need a whole number of minutes, not ${timeframeUs} µs`,
    );
  }
  const rowTicks = params.rowTicks;
  const sorted = [...rollups].sort((a, b) => a.minute - b.minute);
  const bars: BarAcc[] = [];
  let acc: BarAcc | undefined;
  for (const m of sorted) {
    const start = Math.floor(m.minute / timeframeUs) * timeframeUs;
    if (acc === undefined || acc.start !== start) {
      acc = {
        start,
        open: m.open,
        high: m.high,
        low: m.low,
        close: m.close,
        buy: 0,
        sell: 0,
        buyTrades: 0,
        sellTrades: 0,
        minDelta: Infinity,
        maxDelta: -Infinity,
        cells: new Map(),
      };
      bars.push(acc);
    }
    // The running delta inside the bar continues from the minutes before this one.
    const before = acc.buy - acc.sell;
    acc.minDelta = Math.min(acc.minDelta, before + m.minDelta);
    acc.maxDelta = Math.max(acc.maxDelta, before + m.maxDelta);
    if (m.high > acc.high) acc.high = m.high;
    if (m.low < acc.low) acc.low = m.low;
    acc.close = m.close;
    acc.buy += m.buy;
    acc.sell += m.sell;
    acc.buyTrades += m.buyTrades;
    acc.sellTrades += m.sellTrades;
    for (const c of m.cells) addCell(acc, Math.floor(c.tick / rowTicks), c);
  }
  return bars.map((b, i) => {
    const cells: FootprintCell[] = [...b.cells.values()].sort((x, y) => x.row - y.row);
    return {
      start: b.start,
      end: b.start + timeframeUs,
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
      pocRow: pocOf(
        cells.map((c) => c.row),
        cells.map((c) => c.buy + c.sell),
      ),
      // As the engine: a TIME bar is complete once a later bar exists.
      complete: i < bars.length - 1,
      cells,
    };
  });
}
