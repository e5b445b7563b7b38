// Exports ticks, footprint bars or footprint cells of the store to Parquet, CSV or JSON lines through DuckDB's COPY:
// rows go through an in-memory DuckDB table (ticks in bounded batches), so every format comes from one writer.

import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { unitsToNumber } from '../core/decimal.ts';
import { OrderflowError } from '../core/errors.ts';
import type { TradeStore } from '../store/port.ts';
import type { QueryTarget } from './targets.ts';

export type ExportFormat = 'parquet' | 'csv' | 'jsonl';
export type ExportWhat = 'ticks' | 'bars' | 'cells';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['parquet', 'csv', 'jsonl'];
export const EXPORT_WHATS: readonly ExportWhat[] = ['ticks', 'bars', 'cells'];

const COPY_OPTIONS: Readonly<Record<ExportFormat, string>> = {
  parquet: 'FORMAT PARQUET, COMPRESSION ZSTD',
  csv: 'FORMAT CSV, HEADER',
  jsonl: 'FORMAT JSON',
};

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

async function withScratch<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    return await fn(conn);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

async function copyOut(
  conn: DuckDBConnection,
  select: string,
  out: string,
  format: ExportFormat,
): Promise<void> {
  await conn.run(`COPY (${select}) TO ${sqlString(out)} (${COPY_OPTIONS[format]})`);
}

/** Tick columns: the exchange's own ids and decimal price/qty on each instrument's own grid, plus the raw integers. */
const TICK_TABLE = `CREATE TABLE ticks (exchange VARCHAR, symbol VARCHAR, id BIGINT, id_text VARCHAR, ts_us BIGINT,
  price DOUBLE, qty DOUBLE, side TINYINT, trades INTEGER, price_ticks BIGINT, qty_lots BIGINT)`;

/** Streams the target's ticks with from ≤ ts < to into `out`; returns the number of rows. */
export async function exportTicks(
  store: TradeStore,
  target: QueryTarget,
  from: number,
  to: number,
  out: string,
  format: ExportFormat,
  onRows?: (rows: number) => void,
): Promise<number> {
  return withScratch(async (conn) => {
    await conn.run(TICK_TABLE);
    let rows = 0;
    for (const m of target.members) {
      const { exchange, symbol, price, qty } = m.instrument;
      const appender: DuckDBAppender = await conn.createAppender('ticks');
      try {
        for await (const batch of store.iterateTrades(exchange, symbol, from, to)) {
          for (const t of batch) {
            appender.appendVarchar(exchange);
            appender.appendVarchar(symbol);
            if (typeof t.id === 'number') {
              appender.appendBigInt(BigInt(t.id));
              appender.appendNull();
            } else {
              appender.appendNull();
              appender.appendVarchar(t.id);
            }
            appender.appendBigInt(BigInt(t.ts));
            appender.appendDouble(unitsToNumber(t.price, price));
            appender.appendDouble(unitsToNumber(t.qty, qty));
            appender.appendTinyInt(t.side);
            appender.appendInteger(t.count ?? 1);
            appender.appendBigInt(BigInt(t.price));
            appender.appendBigInt(BigInt(t.qty));
            appender.endRow();
          }
          rows += batch.length;
          onRows?.(rows);
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
    }
    await copyOut(
      conn,
      `SELECT exchange, symbol, id, id_text, ts_us, make_timestamp(ts_us) AS time, price, qty, side, trades,
              price_ticks, qty_lots FROM ticks ORDER BY ts_us, exchange, symbol, id, id_text`,
      out,
      format,
    );
    return rows;
  });
}

type Cell = string | number | boolean | null;

/** SQL type of a column of JSON values: BOOLEAN, BIGINT (all integers), DOUBLE or VARCHAR. */
function columnType(values: readonly Cell[]): string {
  const present = values.filter((v) => v !== null);
  if (present.length === 0) return 'VARCHAR';
  if (present.every((v) => typeof v === 'boolean')) return 'BOOLEAN';
  if (present.every((v) => typeof v === 'number')) {
    return present.every((v) => Number.isSafeInteger(v)) ? 'BIGINT' : 'DOUBLE';
  }
  return 'VARCHAR';
}

/** Writes rows of flat JSON objects (the REST body's bar_stats or cells) to `out`; returns the number of rows. */
export async function exportRows(
  rows: readonly Record<string, unknown>[],
  out: string,
  format: ExportFormat,
): Promise<number> {
  const first = rows[0];
  if (first === undefined) {
    throw new OrderflowError('OUT_OF_RANGE', 'nothing to export: no bars in the range');
  }
  const names = Object.keys(first);
  const cell = (v: unknown): Cell =>
    v === null || v === undefined
      ? null
      : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string'
        ? v
        : JSON.stringify(v);
  const types = names.map((n) => columnType(rows.map((r) => cell(r[n]))));
  return withScratch(async (conn) => {
    const cols = names.map((n, i) => `"${n.replace(/"/g, '""')}" ${types[i]!}`).join(', ');
    await conn.run(`CREATE TABLE export_rows (${cols})`);
    const appender = await conn.createAppender('export_rows');
    try {
      for (const r of rows) {
        names.forEach((n, i) => {
          const v = cell(r[n]);
          if (v === null) appender.appendNull();
          else if (types[i] === 'BOOLEAN') appender.appendBoolean(v === true);
          else if (types[i] === 'BIGINT') appender.appendBigInt(BigInt(v));
          else if (types[i] === 'DOUBLE') appender.appendDouble(v as number);
          else appender.appendVarchar(String(v));
        });
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    await copyOut(conn, 'SELECT * FROM export_rows', out, format);
    return rows.length;
  });
}
