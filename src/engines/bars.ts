// Bar boundaries: TIME bars on the UTC epoch grid; VOLUME and TICK_COUNT bars that close on the trade reaching
// the threshold (never split) and restart at each daily anchor, so any query range yields the same bars.

import type { BarParams } from '../core/params.ts';
import { US_PER_DAY } from '../core/time.ts';

/** Start of the anchored day (session for bar anchoring) containing ts. */
export const anchorStart = (ts: number, anchorUs: number): number =>
  Math.floor((ts - anchorUs) / US_PER_DAY) * US_PER_DAY + anchorUs;

export function timeBarStart(ts: number, p: BarParams): number {
  return Math.floor(ts / p.timeframeUs) * p.timeframeUs;
}

/** Whether a VOLUME/TICK_COUNT bar with this much in it is complete. */
export function thresholdReached(p: BarParams, volumeLots: number, trades: number): boolean {
  return p.aggregation === 'VOLUME' ? volumeLots >= p.volumePerBarLots : trades >= p.ticksPerBar;
}
