// How often the tick rule (src/core/classify.ts) names the same aggressor as the exchange's own flag, by trade
// count and by volume: the figure DESIGN.md asks us to measure on Binance data and publish.

import { TickRule } from '../../core/classify.ts';
import { unitsToNumber } from '../../core/decimal.ts';
import type { Scale } from '../../core/instrument.ts';
import type { Trade } from '../../core/trade.ts';

export interface TickRuleMeasure {
  /** Prints classified (an aggTrade is one print). */
  readonly trades: number;
  readonly agree: number;
  /** agree / trades (NaN without trades). */
  readonly byCount: number;
  /** Σ qty in lots, and Σ qty of the prints the rule got right. */
  readonly volumeLots: number;
  readonly agreeLots: number;
  readonly byVolume: number;
  /** Σ price·qty in quote units (floats: only used for a pooled ratio across instruments). */
  readonly notional: number;
  readonly agreeNotional: number;
}

/**
 * Runs the tick rule over trades in the order given (a file's time order) and compares with `side`, which must
 * come from the exchange. The rule's first print has no previous price and counts as a buy (TickRule's choice).
 */
export function measureTickRule(trades: Iterable<Trade>, scale: Scale): TickRuleMeasure {
  const rule = new TickRule();
  let n = 0;
  let agree = 0;
  let volumeLots = 0;
  let agreeLots = 0;
  let notional = 0;
  let agreeNotional = 0;
  const price1 = unitsToNumber(1, scale.price);
  const qty1 = unitsToNumber(1, scale.qty);
  for (const t of trades) {
    const v = t.price * price1 * (t.qty * qty1);
    n++;
    volumeLots += t.qty;
    notional += v;
    if (rule.classify(t.price) === t.side) {
      agree++;
      agreeLots += t.qty;
      agreeNotional += v;
    }
  }
  return {
    trades: n,
    agree,
    byCount: n === 0 ? NaN : agree / n,
    volumeLots,
    agreeLots,
    byVolume: volumeLots === 0 ? NaN : agreeLots / volumeLots,
    notional,
    agreeNotional,
  };
}
