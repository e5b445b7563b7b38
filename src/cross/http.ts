// Cross-exchange REST route and store loader: GET /api/v1/orderflow/cross/{market} returns per-venue bars side by
// side, CVD lead–lag between venues and arbitrage opportunities net of fees; `encodeCrossMessage` frames the live
// `arbitrage_opportunity` WebSocket message. Venues are the market's instruments (`exchange:SYMBOL`).

import type { FastifyInstance } from 'fastify';
import type { OrderFlowConfig } from '../core/config.ts';
import type { AnalyticsParams } from '../core/params.ts';
import { parseTime } from '../core/time.ts';
import type { Trade } from '../core/trade.ts';
import { lots, ticks } from '../core/units.ts';
import type { QueryTarget } from '../query/targets.ts';
import type { TradeStore } from '../store/port.ts';
import { failure, success } from '../views/envelope.ts';
import { unitsFor, type Units } from '../views/units.ts';
import {
  cvdLeadLag,
  spreadOpportunities,
  venueFlow,
  type ArbitrageOpportunity,
  type CrossBar,
  type SpreadOptions,
} from './cross-exchange.ts';

export interface CrossLoaded {
  /** Time-ordered trades per venue key, on the market's common grid. */
  readonly venues: Readonly<Record<string, readonly Trade[]>>;
  readonly params: AnalyticsParams;
  readonly symbol: string;
  readonly timeframe: string;
}

export interface CrossQuery {
  readonly timeframe?: string;
  readonly from?: number;
  readonly to?: number;
  readonly maxLag: number;
}

/** Each member's trades of [from, to) on the target grid, keyed `exchange:SYMBOL`. */
export async function readVenueTrades(
  store: TradeStore,
  target: QueryTarget,
  from: number,
  to: number,
): Promise<Record<string, Trade[]>> {
  const out: Record<string, Trade[]> = {};
  for (const m of target.members) {
    const { exchange, symbol } = m.instrument;
    const list = await store.readTrades(exchange, symbol, from, to);
    out[`${exchange}:${symbol}`] =
      m.priceFactor === 1 && m.qtyFactor === 1
        ? list
        : list.map((t) => ({ ...t, price: ticks(t.price * m.priceFactor), qty: lots(t.qty * m.qtyFactor) }));
  }
  return out;
}

const opportunityJson = (o: ArbitrageOpportunity, u: Units) => ({
  buy_venue: o.buyVenue,
  sell_venue: o.sellVenue,
  start: u.time(o.start),
  end: o.end === undefined ? null : u.time(o.end),
  max_net_bps: o.maxNetBps,
  max_gross_bps: o.maxGrossBps,
  buy_price: u.price(o.buyPrice),
  sell_price: u.price(o.sellPrice),
});

/** One bar of the cross body: every venue's flow of that bar side by side (also the live `cross_update` bar). */
export const crossBarJson = (b: CrossBar, u: Units) => ({
  bar_start: u.time(b.start),
  venues: Object.fromEntries(
    Object.entries(b.venues).map(([v, x]) => [
      v,
      {
        volume: u.qty(x.volume),
        buy_volume: u.qty(x.buy),
        sell_volume: u.qty(x.sell),
        delta: u.qty(x.delta),
        trades: x.trades,
        close: x.close === null ? null : u.price(x.close),
        buy_imbalances: x.buyImbalances,
        sell_imbalances: x.sellImbalances,
        stacked_buy_zones: x.stackedBuyZones,
        stacked_sell_zones: x.stackedSellZones,
        buy_pressure: x.buyPressure,
      },
    ]),
  ),
});

