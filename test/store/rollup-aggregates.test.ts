// The DuckDB store's profile aggregates (row totals, one-sided runs, last close) and its whole-day rollup cache,
// checked against straightforward recomputations from the trades, including after writes into cached days.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Trade } from '../../src/core/trade.ts';
import { micros, lots, ticks, type Side } from '../../src/core/units.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DATABASE_FILE, DuckDbTradeStore } from '../../src/store/duckdb-store.ts';
import { minuteCellsOf } from '../../src/store/duckdb-schema.ts';
import { hasRollupAggregates } from '../../src/store/rollup-aggregates.ts';
import { planChunks, RollupCache } from '../../src/store/rollup-cache.ts';
import { instrument } from './store-contract.ts';

const MIN = 60_000_000;
const DAY = 1440 * MIN;
/** 2024-01-01T00:00:00Z in µs. */
const T0 = 1_704_067_200_000_000;

const mk = (id: number, ts: number, price: number, qty: number, side: Side): Trade => ({
  exchange: 'test',
  symbol: 'A',
  id,
  ts: micros(ts),
  price: ticks(price),
  qty: lots(qty),
  side,
  sideSource: 'exchange',
});

const floorDiv = (a: number, b: number): number => Math.floor(a / b);
const minuteStart = (ts: number): number => floorDiv(ts, MIN) * MIN;
const inMinutes = (trades: readonly Trade[], from: number, to: number): Trade[] =>
  trades.filter((t) => minuteStart(t.ts) >= from && minuteStart(t.ts) < to);

/** Independent: per-row sums of the trades, rows ascending. */
function expectedRows(trades: readonly Trade[], rowTicks: number) {
  const m = new Map<
    number,
    { row: number; buy: number; sell: number; buyTrades: number; sellTrades: number }
  >();
  for (const t of trades) {
    const row = floorDiv(t.price, rowTicks);
    const x = m.get(row) ?? { row, buy: 0, sell: 0, buyTrades: 0, sellTrades: 0 };
    if (t.side === 1) {
      x.buy += t.qty;
      x.buyTrades += 1;
    } else {
      x.sell += t.qty;
      x.sellTrades += 1;
    }
    m.set(row, x);
  }
  return [...m.values()].sort((a, b) => a.row - b.row);
}

/** Independent: per bar (floor(ts / barUs)), rows with volume whose buy or sell (not both) is 0, in runs of +1. */
function expectedRuns(trades: readonly Trade[], rowTicks: number, barUs: number) {
  const bars = new Map<number, Trade[]>();
  for (const t of trades) {
    const b = floorDiv(t.ts, barUs) * barUs;
    bars.set(b, [...(bars.get(b) ?? []), t]);
  }
  const out: { barStart: number; lowRow: number; highRow: number }[] = [];
  for (const barStart of [...bars.keys()].sort((a, b) => a - b)) {
    const rows = expectedRows(bars.get(barStart)!, rowTicks).filter((r) => r.buy + r.sell > 0);
    let run: { lowRow: number; highRow: number } | undefined;
    for (const r of rows) {
      const one = (r.buy > 0 && r.sell === 0) || (r.sell > 0 && r.buy === 0);
      if (one && run !== undefined && r.row === run.highRow + 1) run.highRow = r.row;
      else {
        if (run !== undefined) out.push({ barStart, ...run });
        run = one ? { lowRow: r.row, highRow: r.row } : undefined;
      }
    }
    if (run !== undefined) out.push({ barStart, ...run });
  }
  return out;
}

/** Independent: the price of the last trade in (ts, id) order. */
const expectedClose = (trades: readonly Trade[]): number | undefined =>
  [...trades].sort((a, b) => a.ts - b.ts || (a.id as number) - (b.id as number)).at(-1)?.price;

async function openStore(): Promise<DuckDbTradeStore> {
  const store = new DuckDbTradeStore({ path: ':memory:', settings: { threads: '2' } });
  await store.open();
  await store.upsertInstrument(instrument('A'));
  return store;
}

