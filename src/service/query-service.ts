// The REST queries of the service: validated parameters → target and exact params → the store queries of
// src/query (after flushing live trades, so ranges include the open bar) → one serialized body, cached until a
// store write touches its instruments and range.
//
// Choices (also in docs/analytics-choices.md, "Order Flow Service"): without start_time, footprint/delta take the
// last DEFAULT_BARS bars up to the latest trade (VOLUME/TICK_COUNT: from that day's anchor), VPVR the UTC day of the
// latest trade, VPSV the last DEFAULT_VPSV_DAYS days; ranges are capped (MAX_RESPONSE_BARS, MAX_TICK_RANGE_US).

import type { OrderFlowConfig } from '../core/config.ts';
import { US_PER_DAY, US_PER_MINUTE } from '../core/time.ts';
import type { AnalyticsParams } from '../core/params.ts';
import { anchorStart } from '../engines/bars.ts';
import {
  rollupsServe,
  storeDeltaQuery,
  storeFootprintQuery,
  storeMetricsQuery,
  storeProfileQuery,
} from '../query/store-queries.ts';
import type { QueryTarget } from '../query/targets.ts';
import type { QueryRange } from '../cli/analysis.ts';
import type { TradeStore } from '../store/port.ts';
import type { SourceKind } from '../sources/source.ts';
import { ApiError } from '../api/errors.ts';
import { parseQuery, type Endpoint, type ParsedQuery } from '../api/schemas.ts';
import { ResponseCache } from './response-cache.ts';
import type { StoreWriter } from './store-writer.ts';
import { configWith, memberKeys, paramsFor, targetFor } from './targeting.ts';

/** TIME bars one footprint/delta response may hold. */
export const MAX_RESPONSE_BARS = 20_000;
/** Longest range answered from raw ticks (VOLUME/TICK_COUNT bars, sub-minute timeframes, multi-exchange bars). */
export const MAX_TICK_RANGE_US = 7 * US_PER_DAY;
/** Default footprint/delta range without start_time: this many bars up to the latest trade. */
export const DEFAULT_BARS = 100;
/** VPSV without start_time: this many UTC days up to the latest trade. */
export const DEFAULT_VPSV_DAYS = 5;

/** How long a resolved symbol → target is reused (the store's instrument list rarely changes). */
export const TARGET_MEMO_MS = 2000;
/** Resolved targets and parameter sets kept. */
export const MEMO_ENTRIES = 1000;

export interface QueryServiceOptions {
  readonly store: TradeStore;
  readonly writer: StoreWriter;
  readonly config: OrderFlowConfig;
  readonly markets: Readonly<Record<string, readonly string[]>>;
  readonly sourceKind: SourceKind;
  /** Latest trade time of an instrument key (µs) as the service knows it, undefined when none. */
  readonly lastTradeTs: (instrumentKey: string) => number | undefined;
  readonly cache?: ResponseCache;
}

type Body = { success: true; data: Record<string, unknown> };

export class QueryService {
  readonly cache: ResponseCache;
  private readonly inflight = new Map<string, Promise<Buffer>>();
  private readonly targets = new Map<string, { target: QueryTarget; at: number }>();
  private readonly paramSets = new Map<string, { cfg: OrderFlowConfig; p: AnalyticsParams }>();
  queries = 0;

  constructor(private readonly o: QueryServiceOptions) {
    this.cache = o.cache ?? new ResponseCache();
  }

  /** The target of a symbol, reused for TARGET_MEMO_MS: resolving reads the store's instrument list. */
  private async target(symbol: string, exchange: string | undefined): Promise<QueryTarget> {
    const key = `${symbol}|${exchange ?? ''}`;
    const now = performance.now();
    const memo = this.targets.get(key);
    if (memo !== undefined && now - memo.at < TARGET_MEMO_MS) return memo.target;
    const target = await targetFor(this.o.store, symbol, this.o.markets, exchange);
    if (this.targets.size >= MEMO_ENTRIES) this.targets.clear();
    this.targets.set(key, { target, at: now });
    return target;
  }

