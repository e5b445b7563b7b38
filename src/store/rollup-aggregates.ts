// Profile aggregates a store can compute beside its minute rollups (per-row totals, one-sided runs of TIME bars,
// the last close), so a long-range VPVR reads a few hundred rows instead of every minute's cells.
// Defined as what footprintFromRollups + the profile engine give over the same minutes; DuckDbTradeStore has them.

import { US_PER_MINUTE } from '../core/time.ts';
import type { ProfileRow } from '../engines/profile.ts';
import type { OneSidedRun } from '../engines/volume-nodes.ts';
import type { TradeStore } from './port.ts';

export interface RollupAggregates {
  /**
   * The cells of the minutes starting in [fromUs, toUs) summed per row index floor(tick / rowTicks) (the
   * engines' row, not its lowest tick), rows ascending; rows whose sums are all 0 are kept as stored.
   */
  readRowTotals(
    exchange: string,
    symbol: string,
    fromUs: number,
    toUs: number,
    rowTicks: number,
  ): Promise<ProfileRow[]>;
  /**
   * oneSidedRuns (src/engines/volume-nodes.ts) of the TIME bars of barUs (a whole number of minutes) that
   * footprintFromRollups builds from the minutes starting in [fromUs, toUs), in the same order.
   */
  readOneSidedRuns(
    exchange: string,
    symbol: string,
    fromUs: number,
    toUs: number,
    rowTicks: number,
    barUs: number,
  ): Promise<OneSidedRun[]>;
  /** Close of the last minute starting in [fromUs, toUs); undefined when there is none. */
  readLastClose(exchange: string, symbol: string, fromUs: number, toUs: number): Promise<number | undefined>;
}

export function hasRollupAggregates(store: TradeStore): store is TradeStore & RollupAggregates {
  const s = store as Partial<RollupAggregates>;
  return (
    typeof s.readRowTotals === 'function' &&
    typeof s.readOneSidedRuns === 'function' &&
    typeof s.readLastClose === 'function'
  );
}

export function checkBarUs(barUs: number): void {
  if (!Number.isSafeInteger(barUs) || barUs <= 0 || barUs % US_PER_MINUTE !== 0)
    throw new RangeError(`bars from rollups need a whole number of minutes, got ${barUs} µs`);
}
