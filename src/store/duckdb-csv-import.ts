// The SQL of the bulk CSV import: DuckDB's read_csv parses a Binance dump, every field is checked against exactly
// what the JS parser accepts and put on the stored grid, or the statement fails (and the caller falls back).

import type { Increment } from '../core/decimal.ts';
import { MAX_MS, MIN_MS } from '../sources/files/raw-trade.ts';

/** One CSV file as read_csv reads it, and the grid its values are checked against. */
export interface CsvImportSpec {
  /** A plain (uncompressed) CSV file on disk. */
  readonly path: string;
  /** The file's first line is a header row. */
  readonly header: boolean;
  /** Column names in file order; only the indexes below are read as values. */
  readonly columns: readonly string[];
  readonly id: number;
  readonly price: number;
  readonly qty: number;
  readonly time: number;
  /** Binance's isBuyerMaker flag. */
  readonly flag: number;
  /** Spot layouts: isBestMatch, checked like the flag though unused. */
  readonly bestMatch?: number;
  /** aggTrades: first/last underlying trade ids (the trade count is last − first + 1). */
  readonly first?: number;
  readonly last?: number;
  /** Grid every price and size must lie on: the scale the JS path would choose for the file. */
  readonly grid: { readonly price: Increment; readonly qty: Increment };
  /** Integer factors from `grid` onto the stored grid. */
  readonly factor: { readonly price: number; readonly qty: number };
  /** The file's time unit (the JS parser takes it from the first row and refuses the other one). */
  readonly timeUnit: 'ms' | 'us';
  /** The first and last ids of the file, read from its first and last lines. */
  readonly firstId: number;
  readonly lastId: number;
}

/**
 * read_csv's buffer: with DuckDB's default, the order-keeping insert wrote row groups smaller than full ones and
 * merged them at commit, leaving their first copies as free blocks — a one-day file took 14.5 bytes/trade on disk
 * instead of 11.7. 64 MiB buffers give full row groups (no free blocks) and parse no slower.
 */
const CSV_BUFFER_BYTES = 64 * 1024 * 1024;

/** Side of a row that fails a value check: no trade has it, so one such row sends the whole file to the JS path. */
export const REFUSED_SIDE = 0;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** Texts of an unsigned integer as the JS parser reads them: 1 to 16 digits (the value is checked apart). */
const UINT = '[0-9]{1,16}';
const BOOL = '(True|true|TRUE|False|false|FALSE)';
/**
 * Texts of a positive plain decimal with at most `d` significant decimals: what the JS scanner reads to the same
 * value on a grid of 10^-d, and what DECIMAL(18, d) reads exactly (trailing zeros past d are dropped, not
 * rounded). Anything else (signs, spaces, exponents, ".5", "1_000", more decimals) DuckDB would read differently
 * or the JS path refuses.
 */
const decimalPattern = (d: number): string => (d === 0 ? '[0-9]+(\\.0*)?' : `[0-9]+(\\.[0-9]{0,${d}}0*)?`);

const readCsv = (spec: CsvImportSpec, delim: string, columns: string): string =>
  `read_csv(${sqlString(spec.path)}, header = ${spec.header}, auto_detect = false, delim = ${sqlString(delim)},
    quote = '', escape = '', strict_mode = true, null_padding = false, buffer_size = ${CSV_BUFFER_BYTES},
    columns = {${columns}})`;

/** What each column of the file is read as: [line pattern, DuckDB type]. */
function columnKinds(spec: CsvImportSpec): [pattern: string, type: string][] {
  const { price: P, qty: Q } = spec.grid;
  const uints = [spec.id, spec.time, spec.first, spec.last];
  const flags = [spec.flag, spec.bestMatch];
  return spec.columns.map((_, i): [string, string] => {
    if (uints.includes(i)) return [UINT, 'BIGINT'];
    if (flags.includes(i)) return [BOOL, 'BOOLEAN'];
    if (i === spec.price) return [decimalPattern(P.decimals), `DECIMAL(18, ${P.decimals})`];
    if (i === spec.qty) return [decimalPattern(Q.decimals), `DECIMAL(18, ${Q.decimals})`];
    return ['[^,]*', 'VARCHAR'];
  });
}

