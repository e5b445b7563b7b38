// Delta series (CVD OHLC, resets, momentum, acceleration), pressure, exhaustion and deltaAnalysis, checked
// against hand-worked examples and independent recomputations from the raw trades.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  deltaAnalysis,
  deltaExhaustions,
  deltaSeries,
  ema,
  pressure,
  sessionStartAt,
} from '../../src/engines/delta.ts';
import { buildFootprint, FootprintEngine, type FootprintBar } from '../../src/engines/footprint.ts';
import type { Trade } from '../../src/core/trade.ts';
import type { OrderFlowConfigInput } from '../../src/core/config.ts';
import type { Side } from '../../src/core/units.ts';
import { params, trade, pathBar as bar } from '../helpers.ts';

const MIN = 60_000_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2024, 0, 1) * 1000; // a UTC midnight

/** Bars from closes: open = previous close, high/low = the bar's body ± `wick`. */
function barsFromCloses(closes: readonly number[], deltas: readonly number[], wick = 1): FootprintBar[] {
  return closes.map((c, i) => {
    const o = i === 0 ? c : closes[i - 1]!;
    return bar(i, o, Math.max(o, c) + wick, Math.min(o, c) - wick, c, deltas[i]!);
  });
}

void test('hand-worked series: delta, deltaPct, CVD OHLC, momentum and acceleration', () => {
  const p = params({ deltaSmoothingPeriod: 3 }); // alpha = 2/(3+1) = 0.5
  const trades = [
    // bar 0: running delta 5, 3, −1 ⇒ delta −1, max 5, min −1; buy 5, sell 6, volume 11
    trade(T0 + 1, 100, 5, 1),
    trade(T0 + 2, 101, 2, -1),
    trade(T0 + 3, 99, 4, -1),
    // bar 1: running −3, 7 ⇒ delta 7, min −3, max 7
    trade(T0 + MIN + 1, 100, 3, -1),
    trade(T0 + MIN + 2, 102, 10, 1),
    // bar 2: running −2 ⇒ delta −2, min = max = −2
    trade(T0 + 2 * MIN + 1, 101, 2, -1),
  ];
  const s = deltaSeries(buildFootprint(trades, p), p);
  assert.equal(s.length, 3);
  // bar 0: open 0, close −1, high max(0, 0+5) = 5, low min(0, 0−1) = −1
  assert.deepEqual(
    [
      s[0]!.delta,
      s[0]!.volume,
      s[0]!.buy,
      s[0]!.sell,
      s[0]!.cvdOpen,
      s[0]!.cvdHigh,
      s[0]!.cvdLow,
      s[0]!.cvdClose,
    ],
    [-1, 11, 5, 6, 0, 5, -1, -1],
  );
  assert.equal(s[0]!.deltaPct, (-1 / 11) * 100);
  // bar 1: open −1, close 6, high −1+7 = 6, low −1−3 = −4
  assert.deepEqual([s[1]!.cvdOpen, s[1]!.cvdHigh, s[1]!.cvdLow, s[1]!.cvdClose], [-1, 6, -4, 6]);
  // bar 2: open 6, close 4; max delta −2 < 0 so the high is the open 6; low 6−2 = 4
  assert.deepEqual([s[2]!.cvdOpen, s[2]!.cvdHigh, s[2]!.cvdLow, s[2]!.cvdClose], [6, 6, 4, 4]);
  // ema: −1; 0.5·7 + 0.5·(−1) = 3; 0.5·(−2) + 0.5·3 = 0.5. acceleration: 0, 3−(−1) = 4, 0.5−3 = −2.5
  assert.deepEqual(
    s.map((b) => b.momentum),
    [-1, 3, 0.5],
  );
  assert.deepEqual(
    s.map((b) => b.acceleration),
    [0, 4, -2.5],
  );
  assert.deepEqual(
    s.map((b) => b.cvdSince),
    [T0, T0, T0],
  );

  const a = deltaAnalysis(buildFootprint(trades, p), p);
  assert.equal(a.cumulativeDelta, 4);
  assert.equal(a.deltaMomentum, 0.5);
  assert.equal(a.deltaAcceleration, -2.5);
  // Σbuy = 5 + 10 = 15, Σsell = 6 + 3 + 2 = 11 ⇒ 15/26
  assert.equal(a.buyPressure, (15 / 26) * 100);
  assert.equal(a.sellPressure, 100 - (15 / 26) * 100);
});

