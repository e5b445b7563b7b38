// Output conversion: integer ticks/lots → the JSON number nearest their exact decimal value; µs → RFC3339.

import { unitsToNumber, type Increment } from '../core/decimal.ts';
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

/**
 * unitsToNumber without the decimal text when that gives the same double: an exact integer divided by an exact
 * power of ten (10^d is exact in a double for d ≤ 22) is correctly rounded, so it is the double nearest the exact
 * decimal, which is what parsing the text yields. Output-only hot path of every body (one call per number).
 */
function toNumber(inc: Increment): (units: number) => number {
  const pow = 10 ** inc.decimals;
  if (inc.decimals > 22 || !Number.isSafeInteger(inc.mantissa)) return (u) => unitsToNumber(u, inc);
  const m = inc.mantissa;
  return (u) => {
    const v = u * m;
    if (!Number.isSafeInteger(v)) return unitsToNumber(u, inc);
    return v === 0 ? 0 : v / pow;
  };
}

const US_PER_S = 1_000_000;
const S_PER_DAY = 86_400;
/** 9999-12-31T23:59:59Z + 1 s: past it toISOString writes six-digit years. */
const FAST_TIME_END = 253_402_300_800 * US_PER_S;
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * formatTime for whole seconds from a remembered date prefix (one Date per day instead of per value), and the last
 * two answers remembered: a bar's end is the next bar's start, and every cell repeats them. Same text as formatTime.
 */
function fastTimes(): (us: number) => string {
  let k1 = NaN;
  let v1 = '';
  let k2 = NaN;
  let v2 = '';
  let day = NaN;
  let prefix = '';
  return (us) => {
    if (us === k1) return v1;
    if (us === k2) return v2;
    let v: string;
    if (Number.isSafeInteger(us) && us >= 0 && us < FAST_TIME_END && us % US_PER_S === 0) {
      const secs = us / US_PER_S;
      const d = Math.floor(secs / S_PER_DAY);
      if (d !== day) {
        day = d;
        prefix = formatTime(d * S_PER_DAY * US_PER_S).slice(0, 11);
      }
      const s = secs - d * S_PER_DAY;
      v = `${prefix}${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}Z`;
    } else v = formatTime(us);
    k2 = k1;
    v2 = v1;
    k1 = us;
    v1 = v;
    return v;
  };
}

export function unitsFor(scale: Scale, rowTicks: number): Units {
  const price = toNumber(scale.price);
  const qty = toNumber(scale.qty);
  return {
    price,
    rowPrice: (row) => price(row * rowTicks),
    qty,
    time: fastTimes(),
  };
}
