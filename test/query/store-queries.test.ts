// Store-backed queries return exactly the bodies src/cli/analysis.ts builds from the same trades: on the real data
// (DuckDB, every dump file), on generated trades with arbitrary ranges and bar settings, and for markets of
// instruments on different grids (merged independently here).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  deltaQuery,
  footprintQuery,
  metricsQuery,
  profileQuery,
  type QueryRange,
} from '../../src/cli/analysis.ts';
import { parseConfig, type OrderFlowConfigInput } from '../../src/core/config.ts';
import { formatIncrement, parseIncrement } from '../../src/core/decimal.ts';
import type { Instrument } from '../../src/core/instrument.ts';
import { resolveParams } from '../../src/core/params.ts';
import type { Trade } from '../../src/core/trade.ts';
import { lots, micros, ticks, type Side } from '../../src/core/units.ts';
import { importTradeFile } from '../../src/importers/import-job.ts';
import {
  storeDeltaQuery,
  storeFootprintQuery,
  storeMetricsQuery,
  storeProfileQuery,
} from '../../src/query/store-queries.ts';
import { resolveTarget } from '../../src/query/targets.ts';
import { readTradeFile } from '../../src/sources/files/read-trade-file.ts';
import { DuckDbTradeStore } from '../../src/store/duckdb-store.ts';
import { MemoryTradeStore } from '../../src/store/memory-store.ts';
import type { TradeStore } from '../../src/store/port.ts';
import { requireData } from '../real-data.ts';

const MIN = 60_000_000;
const DAY = 1440 * MIN;

function instrument(exchange: string, symbol: string, tick: string, lot: string): Instrument {
  return {
    exchange,
    symbol,
    kind: 'spot',
    base: 'BTC',
    quote: 'USD',
    price: parseIncrement(tick),
    qty: parseIncrement(lot),
    volumeUnit: 'base',
    source: 'config',
  };
}

async function assertSame(
  store: TradeStore,
  symbol: string,
  trades: readonly Trade[],
  cfgIn: OrderFlowConfigInput,
  r: QueryRange,
  note: string,
  markets: Record<string, string[]> = {},
): Promise<void> {
  const cfg = parseConfig(cfgIn);
  const target = await resolveTarget(store, symbol, markets);
  const p = resolveParams(cfg, target.scale, target.qtyStep);
  const tf = cfg.timePerRow;
  const label = target.label;
  assert.deepEqual(
    (await storeFootprintQuery(store, target, tf, p, r)).body,
    footprintQuery(label, tf, trades, p, r).body,
    `footprint ${note}`,
  );
  assert.deepEqual(
    (await storeDeltaQuery(store, target, tf, p, r)).body,
    deltaQuery(label, tf, trades, p, r).body,
    `delta ${note}`,
  );
  for (const type of ['VPVR', 'VPSV'] as const) {
    assert.deepEqual(
      (await storeProfileQuery(store, target, type, p, r)).body,
      profileQuery(label, type, trades, p, r).body,
      `${type} ${note}`,
    );
  }
  assert.deepEqual(
    (await storeMetricsQuery(store, target, p, r)).body,
    metricsQuery(label, trades, p, r).body,
    `metrics ${note}`,
  );
}

const SETTINGS: OrderFlowConfigInput[] = [
  {},
  { priceTickSize: '10', timePerRow: '5m' },
  { timePerRow: '30s' },
  { tickAggregationMethod: 'VOLUME', volumePerBar: '5' },
  { tickAggregationMethod: 'TICK_COUNT', ticksPerBar: 250 },
  { sessions: [{ name: 'late', start: '23:58', end: '00:02' }], cvdReset: 'session' },
];

