// Cross-exchange analysis of one market: per-venue delta, volume and imbalances side by side per bar, lead–lag of
// CVD between venues (cross-correlation of bar deltas at lags), and a spread monitor that reports arbitrage
// opportunities net of fees. Pure; trades of every venue must be on the market's common grid (query/targets.ts).
//
// Choices (also in docs/analytics-choices.md, "Cross-exchange"):
// - Bars are each venue's own FootprintEngine bars (same params), aligned by bar start; a venue without trades in a
//   bar shows zeros there (and null prices).
// - Lead–lag correlates bar deltas (CVD increments), not CVD levels: levels of two trending series correlate at any
//   lag. corr(lag) = Pearson(a[t], b[t + lag]) over the bars where both exist; lag > 0 ⇒ `a` leads `b`. null with
//   fewer than 3 pairs or a constant side. The best lag is the largest |corr|; ties ⇒ the smallest |lag|, then lag < 0.
// - Spread monitor: the last trade price per venue; on each trade, every pair whose other price is at most
//   `maxStalenessUs` old is compared: gross = (sell − buy) / buy in bps (buy on the cheaper venue, sell on the dearer),
//   net = gross − taker fee of both venues. An opportunity is an episode while net > minNetBps for a (buy, sell)
//   pair: it starts at the first such trade and ends at the first trade where it no longer holds (or stays open).

import type { AnalyticsParams } from '../core/params.ts';
import type { Trade } from '../core/trade.ts';
import { buildFootprint } from '../engines/footprint.ts';
import { barStackedZones, cellImbalances } from '../engines/imbalance.ts';

export interface VenueBar {
  readonly volume: number;
  readonly buy: number;
  readonly sell: number;
  readonly delta: number;
  readonly trades: number;
  readonly close: number | null;
  readonly buyImbalances: number;
  readonly sellImbalances: number;
  readonly stackedBuyZones: number;
  readonly stackedSellZones: number;
  /** buy / volume · 100, 50 without volume. */
  readonly buyPressure: number;
}

export interface CrossBar {
  readonly start: number;
  readonly venues: Readonly<Record<string, VenueBar>>;
}

const EMPTY_BAR: VenueBar = {
  volume: 0,
  buy: 0,
  sell: 0,
  delta: 0,
  trades: 0,
  close: null,
  buyImbalances: 0,
  sellImbalances: 0,
  stackedBuyZones: 0,
  stackedSellZones: 0,
  buyPressure: 50,
};

/** Per-venue bars side by side (venues in the order given), bar starts ascending. */
export function venueFlow(
  venues: Readonly<Record<string, readonly Trade[]>>,
  p: AnalyticsParams,
): CrossBar[] {
  const names = Object.keys(venues);
  const perVenue = new Map<string, Map<number, VenueBar>>();
  const starts = new Set<number>();
  for (const v of names) {
    const m = new Map<number, VenueBar>();
    for (const b of buildFootprint(venues[v]!, p)) {
      let bi = 0;
      let si = 0;
      for (const f of cellImbalances(b, p.imbalance)) {
        if (f.buyImbalance) bi++;
        if (f.sellImbalance) si++;
      }
      const zones = barStackedZones(b, p.imbalance);
      m.set(b.start, {
        volume: b.volume,
        buy: b.buy,
        sell: b.sell,
        delta: b.delta,
        trades: b.trades,
        close: b.close,
        buyImbalances: bi,
        sellImbalances: si,
        stackedBuyZones: zones.filter((z) => z.side === 'buy').length,
        stackedSellZones: zones.filter((z) => z.side === 'sell').length,
        buyPressure: b.volume === 0 ? 50 : (b.buy / b.volume) * 100,
      });
      starts.add(b.start);
    }
    perVenue.set(v, m);
  }
  return [...starts]
    .sort((a, b) => a - b)
    .map((start) => ({
      start,
      venues: Object.fromEntries(names.map((v) => [v, perVenue.get(v)!.get(start) ?? EMPTY_BAR])),
    }));
}

export interface LagCorrelation {
  readonly lag: number;
  readonly correlation: number | null;
  readonly pairs: number;
}

export interface LeadLag {
  readonly a: string;
  readonly b: string;
  readonly correlations: readonly LagCorrelation[];
  /** Lag with the largest |correlation| (null when none is defined); > 0 ⇒ a leads b. */
  readonly bestLag: number | null;
  readonly bestCorrelation: number | null;
}

function pearson(x: readonly number[], y: readonly number[]): number | null {
  const n = x.length;
  if (n < 3) return null;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  return sxy / Math.sqrt(sxx * syy);
}

/** Cross-correlation of two aligned series at lags −maxLag…maxLag: corr(a[t], b[t + lag]). */
export function crossCorrelation(
  a: readonly number[],
  b: readonly number[],
  maxLag: number,
): LagCorrelation[] {
  const out: LagCorrelation[] = [];
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    const x: number[] = [];
    const y: number[] = [];
    for (let t = 0; t < a.length; t++) {
      const u = t + lag;
      if (u < 0 || u >= b.length) continue;
      x.push(a[t]!);
      y.push(b[u]!);
    }
    out.push({ lag, correlation: pearson(x, y), pairs: x.length });
  }
  return out;
}

