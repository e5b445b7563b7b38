// Store benchmark, end to end: CSV import rate into the tick store against DuckDB's own read_csv into a plain table
// (same file, same run), bytes per trade on disk, a one-day 1m footprint and a 30-day VPVR from the store.
// Workload: the real Binance spot trades of ../shared/data tiled with shifted ids and times (or a random walk).

import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { parseConfig } from '../src/core/config.ts';
import { resolveParams } from '../src/core/params.ts';
import { US_PER_DAY } from '../src/core/time.ts';
import type { Trade } from '../src/core/trade.ts';
import { lots, micros, ticks } from '../src/core/units.ts';
import { importTradeFile } from '../src/importers/import-job.ts';
import { storeFootprintBars, storeFootprintQuery, storeProfileQuery } from '../src/query/store-queries.ts';
import { resolveTarget } from '../src/query/targets.ts';
import { DuckDbTradeStore } from '../src/store/duckdb-store.ts';
import { percentiles, SHARED_DATA } from './workload.ts';

export interface StoreQueriesBenchOptions {
  /** Trades of the day imported from CSV (default 3,200,000). */
  readonly dayTrades?: number;
  /** Trades per day of the 29 further days the VPVR reads (default 300,000). */
  readonly otherDayTrades?: number;
  readonly runs?: number;
  readonly dir?: string;
}

/** Query runs after the first and before the measured ones: the JIT settles (the first run is reported apart). */
const WARM_UP_RUNS = 10;

const SOURCE = 'binance/csv/BTCUSDT-trades-DERIVED-2024-08-08T2354Z_2024-08-09T0005Z.csv';
export const DAY0 = Date.UTC(2025, 0, 1) * 1000;

export interface BaseRow {
  id: number;
  price: string;
  qty: string;
  us: number;
  buyerMaker: boolean;
}

export function baseRows(): { rows: BaseRow[]; real: boolean } {
  try {
    const text = readFileSync(join(SHARED_DATA, SOURCE), 'utf8');
    const rows = text
      .split('\n')
      .filter((l) => /^\d/.test(l))
      .map((l) => {
        const f = l.split(',');
        return {
          id: Number(f[0]),
          price: f[1]!,
          qty: f[2]!,
          us: Number(f[4]) * 1000,
          buyerMaker: f[5] === 'True',
        };
      });
    return { rows, real: true };
  } catch {
    let price = 6_000_000;
    const rows = Array.from({ length: 20_000 }, (_, i) => {
      price += ((i * 7919) % 7) - 3;
      return {
        id: i + 1,
        price: (price / 100).toFixed(2),
        qty: (((i * 104729) % 2000) / 100_000 + 0.00001).toFixed(5),
        us: i * 33_000,
        buyerMaker: i % 3 === 0,
      };
    });
    return { rows, real: false };
  }
}

/**
 * The base rows repeated `n` times over [dayStart, dayStart + 1 day): tile k keeps the rows' order, prices and
 * sizes, with ids shifted past the previous tile and times squeezed into the tile's slot of the day.
 */
export function* tiledRows(
  base: readonly BaseRow[],
  n: number,
  dayStart: number,
  firstId: number,
): Generator<BaseRow> {
  const tiles = Math.ceil(n / base.length);
  const slot = Math.floor(US_PER_DAY / tiles);
  const t0 = base[0]!.us;
  const dur = base[base.length - 1]!.us - t0 + 1;
  for (let i = 0; i < n; i++) {
    const k = Math.floor(i / base.length);
    const b = base[i % base.length]!;
    yield {
      id: firstId + i,
      price: b.price,
      qty: b.qty,
      us: dayStart + k * slot + Math.floor(((b.us - t0) * slot) / dur),
      buyerMaker: b.buyerMaker,
    };
  }
}

/**
 * A spot dump CSV (µs times, as Binance writes them since 2025), written in pieces: one 200 MB string would leave
 * old-generation garbage that the next major GC, inside the timed import, would pay for.
 */
