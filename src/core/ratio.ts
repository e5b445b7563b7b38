// Exact comparisons against decimal factors (300 %, 1.5×, 70 %): integers on both sides, BigInt on overflow.

import { parseScaled, significantDecimals, pow10 } from './decimal.ts';

/** A non-negative rational num/den, both safe integers. */
export interface Ratio {
  readonly num: number;
  readonly den: number;
}

/** "1.5" → 15/10; `divideBy` scales the denominator (a percentage: divideBy = 100). */
export function ratioFromDecimal(text: string, divideBy = 1): Ratio {
  const d = significantDecimals(text);
  return { num: parseScaled(text, d, 'factor'), den: pow10(d) * divideBy };
}

const safe = (x: number): boolean => x <= Number.MAX_SAFE_INTEGER && x >= -Number.MAX_SAFE_INTEGER;

/** a·x ≥ b·y exactly, for non-negative integers. */
export function productGe(a: number, x: number, b: number, y: number): boolean {
  const l = a * x;
  const r = b * y;
  if (safe(l) && safe(r)) return l >= r;
  return BigInt(a) * BigInt(x) >= BigInt(b) * BigInt(y);
}

/** a ≥ r·b exactly. */
export const geRatio = (a: number, r: Ratio, b: number): boolean => productGe(a, r.den, b, r.num);
/** a ≤ r·b exactly. */
export const leRatio = (a: number, r: Ratio, b: number): boolean => productGe(b, r.num, a, r.den);
/** a < r·b exactly. */
export const ltRatio = (a: number, r: Ratio, b: number): boolean => !geRatio(a, r, b);

/** Smallest integer n with n ≥ r·b (a threshold in lots from a decimal factor). */
export function ceilRatio(r: Ratio, b: number): number {
  const p = r.num * b;
  if (safe(p)) {
    let q = Math.floor(p / r.den);
    while (q * r.den < p) q++;
    while (q > 0 && (q - 1) * r.den >= p) q--;
    return q;
  }
  const big = BigInt(r.num) * BigInt(b);
  const den = BigInt(r.den);
  return Number((big + den - 1n) / den);
}

export const ratioToNumber = (r: Ratio): number => r.num / r.den;
