// Aggressor-side classification: the exchange's flag wherever there is one; the tick rule only where none exists.

import { OrderflowError } from './errors.ts';
import { BUY, SELL, type Side } from './units.ts';

/** Binance `m` / isBuyerMaker: true ⇒ the buyer was the maker ⇒ the taker sold. */
export const sideFromBuyerIsMaker = (buyerIsMaker: boolean): Side => (buyerIsMaker ? SELL : BUY);

/** Coinbase Exchange `side` is the MAKER's side: "sell" ⇒ a resting sell was lifted ⇒ the taker bought. */
export function sideFromMakerSide(makerSide: string): Side {
  const s = makerSide.toLowerCase();
  if (s === 'sell') return BUY;
  if (s === 'buy') return SELL;
  throw new OrderflowError('INVALID_SIDE', `maker side ${JSON.stringify(makerSide)} is neither buy nor sell`);
}

/** Feeds whose field already is the taker side (Bybit `S`, OKX `side`, Kraken v2 `side`). */
export function sideFromTakerSide(takerSide: string): Side {
  const s = takerSide.toLowerCase();
  if (s === 'buy' || s === 'b') return BUY;
  if (s === 'sell' || s === 's') return SELL;
  throw new OrderflowError('INVALID_SIDE', `taker side ${JSON.stringify(takerSide)} is neither buy nor sell`);
}

/**
 * Tick rule (Lee–Ready's fallback): uptick ⇒ buy, downtick ⇒ sell, zero tick ⇒ the previous side.
 * The first trade, with no previous price, is classified as a buy (documented choice).
 */
export class TickRule {
  private lastPrice = NaN;
  private lastSide: Side = BUY;

  classify(price: number): Side {
    if (price > this.lastPrice) this.lastSide = BUY;
    else if (price < this.lastPrice) this.lastSide = SELL;
    this.lastPrice = price;
    return this.lastSide;
  }
}

/** Agreement of the tick rule with the true exchange flags over a sequence of trades. */
export function tickRuleAgreement(trades: Iterable<{ price: number; side: Side }>): {
  total: number;
  agree: number;
  ratio: number;
} {
  const rule = new TickRule();
  let total = 0;
  let agree = 0;
  for (const t of trades) {
    if (rule.classify(t.price) === t.side) agree++;
    total++;
  }
  return { total, agree, ratio: total === 0 ? NaN : agree / total };
}
