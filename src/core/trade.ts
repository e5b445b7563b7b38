// The one normalized trade type every source produces and every engine consumes.

import type { PriceTicks, QtyLots, Side, UnixMicros } from './units.ts';

/** Exchange trade id: integers where the exchange numbers trades, strings where it does not (UUIDs). */
export type TradeId = number | string;

/** How the aggressor side was determined. */
export type SideSource = 'exchange' | 'tick-rule';

export interface Trade {
  /** Venue id, e.g. "binance", "binance-usdm", "coinbase". */
  readonly exchange: string;
  /** The exchange's own symbol, e.g. "BTCUSDT", "BTC-USD". */
  readonly symbol: string;
  /** Exchange trade id; (exchange, symbol, id) is unique. */
  readonly id: TradeId;
  /** Trade (event) time, µs UTC. */
  readonly ts: UnixMicros;
  /** Price in ticks of the instrument's price increment. */
  readonly price: PriceTicks;
  /** Quantity in lots of the instrument's quantity increment (contracts for inverse contracts). */
  readonly qty: QtyLots;
  /**
   * Aggressor (taker) side: +1 the taker bought, -1 the taker sold. Binance `m`=true ⇒ -1;
   * Coinbase Exchange `side` is the maker's side ⇒ the opposite.
   */
  readonly side: Side;
  readonly sideSource: SideSource;
  /** Local receive time, µs, when known (live sources). */
  readonly recvTs?: UnixMicros;
  /** Exchange trades this print stands for: 1, or lastId − firstId + 1 for a Binance aggTrade. */
  readonly count?: number;
}

/** Number of exchange trades a print stands for. */
export const tradeCount = (t: Trade): number => t.count ?? 1;