void test('pressure: the spec example, one-sided and the no-volume rule', () => {
  const sp = pressure(655, 345);
  assert.ok(Math.abs(sp.buyPressure - 65.5) < 1e-12 && Math.abs(sp.sellPressure - 34.5) < 1e-12);
  assert.deepEqual(pressure(3, 0), { buyPressure: 100, sellPressure: 0 });
  assert.deepEqual(pressure(0, 3), { buyPressure: 0, sellPressure: 100 });
  assert.deepEqual(pressure(0, 0), { buyPressure: 50, sellPressure: 50 });
  assert.deepEqual(pressure(1, 1), { buyPressure: 50, sellPressure: 50 });
});

void test('deltaPct is 0 for a bar without volume; empty input gives neutral analysis', () => {
  const p = params();
  const b = { ...bar(0, 1, 1, 1, 1, 0), buy: 0, sell: 0, volume: 0 };
  assert.equal(deltaSeries([b], p)[0]!.deltaPct, 0);
  const a = deltaAnalysis([], p);
  assert.deepEqual(
    [a.cumulativeDelta, a.deltaMomentum, a.deltaAcceleration, a.buyPressure, a.sellPressure],
    [0, 0, 0, 50, 50],
  );
  assert.equal(a.isDivergent, false);
  assert.equal(a.isExhausted, false);
  assert.deepEqual(a.series, []);
});

void test('sessionStartAt: UTC day without windows, latest start with overlaps, gaps and wrapping windows', () => {
  assert.equal(sessionStartAt(T0 + 5 * HOUR, []), T0);
  assert.equal(sessionStartAt(T0 - 1, []), T0 - DAY);
  const p = params({
    sessions: [
      { name: 'asia', start: '00:00', end: '08:00' },
      { name: 'europe', start: '07:00', end: '16:00' },
      { name: 'us', start: '13:30', end: '20:00' },
    ],
  });
  assert.equal(sessionStartAt(T0 + 6 * HOUR, p.sessions), T0); // asia
  assert.equal(sessionStartAt(T0 + 7 * HOUR, p.sessions), T0 + 7 * HOUR); // europe began last (overlap)
  assert.equal(sessionStartAt(T0 + 13 * HOUR + 29 * MIN, p.sessions), T0 + 7 * HOUR);
  assert.equal(sessionStartAt(T0 + 13 * HOUR + 30 * MIN, p.sessions), T0 + 13 * HOUR + 30 * MIN);
  assert.equal(sessionStartAt(T0 + 22 * HOUR, p.sessions), T0 + 13 * HOUR + 30 * MIN); // after us ended
  const wrap = params({ sessions: [{ name: 'night', start: '22:00', end: '02:00' }] });
  assert.equal(sessionStartAt(T0 + HOUR, wrap.sessions), T0 - 2 * HOUR);
  assert.equal(sessionStartAt(T0 + 22 * HOUR, wrap.sessions), T0 + 22 * HOUR);
});

void test('CVD resets: day, session windows (a straddling bar stays in its start segment), none', () => {
  const sessions = [
    { name: 'asia', start: '00:00', end: '08:00' },
    { name: 'europe', start: '07:00', end: '16:00' },
    { name: 'us', start: '13:30', end: '20:00' },
  ];
  // One buy of 1 lot in each of these 1h bars.
  const hours = [6, 7, 8, 13, 14, 21, 24, 25];
  const trades = hours.map((h) => trade(T0 + h * HOUR + 1, 100, 1, 1));
  const sessP = params({ timePerRow: '1h', cvdReset: 'session', sessions });
  const s = deltaSeries(buildFootprint(trades, sessP), sessP);
  // 06 asia | 07 europe | 08 europe | 13 europe (starts before 13:30) | 14 us | 21 us | next 00 asia | 01 asia
  assert.deepEqual(
    s.map((b) => b.cvdClose),
    [1, 1, 2, 3, 1, 2, 1, 2],
  );
  assert.deepEqual(
    s.map((b) => b.cvdOpen),
    [0, 0, 1, 2, 0, 1, 0, 1],
  );
  assert.deepEqual(
    s.map((b) => b.cvdSince),
    [T0, T0 + 7 * HOUR, T0 + 7 * HOUR, T0 + 7 * HOUR, T0 + 13.5 * HOUR, T0 + 13.5 * HOUR, T0 + DAY, T0 + DAY],
  );
  const dayP = params({ timePerRow: '1h', cvdReset: 'day' });
  assert.deepEqual(
    deltaSeries(buildFootprint(trades, dayP), dayP).map((b) => b.cvdClose),
    [1, 2, 3, 4, 5, 6, 1, 2],
  );
  // 'session' without windows = UTC day
  const sessDay = params({ timePerRow: '1h', cvdReset: 'session' });
  assert.deepEqual(
    deltaSeries(buildFootprint(trades, sessDay), sessDay).map((b) => b.cvdClose),
    [1, 2, 3, 4, 5, 6, 1, 2],
  );
  const noneP = params({ timePerRow: '1h' });
  const none = deltaSeries(buildFootprint(trades, noneP), noneP);
  assert.deepEqual(
    none.map((b) => b.cvdClose),
    [1, 2, 3, 4, 5, 6, 7, 8],
  );
  assert.ok(none.every((b) => b.cvdSince === T0 + 6 * HOUR)); // the first bar's start
  // momentum does not reset with the CVD: every delta is 1, so the EMA stays 1
  assert.ok(s.every((b) => b.momentum === 1 && b.acceleration === 0));
});

