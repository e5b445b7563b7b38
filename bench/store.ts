// Store benchmark: insert rate of generated trades into the DuckDB tick store (dedupe + rollups) against DuckDB's
// own baseline (the same appender, then a plain INSERT into a plain table), bytes per trade on disk, rollup queries.

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { DOUBLE, DuckDBDataChunk, DuckDBInstance, TINYINT } from '@duckdb/node-api';
import { parseConfig } from '../src/core/config.ts';
import { parseIncrement } from '../src/core/decimal.ts';
import type { Instrument } from '../src/core/instrument.ts';
import { resolveParams } from '../src/core/params.ts';
import { US_PER_DAY } from '../src/core/time.ts';
import type { Trade } from '../src/core/trade.ts';
import { DuckDbTradeStore } from '../src/store/duckdb-store.ts';
import { footprintFromRollups } from '../src/store/rollups.ts';
import { percentiles, randomWalk } from './workload.ts';

export interface StoreBenchOptions {
  /** Trades generated (default 2,000,000: ~16 h at 35 trades/s). */
  readonly trades?: number;
  /** Trades per insertTrades call (one transaction each). */
  readonly batchSize?: number;
  /** Where the database files go (a fresh temporary directory by default, removed afterwards). */
  readonly dir?: string;
}

const INSTRUMENT: Instrument = {
  exchange: 'bench',
  symbol: 'BTCUSDT',
  kind: 'spot',
  base: 'BTC',
  quote: 'USDT',
  price: parseIncrement('0.01'),
  qty: parseIncrement('0.00001'),
  volumeUnit: 'base',
  source: 'config',
};

const fileBytes = (path: string): number =>
  statSync(path).size + (statSync(path + '.wal', { throwIfNoEntry: false })?.size ?? 0);

/** The baseline: the same chunked appender into a staging table, then a plain INSERT ... SELECT into a plain table. */
async function baseline(
  path: string,
  trades: readonly Trade[],
  batchSize: number,
): Promise<{ ms: number; bytes: number }> {
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  await conn.run('CREATE TABLE plain (ts BIGINT, id BIGINT, price BIGINT, qty BIGINT, side TINYINT)');
  const types = [DOUBLE, DOUBLE, DOUBLE, DOUBLE, TINYINT];
  const t0 = performance.now();
  for (let from = 0; from < trades.length; from += batchSize) {
    const batch = trades.slice(from, from + batchSize);
    await conn.run(
      'CREATE OR REPLACE TEMP TABLE stage (ts DOUBLE, id DOUBLE, price DOUBLE, qty DOUBLE, side TINYINT)',
    );
    const appender = await conn.createAppender('stage', null, 'temp');
    const chunk = DuckDBDataChunk.create(types, 2048);
    for (let base = 0; base < batch.length; base += 2048) {
      const n = Math.min(2048, batch.length - base);
      chunk.rowCount = n;
      const v = types.map((_, c) => chunk.getColumnVector(c));
      for (let i = 0; i < n; i++) {
        const t = batch[base + i]!;
        v[0]!.setItem(i, t.ts);
        v[1]!.setItem(i, t.id);
        v[2]!.setItem(i, t.price);
        v[3]!.setItem(i, t.qty);
        v[4]!.setItem(i, t.side);
      }
      for (const x of v) x.flush();
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
    appender.closeSync();
    await conn.run('BEGIN TRANSACTION');
    await conn.run(
      'INSERT INTO plain SELECT ts::BIGINT, id::BIGINT, price::BIGINT, qty::BIGINT, side FROM stage',
    );
    await conn.run('COMMIT');
  }
  const ms = performance.now() - t0;
  await conn.run('CHECKPOINT');
  conn.closeSync();
  instance.closeSync();
  return { ms, bytes: path === ':memory:' ? 0 : fileBytes(path) };
}

export async function benchStore(options: StoreBenchOptions = {}): Promise<Record<string, unknown>> {
  const n = options.trades ?? 2_000_000;
  const batchSize = options.batchSize ?? 250_000;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'orderflow-bench-store-'));
  const start = Date.UTC(2024, 0, 1) * 1000;
  const trades = randomWalk(n, start, 35);
  try {
    // Warm-up (JIT, DuckDB allocator) on a throwaway in-memory database, so neither side pays it in the figures.
    const warm = new DuckDbTradeStore({ path: ':memory:' });
    await warm.open();
    await warm.upsertInstrument(INSTRUMENT);
    await warm.insertTrades('bench', 'BTCUSDT', trades.slice(0, Math.min(n, 100_000)));
    await warm.close();
    await baseline(':memory:', trades.slice(0, Math.min(n, 100_000)), batchSize);

    const store = new DuckDbTradeStore({ dataDir: dir });
    await store.open();
    await store.upsertInstrument(INSTRUMENT);
    const t0 = performance.now();
    let inserted = 0;
    for (let from = 0; from < n; from += batchSize) {
      inserted += (await store.insertTrades('bench', 'BTCUSDT', trades.slice(from, from + batchSize)))
        .inserted;
    }
    const insertMs = performance.now() - t0;
    // Re-importing everything must store nothing; its rate is the dedupe cost alone.
    const t1 = performance.now();
    let again = 0;
    for (let from = 0; from < n; from += batchSize) {
      again += (await store.insertTrades('bench', 'BTCUSDT', trades.slice(from, from + batchSize))).inserted;
    }
    const reinsertMs = performance.now() - t1;
    await store.checkpoint();
    const storeBytes = fileBytes(store.path);

    // One day of 1m footprints (rows of 10 price units = 1000 ticks) from rollups.
    const p = resolveParams(parseConfig({ timePerRow: '1m', priceTickSize: '10' }), INSTRUMENT);
    const samples: number[] = [];
    let bars = 0;
    for (let r = 0; r < 15; r++) {
      const q0 = performance.now();
      const rollups = await store.readMinuteRollups('bench', 'BTCUSDT', start, start + US_PER_DAY);
      bars = footprintFromRollups(rollups, p).length;
      samples.push(performance.now() - q0);
    }
    await store.close();

    const base = await baseline(join(dir, 'baseline.duckdb'), trades, batchSize);
    const rate = (ms: number): number => Math.round(n / (ms / 1000));
    return {
      workload: `seeded random walk, ${n} trades, batches of ${batchSize}`,
      insert_trades_per_s: rate(insertMs),
      inserted,
      reinsert_duplicates_per_s: rate(reinsertMs),
      reinserted: again,
      baseline_plain_insert_trades_per_s: rate(base.ms),
      ratio_to_baseline: Math.round((base.ms / insertMs) * 100) / 100,
      store_bytes_per_trade: Math.round((storeBytes / n) * 100) / 100,
      baseline_bytes_per_trade: Math.round((base.bytes / n) * 100) / 100,
      footprint_1m_row10_one_day_from_rollups_ms: { ...percentiles(samples), bars },
    };
  } finally {
    if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = Number(process.argv[2] ?? 2_000_000);
  console.log(JSON.stringify(await benchStore({ trades: n }), null, 2));
}
