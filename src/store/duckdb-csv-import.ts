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

/** Side of a row that fails a check: no trade has it, so one such row sends the whole file to the JS path. */
export const REFUSED_SIDE = 0;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
// Comparisons, not IN lists: DuckDB plans an IN list of constants as a join, which costs more here.
const isOneOf = (c: string, words: readonly string[]): string =>
  `(${words.map((w) => `${c} = '${w}'`).join(' OR ')})`;
const TRUE_WORDS = ['True', 'true', 'TRUE'];
const BOOL_WORDS = [...TRUE_WORDS, 'False', 'false', 'FALSE'];

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** Texts of an unsigned integer as the JS parser reads them: 1 to 16 digits (the value is checked apart). */
const UINT = `'[0-9]{1,16}'`;

/**
 * Texts of a positive plain decimal with at most `d` significant decimals: what the JS scanner reads to the same
 * value on a grid of 10^-d. Anything else (signs, spaces, exponents, ".5", more decimals) DuckDB would read
 * differently or the JS path refuses: such rows are left to the JS path.
 */
const decimalPattern = (d: number): string =>
  d === 0 ? `'[0-9]+(\\.0*)?'` : `'[0-9]+(\\.[0-9]{0,${d}}0*)?'`;

/** Exact count of 10^-d steps: DECIMAL(18, d) · 10^d keeps the scale, so the product is the steps in 64 bits. */
const stepsOf = (c: string, d: number): string => `(${c}::DECIMAL(18, ${d}) * ${10 ** d})::BIGINT`;

/**
 * The file's trades as the stored columns (ts, id_num, price, qty, side, cnt), in file order. Each field is
 * cast once (a text DuckDB cannot cast fails the statement); a row failing any other check the JS parser makes
 * gets side REFUSED_SIDE, which the caller looks for before committing (error() in the projection would make
 * DuckDB run the whole read on one thread). Rows keep the file order (DuckDB preserves insertion order); whether
 * that order is canonical is checked on the stored rows.
 */
export function csvTradesSql(spec: CsvImportSpec): string {
  const c = (i: number): string => `c${i}`;
  const columns = spec.columns.map((_, i) => `${sqlString(c(i))}: 'VARCHAR'`).join(', ');
  const read = `read_csv(${sqlString(spec.path)}, header = ${spec.header}, auto_detect = false, delim = ',',
    quote = '', escape = '', strict_mode = true, null_padding = false, buffer_size = ${CSV_BUFFER_BYTES},
    columns = {${columns}})`;
  const { price: P, qty: Q } = spec.grid;
  const [lo, hi, toUs] = spec.timeUnit === 'ms' ? [MIN_MS, MAX_MS, 1000] : [MIN_MS * 1000, MAX_MS * 1000, 1];
  const agg = spec.first !== undefined && spec.last !== undefined;
  const flags = [spec.flag, ...(spec.bestMatch === undefined ? [] : [spec.bestMatch])];
  const cast = [
    `${c(spec.id)}::BIGINT AS id_num`,
    `${c(spec.time)}::BIGINT AS t`,
    `${stepsOf(c(spec.price), P.decimals)} AS p`,
    `${stepsOf(c(spec.qty), Q.decimals)} AS q`,
    `CASE WHEN ${isOneOf(c(spec.flag), TRUE_WORDS)} THEN -1 ELSE 1 END AS side`,
    ...(agg ? [`${c(spec.first)}::BIGINT AS f`, `${c(spec.last)}::BIGINT AS l`] : []),
    // Binance's flag says whether the buyer was the maker (then the taker sold)
    `regexp_full_match(${c(spec.id)}, ${UINT}) AND regexp_full_match(${c(spec.time)}, ${UINT})
       AND regexp_full_match(${c(spec.price)}, ${decimalPattern(P.decimals)})
       AND regexp_full_match(${c(spec.qty)}, ${decimalPattern(Q.decimals)})
       ${flags.map((i) => `AND ${isOneOf(c(i), BOOL_WORDS)}`).join(' ')}
       ${agg ? `AND regexp_full_match(${c(spec.first)}, ${UINT}) AND regexp_full_match(${c(spec.last)}, ${UINT})` : ''}
     AS text_ok`,
  ];
  const unitsOf = (v: string, inc: Increment): string =>
    inc.mantissa === 1 ? v : `(${v} // ${inc.mantissa})`;
  const onGrid = (v: string, inc: Increment): string =>
    inc.mantissa === 1 ? 'true' : `${v} % ${inc.mantissa} = 0`;
  const ok = [
    'text_ok',
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
    FROM (SELECT ${cast.join(', ')} FROM ${read})`;
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
