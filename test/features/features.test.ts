// Feature rows: a hand-worked pair of bars, an independent recomputation from raw trades, incremental = batch, and
// the Parquet/CSV export of real trades read back through DuckDB and checked against the engines.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { DuckDBInstance } from '@duckdb/node-api';
import { unitsToNumber } from '../../src/core/decimal.ts';
import { deltaSeries } from '../../src/engines/delta.ts';
import { buildFootprint } from '../../src/engines/footprint.ts';
import {
  addForwardReturns,
  FeatureEngine,
  featureRows,
  type FeatureRow,
} from '../../src/features/feature-engine.ts';
import { exportFeatures, FEATURE_COLUMNS } from '../../src/features/feature-export.ts';
import { readTradeFile } from '../../src/sources/files/read-trade-file.ts';
import { params, trade } from '../helpers.ts';
import { requireData } from '../real-data.ts';

const MIN = 60_000_000;
const T0 = 1_700_000_000_000_000 - (1_700_000_000_000_000 % MIN);
const P = params({ timePerRow: '1m' });

test('hand-worked rows: delta %, POC and value-area position, CVD, imbalances, labels', () => {
  // Bar 0: rows 100 (sell 10), 101 (buy 40), 102 (buy 5). delta = 45 − 10 = 35, volume 55 ⇒ delta% 63.63…;
  // POC row 101 in [100, 102] ⇒ position 0.5. buy[101] = 40 ≥ 3·sell[100] = 30 ⇒ 1 buy imbalance; buy[102] = 5
  // < 3·sell[101] = 0 → zero opposite, policy skip ⇒ none. First bar of the session ⇒ va_position null.
  // Bar 1: one buy 10 at 104. Session value area of bar 0: POC 101 (40), target 70 % of 55 = 38.5 ⇒ POC alone
  // (40 ≥ 38.5) ⇒ VA = row 101 = [101, 102) ⇒ close 104 ⇒ (104 − 101) / (102 − 101) = 3. CVD = 35 + 10 = 45.
  // Label k = 1: bar 0 closes at 102 (its last trade), bar 1 at 104 ⇒ 104 / 102 − 1; bar 1 has no bar 1 later ⇒ null.
  const trades = [
    trade(T0 + 1, 100, 10, -1),
    trade(T0 + 2, 101, 40, 1),
    trade(T0 + 3, 102, 5, 1),
    trade(T0 + MIN + 1, 104, 10, 1),
  ];
  const rows = featureRows(trades, P, { horizons: [1] });
  assert.equal(rows.length, 2);
  const [a, b] = rows as [FeatureRow, FeatureRow];
  assert.equal(a.delta, 35);
  assert.equal(a.deltaPct, (35 / 55) * 100);
  assert.equal(a.pocPosition, 0.5);
  assert.equal(a.buyImbalances, 1);
  assert.equal(a.sellImbalances, 0);
  assert.equal(a.vaPosition, null);
  assert.equal(b.vaPosition, 3);
  assert.equal(b.cvd, 45);
  assert.equal(b.pocPosition, 0.5);
  assert.equal(a.forwardReturns[1], 104 / 102 - 1);
  assert.equal(b.forwardReturns[1], null);
});

const tradesArb = fc
  .array(
    fc.record({
      dt: fc.integer({ min: 0, max: 15_000_000 }),
      dp: fc.integer({ min: -3, max: 3 }),
      qty: fc.integer({ min: 1, max: 30 }),
      buy: fc.boolean(),
    }),
    { minLength: 1, maxLength: 250 },
  )
  .map((steps) => {
    let ts = T0;
    let price = 1000;
    return steps.map((s) => {
      ts += s.dt;
      price = Math.max(1, price + s.dp);
      return trade(ts, price, s.qty, s.buy ? 1 : -1);
    });
  });