/** The body of GET /api/v1/orderflow/cross/{market}. */
export function crossBody(l: CrossLoaded, q: CrossQuery, spread: SpreadOptions) {
  const u = unitsFor(l.params.scale, l.params.rowTicks);
  const names = Object.keys(l.venues);
  const bars = venueFlow(l.venues, l.params);
  const leadLag = [];
  for (let i = 0; i < names.length; i++)
    for (let j = i + 1; j < names.length; j++) leadLag.push(cvdLeadLag(bars, names[i]!, names[j]!, q.maxLag));
  const merged = names
    .flatMap((v) => l.venues[v]!.map((t) => ({ t, v })))
    .sort((a, b) => a.t.ts - b.t.ts || names.indexOf(a.v) - names.indexOf(b.v));
  const venueOf = new Map(merged.map((x) => [x.t, x.v]));
  const opps = spreadOpportunities(
    merged.map((x) => x.t),
    spread,
    (t) => venueOf.get(t)!,
  );
  return {
    symbol: l.symbol,
    timeframe: l.timeframe,
    venues: names,
    bars: bars.map((b) => crossBarJson(b, u)),
    lead_lag: leadLag.map((x) => ({
      a: x.a,
      b: x.b,
      best_lag_bars: x.bestLag,
      best_correlation: x.bestCorrelation,
      correlations: x.correlations,
    })),
    opportunities: opps.map((o) => opportunityJson(o, u)),
  };
}

/** The live WebSocket message for an opportunity opened or closed by a SpreadMonitor. */
export const encodeCrossMessage = (symbol: string, o: ArbitrageOpportunity, u: Units): Buffer =>
  Buffer.from(JSON.stringify({ type: 'arbitrage_opportunity', data: { symbol, ...opportunityJson(o, u) } }));

/** The live WebSocket message of a multi-venue TIME channel's closed bar: its REST cross body bar. */
export const encodeCrossUpdate = (
  symbol: string,
  timeframe: string,
  venues: readonly string[],
  b: CrossBar,
  u: Units,
): Buffer =>
  Buffer.from(
    JSON.stringify({ type: 'cross_update', data: { symbol, timeframe, venues, bar: crossBarJson(b, u) } }),
  );

/** SpreadOptions of the config's optional `cross` key (fees in bps per venue, staleness in ms). */
export function spreadOptionsFromConfig(c: OrderFlowConfig['cross']): SpreadOptions {
  if (c === undefined) return {};
  return {
    ...(c.takerFeeBps === undefined ? {} : { takerBps: c.takerFeeBps }),
    ...(c.minNetBps === undefined ? {} : { minNetBps: c.minNetBps }),
    ...(c.maxStalenessMs === undefined ? {} : { maxStalenessUs: c.maxStalenessMs * 1000 }),
  };
}

export interface CrossRouteDeps {
  load(market: string, q: CrossQuery): Promise<CrossLoaded>;
  readonly spread?: SpreadOptions;
}

/** GET /api/v1/orderflow/cross/:market?timeframe&start_time&end_time&max_lag&min_net_bps. */
export function registerCrossRoutes(app: FastifyInstance, deps: CrossRouteDeps): void {
  app.get<{ Params: { market: string }; Querystring: Record<string, string | undefined> }>(
    '/api/v1/orderflow/cross/:market',
    async (req, reply) => {
      try {
        const r = req.query;
        const maxLag = r.max_lag === undefined ? 5 : Number(r.max_lag);
        if (!Number.isInteger(maxLag) || maxLag < 0 || maxLag > 500) {
          throw Object.assign(new Error(`max_lag ${r.max_lag} must be a whole number 0…500`), {
            code: 'INVALID_PARAMETER',
          });
        }
        const q: CrossQuery = {
          maxLag,
          ...(r.timeframe === undefined ? {} : { timeframe: r.timeframe }),
          ...(r.start_time === undefined ? {} : { from: parseTime(r.start_time) }),
          ...(r.end_time === undefined ? {} : { to: parseTime(r.end_time) }),
        };
        const minNet = r.min_net_bps === undefined ? undefined : Number(r.min_net_bps);
        const spread: SpreadOptions = {
          ...deps.spread,
          ...(minNet === undefined ? {} : { minNetBps: minNet }),
        };
        return success(crossBody(await deps.load(req.params.market, q), q, spread));
      } catch (e) {
        const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : 'INTERNAL_ERROR';
        reply.code(code === 'INTERNAL_ERROR' ? 500 : code === 'NOT_FOUND' ? 404 : 400);
        return failure(code, (e as Error).message);
      }
    },
  );
}
