// The DuckDB fast path of file imports: a Binance dump CSV (or the CSV inside its zip) is parsed by DuckDB's
// read_csv straight into the store in one transaction. It only runs when the JS path's result is known to be
// the same: anything it cannot vouch for (odd rows, grids, orders, stores) answers undefined, having written nothing.

import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { formatIncrement } from '../core/decimal.ts';
import { InstrumentRegistry, type Instrument } from '../core/instrument.ts';
import { CSV_LAYOUTS, isHeaderLine } from '../sources/files/binance-csv.ts';
import { LAYOUT_OF_FORMAT, type DetectedFormat } from '../sources/files/detect-format.ts';
import { parseUint } from '../sources/files/raw-trade.ts';
import { TradeFileParser, type ReadTradeFileOptions } from '../sources/files/read-trade-file.ts';
import type { CsvImportResult, CsvImportSpec } from '../store/duckdb-csv-import.ts';
import { DuckDbTradeStore } from '../store/duckdb-store.ts';
import type { TradeStore } from '../store/port.ts';
import type { OpenedTradeFile } from './file-stream.ts';
import { scaleFactors } from './instrument-writer.ts';

/** Bytes read from each end of the file to learn its instrument, time unit, header and id range. */
const END_BYTES = 64 * 1024;

/** What the fast path stored, in the JS path's terms. */
export interface FastImport extends CsvImportResult {
  readonly exchange: string;
  readonly symbol: string;
  readonly scale: { readonly tick: string; readonly lot: string; readonly source: string };
}

export interface FastImportOptions {
  readonly parser: ReadTradeFileOptions;
  readonly registry?: InstrumentRegistry;
  /** Stored symbol of the file's instrument (aggTrades carry a suffix). */
  readonly storedSymbol: (symbol: string) => string;
  /** Called once DuckDB has read the file, before the rollups and the commit. */
  readonly onRead?: () => void;
}

async function readAt(path: string, position: number, length: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(length);
    const { bytesRead } = await fh.read(b, 0, length, position);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Complete lines of the file's first bytes (without BOM), or the whole text of a small file. */
async function headText(path: string, size: number): Promise<string> {
  const b = await readAt(path, 0, Math.min(size, END_BYTES));
  const cut = b.length < size ? b.lastIndexOf(10) + 1 : b.length;
  const text = b.toString('utf8', 0, cut);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The last non-blank line of the file. */
async function lastLine(path: string, size: number): Promise<string | undefined> {
  const n = Math.min(size, END_BYTES);
  const lines = (await readAt(path, size - n, n)).toString('utf8').split('\n');
  // the first piece may be a cut line: it only counts when the whole file was read
  for (let i = lines.length - 1; i >= (n === size ? 0 : 1); i--) {
    const l = lines[i]!.replace(/\r$/, '');
    if (l.trim() !== '') return l;
  }
  return undefined;
}

/** Writes the decompressed content of a zip/gzip file to a temporary CSV; returns its path and a remover. */
async function plainCopy(file: OpenedTradeFile): Promise<{ path: string; remove: () => Promise<void> }> {
  if (file.container === 'plain') return { path: file.path, remove: () => Promise.resolve() };
  const dir = await mkdtemp(join(tmpdir(), 'orderflow-csv-'));
  const path = join(dir, basename(file.detectName).replace(/\.(gz|zip)$/i, '') || 'trades.csv');
  try {
    await pipeline(file.content(), createWriteStream(path));
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Imports `file` through DuckDB when the store is a DuckDbTradeStore and the file is a Binance dump CSV whose
 * every row the JS path would accept as is, on the known grid of its instrument, in canonical order. Returns
 * undefined (nothing written) otherwise; the JS path then gives the answer, malformed rows and errors included.
 */
export async function importCsvFast(
  store: TradeStore,
  file: OpenedTradeFile,
  format: DetectedFormat,
  o: FastImportOptions,
): Promise<FastImport | undefined> {
  const layoutName = LAYOUT_OF_FORMAT[format.format];
  if (!(store instanceof DuckDbTradeStore) || layoutName === undefined) return undefined;
  if (o.parser.tickSize !== undefined || o.parser.lotSize !== undefined) return undefined;
  const copy = await plainCopy(file);
  try {
    const bytes = file.container === 'plain' ? file.size : (await stat(copy.path)).size;
    if (bytes === 0) return undefined;
    const head = await headText(copy.path, bytes);
    const firstLine = head.slice(0, Math.max(0, head.indexOf('\n'))).replace(/\r$/, '') || head;
    const header = isHeaderLine(firstLine.split(','));
    // the JS parser on the first lines: instrument, time unit, and no complaint
    let parsed;
    try {
      const p = new TradeFileParser(file.path, format, o.parser);
      p.push(head);
      parsed = p.end();
    } catch {
      return undefined;
    }
    const rep = parsed.report;
    if (rep.malformed > 0 || rep.headerRows !== (header ? 1 : 0) || rep.firstId === undefined)
      return undefined;
    if (rep.timeUnit !== 'ms' && rep.timeUnit !== 'us') return undefined;
    const tail = await lastLine(copy.path, bytes);
    const lastId = tail === undefined ? -1 : parseUint(tail.slice(0, tail.indexOf(',')));
    if (lastId < rep.firstId) return undefined;

    // Every row must fit the known grid: then every JS batch chooses it, and the first one fixes the stored grid.
    const known = (o.registry ?? new InstrumentRegistry()).get(rep.exchange, rep.symbol);
    if (known === undefined) return undefined;
    const symbol = o.storedSymbol(rep.symbol);
    const stored = await store.getInstrument(rep.exchange, symbol);
    const factor = scaleFactors(known, stored ?? known);
    if (factor === undefined) return undefined;
    const target: Instrument = stored ?? { ...known, exchange: rep.exchange, symbol };

    const layout = CSV_LAYOUTS[layoutName];
    const spec: CsvImportSpec = {
      path: copy.path,
      header,
      columns: layout.names,
      id: 0,
      price: 1,
      qty: 2,
      time: layout.time,
      flag: layout.flag,
      ...(layout.bestMatch === undefined ? {} : { bestMatch: layout.bestMatch }),
      ...(layout.first === undefined || layout.last === undefined
        ? {}
        : { first: layout.first, last: layout.last }),
      grid: { price: known.price, qty: known.qty },
      factor,
      timeUnit: rep.timeUnit,
      firstId: rep.firstId,
      lastId,
    };
    const r = await store.importCsv(
      rep.exchange,
      symbol,
      stored === undefined ? target : undefined,
      spec,
      o.onRead,
    );
    if (r === undefined) return undefined;
    return {
      exchange: rep.exchange,
      symbol,
      scale: {
        tick: formatIncrement(target.price),
        lot: formatIncrement(target.qty),
        source: rep.scaleSource,
      },
      ...r,
    };
  } finally {
    await copy.remove();
  }
}