test('volume, delta, CVD, CVD slope, POC position and labels equal an independent recomputation', () => {
  fc.assert(
    fc.property(tradesArb, (trades) => {
      const rows = featureRows(trades, P, { slopeBars: 3, horizons: [2] });
      const buckets = new Map<number, typeof trades>();
      for (const t of trades) {
        const s = Math.floor(t.ts / MIN) * MIN;
        buckets.set(s, [...(buckets.get(s) ?? []), t]);
      }
      const starts = [...buckets.keys()].sort((x, y) => x - y);
      assert.equal(rows.length, starts.length);
      let cvd = 0;
      const cvds: number[] = [];
      starts.forEach((s, i) => {
        const list = buckets.get(s)!;
        const buy = list.filter((t) => t.side === 1).reduce((x, t) => x + t.qty, 0);
        const sell = list.filter((t) => t.side === -1).reduce((x, t) => x + t.qty, 0);
        cvd += buy - sell;
        cvds.push(cvd);
        const r = rows[i]!;
        assert.equal(r.barStart, s);
        assert.equal(r.volume, buy + sell);
        assert.equal(r.delta, buy - sell);
        assert.equal(r.cvd, cvd);
        // slope over 3 points x = 0, 1, 2: (y2 − y0) / 2.
        assert.equal(r.cvdSlope, i < 2 ? null : (cvds[i]! - cvds[i - 2]!) / 2);
        const vol = new Map<number, number>();
        for (const t of list) vol.set(t.price, (vol.get(t.price) ?? 0) + t.qty);
        const lo = Math.min(...vol.keys());
        const hi = Math.max(...vol.keys());
        const poc = r.pocPrice;
        assert.equal(vol.get(poc), Math.max(...vol.values()));
        assert.equal(r.pocPosition, hi === lo ? 0.5 : (poc - lo) / (hi - lo));
        const close = list[list.length - 1]!.price;
        const later = starts[i + 2];
        const laterClose = later === undefined ? undefined : buckets.get(later)!.at(-1)!.price;
        assert.equal(r.forwardReturns[2], laterClose === undefined ? null : laterClose / close - 1);
      });
    }),
    { numRuns: 80 },
  );
});

test('incremental rows (any chunks) equal the batch rows', () => {
  fc.assert(
    fc.property(tradesArb, fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 8 }), (trades, cuts) => {
      for (const p of [P, params({ tickAggregationMethod: 'VOLUME', volumePerBar: '0.05' })]) {
        const batch = featureRows(trades, p);
        const e = new FeatureEngine(p);
        const got: FeatureRow[] = [];
        let at = 0;
        for (const c of cuts) {
          got.push(...e.applyBatch(trades.slice(at, at + c)));
          at += c;
        }
        got.push(...e.applyBatch(trades.slice(at)));
        const last = e.flush();
        if (last !== undefined) got.push(last);
        assert.deepEqual(addForwardReturns(got, []), batch);
      }
    }),
    { numRuns: 50 },
  );
});

test('real data: Parquet and CSV exports read back equal the engines', async (t) => {
  const path = requireData(
    t,
    'binance/trade-stream/binance-usdm_BTCUSDT_2024-08-08T2354Z_2024-08-08T2359Z.trade-stream.txt.gz',
  );
  if (path === undefined) return;
  const file = await readTradeFile(path);
  const p = params({ timePerRow: '15s', priceTickSize: '1' }, file.instrument);
  const rows = featureRows(file.trades, p, { horizons: [1, 4] });
  const bars = buildFootprint(file.trades, p);
  const series = deltaSeries(bars, p);
  const dir = mkdtempSync(join(tmpdir(), 'of-feat-'));
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    for (const format of ['parquet', 'csv'] as const) {
      const out = join(dir, `f.${format}`);
      assert.equal(await exportFeatures(rows, file.instrument, [1, 4], out, format), bars.length);
      const reader = format === 'parquet' ? 'read_parquet' : 'read_csv_auto';
      const res = await conn.runAndReadAll(
        `SELECT bar_start_us, open, close, volume, delta, cvd, trades, fwd_return_1, fwd_return_4, poc_price FROM ${reader}('${out}') ORDER BY bar_start_us`,
      );
      const got = res.getRowObjectsJson();
      assert.equal(got.length, bars.length);
      const q = (l: number): number => unitsToNumber(l, file.instrument.qty);
      const px = (ti: number): number => unitsToNumber(ti, file.instrument.price);
      bars.forEach((b, i) => {
        const r = got[i]!;
        assert.equal(Number(r.bar_start_us), b.start);
        assert.equal(Number(r.open), px(b.open));
        assert.equal(Number(r.close), px(b.close));
        assert.equal(Number(r.volume), q(b.volume));
        assert.equal(Number(r.delta), q(b.delta));
        assert.equal(Number(r.cvd), q(series[i]!.cvdClose));
        assert.equal(Number(r.trades), b.trades);
        assert.equal(Number(r.poc_price), px(b.pocRow * p.rowTicks));
        const f1 = bars[i + 1] === undefined ? null : bars[i + 1]!.close / b.close - 1;
        assert.equal(r.fwd_return_1 === null ? null : Number(r.fwd_return_1), f1);
      });
      const cols = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${reader}('${out}')`);
      const names = cols.getRowObjectsJson().map((c) => String(c.column_name as string));
      assert.deepEqual(names, [
        ...FEATURE_COLUMNS.map((c) => c.name),
        'fwd_return_1',
        'fwd_return_4',
        'time',
      ]);
    }
  } finally {
    conn.closeSync();
    db.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
});
