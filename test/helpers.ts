// Builders for constructed trades and params in tests.
import { parseConfig, type OrderFlowConfigInput } from '../src/core/config.ts';
import { parseIncrement } from '../src/core/decimal.ts';
import type { Scale } from '../src/core/instrument.ts';
import { resolveParams, type AnalyticsParams } from '../src/core/params.ts';
import type { Trade } from '../src/core/trade.ts';
import { lots, micros, ticks, type Side } from '../src/core/units.ts';
import { US_PER_MINUTE } from '../src/core/time.ts';
import { pocOf, type FootprintBar } from '../src/engines/footprint.ts';

/** tick 0.01, lot 0.001 — small numbers read easily in tests. */
export const TEST_SCALE: Scale = {
  price: parseIncrement('0.01'),
  qty: parseIncrement('0.001'),
  volumeUnit: 'base',
};

export function params(cfg: OrderFlowConfigInput = {}, scale: Scale = TEST_SCALE): AnalyticsParams {
  return resolveParams(parseConfig(cfg), scale);
}

let nextId = 1;
/** A trade at `ts` µs, price in ticks, qty in lots, side +1/-1. */
export function trade(ts: number, price: number, qty: number, side: Side, extra: Partial<Trade> = {}): Trade {
  return {
    exchange: 'test',
    symbol: 'TEST',
    id: nextId++,
    ts: micros(ts),
    price: ticks(price),
    qty: lots(qty),
    side,
    sideSource: 'exchange',
    ...extra,
  };
}

/** A 1-minute bar from [row, buy, sell] cells with rowTicks 1 (high/low are the outer rows' prices). */
export function mkBar(start: number, cells: readonly (readonly [number, number, number])[]): FootprintBar {
  const sorted = [...cells].sort((a, b) => a[0] - b[0]);
  const rows = sorted.map((c) => c[0]);
  const buy = sorted.reduce((s, c) => s + c[1], 0);
  const sell = sorted.reduce((s, c) => s + c[2], 0);
  return {
    start,
    end: start + US_PER_MINUTE,
    open: rows[0]!,
    high: rows[rows.length - 1]!,
    low: rows[0]!,
    close: rows[0]!,
    buy,
    sell,
    volume: buy + sell,
    delta: buy - sell,
    minDelta: Math.min(0, buy - sell),
    maxDelta: Math.max(0, buy - sell),
    trades: sorted.length,
    buyTrades: sorted.length,
    sellTrades: 0,
    pocRow: pocOf(
      rows,
      sorted.map((c) => c[1] + c[2]),
    ),
    complete: true,
    cells: sorted.map(([row, b, s]) => ({
      row,
      buy: b,
      sell: s,
      buyTrades: b > 0 ? 1 : 0,
      sellTrades: s > 0 ? 1 : 0,
    })),
  };
}

/**
 * A synthetic 1-minute bar i minutes after 2024-01-01 for price/delta path tests (delta, divergence): only the
 * fields the delta analytics read are meaningful.
 */
export function pathBar(i: number, o: number, h: number, l: number, c: number, delta: number): FootprintBar {
  const buy = Math.max(delta, 0) + 10;
  const sell = buy - delta;
  const t0 = Date.UTC(2024, 0, 1) * 1000;
  return {
    start: t0 + i * US_PER_MINUTE,
    end: t0 + (i + 1) * US_PER_MINUTE,
    open: o,
    high: h,
    low: l,
    close: c,
    buy,
    sell,
    volume: buy + sell,
    delta,
    minDelta: Math.min(0, delta),
    maxDelta: Math.max(0, delta),
    trades: 2,
    buyTrades: 1,
    sellTrades: 1,
    pocRow: l,
    complete: true,
    cells: [],
  };
}
