// One UTC minute of a market's live trades, rolled up as they arrive: appended trades update the rollup in O(1);
// a trade that sorts before the last one marks it for an exact rebuild from the minute's trades in (ts, id) order.

import { tradeCount, type Trade } from '../core/trade.ts';
import type { MinuteRollup } from '../store/port.ts';
import { minuteRollupOf } from '../store/rollups.ts';
import { compareTradeOrder } from '../store/trade-order.ts';

export class OpenMinute {
  private readonly trades: Trade[] = [];
  private sorted = true;
  private cached: MinuteRollup | undefined;
  private readonly cells = new Map<
    number,
    { tick: number; buy: number; sell: number; buyTrades: number; sellTrades: number }
  >();
  private high = -Infinity;
  private low = Infinity;
  private buy = 0;
  private sell = 0;
  private buyTrades = 0;
  private sellTrades = 0;
  private minDelta = Infinity;
  private maxDelta = -Infinity;

  constructor(readonly minute: number) {}

  get size(): number {
    return this.trades.length;
  }

  add(t: Trade): void {
    const last = this.trades[this.trades.length - 1];
    this.trades.push(t);
    this.cached = undefined;
    if (!this.sorted) return;
    if (last !== undefined && compareTradeOrder(t, last) < 0) {
      this.sorted = false;
      return;
    }
    if (t.price > this.high) this.high = t.price;
    if (t.price < this.low) this.low = t.price;
    let c = this.cells.get(t.price);
    if (c === undefined)
      this.cells.set(t.price, (c = { tick: t.price, buy: 0, sell: 0, buyTrades: 0, sellTrades: 0 }));
    const n = tradeCount(t);
    if (t.side === 1) {
      c.buy += t.qty;
      c.buyTrades += n;
      this.buy += t.qty;
      this.buyTrades += n;
    } else {
      c.sell += t.qty;
      c.sellTrades += n;
      this.sell += t.qty;
      this.sellTrades += n;
    }
    const d = this.buy - this.sell;
    if (d < this.minDelta) this.minDelta = d;
    if (d > this.maxDelta) this.maxDelta = d;
  }

  /** The minute's rollup, equal to minuteRollupOf over its trades in canonical order. */
  rollup(): MinuteRollup {
    if (this.cached !== undefined) return this.cached;
    if (!this.sorted) {
      this.trades.sort(compareTradeOrder);
      this.cached = minuteRollupOf(this.trades);
      return this.cached;
    }
    const first = this.trades[0]!;
    const last = this.trades[this.trades.length - 1]!;
    this.cached = {
      minute: this.minute,
      open: first.price,
      high: this.high,
      low: this.low,
      close: last.price,
      firstTs: first.ts,
      firstId: first.id,
      lastTs: last.ts,
      lastId: last.id,
      buy: this.buy,
      sell: this.sell,
      buyTrades: this.buyTrades,
      sellTrades: this.sellTrades,
      minDelta: this.minDelta,
      maxDelta: this.maxDelta,
      cells: [...this.cells.values()].map((c) => ({ ...c })).sort((a, b) => a.tick - b.tick),
    };
    return this.cached;
  }
}

/** Two consecutive rollups of one bar folded into one (the second's running delta continues from the first). */
export function foldRollups(a: MinuteRollup, b: MinuteRollup): MinuteRollup {
  const cells = new Map<
    number,
    { tick: number; buy: number; sell: number; buyTrades: number; sellTrades: number }
  >();
  for (const c of [...a.cells, ...b.cells]) {
    const x = cells.get(c.tick);
    if (x === undefined) cells.set(c.tick, { ...c });
    else {
      x.buy += c.buy;
      x.sell += c.sell;
      x.buyTrades += c.buyTrades;
      x.sellTrades += c.sellTrades;
    }
  }
  const before = a.buy - a.sell;
  return {
    minute: a.minute,
    open: a.open,
    high: Math.max(a.high, b.high),
    low: Math.min(a.low, b.low),
    close: b.close,
    firstTs: a.firstTs,
    firstId: a.firstId,
    lastTs: b.lastTs,
    lastId: b.lastId,
    buy: a.buy + b.buy,
    sell: a.sell + b.sell,
    buyTrades: a.buyTrades + b.buyTrades,
    sellTrades: a.sellTrades + b.sellTrades,
    minDelta: Math.min(a.minDelta, before + b.minDelta),
    maxDelta: Math.max(a.maxDelta, before + b.maxDelta),
    cells: [...cells.values()].sort((x, y) => x.tick - y.tick),
  };
}
