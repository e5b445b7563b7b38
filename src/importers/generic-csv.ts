// Imports any delimited trade file through a column mapping (`id=0,price=1,qty=2,time=4,side=5`), a side
// convention and a time unit, streaming in batches like the Binance importer.
//
// Choices: an id column is required (the store dedupes on it, so re-imports never double count); without a side
// column the tick rule classifies (sideSource 'tick-rule'), in file order; a first line whose price does not parse
// is a header; unknown instruments get the finest decimals the file uses (one extra pass) unless --tick-size and
// --lot-size are given; `s` times may carry decimals (exact to the µs).

import {
  formatIncrement,
  parseIncrement,
  significantDecimals,
  toUnitsOrNaN,
  type Increment,
} from '../core/decimal.ts';
import { OrderflowError } from '../core/errors.ts';
import { inferInstrument, InstrumentRegistry, type Instrument } from '../core/instrument.ts';
import { sideFromBuyerIsMaker, sideFromMakerSide, sideFromTakerSide, TickRule } from '../core/classify.ts';
import { parseTime } from '../core/time.ts';
import type { Trade } from '../core/trade.ts';
import { lots, micros, ticks, type Side } from '../core/units.ts';
import type { MalformedRow } from '../sources/files/ingest-report.ts';
import type { TradeStore } from '../store/port.ts';
import { openTradeFile } from './file-stream.ts';
import { ImportError } from './import-error.ts';
import { InstrumentWriter } from './instrument-writer.ts';
import { ProgressTracker, type ProgressListener } from './progress.ts';

export type SideSemantics = 'buyer-maker' | 'taker' | 'maker';
export type CsvTimeUnit = 'ms' | 'us' | 's' | 'iso';

export interface ColumnMapping {
  readonly id: number;
  readonly price: number;
  readonly qty: number;
  readonly time: number;
  readonly side?: number;
}

const FIELDS = ['id', 'price', 'qty', 'time', 'side'] as const;

/** Parses `id=0,price=1,qty=2,time=4,side=5` (0-based column indexes). */
export function parseColumnMapping(text: string): ColumnMapping {
  const out: Record<string, number> = {};
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const m = /^([a-z]+)\s*=\s*(\d+)$/i.exec(part);
    const name = m?.[1]?.toLowerCase();
    if (m === null || name === undefined || !(FIELDS as readonly string[]).includes(name)) {
      throw new ImportError(
        'INVALID_MAPPING',
        `--columns: ${JSON.stringify(part)} is not one of ${FIELDS.join('|')}=INDEX`,
      );
    }
    out[name] = Number(m[2]);
  }
  for (const need of ['id', 'price', 'qty', 'time']) {
    if (out[need] === undefined) throw new ImportError('INVALID_MAPPING', `--columns needs ${need}=INDEX`);
  }
  return {
    id: out.id!,
    price: out.price!,
    qty: out.qty!,
    time: out.time!,
    ...(out.side === undefined ? {} : { side: out.side }),
  };
}

export interface GenericCsvOptions {
  readonly exchange: string;
  readonly symbol: string;
  readonly columns: ColumnMapping;
  readonly sideSemantics?: SideSemantics;
  readonly timeUnit?: CsvTimeUnit;
  readonly delimiter?: string;
  readonly tickSize?: string;
  readonly lotSize?: string;
  readonly strict?: boolean;
  readonly registry?: InstrumentRegistry;
  readonly batchBytes?: number;
  readonly onProgress?: ProgressListener;
}

export interface GenericCsvResult {
  readonly file: string;
  readonly exchange: string;
  readonly symbol: string;
  readonly rowsRead: number;
  readonly tradesParsed: number;
  readonly inserted: number;
  readonly duplicates: number;
  readonly malformed: number;
  readonly malformedExamples: readonly MalformedRow[];
  readonly scale: { readonly tick: string; readonly lot: string };
}

class RowError extends Error {
  constructor(
    readonly field: string,
    readonly value: string,
    problem: string,
  ) {
    super(`${field} ${JSON.stringify(value)} ${problem}`);
  }
}

const US_PER = { s: 1_000_000, ms: 1_000, us: 1 } as const;

