// Which trade-file layout a file holds (from its first lines) and which instrument its name announces.
// Content decides the layout; the official Binance file names decide exchange and symbol where they can.

import { OrderflowError } from '../../core/errors.ts';
import { CSV_LAYOUTS, isHeaderLine, layoutOfLine, type CsvLayoutName } from './binance-csv.ts';

export type FileFormat =
  | 'binance-trades-csv'
  | 'binance-futures-trades-csv'
  | 'binance-futures-agg-trades-csv'
  | 'binance-spot-agg-trades-csv'
  | 'binance-trade-stream'
  | 'binance-frames-jsonl';

const FORMAT_OF_LAYOUT: Readonly<Record<CsvLayoutName, FileFormat>> = {
  'spot-trades': 'binance-trades-csv',
  'futures-trades': 'binance-futures-trades-csv',
  'futures-agg-trades': 'binance-futures-agg-trades-csv',
  'spot-agg-trades': 'binance-spot-agg-trades-csv',
};

export const LAYOUT_OF_FORMAT: Readonly<Partial<Record<FileFormat, CsvLayoutName>>> = {
  'binance-trades-csv': 'spot-trades',
  'binance-futures-trades-csv': 'futures-trades',
  'binance-futures-agg-trades-csv': 'futures-agg-trades',
  'binance-spot-agg-trades-csv': 'spot-agg-trades',
};

/** Exchange and symbol a file name states. `exchange` is absent when the name does not say which market. */
export interface NameHint {
  readonly symbol: string;
  readonly exchange?: string;
  readonly kind: 'trades' | 'aggTrades' | 'stream';
}

export interface DetectedFormat {
  readonly format: FileFormat;
  /** CSV layouts: the first non-blank line is a header row. */
  readonly hasHeader: boolean;
  readonly nameHint?: NameHint;
}

const DUMP_NAME = /^([A-Z0-9]+(?:_[A-Z0-9]+)?)-(?:(um|cm)-)?(trades|aggTrades)-/i;
const STREAM_NAME = /^binance-(spot|usdm|coinm)_([A-Z0-9]+(?:_[A-Z0-9]+)?)_\d{4}-\d{2}-\d{2}/i;
const STREAM_EXCHANGE: Readonly<Record<string, string>> = {
  spot: 'binance',
  usdm: 'binance-usdm',
  coinm: 'binance-coinm',
};

/** COIN-M symbols: perpetuals `BTCUSD_PERP`, quarterlies `BTCUSD_240927`. */
export const isCoinMarginedSymbol = (symbol: string): boolean => /_(PERP|\d{6})$/i.test(symbol);

/**
 * Instrument from an official file name: `BTCUSDT-trades-2024-01-01.csv` (market unstated: the layout or the
 * directory decides), `BTCUSDT-um-trades-…` / `-um-aggTrades-` (USD-M), `-cm-` (COIN-M), and recorded streams
 * `binance-spot_BTCUSDT_…`, `binance-usdm_…`, `binance-coinm_…`. Directories `futures/um/`, `futures/cm/` and
 * `spot/` of the data.binance.vision tree also name the market.
 */
export function nameHintOf(path: string): NameHint | undefined {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const base = path.slice(slash + 1);
  const stream = STREAM_NAME.exec(base);
  if (stream) {
    return {
      symbol: stream[2]!.toUpperCase(),
      exchange: STREAM_EXCHANGE[stream[1]!.toLowerCase()]!,
      kind: 'stream',
    };
  }
  const dump = DUMP_NAME.exec(base);
  if (!dump) return undefined;
  const symbol = dump[1]!.toUpperCase();
  const kind = dump[3]!.toLowerCase() === 'aggtrades' ? 'aggTrades' : 'trades';
  const marker = dump[2]?.toLowerCase();
  const dir = path.slice(0, slash + 1).replace(/\\/g, '/');
  let exchange: string | undefined;
  if (marker === 'um' || dir.includes('/futures/um/')) exchange = 'binance-usdm';
  else if (marker === 'cm' || dir.includes('/futures/cm/') || isCoinMarginedSymbol(symbol))
    exchange = 'binance-coinm';
  else if (dir.includes('/spot/')) exchange = 'binance';
  return exchange === undefined ? { symbol, kind } : { symbol, exchange, kind };
}

const STAMPED = /^\d{12,19} \{/;

/**
 * Layout of a trade file from its path and first lines (BOM, CR and blank lines tolerated). Looks at up to
 * the first 5 non-blank lines and takes the first one that matches a layout, so one garbled leading row does
 * not hide the format.
 */
export function detectFormat(path: string, firstLines: readonly string[]): DetectedFormat {
  const nameHint = nameHintOf(path);
  const lines = firstLines
    .map((l, i) => (i === 0 ? l.replace(/^\uFEFF/, '') : l).replace(/\r$/, ''))
    .filter((l) => l.trim() !== '')
    .slice(0, 5);
  const hint = nameHint === undefined ? {} : { nameHint };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (STAMPED.test(line)) return { format: 'binance-trade-stream', hasHeader: false, ...hint };
    if (line.trimStart().startsWith('{'))
      return { format: 'binance-frames-jsonl', hasHeader: false, ...hint };
    const fields = line.split(',');
    const header = isHeaderLine(fields);
    if (!header && !/^\d+$/.test(fields[0] ?? '')) continue;
    let layout = layoutOfLine(fields);
    if (layout === undefined) continue;
    // 7 columns: spot trades or futures aggTrades; an official name settles it before the content does
    if (layout === 'spot-trades' && nameHint?.kind === 'aggTrades') layout = 'futures-agg-trades';
    if (layout === 'futures-agg-trades' && nameHint?.kind === 'trades') layout = 'spot-trades';
    if (CSV_LAYOUTS[layout].columns !== fields.length) continue;
    return { format: FORMAT_OF_LAYOUT[layout], hasHeader: header && i === 0, ...hint };
  }
  throw new OrderflowError(
    'UNKNOWN_FORMAT',
    `${path}: not a Binance trades/aggTrades CSV, recorded trade stream or JSONL of frames (first line: ${JSON.stringify(
      (lines[0] ?? '').slice(0, 120),
    )})`,
  );
}
