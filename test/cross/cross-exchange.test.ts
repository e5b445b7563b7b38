// Cross-exchange: venue bars side by side (hand-worked), cross-correlation against a straightforward formula and a
// shifted series, the spread monitor (hand-worked, fees, staleness), and real spot vs USD-M trades on one grid.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import Fastify from 'fastify';
import { marketScale } from '../../src/core/instrument.ts';
import { marketMember, rescaleTrades } from '../../src/core/markets.ts';
import { resolveParams } from '../../src/core/params.ts';
import { parseConfig } from '../../src/core/config.ts';
import { buildFootprint } from '../../src/engines/footprint.ts';
import {
  crossCorrelation,
  type CrossBar,
  type VenueBar,
  cvdLeadLag,
  SpreadMonitor,
  spreadOpportunities,
  venueFlow,
} from '../../src/cross/cross-exchange.ts';
import { registerCrossRoutes } from '../../src/cross/http.ts';
import { readTradeFile } from '../../src/sources/files/read-trade-file.ts';
import { params, trade } from '../helpers.ts';
import { requireData } from '../real-data.ts';

const MIN = 60_000_000;
const T0 = 1_700_000_000_000_000 - (1_700_000_000_000_000 % MIN);
const P = params({ timePerRow: '1m' });

test('venue bars side by side: a venue without trades in a bar shows zeros', () => {
  // A: bar 0 buy 5 + sell 2 (delta 3), bar 1 sell 4. B: bar 1 buy 1 only.
  const rows = venueFlow(
    {
      A: [trade(T0 + 1, 100, 5, 1), trade(T0 + 2, 100, 2, -1), trade(T0 + MIN, 99, 4, -1)],
      B: [trade(T0 + MIN + 5, 101, 1, 1)],
    },
    P,
  );
  assert.deepEqual(
    rows.map((r) => [r.start, r.venues.A!.delta, r.venues.A!.volume, r.venues.B!.delta, r.venues.B!.close]),
    [
      [T0, 3, 7, 0, null],
      [T0 + MIN, -4, 4, 1, 101],
    ],
  );
  assert.equal(rows[0]!.venues.A!.buyPressure, (5 / 7) * 100);
  assert.equal(rows[0]!.venues.B!.buyPressure, 50);
});

/** Pearson written out plainly. */
function corr(x: number[], y: number[]): number | null {
  if (x.length < 3) return null;
  const m = (v: number[]) => v.reduce((s, a) => s + a, 0) / v.length;
  const mx = m(x);
  const my = m(y);
  const c = x.reduce((s, a, i) => s + (a - mx) * (y[i]! - my), 0);
  const vx = x.reduce((s, a) => s + (a - mx) ** 2, 0);
  const vy = y.reduce((s, a) => s + (a - my) ** 2, 0);
  return vx === 0 || vy === 0 ? null : c / Math.sqrt(vx * vy);
}

test('cross-correlation equals the plain formula at every lag; a series shifted by 2 leads at lag 2', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 0, maxLength: 30 }),
      fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 0, maxLength: 30 }),
      (a, b) => {
        for (const c of crossCorrelation(a, b, 3)) {
          const x: number[] = [];
          const y: number[] = [];
          a.forEach((v, t) => {
            if (t + c.lag >= 0 && t + c.lag < b.length) {
              x.push(v);
              y.push(b[t + c.lag]!);
            }
          });
          const e = corr(x, y);
          assert.equal(c.pairs, x.length);
          if (e === null) assert.equal(c.correlation, null);
          else assert.ok(Math.abs(c.correlation! - e) < 1e-9);
        }
      },
    ),
    { numRuns: 100 },
  );
  // b[t] = a[t − 2]: a leads b by 2 bars.
  const a = [5, -3, 8, 1, -7, 4, 2, -6, 9, 0, -2, 3];
  const bar = (delta: number): VenueBar => ({
    ...venueFlow({ v: [trade(T0, 1, 1, 1)] }, P)[0]!.venues.v!,
    delta,
  });
  const bars: CrossBar[] = a.map((d, i) => ({
    start: i,
    venues: { x: bar(d), y: bar(i >= 2 ? a[i - 2]! : 0) },
  }));
  const ll = cvdLeadLag(bars, 'x', 'y', 4);
  assert.equal(ll.bestLag, 2);
  assert.ok(Math.abs(ll.bestCorrelation! - 1) < 1e-12);
});

