// Imports one trade file (Binance dump CSV/zip, recorded trade stream) into a TradeStore in bounded memory:
// line-aligned batches are parsed, put on the stored scale and inserted one transaction each, so an import killed
// at any moment and re-run stores every trade exactly once (the store dedupes on (exchange, symbol, id)).

import { OrderflowError } from '../core/errors.ts';
import { finestCommonIncrement, formatIncrement } from '../core/decimal.ts';
import { InstrumentRegistry, type Instrument } from '../core/instrument.ts';
import type { TradeStore } from '../store/port.ts';
import {
  detectFormat,
  nameHintOf,
  type DetectedFormat,
  type FileFormat,
} from '../sources/files/detect-format.ts';
import type { MalformedRow } from '../sources/files/ingest-report.ts';
import {
  TradeFileParser,
  type ReadTradeFileOptions,
  type TradeFileResult,
} from '../sources/files/read-trade-file.ts';
import { verifyChecksumBeside, type ChecksumStatus } from './checksum.ts';
import { openTradeFile, type OpenedTradeFile } from './file-stream.ts';
import { importCsvFast } from './csv-fast-path.ts';
import { InstrumentWriter } from './instrument-writer.ts';
import { ProgressTracker, type ProgressListener } from './progress.ts';

/** Suffix of the stored symbol of aggregate trades: their ids are another id space than the trades'. */
export const AGG_SUFFIX = '@agg';

export interface ImportFileOptions {
  /** Exchange/symbol when the file name does not say (must agree with it when it does). */
  readonly exchange?: string;
  readonly symbol?: string;
  readonly tickSize?: string;
  readonly lotSize?: string;
  /** Validate the whole file first; any malformed row aborts the import before anything is written. */
  readonly strict?: boolean;
  /** Verify `<file>.CHECKSUM` when present (default true). */
  readonly verifyChecksum?: boolean;
  /** Text per batch (default 16 MiB ≈ 200k rows). */
  readonly batchBytes?: number;
  readonly registry?: InstrumentRegistry;
  readonly format?: FileFormat;
  readonly onProgress?: ProgressListener;
  /**
   * Who parses: 'auto' (default) lets DuckDB parse a Binance dump CSV straight into a DuckDB store when the
   * result is the JS path's (see csv-fast-path.ts), 'js' always streams through the JS parser, 'duckdb' insists
   * on DuckDB and throws INVALID_CONFIG when the file needs the JS path. An explicit batchBytes asks
   * for one transaction per batch, which only the JS path does.
   */
  readonly engine?: 'auto' | 'js' | 'duckdb';
}

export interface ImportFileResult {
  readonly file: string;
  readonly format: FileFormat;
  readonly exchange: string;
  /** Stored symbol (aggTrades carry the AGG_SUFFIX). */
  readonly symbol: string;
  readonly checksum: ChecksumStatus;
  readonly scale: { readonly tick: string; readonly lot: string; readonly source: string };
  /** Non-blank, non-header lines. */
  readonly rowsRead: number;
  /** Rows that became trades (duplicates inside the file included). */
  readonly tradesParsed: number;
  readonly inserted: number;
  /** Parsed trades already stored, or repeated in the file. */
  readonly duplicates: number;
  readonly malformed: number;
  /** The first malformed rows, with file line numbers. */
  readonly malformedExamples: readonly MalformedRow[];
  readonly firstTs?: number;
  readonly lastTs?: number;
  readonly firstId?: number;
  readonly lastId?: number;
  readonly batches: number;
  readonly elapsedMs: number;
}

const MAX_EXAMPLES = 100;
const DETECT_LINES = 8;

function firstLines(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  while (out.length < DETECT_LINES && start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    out.push(text.slice(start, end));
    start = end + 1;
  }
  return out;
}

const isAggFormat = (f: FileFormat): boolean =>
  f === 'binance-futures-agg-trades-csv' || f === 'binance-spot-agg-trades-csv';

