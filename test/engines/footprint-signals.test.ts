// Unfinished auctions, exhaustion prints, absorption and naked POCs: hand-worked bars for each rule and boundary,
// and random bars checked against a brute-force recomputation from the raw trades.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { OrderFlowConfigInput } from '../../src/core/config.ts';
import type { AnalyticsParams } from '../../src/core/params.ts';
import type { Trade } from '../../src/core/trade.ts';
import { US_PER_MINUTE } from '../../src/core/time.ts';
import { buildFootprint, type FootprintBar } from '../../src/engines/footprint.ts';
import {
  absorptions,
  exhaustionPrint,
  nakedPocs,
  rowVolumes,
  unfinishedAuction,
  type Absorption,
  type NakedPoc,
} from '../../src/engines/footprint-signals.ts';
import { mkBar, params, trade } from '../helpers.ts';

const M = US_PER_MINUTE;

/** Trades of one minute: [priceTicks, buyLots, sellLots] per price. */
function minute(m: number, prints: readonly (readonly [number, number, number])[]): Trade[] {
  const out: Trade[] = [];
  prints.forEach(([price, b, s], i) => {
    if (b > 0) out.push(trade(m * M + 2 * i, price, b, 1));
    if (s > 0) out.push(trade(m * M + 2 * i + 1, price, s, -1));
  });
  return out;
}

const barsOf = (p: AnalyticsParams, ...minutes: Trade[][]): FootprintBar[] =>
  buildFootprint(minutes.flat(), p);

void test('rowVolumes fills untraded rows with zeros between the low and high rows', () => {
  const v = rowVolumes(
    mkBar(0, [
      [10, 1, 2],
      [13, 4, 0],
    ]),
  );
  assert.deepEqual(v, { lowRow: 10, highRow: 13, buy: [1, 0, 0, 4], sell: [2, 0, 0, 0] });
  const empty = { ...mkBar(0, [[1, 1, 1]]), cells: [] };
  assert.deepEqual(rowVolumes(empty), { lowRow: 0, highRow: -1, buy: [], sell: [] });
});

void test('unfinished auction: both sides strictly above the threshold at the high row and at the low row', () => {
  const bar = mkBar(0, [
    [10, 1, 1], // low row: both > 0 → unfinished low (min 0)
    [11, 5, 5],
    [12, 3, 0], // high row: no sell → finished
  ]);
  assert.deepEqual(unfinishedAuction(bar), { high: false, low: true });
  assert.deepEqual(unfinishedAuction(bar, 0), { high: false, low: true });
  // min 1: 1 > 1 is false → the low is finished too (strictly above).
  assert.deepEqual(unfinishedAuction(bar, 1), { high: false, low: false });
  const both = mkBar(0, [
    [10, 3, 2],
    [12, 3, 3],
  ]);
  assert.deepEqual(unfinishedAuction(both, 0), { high: true, low: true });
  assert.deepEqual(unfinishedAuction(both, 2), { high: true, low: false }); // low sell 2 is not > 2
  assert.deepEqual(unfinishedAuction(both, 3), { high: false, low: false });
  // The config threshold in base units resolves to lots (0.002 at lot 0.001 ⇒ 2).
  assert.equal(params({ unfinishedAuctionMinVolume: '0.002' }).unfinishedMinLots, 2);
  // A one-row bar is its own high and low row.
  assert.deepEqual(unfinishedAuction(mkBar(0, [[7, 1, 1]])), { high: true, low: true });
  assert.deepEqual(unfinishedAuction({ ...bar, cells: [] }), { high: false, low: false });
});

