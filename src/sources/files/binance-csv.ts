// Binance public dump CSV layouts (spot/futures trades and aggTrades, with or without header) → raw trades.
// Hand-rolled comma splitting: a dump line is parsed without building an array of all its fields.

import {
  dumpTimeToMicros,
  parseFlagAt,
  parseUintAt,
  scanDecimal,
  scanned,
  shapeProblem,
  type RowSink,
} from './raw-trade.ts';

export type CsvLayoutName = 'spot-trades' | 'futures-trades' | 'futures-agg-trades' | 'spot-agg-trades';

export interface CsvLayout {
  readonly name: CsvLayoutName;
  readonly columns: number;
  /** Column names, as in the futures header rows (spot dumps have none; the same names are used). */
  readonly names: readonly string[];
  readonly time: number;
  readonly flag: number;
  /** aggTrades: first/last underlying trade id columns. */
  readonly first?: number;
  readonly last?: number;
  /** Spot: the isBestMatch column, checked like the side flag though unused. */
  readonly bestMatch?: number;
}

export const CSV_LAYOUTS: Readonly<Record<CsvLayoutName, CsvLayout>> = {
  'spot-trades': {
    name: 'spot-trades',
    columns: 7,
    names: ['id', 'price', 'qty', 'quoteQty', 'time', 'isBuyerMaker', 'isBestMatch'],
    time: 4,
    flag: 5,
    bestMatch: 6,
  },
  'futures-trades': {
    name: 'futures-trades',
    columns: 6,
    names: ['id', 'price', 'qty', 'quote_qty', 'time', 'is_buyer_maker'],
    time: 4,
    flag: 5,
  },
  'futures-agg-trades': {
    name: 'futures-agg-trades',
    columns: 7,
    names: [
      'agg_trade_id',
      'price',
      'quantity',
      'first_trade_id',
      'last_trade_id',
      'transact_time',
      'is_buyer_maker',
    ],
    time: 5,
    flag: 6,
    first: 3,
    last: 4,
  },
  'spot-agg-trades': {
    name: 'spot-agg-trades',
    columns: 8,
    names: [
      'aggTradeId',
      'price',
      'qty',
      'firstTradeId',
      'lastTradeId',
      'time',
      'isBuyerMaker',
      'isBestMatch',
    ],
    time: 5,
    flag: 6,
    first: 3,
    last: 4,
    bestMatch: 7,
  },
};

const HEADER_FIRST = new Set(['id', 'trade_id', 'agg_trade_id', 'aggtradeid', 'a']);

/** Whether a line is a header row (its first field names a column instead of holding an id). */
export function isHeaderLine(fields: readonly string[]): boolean {
  const f = fields[0]?.trim().toLowerCase();
  return f !== undefined && HEADER_FIRST.has(f);
}

/** Layout of a CSV from one of its lines (header or data); undefined when it matches none. */
export function layoutOfLine(fields: readonly string[]): CsvLayoutName | undefined {
  const header = isHeaderLine(fields);
  const agg = header && /agg/i.test(fields[0] ?? '');
  switch (fields.length) {
    case 6:
      return header && agg ? undefined : 'futures-trades';
    case 7:
      if (header) return agg ? 'futures-agg-trades' : 'spot-trades';
      // futures aggTrades carry the time (digits) in column 6, spot trades the isBuyerMaker flag
      return /^\d+$/.test(fields[5] ?? '') ? 'futures-agg-trades' : 'spot-trades';
    case 8:
      return 'spot-agg-trades';
    default:
      return undefined;
  }
}

/** Parses the lines of one CSV layout into a sink. One instance per file. */
export class BinanceCsvParser {
  /** starts[k], ends[k]: bounds of field k in the text. */
  private readonly starts: number[];
  private readonly ends: number[];

  constructor(
    readonly layout: CsvLayout,
    private readonly sink: RowSink,
  ) {
    this.starts = new Array<number>(layout.columns).fill(0);
    this.ends = new Array<number>(layout.columns).fill(0);
  }

  /**
   * Parses text[start, end) (no line terminator) without copying it. Returns false when the line is a header
   * row (a header repeats where daily files were concatenated).
   */
  parseLine(text: string, start: number, end: number, lineNo: number): boolean {
    const L = this.layout;
    const S = this.starts;
    const E = this.ends;
    const sink = this.sink;
    let n = 0;
    let from = start;
    for (;;) {
      let c = text.indexOf(',', from);
      if (c < 0 || c > end) c = end;
      if (n < L.columns) {
        S[n] = from;
        E[n] = c;
      }
      n++;
      if (c === end) break;
      from = c + 1;
    }
    if (n !== L.columns) {
      const line = text.slice(start, end);
      const what = isHeaderLine(line.split(',')) ? 'header' : 'row';
      sink.malformed(lineNo, what, line, `has ${n} columns, expected ${L.columns} (${L.names.join(',')})`);
      return true;
    }
    const id = parseUintAt(text, S[0]!, E[0]!);
    if (id < 0) {
      const idText = text.slice(S[0], E[0]);
      if (HEADER_FIRST.has(idText.trim().toLowerCase())) return false;
      sink.malformed(lineNo, L.names[0]!, idText, 'is not a trade id (a non-negative integer below 2^53)');
      return true;
    }
    const pd = scanDecimal(text, S[1]!, E[1]!);
    if (pd < 0) {
      sink.malformed(lineNo, L.names[1]!, text.slice(S[1], E[1]), shapeProblem(pd));
      return true;
    }
    const priceM = scanned.m;
    const qd = scanDecimal(text, S[2]!, E[2]!);
    if (qd < 0) {
      sink.malformed(lineNo, L.names[2]!, text.slice(S[2], E[2]), shapeProblem(qd));
      return true;
    }
    const qtyM = scanned.m;
    let count = 1;
    if (L.first !== undefined && L.last !== undefined) {
      const first = parseUintAt(text, S[L.first]!, E[L.first]!);
      if (first < 0) {
        const v = text.slice(S[L.first], E[L.first]);
        sink.malformed(lineNo, L.names[L.first]!, v, 'is not a trade id (a non-negative integer below 2^53)');
        return true;
      }
      const last = parseUintAt(text, S[L.last]!, E[L.last]!);
      if (last < first) {
        const v = text.slice(S[L.last], E[L.last]);
        const problem =
          last < 0
            ? 'is not a trade id (a non-negative integer below 2^53)'
            : `is below ${L.names[L.first]!} ${first}`;
        sink.malformed(lineNo, L.names[L.last]!, v, problem);
        return true;
      }
      count = last - first + 1;
    }
    const flag = parseFlagAt(text, S[L.flag]!, E[L.flag]!);
    if (flag < 0) {
      sink.malformed(
        lineNo,
        L.names[L.flag]!,
        text.slice(S[L.flag], E[L.flag]),
        'is not a side flag (true/false)',
      );
      return true;
    }
    if (L.bestMatch !== undefined && parseFlagAt(text, S[L.bestMatch]!, E[L.bestMatch]!) < 0) {
      const v = text.slice(S[L.bestMatch], E[L.bestMatch]);
      sink.malformed(lineNo, L.names[L.bestMatch]!, v, 'is not a boolean (True/False)');
      return true;
    }
    const ts = dumpTimeToMicros(text, S[L.time]!, E[L.time]!, lineNo, sink, L.names[L.time]!);
    if (ts < 0) return true;
    sink.rows.push(lineNo, id, priceM, pd, qtyM, qd, ts, flag === 1, count, NaN, undefined);
    return true;
  }
}