/** Lead–lag of bar deltas between two venues of `venueFlow` rows. */
export function cvdLeadLag(bars: readonly CrossBar[], a: string, b: string, maxLag: number): LeadLag {
  const da = bars.map((r) => r.venues[a]?.delta ?? 0);
  const db = bars.map((r) => r.venues[b]?.delta ?? 0);
  const correlations = crossCorrelation(da, db, maxLag);
  let best: LagCorrelation | undefined;
  for (const c of correlations) {
    if (c.correlation === null) continue;
    if (
      best === undefined ||
      Math.abs(c.correlation) > Math.abs(best.correlation!) ||
      (Math.abs(c.correlation) === Math.abs(best.correlation!) && Math.abs(c.lag) < Math.abs(best.lag))
    ) {
      best = c;
    }
  }
  return { a, b, correlations, bestLag: best?.lag ?? null, bestCorrelation: best?.correlation ?? null };
}

export interface SpreadOptions {
  /** Taker fee per venue, bps (missing ⇒ 0). */
  readonly takerBps?: Readonly<Record<string, number>>;
  /** Opportunity when net spread > this, bps (default 0). */
  readonly minNetBps?: number;
  /** Other venue's last price must be at most this old, µs (default 1 s). */
  readonly maxStalenessUs?: number;
}

export interface ArbitrageOpportunity {
  readonly buyVenue: string;
  readonly sellVenue: string;
  readonly start: number;
  /** µs of the first trade where it no longer held; absent while open. */
  readonly end?: number;
  readonly maxNetBps: number;
  readonly maxGrossBps: number;
  /** Ticks, at the widest net spread. */
  readonly buyPrice: number;
  readonly sellPrice: number;
}

interface Open {
  start: number;
  maxNetBps: number;
  maxGrossBps: number;
  buyPrice: number;
  sellPrice: number;
}

/** Incremental spread monitor: feed trades of all venues in time order (venue = trade.exchange, or a key fn). */
export class SpreadMonitor {
  private readonly last = new Map<string, { price: number; ts: number }>();
  private readonly open = new Map<string, Open>();
  private readonly done: ArbitrageOpportunity[] = [];

  constructor(
    readonly options: SpreadOptions = {},
    private readonly venueOf: (t: Trade) => string = (t) => t.exchange,
  ) {}

  /** Applies a trade; returns the opportunities that this trade opened or closed. */
  apply(t: Trade): ArbitrageOpportunity[] {
    const v = this.venueOf(t);
    const ts: number = t.ts;
    this.last.set(v, { price: t.price, ts });
    const fees = this.options.takerBps ?? {};
    const stale = this.options.maxStalenessUs ?? 1_000_000;
    const minNet = this.options.minNetBps ?? 0;
    const changed: ArbitrageOpportunity[] = [];
    for (const [o, q] of this.last) {
      if (o === v) continue;
      const fresh = ts - q.ts <= stale;
      for (const [buyV, sellV, buyP, sellP] of [
        [v, o, t.price, q.price],
        [o, v, q.price, t.price],
      ] as const) {
        const key = `${buyV}\u0000${sellV}`;
        const gross = buyP > 0 ? ((sellP - buyP) / buyP) * 10_000 : 0;
        const net = gross - (fees[buyV] ?? 0) - (fees[sellV] ?? 0);
        const cur = this.open.get(key);
        if (fresh && net > minNet) {
          if (cur === undefined) {
            const op: Open = {
              start: ts,
              maxNetBps: net,
              maxGrossBps: gross,
              buyPrice: buyP,
              sellPrice: sellP,
            };
            this.open.set(key, op);
            changed.push(this.view(buyV, sellV, op));
          } else if (net > cur.maxNetBps) {
            Object.assign(cur, { maxNetBps: net, maxGrossBps: gross, buyPrice: buyP, sellPrice: sellP });
          }
        } else if (cur !== undefined) {
          this.open.delete(key);
          const ended = { ...this.view(buyV, sellV, cur), end: ts };
          this.done.push(ended);
          changed.push(ended);
        }
      }
    }
    return changed;
  }

  /** Every opportunity: closed ones first (in the order they ended), then the open ones. */
  opportunities(): ArbitrageOpportunity[] {
    return [
      ...this.done,
      ...[...this.open].map(([k, op]) => this.view(...(k.split('\u0000') as [string, string]), op)),
    ];
  }

  private view(buyVenue: string, sellVenue: string, op: Open): ArbitrageOpportunity {
    return { buyVenue, sellVenue, ...op };
  }
}

/** Batch form of the spread monitor over time-ordered trades. */
export function spreadOpportunities(
  trades: Iterable<Trade>,
  options: SpreadOptions = {},
  venueOf?: (t: Trade) => string,
): ArbitrageOpportunity[] {
  const m = new SpreadMonitor(options, venueOf);
  for (const t of trades) m.apply(t);
  return m.opportunities();
}