// --- properties against an independent recomputation from raw trades ---

const SESSIONS = [
  { name: 'a', start: '00:00', end: '08:00' },
  { name: 'b', start: '07:00', end: '16:00' },
  { name: 'c', start: '13:30', end: '20:00' },
  { name: 'n', start: '22:00', end: '02:00' },
];

const tradesArb = fc.array(
  fc.record({
    dt: fc.integer({ min: 0, max: 2 * DAY }),
    price: fc.integer({ min: 90, max: 110 }),
    qty: fc.integer({ min: 0, max: 50 }),
    side: fc.constantFrom<Side>(1, -1),
  }),
  { minLength: 1, maxLength: 120 },
);
const toTrades = (xs: readonly { dt: number; price: number; qty: number; side: Side }[]): Trade[] =>
  xs.map((x) => trade(T0 - 6 * HOUR + x.dt, x.price, x.qty, x.side));

/** Where the CVD of a bar starting at `start` counts from, found by listing every boundary (independent). */
function refSegmentStart(start: number, mode: 'none' | 'day' | 'session', withSessions: boolean): number {
  if (mode === 'none') return -Infinity;
  const starts: number[] = [];
  const offsets = mode === 'day' || !withSessions ? [0] : [0, 7 * HOUR, 13.5 * HOUR, 22 * HOUR];
  for (let d = -3; d <= 4; d++) for (const o of offsets) starts.push(T0 + d * DAY + o);
  return Math.max(...starts.filter((x) => x <= start));
}

void test('property: CVD = Σbuy − Σsell since the reset, CVD high/low = running extremes, OHLC contains open/close', () => {
  fc.assert(
    fc.property(
      tradesArb,
      fc.constantFrom('none' as const, 'day' as const, 'session' as const),
      fc.boolean(),
      fc.constantFrom('5m' as const, '1h' as const, '4h' as const),
      (xs, mode, withSessions, tf) => {
        const cfg: OrderFlowConfigInput = { timePerRow: tf, cvdReset: mode };
        if (withSessions) cfg.sessions = SESSIONS;
        const p = params(cfg);
        const trades = toTrades(xs);
        const bars = buildFootprint(trades, p);
        const s = deltaSeries(bars, p);
        const sorted = [...trades].sort((a, b) => a.ts - b.ts);
        const tfUs = { '5m': 5 * MIN, '1h': HOUR, '4h': 4 * HOUR }[tf];
        for (let i = 0; i < s.length; i++) {
          const d = s[i]!;
          const from = refSegmentStart(d.start, mode, withSessions);
          let cvd = 0;
          let hi = -Infinity;
          let lo = Infinity;
          for (const t of sorted) {
            // a reset takes effect at the first bar starting at/after the boundary: count trades by their bar
            if (Math.floor(t.ts / tfUs) * tfUs < from || t.ts >= d.end) continue;
            cvd += t.side * t.qty;
            if (t.ts >= d.start) {
              hi = Math.max(hi, cvd);
              lo = Math.min(lo, cvd);
            }
          }
          assert.equal(d.cvdClose, cvd);
          assert.equal(d.cvdOpen, cvd - d.delta);
          assert.equal(d.cvdHigh, Math.max(d.cvdOpen, hi));
          assert.equal(d.cvdLow, Math.min(d.cvdOpen, lo));
          assert.ok(
            d.cvdLow <= Math.min(d.cvdOpen, d.cvdClose) && d.cvdHigh >= Math.max(d.cvdOpen, d.cvdClose),
          );
        }
        if (mode === 'none') {
          const total = trades.reduce((a, t) => a + t.side * t.qty, 0);
          assert.equal(s[s.length - 1]!.cvdClose, total);
          assert.equal(deltaAnalysis(bars, p).cumulativeDelta, total);
        }
      },
    ),
  );
});