void test('exhaustion print: strictly decreasing buy into the high, sell into the low; equal volumes break it', () => {
  // n = 3. High rows 14, 13, 12 have buy 1 < 2 < 3 → high exhaustion. Low rows 10, 11, 12 have sell 1 < 2 < 5.
  const bar = mkBar(0, [
    [10, 0, 1],
    [11, 0, 2],
    [12, 3, 5],
    [13, 2, 0],
    [14, 1, 0],
  ]);
  assert.deepEqual(exhaustionPrint(bar, 3, 1), { high: true, low: true });
  // n = 4 adds row 11 (buy 0 is not > 3) and row 13 (sell 0 is not > 5).
  assert.deepEqual(exhaustionPrint(bar, 4, 1), { high: false, low: false });
  // Equal neighbours: buy 2, 2 at rows 14, 13 → not strictly decreasing.
  const flat = mkBar(0, [
    [10, 0, 1],
    [11, 0, 1],
    [12, 3, 5],
    [13, 2, 0],
    [14, 2, 0],
  ]);
  assert.deepEqual(exhaustionPrint(flat, 3, 1), { high: false, low: false });
  // An untraded row inside counts 0: rows 14, 13, 12 = 1, 0, 3 → 1 < 0 fails.
  const hole = mkBar(0, [
    [10, 0, 1],
    [12, 3, 5],
    [14, 1, 0],
  ]);
  assert.deepEqual(exhaustionPrint(hole, 3, 1).high, false);
  // A top row with no buys at all is the driest: 0 < 2 < 3.
  const dry = mkBar(0, [
    [12, 3, 0],
    [13, 2, 0],
    [14, 0, 4],
  ]);
  assert.deepEqual(exhaustionPrint(dry, 3, 1).high, true);
  // A bar spanning fewer than n rows never qualifies; n < 2 has nothing to compare.
  assert.deepEqual(exhaustionPrint(bar, 6, 1), { high: false, low: false });
  assert.deepEqual(exhaustionPrint(bar, 1, 1), { high: false, low: false });
  assert.deepEqual(exhaustionPrint({ ...bar, cells: [] }, 3, 1), { high: false, low: false });
});

void test('exhaustion print maps prices to rows with floor(ticks / rowTicks)', () => {
  const p = params({ ticksPerRow: 2, exhaustionRows: 3 });
  // Rows: ticks 20–21 → row 10, 22–23 → 11, 24–25 → 12. Buy into the high: row 12 = 1, row 11 = 2, row 10 = 4.
  const [bar] = barsOf(
    p,
    minute(0, [
      [21, 4, 0],
      [22, 1, 0],
      [23, 1, 0],
      [25, 1, 0],
    ]),
  );
  assert.deepEqual(exhaustionPrint(bar!, p.exhaustionRows, p.rowTicks), { high: true, low: false });
  // With one tick per row the same prints span rows 21..25 and break the run (row 24 is empty).
  assert.equal(exhaustionPrint(bar!, 3, 1).high, false);
});

// Absorption: factor 3, up to 2 rows beyond, within the next 3 bars (the defaults).
const P = params();

void test('absorption defaults resolve to factor 3, 2 rows, 3 bars', () => {
  assert.deepEqual(P.absorption, { factor: { num: 3, den: 1 }, rows: 2, bars: 3 });
});

// Bar 0: row 10 sell 9; rows 11–14 total 3 each → median of [3,3,3,3,9] = 3; 9 ≥ 3·3 at the low.
const heavyLow = (sellAtLow: number): Trade[] =>
  minute(0, [
    [10, 0, sellAtLow],
    [11, 3, 0],
    [12, 3, 0],
    [13, 2, 1],
    [14, 3, 0],
  ]);
const quiet = (m: number, low: number): Trade[] => minute(m, [[low, 1, 0]]);

void test('absorption at the low: ≥ factor × median (equality counts), decided once N later bars exist', () => {
  const hit: Absorption = { barStart: 0, row: 10, side: 'sell', volume: 9 };
  assert.deepEqual(absorptions(barsOf(P, heavyLow(9), quiet(1, 12), quiet(2, 12), quiet(3, 12)), P), [hit]);
  // 8 < 3·3.
  assert.deepEqual(absorptions(barsOf(P, heavyLow(8), quiet(1, 12), quiet(2, 12), quiet(3, 12)), P), []);
  // Only two later bars: not decided, not reported.
  assert.deepEqual(absorptions(barsOf(P, heavyLow(9), quiet(1, 12), quiet(2, 12)), P), []);
  // Follow-through limit: a later low at row 8 = 10 − 2 is allowed; row 7 is beyond.
  assert.deepEqual(absorptions(barsOf(P, heavyLow(9), quiet(1, 12), quiet(2, 8), quiet(3, 12)), P), [hit]);
  assert.deepEqual(absorptions(barsOf(P, heavyLow(9), quiet(1, 12), quiet(2, 7), quiet(3, 12)), P), []);
  // Only the next 3 bars matter: the 4th later bar may go anywhere.
  assert.deepEqual(
    absorptions(barsOf(P, heavyLow(9), quiet(1, 12), quiet(2, 12), quiet(3, 12), quiet(4, 0)), P)[0],
    hit,
  );
  // Buys at the low are not pushing into it.
  const buyLow = minute(0, [
    [10, 9, 0],
    [11, 3, 0],
    [12, 3, 0],
  ]);
  assert.deepEqual(absorptions(barsOf(P, buyLow, quiet(1, 12), quiet(2, 12), quiet(3, 12)), P), []);
});

