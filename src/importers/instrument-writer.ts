// Writes one instrument's trades into a TradeStore on the store's scale: registers the instrument, puts each
// batch's ticks/lots on the stored grid (an exact integer factor) and counts what was new.

import { formatIncrement, incrementRatio } from '../core/decimal.ts';
import type { Instrument } from '../core/instrument.ts';
import type { Trade } from '../core/trade.ts';
import { lots, ticks } from '../core/units.ts';
import { StoreError, type TradeStore } from '../store/port.ts';
import { ImportError } from './import-error.ts';

/** Integer factors taking `from` ticks/lots onto the `to` grid, or undefined when `to` is coarser somewhere. */
export function scaleFactors(
  from: Pick<Instrument, 'price' | 'qty' | 'volumeUnit'>,
  to: Pick<Instrument, 'price' | 'qty' | 'volumeUnit'>,
): { price: number; qty: number } | undefined {
  if (from.volumeUnit !== to.volumeUnit) return undefined;
  const price = incrementRatio(from.price, to.price);
  const qty = incrementRatio(from.qty, to.qty);
  return price === undefined || qty === undefined ? undefined : { price, qty };
}

/** Trades moved onto a finer grid (and renamed when the stored symbol differs from the exchange's). */
export function rescaleTrades(
  trades: readonly Trade[],
  f: { price: number; qty: number },
  symbol?: string,
): readonly Trade[] {
  const rename = symbol !== undefined && trades[0] !== undefined && trades[0].symbol !== symbol;
  if (f.price === 1 && f.qty === 1 && !rename) return trades;
  return trades.map((t) => ({
    ...t,
    ...(rename ? { symbol } : {}),
    price: ticks(t.price * f.price),
    qty: lots(t.qty * f.qty),
  }));
}

export interface WriteCounts {
  inserted: number;
  duplicates: number;
}

/**
 * One instrument's writer. The stored scale wins when the incoming scale fits it; a finer incoming scale is
 * accepted only while the instrument holds no trades (the store refuses to re-grid stored trades).
 */
export class InstrumentWriter {
  private target: Instrument | undefined;
  readonly counts: WriteCounts = { inserted: 0, duplicates: 0 };

  constructor(
    private readonly store: TradeStore,
    /** Exchange and symbol the trades are stored under. */
    readonly exchange: string,
    readonly symbol: string,
  ) {}

  /** The stored instrument after the first write (or `prepare`). */
  get instrument(): Instrument | undefined {
    return this.target;
  }

  /** Makes sure the store holds the instrument on a grid `scale` fits; returns the stored instrument. */
  async prepare(scale: Instrument): Promise<Instrument> {
    if (this.target !== undefined && scaleFactors(scale, this.target) !== undefined) return this.target;
    const named: Instrument = { ...scale, exchange: this.exchange, symbol: this.symbol };
    const stored = await this.store.getInstrument(this.exchange, this.symbol);
    if (stored !== undefined && scaleFactors(scale, stored) !== undefined) {
      this.target = stored;
      return stored;
    }
    try {
      await this.store.upsertInstrument(named);
    } catch (e) {
      if (e instanceof StoreError && e.code === 'SCALE_CHANGED' && stored !== undefined) {
        throw new ImportError(
          'SCALE_CONFLICT',
          `${this.exchange}:${this.symbol} is stored with tick ${formatIncrement(stored.price)} and lot ` +
            `${formatIncrement(stored.qty)}, but this data needs tick ${formatIncrement(scale.price)} and lot ` +
            `${formatIncrement(scale.qty)}; import the finest data first or into another --data-dir`,
          { cause: e },
        );
      }
      throw e;
    }
    this.target = named;
    return named;
  }

  /** Inserts trades given on `scale` (one transaction); returns this batch's counts. */
  async write(trades: readonly Trade[], scale: Instrument): Promise<WriteCounts> {
    if (trades.length === 0) return { inserted: 0, duplicates: 0 };
    const target = await this.prepare(scale);
    const f = scaleFactors(scale, target)!;
    const r = await this.store.insertTrades(
      this.exchange,
      this.symbol,
      rescaleTrades(trades, f, this.symbol),
    );
    this.counts.inserted += r.inserted;
    this.counts.duplicates += r.duplicates;
    return r;
  }
}
