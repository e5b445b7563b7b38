// Real-time metrics: price, day/session delta, pressure window boundaries, the liquidity index on constructed
// minutes, bounded memory, and incremental (any order, any chunking) = batch = a naive recomputation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { computeMetrics, MetricsEngine, type MetricsSnapshot } from '../../src/engines/metrics.ts';
import type { AnalyticsParams } from '../../src/core/params.ts';
import type { Trade } from '../../src/core/trade.ts';
import type { Side } from '../../src/core/units.ts';
import { params, trade } from '../helpers.ts';

const SEC = 1_000_000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2024, 0, 1) * 1000; // a UTC midnight

function run(p: AnalyticsParams, trades: readonly Trade[]): MetricsSnapshot {
  const e = new MetricsEngine(p);
  e.applyBatch(trades);
  return e.snapshot();
}

void test('no trades: neutral snapshot', () => {
  assert.deepEqual(new MetricsEngine(params()).snapshot(), {
    now: null,
    currentPrice: null,
    cumulativeDelta: 0,
    sessionDelta: 0,
    sessionStart: null,
    buyPressure: 50,
    sellPressure: 50,
    liquidityIndex: null,
  });
});

void test('current price: the latest trade by time; a late trade does not change it; equal times: arrival order', () => {
  const e = new MetricsEngine(params());
  e.apply(trade(T0 + 10, 500, 1, 1));
  e.apply(trade(T0 + 5, 400, 1, 1)); // late
  assert.equal(e.snapshot().currentPrice, 500);
  assert.equal(e.snapshot().now, T0 + 10);
  e.apply(trade(T0 + 10, 501, 1, -1)); // same time, arrived later
  assert.equal(e.snapshot().currentPrice, 501);
});

void test('pressure window (now − 5m, now]: the trade exactly 5 minutes old is out, one µs younger is in', () => {
  const now = T0 + 10 * MIN;
  const e = new MetricsEngine(params()); // pressureWindow 5m
  e.applyBatch([
    trade(now - 5 * MIN, 100, 10, 1), // ts = now − W: excluded
    trade(now - 5 * MIN + 1, 100, 3, -1), // included
    trade(now, 100, 7, 1),
  ]);
  // buy 7, sell 3 ⇒ 70 / 30
  let s = e.snapshot();
  assert.equal(s.buyPressure, 70);
  assert.equal(s.sellPressure, 30);
  e.apply(trade(now - 5 * MIN - 1, 100, 100, 1)); // late and out of the window: ignored
  e.apply(trade(now - MIN, 100, 7, -1)); // late, inside: buy 7, sell 10
  s = e.snapshot();
  assert.equal(s.buyPressure, (7 / 17) * 100);
  assert.equal(s.sellPressure, 100 - (7 / 17) * 100);
  // one µs later the sell of 3 at now − 5m + 1 leaves the window: buy 7 + 1, sell 7
  e.apply(trade(now + 1, 100, 1, 1));
  assert.equal(e.snapshot().buyPressure, (8 / 15) * 100);
  // a window with only zero-quantity trades is 50/50
  assert.equal(run(params(), [trade(T0, 100, 0, 1)]).buyPressure, 50);
});

void test('cumulative delta restarts at the UTC day start of the latest trade', () => {
  const e = new MetricsEngine(params());
  e.apply(trade(T0 + DAY - SEC, 100, 5, 1));
  assert.equal(e.snapshot().cumulativeDelta, 5);
  e.apply(trade(T0 + DAY, 100, 2, -1)); // exactly midnight belongs to the new day
  assert.equal(e.snapshot().cumulativeDelta, -2);
  e.apply(trade(T0 + DAY - 2 * SEC, 100, 100, 1)); // late, previous day: not counted
  assert.equal(e.snapshot().cumulativeDelta, -2);
  e.apply(trade(T0 + DAY + 1, 100, 1, 1)); // same day
  e.apply(trade(T0 + DAY + 1, 100, 4, -1));
  assert.equal(e.snapshot().cumulativeDelta, -5);
  // without sessions, the session is the UTC day
  assert.equal(e.snapshot().sessionDelta, -5);
  assert.equal(e.snapshot().sessionStart, T0 + DAY);
});

void test('session delta: the window that began last, kept after it ends; day delta unaffected', () => {
  const p = params({
    sessions: [
      { name: 'asia', start: '00:00', end: '08:00' },
      { name: 'europe', start: '07:00', end: '16:00' },
    ],
  });
  const e = new MetricsEngine(p);
  e.apply(trade(T0 + 6 * HOUR, 100, 4, 1));
  assert.deepEqual(
    [e.snapshot().sessionDelta, e.snapshot().cumulativeDelta, e.snapshot().sessionStart],
    [4, 4, T0],
  );
  e.apply(trade(T0 + 7 * HOUR, 100, 1, -1)); // europe starts (asia still open): session = europe
  assert.deepEqual(
    [e.snapshot().sessionDelta, e.snapshot().cumulativeDelta, e.snapshot().sessionStart],
    [-1, 3, T0 + 7 * HOUR],
  );
  e.apply(trade(T0 + 7 * HOUR - 1, 100, 50, 1)); // late, before the session start: day only
  e.apply(trade(T0 + 17 * HOUR, 100, 2, 1)); // europe ended at 16:00; still the latest session start
  assert.deepEqual(
    [e.snapshot().sessionDelta, e.snapshot().cumulativeDelta, e.snapshot().sessionStart],
    [1, 55, T0 + 7 * HOUR],
  );
  e.apply(trade(T0 + DAY + 1, 100, 3, -1)); // next day's asia
  assert.deepEqual(
    [e.snapshot().sessionDelta, e.snapshot().cumulativeDelta, e.snapshot().sessionStart],
    [-3, -3, T0 + DAY],
  );
});

