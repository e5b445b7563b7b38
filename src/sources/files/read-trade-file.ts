// Reads one trade file (Binance dump CSV, recorded trade stream, JSONL of frames; plain, gzip or zip) into
// normalized trades on an exact scale, with a report that accounts for every row.
// Choices (docs/analytics-choices.md, "Trade files"): the first of duplicate ids is kept; output is sorted by
// time, stably; non-MARKET prints are kept and counted; the known instrument is used only when every value fits
// it, else increments are inferred; options that contradict the file name or frames are an error.

import { readFile } from 'node:fs/promises';
import { Buffer } from 'node:buffer';
import { sideFromBuyerIsMaker } from '../../core/classify.ts';
import { formatIncrement, parseIncrement, pow10, type Increment } from '../../core/decimal.ts';
import { OrderflowError } from '../../core/errors.ts';
import {
  DecimalsProbe,
  inferInstrument,
  InstrumentRegistry,
  instrumentKey,
  type Instrument,
} from '../../core/instrument.ts';
import type { Trade } from '../../core/trade.ts';
import { lots, micros, ticks } from '../../core/units.ts';
import { unpack } from './archive.ts';
import { BinanceCsvParser, CSV_LAYOUTS } from './binance-csv.ts';
import {
  detectFormat,
  isCoinMarginedSymbol,
  LAYOUT_OF_FORMAT,
  nameHintOf,
  type DetectedFormat,
  type FileFormat,
} from './detect-format.ts';
import {
  bump,
  MalformedLog,
  MAX_EXAMPLES,
  MAX_GAP_RANGES,
  type DuplicateRow,
  type IdRange,
  type IngestReport,
  type ScaleSource,
} from './ingest-report.ts';
import { decimalText, RawColumns, unitsOf, type RowSink, type TimeUnit } from './raw-trade.ts';
import { BinanceFrameParser } from './trade-stream.ts';

export interface ReadTradeFileOptions {
  /** Used when neither the file name nor the frames say; must agree with them when they do. */
  readonly exchange?: string;
  /** Used when neither the file name nor the frames say; selects the symbol of a multi-symbol JSONL file. */
  readonly symbol?: string;
  /** Force the price increment (e.g. "0.01"); values off this grid are reported as malformed. */
  readonly tickSize?: string;
  /** Force the quantity increment. */
  readonly lotSize?: string;
  /** Throw an OrderflowError (code INVALID_TRADE) naming file, line and value at the first malformed row. */
  readonly strict?: boolean;
  /** Known instruments (defaults to the built-in registry). */
  readonly registry?: InstrumentRegistry;
  /** Skip detection. */
  readonly format?: FileFormat;
}

export interface TradeFileResult {
  /** Accepted trades sorted by time; rows with equal times keep their file order. */
  readonly trades: Trade[];
  readonly instrument: Instrument;
  readonly format: DetectedFormat;
  readonly report: IngestReport;
}

/** Lines handed to format detection. */
const DETECT_LINES = 8;
/** Text decoded per step: bounded so that files larger than V8's longest string still read. */
const DECODE_CHUNK = 16 * 1024 * 1024;

/**
 * Incremental parser of one file's text. `push` accepts the text cut anywhere (mid-line, mid-CRLF); `end`
 * chooses the scale and returns the trades. Whole-text and chunked input give identical results.
 */
export class TradeFileParser implements RowSink {
  timeUnit: TimeUnit | undefined;
  private readonly log: MalformedLog;
  readonly rows = new RawColumns();
  private readonly csv: BinanceCsvParser | undefined;
  private readonly frames: BinanceFrameParser | undefined;
  private carry = '';
  private started = false;
  private lineNo = 0;
  private blank = 0;
  private rowsRead = 0;
  private headers = 0;

