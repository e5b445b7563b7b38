// Unit tests of the footprint's default row size (web/src/lib/row-size.ts) and of following the newest bar
// (followLatest in web/src/lib/viewport.ts), against straightforward recomputations written here.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { defaultRowStep, isPriceStep, marketRowStep, nearestStep125 } from '../../web/src/lib/row-size.ts';
import {
  fitViewport,
  followLatest,
  FOLLOW_MARGIN_ROWS,
  visibleBars,
  type Viewport,
} from '../../web/src/lib/viewport.ts';

describe('default row size', () => {
  test('the known markets have fixed steps; other pairs and instruments have none', () => {
    assert.equal(marketRowStep('BTC'), '10');
    assert.equal(marketRowStep('btc'), '10');
    assert.equal(marketRowStep('ETH'), '1');
    assert.equal(marketRowStep('binance:BTCUSDT'), '10');
    assert.equal(marketRowStep('coinbase:ETH-USD'), '1');
    assert.equal(marketRowStep('kraken:XBT/USD'), '10');
    // ETH priced in BTC trades near 0.04: a step of 1 would be one row for everything.
    assert.equal(marketRowStep('binance:ETHBTC'), undefined);
    assert.equal(marketRowStep('binance:SOLUSDT'), undefined);
  });

  test('hand-worked steps: 0.01 % of the price, nearest 1-2-5 step, whole ticks', () => {
    // SOL at 150, tick 0.01: 0.015 → nearest of 0.01 (log ratio 0.405) and 0.02 (0.288) is 0.02 = 2 ticks.
    assert.equal(defaultRowStep(150, 0.01), '0.02');
    // BTC at 65,000, tick 0.01: 6.5 → 5 (ratio 1.3) beats 10 (ratio 1.54).
    assert.equal(defaultRowStep(65_000, 0.01), '5');
    // 75,000: 7.5 → 10 (ratio 1.33) beats 5 (ratio 1.5).
    assert.equal(defaultRowStep(75_000, 0.01), '10');
    // ETH at 2,600 with tick 0.01: 0.26 → 0.2.
    assert.equal(defaultRowStep(2_600, 0.01), '0.2');
    // A coarse tick wins: 0.26 → 0.2, raised to one tick of 0.5.
    assert.equal(defaultRowStep(2_600, 0.5), '0.5');
    // Tick 0.25 and step 2: 8 ticks, exactly 2.
    assert.equal(defaultRowStep(20_000, 0.25), '2');
    // Step 5 on a tick of 2: raised to 6 (3 ticks), a whole number of ticks.
    assert.equal(defaultRowStep(50_000, 2), '6');
    // A tiny price: 0.0001 % … 1e-8 step with tick 1e-8.
    assert.equal(defaultRowStep(0.0001, 1e-8), '0.00000001');
    assert.throws(() => defaultRowStep(0, 0.01), RangeError);
    assert.throws(() => defaultRowStep(100, 0), RangeError);
  });

  test('property: the step is a 1-2-5 value nearest on a log scale, then whole ticks ≥ 1', () => {
    const steps = [-9, -8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5].flatMap((e) =>
      [1, 2, 5].map((m) => m * 10 ** e),
    );
    fc.assert(
      fc.property(
        fc.double({ min: 1e-4, max: 1e7, noNaN: true }),
        fc.constantFrom(1e-8, 1e-4, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 5),
        (price, tick) => {
          const x = price * 1e-4;
          // Independent: scan the table for the smallest |log| distance.
          let best = steps[0]!;
          for (const s of steps)
            if (Math.abs(Math.log(x / s)) < Math.abs(Math.log(x / best)) - 1e-12) best = s;
          assert.ok(
            Math.abs(nearestStep125(x) - best) <= best * 1e-12,
            `${x}: ${nearestStep125(x)} vs ${best}`,
          );
          const out = Number(defaultRowStep(price, tick));
          const ticks = out / tick;
          assert.ok(Math.abs(ticks - Math.round(ticks)) < 1e-6, `${out} is whole ticks of ${tick}`);
          assert.ok(Math.round(ticks) >= 1);
          assert.ok(
            out >= best * (1 - 1e-9) && out < best + tick * (1 + 1e-9),
            `${out} within one tick above ${best}`,
          );
        },
      ),
    );
  });

  test('price step text', () => {
    assert.ok(isPriceStep('10'));
    assert.ok(isPriceStep('0.5'));
    assert.ok(!isPriceStep('0'));
    assert.ok(!isPriceStep('0.'));
    assert.ok(!isPriceStep('-1'));
    assert.ok(!isPriceStep('1e3'));
    assert.ok(!isPriceStep(''));
  });
});

