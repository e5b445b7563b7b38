// Trades as read from a file before the instrument scale is known, and the field scanners every layout shares.
// A price or size is kept exactly as (significant digits m, decimals d) = m·10^-d: no text, no float, any scale.

import { formatScaled, pow10 } from '../../core/decimal.ts';

/** Decimals accepted for prices and sizes; also the cap of an inferred scale. */
export const MAX_FILE_DECIMALS = 12;

/** Why a price/size text is not a valid positive decimal (negative codes of scanDecimal). */
export const Shape = {
  Empty: -1,
  Negative: -2,
  NotDecimal: -3,
  Zero: -4,
  NotFinite: -5,
  TooManyDecimals: -6,
  TooManyDigits: -7,
} as const;

/** Output of scanDecimal: the value is m · 10^-d with d the significant decimals (trailing zeros dropped). */
export const scanned = { m: 0, d: 0 };

/**
 * Scans s[start, end) as a plain positive decimal ("61837.63000000", "76043.5", "0.001"); returns d ≥ 0 and sets
 * `scanned`, or a negative Shape code. Never allocates on the valid path.
 */
export function scanDecimal(s: string, start: number, end: number): number {
  if (end <= start) return Shape.Empty;
  let i = start;
  const c0 = s.charCodeAt(i);
  if (c0 === 45 /* - */) return Shape.Negative;
  if (c0 === 43 /* + */) i++;
  let m = 0;
  let digits = 0;
  let intDigits = 0;
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */) break;
    const dd = c - 48;
    if (dd < 0 || dd > 9) return notDecimal(s, start, end);
    m = m * 10 + dd;
    if (m > 0) digits++;
    intDigits++;
  }
  let frac = 0;
  let lastNonZero = 0;
  let fracDigitsTaken = 0;
  if (i < end) {
    i++;
    if (i === end && intDigits === 0) return Shape.NotDecimal;
    for (; i < end; i++) {
      const dd = s.charCodeAt(i) - 48;
      if (dd < 0 || dd > 9) return Shape.NotDecimal;
      frac++;
      if (dd !== 0) {
        if (frac > MAX_FILE_DECIMALS) return Shape.TooManyDecimals;
        // bring the zeros skipped since the last non-zero digit in first
        for (; fracDigitsTaken < frac - 1; fracDigitsTaken++) {
          m *= 10;
          if (m > 0) digits++;
        }
        m = m * 10 + dd;
        digits++;
        fracDigitsTaken = frac;
        lastNonZero = frac;
      }
    }
  } else if (intDigits === 0) {
    return Shape.NotDecimal;
  }
  if (m === 0) return Shape.Zero;
  if (digits > 15 && m > Number.MAX_SAFE_INTEGER) return Shape.TooManyDigits;
  scanned.m = m;
  scanned.d = lastNonZero;
  return lastNonZero;
}