  constructor(
    readonly name: string,
    readonly format: DetectedFormat,
    private readonly opts: ReadTradeFileOptions = {},
  ) {
    this.log = new MalformedLog(name, opts.strict === true);
    const layout = LAYOUT_OF_FORMAT[format.format];
    if (layout !== undefined) {
      if (format.nameHint === undefined && opts.symbol === undefined) {
        throw new OrderflowError(
          'INVALID_CONFIG',
          `${name}: the file name does not follow Binance's naming (SYMBOL-trades-DATE.csv), so pass the symbol`,
        );
      }
      this.csv = new BinanceCsvParser(CSV_LAYOUTS[layout], this);
    } else {
      const symbol = format.nameHint?.symbol ?? opts.symbol;
      this.frames = new BinanceFrameParser(this, {
        stamped: format.format === 'binance-trade-stream',
        ...(symbol === undefined ? {} : { symbol }),
      });
    }
  }

  malformed(line: number, field: string, value: string, problem: string): void {
    this.log.add(line, field, value, problem);
  }

  push(chunk: string): void {
    let text = this.carry === '' ? chunk : this.carry + chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.line(text, start, nl);
      start = nl + 1;
    }
    this.carry = start === 0 ? text : text.slice(start);
  }

  private line(text: string, start: number, end: number): void {
    this.lineNo++;
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    if (isBlank(text, start, end)) {
      this.blank++;
      return;
    }
    if (this.csv !== undefined) {
      if (this.csv.parseLine(text, start, end, this.lineNo)) this.rowsRead++;
      else this.headers++;
    } else {
      this.rowsRead++;
      this.frames!.parseLine(text.slice(start, end), this.lineNo);
    }
  }

  end(): TradeFileResult {
    if (this.carry !== '') {
      const rest = this.carry;
      this.carry = '';
      this.line(rest, 0, rest.length);
    }
    const who = this.resolveInstrument();
    const registry = this.opts.registry ?? new InstrumentRegistry();
    const known = registry.get(who.exchange, who.symbol);
    const scale = this.chooseScale(known, who.exchange, who.symbol);
    return this.convert(who, scale);
  }

  /** Exchange and symbol: file name, then frames, then options, then the layout (spot vs futures columns). */
  private resolveInstrument(): { exchange: string; symbol: string; from: IngestReport['instrumentFrom'] } {
    const hint = this.format.nameHint;
    const f = this.frames;
    const optSymbol = this.opts.symbol?.toUpperCase();
    let symbol = hint?.symbol ?? f?.symbol;
    let from: IngestReport['instrumentFrom'] = hint !== undefined ? 'file-name' : 'frames';
    if (symbol !== undefined && optSymbol !== undefined && optSymbol !== symbol) {
      throw new OrderflowError(
        'INVALID_CONFIG',
        `${this.name}: the ${from === 'file-name' ? 'file name says' : 'frames say'} symbol ${symbol}, the options ${optSymbol}`,
      );
    }
    if (symbol === undefined) {
      symbol = optSymbol;
      from = 'options';
    }
    if (symbol === undefined) {
      // nothing to label: a file without any trade row still gets its report
      if (this.rows.length === 0) symbol = 'UNKNOWN';
      else {
        throw new OrderflowError(
          'INVALID_CONFIG',
          `${this.name}: the file name does not follow Binance's naming, so pass the symbol (and exchange)`,
        );
      }
    }
    let exchange = hint?.exchange ?? f?.captureExchange;
    if (exchange === undefined && f?.sawExecType !== undefined) {
      // futures frames carry X (execution type), spot frames M (best match)
      exchange =
        f.sawExecType || !f.sawBestMatch
          ? isCoinMarginedSymbol(symbol)
            ? 'binance-coinm'
            : 'binance-usdm'
          : 'binance';
    }
    if (exchange !== undefined && this.opts.exchange !== undefined && this.opts.exchange !== exchange) {
      throw new OrderflowError(
        'INVALID_CONFIG',
        `${this.name}: the file says exchange ${exchange}, the options ${this.opts.exchange}`,
      );
    }
    exchange ??= this.opts.exchange;
    if (exchange === undefined) {
      const futures =
        this.format.format !== 'binance-trades-csv' && this.format.format !== 'binance-spot-agg-trades-csv';
      exchange = futures ? (isCoinMarginedSymbol(symbol) ? 'binance-coinm' : 'binance-usdm') : 'binance';
      if (from === 'options') from = 'layout';
    }
    return { exchange, symbol, from };
  }

  private chooseScale(
    known: Instrument | undefined,
    exchange: string,
    symbol: string,
  ): { instrument: Instrument; source: ScaleSource; note: string } {
    const R = this.rows;
    let misfit = '';
    if (known !== undefined) {
      const P = known.price;
      const Q = known.qty;
      for (let i = 0; i < R.length; i++) {
        if (!fits(R.priceM[i]!, R.priceD[i]!, P)) {
          misfit = `price ${decimalText(R.priceM[i]!, R.priceD[i]!)} (line ${R.line[i]}) is off the known tick ${formatIncrement(P)}`;
          break;
        }
        if (!fits(R.qtyM[i]!, R.qtyD[i]!, Q)) {
          misfit = `qty ${decimalText(R.qtyM[i]!, R.qtyD[i]!)} (line ${R.line[i]}) is off the known lot ${formatIncrement(Q)}`;
          break;
        }
      }
    }
    const knownFits = known !== undefined && misfit === '';
    let inferred: Instrument | undefined;
    if (!knownFits) {
      // the probe's job (the finest decimals the file uses) done on the scanned decimals, which are already known
      const probe = new DecimalsProbe();
      for (let i = 0; i < R.length; i++) {
        if (R.priceD[i]! > probe.priceDecimals) probe.priceDecimals = R.priceD[i]!;
        if (R.qtyD[i]! > probe.qtyDecimals) probe.qtyDecimals = R.qtyD[i]!;
      }
      const sc = probe.scale();
      inferred =
        known !== undefined
          ? { ...known, price: sc.price, qty: sc.qty, source: 'inferred' }
          : inferInstrument(exchange, symbol, sc);
    }
    const base = knownFits ? known : inferred!;
    const tick =
      this.opts.tickSize === undefined ? undefined : parseIncrement(this.opts.tickSize, 'tickSize');
    const lot = this.opts.lotSize === undefined ? undefined : parseIncrement(this.opts.lotSize, 'lotSize');
    const key = instrumentKey(exchange, symbol);
    const why = known !== undefined ? misfit : `${key} is not a known instrument`;
    const what = knownFits
      ? `known increments of ${key}`
      : `increments inferred from the decimals the file uses (DecimalsProbe): ${why}`;
    if (tick === undefined && lot === undefined) {
      return { instrument: base, source: knownFits ? 'known' : 'inferred', note: describe(base, what) };
    }
    const forced: Instrument = { ...base, price: tick ?? base.price, qty: lot ?? base.qty, source: 'config' };
    const which = [tick ? 'tick' : '', lot ? 'lot' : ''].filter((x) => x !== '').join(' and ');
    return {
      instrument: forced,
      source: 'forced',
      note: describe(forced, `${which} forced by options, otherwise ${what}`),
    };
  }

  private convert(
    who: { exchange: string; symbol: string; from: IngestReport['instrumentFrom'] },
    scale: { instrument: Instrument; source: ScaleSource; note: string },
  ): TradeFileResult {
    const { exchange, symbol } = who;
    const inst = scale.instrument;
    const agg =
      this.format.format === 'binance-futures-agg-trades-csv' ||
      this.format.format === 'binance-spot-agg-trades-csv' ||
      this.frames?.kind === 'aggTrade';
    const trades: Trade[] = [];
    const keptLine: number[] = [];
    const nonMarket: Record<string, number> = {};
    const duplicateExamples: DuplicateRow[] = [];
    let duplicates = 0;
    let outOfOrder = 0;
    let idOutOfOrder = 0;
    let maxId = -1;
    let maxTs = -Infinity;
    let minTs = Infinity;
    let minId = Infinity;
    let exchangeTrades = 0;
    // ids normally rise: a Set is only built once one does not
    let seen: Map<number, number> | undefined;
    const R = this.rows;
    const P = inst.price;
    const Q = inst.qty;
    for (let i = 0; i < R.length; i++) {
      const line = R.line[i]!;
      const price = unitsOf(R.priceM[i]!, R.priceD[i]!, P.mantissa, P.decimals);
      if (Number.isNaN(price)) {
        this.log.add(
          line,
          'price',
          decimalText(R.priceM[i]!, R.priceD[i]!),
          offScale(R.priceM[i]!, R.priceD[i]!, P, 'tick'),
        );
        continue;
      }
      const qty = unitsOf(R.qtyM[i]!, R.qtyD[i]!, Q.mantissa, Q.decimals);
      if (Number.isNaN(qty)) {
        this.log.add(
          line,
          'qty',
          decimalText(R.qtyM[i]!, R.qtyD[i]!),
          offScale(R.qtyM[i]!, R.qtyD[i]!, Q, 'lot'),
        );
        continue;
      }
      const id = R.id[i]!;
      if (id <= maxId) {
        if (seen === undefined) {
          seen = new Map();
          for (let k = 0; k < trades.length; k++) seen.set(trades[k]!.id as number, keptLine[k]!);
        }
        const first = seen.get(id);
        if (first !== undefined) {
          duplicates++;
          if (duplicateExamples.length < MAX_EXAMPLES) duplicateExamples.push({ line, id, firstLine: first });
          continue;
        }
        idOutOfOrder++;
      } else maxId = id;
      seen?.set(id, line);
      const ts = R.ts[i]!;
      if (ts < maxTs) outOfOrder++;
      else maxTs = ts;
      if (ts < minTs) minTs = ts;
      if (id < minId) minId = id;
      const x = R.execType[i];
      if (x !== undefined && x !== 'MARKET') bump(nonMarket, x);
      const count = R.count[i]!;
      exchangeTrades += count;
      keptLine.push(line);
      const side = sideFromBuyerIsMaker(R.buyerIsMaker[i] === 1);
      const recvTs = R.recvTs[i]!;
      // one literal per shape: spreading optional fields in costs a temporary object per trade
      let t: Trade;
      if (!Number.isNaN(recvTs)) {
        t = agg
          ? {
              exchange,
              symbol,
              id,
              ts: micros(ts),
              price: ticks(price),
              qty: lots(qty),
              side,
              sideSource: 'exchange',
              recvTs: micros(recvTs),
              count,
            }
          : {
              exchange,
              symbol,
              id,
              ts: micros(ts),
              price: ticks(price),
              qty: lots(qty),
              side,
              sideSource: 'exchange',
              recvTs: micros(recvTs),
            };
      } else {
        t = agg
          ? {
              exchange,
              symbol,
              id,
              ts: micros(ts),
              price: ticks(price),
              qty: lots(qty),
              side,
              sideSource: 'exchange',
              count,
            }
          : {
              exchange,
              symbol,
              id,
              ts: micros(ts),
              price: ticks(price),
              qty: lots(qty),
              side,
              sideSource: 'exchange',
            };
      }
      trades.push(t);
    }
    // before the time sort: in file order the ids are ascending unless idOutOfOrder says otherwise
    const idGaps = gapsOf(trades, idOutOfOrder > 0);
    if (outOfOrder > 0) trades.sort((a, b) => a.ts - b.ts);
    const f = this.frames;
    const report: IngestReport = {
      file: this.name,
      format: this.format.format,
      exchange,
      symbol,
      instrumentFrom: who.from,
      scaleSource: scale.source,
      scaleNote: scale.note,
      timeUnit: this.timeUnit ?? 'none',
      lines: this.lineNo,
      headerRows: this.headers,
      blankLines: this.blank,
      rowsRead: this.rowsRead,
      tradesAccepted: trades.length,
      exchangeTrades,
      malformed: this.log.count,
      malformedByField: { ...this.log.byField },
      malformedExamples: this.log.sortedExamples(),
      duplicates,
      duplicateExamples,
      outOfOrder,
      idOutOfOrder,
      idGaps,
      nonMarket,
      skipped: {
        nonTrade: { ...f?.nonTrade },
        otherSymbol: { ...f?.otherSymbol },
        otherKind: { ...f?.otherKind },
      },
      ...(trades.length === 0 ? {} : { firstId: minId, lastId: maxId, firstTs: minTs, lastTs: maxTs }),
    };
    return { trades, instrument: inst, format: this.format, report };
  }
}

