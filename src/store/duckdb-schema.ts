// DuckDB tables of the tick store and the SQL shared by its statements (canonical order, minute buckets,
// per-minute bar statistics). Kept apart from the store so the set-based insert path reads as a short script.

import { US_PER_MINUTE } from '../core/time.ts';

/** 2: minute_cells are on each instrument's cell grid (cell_grids); version-1 stores keep a grid of one tick. */
export const SCHEMA_VERSION = 2;

/** Integer ids of instruments keep the trades table narrow; every other column is an integer of the instrument. */
export const CREATE_TABLES = [
  `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS instruments (
     inst INTEGER PRIMARY KEY, exchange VARCHAR NOT NULL, symbol VARCHAR NOT NULL, kind VARCHAR NOT NULL,
     base VARCHAR NOT NULL, quote VARCHAR NOT NULL, price_mantissa BIGINT NOT NULL, price_decimals INTEGER NOT NULL,
     qty_mantissa BIGINT NOT NULL, qty_decimals INTEGER NOT NULL, volume_unit VARCHAR NOT NULL,
     contract_multiplier VARCHAR, source VARCHAR NOT NULL, UNIQUE (exchange, symbol))`,
  // No index on the key: uniqueness is enforced by the serialized, set-based anti-join on insert, which keeps
  // the table a plain compressed column store (an ART index would cost more bytes than the trades).
  `CREATE TABLE IF NOT EXISTS trades (
     inst INTEGER NOT NULL, ts BIGINT NOT NULL, id_num BIGINT, id_str VARCHAR, price BIGINT NOT NULL,
     qty BIGINT NOT NULL, side TINYINT NOT NULL, side_source TINYINT NOT NULL, cnt INTEGER, recv_ts BIGINT)`,
  `CREATE TABLE IF NOT EXISTS minute_bars (
     inst INTEGER NOT NULL, minute BIGINT NOT NULL, open BIGINT NOT NULL, high BIGINT NOT NULL, low BIGINT NOT NULL,
     close BIGINT NOT NULL, first_ts BIGINT NOT NULL, first_id_num BIGINT, first_id_str VARCHAR,
     last_ts BIGINT NOT NULL, last_id_num BIGINT, last_id_str VARCHAR, buy BIGINT NOT NULL, sell BIGINT NOT NULL,
     buy_trades BIGINT NOT NULL, sell_trades BIGINT NOT NULL, min_delta BIGINT NOT NULL, max_delta BIGINT NOT NULL)`,
  // A cell of minute_cells holds the prices [cell × cell_ticks, (cell + 1) × cell_ticks): one grid per instrument,
  // fixed by its first trades (see cellTicksFor), so rows of high-priced instruments are not a tick wide.
  `CREATE TABLE IF NOT EXISTS cell_grids (inst INTEGER PRIMARY KEY, cell_ticks BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS minute_cells (
     inst INTEGER NOT NULL, minute BIGINT NOT NULL, tick BIGINT NOT NULL, buy BIGINT NOT NULL, sell BIGINT NOT NULL,
     buy_trades BIGINT NOT NULL, sell_trades BIGINT NOT NULL)`,
];

export const MINUTE = (col: string): string => `(${col} // ${US_PER_MINUTE} * ${US_PER_MINUTE})`;

/** Canonical (ts, id) order: numeric ids first, then string ids. */
export const ORDER_KEY = 'ts, id_num NULLS LAST, id_str NULLS LAST';

/** The same order as one comparable value (for arg_min/arg_max and "comes after" tests). */
export const orderKey = (ts: string, idNum: string, idStr: string): string =>
  `row(${ts}, ${idNum} IS NULL, coalesce(${idNum}, 0), coalesce(${idStr}, ''))`;

export const BAR_COLUMNS =
  'minute, open, high, low, close, first_ts, first_id_num, first_id_str, last_ts, last_id_num, last_id_str, ' +
  'buy, sell, buy_trades, sell_trades, min_delta, max_delta';

/**
 * Per-minute bar statistics of the trades `src` yields (columns ts, id_num, id_str, price, qty, side, cnt).
 * `order` is one comparable expression in canonical (ts, id) order: `seq` for a staged batch (sorted before
 * staging, so one integer suffices), orderKey(...) for stored trades.
 */
export function minuteBarsOf(src: string, order: string): string {
  return `
    SELECT minute,
      arg_min(price, k) AS open, max(price) AS high, min(price) AS low, arg_max(price, k) AS close,
      min(ts) AS first_ts, arg_min_null(id_num, k) AS first_id_num, arg_min_null(id_str, k) AS first_id_str,
      max(ts) AS last_ts, arg_max_null(id_num, k) AS last_id_num, arg_max_null(id_str, k) AS last_id_str,
      sum(CASE WHEN side = 1 THEN qty ELSE 0 END)::BIGINT AS buy,
      sum(CASE WHEN side = -1 THEN qty ELSE 0 END)::BIGINT AS sell,
      sum(CASE WHEN side = 1 THEN coalesce(cnt, 1) ELSE 0 END)::BIGINT AS buy_trades,
      sum(CASE WHEN side = -1 THEN coalesce(cnt, 1) ELSE 0 END)::BIGINT AS sell_trades,
      min(run)::BIGINT AS min_delta, max(run)::BIGINT AS max_delta
    FROM (
      SELECT *, sum(side * qty) OVER (PARTITION BY minute ORDER BY k
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run
      FROM (SELECT ts, id_num, id_str, price, qty, side, cnt, ${MINUTE('ts')} AS minute, ${order} AS k
            FROM (${src}))
    )
    GROUP BY minute`;
}

/** Exact integer floor division (also for negative values): floor(col / n) as SQL. */
export function floorDiv(col: string, n: number): string {
  return n === 1 ? col : `((${col} - ((${col} % ${n}) + ${n}) % ${n}) // ${n})`;
}

/**
 * The grid of a new instrument's cells from a price of its first trades: the largest power of ten of ticks not
 * above 1/10,000 of the price (BTC at $60,000 with $0.01 ticks: $1 cells; ETH at $3,000: $0.10; most others:
 * one tick). Rows that are multiples of it read the cells; finer rows are summed from the trades.
 */
export function cellTicksFor(priceTicks: number): number {
  let k = 1;
  while (k * 10 * 10_000 <= Math.abs(priceTicks)) k *= 10;
  return k;
}

/** Per-(minute, cell) sums of the trades `src` yields, on a grid of cellTicks ticks. */
export function minuteCellsOf(src: string, cellTicks = 1): string {
  return `
    SELECT ${MINUTE('ts')} AS minute, ${floorDiv('price', cellTicks)} AS tick,
      sum(CASE WHEN side = 1 THEN qty ELSE 0 END)::BIGINT AS buy,
      sum(CASE WHEN side = -1 THEN qty ELSE 0 END)::BIGINT AS sell,
      sum(CASE WHEN side = 1 THEN coalesce(cnt, 1) ELSE 0 END)::BIGINT AS buy_trades,
      sum(CASE WHEN side = -1 THEN coalesce(cnt, 1) ELSE 0 END)::BIGINT AS sell_trades
    FROM (${src})
    GROUP BY ALL`;
}

/** An integer SQL literal for a µs bound or an id; infinities clamp to the safe range. */
export function intLiteral(x: number): string {
  if (Number.isNaN(x)) throw new RangeError('NaN is not a bound');
  if (x >= Number.MAX_SAFE_INTEGER) return String(Number.MAX_SAFE_INTEGER);
  if (x <= -Number.MAX_SAFE_INTEGER) return String(-Number.MAX_SAFE_INTEGER);
  return String(Math.ceil(x));
}
