// Import-only benchmark: the store_queries CSV (the real spot trades tiled to N trades in one day) imported into a
// fresh DuckDB store, alternating with DuckDB's own read_csv into a plain table, so both see the same machine.
// `node --import tsx bench/import-csv.ts [trades] [runs] [js]` (js: also time the JS path once).

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { importTradeFile, type ImportFileOptions } from '../src/importers/import-job.ts';
import { DuckDbTradeStore } from '../src/store/duckdb-store.ts';
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
    for (let r = 0; r < runs; r++) {
      rmSync(join(dir, 'baseline.duckdb'), { force: true });
      base.push(await baselineReadCsv(csv, join(dir, 'baseline.duckdb')));
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