const plot = { x: 0, y: 0, width: 400, height: 200 };
const bar = (lowRow: number, highRow: number) => ({ lowRow, highRow });
/** Row values at the plot's top and bottom edges, recomputed from the definition. */
const edges = (v: Viewport) => ({ top: v.topRow, bottom: v.topRow - v.plot.height / v.rowHeight });

describe('following the newest bar', () => {
  test('hand-worked: a new bar above the view moves it up just enough, keeping the zoom', () => {
    // 40 px columns over 400 px: 10 columns; 12 bars + 1 free column → firstBar 3.
    // 20 px rows over 200 px: 10 rows; topRow 110 shows rows [100, 110).
    const v: Viewport = { plot, firstBar: 0, barSpacing: 40, topRow: 110, rowHeight: 20 };
    const bars = [...Array.from({ length: 11 }, () => bar(101, 105)), bar(108, 112)];
    const f = followLatest(v, bars);
    assert.equal(f.firstBar, 3);
    // Rows 108..112 plus one margin row: the top edge must reach 112 + 1 + 1 = 114.
    assert.equal(f.topRow, 114);
    assert.equal(f.rowHeight, 20);
    assert.equal(f.barSpacing, 40);
    // Below the view: rows 95..97 need the bottom edge at 94, so top = 94 + 10 = 104.
    assert.equal(followLatest(v, [bar(95, 97)]).topRow, 104);
    // Already inside with the margin: no vertical move.
    assert.equal(followLatest(v, [bar(102, 107)]).topRow, 110);
  });

  test('a bar taller than the plot is centred on its last price', () => {
    const v: Viewport = { plot, firstBar: 0, barSpacing: 40, topRow: 110, rowHeight: 20 };
    // Rows 0..50 cannot fit 10 rows: focus row 30 → its middle (30.5) at the centre: top = 30.5 + 5.
    assert.equal(followLatest(v, [bar(0, 50)], 30).topRow, 35.5);
    // Without a focus: the bar's middle row 25.
    assert.equal(followLatest(v, [bar(0, 50)]).topRow, 30.5);
  });

  test('no bars, or a bar without rows, only moves the columns', () => {
    const v: Viewport = { plot, firstBar: 7, barSpacing: 40, topRow: 110, rowHeight: 20 };
    assert.deepEqual(followLatest(v, []), { ...v, firstBar: 0 });
    assert.deepEqual(followLatest(v, [bar(0, -1)]), { ...v, firstBar: 0 });
  });

  test('property: the newest bar is in view with its margin, and the move is the smallest one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -500, max: 500 }), fc.integer({ min: 0, max: 6 })), {
          minLength: 1,
          maxLength: 60,
        }),
        fc.integer({ min: 10, max: 120 }),
        fc.integer({ min: 4, max: 40 }),
        fc.integer({ min: -600, max: 600 }),
        (spec, spacing, rowHeight, top) => {
          const bars = spec.map(([lo, n]) => bar(lo, lo + n));
          const v: Viewport = { plot, firstBar: 0, barSpacing: spacing, topRow: top, rowHeight };
          const f = followLatest(v, bars);
          const last = bars.at(-1)!;
          const vis = visibleBars(f, bars.length);
          assert.equal(vis.last, bars.length - 1, 'newest bar drawn');
          const e = edges(f);
          const visible = plot.height / rowHeight;
          const need = last.highRow + 1 - last.lowRow + 2 * FOLLOW_MARGIN_ROWS;
          if (need <= visible) {
            assert.ok(e.top >= last.highRow + 1 + FOLLOW_MARGIN_ROWS - 1e-9, 'top margin');
            assert.ok(e.bottom <= last.lowRow - FOLLOW_MARGIN_ROWS + 1e-9, 'bottom margin');
            // Smallest move: unchanged when already in view, else an edge sits exactly at the margin.
            const e0 = edges(v);
            const inside =
              e0.top >= last.highRow + 1 + FOLLOW_MARGIN_ROWS &&
              e0.bottom <= last.lowRow - FOLLOW_MARGIN_ROWS;
            if (inside) assert.equal(f.topRow, v.topRow);
            else
              assert.ok(
                Math.abs(e.top - (last.highRow + 1 + FOLLOW_MARGIN_ROWS)) < 1e-9 ||
                  Math.abs(e.bottom - (last.lowRow - FOLLOW_MARGIN_ROWS)) < 1e-9,
              );
          }
        },
      ),
    );
  });

  test('following after a fit keeps the fitted view while the newest bar stays inside it', () => {
    const bars = [bar(100, 104), bar(98, 103), bar(101, 106)];
    const v = fitViewport(plot, bars, 40);
    assert.deepEqual(followLatest(v, bars), v);
  });
});