test('spread monitor: opportunity net of fees opens and closes; stale prices are not compared', () => {
  // A trades 10000, B 10020 ⇒ gross 20 bps; fees 5 + 5 ⇒ net 10 bps > 0 ⇒ open (buy A, sell B).
  // B 10008 ⇒ gross 8, net −2 ⇒ closes at that trade.
  const ex = (e: string) => ({ exchange: e });
  const trades = [
    trade(T0, 10000, 1, 1, ex('A')),
    trade(T0 + 10, 10020, 1, 1, ex('B')),
    trade(T0 + 20, 10030, 1, 1, ex('B')),
    trade(T0 + 30, 10008, 1, -1, ex('B')),
  ];
  const got = spreadOpportunities(trades, { takerBps: { A: 5, B: 5 } });
  assert.equal(got.length, 1);
  const o = got[0]!;
  assert.deepEqual(
    [o.buyVenue, o.sellVenue, o.start, o.end, o.buyPrice, o.sellPrice],
    ['A', 'B', T0 + 10, T0 + 30, 10000, 10030],
  );
  assert.ok(Math.abs(o.maxGrossBps - 30) < 1e-9 && Math.abs(o.maxNetBps - 20) < 1e-9);
  assert.deepEqual(spreadOpportunities(trades, { takerBps: { A: 15, B: 15 } }), []);
  // A's price 2 s old with a 1 s staleness limit: nothing compared.
  const m = new SpreadMonitor({ maxStalenessUs: 1_000_000 });
  m.apply(trade(T0, 10000, 1, 1, ex('A')));
  assert.deepEqual(m.apply(trade(T0 + 2_000_000, 10100, 1, 1, ex('B'))), []);
});

test('real data: Binance spot vs USD-M BTCUSDT on one grid; REST body', async (t) => {
  const spotPath = requireData(
    t,
    'binance/trade-stream/binance-spot_BTCUSDT_2024-08-08T2354Z_2024-08-09T0005Z.trade-stream.txt.gz',
  );
  const perpPath = requireData(
    t,
    'binance/trade-stream/binance-usdm_BTCUSDT_2024-08-08T2354Z_2024-08-08T2359Z.trade-stream.txt.gz',
  );
  if (spotPath === undefined || perpPath === undefined) return;
  const spot = await readTradeFile(spotPath);
  const perp = await readTradeFile(perpPath);
  const scale = marketScale([spot.instrument, perp.instrument]);
  const p = resolveParams(parseConfig({ timePerRow: '30s', priceTickSize: '1' }), scale);
  const end = perp.trades[perp.trades.length - 1]!.ts + 1;
  const venues = {
    'binance:BTCUSDT': rescaleTrades(
      spot.trades.filter((x) => x.ts < end),
      marketMember(spot.instrument, scale),
    ),
    'binance-usdm:BTCUSDT': rescaleTrades(perp.trades, marketMember(perp.instrument, scale)),
  };
  const rows = venueFlow(venues, p);
  // Each venue's column equals its own footprint bars' volume and delta on the common grid.
  for (const [v, list] of Object.entries(venues)) {
    const own = new Map(buildFootprint(list, p).map((b) => [b.start, b]));
    for (const r of rows) {
      const b = own.get(r.start);
      assert.equal(r.venues[v]!.volume, b?.volume ?? 0);
      assert.equal(r.venues[v]!.delta, b?.delta ?? 0);
    }
  }
  const ll = cvdLeadLag(rows, 'binance:BTCUSDT', 'binance-usdm:BTCUSDT', 2);
  // Lag 0 equals the plain formula over the aligned bar deltas; the best lag has the largest |correlation|.
  const da = rows.map((r) => r.venues['binance:BTCUSDT']!.delta);
  const db = rows.map((r) => r.venues['binance-usdm:BTCUSDT']!.delta);
  const at0 = ll.correlations.find((c) => c.lag === 0)!;
  assert.ok(Math.abs(at0.correlation! - corr(da, db)!) < 1e-12);
  const maxAbs = Math.max(...ll.correlations.map((c) => Math.abs(c.correlation ?? 0)));
  assert.equal(Math.abs(ll.bestCorrelation!), maxAbs);
  const app = Fastify();
  registerCrossRoutes(app, {
    load: () => Promise.resolve({ venues, params: p, symbol: 'BTC', timeframe: '30s' }),
  });
  try {
    const r = await app.inject({ url: '/api/v1/orderflow/cross/BTC?max_lag=2&min_net_bps=0' });
    assert.equal(r.statusCode, 200);
    const body = r.json<{
      data: {
        venues: string[];
        bars: unknown[];
        lead_lag: { best_lag_bars: number }[];
        opportunities: unknown[];
      };
    }>();
    assert.deepEqual(body.data.venues, Object.keys(venues));
    assert.equal(body.data.bars.length, rows.length);
    assert.equal(body.data.lead_lag[0]!.best_lag_bars, ll.bestLag);
    // Without fees the spot/perp basis crosses zero often enough to show opportunities.
    assert.ok(body.data.opportunities.length > 0);
    assert.equal((await app.inject({ url: '/api/v1/orderflow/cross/BTC?max_lag=-1' })).statusCode, 400);
  } finally {
    await app.close();
  }
});
