// volume_unit=quote: every quantity becomes its quote value (Σ price·qty), exactly, on a quote-unit scale.
// Inverse contracts are already quoted: their quote value is contracts × the contract multiplier.

import { parseIncrement } from './decimal.ts';
import { OrderflowError } from './errors.ts';
import type { Instrument, Scale } from './instrument.ts';
import type { Trade } from './trade.ts';
import { lots } from './units.ts';

export interface QuoteVolume {
  readonly scale: Scale;
  readonly trades: Trade[];
}

/**
 * Rewrites quantities as quote value in units of (price tick × quantity lot), so the product of two integers is
 * exact. Fails with OVERFLOW if a single trade's quote value passes 2^53 units.
 */
export function toQuoteVolume(trades: readonly Trade[], instrument: Instrument | Scale): QuoteVolume {
  const multiplier =
    'contractMultiplier' in instrument && instrument.contractMultiplier !== undefined
      ? parseIncrement(instrument.contractMultiplier, 'contract multiplier')
      : undefined;
  if (multiplier !== undefined) {
    // Inverse: value = contracts × multiplier (quote currency), independent of price.
    const unit = {
      mantissa: instrument.qty.mantissa * multiplier.mantissa,
      decimals: instrument.qty.decimals + multiplier.decimals,
    };
    return { scale: { price: instrument.price, qty: unit, volumeUnit: 'base' }, trades: [...trades] };
  }
  const unit = {
    mantissa: instrument.price.mantissa * instrument.qty.mantissa,
    decimals: instrument.price.decimals + instrument.qty.decimals,
  };
  const out = trades.map((t) => {
    const q = t.price * t.qty;
    if (!Number.isSafeInteger(q)) {
      throw new OrderflowError(
        'OVERFLOW',
        `quote value of trade ${String(t.id)} exceeds 2^53 units of ${unit.mantissa}e-${unit.decimals}`,
      );
    }
    return { ...t, qty: lots(q) };
  });
  return { scale: { price: instrument.price, qty: unit, volumeUnit: 'base' }, trades: out };
}