export function writeCsv(path: string, rows: Iterable<BaseRow>): number {
  const fd = openSync(path, 'w');
  try {
    let parts: string[] = [];
    let n = 0;
    for (const r of rows) {
      parts.push(`${r.id},${r.price},${r.qty},0,${r.us},${r.buyerMaker ? 'True' : 'False'},True\n`);
      if (++n % 65_536 === 0) {
        writeSync(fd, parts.join(''));
        parts = [];
      }
    }
    writeSync(fd, parts.join(''));
    return n;
  } finally {
    closeSync(fd);
  }
}

function toTrade(r: BaseRow): Trade {
  const [i = '0', f = ''] = r.price.split('.');
  const [qi = '0', qf = ''] = r.qty.split('.');
  return {
    exchange: 'binance',
    symbol: 'BTCUSDT',
    id: r.id,
    ts: micros(r.us),
    price: ticks(Number(i + f.padEnd(2, '0').slice(0, 2))),
    qty: lots(Number(qi + qf.padEnd(5, '0').slice(0, 5))),
    side: r.buyerMaker ? -1 : 1,
    sideSource: 'exchange',
  };
}

const fileBytes = (path: string): number =>
  statSync(path).size + (statSync(path + '.wal', { throwIfNoEntry: false })?.size ?? 0);

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** DuckDB's own CSV reader into a plain table of the same columns: the import baseline. */
export async function baselineReadCsv(csv: string, dbPath: string): Promise<number> {
  const instance = await DuckDBInstance.create(dbPath);
  const conn = await instance.connect();
  try {
    const { ms } = await timed(() =>
      conn.run(`CREATE TABLE plain AS SELECT * FROM read_csv('${csv}', header = false, columns = {
        'id': 'BIGINT', 'price': 'DECIMAL(18,8)', 'qty': 'DECIMAL(18,8)', 'quote': 'DOUBLE', 'time': 'BIGINT',
        'buyer_maker': 'BOOLEAN', 'best': 'BOOLEAN'})`),
    );
    await conn.run('CHECKPOINT');
    return ms;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

export async function benchStoreQueries(
  options: StoreQueriesBenchOptions = {},
): Promise<Record<string, unknown>> {
  const dayTrades = options.dayTrades ?? 3_200_000;
  const otherDayTrades = options.otherDayTrades ?? 300_000;
  const runs = options.runs ?? 21;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'orderflow-bench-sq-'));
  const { rows: base, real } = baseRows();
  try {
    const csv = join(dir, 'BTCUSDT-trades-2025-01-01.csv');
    const n = writeCsv(csv, tiledRows(base, dayTrades, DAY0, 1));
    const csvBytes = statSync(csv).size;

    // Warm-up on a small file (JIT, DuckDB start-up) so neither side pays it in the figures.
    const warmCsv = join(dir, 'BTCUSDT-trades-2024-12-31.csv');
    writeCsv(warmCsv, tiledRows(base, 50_000, DAY0 - US_PER_DAY, 1));
    const warm = new DuckDbTradeStore({ path: ':memory:' });
    await warm.open();
    await importTradeFile(warm, warmCsv);
    await warm.close();
    await baselineReadCsv(warmCsv, ':memory:');

    const baselineMs = await baselineReadCsv(csv, join(dir, 'baseline.duckdb'));
    const baselineBytes = fileBytes(join(dir, 'baseline.duckdb'));

    const store = new DuckDbTradeStore({ dataDir: join(dir, 'store') });
    await store.open();
    const imp = await timed(() => importTradeFile(store, csv));
    await store.checkpoint();
    const dayBytes = fileBytes(store.path);

    const target = await resolveTarget(store, 'binance:BTCUSDT');
    const p = resolveParams(
      parseConfig({ timePerRow: '1m', priceTickSize: '10' }),
      target.scale,
      target.qtyStep,
    );
    const day = { from: DAY0, to: DAY0 + US_PER_DAY };
    const fp: number[] = [];
    const fpBars: number[] = [];
    let bars = 0;
    let cells = 0;
    let fpFirst = 0;
    for (let r = 0; r <= WARM_UP_RUNS + runs; r++) {
      const q = await timed(() => storeFootprintQuery(store, target, '1m', p, day));
      const b = await timed(() => storeFootprintBars(store, target, p, day));
      if (r === 0) fpFirst = q.ms;
      if (r <= WARM_UP_RUNS) continue;
      fp.push(q.ms);
      fpBars.push(b.ms);
      bars = q.value.bars.length;
      cells = q.value.bars.reduce((s, x) => s + x.cells.length, 0);
    }

    // 29 further days (before the imported one) so the VPVR reads 30 days of rollups.
    const ins = await timed(async () => {
      for (let d = 1; d <= 29; d++) {
        const trades = [
          ...tiledRows(base, otherDayTrades, DAY0 - d * US_PER_DAY, 1_000_000_000 + d * 10_000_000),
        ].map(toTrade);
        for (let i = 0; i < trades.length; i += 262_144)
          await store.insertTrades('binance', 'BTCUSDT', trades.slice(i, i + 262_144));
      }
    });
    await store.checkpoint();
    const totalTrades = n + 29 * otherDayTrades;
    const totalBytes = fileBytes(store.path);
    const month = { from: DAY0 - 29 * US_PER_DAY, to: DAY0 + US_PER_DAY };
    const vp: number[] = [];
    let levels = 0;
    let inefficiencies = 0;
    let vpFirst = 0;
    for (let r = 0; r <= WARM_UP_RUNS + runs; r++) {
      const q = await timed(() => storeProfileQuery(store, target, 'VPVR', p, month));
      if (r === 0) vpFirst = q.ms;
      if (r <= WARM_UP_RUNS) continue;
      vp.push(q.ms);
      levels = q.value.profile.levels.length;
      inefficiencies = q.value.profile.inefficiencies.length;
    }
    await store.close();

    const rate = (count: number, ms: number): number => Math.round(count / (ms / 1000));
    const importRate = rate(n, imp.ms);
    const baselineRate = rate(n, baselineMs);
    return {
      workload: real
        ? `real Binance spot BTCUSDT trades (${base.length} rows of ${SOURCE}) tiled with shifted ids and times: ${n} trades in one UTC day (${(csvBytes / 1e6).toFixed(0)} MB CSV), plus 29 days of ${otherDayTrades}`
        : `no shared data: a deterministic random walk tiled to ${n} trades in one day, plus 29 days of ${otherDayTrades}`,
      import_csv_trades_per_s: importRate,
      import_inserted: imp.value.inserted,
      baseline_duckdb_read_csv_trades_per_s: baselineRate,
      import_ratio_to_read_csv: Math.round((importRate / baselineRate) * 100) / 100,
      goals: {
        import_trades_per_s: 2_000_000,
        import_ratio_to_read_csv: 0.8,
        footprint_p50_ms: 30,
        vpvr_30d_p50_ms: 50,
        bytes_per_trade: 12,
      },
      store_bytes_per_trade_one_day: Math.round((dayBytes / n) * 100) / 100,
      store_bytes_per_trade_30_days: Math.round((totalBytes / totalTrades) * 100) / 100,
      baseline_plain_table_bytes_per_trade: Math.round((baselineBytes / n) * 100) / 100,
      footprint_1m_row10_one_day_ms: {
        ...percentiles(fp),
        first_run: Math.round(fpFirst * 10) / 10,
        bars,
        cells,
        note: 'bars + REST body; first_run: the first query (SQL, cold JIT); p50/p99: the runs after 10 warm-up runs, served by the store memo of whole days',
      },
      footprint_1m_row10_one_day_bars_only_ms: percentiles(fpBars),
      insert_29_days_trades_per_s: rate(29 * otherDayTrades, ins.ms),
      vpvr_30_days_row10_ms: {
        ...percentiles(vp),
        first_run: Math.round(vpFirst * 10) / 10,
        levels,
        inefficiencies,
        trades: totalTrades,
        note: 'SQL row totals and one-sided runs; first_run: the first query (SQL, cold JIT); p50/p99: the runs after 10 warm-up runs, served by the store memo of whole days',
      },
    };
  } finally {
    if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
  console.log(JSON.stringify(await benchStoreQueries(n === undefined ? {} : { dayTrades: n }), null, 2));
}
