// Binance public dump CSV layouts (spot/futures trades and aggTrades, with or without header) → raw trades.
// Hand-rolled comma splitting: a dump line is parsed without building an array of all its fields.

import {
  decimalShape,
  dumpTimeToMicros,
  parseFlag,
  parseUint,
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
      // spot trades carry a boolean in column 6; futures aggTrades an integer time there
      return parseFlag(fields[5] ?? '') === undefined ? 'futures-agg-trades' : 'spot-trades';
    case 8:
      return 'spot-agg-trades';
    default:
      return undefined;
  }
}

/** Parses the lines of one CSV layout into a sink. One instance per file. */
export class BinanceCsvParser {
  private readonly cuts: number[];
  headerRows = 0;

  constructor(
    readonly layout: CsvLayout,
    private readonly sink: RowSink,
  ) {
    this.cuts = new Array<number>(layout.columns + 1).fill(0);
  }

  /** `line` has no line terminator. Returns false when the line was a header row. */
  parseLine(line: string, lineNo: number): boolean {
    const L = this.layout;
    const cuts = this.cuts;
    const sink = this.sink;
    // cuts[k] = index of the comma ending field k; cuts[columns - 1] = line end
    let n = 0;
    let from = 0;
    for (;;) {
      const c = line.indexOf(',', from);
      if (c < 0) break;
      if (n < L.columns) cuts[n] = c;
      n++;
      from = c + 1;
    }
    if (n + 1 !== L.columns) {
      if (isHeaderLine(line.split(','))) {
        sink.malformed(lineNo, 'header', line, `has ${n + 1} columns, expected ${L.columns}`);
        return true;
      }
      sink.malformed(
        lineNo,
        'row',
        line,
        `has ${n + 1} columns, expected ${L.columns} (${L.names.join(',')})`,
      );
      return true;
    }
    cuts[L.columns - 1] = line.length;
    const field = (k: number): string => line.slice(k === 0 ? 0 : cuts[k - 1]! + 1, cuts[k]);

    const idText = field(0);
    const id = parseUint(idText);
    if (id < 0) {
      if (HEADER_FIRST.has(idText.trim().toLowerCase())) {
        this.headerRows++;
        return false;
      }
      sink.malformed(lineNo, L.names[0]!, idText, 'is not a trade id (a non-negative integer below 2^53)');
      return true;
    }
    const priceText = field(1);
    const priceDecimals = decimalShape(priceText);
    if (priceDecimals < 0) {
      sink.malformed(lineNo, 'price', priceText, shapeProblem(priceDecimals));
      return true;
    }
    const qtyText = field(2);
    const qtyDecimals = decimalShape(qtyText);
    if (qtyDecimals < 0) {
      sink.malformed(lineNo, L.names[2]!, qtyText, shapeProblem(qtyDecimals));
      return true;
    }
    let count = 1;
    if (L.first !== undefined && L.last !== undefined) {
      const firstText = field(L.first);
      const first = parseUint(firstText);
      if (first < 0) {
        sink.malformed(
          lineNo,
          L.names[L.first]!,
          firstText,
          'is not a trade id (a non-negative integer below 2^53)',
        );
        return true;
      }
      const lastText = field(L.last);
      const last = parseUint(lastText);
      if (last < first) {
        sink.malformed(
          lineNo,
          L.names[L.last]!,
          lastText,
          last < 0
            ? 'is not a trade id (a non-negative integer below 2^53)'
            : `is below ${L.names[L.first]!} ${first}`,
        );
        return true;
      }
      count = last - first + 1;
    }
    const flagText = field(L.flag);
    const buyerIsMaker = parseFlag(flagText);
    if (buyerIsMaker === undefined) {
      sink.malformed(lineNo, L.names[L.flag]!, flagText, 'is not a side flag (true/false)');
      return true;
    }
    if (L.bestMatch !== undefined) {
      const t = field(L.bestMatch);
      if (parseFlag(t) === undefined) {
        sink.malformed(lineNo, L.names[L.bestMatch]!, t, 'is not a boolean (True/False)');
        return true;
      }
    }
    const ts = dumpTimeToMicros(field(L.time), lineNo, sink, L.names[L.time]);
    if (ts < 0) return true;
    sink.accept({
      line: lineNo,
      id,
      priceText,
      qtyText,
      priceDecimals,
      qtyDecimals,
      ts,
      buyerIsMaker,
      count,
    });
    return true;
  }
}
