// Signals: hand-worked bars for each kind, independent recomputations from raw trades, incremental = batch, and the
// engines' batch definitions on random and real data.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { AnalyticsParams } from '../../src/core/params.ts';
import type { Trade } from '../../src/core/trade.ts';
import { deltaExhaustions, deltaSeries } from '../../src/engines/delta.ts';
import { barDivergences, swingDivergences } from '../../src/engines/divergence.ts';
import { buildFootprint, type FootprintBar } from '../../src/engines/footprint.ts';
import { absorptions, nakedPocs } from '../../src/engines/footprint-signals.ts';
import { computeProfile } from '../../src/engines/profile.ts';
import { readTradeFile } from '../../src/sources/files/read-trade-file.ts';
import { closedBars, ClosedBarStream } from '../../src/signals/closed-bars.ts';
import {
  detectSignals,
  SIGNAL_KINDS,
  SignalEngine,
  type SignalEvent,
  type SignalKind,
} from '../../src/signals/signal-engine.ts';
import { signalsFromTrades, TradeSignalStream } from '../../src/signals/trade-signals.ts';
import { params, trade } from '../helpers.ts';
import { requireData } from '../real-data.ts';

const MIN = 60_000_000;
const T0 = 1_700_000_040_000_000 - (1_700_000_040_000_000 % MIN);
const only = (k: SignalKind): { kinds: SignalKind[] } => ({ kinds: [k] });
const P = params({ timePerRow: '1m' });

/** A minute bar from [row, buy, sell] rows (rowTicks 1): one buy and one sell trade per row, low rows first. */
function minute(k: number, rows: [number, number, number][], open?: number, close?: number): Trade[] {
  const out: Trade[] = [];
  let ts = T0 + k * MIN + 1;
  if (open !== undefined) out.push(trade(ts++, open, 1, 1));
  for (const [row, b, s] of rows) {
    if (b > 0) out.push(trade(ts++, row, b, 1));
    if (s > 0) out.push(trade(ts++, row, s, -1));
  }
  if (close !== undefined) out.push(trade(ts, close, 1, -1));
  return out;
}

const norm = (bars: FootprintBar[]): FootprintBar[] => bars.map((b) => ({ ...b, complete: true }));

/** Random time-ordered trades over ~40 minutes around 1000 ticks. */
const tradesArb = fc
  .array(
    fc.record({
      dt: fc.integer({ min: 0, max: 20_000_000 }),
      dp: fc.integer({ min: -3, max: 3 }),
      qty: fc.integer({ min: 1, max: 40 }),
      buy: fc.boolean(),
    }),
    { minLength: 1, maxLength: 300 },
  )
  .map((steps) => {
    let ts = T0;
    let price = 1000;
    return steps.map((s) => {
      ts += s.dt;
      price = Math.max(1, price + s.dp);
      return trade(ts, price, s.qty, s.buy ? 1 : -1);
    });
  });

test('closed bars equal buildFootprint for TIME, VOLUME and TICK_COUNT bars', () => {
  const configs = [
    params({ timePerRow: '1m' }),
    params({ timePerRow: '5m', ticksPerRow: 3 }),
    params({ tickAggregationMethod: 'VOLUME', volumePerBar: '0.2' }),
    params({ tickAggregationMethod: 'TICK_COUNT', ticksPerBar: 7 }),
  ];
  fc.assert(
    fc.property(tradesArb, (trades) => {
      for (const p of configs) assert.deepEqual(closedBars(trades, p), norm(buildFootprint(trades, p)));
    }),
    { numRuns: 60 },
  );
});

test('a late trade for a closed bar is dropped and counted, never changes a closed bar', () => {
  const s = new ClosedBarStream(P);
  assert.deepEqual(s.apply(trade(T0 + 5, 100, 1, 1)), []);
  const closed = s.apply(trade(T0 + MIN + 5, 101, 1, 1));
  assert.deepEqual(
    closed.map((b) => [b.start, b.volume, b.complete]),
    [[T0, 1, true]],
  );
  assert.deepEqual(s.apply(trade(T0 + 7, 100, 9, 1)), []);
  assert.equal(s.lateTrades, 1);
  assert.equal(s.flush()?.volume, 1);
  assert.equal(s.flush(), undefined);
});

