// Import-only benchmark: the store_queries CSV (the real spot trades tiled to N trades in one day) imported into a
// fresh DuckDB store, alternating with DuckDB's own read_csv into a plain table and with a bare typed insert into
// the store's trades table (no checks, no rollups), so all three see the same machine.
// `node --import tsx bench/import-csv.ts [trades] [runs] [js]` (js: also time the JS path once).

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';
import { importTradeFile, type ImportFileOptions } from '../src/importers/import-job.ts';
import { DuckDbTradeStore } from '../src/store/duckdb-store.ts';
import { CREATE_TABLES } from '../src/store/duckdb-schema.ts';
import { baselineReadCsv, baseRows, DAY0, tiledRows, writeCsv } from './store-queries.ts';

async function importOnce(csv: string, dir: string, o: ImportFileOptions): Promise<number> {
  rmSync(dir, { recursive: true, force: true });
  const store = new DuckDbTradeStore({ dataDir: dir });
  await store.open();
  try {
    const t0 = performance.now();
    const r = await importTradeFile(store, csv, o);
    const ms = performance.now() - t0;
    if (r.inserted !== r.tradesParsed) throw new Error(`imported ${r.inserted} of ${r.tradesParsed}`);
    return ms;
  } finally {
    await store.close();
  }
}

/**
 * The floor under any import into this store: DuckDB's typed read_csv straight into the store's `trades` table, with
 * no checks and no rollups (ms). The store's table has an instrument column and keeps the file's order, which
 * costs more than the plain table of baselineReadCsv.
 */
async function bareStoreInsert(csv: string, dbPath: string): Promise<number> {
  const instance = await DuckDBInstance.create(dbPath);
  const conn = await instance.connect();
  try {
    for (const sql of CREATE_TABLES) await conn.run(sql);
    const t0 = performance.now();
    await conn.run(`INSERT INTO trades
      SELECT 1, time, id, NULL, (price * 100)::BIGINT, (qty * 100000)::BIGINT, CASE WHEN maker THEN -1 ELSE 1 END,
             0, NULL, NULL
      FROM read_csv('${csv}', header = false, auto_detect = false, delim = ',', quote = '', escape = '',
        columns = {'id': 'BIGINT', 'price': 'DECIMAL(18,2)', 'qty': 'DECIMAL(18,5)', 'quote': 'VARCHAR',
                   'time': 'BIGINT', 'maker': 'BOOLEAN', 'best': 'BOOLEAN'})`);
    return performance.now() - t0;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchImportCsv(
  n = 3_200_000,
  runs = 3,
  withJs = false,
): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-bench-imp-'));
  try {
    const csv = join(dir, 'BTCUSDT-trades-2025-01-01.csv');
    writeCsv(csv, tiledRows(baseRows().rows, n, DAY0, 1));
    const warm = join(dir, 'BTCUSDT-trades-2024-12-31.csv');
    writeCsv(warm, tiledRows(baseRows().rows, 50_000, DAY0, 1));
    await importOnce(warm, join(dir, 'warm'), {});
    await baselineReadCsv(warm, ':memory:');
    const fast: number[] = [];
    const base: number[] = [];
    const bare: number[] = [];
    for (let r = 0; r < runs; r++) {
      for (const f of ['baseline.duckdb', 'bare.duckdb']) rmSync(join(dir, f), { force: true });
      base.push(await baselineReadCsv(csv, join(dir, 'baseline.duckdb')));
      bare.push(await bareStoreInsert(csv, join(dir, 'bare.duckdb')));
      fast.push(await importOnce(csv, join(dir, 'store'), {}));
    }
    const js = withJs ? await importOnce(csv, join(dir, 'store-js'), { engine: 'js' }) : undefined;
    const rate = (ms: number): number => Math.round(n / (ms / 1000));
    return {
      trades: n,
      csv_mb: Math.round(statSync(csv).size / 1e6),
      import_ms: fast.map(Math.round),
      baseline_read_csv_ms: base.map(Math.round),
      import_trades_per_s: rate(median(fast)),
      baseline_trades_per_s: rate(median(base)),
      ratio: Math.round((median(base) / median(fast)) * 100) / 100,
      bare_insert_into_store_table_ms: bare.map(Math.round),
      bare_insert_ratio: Math.round((median(base) / median(bare)) * 100) / 100,
      ...(js === undefined ? {} : { js_path_trades_per_s: rate(js) }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('import-csv.ts') === true) {
  const [n, runs, js] = process.argv.slice(2);
  console.log(
    JSON.stringify(
      await benchImportCsv(
        n === undefined ? undefined : Number(n),
        runs === undefined ? 3 : Number(runs),
        js === 'js',
      ),
      null,
      2,
    ),
  );
}