function timeOf(v: string, unit: CsvTimeUnit): number {
  if (unit === 'iso') {
    try {
      return parseTime(v);
    } catch {
      throw new RowError('time', v, 'is not an RFC3339 time');
    }
  }
  const m = /^(\d+)(?:\.(\d+))?$/.exec(v.trim());
  if (m === null) throw new RowError('time', v, `is not an epoch time in ${unit}`);
  const per = US_PER[unit];
  const fracDigits = unit === 's' ? 6 : unit === 'ms' ? 3 : 0;
  const frac = m[2] ?? '';
  if (frac.length > fracDigits && /[1-9]/.test(frac.slice(fracDigits)))
    throw new RowError('time', v, 'is finer than a microsecond');
  const us =
    Number(m[1]) * per + (fracDigits === 0 ? 0 : Number(frac.slice(0, fracDigits).padEnd(fracDigits, '0')));
  if (!Number.isSafeInteger(us)) throw new RowError('time', v, 'is out of range');
  return us;
}

function sideOf(v: string, how: SideSemantics): Side {
  const s = v.trim();
  if (how === 'buyer-maker') {
    if (/^(true|1|t|yes)$/i.test(s)) return sideFromBuyerIsMaker(true);
    if (/^(false|0|f|no)$/i.test(s)) return sideFromBuyerIsMaker(false);
    throw new RowError('side', v, 'is not a buyer-is-maker flag (true/false)');
  }
  if (s === '1' || s === '-1') return (how === 'taker' ? Number(s) : -Number(s)) as Side;
  try {
    return how === 'taker' ? sideFromTakerSide(s) : sideFromMakerSide(s);
  } catch {
    throw new RowError('side', v, `is not a ${how} side (buy/sell)`);
  }
}