function notDecimal(s: string, start: number, end: number): number {
  const t = s.slice(start, end).trim().toLowerCase().replace(/^[+-]/, '');
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

/** Units of a scanned value on the grid mantissa·10^-decimals; NaN when off the grid or above 2^53. */
export function unitsOf(m: number, d: number, mantissa: number, decimals: number): number {
  if (d > decimals) return NaN;
  const scaled = m * pow10(decimals - d);
  if (scaled > Number.MAX_SAFE_INTEGER) return NaN;
  if (mantissa === 1) return scaled;
  const q = scaled / mantissa;
  return Number.isInteger(q) ? q : NaN;
}

/** The scanned value back as canonical decimal text, for messages. */
export const decimalText = (m: number, d: number): string => formatScaled(m, d);

/** Parses s[start, end) as an unsigned decimal integer (ids, times); -1 when malformed or above 2^53 − 1. */
export function parseUintAt(s: string, start: number, end: number): number {
  const n = end - start;
  if (n <= 0 || n > 16) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v <= Number.MAX_SAFE_INTEGER ? v : -1;
}

export const parseUint = (s: string): number => parseUintAt(s, 0, s.length);

/** Binance dump booleans: True/False (spot), true/false (futures), TRUE/FALSE: 1 true, 0 false, -1 otherwise. */
export function parseFlagAt(s: string, start: number, end: number): number {
  const n = end - start;
  const c0 = s.charCodeAt(start);
  if (n === 4 && (c0 === 116 || c0 === 84)) {
    const r = s.charCodeAt(start + 1);
    const u = s.charCodeAt(start + 2);
    const e = s.charCodeAt(start + 3);
    if (r === 114 && u === 117 && e === 101) return 1;
    if (c0 === 84 && r === 82 && u === 85 && e === 69) return 1;
  } else if (n === 5 && (c0 === 102 || c0 === 70)) {
    const rest = s.slice(start + 1, end);
    if (rest === 'alse' || (c0 === 70 && rest === 'ALSE')) return 0;
  }
  return -1;
}

export const parseFlag = (s: string): boolean | undefined => {
  const f = parseFlagAt(s, 0, s.length);
  return f < 0 ? undefined : f === 1;
};

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

/** Columnar store of the rows that passed every scale-independent check (one growable array per field). */
export class RawColumns {
  length = 0;
  line = new Float64Array(1024);
  id = new Float64Array(1024);
  ts = new Float64Array(1024);
  priceM = new Float64Array(1024);
  priceD = new Uint8Array(1024);
  qtyM = new Float64Array(1024);
  qtyD = new Uint8Array(1024);
  /** Binance's flag: 1 the buyer was the maker (the taker sold). */
  buyerIsMaker = new Uint8Array(1024);
  count = new Float64Array(1024);
  /** NaN when the row has no receive time. */
  recvTs = new Float64Array(1024);
  /** USD-M `X` execution type per row (frames only; undefined elsewhere). */
  readonly execType: (string | undefined)[] = [];

  push(
    line: number,
    id: number,
    priceM: number,
    priceD: number,
    qtyM: number,
    qtyD: number,
    ts: number,
    buyerIsMaker: boolean,
    count: number,
    recvTs: number,
    execType: string | undefined,
  ): void {
    if (this.length === this.line.length) this.grow();
    const i = this.length++;
    this.line[i] = line;
    this.id[i] = id;
    this.ts[i] = ts;
    this.priceM[i] = priceM;
    this.priceD[i] = priceD;
    this.qtyM[i] = qtyM;
    this.qtyD[i] = qtyD;
    this.buyerIsMaker[i] = buyerIsMaker ? 1 : 0;
    this.count[i] = count;
    this.recvTs[i] = recvTs;
    if (execType !== undefined) this.execType[i] = execType;
  }

  private grow(): void {
    const cap = this.line.length * 2;
    const f64 = (a: Float64Array): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const u8 = (a: Uint8Array): Uint8Array<ArrayBuffer> => {
      const b = new Uint8Array(cap);
      b.set(a);
      return b;
    };
    this.line = f64(this.line);
    this.id = f64(this.id);
    this.ts = f64(this.ts);
    this.priceM = f64(this.priceM);
    this.priceD = u8(this.priceD);
    this.qtyM = f64(this.qtyM);
    this.qtyD = u8(this.qtyD);
    this.buyerIsMaker = u8(this.buyerIsMaker);
    this.count = f64(this.count);
    this.recvTs = f64(this.recvTs);
  }
}

/** Where line parsers put what they read. */
export interface RowSink {
  readonly rows: RawColumns;
  /** Records a bad row (throws in strict mode). */
  malformed(line: number, field: string, value: string, problem: string): void;
  /** Time unit of the file's time column: set by the first plausible value, then enforced. */
  timeUnit: TimeUnit | undefined;
}

/**
 * Dump time column → µs, or -1 after reporting. The first plausible value fixes the file's unit (spot dumps
 * switched from ms to µs on 2025-01-01; futures dumps stay in ms); a later value in the other unit is
 * reported, not guessed.
 */
export function dumpTimeToMicros(
  s: string,
  start: number,
  end: number,
  line: number,
  sink: RowSink,
  field: string,
): number {
  const v = parseUintAt(s, start, end);
  const unit = v < 0 ? undefined : timeUnitOf(v);
  if (unit === undefined) {
    sink.malformed(
      line,
      field,
      s.slice(start, end),
      'is not an epoch time in ms or µs between 2000 and 2100',
    );
    return -1;
  }
  if (sink.timeUnit === undefined) sink.timeUnit = unit;
  else if (unit !== sink.timeUnit) {
    sink.malformed(
      line,
      field,
      s.slice(start, end),
      `is in ${unit} but this file's times are in ${sink.timeUnit}`,
    );
    return -1;
  }
  return unit === 'ms' ? v * 1000 : v;
}