test('VOLUME bars close on the trade that completes them; a new anchor day closes the forming bar first', () => {
  // 5-lot bars (0.005 at lot 0.001). Trade 1 (3 lots) forms; trade 2 (2 lots) completes it ⇒ returned at once.
  // Trade 3 (1 lot) forms a bar; trade 4 on the next UTC day with 7 lots closes that bar (anchor) and completes
  // its own ⇒ two bars from one trade. A trade older than the latest is late.
  const p = params({ tickAggregationMethod: 'VOLUME', volumePerBar: '0.005' });
  const DAY = 24 * 60 * MIN;
  const day0 = T0 - (T0 % DAY);
  const s = new ClosedBarStream(p);
  assert.deepEqual(s.apply(trade(day0 + 1, 100, 3, 1)), []);
  assert.deepEqual(
    s.apply(trade(day0 + 2, 101, 2, -1)).map((b) => [b.start, b.volume]),
    [[day0 + 1, 5]],
  );
  assert.equal(s.forming, false);
  assert.deepEqual(s.apply(trade(day0 + 3, 102, 1, 1)), []);
  assert.deepEqual(
    s.apply(trade(day0 + DAY + 1, 103, 7, 1)).map((b) => [b.start, b.volume]),
    [
      [day0 + 3, 1],
      [day0 + DAY + 1, 7],
    ],
  );
  assert.deepEqual(s.apply(trade(day0 + DAY, 103, 7, 1)), []);
  assert.equal(s.lateTrades, 1);
  assert.equal(s.flush(), undefined);
});

test('stacked imbalance: hand-worked bar', () => {
  // Rows 99..102 (rowTicks 1). buy[100]=30 ≥ 3·sell[99]=30, buy[101]=30 ≥ 3·sell[100]=30, buy[102]=30 ≥ 3·10:
  // three consecutive buy imbalances ⇒ one buy zone 100–102 (bullish). Sell side: sell[99]=10 < 3·buy[100].
  const trades = minute(0, [
    [99, 0, 10],
    [100, 30, 10],
    [101, 30, 10],
    [102, 30, 10],
  ]);
  const got = signalsFromTrades(trades, P, only('stacked_imbalance'));
  assert.deepEqual(got, [
    {
      kind: 'stacked_imbalance',
      direction: 'bullish',
      time: T0 + MIN,
      barStart: T0,
      price: 100,
      evidence: { kind: 'stacked_imbalance', side: 'buy', lowRow: 100, highRow: 102, rows: 3 },
    },
  ]);
  // Threshold 400 % breaks row 100 (30 < 4·10): only 101–102 remain, fewer than 3 rows ⇒ nothing.
  assert.deepEqual(
    signalsFromTrades(trades, params({ imbalanceThreshold: '400' }), only('stacked_imbalance')),
    [],
  );
});

/** Straightforward recomputation: per minute and row, buy/sell sums; diagonal 3× with zero ⇒ skip; runs ≥ 3. */
function expectedStacked(trades: readonly Trade[]): string[] {
  const bars = new Map<number, Map<number, { b: number; s: number }>>();
  for (const t of trades) {
    const start = Math.floor(t.ts / MIN) * MIN;
    const rows = bars.get(start) ?? new Map<number, { b: number; s: number }>();
    bars.set(start, rows);
    const c = rows.get(t.price) ?? { b: 0, s: 0 };
    rows.set(t.price, c);
    if (t.side === 1) c.b += t.qty;
    else c.s += t.qty;
  }
  const out: string[] = [];
  for (const [start, rows] of [...bars].sort((a, b) => a[0] - b[0])) {
    const keys = [...rows.keys()];
    const lo = Math.min(...keys);
    const hi = Math.max(...keys);
    for (const side of ['buy', 'sell']) {
      let run: number[] = [];
      const flush = (): void => {
        if (run.length >= 3) out.push(`${start}:${side}:${run[0]}-${run[run.length - 1]}`);
        run = [];
      };
      for (let r = lo; r <= hi; r++) {
        const c = rows.get(r) ?? { b: 0, s: 0 };
        const opp = side === 'buy' ? (rows.get(r - 1)?.s ?? 0) : (rows.get(r + 1)?.b ?? 0);
        const dom = side === 'buy' ? c.b : c.s;
        if (dom > 0 && opp > 0 && dom >= 3 * opp) run.push(r);
        else flush();
      }
      flush();
    }
  }
  return out.sort();
}