  private params(
    target: QueryTarget,
    overrides: Record<string, unknown>,
  ): { cfg: OrderFlowConfig; p: AnalyticsParams } {
    const key = `${target.label}|${JSON.stringify(target.scale)}|${JSON.stringify(overrides)}`;
    let v = this.paramSets.get(key);
    if (v === undefined) {
      const cfg = configWith(this.o.config, overrides);
      v = { cfg, p: paramsFor(cfg, target) };
      if (this.paramSets.size >= MEMO_ENTRIES) this.paramSets.clear();
      this.paramSets.set(key, v);
    }
    return v;
  }

  /** Drops cached responses that read trades a store write just added. */
  invalidate(instrument: string, minTs: number): void {
    this.cache.invalidate(instrument, minTs);
  }

  private latest(target: QueryTarget): number | undefined {
    let last: number | undefined;
    for (const k of memberKeys(target)) {
      const ts = this.o.lastTradeTs(k);
      if (ts !== undefined && (last === undefined || ts > last)) last = ts;
    }
    return last;
  }

  /** The serialized body of one analytics endpoint. */
  async run(endpoint: Endpoint, symbol: string, rawQuery: unknown): Promise<Buffer> {
    const q = parseQuery(endpoint, rawQuery);
    const target = await this.target(symbol, q.values.exchange);
    const { cfg, p } = this.params(target, q.config);
    const keys = memberKeys(target);
    const range = this.rangeOf(endpoint, q, p, target);
    const readTo = range.to ?? Infinity;
    if (this.o.writer.hasPending(keys, readTo)) await this.o.writer.flush();
    const cacheKey = `${endpoint}|${symbol}|${JSON.stringify(q.values)}|${range.from ?? ''}|${range.to ?? ''}`;
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return cached;
    // Identical requests arriving together share one computation (a burst would otherwise compute N times).
    const running = this.inflight.get(cacheKey);
    if (running !== undefined) return running;
    const work = (async () => {
      this.queries++;
      const body = await this.compute(endpoint, target, cfg.timePerRow, p, range, q);
      const data = body.data;
      if (q.values.exchange !== undefined) data.exchange = q.values.exchange;
      if (this.o.sourceKind !== 'live') data.source = this.o.sourceKind;
      const buf = Buffer.from(JSON.stringify(body));
      // Every endpoint reads nothing at or after range.to (metrics look back before the range start only).
      this.cache.set(cacheKey, { body: buf, instruments: keys, readTo });
      return buf;
    })();
    this.inflight.set(cacheKey, work);
    try {
      return await work;
    } finally {
      this.inflight.delete(cacheKey);
    }
  }

