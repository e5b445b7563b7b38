// LiveCrossFeed: the bars it closes trade by trade equal `venueFlow` over the same trades minus the open bar, and
// an independent per-venue sum; late trades of a closed bar are left out and counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { venueFlow, type CrossBar } from '../../src/cross/cross-exchange.ts';
import { LiveCrossFeed } from '../../src/cross/live-cross-feed.ts';
import type { Trade } from '../../src/core/trade.ts';
import { params, trade } from '../helpers.ts';

const p = params({ timePerRow: '1m' });
const MIN = 60_000_000;
const on = (t: Trade, exchange: string): Trade => ({ ...t, exchange });
const venueOf = (t: Trade): string => t.exchange;

function feedAll(
  trades: readonly Trade[],
  venues: readonly string[],
): { bars: CrossBar[]; feed: LiveCrossFeed } {
  const feed = new LiveCrossFeed(venues, p, venueOf);
  const bars: CrossBar[] = [];
  for (const t of trades) {
    const b = feed.apply(t);
    if (b !== undefined) bars.push(b);
  }
  return { bars, feed };
}

test('hand-worked: two venues, the second silent in minute 1', () => {
  // Minute 0: a buys 5 @100, b sells 3 @101 ⇒ a: buy 5, delta +5; b: sell 3, delta −3.
  // Minute 1: a sells 2 @99 ⇒ a: delta −2; b: zeros, close null, pressure 50 (emitted when minute 2 starts).
  const trades = [
    on(trade(1_000, 100, 5, 1), 'a'),
    on(trade(2_000, 101, 3, -1), 'b'),
    on(trade(MIN + 5, 99, 2, -1), 'a'),
    on(trade(2 * MIN, 99, 1, 1), 'b'),
  ];
  const { bars } = feedAll(trades, ['a', 'b']);
  assert.equal(bars.length, 2);
  const [m0, m1] = bars;
  assert.deepEqual(
    [m0!.start, m0!.venues.a!.buy, m0!.venues.a!.delta, m0!.venues.b!.sell, m0!.venues.b!.delta],
    [0, 5, 5, 3, -3],
  );
  assert.deepEqual([m1!.start, m1!.venues.a!.delta, m1!.venues.a!.sell], [MIN, -2, 2]);
  assert.deepEqual([m1!.venues.b!.volume, m1!.venues.b!.close, m1!.venues.b!.buyPressure], [0, null, 50]);
});

test('a trade of a closed bar is left out and counted; a trade of the open bar is kept', () => {
  const feed = new LiveCrossFeed(['a'], p, venueOf);
  assert.equal(feed.apply(on(trade(MIN + 1, 100, 1, 1), 'a')), undefined);
  assert.equal(feed.apply(on(trade(5, 100, 7, 1), 'a')), undefined);
  assert.equal(feed.late, 1);
  assert.equal(feed.apply(on(trade(MIN + 2, 100, 4, -1), 'a')), undefined);
  const b = feed.apply(on(trade(3 * MIN, 100, 1, 1), 'a'))!;
  assert.deepEqual([b.start, b.venues.a!.volume, b.venues.a!.delta], [MIN, 5, -3]);
});

test('property: closed bars = venueFlow over the same trades minus the open bar, and plain sums', () => {
  const arb = fc.array(
    fc.record({
      dt: fc.integer({ min: 0, max: 40_000_000 }),
      venue: fc.constantFrom('a', 'b', 'c'),
      price: fc.integer({ min: 95, max: 105 }),
      qty: fc.integer({ min: 1, max: 50 }),
      side: fc.constantFrom(1 as const, -1 as const),
    }),
    { maxLength: 80 },
  );
  fc.assert(
    fc.property(arb, (rows) => {
      let ts = 0;
      const trades = rows.map((r, i) => {
        ts += r.dt;
        return { ...on(trade(ts, r.price, r.qty, r.side), r.venue), id: i };
      });
      const venues = ['a', 'b', 'c'];
      const { bars } = feedAll(trades, venues);
      const by = Object.fromEntries(venues.map((v) => [v, trades.filter((t) => t.exchange === v)]));
      assert.deepEqual(bars, venueFlow(by, p).slice(0, -1));
      for (const b of bars) {
        for (const v of venues) {
          const inBar = by[v]!.filter((t) => t.ts >= b.start && t.ts < b.start + MIN);
          const buy = inBar.filter((t) => t.side === 1).reduce((s, t) => s + t.qty, 0);
          const sell = inBar.filter((t) => t.side === -1).reduce((s, t) => s + t.qty, 0);
          const x = b.venues[v]!;
          assert.deepEqual(
            [x.buy, x.sell, x.volume, x.delta, x.trades],
            [buy, sell, buy + sell, buy - sell, inBar.length],
          );
        }
      }
    }),
    { numRuns: 200 },
  );
});