void test('absorption median of an even count is the mean of the middle two, compared exactly', () => {
  // Rows 10: sell X, 11: 2, 12: 5, 13: 1 → sorted [1, 2, 5, X] with X ≥ 5 → median 3.5, threshold 10.5.
  const bar = (x: number): Trade[] =>
    minute(0, [
      [10, 0, x],
      [11, 2, 0],
      [12, 5, 0],
      [13, 1, 0],
    ]);
  const later = [quiet(1, 12), quiet(2, 12), quiet(3, 12)];
  assert.equal(absorptions(barsOf(P, bar(11), ...later), P).length, 1);
  assert.equal(absorptions(barsOf(P, bar(10), ...later), P).length, 0);
  // Factor 2.5 with median (2 + 2) / 2 = 2 → 5 is enough, 4 is not.
  const p = params({ absorptionFactor: '2.5' });
  const b2 = (x: number): Trade[] =>
    minute(0, [
      [10, 0, x],
      [11, 2, 0],
      [12, 2, 0],
      [13, 2, 0],
    ]);
  assert.equal(absorptions(barsOf(p, b2(5), ...later), p).length, 1);
  assert.equal(absorptions(barsOf(p, b2(4), ...later), p).length, 0);
});

void test('absorption at the high mirrors the low; a one-row bar can absorb on both sides', () => {
  // Rows 20: sell 1, 21: buy 1, 22: buy 1, 23: buy 3 → median of [1,1,1,3] = 1; buy 3 ≥ 3 at the high row 23.
  const top = minute(0, [
    [20, 0, 1],
    [21, 1, 0],
    [22, 1, 0],
    [23, 3, 0],
  ]);
  const hit: Absorption = { barStart: 0, row: 23, side: 'buy', volume: 3 };
  assert.deepEqual(absorptions(barsOf(P, top, quiet(1, 25), quiet(2, 21), quiet(3, 21)), P), [hit]);
  assert.deepEqual(absorptions(barsOf(P, top, quiet(1, 26), quiet(2, 21), quiet(3, 21)), P), []);
  // One row, buy 5 sell 5: median 10, factor 0.5 → 5 ≥ 5 on both sides; the low (sell) comes first.
  const p = params({ absorptionFactor: '0.5', absorptionBars: 1 });
  assert.deepEqual(absorptions(barsOf(p, minute(0, [[10, 5, 5]]), quiet(1, 10)), p), [
    { barStart: 0, row: 10, side: 'sell', volume: 5 },
    { barStart: 0, row: 10, side: 'buy', volume: 5 },
  ]);
  // Factor 0 makes any volume enough, but nothing absorbed is not an absorption: the low here has no sells.
  const zero = params({ absorptionFactor: '0', absorptionBars: 1 });
  assert.deepEqual(absorptions(barsOf(zero, minute(0, [[10, 2, 0]]), quiet(1, 10)), zero), [
    { barStart: 0, row: 10, side: 'buy', volume: 2 },
  ]);
});

