// Output conversion: integer ticks/lots → JSON numbers through the exact decimal text; µs → RFC3339.

import { unitsToNumber } from '../core/decimal.ts';
import type { Scale } from '../core/instrument.ts';
import { formatTime } from '../core/time.ts';

export interface Units {
  /** Price of a tick count. */
  price(ticks: number): number;
  /** Price label (low edge) of a row. */
  rowPrice(row: number): number;
  /** Quantity of a lot count (may be negative, e.g. a delta). */
  qty(lots: number): number;
  time(us: number): string;
}

export function unitsFor(scale: Scale, rowTicks: number): Units {
  return {
    price: (t) => unitsToNumber(t, scale.price),
    rowPrice: (row) => unitsToNumber(row * rowTicks, scale.price),
    qty: (l) => unitsToNumber(l, scale.qty),
    time: formatTime,
  };
}