test('stacked imbalance signals equal an independent recomputation (random trades)', () => {
  fc.assert(
    fc.property(tradesArb, (trades) => {
      const got = signalsFromTrades(trades, P, only('stacked_imbalance')).map((e) => {
        const ev = e.evidence;
        assert.equal(ev.kind, 'stacked_imbalance');
        if (ev.kind !== 'stacked_imbalance') return '';
        assert.equal(e.direction, ev.side === 'buy' ? 'bullish' : 'bearish');
        return `${e.barStart}:${ev.side}:${ev.lowRow}-${ev.highRow}`;
      });
      assert.deepEqual(got.sort(), expectedStacked(trades));
    }),
    { numRuns: 100 },
  );
});

test('unfinished auction: hand-worked bar and independent recomputation', () => {
  // High row 102: buy 5, sell 2 (both > 0) ⇒ unfinished high (bullish). Low row 99: buy 0 ⇒ finished.
  const trades = minute(0, [
    [99, 0, 10],
    [102, 5, 2],
  ]);
  const got = signalsFromTrades(trades, P, only('unfinished_auction'));
  assert.equal(got.length, 1);
  assert.deepEqual(got[0]!.evidence, { kind: 'unfinished_auction', at: 'high', row: 102, buy: 5, sell: 2 });
  assert.equal(got[0]!.direction, 'bullish');
  // Threshold 2 lots: sell 2 is not > 2 ⇒ nothing.
  assert.deepEqual(
    signalsFromTrades(trades, params({ unfinishedAuctionMinVolume: '0.002' }), only('unfinished_auction')),
    [],
  );
  fc.assert(
    fc.property(tradesArb, (ts) => {
      const exp: string[] = [];
      const byBar = new Map<number, Trade[]>();
      for (const t of ts) {
        const s = Math.floor(t.ts / MIN) * MIN;
        byBar.set(s, [...(byBar.get(s) ?? []), t]);
      }
      for (const [s, list] of byBar) {
        const hi = Math.max(...list.map((t) => t.price));
        const lo = Math.min(...list.map((t) => t.price));
        const both = (r: number): boolean =>
          list.some((t) => t.price === r && t.side === 1) && list.some((t) => t.price === r && t.side === -1);
        if (both(hi)) exp.push(`${s}:high`);
        if (both(lo)) exp.push(`${s}:low`);
      }
      const got = signalsFromTrades(ts, P, only('unfinished_auction')).map(
        (e) => `${e.barStart}:${e.evidence.kind === 'unfinished_auction' ? e.evidence.at : ''}`,
      );
      assert.deepEqual(got.sort(), exp.sort());
    }),
    { numRuns: 60 },
  );
});

test('absorption: hand-worked, decided absorption.bars bars later', () => {
  // Bar 0: rows 100 (sell 30), 101 (buy 5, sell 5), 102 (buy 5). Median row volume of [30, 10, 5] = 10;
  // sell at the low row 100 = 30 ≥ 3·10 ⇒ heavy. Bars 1..3 never trade below row 100 − 2 ⇒ absorbed (bullish),
  // reported when bar 3 closes (time = end of bar 3), about bar 0. Buy at the high (5) is not ≥ 30.
  const trades = [
    ...minute(0, [
      [100, 0, 30],
      [101, 5, 5],
      [102, 5, 0],
    ]),
    ...minute(1, [[99, 1, 1]]),
    ...minute(2, [[98, 1, 1]]),
    ...minute(3, [[101, 1, 1]]),
  ];
  const got = signalsFromTrades(trades, P, only('absorption'));
  assert.deepEqual(got, [
    {
      kind: 'absorption',
      direction: 'bullish',
      time: T0 + 4 * MIN,
      barStart: T0,
      price: 100,
      evidence: { kind: 'absorption', side: 'sell', row: 100, volume: 30 },
    },
  ]);
  // Bar 2 trading at row 97 (3 rows below): follow-through ⇒ no absorption.
  const broken = trades.map((t) => (t.price === 98 ? { ...t, price: 97 as Trade['price'] } : t));
  assert.deepEqual(signalsFromTrades(broken, P, only('absorption')), []);
});

