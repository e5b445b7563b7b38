// Backtester: a hand-worked run (latency, slippage, fees, round trips), fills and PnL against an independent replay
// written here, chunked = whole, limit orders, and a real-data run (file and DuckDB store) reproduced exactly.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { Backtester, runBacktest, type BacktestOptions } from '../../src/backtest/backtester.ts';
import { backtestHtml } from '../../src/backtest/report-html.ts';
import type { Strategy, StrategyContext } from '../../src/backtest/strategy.ts';
import type { Trade } from '../../src/core/trade.ts';
import { readTradeFile } from '../../src/sources/files/read-trade-file.ts';
import { DuckDbTradeStore } from '../../src/store/duckdb-store.ts';
import strategyExample from '../../examples/imbalance-reversal-strategy.ts';
import { params, trade } from '../helpers.ts';
import { requireData } from '../real-data.ts';

const MIN = 60_000_000;
const T0 = 1_700_000_000_000_000 - (1_700_000_000_000_000 % MIN);
const P = params({ timePerRow: '1m' });
/** TEST_SCALE: tick 0.01 × lot 0.001 ⇒ one tick·lot = 0.00001 quote. */
const MULT = 0.00001;

/** Places `plan[barIndex]` as a market order (signed lots) at each bar close. */
const scripted = (plan: Record<number, number>, limit?: Record<number, [number, number]>): Strategy => ({
  name: 'scripted',
  onBar(ctx: StrategyContext) {
    const q = plan[ctx.barIndex];
    if (q !== undefined) ctx.market(q);
    const l = limit?.[ctx.barIndex];
    if (l !== undefined) ctx.limit(l[0], l[1]);
  },
});

test('hand-worked: latency, slippage, taker fee, round trip and marked equity', () => {
  // Bar 0: trade at 100. Bar 1 opens with a trade at 102 (t = T0+1m+1): bar 0 closes, the strategy buys 10 lots
  // at decision time T0+1m+1; latency 5 µs ⇒ active from T0+1m+6. The trade at T0+1m+3 (103) is too early;
  // the trade at T0+1m+6 (104) fills: 104 + 1 tick slippage = 105. Fee 10 bps of 10·105·MULT = 0.0105 → 0.0000105.
  // Bar 2 opens at T0+2m+1 (110): decision sell 10; fills on T0+2m+9 (108) − 1 = 107; fee 10·107·MULT·0.001.
  // Round trip: (107 − 105)·10·MULT = 0.0002 gross, minus fees 0.0000105 + 0.0000107.
  const trades = [
    trade(T0 + 1, 100, 1, 1),
    trade(T0 + MIN + 1, 102, 1, 1),
    trade(T0 + MIN + 3, 103, 1, -1),
    trade(T0 + MIN + 6, 104, 1, 1),
    trade(T0 + 2 * MIN + 1, 110, 1, 1),
    trade(T0 + 2 * MIN + 9, 108, 1, -1),
  ];
  const bt = new Backtester(P, scripted({ 0: 10, 1: -10 }), { latencyUs: 5, slippageTicks: 1, takerBps: 10 });
  bt.applyBatch(trades);
  const r = bt.finish();
  assert.deepEqual(
    r.fills.map((f) => [f.time, f.qty, f.price, f.liquidity, f.orderTime]),
    [
      [T0 + MIN + 6, 10, 105, 'taker', T0 + MIN + 1],
      [T0 + 2 * MIN + 9, -10, 107, 'taker', T0 + 2 * MIN + 1],
    ],
  );
  const fees = 10 * 105 * MULT * 0.001 + 10 * 107 * MULT * 0.001;
  assert.ok(Math.abs(r.stats.fees - fees) < 1e-15);
  assert.ok(Math.abs(r.stats.netPnl - (2 * 10 * MULT - fees)) < 1e-15);
  assert.equal(r.roundTrips.length, 1);
  assert.equal(r.roundTrips[0]!.side, 'long');
  assert.equal(r.roundTrips[0]!.entryPrice, 105);
  assert.equal(r.roundTrips[0]!.exitPrice, 107);
  assert.ok(Math.abs(r.roundTrips[0]!.pnl - r.stats.netPnl) < 1e-15);
  // Equity at each bar close: bar 0 flat (0); bar 1 long 10 from 105 incl. fee, marked at its close 104.
  assert.equal(r.equity[0]!.equity, 0);
  assert.ok(Math.abs(r.equity[1]!.equity - ((104 - 105) * 10 * MULT - 10 * 105 * MULT * 0.001)) < 1e-15);
  assert.equal(r.stats.bars, 3);
  assert.equal(r.stats.finalPosition, 0);
  // bps slippage: 1 % of 104 = 1.04 ticks ⇒ rounded up to 2 ⇒ buy fill 106.
  const bps = new Backtester(P, scripted({ 0: 10 }), { latencyUs: 5, slippageBps: 100 });
  bps.applyBatch(trades);
  assert.equal(bps.finish().fills[0]!.price, 106);
});