void test('property: momentum equals a straightforward EMA loop; acceleration its first difference', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: -1_000_000, max: 1_000_000 }), { minLength: 1, maxLength: 80 }),
      fc.integer({ min: 1, max: 30 }),
      (deltas, n) => {
        const bars = deltas.map((d, i) => bar(i, 100, 101, 99, 100, d));
        const s = deltaSeries(bars, params({ deltaSmoothingPeriod: n }));
        const alpha = 2 / (n + 1);
        let m = deltas[0]!;
        let prev = m;
        for (let i = 0; i < deltas.length; i++) {
          if (i > 0) m = m + alpha * (deltas[i]! - m);
          const tol = 1e-9 * (1 + Math.abs(m));
          assert.ok(Math.abs(s[i]!.momentum - m) <= tol, `momentum ${i}`);
          assert.ok(Math.abs(s[i]!.acceleration - (i === 0 ? 0 : m - prev)) <= 2 * tol, `acceleration ${i}`);
          prev = m;
        }
        assert.deepEqual(
          ema(deltas, n),
          s.map((b) => b.momentum),
        );
      },
    ),
  );
  // period 1 ⇒ alpha 1 ⇒ momentum is the delta itself
  assert.deepEqual(ema([3, -4, 5], 1), [3, -4, 5]);
});

void test('property: the series is causal (a prefix of bars gives a prefix of the series) and chunking-invariant', () => {
  fc.assert(
    fc.property(tradesArb, fc.integer({ min: 1, max: 20 }), fc.nat(), (xs, chunk, cut) => {
      const p = params({ timePerRow: '1h', cvdReset: 'day', deltaSmoothingPeriod: 4 });
      const trades = toTrades(xs);
      const bars = buildFootprint(trades, p);
      const full = deltaSeries(bars, p);
      const k = cut % (bars.length + 1);
      assert.deepEqual(deltaSeries(bars.slice(0, k), p), full.slice(0, k));
      const engine = new FootprintEngine(p);
      for (let i = 0; i < trades.length; i += chunk) engine.applyBatch(trades.slice(i, i + chunk));
      assert.deepEqual(deltaSeries(engine.getBars(), p), full);
    }),
  );
});

// --- exhaustion ---

void test('exhaustion: hand-worked up run, the exact 30 % boundary and the extension rule', () => {
  const p = params(); // exhaustionRunBars 3, exhaustionRatio 0.3
  // closes 100 → 101 → 102 → 103: a 3-bar up run with deltas 10, 10, 10 (Σ|δ| = 30, avg 10, 30 % = 3).
  const run = [100, 101, 102, 103];
  const runDeltas = [0, 10, 10, 10];
  const hiOf = (bars: FootprintBar[]): number => bars[bars.length - 1]!.high; // 103 + 1 = 104
  const base = barsFromCloses(run, runDeltas);
  const next = (delta: number, high: number, close = 103): FootprintBar =>
    bar(4, 103, high, 102, close, delta);
  // delta 2: 2·3·10 = 60 < 3·30 = 90 ⇒ exhausted
  let ex = deltaExhaustions([...base, next(2, hiOf(base) + 1)], p);
  assert.deepEqual(ex, [
    { barStart: T0 + 4 * MIN, direction: 'up', runBars: 3, delta: 2, runAvgAbsDelta: 10 },
  ]);
  // delta 3 is exactly 30 %: 3·3·10 = 90 < 90 is false ⇒ not exhausted
  assert.deepEqual(deltaExhaustions([...base, next(3, hiOf(base) + 1)], p), []);
  // a push against the move (negative delta) while extending is exhausted
  assert.equal(deltaExhaustions([...base, next(-5, hiOf(base) + 1)], p).length, 1);
  // equal high does not extend the move
  assert.deepEqual(deltaExhaustions([...base, next(0, hiOf(base))], p), []);
  // a run of only 2 bars is not enough
  assert.deepEqual(deltaExhaustions([...barsFromCloses([101, 102, 103], [0, 10, 10]), next(0, 200)], p), []);
  // with exhaustionRunBars 2 it is
  assert.equal(
    deltaExhaustions(
      [...barsFromCloses([101, 102, 103], [0, 10, 10]), next(0, 200)],
      params({ exhaustionRunBars: 2 }),
    ).length,
    1,
  );
  // the whole run is averaged: deltas 10, −20, 30, 40 over a 4-bar run ⇒ Σ = 100, 30 % of avg 25 = 7.5
  const long = barsFromCloses([99, 100, 101, 102, 103], [0, 10, -20, 30, 40]);
  ex = deltaExhaustions([...long, bar(5, 103, 200, 102, 103, 7)], p); // 7·4·10 = 280 < 3·100 = 300
  assert.equal(ex.length, 1);
  assert.equal(ex[0]!.runBars, 4);
  assert.equal(ex[0]!.runAvgAbsDelta, 25);
  assert.deepEqual(deltaExhaustions([...long, bar(5, 103, 200, 102, 103, 8)], p), []); // 320 ≥ 300
});

