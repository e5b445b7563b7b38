// The store's canonical trade order and identity: (ts, id) with numeric ids before string ids, the dedupe key,
// and the checks a trade must pass before any store accepts it.

import type { Trade, TradeId } from '../core/trade.ts';
import { StoreError } from './port.ts';

/**
 * Order of two ids at equal ts: numeric ids ascending, then string ids by UTF-16 code units (the same as
 * byte order for the ASCII ids exchanges use). Mixed kinds are not expected within one instrument; numeric first
 * keeps the rule total.
 */
export function compareIds(a: TradeId, b: TradeId): number {
  if (typeof a === 'number') return typeof b === 'number' ? a - b : -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Canonical store order: ts, then id. */
export const compareTradeOrder = (a: Trade, b: Trade): number => a.ts - b.ts || compareIds(a.id, b.id);

/** Dedupe key within an instrument. The number 5 and the string "5" are different ids (kept as given). */
export const idKey = (id: TradeId): string => (typeof id === 'number' ? `n${id}` : `s${id}`);

const isSafeInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);

/** Why a trade is invalid, or undefined when it is fine. */
function problemOf(t: Trade): string | undefined {
  if (typeof t.id === 'number' ? !isSafeInt(t.id) : typeof t.id !== 'string' || t.id.length === 0) {
    return 'the id must be a safe integer or a non-empty string';
  }
  // Minute buckets are floor(ts / 1 min); SQL integer division truncates, so times before 1970 are refused.
  if (!isSafeInt(t.ts) || t.ts < 0) return `ts ${t.ts} must be a non-negative integer of µs`;
  if (!isSafeInt(t.price)) return `price ${String(t.price)} must be an integer of ticks`;
  if (!isSafeInt(t.qty) || t.qty <= 0) return `qty ${t.qty} must be a positive integer of lots`;
  if (t.side !== 1 && t.side !== -1) return `side ${String(t.side)} must be +1 or -1`;
  if (t.count !== undefined && (!isSafeInt(t.count) || t.count < 1))
    return `count ${t.count} must be a positive integer`;
  if (t.recvTs !== undefined && !isSafeInt(t.recvTs))
    return `recvTs ${String(t.recvTs)} must be an integer of µs`;
  return undefined;
}

/** Throws INSTRUMENT_MISMATCH / INVALID_TRADE naming the offending trade. */
export function checkTrade(exchange: string, symbol: string, t: Trade, index: number): void {
  if (t.exchange !== exchange || t.symbol !== symbol) {
    throw new StoreError(
      'INSTRUMENT_MISMATCH',
      `trade #${index} (id ${String(t.id)}) is ${t.exchange}:${t.symbol}, not ${exchange}:${symbol}`,
    );
  }
  const problem = problemOf(t);
  if (problem !== undefined) {
    throw new StoreError(
      'INVALID_TRADE',
      `trade #${index} (id ${String(t.id)}) of ${exchange}:${symbol}: ${problem}`,
    );
  }
}
