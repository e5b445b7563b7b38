// Value area of a dense volume profile (ANALYTICS.md §3): grow outwards from the POC, a pair of rows (cbot) or
// one row (single) at a time, until the covered volume reaches the target fraction of the total, exactly.
//
// Choices where §3 is silent: a cbot pair is added whole (the stop test runs after each pair, never between its
// two rows), and a side with one row left offers that single row as its "pair"; comparisons and the target test
// are exact integer arithmetic (ratio.ts); a target above 100 % simply ends with every row added.

import type { ValueAreaMethod } from '../core/params.ts';
import { geRatio, type Ratio } from '../core/ratio.ts';

export interface ValueAreaSpan {
  /** Index (into the dense volume array) of the lowest row added. */
  readonly lo: number;
  /** Index of the highest row added. */
  readonly hi: number;
  /** Volume covered by rows lo…hi, in lots. */
  readonly volume: number;
}

/**
 * Value area over dense row volumes (index 0 = lowest row), starting at index `poc`.
 * `fraction` is ValueAreaPercentage / 100; `total` must be the sum of `volumes`.
 */
export function valueAreaSpan(
  volumes: readonly number[],
  poc: number,
  fraction: Ratio,
  method: ValueAreaMethod,
  total: number = volumes.reduce((s, v) => s + v, 0),
): ValueAreaSpan {
  const n = volumes.length;
  if (n === 0 || poc < 0 || poc >= n) throw new RangeError(`value area: POC index ${poc} outside 0…${n - 1}`);
  const step = method === 'cbot' ? 2 : 1;
  let lo = poc;
  let hi = poc;
  let covered = volumes[poc]!;
  while (!geRatio(covered, fraction, total) && (lo > 0 || hi < n - 1)) {
    const upCount = Math.min(step, n - 1 - hi);
    const downCount = Math.min(step, lo);
    let up = 0;
    for (let k = 1; k <= upCount; k++) up += volumes[hi + k]!;
    let down = 0;
    for (let k = 1; k <= downCount; k++) down += volumes[lo - k]!;
    // Tie (including 0 = 0) goes above; an exhausted side offers nothing, so the other side is taken.
    if (upCount > 0 && (downCount === 0 || up >= down)) {
      hi += upCount;
      covered += up;
    } else {
      lo -= downCount;
      covered += down;
    }
  }
  return { lo, hi, volume: covered };
}
