// Time inside the toolkit is integer µs since the epoch (UTC). RFC3339 in and out, timeframes as µs.

import { OrderflowError } from './errors.ts';
import { micros, type UnixMicros } from './units.ts';

export const US_PER_MS = 1_000;
export const US_PER_SECOND = 1_000_000;
export const US_PER_MINUTE = 60 * US_PER_SECOND;
export const US_PER_HOUR = 60 * US_PER_MINUTE;
export const US_PER_DAY = 24 * US_PER_HOUR;

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}:?\d{2})?$/;

/** Parses RFC3339 / ISO-8601 (date only, or date-time with up to ns; no zone means UTC) into µs. */
export function parseTime(text: string): UnixMicros {
  const m = RFC3339.exec(text.trim());
  if (!m)
    throw new OrderflowError(
      'INVALID_TIME',
      `time ${JSON.stringify(text)} is not RFC3339 (e.g. 2024-01-01T12:00:00Z)`,
    );
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  if (
    Number.isNaN(ms) ||
    check.getUTCDate() !== Number(d) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    throw new OrderflowError('INVALID_TIME', `time ${JSON.stringify(text)} is not a valid calendar time`);
  }
  let offsetUs = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetUs = sign * (Number(digits.slice(0, 2)) * US_PER_HOUR + Number(digits.slice(2, 4)) * US_PER_MINUTE);
  }
  const fracUs = frac === '' ? 0 : Number(frac.padEnd(6, '0').slice(0, 6));
  return micros(ms * US_PER_MS + fracUs - offsetUs);
}

/** Formats µs as RFC3339 UTC; fractional seconds only when non-zero (µs precision, trailing zeros cut). */
export function formatTime(ts: UnixMicros | number): string {
  const ms = Math.floor(ts / US_PER_MS);
  const subMs = ts - ms * US_PER_MS;
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const base = iso.slice(0, 19);
  const fracUs = (((ms % 1000) + 1000) % 1000) * 1000 + subMs;
  if (fracUs === 0) return `${base}Z`;
  return `${base}.${String(fracUs).padStart(6, '0').replace(/0+$/, '')}Z`;
}

/** Timeframe "1m", "5m", "15m", "1h", "4h", "1d" or any Ns/Nm/Nh/Nd → µs. */
export function parseTimeframe(text: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  const n = m ? Number(m[1]) : 0;
  if (!m || n <= 0) {
    throw new OrderflowError(
      'INVALID_TIMEFRAME',
      `timeframe ${JSON.stringify(text)} must look like 30s, 1m, 5m, 15m, 1h, 4h or 1d`,
    );
  }
  const unit = { s: US_PER_SECOND, m: US_PER_MINUTE, h: US_PER_HOUR, d: US_PER_DAY }[
    m[2] as 's' | 'm' | 'h' | 'd'
  ];
  return n * unit;
}

/** µs duration → the canonical timeframe text (largest whole unit). */
export function formatTimeframe(us: number): string {
  if (us % US_PER_DAY === 0) return `${us / US_PER_DAY}d`;
  if (us % US_PER_HOUR === 0) return `${us / US_PER_HOUR}h`;
  if (us % US_PER_MINUTE === 0) return `${us / US_PER_MINUTE}m`;
  return `${us / US_PER_SECOND}s`;
}

/** Start of the bucket of width `width` (µs) containing ts, on the UTC epoch grid. */
export const floorTo = (ts: number, width: number): number => Math.floor(ts / width) * width;

/** "HH:MM" (UTC) → µs after midnight. */
export function parseTimeOfDay(text: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m || Number(m[1]) > 24 || Number(m[2]) > 59 || (Number(m[1]) === 24 && Number(m[2]) !== 0)) {
    throw new OrderflowError('INVALID_TIME', `time of day ${JSON.stringify(text)} must be HH:MM (UTC)`);
  }
  return Number(m[1]) * US_PER_HOUR + Number(m[2]) * US_PER_MINUTE;
}
