// Trades as read from a file before the instrument scale is known, and the field checks every layout shares.
// Prices and sizes stay decimal text here: the scale (known or inferred) is chosen once the whole file is read.

/** A row that passed every check that does not depend on the scale. */
export interface RawTrade {
  /** 1-based physical line number in the (decompressed) file. */
  readonly line: number;
  readonly id: number;
  readonly priceText: string;
  readonly qtyText: string;
  /** Significant decimals of priceText / qtyText (trailing zeros ignored). */
  readonly priceDecimals: number;
  readonly qtyDecimals: number;
  /** Trade time, µs. */
  readonly ts: number;
  readonly buyerIsMaker: boolean;
  /** Exchange trades the print stands for (aggTrades: last − first + 1). */
  readonly count: number;
  /** Local receive time, µs (recorded streams only). */
  readonly recvTs?: number;
  /** USD-M `X` execution type ("MARKET", "INSURANCE_FUND", ...), when the frame carries one. */
  readonly execType?: string;
}

/** Decimal text accepted for prices and sizes; also the cap of the inferred scale. */
export const MAX_FILE_DECIMALS = 12;

/**
 * Shape of a price/size text without choosing a scale: ≥ 0 is the number of significant decimals of a valid
 * positive value; negative codes name why the text is not one.
 */
export const Shape = {
  Empty: -1,
  Negative: -2,
  NotDecimal: -3,
  Zero: -4,
  NotFinite: -5,
  TooManyDecimals: -6,
  TooManyDigits: -7,
} as const;

/** Values with more significant digits than this cannot be exact below 2^53 at any scale. */
const MAX_DIGITS = 16;

export function decimalShape(s: string): number {
  const n = s.length;
  if (n === 0) return Shape.Empty;
  let i = 0;
  const c0 = s.charCodeAt(0);
  if (c0 === 45 /* - */) return Shape.Negative;
  if (c0 === 43 /* + */) i = 1;
  let intDigits = 0;
  let nonZero = false;
  let leading = true;
  let significant = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */) break;
    const d = c - 48;
    if (d < 0 || d > 9) return notDecimal(s);
    intDigits++;
    if (d !== 0) nonZero = true;
    if (!(leading && d === 0)) {
      leading = false;
      significant++;
    }
  }
  let frac = 0;
  let lastNonZero = 0;
  if (i < n) {
    i++;
    if (i === n && intDigits === 0) return Shape.NotDecimal;
    for (; i < n; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return Shape.NotDecimal;
      frac++;
      if (d !== 0) {
        nonZero = true;
        lastNonZero = frac;
      }
    }
  } else if (intDigits === 0) {
    return Shape.NotDecimal;
  }
  if (!nonZero) return Shape.Zero;
  if (lastNonZero > MAX_FILE_DECIMALS) return Shape.TooManyDecimals;
  if (significant + lastNonZero > MAX_DIGITS) return Shape.TooManyDigits;
  return lastNonZero;
}

function notDecimal(s: string): number {
  const t = s.trim().toLowerCase().replace(/^[+-]/, '');
  return t === 'nan' || t === 'inf' || t === 'infinity' ? Shape.NotFinite : Shape.NotDecimal;
}

export function shapeProblem(code: number): string {
  switch (code) {
    case Shape.Empty:
      return 'is empty';
    case Shape.Negative:
      return 'is negative';
    case Shape.Zero:
      return 'is zero';
    case Shape.NotFinite:
      return 'is not finite';
    case Shape.TooManyDecimals:
      return `has more than ${MAX_FILE_DECIMALS} decimals`;
    case Shape.TooManyDigits:
      return 'is absurd: it cannot be held exactly (more than 2^53 units)';
    default:
      return 'is not a plain decimal number';
  }
}

/** Parses an unsigned decimal integer text (ids); -1 when malformed or above 2^53 − 1. */
export function parseUint(s: string): number {
  const n = s.length;
  if (n === 0 || n > 16) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v <= Number.MAX_SAFE_INTEGER ? v : -1;
}

// Plausible trade times: 2000-01-01 ≤ t < 2100-01-01. The ms and µs ranges do not overlap, so the unit of a
// value is never ambiguous.
export const MIN_MS = 946_684_800_000;
export const MAX_MS = 4_102_444_800_000;

export type TimeUnit = 'ms' | 'us';

/** Unit a plausible epoch time is written in, or undefined when it is neither plausible ms nor µs. */
export function timeUnitOf(v: number): TimeUnit | undefined {
  if (v >= MIN_MS && v < MAX_MS) return 'ms';
  if (v >= MIN_MS * 1000 && v < MAX_MS * 1000) return 'us';
  return undefined;
}

/** Binance dump booleans: True/False (spot), true/false (futures); anything else is not a side flag. */
export function parseFlag(s: string): boolean | undefined {
  switch (s) {
    case 'true':
    case 'True':
    case 'TRUE':
      return true;
    case 'false':
    case 'False':
    case 'FALSE':
      return false;
    default:
      return undefined;
  }
}

/** Where line parsers put what they read. */
export interface RowSink {
  accept(row: RawTrade): void;
  /** Records a bad row (throws in strict mode). */
  malformed(line: number, field: string, value: string, problem: string): void;
  /** Time unit of the file's time column: set by the first plausible value, then enforced. */
  timeUnit: TimeUnit | undefined;
}

/**
 * Dump time column → µs. The first plausible value fixes the file's unit (spot dumps switched from ms to µs on
 * 2025-01-01; futures dumps stay in ms); a later value in the other unit is reported, not guessed.
 */
export function dumpTimeToMicros(text: string, line: number, sink: RowSink, field = 'time'): number {
  const v = parseUint(text);
  const unit = v < 0 ? undefined : timeUnitOf(v);
  if (unit === undefined) {
    sink.malformed(line, field, text, 'is not an epoch time in ms or µs between 2000 and 2100');
    return -1;
  }
  if (sink.timeUnit === undefined) sink.timeUnit = unit;
  else if (unit !== sink.timeUnit) {
    sink.malformed(line, field, text, `is in ${unit} but this file's times are in ${sink.timeUnit}`);
    return -1;
  }
  return unit === 'ms' ? v * 1000 : v;
}
