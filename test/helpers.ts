// Builders for constructed trades and params in tests.
import { parseConfig, type OrderFlowConfigInput } from '../src/core/config.ts';
import { parseIncrement } from '../src/core/decimal.ts';
import type { Scale } from '../src/core/instrument.ts';
import { resolveParams, type AnalyticsParams } from '../src/core/params.ts';
import type { Trade } from '../src/core/trade.ts';
import { lots, micros, ticks, type Side } from '../src/core/units.ts';

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