/** Parses one batch; strict errors are re-thrown with the file's line number instead of the batch's. */
function parseBatch(
  path: string,
  format: DetectedFormat,
  text: string,
  lineOffset: number,
  opts: ReadTradeFileOptions,
): TradeFileResult {
  try {
    const p = new TradeFileParser(path, format, opts);
    p.push(text);
    return p.end();
  } catch (e) {
    const row = (e as { cause?: unknown }).cause as MalformedRow | undefined;
    if (e instanceof OrderflowError && e.code === 'INVALID_TRADE' && typeof row?.line === 'number') {
      const fixed = { ...row, line: row.line + lineOffset };
      throw new OrderflowError('INVALID_TRADE', `${path}:${fixed.line}: ${row.reason}`, { cause: fixed });
    }
    throw e;
  }
}

function parserOptions(o: ImportFileOptions, strict: boolean): ReadTradeFileOptions {
  return {
    strict,
    ...(o.exchange === undefined ? {} : { exchange: o.exchange }),
    ...(o.symbol === undefined ? {} : { symbol: o.symbol }),
    ...(o.tickSize === undefined ? {} : { tickSize: o.tickSize }),
    ...(o.lotSize === undefined ? {} : { lotSize: o.lotSize }),
    ...(o.registry === undefined ? {} : { registry: o.registry }),
  };
}

/** Finest grid both scales fit (the file's batches may infer different decimals). */
function finer(a: Instrument, b: Instrument): Instrument {
  return {
    ...a,
    price: finestCommonIncrement(a.price, b.price),
    qty: finestCommonIncrement(a.qty, b.qty),
  };
}

async function detect(f: OpenedTradeFile, o: ImportFileOptions, batchBytes: number): Promise<DetectedFormat> {
  if (o.format !== undefined) {
    const nameHint = nameHintOf(f.detectName);
    return { format: o.format, hasHeader: false, ...(nameHint === undefined ? {} : { nameHint }) };
  }
  for await (const b of f.batches(Math.min(batchBytes, 64 * 1024))) {
    return detectFormat(f.detectName, firstLines(b.text.charCodeAt(0) === 0xfeff ? b.text.slice(1) : b.text));
  }
  return detectFormat(f.detectName, []);
}