  /** The range a request reads: its own bounds, else the defaults of docs/api.md; bounded in size. */
  rangeOf(endpoint: Endpoint, q: ParsedQuery, p: AnalyticsParams, target: QueryTarget): QueryRange {
    const to = q.to;
    let from = q.from;
    if (from === undefined && endpoint !== 'metrics') {
      const last = to !== undefined ? to - 1 : this.latest(target);
      if (last !== undefined) {
        if (endpoint === 'volume-profile') {
          const days = q.values.type?.toUpperCase() === 'VPSV' ? DEFAULT_VPSV_DAYS : 1;
          from = Math.floor(last / US_PER_DAY) * US_PER_DAY - (days - 1) * US_PER_DAY;
        } else if (p.bars.aggregation === 'TIME') {
          const tf = p.bars.timeframeUs;
          from = Math.floor(last / tf) * tf - (DEFAULT_BARS - 1) * tf;
        } else from = anchorStart(last, p.bars.anchorUs);
        from = Math.max(0, from);
      }
    }
    if (from !== undefined && endpoint !== 'metrics') {
      const end = to ?? Math.max(from, this.latest(target) ?? from) + US_PER_MINUTE;
      const span = end - from;
      const bars = endpoint !== 'volume-profile' && p.bars.aggregation === 'TIME';
      if (bars && span / p.bars.timeframeUs > MAX_RESPONSE_BARS) {
        throw new ApiError(
          'RANGE_TOO_LARGE',
          `the range holds ${Math.ceil(span / p.bars.timeframeUs)} bars; at most ${MAX_RESPONSE_BARS} per request (narrow start_time/end_time or use a longer timeframe)`,
        );
      }
      const fromTicks =
        endpoint === 'volume-profile' ? !rollupsServe(p) : !rollupsServe(p) || target.members.length > 1;
      if (fromTicks && span > MAX_TICK_RANGE_US) {
        throw new ApiError(
          'RANGE_TOO_LARGE',
          `this query reads raw ticks; its range may span at most ${MAX_TICK_RANGE_US / US_PER_DAY} days`,
        );
      }
    }
    return { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
  }

  private async compute(
    endpoint: Endpoint,
    target: QueryTarget,
    timeframe: string,
    p: AnalyticsParams,
    r: QueryRange,
    q: ParsedQuery,
  ): Promise<Body> {
    const store = this.o.store;
    switch (endpoint) {
      case 'footprint': {
        const { body } = await storeFootprintQuery(store, target, timeframe, p, r);
        return q.values.format?.toLowerCase() === 'nested' ? nest(body) : body;
      }
      case 'volume-profile': {
        const type = q.values.type?.toUpperCase() === 'VPSV' ? 'VPSV' : 'VPVR';
        const { body } = await storeProfileQuery(store, target, type, p, r, q.values.omit_empty === 'true');
        return body;
      }
      case 'delta':
        return (await storeDeltaQuery(store, target, timeframe, p, r)).body;
      case 'metrics':
        return (await storeMetricsQuery(store, target, p, r)).body;
      case 'imbalances': {
        const { body } = await storeFootprintQuery(store, target, timeframe, p, r);
        const d = body.data as Record<string, unknown> & { stacked_imbalances: { active: boolean }[] };
        return {
          success: true,
          data: {
            symbol: d.symbol,
            timeframe: d.timeframe,
            aggregation: d.aggregation,
            row_size: d.row_size,
            ...(d.start_time === undefined ? {} : { start_time: d.start_time }),
            ...(d.end_time === undefined ? {} : { end_time: d.end_time }),
            active_count: d.stacked_imbalances.filter((z) => z.active).length,
            stacked_imbalances: d.stacked_imbalances,
          },
        };
      }
      case 'divergences': {
        const { body } = await storeDeltaQuery(store, target, timeframe, p, r);
        const d = body.data as Record<string, unknown> & { delta_profile: { is_divergent: boolean } };
        return {
          success: true,
          data: {
            symbol: d.symbol,
            timeframe: d.timeframe,
            aggregation: d.aggregation,
            ...(d.start_time === undefined ? {} : { start_time: d.start_time }),
            ...(d.end_time === undefined ? {} : { end_time: d.end_time }),
            is_divergent: d.delta_profile.is_divergent,
            divergences: d.divergences,
          },
        };
      }
    }
  }
}

/** format=nested: `bars` become bars with their statistics and their cells (cells without the bar times). */
export function nest(body: Body): Body {
  const d = body.data as Record<string, unknown> & {
    bars: (Record<string, unknown> & { start_time: string })[];
    bar_stats: (Record<string, unknown> & { start_time: string })[];
  };
  const cellsByStart = new Map<string, Record<string, unknown>[]>();
  for (const c of d.bars) {
    const { start_time, end_time: _end, ...cell } = c;
    let list = cellsByStart.get(start_time);
    if (list === undefined) cellsByStart.set(start_time, (list = []));
    list.push(cell);
  }
  const { bar_stats, ...rest } = d;
  return {
    success: true,
    data: {
      ...rest,
      format: 'nested',
      bars: bar_stats.map((b) => ({ ...b, cells: cellsByStart.get(b.start_time) ?? [] })),
    },
  };
}
