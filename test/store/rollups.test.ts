// Pure rollup functions: hand-worked footprints from minute rollups, their refusals, and equality with the
// footprint engine and with an independent rollup recomputation on random trades.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Side } from '../../src/core/units.ts';
import { buildFootprint } from '../../src/engines/footprint.ts';
import { footprintFromRollups, minuteRollupOf, minuteRollupsFromTrades } from '../../src/store/rollups.ts';
import { params } from '../helpers.ts';
import { byTsThenId, expectedRollups, tr } from './store-contract.ts';

const MIN = 60_000_000;
const T0 = 1_704_067_200_000_000;

describe('footprintFromRollups', () => {
  // Minute T0: #1 sell 4 @100 (running −4), #2 buy 10 @103 (+6).
  // Minute T0+1m: #3 sell 12 @101 (−12), #4 buy 3 @101 (−9).
  // Minute T0+2m: #5 buy 1 @100.
  const trades = [
    tr('A', 1, T0 + 1, 100, 4, -1),
    tr('A', 2, T0 + 2, 103, 10, 1),
    tr('A', 3, T0 + MIN, 101, 12, -1),
    tr('A', 4, T0 + MIN + 5, 101, 3, 1),
    tr('A', 5, T0 + 2 * MIN, 100, 1, 1),
  ];

  it('merges minutes into a 2m bar with rows of 2 ticks, as worked by hand', () => {
    const [first, second] = footprintFromRollups(
      minuteRollupsFromTrades(trades),
      params({ timePerRow: '2m', ticksPerRow: 2 }),
    );
    // Bar [T0, T0+2m): open 100 (#1), close 101 (#4), high 103, low 100; buy 10+3 = 13, sell 4+12 = 16.
    // Running delta over the bar: −4, +6, −6, −3 ⇒ min −6, max +6 (from the rollups: the second minute starts at
    // +6, so its extremes −12/−9 become −6/−3).
    // Rows: 100 and 101 → row 50 (buy 3, sell 16, 1 + 2 trades); 103 → row 51 (buy 10). POC: row 50 (19 > 10).
    assert.deepEqual(first, {
      start: T0,
      end: T0 + 2 * MIN,
      open: 100,
      high: 103,
      low: 100,
      close: 101,
      buy: 13,
      sell: 16,
      volume: 29,
      delta: -3,
      minDelta: -6,
      maxDelta: 6,
      trades: 4,
      buyTrades: 2,
      sellTrades: 2,
      pocRow: 50,
      complete: true,
      cells: [
        { row: 50, buy: 3, sell: 16, buyTrades: 1, sellTrades: 2 },
        { row: 51, buy: 10, sell: 0, buyTrades: 1, sellTrades: 0 },
      ],
    });
    // The last bar is not complete yet (as the engine: a TIME bar completes once a later bar exists).
    assert.equal(second?.start, T0 + 2 * MIN);
    assert.equal(second?.complete, false);
    assert.deepEqual([second?.minDelta, second?.maxDelta, second?.pocRow], [1, 1, 50]);
  });

  it('breaks a POC tie towards the middle of the range, then the lower row', () => {
    // Rows 50 and 51 both hold 5 lots; the middle of [50, 51] is 50.5, equally far ⇒ the lower row, 50.
    const tie = [tr('A', 1, T0, 100, 5, 1), tr('A', 2, T0 + 1, 102, 5, -1)];
    assert.equal(
      footprintFromRollups(minuteRollupsFromTrades(tie), params({ ticksPerRow: 2 }))[0]?.pocRow,
      50,
    );
    // Rows 50, 51, 52 with 5 each: the middle row 51 wins.
    const three = [...tie, tr('A', 3, T0 + 2, 104, 5, 1)];
    assert.equal(
      footprintFromRollups(minuteRollupsFromTrades(three), params({ ticksPerRow: 2 }))[0]?.pocRow,
      51,
    );
  });

  it('returns no bars for no rollups, and accepts rollups in any order', () => {
    assert.deepEqual(footprintFromRollups([], params()), []);
    const r = minuteRollupsFromTrades(trades);
    assert.deepEqual(
      footprintFromRollups([...r].reverse(), params({ timePerRow: '5m' })),
      footprintFromRollups(r, params({ timePerRow: '5m' })),
    );
  });

  it('refuses timeframes that are not whole minutes and non-TIME bars', () => {
    const r = minuteRollupsFromTrades(trades);
    assert.throws(() => footprintFromRollups(r, params({ timePerRow: '90s' })), {
      code: 'INVALID_TIMEFRAME',
    });
    assert.throws(() => footprintFromRollups(r, params({ tickAggregationMethod: 'VOLUME' })), {
      code: 'INVALID_CONFIG',
    });
  });

  it('equals buildFootprint over the same trades for any whole-minute timeframe and row size', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            ms: fc.integer({ min: 0, max: 3 * 60 * 60 * 1000 }),
            price: fc.integer({ min: 500, max: 560 }),
            qty: fc.integer({ min: 1, max: 1000 }),
            side: fc.constantFrom<Side>(1, -1),
            count: fc.integer({ min: 1, max: 4 }),
          }),
          { minLength: 1, maxLength: 300 },
        ),
        fc.constantFrom('1m', '3m', '5m', '15m', '1h', '4h', '1d'),
        fc.integer({ min: 1, max: 12 }),
        (rows, timePerRow, ticksPerRow) => {
          // Coarse ms timestamps force many equal ts; ids descend so id order differs from arrival order.
          const ts = rows.map((r, i) =>
            tr('A', rows.length - i, T0 + r.ms * 1000, r.price, r.qty, r.side, { count: r.count }),
          );
          const p = params({ timePerRow, ticksPerRow });
          assert.deepEqual(
            footprintFromRollups(minuteRollupsFromTrades(ts), p),
            buildFootprint([...ts].sort(byTsThenId), p),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('minuteRollupsFromTrades', () => {
  it('equals an independent recomputation, whatever the input order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            s: fc.integer({ min: 0, max: 600 }),
            price: fc.integer({ min: 1, max: 20 }),
            qty: fc.integer({ min: 1, max: 9 }),
            side: fc.constantFrom<Side>(1, -1),
          }),
          { minLength: 1, maxLength: 100 },
        ),
        (rows) => {
          const ts = rows.map((r, i) =>
            tr('A', (i * 7919) % 1009, T0 + r.s * 1_000_000, r.price, r.qty, r.side),
          );
          assert.deepEqual(minuteRollupsFromTrades(ts), expectedRollups(ts));
          assert.deepEqual(minuteRollupsFromTrades([...ts].reverse()), expectedRollups(ts));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('has no minutes for no trades, and a minute rollup needs a trade', () => {
    assert.deepEqual(minuteRollupsFromTrades([]), []);
    assert.throws(() => minuteRollupOf([]), RangeError);
  });
});
