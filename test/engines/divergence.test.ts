// Bar- and swing-level divergences on constructed price/delta paths, their tie rules, and a brute-force check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { deltaAnalysis, deltaSeries } from '../../src/engines/delta.ts';
import {
  barDivergences,
  isLatestSwingPairDivergent,
  swingDivergences,
  swingPoints,
} from '../../src/engines/divergence.ts';
import type { FootprintBar } from '../../src/engines/footprint.ts';
import { params, pathBar as bar } from '../helpers.ts';

const MIN = 60_000_000;
const T0 = Date.UTC(2024, 0, 1) * 1000;

/** Doji bars (open = close, so no bar-level divergence) with the given highs, lows = high − 5, and deltas. */
const path = (highs: readonly number[], deltas: readonly number[]): FootprintBar[] =>
  highs.map((h, i) => bar(i, h - 2, h, h - 5, h - 2, deltas[i]!));

/** The mirror image: lows = 200 − highs, deltas negated, so swing highs become swing lows. */
const mirror = (highs: readonly number[], deltas: readonly number[]): FootprintBar[] =>
  highs.map((h, i) => bar(i, 202 - h, 205 - h, 200 - h, 202 - h, -deltas[i]!));

// lookback 2: swing highs at 2 (110) and 6 (115); the only swing low is 4 (98)
const HIGHS = [100, 105, 110, 104, 103, 108, 115, 107, 106];
// cvd: 5, 10, 15, 5, −5, 0, −1, −1, −1 ⇒ at the swings 15 then −1: higher high, lower CVD
const BEAR_DELTAS = [5, 5, 5, -10, -10, 5, -1, 0, 0];

void test('bar-level: up bar with negative delta is bearish, down bar with positive delta bullish; zero/doji are not', () => {
  const bars = [
    bar(0, 100, 102, 99, 101, -3), // up, δ<0 ⇒ bearish
    bar(1, 101, 102, 99, 100, 4), // down, δ>0 ⇒ bullish
    bar(2, 100, 102, 99, 101, 0), // up, δ=0 ⇒ none
    bar(3, 101, 102, 99, 101, -7), // doji ⇒ none
    bar(4, 101, 102, 99, 102, 5), // up, δ>0 ⇒ agrees
    bar(5, 102, 102, 99, 100, -5), // down, δ<0 ⇒ agrees
    bar(6, 100, 102, 99, 99, 0), // down, δ=0 ⇒ none
  ];
  assert.deepEqual(barDivergences(bars), [
    { kind: 'bar', direction: 'bearish', barStart: T0 },
    { kind: 'bar', direction: 'bullish', barStart: T0 + MIN },
  ]);
});

