// Turns the rows both SQL stores read into port values: instruments, `stats()` answers (per-instrument figures,
// id-gap totals, the first gap ranges) and minute bars, so DuckDB and PostgreSQL share one column layout.

import type { Instrument, InstrumentKind } from '../core/instrument.ts';
import type { TradeId } from '../core/trade.ts';
import type { IdGapRange, InstrumentStats, MinuteRollup, RollupCell } from './port.ts';

/** Converters from a driver's cell values (DuckDB values, pg strings) to JS values. */
export interface CellReaders {
  num(v: unknown): number;
  numOrNull(v: unknown): number | null;
  str(v: unknown): string;
}

type Rows = readonly (readonly unknown[])[];

/**
 * An instrument as the columns of both stores' instruments tables: exchange, symbol, kind, base, quote, price
 * mantissa and decimals, qty mantissa and decimals, volume unit, contract multiplier, source.
 */
export const instrumentRow = (i: Instrument): (string | number | null)[] => [
  i.exchange,
  i.symbol,
  i.kind,
  i.base,
  i.quote,
  i.price.mantissa,
  i.price.decimals,
  i.qty.mantissa,
  i.qty.decimals,
  i.volumeUnit,
  i.contractMultiplier ?? null,
  i.source,
];

/** The instrument of a row in instrumentRow's column order. */
export function instrumentFromRow(r: readonly unknown[], c: CellReaders): Instrument {
  const multiplier = r[10];
  return {
    exchange: c.str(r[0]),
    symbol: c.str(r[1]),
    kind: c.str(r[2]) as InstrumentKind,
    base: c.str(r[3]),
    quote: c.str(r[4]),
    price: { mantissa: c.num(r[5]), decimals: c.num(r[6]) },
    qty: { mantissa: c.num(r[7]), decimals: c.num(r[8]) },
    volumeUnit: c.str(r[9]) as Instrument['volumeUnit'],
    ...(typeof multiplier === 'string' ? { contractMultiplier: multiplier } : {}),
    source: c.str(r[11]) as Instrument['source'],
  };
}

/**
 * main: inst, exchange, symbol, count, trades, firstTs, lastTs, minId, maxId, stringIds;
 * totals: inst, gap count, missing ids; ranges: inst, from, to (first ranges per instrument, in order).
 */
export function statsFromRows(main: Rows, totals: Rows, ranges: Rows, c: CellReaders): InstrumentStats[] {
  const gapTotals = new Map(totals.map((r) => [c.num(r[0]), { count: c.num(r[1]), missing: c.num(r[2]) }]));
  const gapRanges = new Map<number, IdGapRange[]>();
  for (const r of ranges) {
    const inst = c.num(r[0]);
    let list = gapRanges.get(inst);
    if (list === undefined) gapRanges.set(inst, (list = []));
    list.push({ from: c.num(r[1]), to: c.num(r[2]) });
  }
  return main.map((r): InstrumentStats => {
    const inst = c.num(r[0]);
    return {
      exchange: c.str(r[1]),
      symbol: c.str(r[2]),
      count: c.num(r[3]),
      trades: c.num(r[4]),
      firstTs: c.numOrNull(r[5]),
      lastTs: c.numOrNull(r[6]),
      minId: c.numOrNull(r[7]),
      maxId: c.numOrNull(r[8]),
      stringIds: c.num(r[9]),
      idGaps: {
        count: gapTotals.get(inst)?.count ?? 0,
        missing: gapTotals.get(inst)?.missing ?? 0,
        ranges: gapRanges.get(inst) ?? [],
      },
    };
  });
}

/** Converters plus the trade id of a (numeric id, string id) column pair. */
export interface BarReaders extends CellReaders {
  idOf(n: unknown, s: unknown): TradeId;
}

/**
 * A minute bar from the rollup columns minute, open, high, low, close, firstTs, firstId (num, str), lastTs,
 * lastId (num, str), buy, sell, buyTrades, sellTrades, minDelta, maxDelta.
 */
export function minuteBarFromRow(
  r: readonly unknown[],
  c: BarReaders,
  cells: RollupCell[] = [],
): MinuteRollup {
  return {
    minute: c.num(r[0]),
    open: c.num(r[1]),
    high: c.num(r[2]),
    low: c.num(r[3]),
    close: c.num(r[4]),
    firstTs: c.num(r[5]),
    firstId: c.idOf(r[6], r[7]),
    lastTs: c.num(r[8]),
    lastId: c.idOf(r[9], r[10]),
    buy: c.num(r[11]),
    sell: c.num(r[12]),
    buyTrades: c.num(r[13]),
    sellTrades: c.num(r[14]),
    minDelta: c.num(r[15]),
    maxDelta: c.num(r[16]),
    cells,
  };
}
