// PostgreSQL tables of the tick store: trades range-partitioned by month of trade time (partitions created on
// demand), instruments, and the minute × tick rollups, in one schema of the caller's choosing.

export const PG_SCHEMA_VERSION = 1;

/** Identifiers we build SQL with (schema names, partition names) must be plain: no quoting games. */
export function checkIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
    throw new RangeError(`"${name}" is not a plain lower-case SQL identifier`);
  return name;
}

/**
 * The key is (inst, id); PostgreSQL requires the partition column in a unique index of a partitioned table, so
 * the index is (inst, id_num, id_str, ts) NULLS NOT DISTINCT. The store makes the key exact with a per-instrument
 * advisory lock and an anti-join on (inst, id); ON CONFLICT DO NOTHING on the index stays as the last guard.
 * id_str uses the "C" collation so string ids order by bytes, as the other stores order them.
 */
export const createTables = (schema: string): string[] => [
  `CREATE SCHEMA IF NOT EXISTS ${schema}`,
  `CREATE TABLE IF NOT EXISTS ${schema}.meta (key text PRIMARY KEY, value text NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ${schema}.instruments (
     inst serial PRIMARY KEY, exchange text NOT NULL, symbol text NOT NULL, kind text NOT NULL,
     base text NOT NULL, quote text NOT NULL, price_mantissa bigint NOT NULL, price_decimals integer NOT NULL,
     qty_mantissa bigint NOT NULL, qty_decimals integer NOT NULL, volume_unit text NOT NULL,
     contract_multiplier text, source text NOT NULL, UNIQUE (exchange, symbol))`,
  `CREATE TABLE IF NOT EXISTS ${schema}.trades (
     inst integer NOT NULL, ts bigint NOT NULL, id_num bigint, id_str text COLLATE "C", price bigint NOT NULL,
     qty bigint NOT NULL, side smallint NOT NULL, side_source smallint NOT NULL, cnt integer, recv_ts bigint,
     CHECK ((id_num IS NULL) <> (id_str IS NULL)),
     CONSTRAINT trades_key UNIQUE NULLS NOT DISTINCT (inst, id_num, id_str, ts)
   ) PARTITION BY RANGE (ts)`,
  `CREATE INDEX IF NOT EXISTS trades_by_time ON ${schema}.trades (inst, ts)`,
  `CREATE TABLE IF NOT EXISTS ${schema}.minute_bars (
     inst integer NOT NULL, minute bigint NOT NULL, open bigint NOT NULL, high bigint NOT NULL, low bigint NOT NULL,
     close bigint NOT NULL, first_ts bigint NOT NULL, first_id_num bigint, first_id_str text COLLATE "C",
     last_ts bigint NOT NULL, last_id_num bigint, last_id_str text COLLATE "C", buy bigint NOT NULL,
     sell bigint NOT NULL, buy_trades bigint NOT NULL, sell_trades bigint NOT NULL, min_delta bigint NOT NULL,
     max_delta bigint NOT NULL, PRIMARY KEY (inst, minute))`,
  `CREATE TABLE IF NOT EXISTS ${schema}.minute_cells (
     inst integer NOT NULL, minute bigint NOT NULL, tick bigint NOT NULL, buy bigint NOT NULL, sell bigint NOT NULL,
     buy_trades bigint NOT NULL, sell_trades bigint NOT NULL, PRIMARY KEY (inst, minute, tick))`,
  `INSERT INTO ${schema}.meta VALUES ('schema_version', '${PG_SCHEMA_VERSION}') ON CONFLICT DO NOTHING`,
];

/** The month partition holding ts (µs): its name suffix and [from, to) bounds in µs. */
export function monthPartitionOf(ts: number): { name: string; from: number; to: number } {
  const d = new Date(Math.floor(ts / 1000));
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  return {
    name: `trades_${y}${String(m + 1).padStart(2, '0')}`,
    from: Date.UTC(y, m, 1) * 1000,
    to: Date.UTC(y, m + 1, 1) * 1000,
  };
}

/** Canonical (ts, id) order: numeric ids first, then string ids by bytes. */
export const PG_ORDER = 'ts, id_num NULLS LAST, id_str NULLS LAST';

export const TRADE_SELECT = 'ts, id_num, id_str, price, qty, side, side_source, cnt, recv_ts';

export const BAR_COLS = [
  'minute',
  'open',
  'high',
  'low',
  'close',
  'first_ts',
  'first_id_num',
  'first_id_str',
  'last_ts',
  'last_id_num',
  'last_id_str',
  'buy',
  'sell',
  'buy_trades',
  'sell_trades',
  'min_delta',
  'max_delta',
] as const;

/** An integer bound for a µs range or an id; infinities clamp to the safe range. */
export function pgBound(x: number): number {
  if (Number.isNaN(x)) throw new RangeError('NaN is not a bound');
  if (x >= Number.MAX_SAFE_INTEGER) return Number.MAX_SAFE_INTEGER;
  if (x <= -Number.MAX_SAFE_INTEGER) return -Number.MAX_SAFE_INTEGER;
  return Math.ceil(x);
}