test('limit orders fill only when the tape trades through (or touches with limitFill touch), maker fee', () => {
  // Decision at bar 0 close (T0+1m+1): buy 5 at limit 101. The 101 print does not fill (not through); 100 does, at 101.
  const trades = [
    trade(T0 + 1, 103, 1, 1),
    trade(T0 + MIN + 1, 102, 1, 1),
    trade(T0 + MIN + 2, 101, 1, -1),
    trade(T0 + MIN + 3, 100, 1, -1),
  ];
  const run = (o: BacktestOptions) => {
    const bt = new Backtester(P, scripted({}, { 0: [5, 101] }), { makerBps: 2, ...o });
    bt.applyBatch(trades);
    return bt.finish();
  };
  const through = run({});
  assert.deepEqual(
    through.fills.map((f) => [f.time, f.price, f.liquidity]),
    [[T0 + MIN + 3, 101, 'maker']],
  );
  assert.ok(Math.abs(through.stats.fees - 5 * 101 * MULT * 0.0002) < 1e-18);
  assert.deepEqual(
    run({ limitFill: 'touch' }).fills.map((f) => f.time),
    [T0 + MIN + 2],
  );
});

/** Random time-ordered trades over ~20 minutes. */
const tradesArb = fc
  .array(
    fc.record({
      dt: fc.integer({ min: 0, max: 15_000_000 }),
      dp: fc.integer({ min: -4, max: 4 }),
      qty: fc.integer({ min: 1, max: 30 }),
      buy: fc.boolean(),
    }),
    { minLength: 1, maxLength: 200 },
  )
  .map((steps) => {
    let ts = T0;
    let price = 5000;
    return steps.map((s) => {
      ts += s.dt;
      price = Math.max(10, price + s.dp);
      return trade(ts, price, s.qty, s.buy ? 1 : -1);
    });
  });

const planOf = (k: number): number => ((k * 7) % 5) - 2;
const planStrategy = (): Strategy => ({
  name: 'plan',
  onBar: (ctx) => ctx.market(planOf(ctx.barIndex)),
});

test('fills and net PnL equal an independent replay of the tape', () => {
  fc.assert(
    fc.property(
      tradesArb,
      fc.integer({ min: 0, max: 20_000_000 }),
      fc.integer({ min: 0, max: 3 }),
      (trades, latency, slip) => {
        const r = new Backtester(P, planStrategy(), { latencyUs: latency, slippageTicks: slip, takerBps: 5 });
        r.applyBatch(trades);
        const got = r.finish();
        // Independent: minute buckets; bar k's decision is the first trade of the next bucket; each order fills on the
        // first later trade with ts ≥ decision + latency.
        const exp: [number, number, number][] = [];
        let cash = 0;
        let pos = 0;
        let k = 0;
        const orders: { q: number; at: number; after: number }[] = [];
        for (let i = 0; i < trades.length; i++) {
          const t = trades[i]!;
          for (const o of orders.splice(0)) {
            if (i > o.after && t.ts >= o.at) {
              const px = o.q > 0 ? t.price + slip : t.price - slip;
              exp.push([t.ts, o.q, px]);
              cash -= o.q * px * MULT + (Math.abs(o.q) * px * MULT * 5) / 10_000;
              pos += o.q;
            } else orders.push(o);
          }
          if (i > 0 && Math.floor(t.ts / MIN) !== Math.floor(trades[i - 1]!.ts / MIN)) {
            const q = planOf(k++);
            if (q !== 0) orders.push({ q, at: t.ts + latency, after: i });
          }
        }
        assert.deepEqual(
          got.fills.map((f) => [f.time, f.qty, f.price]),
          exp,
        );
        const net = cash + pos * trades[trades.length - 1]!.price * MULT;
        assert.ok(Math.abs(got.stats.netPnl - net) < 1e-9, `${got.stats.netPnl} vs ${net}`);
        assert.equal(got.stats.finalPosition, pos);
      },
    ),
    { numRuns: 100 },
  );
});