void test('absorption rows are price rows: floor(ticks / rowTicks) for the later bars too', () => {
  const p = params({ ticksPerRow: 2 });
  // Bar 0 in ticks: 20 (row 10) sell 9; 22, 24, 26, 28 (rows 11–14) 3 lots each.
  const bar0 = minute(0, [
    [20, 0, 9],
    [22, 3, 0],
    [24, 3, 0],
    [26, 3, 0],
    [28, 3, 0],
  ]);
  // Row 8 covers ticks 16–17: a later low at tick 16 stays within 2 rows, tick 15 (row 7) does not.
  assert.equal(absorptions(barsOf(p, bar0, quiet(1, 16), quiet(2, 24), quiet(3, 24)), p).length, 1);
  assert.equal(absorptions(barsOf(p, bar0, quiet(1, 15), quiet(2, 24), quiet(3, 24)), p).length, 0);
});

void test('naked POC: covered by a later bar whose range spans it, even without a trade in the row', () => {
  const p = params();
  const bars = barsOf(
    p,
    minute(0, [
      [11, 1, 0],
      [12, 5, 0],
      [13, 1, 0],
    ]), // POC 12
    minute(1, [
      [14, 1, 0],
      [16, 1, 0],
    ]), // POC tie 14/16 around 15 → lower: 14. Range 14–16: 12 stays naked.
    minute(2, [
      [8, 1, 0],
      [11, 1, 0],
    ]), // POC 8; range 8–11 misses 12 and 14.
    minute(3, [
      [10, 1, 0],
      [20, 1, 0],
    ]), // POC 10; range 10–20 jumps over 12 and 14: both covered here.
    minute(5, [
      [5, 1, 0],
      [8, 1, 0],
    ]), // POC 5; its high row 8 equals bar 2's POC: covered (edge). 10 is not covered.
  );
  const expected: NakedPoc[] = [
    { barStart: 0, row: 12, nakedUntil: 3 * M },
    { barStart: M, row: 14, nakedUntil: 3 * M },
    { barStart: 2 * M, row: 8, nakedUntil: 5 * M },
    { barStart: 3 * M, row: 10 },
    { barStart: 5 * M, row: 5 },
  ];
  assert.deepEqual(nakedPocs(bars), expected);
  assert.deepEqual(nakedPocs([]), []);
});

void test('all signals match a brute-force recomputation from the raw trades on random bars', () => {
  fc.assert(
    fc.property(randomCase(), ({ cfg, trades }) => {
      const p = params(cfg);
      const bars = buildFootprint(trades, p);
      const bf = bruteForce(trades, p);
      assert.deepEqual(
        bars.map((b) => unfinishedAuction(b, p.unfinishedMinLots)),
        bf.unfinished,
      );
      assert.deepEqual(
        bars.map((b) => exhaustionPrint(b, p.exhaustionRows, p.rowTicks)),
        bf.exhaustion,
      );
      assert.deepEqual(absorptions(bars, p), bf.absorptions);
      assert.deepEqual(nakedPocs(bars), bf.naked);
      for (const b of bars) {
        const v = rowVolumes(b);
        assert.equal(
          v.buy.reduce((s, x) => s + x, 0),
          b.buy,
        );
        assert.equal(
          v.sell.reduce((s, x) => s + x, 0),
          b.sell,
        );
      }
    }),
    { numRuns: 300 },
  );
});

function randomCase(): fc.Arbitrary<{ cfg: OrderFlowConfigInput; trades: Trade[] }> {
  const cfg = fc.record({
    ticksPerRow: fc.integer({ min: 1, max: 3 }),
    exhaustionRows: fc.integer({ min: 2, max: 5 }),
    unfinishedAuctionMinVolume: fc.constantFrom('0', '0.002'),
    absorptionFactor: fc.constantFrom('3', '2.5', '1.5', '0.5'),
    absorptionTicks: fc.integer({ min: 0, max: 2 }),
    absorptionBars: fc.integer({ min: 1, max: 3 }),
  });
  const tr = fc.record({
    ts: fc.integer({ min: 0, max: 8 * M - 1 }),
    price: fc.integer({ min: 1000, max: 1012 }),
    qty: fc.integer({ min: 1, max: 9 }),
    buy: fc.boolean(),
  });
  return fc.record({ cfg, raw: fc.array(tr, { maxLength: 100, size: 'max' }) }).map(({ cfg, raw }) => ({
    cfg,
    trades: raw.map((t) => trade(t.ts, t.price, t.qty, t.buy ? 1 : -1)),
  }));
}