/** Imports one file. See ImportFileResult; throws on a checksum mismatch, a strict-mode row or a scale conflict. */
export async function importTradeFile(
  store: TradeStore,
  path: string,
  o: ImportFileOptions = {},
): Promise<ImportFileResult> {
  const batchBytes = o.batchBytes ?? undefined;
  const checksum = o.verifyChecksum === false ? 'absent' : await verifyChecksumBeside(path);
  const file = await openTradeFile(path);
  const format = await detect(file, o, batchBytes ?? 64 * 1024);
  const tracker = new ProgressTracker('import', path, o.onProgress, file.size);
  const registry = o.registry ?? new InstrumentRegistry();

  const engine = o.engine ?? 'auto';
  if (engine === 'duckdb' || (engine === 'auto' && o.batchBytes === undefined)) {
    tracker.emit(0, 0, 0);
    const fast = await importCsvFast(store, file, format, {
      parser: parserOptions(o, o.strict === true),
      registry,
      storedSymbol: (s) => (isAggFormat(format.format) ? `${s}${AGG_SUFFIX}` : s),
      onRead: () => tracker.emit(file.size, 0, 0),
    });
    if (fast !== undefined) {
      tracker.emit(file.size, fast.rows, fast.inserted);
      return {
        file: path,
        format: format.format,
        exchange: fast.exchange,
        symbol: fast.symbol,
        checksum,
        scale: fast.scale,
        rowsRead: fast.rows,
        tradesParsed: fast.rows,
        inserted: fast.inserted,
        duplicates: fast.duplicates,
        malformed: 0,
        malformedExamples: [],
        firstTs: fast.firstTs,
        lastTs: fast.lastTs,
        firstId: fast.firstId,
        lastId: fast.lastId,
        batches: 1,
        elapsedMs: tracker.elapsedMs,
      };
    }
    if (engine === 'duckdb') {
      throw new OrderflowError(
        'INVALID_CONFIG',
        `${path}: DuckDB cannot import this file exactly as the JS parser would; use the JS path`,
      );
    }
  }

  // Strict: the whole file is validated (and its finest scale found) before the first write.
  let strictScale: Instrument | undefined;
  if (o.strict === true) {
    const v = new ProgressTracker('validate', path, o.onProgress, file.size);
    let parsed = 0;
    for await (const b of file.batches(batchBytes)) {
      const r = parseBatch(path, format, b.text, b.lineOffset, parserOptions(o, true));
      parsed += r.trades.length;
      if (r.trades.length > 0)
        strictScale = strictScale === undefined ? r.instrument : finer(strictScale, r.instrument);
      v.emit(b.bytesRead, parsed, 0);
    }
  }

  let writer: InstrumentWriter | undefined;
  let pending: Promise<unknown> | undefined;
  let rowsRead = 0;
  let tradesParsed = 0;
  let malformed = 0;
  let batches = 0;
  let firstTs: number | undefined;
  let lastTs: number | undefined;
  let firstId: number | undefined;
  let lastId: number | undefined;
  let exchange = '';
  let symbol = '';
  let scale: ImportFileResult['scale'] = { tick: '', lot: '', source: 'none' };
  const examples: MalformedRow[] = [];
  for await (const b of file.batches(batchBytes)) {
    const r = parseBatch(path, format, b.text, b.lineOffset, parserOptions(o, false));
    batches++;
    rowsRead += r.report.rowsRead;
    malformed += r.report.malformed;
    for (const m of r.report.malformedExamples) {
      if (examples.length < MAX_EXAMPLES) examples.push({ ...m, line: m.line + b.lineOffset });
    }
    if (r.trades.length > 0) {
      const rep = r.report;
      tradesParsed += r.trades.length;
      if (rep.firstTs !== undefined && (firstTs === undefined || rep.firstTs < firstTs))
        firstTs = rep.firstTs;
      if (rep.lastTs !== undefined && (lastTs === undefined || rep.lastTs > lastTs)) lastTs = rep.lastTs;
      if (rep.firstId !== undefined && (firstId === undefined || rep.firstId < firstId))
        firstId = rep.firstId;
      if (rep.lastId !== undefined && (lastId === undefined || rep.lastId > lastId)) lastId = rep.lastId;
      if (writer === undefined) {
        exchange = rep.exchange;
        const agg = isAggFormat(format.format) || r.trades[0]?.count !== undefined;
        symbol = agg ? `${rep.symbol}${AGG_SUFFIX}` : rep.symbol;
        writer = new InstrumentWriter(store, exchange, symbol);
        // The first batch fixes the grid of a new instrument (strict mode: the finest of the whole file). An
        // inferred grid is refined to also hold the known one, so later data on the known grid still fits.
        const known = registry.get(rep.exchange, rep.symbol);
        const first = strictScale ?? r.instrument;
        await writer.prepare(
          known !== undefined && first.source === 'inferred' ? finer(first, known) : first,
        );
        scale = {
          tick: formatIncrement(writer.instrument!.price),
          lot: formatIncrement(writer.instrument!.qty),
          source: rep.scaleSource,
        };
      }
      // The next batch is parsed while DuckDB stores this one; batches are still stored in file order.
      await pending;
      tracker.emit(b.bytesRead, tradesParsed, writer.counts.inserted);
      pending = writer.write(r.trades, r.instrument);
    }
  }
  await pending;
  tracker.emit(file.size, tradesParsed, writer?.counts.inserted ?? 0);
  return {
    file: path,
    format: format.format,
    exchange,
    symbol,
    checksum,
    scale,
    rowsRead,
    tradesParsed,
    inserted: writer?.counts.inserted ?? 0,
    duplicates: writer?.counts.duplicates ?? 0,
    malformed,
    malformedExamples: examples,
    ...(firstTs === undefined ? {} : { firstTs }),
    ...(lastTs === undefined ? {} : { lastTs }),
    ...(firstId === undefined ? {} : { firstId }),
    ...(lastId === undefined ? {} : { lastId }),
    batches,
    elapsedMs: tracker.elapsedMs,
  };
}