test('naked POC test: only POCs naked for ≥ nakedPocMinAgeBars bars, direction from the testing bar open', () => {
  // POC of bar 0 = row 100. Bars 1–3 trade at 110+ (POC stays naked); bar 4 trades from 112 down to 100 ⇒ test at
  // age 4; the POC (100) is below bar 4's open (112) ⇒ bullish (support). Bar 1's POC (110) is covered by bar 2
  // (age 1 < 3) and never signals.
  const trades = [
    ...minute(0, [[100, 5, 5]]),
    ...minute(1, [[110, 5, 5]]),
    ...minute(2, [
      [110, 1, 1],
      [111, 5, 5],
    ]),
    ...minute(3, [[112, 5, 5]]),
    ...minute(4, [], 112, 100),
  ];
  const got = signalsFromTrades(trades, P, only('naked_poc_test'));
  assert.deepEqual(
    got.map((e) => [e.barStart, e.direction, e.evidence]),
    [[T0 + 4 * MIN, 'bullish', { kind: 'naked_poc_test', pocBarStart: T0, row: 100, ageBars: 4 }]],
  );
  // With min age 1 every first cover counts; compare with the engines' nakedPocs (nakedUntil = the testing bar).
  fc.assert(
    fc.property(tradesArb, (ts) => {
      const bars = buildFootprint(ts, P);
      const exp = nakedPocs(bars)
        .filter((n) => n.nakedUntil !== undefined)
        .map((n) => `${n.nakedUntil}:${n.barStart}:${n.row}`)
        .sort();
      const got = signalsFromTrades(ts, P, { kinds: ['naked_poc_test'], nakedPocMinAgeBars: 1 }).map((e) =>
        e.evidence.kind === 'naked_poc_test'
          ? `${e.barStart}:${e.evidence.pocBarStart}:${e.evidence.row}`
          : '',
      );
      assert.deepEqual(got.sort(), exp);
    }),
    { numRuns: 60 },
  );
});

test('value-area break-out: against the previous session value area', () => {
  // Day 1: one bar with rows 100..104 (volume 10, 10, 50, 10, 10) ⇒ POC 102; 70 % of 90 = 63: POC 50, then the
  // pair above (103+104 = 20) ties the pair below (20) ⇒ above ⇒ 70 ≥ 63 ⇒ VA 102–104, VAL 102, VAH 104.
  // Day 2: bar A closes at 104 (inside), bar B closes at 105 (> VAH, previous ≤ VAH) ⇒ bullish break-out;
  // bar C closes at 101 (< VAL 102, previous 105 ≥ VAL) ⇒ bearish.
  const DAY = 24 * 60 * MIN;
  const day1 = minute(0, [
    [100, 5, 5],
    [101, 5, 5],
    [102, 25, 25],
    [103, 5, 5],
    [104, 5, 5],
  ]);
  const d2 = (k: number, close: number): Trade[] => minute(k + DAY / MIN, [], 103, close);
  const trades = [...day1, ...d2(0, 104), ...d2(1, 105), ...d2(2, 101)];
  const got = signalsFromTrades(trades, P, only('value_area_breakout'));
  const ev = (close: number) => ({
    kind: 'value_area_breakout' as const,
    sessionStart: T0 - (T0 % DAY),
    vahRow: 104,
    valRow: 102,
    pocRow: 102,
    closeRow: close,
  });
  assert.deepEqual(
    got.map((e) => [e.direction, e.price, e.evidence]),
    [
      ['bullish', 105, ev(105)],
      ['bearish', 101, ev(101)],
    ],
  );
  // The reference equals the engines' profile of day 1.
  const prof = computeProfile(buildFootprint(day1, P)[0]!.cells, P);
  assert.deepEqual([prof.valRow, prof.vahRow, prof.pocRow], [102, 104, 102]);
});

test('cooldown suppresses the same kind and direction inside the window', () => {
  // Bars 0, 1, 2 each have an unfinished high; cooldown 90 s: bar 0 (t = 1 min) emits, bar 1 (2 min: 60 s later)
  // is suppressed, bar 2 (3 min: 120 s after the last emitted) emits.
  const trades = [0, 1, 2].flatMap((k) => minute(k, [[100, 2, 2]]));
  const engine = new SignalEngine(P, {
    kinds: ['unfinished_auction'],
    cooldownUs: { unfinished_auction: 90_000_000 },
  });
  const out = closedBars(trades, P).flatMap((b) => engine.update(b));
  // Each one-row bar is unfinished at its high (bullish) and its low (bearish): two keys, each cooled separately.
  assert.deepEqual(
    out.map((e) => [e.time, e.direction]),
    [
      [T0 + MIN, 'bullish'],
      [T0 + MIN, 'bearish'],
      [T0 + 3 * MIN, 'bullish'],
      [T0 + 3 * MIN, 'bearish'],
    ],
  );
  assert.equal(engine.suppressed, 2);
});