/** Runs over the file's data rows: (fields, file line) or a header line skipped. */
async function forEachRow(
  path: string,
  o: GenericCsvOptions,
  onBatchEnd: (bytesRead: number) => Promise<void>,
  onRow: (fields: string[], line: number) => void,
): Promise<void> {
  const file = await openTradeFile(path);
  const delim = o.delimiter ?? ',';
  let first = true;
  for await (const b of file.batches(o.batchBytes)) {
    let text = b.text;
    if (b.lineOffset === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    let line = b.lineOffset;
    let start = 0;
    while (start < text.length) {
      let nl = text.indexOf('\n', start);
      if (nl < 0) nl = text.length;
      line++;
      let end = nl;
      if (end > start && text.charCodeAt(end - 1) === 13) end--;
      const raw = text.slice(start, end);
      start = nl + 1;
      if (raw.trim() === '') continue;
      const fields = raw.split(delim);
      if (first) {
        first = false;
        if (Number.isNaN(Number(fields[o.columns.price]?.trim() ?? 'x'))) continue;
      }
      onRow(fields, line);
    }
    await onBatchEnd(b.bytesRead);
  }
}

/** Imports one file; see the module header for the choices. */
export async function importGenericCsv(
  store: TradeStore,
  path: string,
  o: GenericCsvOptions,
): Promise<GenericCsvResult> {
  const c = o.columns;
  const how = o.sideSemantics ?? 'buyer-maker';
  const unit = o.timeUnit ?? 'ms';
  const width = Math.max(c.id, c.price, c.qty, c.time, c.side ?? 0) + 1;
  const cell = (f: string[], k: number, name: string): string => {
    const v = f[k];
    if (v === undefined)
      throw new RowError(
        name,
        f.join(o.delimiter ?? ','),
        `is missing: the row has ${f.length} columns, the mapping needs ${width}`,
      );
    return v.trim();
  };

  // The grid: known, forced, or the finest decimals of the file (a first pass).
  const known = (o.registry ?? new InstrumentRegistry()).get(o.exchange, o.symbol);
  let price: Increment | undefined =
    o.tickSize === undefined ? known?.price : parseIncrement(o.tickSize, 'tickSize');
  let qty: Increment | undefined =
    o.lotSize === undefined ? known?.qty : parseIncrement(o.lotSize, 'lotSize');
  if (price === undefined || qty === undefined || o.strict === true) {
    let pd = 0;
    let qd = 0;
    await forEachRow(
      path,
      o,
      () => Promise.resolve(),
      (f, line) => {
        try {
          const p = cell(f, c.price, 'price');
          const q = cell(f, c.qty, 'qty');
          if (!/^\d+(\.\d+)?$/.test(p)) throw new RowError('price', p, 'is not a plain decimal');
          if (!/^\d+(\.\d+)?$/.test(q)) throw new RowError('qty', q, 'is not a plain decimal');
          pd = Math.max(pd, significantDecimals(p));
          qd = Math.max(qd, significantDecimals(q));
          if (o.strict === true) {
            if (price !== undefined && !(toUnitsOrNaN(p, price) > 0))
              throw new RowError('price', p, `is not a multiple of the tick ${formatIncrement(price)}`);
            if (qty !== undefined && !(toUnitsOrNaN(q, qty) > 0))
              throw new RowError('qty', q, `is not a multiple of the lot ${formatIncrement(qty)}`);
            cell(f, c.id, 'id');
            timeOf(cell(f, c.time, 'time'), unit);
            if (c.side !== undefined) sideOf(cell(f, c.side, 'side'), how);
          }
        } catch (e) {
          if (o.strict === true && e instanceof RowError) {
            throw new OrderflowError('INVALID_TRADE', `${path}:${line}: ${e.message}`, { cause: e });
          }
        }
      },
    );
    price ??= { mantissa: 1, decimals: pd };
    qty ??= { mantissa: 1, decimals: qd };
  }
  const base = known ?? inferInstrument(o.exchange, o.symbol, { price, qty, volumeUnit: 'base' });
  const inst: Instrument = {
    ...base,
    price,
    qty,
    source:
      known !== undefined && o.tickSize === undefined && o.lotSize === undefined ? base.source : 'config',
  };

  const writer = new InstrumentWriter(store, o.exchange, o.symbol);
  const tracker = new ProgressTracker('import', path, o.onProgress);
  const tickRule = new TickRule();
  const examples: MalformedRow[] = [];
  let rowsRead = 0;
  let parsed = 0;
  let malformed = 0;
  let batch: Trade[] = [];
  await forEachRow(
    path,
    o,
    async (bytes) => {
      const b = batch;
      batch = [];
      await writer.write(b, inst);
      tracker.emit(bytes, parsed, writer.counts.inserted);
    },
    (f, line) => {
      rowsRead++;
      try {
        const idText = cell(f, c.id, 'id');
        const id = /^\d{1,15}$/.test(idText) ? Number(idText) : idText;
        if (idText === '') throw new RowError('id', idText, 'is empty');
        const p = cell(f, c.price, 'price');
        const pt = toUnitsOrNaN(p, price);
        if (!(pt > 0))
          throw new RowError('price', p, `is not a positive multiple of the tick ${formatIncrement(price)}`);
        const q = cell(f, c.qty, 'qty');
        const ql = toUnitsOrNaN(q, qty);
        if (!(ql > 0))
          throw new RowError('qty', q, `is not a positive multiple of the lot ${formatIncrement(qty)}`);
        const ts = timeOf(cell(f, c.time, 'time'), unit);
        const side = c.side === undefined ? tickRule.classify(pt) : sideOf(cell(f, c.side, 'side'), how);
        batch.push({
          exchange: o.exchange,
          symbol: o.symbol,
          id,
          ts: micros(ts),
          price: ticks(pt),
          qty: lots(ql),
          side,
          sideSource: c.side === undefined ? 'tick-rule' : 'exchange',
        });
        parsed++;
      } catch (e) {
        if (!(e instanceof RowError)) throw e;
        malformed++;
        if (examples.length < 100)
          examples.push({ line, field: e.field, value: e.value.slice(0, 200), reason: e.message });
      }
    },
  );
  return {
    file: path,
    exchange: o.exchange,
    symbol: o.symbol,
    rowsRead,
    tradesParsed: parsed,
    inserted: writer.counts.inserted,
    duplicates: writer.counts.duplicates,
    malformed,
    malformedExamples: examples,
    scale: { tick: formatIncrement(price), lot: formatIncrement(qty) },
  };
}
