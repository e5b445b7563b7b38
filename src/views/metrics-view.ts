// The real-time metrics response body: exactly the spec's fields plus the time they refer to.

import type { AnalyticsParams } from '../core/params.ts';
import type { MetricsSnapshot } from '../engines/metrics.ts';
import { success, type SuccessBody } from './envelope.ts';
import { unitsFor } from './units.ts';

export function metricsBody(
  symbol: string,
  m: MetricsSnapshot,
  activeImbalances: number,
  p: AnalyticsParams,
): SuccessBody<Record<string, unknown>> {
  const u = unitsFor(p.scale, p.rowTicks);
  return success({
    symbol,
    current_price: m.currentPrice === null ? null : u.price(m.currentPrice),
    cumulative_delta: u.qty(m.cumulativeDelta),
    session_delta: u.qty(m.sessionDelta),
    buy_pressure: m.buyPressure,
    sell_pressure: m.sellPressure,
    active_imbalances: activeImbalances,
    liquidity_index: m.liquidityIndex,
    timestamp: m.now === null ? null : u.time(m.now),
    session_start: m.sessionStart === null ? null : u.time(m.sessionStart),
  });
}
