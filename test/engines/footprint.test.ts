import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildFootprint, FootprintEngine, pocOf, type FootprintBar } from '../../src/engines/footprint.ts';
import type { Trade } from '../../src/core/trade.ts';
import { US_PER_DAY, US_PER_MINUTE } from '../../src/core/time.ts';
import { params, trade } from '../helpers.ts';

const T0 = Date.UTC(2024, 0, 1) * 1000;

/** Random trades: a few minutes, a small price band, ids increasing with time (as exchanges number them). */
const arbTrades = fc
  .array(
    fc.record({
      dt: fc.integer({ min: 0, max: 5 * US_PER_MINUTE }),
      price: fc.integer({ min: 10_000, max: 10_040 }),
      qty: fc.integer({ min: 1, max: 500 }),
      buy: fc.boolean(),
      count: fc.integer({ min: 1, max: 3 }),
    }),
    { minLength: 1, maxLength: 200 },
  )
  .map((rows) =>
    rows
      .map((r) => ({ ...r, ts: T0 + r.dt }))
      .sort((a, b) => a.ts - b.ts)
      .map((r, i) => trade(r.ts, r.price, r.qty, r.buy ? 1 : -1, { id: 1000 + i, count: r.count })),
  );

/** Independent recomputation of TIME-bar footprints: group by floor(ts/Δ) and floor(price/rowTicks). */
function naiveTimeFootprint(trades: readonly Trade[], tf: number, rowTicks: number) {
  const sorted = [...trades].sort((a, b) => a.ts - b.ts || (a.id as number) - (b.id as number));
  type NaiveBar = { cells: Map<number, [number, number, number, number]>; path: number[]; prices: number[] };
  const bars = new Map<number, NaiveBar>();
  for (const t of sorted) {
    const start = Math.floor(t.ts / tf) * tf;
    const b: NaiveBar = bars.get(start) ?? { cells: new Map(), path: [], prices: [] };
    bars.set(start, b);
    const row = Math.floor(t.price / rowTicks);
    const c = b.cells.get(row) ?? [0, 0, 0, 0];
    if (t.side === 1) {
      c[0] += t.qty;
      c[2] += t.count ?? 1;
    } else {
      c[1] += t.qty;
      c[3] += t.count ?? 1;
    }
    b.cells.set(row, c);
    b.path.push((b.path.at(-1) ?? 0) + t.side * t.qty);
    b.prices.push(t.price);
  }
  return [...bars.entries()].sort((a, b) => a[0] - b[0]);
}

function checkAgainstNaive(
  bars: FootprintBar[],
  trades: readonly Trade[],
  tf: number,
  rowTicks: number,
): void {
  const naive = naiveTimeFootprint(trades, tf, rowTicks);
  assert.equal(bars.length, naive.length);
  naive.forEach(([start, nb], i) => {
    const b = bars[i]!;
    assert.equal(b.start, start);
    assert.equal(b.end, start + tf);
    const rows = [...nb.cells.keys()].sort((x, y) => x - y);
    assert.deepEqual(
      b.cells.map((c) => c.row),
      rows,
    );
    for (const c of b.cells) {
      const [buy, sell, bt, st] = nb.cells.get(c.row)!;
      assert.deepEqual([c.buy, c.sell, c.buyTrades, c.sellTrades], [buy, sell, bt, st]);
    }
    assert.equal(
      b.volume,
      b.cells.reduce((s, c) => s + c.buy + c.sell, 0),
      'sum of cells = bar volume',
    );
    assert.equal(b.delta, nb.path.at(-1));
    assert.equal(b.minDelta, Math.min(...nb.path));
    assert.equal(b.maxDelta, Math.max(...nb.path));
    assert.equal(b.open, nb.prices[0]);
    assert.equal(b.close, nb.prices.at(-1));
    assert.equal(b.high, Math.max(...nb.prices));
    assert.equal(b.low, Math.min(...nb.prices));
  });
}

test('TIME footprint equals an independent group-by, for several timeframes and row sizes', () => {
  fc.assert(
    fc.property(
      arbTrades,
      fc.constantFrom('1m', '2m', '30s'),
      fc.constantFrom(1, 3, 10),
      (trades, tf, rowTicks) => {
        const p = params({ timePerRow: tf, ticksPerRow: rowTicks });
        checkAgainstNaive(buildFootprint(trades, p), trades, p.bars.timeframeUs, rowTicks);
      },
    ),
  );
});