/** Trades filling one minute: `qty` lots spread over the given prices (first price takes the remainder). */
function minute(m: number, qty: number, prices: readonly number[]): Trade[] {
  const each = Math.floor(qty / prices.length);
  return prices.map((px, i) =>
    trade(
      T0 + m * MIN + (i + 1) * SEC,
      px,
      i === 0 ? qty - each * (prices.length - 1) : each,
      i % 2 ? -1 : 1,
    ),
  );
}

void test('liquidity index on constructed minutes (window and tie rules)', () => {
  const p = params({ ticksPerRow: 10 }); // row = floor(price / 10); liquidityWindow 5m, lookback 1d
  const trades = [
    ...minute(0, 120, [1000, 1039]), // rows 100..103 ⇒ 4 rows ⇒ v = 30 (cur − 6m: outside the 5m window)
    ...minute(1, 6, [1000]), // 1 row ⇒ v = 6
    ...minute(2, 9, [1000, 1025]), // rows 100..102 ⇒ 3 rows ⇒ v = 3
    // minute 3: no trades (not counted anywhere)
    ...minute(4, 20, [1005, 1012]), // rows 100..101 ⇒ v = 10
    ...minute(5, 5, [1001]), // v = 5
    ...minute(6, 1_000_000, [1000]), // the current, open minute: never used
  ];
  // window minutes 1..5 with trades: mean (6 + 3 + 10 + 5) / 4 = 6
  // population 0..5 with trades: 30, 6, 3, 10, 5 ⇒ #{v ≤ 6} = 3 (6 counts: ties are ≤) ⇒ 100·3/5 = 60
  assert.equal(run(p, trades).liquidityIndex, 60);
  // if minute 0 were in the window the mean would be 54/5 = 10.8 and the index 100: the window edge matters
  // lookback edge: with a 5m lookback only minutes 1..5 are ranked: #{6, 3, 5} = 3 of 4 ⇒ 75
  assert.equal(run(params({ ticksPerRow: 10, liquidityLookback: '5m' }), trades).liquidityIndex, 75);
  // a 6m lookback reaches minute 0 (start = cur − 6m is included)
  assert.equal(run(params({ ticksPerRow: 10, liquidityLookback: '6m' }), trades).liquidityIndex, 60);
  // all minutes alike (v = 1/3 each, not exact in binary): every v ≤ mean ⇒ 100
  const thirds = [0, 1, 2, 3, 4].flatMap((m) => [
    trade(T0 + m * MIN, 1000, 1, 1),
    trade(T0 + m * MIN + SEC, 1029, 0, -1), // rows 100..102, volume 1 ⇒ v = 1/3
  ]);
  thirds.push(trade(T0 + 5 * MIN, 1000, 1, 1));
  assert.equal(run(params({ ticksPerRow: 10 }), thirds).liquidityIndex, 100);
});

void test('liquidity index is null without closed minutes, or without closed minutes in the window', () => {
  const p = params();
  assert.equal(run(p, minute(0, 10, [100, 101])).liquidityIndex, null); // only the open minute
  // a closed minute 10 minutes ago, none in the last 5: nothing recent to rank
  assert.equal(run(p, [...minute(0, 10, [100]), trade(T0 + 10 * MIN, 100, 1, 1)]).liquidityIndex, null);
  // one closed minute inside the window ranks against itself: 100
  assert.equal(run(p, [...minute(0, 10, [100]), trade(T0 + MIN, 100, 1, 1)]).liquidityIndex, 100);
});

void test('memory stays bounded: old minutes and pressure entries are dropped', () => {
  const e = new MetricsEngine(params()); // lookback 1d, pressure 5m
  for (let ts = T0; ts < T0 + 3 * DAY; ts += 10 * SEC) e.apply(trade(ts, 100, 1, 1));
  const r = e.retained;
  assert.ok(r.minutes <= 24 * 60 + 1, `minutes ${r.minutes}`);
  assert.ok(r.windowTrades <= 2 * 4096 + 31, `window trades ${r.windowTrades}`);
  const s = e.snapshot();
  assert.equal(s.buyPressure, 100);
  assert.equal(s.cumulativeDelta, DAY / (10 * SEC)); // one lot every 10 s of the last day
  assert.equal(s.liquidityIndex, 100); // every minute alike
});

