// Exact decimal strings <-> scaled integers. Prices and sizes never pass through a float multiply:
// "61837.63" with 2 decimals is parsed digit by digit into 6183763.

import { OrderflowError } from './errors.ts';

/** A positive step such as 0.01 or 0.5, held exactly as mantissa · 10^-decimals. */
export interface Increment {
  readonly mantissa: number;
  readonly decimals: number;
}

const MAX_DECIMALS = 12;
const POW10 = Array.from({ length: 19 }, (_, i) => 10 ** i);

/**
 * Parses a plain decimal string ("123", "0.00120000", "76043.5") into value · 10^decimals.
 * Returns NaN (never throws) when the text is not a plain non-negative decimal, has non-zero digits
 * beyond `decimals`, or exceeds 2^53: the hot path of importers uses this and counts the failures.
 */
export function parseScaledOrNaN(s: string, decimals: number): number {
  const n = s.length;
  if (n === 0) return NaN;
  let i = 0;
  let v = 0;
  let intDigits = 0;
  let c = s.charCodeAt(0);
  if (c === 43 /* + */) i = 1;
  for (; i < n; i++) {
    c = s.charCodeAt(i);
    if (c === 46 /* . */) break;
    const d = c - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
    intDigits++;
  }
  let frac = 0;
  if (i < n) {
    // at '.'
    i++;
    if (i === n && intDigits === 0) return NaN;
    for (; i < n; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return NaN;
      if (frac < decimals) {
        v = v * 10 + d;
        frac++;
      } else if (d !== 0) {
        return NaN; // finer than the increment
      }
    }
  } else if (intDigits === 0) {
    return NaN;
  }
  if (frac < decimals) v *= POW10[decimals - frac]!;
  return v <= Number.MAX_SAFE_INTEGER ? v : NaN;
}

/** Same as parseScaledOrNaN but throws a coded error naming the value. */
export function parseScaled(s: string, decimals: number, what = 'value'): number {
  const v = parseScaledOrNaN(s, decimals);
  if (Number.isNaN(v)) {
    const trimmed = s.trim();
    if (!/^\+?(\d+\.?\d*|\.\d+)$/.test(trimmed)) {
      throw new OrderflowError(
        'INVALID_DECIMAL',
        `${what} ${JSON.stringify(s)} is not a non-negative decimal number`,
      );
    }
    throw new OrderflowError(
      'NOT_A_MULTIPLE',
      `${what} ${JSON.stringify(s)} has more than ${decimals} decimal places or exceeds 2^53 units`,
    );
  }
  return v;
}

/** Number of decimal places a decimal string really uses (trailing zeros ignored): "0.02000000" → 2. */
export function significantDecimals(s: string): number {
  const dot = s.indexOf('.');
  if (dot < 0) return 0;
  let end = s.length;
  while (end > dot + 1 && s.charCodeAt(end - 1) === 48) end--;
  return end - dot - 1;
}

/** Parses a step such as "0.01", "0.5" or "1" into an exact Increment. */
export function parseIncrement(s: string | number, what = 'increment'): Increment {
  const text = typeof s === 'number' ? numberToPlainString(s) : s.trim();
  const decimals = significantDecimals(text);
  if (decimals > MAX_DECIMALS)
    throw new OrderflowError('INVALID_DECIMAL', `${what} ${text} has more than ${MAX_DECIMALS} decimals`);
  const mantissa = parseScaledOrNaN(text, decimals);
  if (!(mantissa > 0))
    throw new OrderflowError('INVALID_DECIMAL', `${what} ${JSON.stringify(text)} must be a positive decimal`);
  return { mantissa, decimals };
}

/** A number's shortest decimal text without exponent (1e-7 → "0.0000001"). */
export function numberToPlainString(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const s = String(x);
  if (!/e/i.test(s)) return s;
  return x.toFixed(20).replace(/\.?0+$/, '');
}

/** Parses a decimal string into whole increments; NaN if malformed or not an exact multiple. */
export function toUnitsOrNaN(s: string, inc: Increment): number {
  const scaled = parseScaledOrNaN(s, inc.decimals);
  if (inc.mantissa === 1) return scaled;
  const q = scaled / inc.mantissa;
  return Number.isInteger(q) ? q : NaN;
}

export function toUnits(s: string, inc: Increment, what = 'value'): number {
  const scaled = parseScaled(s, inc.decimals, what);
  if (scaled % inc.mantissa !== 0) {
    throw new OrderflowError(
      'NOT_A_MULTIPLE',
      `${what} ${JSON.stringify(s)} is not a multiple of ${formatIncrement(inc)}`,
    );
  }
  return scaled / inc.mantissa;
}

/** Formats a scaled integer as a decimal string with exactly `decimals` places. */
export function formatScaled(v: number, decimals: number): string {
  if (!Number.isSafeInteger(v))
    throw new OrderflowError('OVERFLOW', `value ${v} is not an exact integer (above 2^53?)`);
  const neg = v < 0;
  let digits = String(neg ? -v : v);
  if (decimals === 0) return (neg ? '-' : '') + digits;
  if (digits.length <= decimals) digits = '0'.repeat(decimals - digits.length + 1) + digits;
  const cut = digits.length - decimals;
  return (neg ? '-' : '') + digits.slice(0, cut) + '.' + digits.slice(cut);
}

/** Whole increments → exact decimal string. */
export function unitsToString(units: number, inc: Increment): string {
  return formatScaled(units * inc.mantissa, inc.decimals);
}

/**
 * Whole increments → JSON number. Goes through the exact decimal string so that the nearest double is
 * chosen (0.1 + 0.2 never shows up as 0.30000000000000004).
 */
export function unitsToNumber(units: number, inc: Increment): number {
  return Number(unitsToString(units, inc));
}

export function formatIncrement(inc: Increment): string {
  return formatScaled(inc.mantissa, inc.decimals);
}

/**
 * How many `fine` increments make one `coarse` increment, or undefined when coarse is not a whole multiple.
 * Used to check that a row size fits the tick grid and to put several instruments on one grid.
 */
export function incrementRatio(coarse: Increment, fine: Increment): number | undefined {
  const d = Math.max(coarse.decimals, fine.decimals);
  const c = coarse.mantissa * POW10[d - coarse.decimals]!;
  const f = fine.mantissa * POW10[d - fine.decimals]!;
  return c % f === 0 ? c / f : undefined;
}

/** Finest increment that both increments are whole multiples of (the gcd on a common scale). */
export function finestCommonIncrement(a: Increment, b: Increment): Increment {
  const d = Math.max(a.decimals, b.decimals);
  const x = a.mantissa * POW10[d - a.decimals]!;
  const y = b.mantissa * POW10[d - b.decimals]!;
  let p = x;
  let q = y;
  while (q !== 0) [p, q] = [q, p % q];
  return normalizeIncrement({ mantissa: p, decimals: d });
}

function normalizeIncrement(inc: Increment): Increment {
  let { mantissa, decimals } = inc;
  while (decimals > 0 && mantissa % 10 === 0) {
    mantissa /= 10;
    decimals--;
  }
  return { mantissa, decimals };
}

export const pow10 = (k: number): number => POW10[k] ?? 10 ** k;
