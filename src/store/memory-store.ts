// In-memory TradeStore: the straightforward reference the contract suite holds every other store to.
// Rollups are maintained on ingest by recomputing each minute a batch touches from that minute's trades.

import { instrumentKey, type Instrument } from '../core/instrument.ts';
import type { Trade } from '../core/trade.ts';
import {
  cellsInRows,
  checkRowTicks,
  DEFAULT_ITERATE_BATCH,
  DEFAULT_MAX_GAP_RANGES,
  StoreError,
  type IdGapRange,
  type InsertResult,
  type InstrumentStats,
  type MinuteRollup,
  type StatsOptions,
  type TradeStore,
} from './port.ts';
import { minuteOf, minuteRollupOf } from './rollups.ts';
import { checkTrade, compareTradeOrder, idKey } from './trade-order.ts';

interface Book {
  instrument: Instrument;
  byId: Map<string, Trade>;
  byMinute: Map<number, Trade[]>;
  rollups: Map<number, MinuteRollup>;
}

/** Runs fn as a promise, so that a thrown StoreError arrives as a rejection, as from any other store. */
const settle = <T>(fn: () => T): Promise<T> => new Promise((resolve) => resolve(fn()));

const sameScale = (a: Instrument, b: Instrument): boolean =>
  a.price.mantissa === b.price.mantissa &&
  a.price.decimals === b.price.decimals &&
  a.qty.mantissa === b.qty.mantissa &&
  a.qty.decimals === b.qty.decimals &&
  a.volumeUnit === b.volumeUnit;

export class MemoryTradeStore implements TradeStore {
  private readonly books = new Map<string, Book>();
  private isOpen = false;

  open(): Promise<void> {
    this.isOpen = true;
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.isOpen = false;
    return Promise.resolve();
  }

  private check(): void {
    if (!this.isOpen) throw new StoreError('STORE_CLOSED', 'the memory store is not open');
  }

  private book(exchange: string, symbol: string): Book {
    this.check();
    const b = this.books.get(instrumentKey(exchange, symbol));
    if (b === undefined) {
      throw new StoreError(
        'UNKNOWN_INSTRUMENT',
        `instrument ${instrumentKey(exchange, symbol)} is not in the store`,
      );
    }
    return b;
  }

  upsertInstrument(instrument: Instrument): Promise<void> {
    return settle(() => this.upsert(instrument));
  }

  private upsert(instrument: Instrument): void {
    this.check();
    const key = instrumentKey(instrument.exchange, instrument.symbol);
    const b = this.books.get(key);
    if (b === undefined) {
      this.books.set(key, { instrument, byId: new Map(), byMinute: new Map(), rollups: new Map() });
    } else {
      if (b.byId.size > 0 && !sameScale(b.instrument, instrument)) {
        throw new StoreError(
          'SCALE_CHANGED',
          `instrument ${key} has stored trades; its increments cannot change`,
        );
      }
      b.instrument = instrument;
    }
  }

  getInstrument(exchange: string, symbol: string): Promise<Instrument | undefined> {
    return settle(() => {
      this.check();
      return this.books.get(instrumentKey(exchange, symbol))?.instrument;
    });
  }

  listInstruments(): Promise<Instrument[]> {
    return settle(() => {
      this.check();
      return this.sortedBooks().map((b) => b.instrument);
    });
  }

  insertTrades(exchange: string, symbol: string, trades: readonly Trade[]): Promise<InsertResult> {
    return settle(() => this.insert(exchange, symbol, trades));
  }