test('any chunking and any arrival order (late trades) give the batch result', () => {
  for (const aggregation of ['TIME', 'VOLUME', 'TICK_COUNT'] as const) {
    fc.assert(
      fc.property(arbTrades, fc.array(fc.nat(), { maxLength: 40 }), (trades, swaps) => {
        const p = params({ tickAggregationMethod: aggregation, volumePerBar: '2.5', ticksPerBar: 7 });
        const shuffled = [...trades];
        for (const s of swaps) {
          const i = s % shuffled.length;
          const j = (s * 7 + 3) % shuffled.length;
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        const engine = new FootprintEngine(p);
        let i = 0;
        for (const s of swaps) {
          const n = (s % 9) + 1;
          engine.applyBatch(shuffled.slice(i, i + n));
          i += n;
        }
        engine.applyBatch(shuffled.slice(i));
        assert.deepEqual(engine.getBars(), buildFootprint(trades, p));
      }),
    );
  }
});

test('POC: largest volume, then closest to the middle of the range, then the lower row', () => {
  assert.equal(pocOf([1, 2, 3], [5, 9, 5]), 2);
  assert.equal(pocOf([1, 2, 3, 4, 5], [9, 1, 1, 1, 9]), 1, 'equidistant from the middle: lower');
  assert.equal(
    pocOf([1, 2, 3, 4, 5, 6, 7], [9, 1, 1, 1, 9, 1, 1]),
    5,
    'row 5 is closer to the middle (4) than row 1',
  );
  assert.equal(pocOf([10, 11], [3, 3]), 10);
  const bar = buildFootprint(
    [trade(T0, 100, 5, 1), trade(T0 + 1, 101, 5, -1), trade(T0 + 2, 102, 5, 1)],
    params(),
  )[0]!;
  assert.equal(bar.pocRow, 101);
});

test('VOLUME bars close on the trade that reaches the threshold, never split it, and restart at the day anchor', () => {
  const p = params({ tickAggregationMethod: 'VOLUME', volumePerBar: '0.010' }); // 10 lots
  const day2 = T0 + US_PER_DAY;
  const trades = [
    trade(T0 + 1, 100, 4, 1),
    trade(T0 + 2, 101, 5, -1),
    trade(T0 + 3, 102, 7, 1), // 16 ≥ 10: closes bar 1 with the whole trade
    trade(T0 + 4, 100, 10, 1), // exactly 10: closes bar 2
    trade(day2 - 1, 99, 3, -1), // bar 3, incomplete at the day end
    trade(day2 + 5, 98, 3, -1), // new day ⇒ new bar
  ];
  const bars = buildFootprint(trades, p);
  assert.deepEqual(
    bars.map((b) => [b.volume, b.complete, b.start, b.end]),
    [
      [16, true, T0 + 1, T0 + 3],
      [10, true, T0 + 4, T0 + 4],
      [3, false, day2 - 1, day2 - 1],
      [3, false, day2 + 5, day2 + 5],
    ],
  );
});

test('TICK_COUNT bars count exchange trades (an aggTrade counts lastId − firstId + 1)', () => {
  const p = params({ tickAggregationMethod: 'TICK_COUNT', ticksPerBar: 3 });
  const bars = buildFootprint(
    [trade(T0, 100, 1, 1), trade(T0 + 1, 100, 1, 1, { count: 4 }), trade(T0 + 2, 100, 1, 1)],
    p,
  );
  assert.deepEqual(
    bars.map((b) => b.trades),
    [5, 1],
  );
});

test('a late trade lands in the bar it belongs to, and is counted', () => {
  const p = params({ timePerRow: '1m' });
  const engine = new FootprintEngine(p);
  engine.apply(trade(T0 + 10, 100, 5, 1));
  engine.apply(trade(T0 + 2 * US_PER_MINUTE, 100, 5, 1));
  engine.apply(trade(T0 + 20, 90, 2, -1, { id: 0 }));
  assert.equal(engine.lateTrades, 1);
  const [first] = engine.getBars();
  assert.deepEqual([first!.volume, first!.low, first!.close, first!.minDelta], [7, 90, 90, 3]);
});
