// Signal and arbitrage alerts for the alert list: one identity per signal (so the REST history and the live
// `signal` messages merge without repeats), a one-line evidence summary, and the newest-first bounded merge.

import type { SignalJson } from '../api/types.ts';
import { displayText } from './format.ts';

/**
 * A signal's identity: the same detection reported by REST and by the stream has equal kind, direction, time,
 * bar and price. Two channels of one market with different row sizes report different prices, so they stay apart.
 */
export function signalKey(
  s: Pick<SignalJson, 'kind' | 'direction' | 'time' | 'bar_start' | 'price'>,
): string {
  return `${s.kind}|${s.direction}|${s.time}|${s.bar_start}|${s.price}`;
}

/** `side buy · low 61000 · high 61020 · rows 3`; nested objects (swing points) as `first(time …, price …)`. */
export function evidenceSummary(evidence: Readonly<Record<string, unknown>>): string {
  return Object.entries(evidence)
    .map(([k, v]) =>
      v !== null && typeof v === 'object' && !Array.isArray(v)
        ? `${k}(${evidenceSummary(v as Record<string, unknown>).replaceAll(' · ', ', ')})`
        : `${k} ${displayText(v)}`,
    )
    .join(' · ');
}

/** Bullish signals read as the buy side, bearish as the sell side (for colouring). */
export function signalSide(direction: string): 'buy' | 'sell' | null {
  return direction === 'bullish' ? 'buy' : direction === 'bearish' ? 'sell' : null;
}

/** True when `v` has the shape of a signal object (the stream's `data`). */
export function isSignalJson(v: unknown): v is SignalJson {
  if (v === null || typeof v !== 'object') return false;
  const s = v as Record<string, unknown>;
  return (
    typeof s.kind === 'string' &&
    typeof s.direction === 'string' &&
    typeof s.time === 'string' &&
    typeof s.bar_start === 'string' &&
    typeof s.price === 'number'
  );
}

/** Milliseconds of an RFC3339 time for ordering (fraction lengths vary, so strings do not sort). */
export function timeMs(t: string): number {
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : ms;
}

/**
 * Merges `incoming` items into `list` (newest first): items whose key is already present are skipped, the rest are
 * placed by time (later first; equal times keep `list` before `incoming`, and incoming in reverse input order, the
 * order in which they were detected), and the result is cut to `max`.
 */
export function mergeNewestFirst<T>(
  list: readonly T[],
  incoming: readonly T[],
  key: (x: T) => string | null,
  at: (x: T) => string,
  max: number,
): T[] {
  const seen = new Set<string>();
  for (const x of list) {
    const k = key(x);
    if (k !== null) seen.add(k);
  }
  const fresh: T[] = [];
  for (const x of incoming) {
    const k = key(x);
    if (k !== null) {
      if (seen.has(k)) continue;
      seen.add(k);
    }
    fresh.push(x);
  }
  if (fresh.length === 0) return list.slice(0, max);
  const tagged = [
    ...list.map((x, i) => ({ x, t: timeMs(at(x)), rank: i })),
    ...fresh.map((x, i) => ({ x, t: timeMs(at(x)), rank: list.length + (fresh.length - 1 - i) })),
  ];
  tagged.sort((a, b) => b.t - a.t || a.rank - b.rank);
  return tagged.slice(0, max).map((e) => e.x);
}
