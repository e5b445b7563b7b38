// Store loaders for the signal, indicator and cross-exchange routes: resolve the symbol and exact params the way
// the other REST routes do (targetFor/configWith/paramsFor), flush live trades due, and read the range's trades.
//
// Choices (docs/analytics-choices.md, "Service wiring of signals"): without start_time the range is the last
// DEFAULT_BARS bars up to the latest trade (VOLUME/TICK_COUNT: from that day's anchor), as footprint; without
// end_time it reaches the latest trade; a range over MAX_TICK_RANGE_US is refused (these routes read raw ticks).

import type { AnalyticsParams } from '../core/params.ts';
import { anchorStart } from '../engines/bars.ts';
import { readTargetTrades, type QueryTarget } from '../query/targets.ts';
import { readVenueTrades, type CrossLoaded, type CrossQuery } from '../cross/http.ts';
import type { LoadedTrades, SignalQuery } from '../signals/http.ts';
import { ApiError } from '../api/errors.ts';
import type { OrderflowService } from './orderflow-service.ts';
import { DEFAULT_BARS, MAX_TICK_RANGE_US } from './query-service.ts';
import { configWith, memberKeys, paramsFor, targetFor } from './targeting.ts';

const HIGHEST = Number.MAX_SAFE_INTEGER;

interface Resolved {
  readonly target: QueryTarget;
  readonly params: AnalyticsParams;
  readonly timeframe: string;
  readonly from: number;
  readonly to: number;
}

async function resolve(
  service: OrderflowService,
  symbol: string,
  q: { timeframe?: string; from?: number; to?: number },
): Promise<Resolved> {
  const target = await targetFor(service.store, symbol, service.markets);
  const cfg = configWith(service.config, q.timeframe === undefined ? {} : { timePerRow: q.timeframe });
  const params = paramsFor(cfg, target);
  const keys = memberKeys(target);
  const to = q.to ?? HIGHEST;
  if (service.writer.hasPending(keys, to)) await service.writer.flush();
  let from = q.from;
  if (from === undefined) {
    let last: number | undefined;
    for (const k of keys) {
      const ts = service.lastTradeTimes().get(k);
      if (ts !== undefined && (last === undefined || ts > last)) last = ts;
    }
    if (q.to !== undefined) last = last === undefined ? q.to - 1 : Math.min(last, q.to - 1);
    const b = params.bars;
    from =
      last === undefined
        ? 0
        : Math.max(
            0,
            b.aggregation === 'TIME'
              ? Math.floor(last / b.timeframeUs) * b.timeframeUs - (DEFAULT_BARS - 1) * b.timeframeUs
              : anchorStart(last, b.anchorUs),
          );
  }
  if (q.to !== undefined && q.to <= from)
    throw new ApiError('INVALID_RANGE', 'end_time must be after start_time');
  const end = q.to ?? Math.max(from, ...keys.map((k) => service.lastTradeTimes().get(k) ?? from)) + 1;
  if (end - from > MAX_TICK_RANGE_US) {
    throw new ApiError(
      'RANGE_TOO_LARGE',
      `signals read raw ticks; a range may span at most ${MAX_TICK_RANGE_US / 86_400_000_000} days`,
    );
  }
  return { target, params, timeframe: cfg.timePerRow, from, to };
}

/** `load` of registerSignalRoutes over the service's store. */
export const signalLoader =
  (service: OrderflowService) =>
  async (symbol: string, q: SignalQuery): Promise<LoadedTrades> => {
    const r = await resolve(service, symbol, q);
    return {
      trades: await readTargetTrades(service.store, r.target, r.from, r.to),
      params: r.params,
      symbol: r.target.label,
      timeframe: r.timeframe,
    };
  };

/** `load` of registerCrossRoutes over the service's store. */
export const crossLoader =
  (service: OrderflowService) =>
  async (market: string, q: CrossQuery): Promise<CrossLoaded> => {
    const r = await resolve(service, market, q);
    return {
      venues: await readVenueTrades(service.store, r.target, r.from, r.to),
      params: r.params,
      symbol: r.target.label,
      timeframe: r.timeframe,
    };
  };
