// readMinuteRollups with rowTicks > 1 (the store sums cells into rows so coarse-row queries read far fewer cells):
// both stores equal an independent per-row summation of the 1-tick cells, negative ticks floored, not truncated.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseIncrement } from '../../src/core/decimal.ts';
import type { Instrument } from '../../src/core/instrument.ts';
import type { Trade } from '../../src/core/trade.ts';
import { lots, micros, ticks } from '../../src/core/units.ts';
import { DuckDbTradeStore } from '../../src/store/duckdb-store.ts';
import { MemoryTradeStore } from '../../src/store/memory-store.ts';
import type { MinuteRollup, TradeStore } from '../../src/store/port.ts';

const INST: Instrument = {
  exchange: 'x',
  symbol: 'S',
  kind: 'spot',
  base: 'S',
  quote: 'USD',
  price: parseIncrement('1'),
  qty: parseIncrement('1'),
  volumeUnit: 'base',
  source: 'config',
};

/** Independent: sums of the 1-tick cells per (minute, floor(tick / R) · R). */
function byRows(
  rollups: readonly MinuteRollup[],
  R: number,
): [number, number, number, number, number, number][] {
  const out: [number, number, number, number, number, number][] = [];
  for (const m of rollups) {
    const rows = new Map<number, [number, number, number, number]>();
    for (const c of m.cells) {
      const low = Math.floor(c.tick / R) * R;
      const x = rows.get(low) ?? [0, 0, 0, 0];
      rows.set(low, [x[0] + c.buy, x[1] + c.sell, x[2] + c.buyTrades, x[3] + c.sellTrades]);
    }
    for (const [low, x] of [...rows].sort((a, b) => a[0] - b[0])) out.push([m.minute, low, ...x]);
  }
  return out;
}

const flat = (rollups: readonly MinuteRollup[]): [number, number, number, number, number, number][] =>
  rollups.flatMap((m) =>
    m.cells.map((c): [number, number, number, number, number, number] => [
      m.minute,
      c.tick,
      c.buy,
      c.sell,
      c.buyTrades,
      c.sellTrades,
    ]),
  );

test('cells summed into rows equal the per-row sums of the tick cells, in both stores', async () => {
  const duck = new DuckDbTradeStore({ path: ':memory:' });
  await duck.open();
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            dt: fc.integer({ min: 0, max: 40_000_000 }),
            price: fc.integer({ min: -30, max: 30 }),
            qty: fc.integer({ min: 1, max: 9 }),
            sell: fc.boolean(),
          }),
          { maxLength: 60 },
        ),
        fc.integer({ min: 1, max: 12 }),
        async (rows, R) => {
          const symbol = `S${Math.random().toString(36).slice(2)}`;
          let ts = 1_700_000_000_000_000;
          const trades: Trade[] = rows.map((r, i) => {
            ts += r.dt;
            return {
              exchange: 'x',
              symbol,
              id: i + 1,
              ts: micros(ts),
              price: ticks(r.price),
              qty: lots(r.qty),
              side: r.sell ? -1 : 1,
              sideSource: 'exchange',
            };
          });
          const mem = new MemoryTradeStore();
          await mem.open();
          for (const s of [mem, duck] as TradeStore[]) {
            await s.upsertInstrument({ ...INST, symbol });
            await s.insertTrades('x', symbol, trades);
            const ticksCells = await s.readMinuteRollups('x', symbol, 0, Number.MAX_SAFE_INTEGER);
            const rowCells = await s.readMinuteRollups('x', symbol, 0, Number.MAX_SAFE_INTEGER, R);
            assert.deepEqual(flat(rowCells), byRows(ticksCells, R));
            // bar statistics are not touched by the row size
            assert.deepEqual(
              rowCells.map(({ cells: _c, ...bar }) => bar),
              ticksCells.map(({ cells: _c, ...bar }) => bar),
            );
          }
        },
      ),
      { numRuns: 40 },
    );
    await assert.rejects(duck.readMinuteRollups('x', 'S', 0, 1, 0), /rowTicks/);
  } finally {
    await duck.close();
  }
});