test('chunked async batches give exactly the array run', async () => {
  await fc.assert(
    fc.asyncProperty(
      tradesArb,
      fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 10 }),
      async (trades, cuts) => {
        const opts: BacktestOptions = { latencyUs: 1000, slippageBps: '0.5', takerBps: 4 };
        const whole = await runBacktest(trades, P, planStrategy(), opts);
        async function* batches(): AsyncGenerator<Trade[]> {
          let at = 0;
          for (const c of cuts) {
            yield await Promise.resolve(trades.slice(at, at + c));
            at += c;
          }
          yield trades.slice(at);
        }
        assert.deepEqual(await runBacktest(batches(), P, planStrategy(), opts), whole);
      },
    ),
    { numRuns: 50 },
  );
});

test('real data: the example strategy over stored Binance trades, reproduced exactly on a second run', async (t) => {
  const path = requireData(
    t,
    'binance/trade-stream/binance-spot_BTCUSDT_2024-08-08T2354Z_2024-08-09T0005Z.trade-stream.txt.gz',
  );
  if (path === undefined) return;
  const file = await readTradeFile(path);
  const p = params({ timePerRow: '30s', priceTickSize: '1', imbalanceThreshold: '200' }, file.instrument);
  const opts: BacktestOptions = { takerBps: 7.5, makerBps: 1, slippageTicks: 1, latencyUs: 50_000 };
  const first = await runBacktest(file.trades, p, strategyExample({ size: 1000, holdBars: 3 }), opts);
  const second = await runBacktest(file.trades, p, strategyExample({ size: 1000, holdBars: 3 }), opts);
  assert.deepEqual(second, first);
  assert.equal(first.stats.trades, file.trades.length);
  assert.ok(
    first.stats.signals > 0 && first.fills.length > 0,
    `signals ${first.stats.signals}, fills ${first.fills.length}`,
  );
  // The same trades through the DuckDB store (iterateTrades batches) give the identical report.
  const dir = mkdtempSync(join(tmpdir(), 'of-bt-'));
  const store = new DuckDbTradeStore({ dataDir: dir });
  try {
    await store.open();
    await store.upsertInstrument(file.instrument);
    await store.insertTrades(file.instrument.exchange, file.instrument.symbol, file.trades);
    const { exchange, symbol } = file.instrument;
    const stored = await runBacktest(
      store.iterateTrades(exchange, symbol, first.from!, first.to! + 1, 4096),
      p,
      strategyExample({ size: 1000, holdBars: 3 }),
      opts,
    );
    assert.deepEqual(stored, first);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const html = backtestHtml(first, { symbol: 'binance:BTCUSDT', params: p });
  assert.match(html, /^<!doctype html>/i);
  assert.match(html, /<svg[^>]*>[\s\S]*<polyline/);
  assert.ok(!/<script/i.test(html), 'self-contained, no scripts');
});

test('a fill crossing zero closes one round trip and opens another; targetPosition counts pending orders', () => {
  // Bar 0 close: target +10 twice in the same decision ⇒ one order of 10 (the second sees 10 pending).
  // Bar 1 close: target −5 ⇒ sell 15: closes the long (10) and opens a short (5). Bar 2 close: cancelAll + target 0.
  // Prices: buy fills at 101, the sell at 104, the cover at 100 ⇒ long +3·10, short +4·5 (ticks·lots).
  const strategy: Strategy = {
    name: 'flip',
    onBar(ctx) {
      if (ctx.barIndex === 0) {
        ctx.targetPosition(10);
        ctx.targetPosition(10);
      }
      if (ctx.barIndex === 1) ctx.targetPosition(-5);
      if (ctx.barIndex === 2) {
        ctx.cancelAll();
        ctx.targetPosition(0);
      }
    },
  };
  const trades = [
    trade(T0 + 1, 100, 1, 1),
    trade(T0 + MIN + 1, 100, 1, 1),
    trade(T0 + MIN + 2, 101, 1, 1),
    trade(T0 + 2 * MIN + 1, 103, 1, 1),
    trade(T0 + 2 * MIN + 2, 104, 1, 1),
    trade(T0 + 3 * MIN + 1, 101, 1, 1),
    trade(T0 + 3 * MIN + 2, 100, 1, 1),
  ];
  const bt = new Backtester(P, strategy);
  bt.applyBatch(trades);
  const r = bt.finish();
  assert.deepEqual(
    r.fills.map((f) => [f.qty, f.price]),
    [
      [10, 101],
      [-15, 104],
      [5, 100],
    ],
  );
  assert.deepEqual(
    r.roundTrips.map((x) => [x.side, x.entryPrice, x.exitPrice, x.maxQty]),
    [
      ['long', 101, 104, 10],
      ['short', 104, 100, 5],
    ],
  );
  assert.ok(Math.abs(r.roundTrips[0]!.pnl - 30 * MULT) < 1e-15);
  assert.ok(Math.abs(r.roundTrips[1]!.pnl - 20 * MULT) < 1e-15);
  assert.ok(Math.abs(r.stats.netPnl - 50 * MULT) < 1e-15);
  assert.equal(r.stats.winRatePct, 100);
  assert.equal(r.stats.profitFactor, null);
});

test('strategies see indicator values and signals of the bar; onTrade sees every trade', async () => {
  const seen: unknown[] = [];
  let tradesSeen = 0;
  const { default: indicator } = await import('../../examples/absorption-ratio-indicator.ts');
  const strategy: Strategy = {
    name: 'observer',
    onBar: (ctx) => seen.push([ctx.indicators.absorption_ratio?.ratio, ctx.signals.length]),
    onTrade: () => void tradesSeen++,
  };
  // Bar 0: sell 3 at the low row 100, buy 1 at the high row 101 ⇒ ratio (3 + 1) / 4 = 1. Bar 1: one buy at 100
  // (one-row bar: sell 0 + buy 2) ⇒ 1. Bar 0 is an up bar (100 → 101) with delta 1 − 3 < 0: one bar-level
  // divergence; bar 1 completes nothing (its row has no sells; bar 0's POC is only 1 bar old).
  const trades = [trade(T0 + 1, 100, 3, -1), trade(T0 + 2, 101, 1, 1), trade(T0 + MIN + 1, 100, 2, 1)];
  const r = await runBacktest(trades, P, strategy, {
    indicators: [{ definition: indicator, options: { period: 2 } }],
  });
  assert.deepEqual(seen, [
    [1, 1],
    [1, 0],
  ]);
  assert.equal(tradesSeen, 3);
  assert.equal(r.stats.bars, 2);
});

test('VOLUME bars: the decision is taken on the completing trade and fills on the next one', () => {
  // 5-lot bars: trades of 3 and 2 lots complete bar 0 at T0+2 ⇒ decision at T0+2 ⇒ buy fills on T0+3 at 107.
  const p = params({ tickAggregationMethod: 'VOLUME', volumePerBar: '0.005' });
  const bt = new Backtester(p, scripted({ 0: 4 }));
  bt.applyBatch([trade(T0 + 1, 105, 3, 1), trade(T0 + 2, 106, 2, 1), trade(T0 + 3, 107, 1, 1)]);
  const r = bt.finish();
  assert.deepEqual(
    r.fills.map((f) => [f.orderTime, f.time, f.price]),
    [[T0 + 2, T0 + 3, 107]],
  );
});