test('hand-worked one-sided runs: zero-volume rows and two-sided rows break runs; rows and last close', async () => {
  const store = await openStore();
  try {
    assert.ok(hasRollupAggregates(store));
    // Bar 0 (1m bars, rowTicks 1): tick 10 buy 2, tick 11 buy 1, tick 12 sell 1 → one run 10..12 (all one-sided);
    // tick 14 buy 1 + sell 1 is two-sided (no run); tick 15 did not trade; tick 16 sell 3 is a run of its own
    // (16 does not follow 14). The store refuses zero-quantity prints, so stored cells always have volume.
    // Bar 1: tick 10 sell 1 → run 10..10.
    await store.insertTrades('test', 'A', [
      mk(1, T0 + 1, 10, 2, 1),
      mk(2, T0 + 2, 11, 1, 1),
      mk(3, T0 + 3, 12, 1, -1),
      mk(4, T0 + 4, 14, 1, 1),
      mk(5, T0 + 5, 14, 1, -1),
      mk(7, T0 + 7, 16, 3, -1),
      mk(8, T0 + MIN + 1, 10, 1, -1),
    ]);
    assert.deepEqual(await store.readOneSidedRuns('test', 'A', T0, T0 + DAY, 1, MIN), [
      { barStart: T0, lowRow: 10, highRow: 12 },
      { barStart: T0, lowRow: 16, highRow: 16 },
      { barStart: T0 + MIN, lowRow: 10, highRow: 10 },
    ]);
    // rowTicks 2: rows 5 = {10, 11} buy 3; 6 = {12} sell 1; 7 = {14} both; 8 = {16} sell 3 → runs 5..6, 8..8.
    // A 2-minute bar merges bar 1's row 5 sell into row 5: buy 3 + sell 1 → two-sided → runs 6..6, 8..8.
    assert.deepEqual(await store.readOneSidedRuns('test', 'A', T0, T0 + DAY, 2, MIN), [
      { barStart: T0, lowRow: 5, highRow: 6 },
      { barStart: T0, lowRow: 8, highRow: 8 },
      { barStart: T0 + MIN, lowRow: 5, highRow: 5 },
    ]);
    assert.deepEqual(await store.readOneSidedRuns('test', 'A', T0, T0 + DAY, 2, 2 * MIN), [
      { barStart: T0, lowRow: 6, highRow: 6 },
      { barStart: T0, lowRow: 8, highRow: 8 },
    ]);
    // Row totals, rowTicks 5: row 2 = ticks 10..14: buy 2+1+1 = 4 (3 trades), sell 1+1+1 = 3 (3 trades);
    // row 3 = ticks 15..19: buy 0 (no trade), sell 3 (1 trade); bar 1's sell at tick 10 is in row 2.
    assert.deepEqual(await store.readRowTotals('test', 'A', T0, T0 + DAY, 5), [
      { row: 2, buy: 4, sell: 3, buyTrades: 3, sellTrades: 3 },
      { row: 3, buy: 0, sell: 3, buyTrades: 0, sellTrades: 1 },
    ]);
    assert.equal(await store.readLastClose('test', 'A', T0, T0 + DAY), 10);
    assert.equal(await store.readLastClose('test', 'A', T0, T0 + MIN), 16);
    assert.equal(await store.readLastClose('test', 'A', T0 + 2 * MIN, T0 + DAY), undefined);
    assert.deepEqual(await store.readRowTotals('test', 'A', T0 + 2 * MIN, T0 + DAY, 5), []);
  } finally {
    await store.close();
  }
});

const tradeArb = fc.record({
  minute: fc.integer({ min: -3, max: 3 * 1440 + 3 }),
  within: fc.integer({ min: 0, max: MIN - 1 }),
  price: fc.integer({ min: 1, max: 60 }),
  qty: fc.integer({ min: 1, max: 5 }),
  buy: fc.boolean(),
});

test('aggregates and cached rollups equal recomputations from the trades, across writes into cached days', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(tradeArb, { minLength: 1, maxLength: 60 }), { minLength: 1, maxLength: 4 }),
      fc.oneof(fc.integer({ min: 1, max: 7 }), fc.constantFrom(10, 20, 100, 300, 1000)),
      fc.constantFrom(MIN, 3 * MIN, 7 * MIN, 60 * MIN, DAY),
      fc.integer({ min: -5 * MIN, max: 4 * DAY }),
      fc.integer({ min: 0, max: 4 * DAY }),
      // Prices near 1,000,000 ticks give the instrument cells 100 ticks wide (cellTicksFor): rows that are
      // not multiples of 100 are then summed from the trades, the others from the cells.
      fc.constantFrom(0, 999_970),
      async (batches, rowTicks, barUs, fromOff, len, base) => {
        const store = await openStore();
        try {
          const all: Trade[] = [];
          let id = 1;
          // Whole-minute query ranges: the aggregates are defined over minutes.
          const from = T0 + minuteStart(fromOff);
          const to = from + minuteStart(len);
          for (const batch of batches) {
            const trades = batch.map((b) =>
              mk(id++, T0 + b.minute * MIN + b.within, base + b.price, b.qty, b.buy ? 1 : -1),
            );
            await store.insertTrades('test', 'A', trades);
            all.push(...trades);
            // Read after every batch: the next batch writes into days the cache now holds.
            const sel = inMinutes(all, from, to);
            assert.deepEqual(
              await store.readRowTotals('test', 'A', from, to, rowTicks),
              expectedRows(sel, rowTicks),
            );
            assert.deepEqual(
              await store.readOneSidedRuns('test', 'A', from, to, rowTicks, barUs),
              expectedRuns(sel, rowTicks, barUs),
            );
            assert.equal(await store.readLastClose('test', 'A', from, to), expectedClose(sel));
            const rollups = await store.readMinuteRollups('test', 'A', from, to, rowTicks);
            assert.deepEqual(
              rollups.map((r) => [r.minute, r.buy, r.sell, r.close, r.cells.length]),
              [...new Set(sel.map((t) => minuteStart(t.ts)))]
                .sort((a, b) => a - b)
                .map((m) => {
                  const ts = sel.filter((t) => minuteStart(t.ts) === m);
                  const sum = (s: Side) => ts.filter((t) => t.side === s).reduce((x, t) => x + t.qty, 0);
                  const rows = new Set(ts.map((t) => floorDiv(t.price, rowTicks)));
                  return [m, sum(1), sum(-1), expectedClose(ts), rows.size];
                }),
            );
          }
        } finally {
          await store.close();
        }
      },
    ),
    { numRuns: 40 },
  );
});