/**
 * The file's lines (lines) and how many of them are not what the JS parser accepts field by field (bad). DuckDB's
 * typed reads are lenient ("1.5" as BIGINT is 2, "0x10" is 16, extra decimals are rounded), so the typed read of
 * csvTradesSql is exact only on lines that match this grammar. One regular expression per line costs a third of
 * one per field. The tab delimiter makes each line one column (a tab in a line fails the read).
 */
export function csvLinesSql(spec: CsvImportSpec): string {
  const line = columnKinds(spec)
    .map(([pattern]) => pattern)
    .join(',');
  return `
    SELECT count(*)::DOUBLE AS lines,
           count(*) FILTER (WHERE l IS NULL OR NOT regexp_full_match(l, ${sqlString(line)}))::DOUBLE AS bad
    FROM ${readCsv(spec, '\t', `'l': 'VARCHAR'`)}`;
}

/**
 * The file's trades as the stored columns (ts, id_num, price, qty, side, cnt), in file order, read with DuckDB's
 * types: exact once every line passed csvLinesSql. A row failing any value check the JS parser makes gets side
 * REFUSED_SIDE, which the caller looks for before committing (error() in the projection would make DuckDB run the
 * whole read on one thread). Rows keep the file order (DuckDB preserves insertion order); whether that order is
 * canonical is checked on the stored rows.
 */
export function csvTradesSql(spec: CsvImportSpec): string {
  const c = (i: number): string => `c${i}`;
  const columns = columnKinds(spec)
    .map(([, type], i) => `${sqlString(c(i))}: '${type}'`)
    .join(', ');
  const { price: P, qty: Q } = spec.grid;
  const [lo, hi, toUs] = spec.timeUnit === 'ms' ? [MIN_MS, MAX_MS, 1000] : [MIN_MS * 1000, MAX_MS * 1000, 1];
  const agg = spec.first !== undefined && spec.last !== undefined;
  // DECIMAL(18, d) · 10^d keeps the scale, so the product is the exact count of 10^-d steps in 64 bits
  const stepsOf = (i: number, d: number): string => `(${c(i)} * ${10 ** d})::BIGINT`;
  const cast = [
    `${c(spec.id)} AS id_num`,
    `${c(spec.time)} AS t`,
    `${stepsOf(spec.price, P.decimals)} AS p`,
    `${stepsOf(spec.qty, Q.decimals)} AS q`,
    // Binance's flag says whether the buyer was the maker (then the taker sold)
    `CASE WHEN ${c(spec.flag)} THEN -1 ELSE 1 END AS side`,
    ...(agg ? [`${c(spec.first)} AS f`, `${c(spec.last)} AS l`] : []),
  ];
  const unitsOf = (v: string, inc: Increment): string =>
    inc.mantissa === 1 ? v : `(${v} // ${inc.mantissa})`;
  const onGrid = (v: string, inc: Increment): string =>
    inc.mantissa === 1 ? 'true' : `${v} % ${inc.mantissa} = 0`;
  const ok = [
    `id_num <= ${MAX_SAFE}`,
    `t >= ${lo} AND t < ${hi}`,
    onGrid('p', P),
    onGrid('q', Q),
    `${unitsOf('p', P)} BETWEEN 1 AND ${Math.floor(MAX_SAFE / spec.factor.price)}`,
    `${unitsOf('q', Q)} BETWEEN 1 AND ${Math.floor(MAX_SAFE / spec.factor.qty)}`,
    ...(agg ? [`f <= ${MAX_SAFE}`, `l <= ${MAX_SAFE}`, 'l >= f'] : []),
  ].join(' AND ');
  const converted = `
    SELECT ${ok} AS ok, t * ${toUs} AS ts, id_num, ${unitsOf('p', P)} * ${spec.factor.price} AS price,
           ${unitsOf('q', Q)} * ${spec.factor.qty} AS qty, side, ${agg ? '(l - f + 1)::INTEGER' : 'NULL::INTEGER'} AS cnt
    FROM (SELECT ${cast.join(', ')} FROM ${readCsv(spec, ',', columns)})`;
  return `
    SELECT ts, id_num, price, qty, CASE WHEN ok THEN side ELSE ${REFUSED_SIDE} END::TINYINT AS side, cnt
    FROM (${converted})`;
}

/** What a bulk import stored. */
export interface CsvImportResult {
  /** Rows of the file (every one a valid trade). */
  readonly rows: number;
  readonly inserted: number;
  readonly duplicates: number;
  readonly firstTs: number;
  readonly lastTs: number;
  readonly firstId: number;
  readonly lastId: number;
}