test('real data: store queries equal file queries for every dump file, whole and cut ranges', async (t) => {
  const csvDir = requireData(t, 'binance/csv');
  if (!csvDir) return;
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-q-'));
  const store = new DuckDbTradeStore({ dataDir: dir });
  await store.open();
  try {
    const files = readdirSync(csvDir)
      .sort()
      .map((f) => join(csvDir, f));
    const imported = [];
    for (const f of files) imported.push(await importTradeFile(store, f));
    for (const r of imported) {
      const symbol = `${r.exchange}:${r.symbol}`;
      const inst = (await store.getInstrument(r.exchange, r.symbol))!;
      // The file read on the stored grid: BTCUSDT spot is stored with 6 lot decimals (the 2021 file needs them).
      const file = await readTradeFile(r.file, {
        tickSize: formatIncrement(inst.price),
        lotSize: formatIncrement(inst.qty),
      });
      const ranges: QueryRange[] = [
        { from: r.firstTs!, to: r.lastTs! + 1 },
        { from: r.firstTs! + 61_234_567, to: r.lastTs! - 29_999_999 },
      ];
      for (const cfg of SETTINGS)
        for (const range of ranges)
          await assertSame(store, symbol, file.trades, cfg, range, `${r.file} ${JSON.stringify(cfg)}`);
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Trades of one instrument over two UTC days with bursts, repeated prices and equal timestamps. */
const tradesArb = (exchange: string, symbol: string) =>
  fc
    .array(
      fc.record({
        dt: fc.oneof(
          fc.constant(0),
          fc.integer({ min: 1, max: 90_000_000 }),
          fc.integer({ min: 1, max: 6 * 3_600_000_000 }),
        ),
        price: fc.integer({ min: 9_990, max: 10_010 }),
        qty: fc.integer({ min: 1, max: 5_000 }),
        sell: fc.boolean(),
      }),
      { minLength: 0, maxLength: 120 },
    )
    .map((rows) => {
      let ts = DAY * 19_700 - 3 * 3_600_000_000;
      return rows.map((x, i): Trade => {
        ts += x.dt;
        return {
          exchange,
          symbol,
          id: 1_000 + i,
          ts: micros(ts),
          price: ticks(x.price),
          qty: lots(x.qty),
          side: x.sell ? -1 : 1,
          sideSource: 'exchange',
        };
      });
    });

test('generated trades: any range and bar setting gives the analysis.ts bodies', async () => {
  await fc.assert(
    fc.asyncProperty(
      tradesArb('x', 'AAA'),
      fc.constantFrom(...SETTINGS),
      fc.option(fc.integer({ min: -DAY, max: DAY })),
      fc.option(fc.integer({ min: 0, max: 2 * DAY })),
      async (trades, cfg, fromOff, span) => {
        const store = new MemoryTradeStore();
        await store.open();
        await store.upsertInstrument(instrument('x', 'AAA', '0.01', '0.001'));
        await store.insertTrades('x', 'AAA', trades);
        const base = DAY * 19_700 - 3 * 3_600_000_000;
        const from = fromOff === null ? undefined : base + fromOff;
        const to = span === null ? undefined : (from ?? base) + span + 1;
        const r: QueryRange = {
          ...(from === undefined ? {} : { from }),
          ...(to === undefined ? {} : { to }),
        };
        await assertSame(store, 'x:AAA', trades, cfg, r, JSON.stringify({ cfg, r }));
      },
    ),
    { numRuns: 60 },
  );
});

test('a market sums its instruments on the finest grid, merged in (ts, id, market order)', async () => {
  await fc.assert(
    fc.asyncProperty(
      tradesArb('ex-a', 'A'),
      tradesArb('ex-b', 'B'),
      fc.constantFrom(...SETTINGS),
      async (a, b, cfg) => {
        const store = new MemoryTradeStore();
        await store.open();
        // A: tick 0.1, lot 0.001; B: tick 0.01, lot 0.00000001 ⇒ market grid tick 0.01 (A ×10), lot 1e-8 (A ×100000).
        await store.upsertInstrument(instrument('ex-a', 'A', '0.1', '0.001'));
        await store.upsertInstrument(instrument('ex-b', 'B', '0.01', '0.00000001'));
        await store.insertTrades('ex-a', 'A', a);
        await store.insertTrades('ex-b', 'B', b);
        const onGrid = [
          ...a.map((t, i) => ({
            t: { ...t, price: ticks(t.price * 10), qty: lots(t.qty * 100_000) },
            k: 0,
            i,
          })),
          ...b.map((t, i) => ({ t, k: 1, i })),
        ];
        onGrid.sort(
          (x, y) => x.t.ts - y.t.ts || (x.t.id as number) - (y.t.id as number) || x.k - y.k || x.i - y.i,
        );
        const merged = onGrid.map((x) => x.t);
        await assertSame(store, 'M', merged, cfg, {}, JSON.stringify(cfg), { M: ['ex-a:A', 'ex-b:B'] });
      },
    ),
    { numRuns: 25 },
  );
});

test('hand-worked market profile: 0.1-tick and 0.01-tick prints land on one 0.01 grid', async () => {
  const store = new MemoryTradeStore();
  await store.open();
  await store.upsertInstrument(instrument('ex-a', 'A', '0.1', '0.001'));
  await store.upsertInstrument(instrument('ex-b', 'B', '0.01', '0.00000001'));
  const t0 = DAY * 19_700;
  const mk = (
    exchange: string,
    symbol: string,
    id: number,
    price: number,
    qty: number,
    side: Side,
  ): Trade => ({
    exchange,
    symbol,
    id,
    ts: micros(t0 + id),
    price: ticks(price),
    qty: lots(qty),
    side,
    sideSource: 'exchange',
  });
  // A buys 0.002 at 100.1 (1001 ticks of 0.1); B sells 0.0005 at 100.10 (10010 ticks of 0.01) and buys 0.001 at 100.05.
  await store.insertTrades('ex-a', 'A', [mk('ex-a', 'A', 1, 1001, 2, 1)]);
  await store.insertTrades('ex-b', 'B', [
    mk('ex-b', 'B', 2, 10010, 50_000, -1),
    mk('ex-b', 'B', 3, 10005, 100_000, 1),
  ]);
  const cfg = parseConfig({ priceTickSize: '0.05' });
  const target = await resolveTarget(store, 'M', { M: ['ex-a:A', 'ex-b:B'] });
  assert.equal(formatIncrement(target.scale.price), '0.01');
  assert.equal(formatIncrement(target.scale.qty), '0.00000001');
  const p = resolveParams(cfg, target.scale, target.qtyStep);
  const { body } = await storeProfileQuery(store, target, 'VPVR', p, {});
  const d = body.data as {
    profile: Record<string, unknown>;
    price_levels: { price: number; buy_volume: number; sell_volume: number }[];
  };
  // Rows of 0.05: 100.05 holds B's buy 0.001; 100.10 holds A's buy 0.002 and B's sell 0.0005.
  assert.deepEqual(
    d.price_levels.map((l) => [l.price, l.buy_volume, l.sell_volume]),
    [
      [100.05, 0.001, 0],
      [100.1, 0.002, 0.0005],
    ],
  );
  assert.equal(d.profile.total_volume, 0.0035);
  assert.equal(d.profile.point_of_control, 100.1);
});

test('symbols: exchange:SYMBOL, markets, bare symbols, and clear errors', async () => {
  const store = new MemoryTradeStore();
  await store.open();
  await store.upsertInstrument(instrument('binance', 'BTCUSDT', '0.01', '0.00001'));
  await store.upsertInstrument(instrument('binance-usdm', 'BTCUSDT', '0.1', '0.001'));
  await store.upsertInstrument(instrument('binance', 'ETHUSDT', '0.01', '0.0001'));
  assert.equal((await resolveTarget(store, 'binance:BTCUSDT')).label, 'binance:BTCUSDT');
  assert.equal((await resolveTarget(store, 'ETHUSDT')).label, 'binance:ETHUSDT');
  // default market BTC = binance:BTCUSDT + coinbase:BTC-USD: only the first is stored
  const btc = await resolveTarget(store, 'BTC');
  assert.equal(btc.label, 'BTC');
  assert.deepEqual(
    btc.members.map((m) => m.instrument.exchange),
    ['binance'],
  );
  await assert.rejects(resolveTarget(store, 'BTCUSDT'), /several exchanges/);
  await assert.rejects(resolveTarget(store, 'kraken:XBT'), /not in the store/);
  await assert.rejects(resolveTarget(store, 'Z', { Z: ['okx:BTC-USDT'] }), /none of its instruments/);
});