test('chunk plans: whole aligned chunks between uncovered edges; empty and sub-chunk ranges', () => {
  // [5, 37) with chunks of 10: head 5..10, chunks 10, 20, tail 30..37.
  assert.deepEqual(planChunks(5, 37, 10), { head: [5, 10], chunks: [10, 20], tail: [30, 37] });
  assert.deepEqual(planChunks(10, 30, 10), { head: undefined, chunks: [10, 20], tail: undefined });
  assert.deepEqual(planChunks(11, 19, 10), { head: [11, 19], chunks: [], tail: undefined });
  // Negative times: ceil(-15/10)·10 = -10 = floor(-5/10)·10, so no whole chunk fits.
  assert.deepEqual(planChunks(-15, -5, 10), { head: [-15, -5], chunks: [], tail: undefined });
  assert.deepEqual(planChunks(-20, 0, 10), { head: undefined, chunks: [-20, -10], tail: undefined });
  assert.deepEqual(planChunks(7, 7, 10), { head: undefined, chunks: [], tail: undefined });
});

test('cache: a write to a day invalidates only entries stamped before it; LRU drops the oldest past the cap', () => {
  const c = new RollupCache(3);
  const s0 = c.stamp(1, 0, DAY);
  c.set('a', s0, 'A', 1);
  c.set('b', c.stamp(1, DAY, 2 * DAY), 'B', 1);
  c.touch(1, DAY + 5, DAY + 6);
  assert.equal(c.get('a', c.stamp(1, 0, DAY)), 'A');
  assert.equal(c.get('b', c.stamp(1, DAY, 2 * DAY)), undefined);
  // Another instrument's write changes nothing for inst 1.
  c.touch(2, 0, 3 * DAY);
  assert.equal(c.get('a', c.stamp(1, 0, DAY)), 'A');
  c.set('x', 0, 'X', 2);
  c.set('y', 0, 'Y', 1);
  // a (1) + x (2) + y (1) = 4 > 3: 'a' was used longest ago... after its last get it is older than x and y.
  assert.equal(c.get('a', 0), undefined);
  assert.equal(c.get('x', 0), 'X');
  // A write spanning more days than are listed stamps every day of the instrument.
  c.set('z', c.stamp(3, 100 * DAY, 101 * DAY), 'Z', 1);
  c.touch(3, 0, 10_000 * DAY);
  assert.equal(c.get('z', c.stamp(3, 100 * DAY, 101 * DAY)), undefined);
});

test('a version-1 store (cells one tick wide) keeps reading its cells after the cell-grid migration', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-v1-'));
  try {
    // Prices near 1,000,000 ticks: a new store puts them on 100-tick cells.
    const trades = Array.from({ length: 300 }, (_, i) =>
      mk(i + 1, T0 + i * 7_000_000, 1_000_000 + ((i * 37) % 250), 1 + (i % 4), i % 3 === 0 ? -1 : 1),
    );
    const first = new DuckDbTradeStore({ dataDir: dir });
    await first.open();
    await first.upsertInstrument(instrument('A'));
    await first.insertTrades('test', 'A', trades);
    await first.close();
    // Rewrite the file as version 1 wrote it: no cell grids, one cell per traded tick.
    const db = await DuckDBInstance.create(join(dir, DATABASE_FILE));
    const conn = await db.connect();
    await conn.run(`UPDATE meta SET value = '1' WHERE key = 'schema_version'`);
    await conn.run('DELETE FROM cell_grids');
    await conn.run('DELETE FROM minute_cells');
    await conn.run(`INSERT INTO minute_cells SELECT 1, * FROM (${minuteCellsOf('SELECT * FROM trades')})`);
    conn.closeSync();
    db.closeSync();
    const store = new DuckDbTradeStore({ dataDir: dir });
    await store.open();
    try {
      for (const rowTicks of [1, 3, 100]) {
        assert.deepEqual(
          await store.readRowTotals('test', 'A', T0, T0 + DAY, rowTicks),
          expectedRows(trades, rowTicks),
          `rowTicks ${rowTicks}`,
        );
      }
      // New trades of the migrated instrument land on the same one-tick cells.
      const more = trades.map((t, i) => ({ ...t, id: 1000 + i, ts: micros(t.ts + DAY) }));
      await store.insertTrades('test', 'A', more);
      assert.deepEqual(
        await store.readRowTotals('test', 'A', T0, T0 + 2 * DAY, 1),
        expectedRows([...trades, ...more], 1),
      );
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