/** Straight from the definitions, on per-minute maps of row → volumes built from the trades. */
function bruteForce(trades: readonly Trade[], p: AnalyticsParams) {
  interface B {
    start: number;
    rows: Map<number, { buy: number; sell: number }>;
    lo: number; // row of the lowest price
    hi: number; // row of the highest price
  }
  const byStart = new Map<number, B>();
  for (const t of trades) {
    const start = Math.floor(t.ts / M) * M;
    const row = Math.floor(t.price / p.rowTicks);
    let b = byStart.get(start);
    if (b === undefined) {
      b = { start, rows: new Map(), lo: Infinity, hi: -Infinity };
      byStart.set(start, b);
    }
    const v = b.rows.get(row) ?? { buy: 0, sell: 0 };
    b.rows.set(row, v);
    if (t.side === 1) v.buy += t.qty;
    else v.sell += t.qty;
    b.lo = Math.min(b.lo, row);
    b.hi = Math.max(b.hi, row);
  }
  const bars = [...byStart.values()].sort((a, b) => a.start - b.start);
  const buy = (b: B, r: number): number => b.rows.get(r)?.buy ?? 0;
  const sell = (b: B, r: number): number => b.rows.get(r)?.sell ?? 0;
  const min = p.unfinishedMinLots;
  const n = p.exhaustionRows;

  const unfinished = bars.map((b) => ({
    high: buy(b, b.hi) > min && sell(b, b.hi) > min,
    low: buy(b, b.lo) > min && sell(b, b.lo) > min,
  }));

  const exhaustion = bars.map((b) => {
    if (b.hi - b.lo + 1 < n) return { high: false, low: false };
    const up: number[] = []; // buy volumes from the high row downwards
    const down: number[] = []; // sell volumes from the low row upwards
    for (let k = 0; k < n; k++) {
      up.push(buy(b, b.hi - k));
      down.push(sell(b, b.lo + k));
    }
    const increasing = (xs: number[]): boolean => xs.every((x, i) => i === 0 || xs[i - 1]! < x);
    return { high: increasing(up), low: increasing(down) };
  });

  const factor = p.absorption.factor.num / p.absorption.factor.den; // exact in binary for the factors used
  const found: Absorption[] = [];
  bars.forEach((b, i) => {
    const next = bars.slice(i + 1, i + 1 + p.absorption.bars);
    if (next.length < p.absorption.bars) return;
    const totals = [...b.rows.values()].map((v) => v.buy + v.sell).sort((x, y) => x - y);
    const mid = totals.length / 2;
    const median = totals.length % 2 === 1 ? totals[Math.floor(mid)]! : (totals[mid - 1]! + totals[mid]!) / 2;
    const lowSell = sell(b, b.lo);
    if (lowSell > 0 && lowSell >= factor * median && next.every((x) => x.lo >= b.lo - p.absorption.rows)) {
      found.push({ barStart: b.start, row: b.lo, side: 'sell', volume: lowSell });
    }
    const highBuy = buy(b, b.hi);
    if (highBuy > 0 && highBuy >= factor * median && next.every((x) => x.hi <= b.hi + p.absorption.rows)) {
      found.push({ barStart: b.start, row: b.hi, side: 'buy', volume: highBuy });
    }
  });

  const naked = bars.map((b, i): NakedPoc => {
    // POC: largest volume; tie → closest to the middle of [lo, hi]; still tied → the lower row.
    let poc = NaN;
    let best = -1;
    for (const [r, v] of [...b.rows.entries()].sort((x, y) => x[0] - y[0])) {
      const vol = v.buy + v.sell;
      const closer = Math.abs(2 * r - (b.lo + b.hi)) < Math.abs(2 * poc - (b.lo + b.hi));
      if (vol > best || (vol === best && closer)) {
        best = vol;
        poc = r;
      }
    }
    const cover = bars.slice(i + 1).find((x) => x.lo <= poc && poc <= x.hi);
    return cover === undefined
      ? { barStart: b.start, row: poc }
      : { barStart: b.start, row: poc, nakedUntil: cover.start };
  });

  return { unfinished, exhaustion, absorptions: found, naked };
}
