// The latest custom indicator values per indicator, folded from REST bars and live `indicator_update` messages.

import type { IndicatorValues } from '../api/types.ts';

export interface LatestIndicators {
  /** Indicator name → the bar its values belong to and the values. */
  readonly [name: string]: { readonly bar_start: string; readonly values: IndicatorValues[string] };
}

/** Folds bars of indicator values (oldest first) into the latest values per indicator; later bars win. */
export function latestIndicators(
  prev: LatestIndicators,
  bars: readonly { readonly bar_start: string; readonly values: IndicatorValues }[],
): LatestIndicators {
  const next: Record<string, LatestIndicators[string]> = { ...prev };
  for (const b of bars) {
    for (const [name, values] of Object.entries(b.values)) {
      const cur = next[name];
      // An older bar (a late snapshot after a live update) never replaces a newer one.
      if (cur !== undefined && Date.parse(cur.bar_start) > Date.parse(b.bar_start)) continue;
      next[name] = { bar_start: b.bar_start, values };
    }
  }
  return next;
}