test('delta exhaustion, divergences and absorptions equal the engines batch definitions (random trades)', () => {
  const p = params({ timePerRow: '1m', swingLookback: 2, cvdReset: 'session' });
  fc.assert(
    fc.property(tradesArb, (ts) => {
      const bars = buildFootprint(ts, p);
      const events = detectSignals(norm(bars), p);
      const of = (k: SignalKind): SignalEvent[] => events.filter((e) => e.kind === k);
      assert.deepEqual(
        of('delta_exhaustion').map((e) => [e.barStart, e.evidence]),
        deltaExhaustions(bars, p)
          .map((x) => [x.barStart, { kind: 'delta_exhaustion', ...x, barStart: undefined }])
          .map(([s, ev]) => {
            const { barStart: _b, ...rest } = ev as Record<string, unknown>;
            return [s, rest];
          }),
      );
      const series = deltaSeries(bars, p);
      const swings = of('delta_divergence').filter(
        (e) => e.evidence.kind === 'delta_divergence' && e.evidence.level === 'swing',
      );
      assert.deepEqual(
        swings.map((e) =>
          e.evidence.kind === 'delta_divergence' && e.evidence.level === 'swing'
            ? [e.direction, e.evidence.first, e.evidence.second]
            : [],
        ),
        swingDivergences(bars, series, p.swingLookback).map((d) => [d.direction, d.first, d.second]),
      );
      const barLevel = of('delta_divergence').filter(
        (e) => e.evidence.kind === 'delta_divergence' && e.evidence.level === 'bar',
      );
      assert.deepEqual(
        barLevel.map((e) => [e.barStart, e.direction]),
        barDivergences(bars).map((d) => [d.barStart, d.direction]),
      );
      assert.deepEqual(
        of('absorption').map((e) =>
          e.evidence.kind === 'absorption'
            ? [e.barStart, e.evidence.side, e.evidence.row, e.evidence.volume]
            : [],
        ),
        absorptions(bars, p).map((a) => [a.barStart, a.side, a.row, a.volume]),
      );
    }),
    { numRuns: 80 },
  );
});

test('incremental = batch: trades fed in any chunks give the batch signals', () => {
  const p = params({ timePerRow: '1m', swingLookback: 1, nodeWindow: 1 });
  fc.assert(
    fc.property(tradesArb, fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 20 }), (ts, cuts) => {
      const batch = detectSignals(closedBars(ts, p), p, { cooldownUs: { stacked_imbalance: 120_000_000 } });
      const s = new TradeSignalStream(p, { cooldownUs: { stacked_imbalance: 120_000_000 } });
      const got: SignalEvent[] = [];
      let at = 0;
      for (const c of cuts) {
        got.push(...s.applyBatch(ts.slice(at, at + c)));
        at += c;
      }
      got.push(...s.applyBatch(ts.slice(at)), ...s.flush());
      assert.deepEqual(got, batch);
    }),
    { numRuns: 60 },
  );
});

test('real data: every signal kind over Binance BTCUSDT matches the engines, and some fire', async (t) => {
  const path = requireData(
    t,
    'binance/trade-stream/binance-spot_BTCUSDT_2024-08-08T2354Z_2024-08-09T0005Z.trade-stream.txt.gz',
  );
  if (path === undefined) return;
  const file = await readTradeFile(path);
  const p: AnalyticsParams = params(
    { timePerRow: '30s', swingLookback: 2, imbalanceThreshold: '200', priceTickSize: '1' },
    file.instrument,
  );
  const bars = buildFootprint(file.trades, p);
  const events = signalsFromTrades(file.trades, p, { nakedPocMinAgeBars: 1 });
  const count = (k: SignalKind): number => events.filter((e) => e.kind === k).length;
  // stacked zones, absorptions, exhaustions, naked POCs: the same sets as the batch definitions.
  const zones = bars.flatMap((b) => detectSignals([b], p, only('stacked_imbalance')).map((e) => e.barStart));
  assert.equal(count('stacked_imbalance'), zones.length);
  assert.equal(count('absorption'), absorptions(bars, p).length);
  assert.equal(count('delta_exhaustion'), deltaExhaustions(bars, p).length);
  assert.equal(count('naked_poc_test'), nakedPocs(bars).filter((n) => n.nakedUntil !== undefined).length);
  const series = deltaSeries(bars, p);
  assert.equal(
    count('delta_divergence'),
    barDivergences(bars).length + swingDivergences(bars, series, p.swingLookback).length,
  );
  // The window crosses midnight: the 2024-08-09 bars see the 08-08 value area, so break-outs can fire too.
  assert.ok(events.length > 20, `only ${events.length} signals`);
  for (const k of SIGNAL_KINDS) assert.ok(count(k) > 0, `no ${k} signal on the real data`);
  for (const e of events) assert.ok(e.time >= e.barStart);
  // Deterministic: a second run gives the same events.
  assert.deepEqual(signalsFromTrades(file.trades, p, { nakedPocMinAgeBars: 1 }), events);
});