/** Whether a scanned value lies on an increment's grid (overflow is judged later, as absurd). */
function fits(m: number, d: number, inc: Increment): boolean {
  if (d > inc.decimals) return false;
  if (inc.mantissa === 1) return true;
  const scaled = m * pow10(inc.decimals - d);
  return scaled > Number.MAX_SAFE_INTEGER || scaled % inc.mantissa === 0;
}

function offScale(m: number, d: number, inc: Increment, name: string): string {
  return fits(m, d, inc)
    ? `is absurd: more than 2^53 ${name}s of ${formatIncrement(inc)}`
    : `is not a multiple of the ${name} ${formatIncrement(inc)}`;
}

function isBlank(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

function describe(i: Instrument, why: string): string {
  return `tick ${formatIncrement(i.price)}, lot ${formatIncrement(i.qty)}: ${why}`;
}

function gapsOf(trades: readonly Trade[], unsorted: boolean): IngestReport['idGaps'] {
  let ids: ArrayLike<number> | undefined;
  if (unsorted) {
    const a = new Float64Array(trades.length);
    for (let i = 0; i < trades.length; i++) a[i] = trades[i]!.id as number;
    ids = a.sort();
  }
  let gaps = 0;
  let missingIds = 0;
  const ranges: IdRange[] = [];
  for (let i = 1; i < trades.length; i++) {
    const prev = ids === undefined ? (trades[i - 1]!.id as number) : ids[i - 1]!;
    const cur = ids === undefined ? (trades[i]!.id as number) : ids[i]!;
    if (cur > prev + 1) {
      gaps++;
      missingIds += cur - prev - 1;
      if (ranges.length < MAX_GAP_RANGES) ranges.push({ from: prev + 1, to: cur - 1 });
    }
  }
  return { gaps, missingIds, ranges };
}

/** Parses a whole file's text (already decompressed). `name` is the path, for naming and detection. */
export function parseTradeText(text: string, name: string, opts: ReadTradeFileOptions = {}): TradeFileResult {
  const format =
    opts.format === undefined ? detectFormat(name, firstLinesOf(text)) : formatOf(name, opts.format);
  const p = new TradeFileParser(name, format, opts);
  p.push(text);
  return p.end();
}

/** Parses a file's bytes: plain, gzip or single-entry zip; decoded in bounded chunks. */
export function parseTradeBytes(
  bytes: Uint8Array,
  name: string,
  opts: ReadTradeFileOptions = {},
): TradeFileResult {
  const un = unpack(bytes, name);
  const data = un.bytes;
  const detectName =
    un.innerName === undefined ? name : `${name.slice(0, name.lastIndexOf('/') + 1)}${un.innerName}`;
  const head = new TextDecoder().decode(data.subarray(0, Math.min(data.length, 64 * 1024)));
  const format =
    opts.format === undefined
      ? detectFormat(detectName, firstLinesOf(head))
      : formatOf(detectName, opts.format);
  const p = new TradeFileParser(name, format, opts);
  // cut at line ends so that no UTF-8 sequence and no line is split between chunks
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let at = 0;
  while (at < buf.length) {
    let cut = Math.min(buf.length, at + DECODE_CHUNK);
    if (cut < buf.length) {
      const nl = buf.lastIndexOf(10, cut - 1);
      if (nl >= at) cut = nl + 1;
    }
    p.push(buf.toString('utf8', at, cut));
    at = cut;
  }
  return p.end();
}

/** Reads a trade file from disk. See TradeFileResult and IngestReport for what comes back. */
export async function readTradeFile(path: string, opts: ReadTradeFileOptions = {}): Promise<TradeFileResult> {
  const bytes = await readFile(path);
  return parseTradeBytes(bytes, path, opts);
}

function firstLinesOf(text: string): string[] {
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

function formatOf(name: string, format: FileFormat): DetectedFormat {
  const nameHint = nameHintOf(name);
  return { format, hasHeader: false, ...(nameHint === undefined ? {} : { nameHint }) };
}