// --- incremental = batch = naive recomputation ---

const SESSIONS = [
  { name: 'a', start: '00:00', end: '08:00' },
  { name: 'b', start: '23:50', end: '02:00' },
];

/** Everything from scratch over all trades: no pruning, no running sums. */
function reference(trades: readonly Trade[], p: AnalyticsParams, withSessions: boolean): MetricsSnapshot {
  let last = trades[0]!;
  for (const t of trades) if (t.ts > last.ts) last = t;
  const now = last.ts as number;
  const dayStart = Math.floor(now / DAY) * DAY;
  const starts: number[] = [];
  const offsets = withSessions ? [0, 23 * HOUR + 50 * MIN] : [0];
  for (let d = -2; d <= 2; d++) for (const o of offsets) starts.push(dayStart + d * DAY + o);
  const sessionStart = Math.max(...starts.filter((x) => x <= now));
  const sum = (f: (t: Trade) => boolean): number => trades.filter(f).reduce((a, t) => a + t.side * t.qty, 0);
  const inWin = trades.filter((t) => t.ts > now - p.pressureWindowUs);
  const buy = inWin.filter((t) => t.side === 1).reduce((a, t) => a + t.qty, 0);
  const sell = inWin.filter((t) => t.side === -1).reduce((a, t) => a + t.qty, 0);
  const cur = Math.floor(now / MIN) * MIN;
  const byMinute = new Map<number, Trade[]>();
  for (const t of trades) {
    const m = Math.floor(t.ts / MIN) * MIN;
    byMinute.set(m, [...(byMinute.get(m) ?? []), t]);
  }
  const vOf = (ts: Trade[]): [bigint, bigint] => {
    const rows = ts.map((t) => Math.floor(t.price / p.rowTicks));
    const vol = ts.reduce((a, t) => a + t.qty, 0);
    return [BigInt(vol), BigInt(Math.max(1, Math.max(...rows) - Math.min(...rows) + 1))];
  };
  const pop = [...byMinute]
    .filter(([m]) => m < cur && m >= cur - p.liquidityLookbackUs)
    .map(([, ts]) => vOf(ts));
  const rec = [...byMinute]
    .filter(([m]) => m < cur && m >= cur - p.liquidityWindowUs)
    .map(([, ts]) => vOf(ts));
  let liquidityIndex: number | null = null;
  if (pop.length > 0 && rec.length > 0) {
    // v ≤ (Σ vol_j/r_j)/k  ⇔  k·vol·P ≤ r · Σ vol_j·(P/r_j), P = Π r_j
    const P = rec.reduce((a, [, r]) => a * r, 1n);
    const S = rec.reduce((a, [v, r]) => a + v * (P / r), 0n);
    const k = BigInt(rec.length);
    liquidityIndex = (100 * pop.filter(([v, r]) => k * v * P <= r * S).length) / pop.length;
  }
  const bp = buy + sell === 0 ? 50 : (buy / (buy + sell)) * 100;
  return {
    now,
    currentPrice: last.price,
    cumulativeDelta: sum((t) => t.ts >= dayStart),
    sessionDelta: sum((t) => t.ts >= sessionStart),
    sessionStart,
    buyPressure: bp,
    sellPressure: buy + sell === 0 ? 50 : 100 - bp,
    liquidityIndex,
  };
}

void test('property: any order and chunking = computeMetrics = naive recomputation, at every step', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(
        fc.record({
          dt: fc.integer({ min: 0, max: 40 * MIN }),
          price: fc.integer({ min: 95, max: 125 }),
          qty: fc.integer({ min: 0, max: 30 }),
          side: fc.constantFrom<Side>(1, -1),
        }),
        { minLength: 1, maxLength: 80, selector: (x) => x.dt },
      ),
      fc.boolean(),
      fc.integer({ min: 1, max: 10 }),
      fc.constantFrom(1, 4),
      (xs, withSessions, chunk, rowTicks) => {
        const p = params({
          ticksPerRow: rowTicks,
          pressureWindow: '2m',
          liquidityWindow: '3m',
          liquidityLookback: '10m',
          ...(withSessions ? { sessions: SESSIONS } : {}),
        });
        // around midnight, with exact-minute and exact-window times likely (dt in whole seconds half the time)
        const trades = xs.map((x) =>
          trade(T0 + DAY - 20 * MIN + (x.dt % 2 ? x.dt : x.dt - (x.dt % SEC)), x.price, x.qty, x.side),
        );
        const unique = new Map(trades.map((t) => [t.ts, t]));
        const arrival = [...unique.values()];
        const e = new MetricsEngine(p);
        for (let i = 0; i < arrival.length; i += chunk) {
          e.applyBatch(arrival.slice(i, i + chunk));
          assert.deepEqual(e.snapshot(), reference(arrival.slice(0, i + chunk), p, withSessions));
        }
        assert.deepEqual(computeMetrics(arrival, p), e.snapshot());
        assert.deepEqual(computeMetrics([...arrival].reverse(), p), e.snapshot());
      },
    ),
    { numRuns: 300 },
  );
});