  private insert(exchange: string, symbol: string, trades: readonly Trade[]): InsertResult {
    const b = this.book(exchange, symbol);
    trades.forEach((t, i) => checkTrade(exchange, symbol, t, i));
    // Validation is done before any write, so a rejected batch leaves nothing behind.
    const touched = new Set<number>();
    let inserted = 0;
    for (const t of trades) {
      const k = idKey(t.id);
      if (b.byId.has(k)) continue;
      b.byId.set(k, t);
      const m = minuteOf(t.ts);
      let list = b.byMinute.get(m);
      if (list === undefined) b.byMinute.set(m, (list = []));
      list.push(t);
      touched.add(m);
      inserted++;
    }
    for (const m of touched) {
      const list = b.byMinute.get(m)!.sort(compareTradeOrder);
      b.rollups.set(m, minuteRollupOf(list));
    }
    return { inserted, duplicates: trades.length - inserted };
  }

  readTrades(exchange: string, symbol: string, fromUs: number, toUs: number): Promise<Trade[]> {
    return settle(() => {
      const b = this.book(exchange, symbol);
      const out: Trade[] = [];
      for (const t of b.byId.values()) if (t.ts >= fromUs && t.ts < toUs) out.push(t);
      return out.sort(compareTradeOrder);
    });
  }

  async *iterateTrades(
    exchange: string,
    symbol: string,
    fromUs: number,
    toUs: number,
    batchSize = DEFAULT_ITERATE_BATCH,
  ): AsyncIterable<Trade[]> {
    const all = await this.readTrades(exchange, symbol, fromUs, toUs);
    for (let i = 0; i < all.length; i += batchSize) yield all.slice(i, i + batchSize);
  }

  readMinuteRollups(
    exchange: string,
    symbol: string,
    fromUs: number,
    toUs: number,
    rowTicks = 1,
  ): Promise<MinuteRollup[]> {
    return settle(() => {
      checkRowTicks(rowTicks);
      const b = this.book(exchange, symbol);
      const out = [...b.rollups.values()].filter((r) => r.minute >= fromUs && r.minute < toUs);
      out.sort((x, y) => x.minute - y.minute);
      return rowTicks === 1 ? out : out.map((r) => ({ ...r, cells: cellsInRows(r.cells, rowTicks) }));
    });
  }

  private sortedBooks(): Book[] {
    const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
    return [...this.books.values()].sort(
      (a, b) =>
        cmp(a.instrument.exchange, b.instrument.exchange) || cmp(a.instrument.symbol, b.instrument.symbol),
    );
  }

  stats(options: StatsOptions = {}): Promise<InstrumentStats[]> {
    return settle(() => this.statsNow(options));
  }

  private statsNow(options: StatsOptions): InstrumentStats[] {
    this.check();
    const maxRanges = Math.max(0, Math.floor(options.maxGapRanges ?? DEFAULT_MAX_GAP_RANGES));
    return this.sortedBooks().map((b) => {
      let firstTs: number | null = null;
      let lastTs: number | null = null;
      let trades = 0;
      let stringIds = 0;
      const ids: number[] = [];
      for (const t of b.byId.values()) {
        if (firstTs === null || t.ts < firstTs) firstTs = t.ts;
        if (lastTs === null || t.ts > lastTs) lastTs = t.ts;
        trades += t.count ?? 1;
        if (typeof t.id === 'number') ids.push(t.id);
        else stringIds++;
      }
      ids.sort((x, y) => x - y);
      const ranges: IdGapRange[] = [];
      let gapCount = 0;
      let missing = 0;
      for (let i = 1; i < ids.length; i++) {
        const prev = ids[i - 1]!;
        const cur = ids[i]!;
        if (cur - prev > 1) {
          gapCount++;
          missing += cur - prev - 1;
          if (ranges.length < maxRanges) ranges.push({ from: prev + 1, to: cur - 1 });
        }
      }
      return {
        exchange: b.instrument.exchange,
        symbol: b.instrument.symbol,
        count: b.byId.size,
        trades,
        firstTs,
        lastTs,
        minId: ids[0] ?? null,
        maxId: ids[ids.length - 1] ?? null,
        stringIds,
        idGaps: { count: gapCount, missing, ranges },
      };
    });
  }
}