void test('exhaustion: down run mirror, zero rule, flat closes break a run, isExhausted is about the latest bar', () => {
  const p = params();
  const down = barsFromCloses([103, 102, 101, 100], [0, -10, -10, -10]); // low of the last bar: 100 − 1 = 99
  // in the move's direction the delta is −delta: −(−2) = 2 < 3 ⇒ exhausted
  const ex = deltaExhaustions([...down, bar(4, 100, 101, 98, 100, -2)], p);
  assert.deepEqual(ex, [
    { barStart: T0 + 4 * MIN, direction: 'down', runBars: 3, delta: -2, runAvgAbsDelta: 10 },
  ]);
  assert.deepEqual(deltaExhaustions([...down, bar(4, 100, 101, 98, 100, -3)], p), []); // exactly 30 %
  assert.deepEqual(deltaExhaustions([...down, bar(4, 100, 101, 99, 100, 0)], p), []); // equal low: no extension
  // zero rule: a run with no delta at all and a zero-delta bar: 0 < 0 is false ⇒ not exhausted
  const flat = barsFromCloses([100, 101, 102, 103], [0, 0, 0, 0]);
  assert.deepEqual(deltaExhaustions([...flat, bar(4, 103, 200, 102, 103, 0)], p), []);
  // an unchanged close ends the run
  const broken = barsFromCloses([100, 101, 102, 102, 103], [0, 10, 10, 10, 10]);
  assert.deepEqual(deltaExhaustions([...broken, bar(5, 103, 200, 102, 103, 0)], p), []);

  const withEx = [...down, bar(4, 100, 101, 98, 100, -2)];
  assert.equal(deltaAnalysis(withEx, p).isExhausted, true);
  const after = [...withEx, bar(5, 100, 100, 99, 100, 0)];
  const a = deltaAnalysis(after, p);
  assert.equal(a.isExhausted, false);
  assert.equal(a.exhaustions.length, 1);
});

void test('property: exhaustion equals a brute-force scan of every bar', () => {
  const p = params({ exhaustionRunBars: 2, exhaustionRatio: '0.3' });
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          c: fc.integer({ min: 95, max: 105 }),
          w: fc.nat(2),
          d: fc.integer({ min: -20, max: 20 }),
        }),
        { maxLength: 40 },
      ),
      (xs) => {
        const bars = xs.map((x, i) => {
          const o = i === 0 ? x.c : xs[i - 1]!.c;
          return bar(i, o, Math.max(o, x.c) + x.w, Math.min(o, x.c) - x.w, x.c, x.d);
        });
        const expected: string[] = [];
        for (let k = 1; k < bars.length; k++) {
          for (const dir of [1, -1]) {
            let r = 0;
            let sum = 0;
            for (let j = k - 1; j >= 1 && dir * (bars[j]!.close - bars[j - 1]!.close) > 0; j--) {
              r++;
              sum += Math.abs(bars[j]!.delta);
            }
            if (r < 2) continue;
            const b = bars[k]!;
            const pr = bars[k - 1]!;
            const extendsMove = dir === 1 ? b.high > pr.high : b.low < pr.low;
            // delta·dir < 0.3 · sum / r  ⇔  10·delta·dir·r < 3·sum (small integers: exact)
            if (extendsMove && 10 * dir * b.delta * r < 3 * sum) expected.push(`${b.start}:${dir}:${r}`);
          }
        }
        const got = deltaExhaustions(bars, p).map(
          (e) => `${e.barStart}:${e.direction === 'up' ? 1 : -1}:${e.runBars}`,
        );
        assert.deepEqual(got, expected);
      },
    ),
  );
});