test('delta exhaustion: hand-worked run, and exactly the ratio is not exhausted', () => {
  // One-trade bars (open = close = the price). Closes 100, 101, 102, 103 ⇒ an up run of 3 bars (101–103) with
  // deltas 10, 10, 10 ⇒ Σ|delta| = 30, average 10. Bar 4 makes a higher high (104) with delta 2: 2 < 0.3 · 10 ⇒
  // exhausted up run ⇒ bearish. With delta 3: 3 = 0.3 · 10 exactly ⇒ not exhausted.
  const bars = (last: number): Trade[] => [
    ...minute(0, [[100, 5, 0]]),
    ...minute(1, [[101, 10, 0]]),
    ...minute(2, [[102, 10, 0]]),
    ...minute(3, [[103, 10, 0]]),
    ...minute(4, [[104, last, 0]]),
  ];
  const got = signalsFromTrades(bars(2), P, only('delta_exhaustion'));
  assert.deepEqual(
    got.map((e) => [e.barStart, e.direction, e.evidence]),
    [
      [
        T0 + 4 * MIN,
        'bearish',
        { kind: 'delta_exhaustion', direction: 'up', runBars: 3, delta: 2, runAvgAbsDelta: 10 },
      ],
    ],
  );
  assert.deepEqual(signalsFromTrades(bars(3), P, only('delta_exhaustion')), []);
});

test('delta divergence: bar level (doji and zero delta excluded) and a swing pair', () => {
  // Bar level: open 100 → close 101 with delta 1 − 3 = −2 ⇒ bearish; a doji (open = close) with the same delta ⇒
  // nothing.
  const up = [trade(T0 + 1, 100, 1, 1), trade(T0 + 2, 101, 3, -1)];
  assert.deepEqual(
    signalsFromTrades(up, P, only('delta_divergence')).map((e) => [e.direction, e.evidence]),
    [['bearish', { kind: 'delta_divergence', level: 'bar', delta: -2, open: 100, close: 101 }]],
  );
  const doji = [trade(T0 + 1, 101, 1, 1), trade(T0 + 2, 100, 3, -1), trade(T0 + 3, 101, 0, 1)];
  assert.deepEqual(signalsFromTrades(doji, P, only('delta_divergence')), []);
  // Swing level, lookback 1: highs 100, 105, 101, 107, 102 ⇒ swing highs at bars 1 and 3; CVD 1, 11, −9, −4, −5 ⇒
  // higher high (107 > 105) with lower CVD (−4 < 11) ⇒ bearish, confirmed when bar 4 closes.
  const p = params({ timePerRow: '1m', swingLookback: 1 });
  const swing = [
    ...minute(0, [[100, 1, 0]]),
    ...minute(1, [[105, 10, 0]]),
    ...minute(2, [[101, 0, 20]]),
    ...minute(3, [[107, 5, 0]]),
    ...minute(4, [[102, 0, 1]]),
  ];
  const got = signalsFromTrades(swing, p, only('delta_divergence'));
  assert.deepEqual(
    got.map((e) => [e.time, e.barStart, e.direction, e.evidence]),
    [
      [
        T0 + 5 * MIN,
        T0 + 3 * MIN,
        'bearish',
        {
          kind: 'delta_divergence',
          level: 'swing',
          first: { time: T0 + MIN, price: 105, cvd: 11 },
          second: { time: T0 + 3 * MIN, price: 107, cvd: -4 },
        },
      ],
    ],
  );
});