void test('swing points need a full window and a strictly highest high / lowest low', () => {
  const bars = path(HIGHS, BEAR_DELTAS);
  // lows = highs − 5: 95 100 105 99 98 103 110 102 101 ⇒ 98 at 4 is below 105, 99, 103, 110
  assert.deepEqual(swingPoints(bars, 2), { highs: [2, 6], lows: [4] });
  // a flat top (110 twice within the window) is not a pivot; 115 still is
  const flat = path([100, 105, 110, 110, 103, 108, 115, 107, 106], BEAR_DELTAS);
  assert.deepEqual(swingPoints(flat, 2).highs, [6]);
  // an equal high just outside the window does not matter (lookback 1: 3 and 5 are both pivots)
  const apart = path([100, 101, 100, 110, 100, 110, 100], [0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(swingPoints(apart, 1).highs, [1, 3, 5]);
  // the last `lookback` bars are never confirmed
  assert.deepEqual(swingPoints(path([1, 2, 3, 4, 10, 9], [0, 0, 0, 0, 0, 0]), 2).highs, []);
});

void test('bearish swing divergence: higher high, lower CVD; both points listed', () => {
  const bars = path(HIGHS, BEAR_DELTAS);
  const series = deltaSeries(bars, params());
  assert.deepEqual(swingDivergences(bars, series, 2), [
    {
      kind: 'swing',
      direction: 'bearish',
      first: { time: T0 + 2 * MIN, price: 110, cvd: 15 },
      second: { time: T0 + 6 * MIN, price: 115, cvd: -1 },
    },
  ]);
  assert.equal(isLatestSwingPairDivergent(bars, series, 2), true);
});

void test('bullish swing divergence: lower low, higher CVD (the mirror image)', () => {
  const bars = mirror(HIGHS, BEAR_DELTAS);
  const series = deltaSeries(bars, params());
  // lows 200 − 110 = 90 at 2 (cvd −15), 200 − 115 = 85 at 6 (cvd 1)
  assert.deepEqual(swingDivergences(bars, series, 2), [
    {
      kind: 'swing',
      direction: 'bullish',
      first: { time: T0 + 2 * MIN, price: 90, cvd: -15 },
      second: { time: T0 + 6 * MIN, price: 85, cvd: 1 },
    },
  ]);
  assert.equal(isLatestSwingPairDivergent(bars, series, 2), true);
});

void test('no false positives: CVD confirming, equal CVD, lower high with lower CVD, equal highs', () => {
  const p = params();
  const check = (bars: FootprintBar[]): void => {
    const s = deltaSeries(bars, p);
    assert.deepEqual(swingDivergences(bars, s, 2), []);
    assert.equal(isLatestSwingPairDivergent(bars, s, 2), false);
  };
  check(path(HIGHS, [5, 5, 5, -1, -1, 5, 5, 0, 0])); // cvd 15 → 23: confirms
  check(path(HIGHS, [5, 5, 5, -1, -1, 1, 1, 0, 0])); // cvd 15 → 15: equal, not lower
  check(path([100, 105, 116, 104, 103, 108, 115, 107, 106], BEAR_DELTAS)); // lower high, lower CVD
  check(path([100, 105, 115, 104, 103, 108, 115, 107, 106], BEAR_DELTAS)); // equal highs
  check(mirror(HIGHS, [5, 5, 5, -1, -1, 5, 5, 0, 0])); // lower low, lower CVD: confirms
});

void test('isDivergent follows the latest completed pair only', () => {
  // extend the bearish path with a third swing high at 10 (120) whose CVD rises from −1 to 49: not divergent
  const highs = [...HIGHS, 112, 120, 111, 110];
  const deltas = [...BEAR_DELTAS, 0, 50, 0, 0];
  const bars = path(highs, deltas);
  const s = deltaSeries(bars, params());
  // lows = highs − 5: …, 98 at 4, …, 101 at 8 (below 110, 102, 107, 115) ⇒ a swing-low pair (4, 8) as well
  assert.deepEqual(swingPoints(bars, 2), { highs: [2, 6, 10], lows: [4, 8] });
  assert.equal(swingDivergences(bars, s, 2).length, 1); // the older bearish pair (2, 6) is still reported
  assert.equal(isLatestSwingPairDivergent(bars, s, 2), false); // latest: highs (6, 10), CVD confirms
  const upTo = (n: number): boolean => {
    const b = bars.slice(0, n);
    return isLatestSwingPairDivergent(b, deltaSeries(b, params()), 2);
  };
  // bars 0..10: the high at 10 is unconfirmed; the low pair (4, 8) completed after (2, 6): a higher low, no divergence
  assert.equal(upTo(11), false);
  // bars 0..9: the low at 8 is unconfirmed too, so the divergent high pair (2, 6) is the latest
  assert.equal(upTo(10), true);
});

void test('a swing pair across a CVD reset is never divergent', () => {
  // shift the path so that bar 4 starts at a UTC midnight: the pair (2, 6) straddles the day reset
  const bars = path(HIGHS, BEAR_DELTAS).map((b) => ({
    ...b,
    start: b.start - 4 * MIN,
    end: b.end - 4 * MIN,
  }));
  const none = params();
  assert.equal(swingDivergences(bars, deltaSeries(bars, none), 2).length, 1);
  const day = params({ cvdReset: 'day' });
  const s = deltaSeries(bars, day);
  // after the reset the CVD at bar 6 is −10 + 5 − 1 = −6 < 15, but the two values have different bases
  assert.equal(s[6]!.cvdClose, -6);
  assert.deepEqual(swingDivergences(bars, s, 2), []);
  assert.equal(isLatestSwingPairDivergent(bars, s, 2), false);
});

void test('deltaAnalysis merges bar and swing divergences in time order and honours enableDeltaDivergence', () => {
  const bars = path(HIGHS, BEAR_DELTAS);
  bars[1] = { ...bars[1]!, open: 100, close: 104, delta: 5 }; // up bar with δ>0: agrees
  bars[7] = { ...bars[7]!, open: 100, close: 104, delta: -1 }; // up bar with δ<0: bearish at 7
  bars[8] = { ...bars[8]!, delta: 1 };
  const a = deltaAnalysis(bars, params({ swingLookback: 2 }));
  assert.deepEqual(
    a.divergences.map((d) =>
      d.kind === 'bar' ? `bar@${(d.barStart - T0) / MIN}` : `swing@${(d.second.time - T0) / MIN}`,
    ),
    ['swing@6', 'bar@7'],
  );
  assert.equal(a.isDivergent, true);
  const off = deltaAnalysis(bars, params({ swingLookback: 2, enableDeltaDivergence: false }));
  assert.deepEqual(off.divergences, []);
  assert.equal(off.isDivergent, false);
});

void test('property: swing divergences equal a brute-force scan', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          h: fc.integer({ min: 0, max: 8 }),
          r: fc.integer({ min: 0, max: 3 }),
          d: fc.integer({ min: -5, max: 5 }),
        }),
        { maxLength: 40 },
      ),
      fc.integer({ min: 1, max: 3 }),
      (xs, lb) => {
        const bars = xs.map((x, i) => bar(i, x.h, x.h, x.h - x.r, x.h, x.d));
        const s = deltaSeries(bars, params());
        // brute force: CVD by summing deltas, pivots by counting the window's extreme
        const cvd = xs.map((_, i) => xs.slice(0, i + 1).reduce((a, x) => a + x.d, 0));
        const piv = (key: (b: FootprintBar) => number): number[] => {
          const out: number[] = [];
          for (let i = lb; i < bars.length - lb; i++) {
            const w = bars.slice(i - lb, i + lb + 1).map(key);
            const best = Math.max(...w);
            if (key(bars[i]!) === best && w.filter((v) => v === best).length === 1) out.push(i);
          }
          return out;
        };
        const highs = piv((b) => b.high);
        const lows = piv((b) => -b.low);
        assert.deepEqual(swingPoints(bars, lb), { highs, lows });
        const expected: { at: number; o: number; text: string; div: boolean }[] = [];
        for (let k = 1; k < highs.length; k++) {
          const [a, b] = [highs[k - 1]!, highs[k]!];
          const div = bars[b]!.high > bars[a]!.high && cvd[b]! < cvd[a]!;
          expected.push({ at: b, o: 0, text: `bearish ${a} ${b}`, div });
        }
        for (let k = 1; k < lows.length; k++) {
          const [a, b] = [lows[k - 1]!, lows[k]!];
          const div = bars[b]!.low < bars[a]!.low && cvd[b]! > cvd[a]!;
          expected.push({ at: b, o: 1, text: `bullish ${a} ${b}`, div });
        }
        expected.sort((x, y) => x.at - y.at || x.o - y.o);
        const got = swingDivergences(bars, s, lb).map(
          (d) => `${d.direction} ${(d.first.time - T0) / MIN} ${(d.second.time - T0) / MIN}`,
        );
        assert.deepEqual(
          got,
          expected.filter((e) => e.div).map((e) => e.text),
        );
        const lastAt = expected.length === 0 ? -1 : expected[expected.length - 1]!.at;
        const latest = expected.filter((e) => e.at === lastAt).some((e) => e.div);
        assert.equal(isLatestSwingPairDivergent(bars, s, lb), latest);
      },
    ),
    { numRuns: 300 },
  );
});
