// The tick store port: what every store (in-memory reference, DuckDB, PostgreSQL later) must do, with the
// store's own error codes. Ticks are kept in each instrument's own integer ticks/lots; (exchange, symbol, id) is unique.

import type { Instrument } from '../core/instrument.ts';
import type { Trade, TradeId } from '../core/trade.ts';

export type StoreErrorCode =
  | 'UNKNOWN_INSTRUMENT'
  | 'INSTRUMENT_MISMATCH'
  | 'SCALE_CHANGED'
  | 'INVALID_TRADE'
  | 'STORE_CLOSED'
  | 'STORE_FAILED';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

export interface InsertResult {
  /** Trades newly stored. */
  readonly inserted: number;
  /** Trades of the batch already stored, or repeated inside the batch (the first occurrence wins). */
  readonly duplicates: number;
}

/** One cell of a minute rollup: one price tick (row = tick; coarser rows are floor(tick / rowTicks)). */
export interface RollupCell {
  readonly tick: number;
  /** Lots bought / sold by takers. */
  readonly buy: number;
  readonly sell: number;
  /** Exchange trades (a Binance aggTrade counts lastId − firstId + 1). */
  readonly buyTrades: number;
  readonly sellTrades: number;
}

/** Bar statistics and cells of one UTC minute, enough to rebuild any TIME bar that is a multiple of 1 minute. */
export interface MinuteRollup {
  /** Minute start, µs. */
  readonly minute: number;
  /** Prices in ticks; open/close are the first/last trade in (ts, id) order. */
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly firstTs: number;
  readonly firstId: TradeId;
  readonly lastTs: number;
  readonly lastId: TradeId;
  readonly buy: number;
  readonly sell: number;
  readonly buyTrades: number;
  readonly sellTrades: number;
  /** Extremes of the running delta (buy − sell, lots) after each trade of the minute, from 0 at its start. */
  readonly minDelta: number;
  readonly maxDelta: number;
  /** Sorted by tick ascending; only ticks that traded. */
  readonly cells: readonly RollupCell[];
}

export interface IdGapRange {
  /** First missing id. */
  readonly from: number;
  /** Last missing id (inclusive). */
  readonly to: number;
}

export interface InstrumentStats {
  readonly exchange: string;
  readonly symbol: string;
  /** Stored prints (rows). */
  readonly count: number;
  /** Exchange trades they stand for (Σ count). */
  readonly trades: number;
  readonly firstTs: number | null;
  readonly lastTs: number | null;
  /** Numeric ids only; null when the instrument has none. */
  readonly minId: number | null;
  readonly maxId: number | null;
  readonly stringIds: number;
  /** Missing numeric ids between minId and maxId. */
  readonly idGaps: {
    /** Number of gap ranges. */
    readonly count: number;
    /** Number of missing ids. */
    readonly missing: number;
    /** The first gap ranges in id order (at most `maxGapRanges`). */
    readonly ranges: readonly IdGapRange[];
  };
}

export interface StatsOptions {
  /** Gap ranges listed per instrument (default 10). */
  readonly maxGapRanges?: number;
}

export interface TradeStore {
  open(): Promise<void>;
  close(): Promise<void>;
  /** Adds or updates an instrument; changing its increments once it has trades is refused (SCALE_CHANGED). */
  upsertInstrument(instrument: Instrument): Promise<void>;
  getInstrument(exchange: string, symbol: string): Promise<Instrument | undefined>;
  listInstruments(): Promise<Instrument[]>;
  /**
   * Stores the trades of one instrument atomically (all of the batch or nothing). Idempotent on
   * (exchange, symbol, id): repeats inside the batch, against stored trades and across concurrent calls are
   * counted as duplicates and never stored twice. Minute rollups are updated in the same transaction.
   */
  insertTrades(exchange: string, symbol: string, trades: readonly Trade[]): Promise<InsertResult>;
  /** Trades with fromUs ≤ ts < toUs in canonical (ts, id) order. */
  readTrades(exchange: string, symbol: string, fromUs: number, toUs: number): Promise<Trade[]>;
  /** The same trades as readTrades, in batches of at most batchSize, for ranges too big to hold at once. */
  iterateTrades(
    exchange: string,
    symbol: string,
    fromUs: number,
    toUs: number,
    batchSize?: number,
  ): AsyncIterable<Trade[]>;
  /**
   * Rollups of the minutes whose start lies in [fromUs, toUs), oldest first. With rowTicks > 1 each minute's
   * cells are summed into rows of rowTicks ticks, each keyed by its row's lowest tick (floor(tick / rowTicks) ·
   * rowTicks): far fewer cells to read when a query uses coarse rows anyway.
   */
  readMinuteRollups(
    exchange: string,
    symbol: string,
    fromUs: number,
    toUs: number,
    rowTicks?: number,
  ): Promise<MinuteRollup[]>;
  /** What is stored, per instrument, sorted by exchange then symbol. */
  stats(options?: StatsOptions): Promise<InstrumentStats[]>;
}

export const DEFAULT_ITERATE_BATCH = 65_536;

/** Cells merged into rows of rowTicks ticks, keyed by each row's lowest tick (see readMinuteRollups). */
export function cellsInRows(cells: readonly RollupCell[], rowTicks: number): RollupCell[] {
  if (rowTicks === 1) return [...cells];
  const out: RollupCell[] = [];
  for (const c of cells) {
    const tick = Math.floor(c.tick / rowTicks) * rowTicks;
    const last = out[out.length - 1];
    if (last !== undefined && last.tick === tick) {
      out[out.length - 1] = {
        tick,
        buy: last.buy + c.buy,
        sell: last.sell + c.sell,
        buyTrades: last.buyTrades + c.buyTrades,
        sellTrades: last.sellTrades + c.sellTrades,
      };
    } else out.push({ ...c, tick });
  }
  return out;
}

export function checkRowTicks(rowTicks: number): void {
  if (!Number.isSafeInteger(rowTicks) || rowTicks < 1)
    throw new RangeError(`rowTicks must be a positive integer, got ${rowTicks}`);
}
export const DEFAULT_MAX_GAP_RANGES = 10;
