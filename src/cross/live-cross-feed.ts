// Live per-venue flow of one multi-venue TIME channel: collects each venue's trades of the open bar and, when a
// later bar's first trade arrives, yields the closed bar exactly as `venueFlow` computes it over those trades.
//
// Choices (docs/analytics-choices.md, "Live cross-exchange updates"): only TIME bars (venues' VOLUME/TICK_COUNT
// bars would not share starts); a bar closes on the first trade of a later bar (like live signals), so the last
// bar is never sent until trading moves on; a trade of an already closed bar is left out (counted in `late`);
// the feed starts with the channel, so the bar open at subscription holds only the trades seen since then.

import type { AnalyticsParams } from '../core/params.ts';
import type { Trade } from '../core/trade.ts';
import { venueFlow, type CrossBar } from './cross-exchange.ts';

export class LiveCrossFeed {
  private barStart: number | undefined;
  private perVenue = new Map<string, Trade[]>();
  late = 0;

  constructor(
    /** Venue keys in output order; every closed bar lists all of them (zeros where a venue did not trade). */
    readonly venues: readonly string[],
    private readonly params: AnalyticsParams,
    private readonly venueOf: (t: Trade) => string,
  ) {
    for (const v of venues) this.perVenue.set(v, []);
  }

  private startOf(ts: number): number {
    const tf = this.params.bars.timeframeUs;
    return Math.floor(ts / tf) * tf;
  }

  /** Applies a trade (on the market grid); returns the bar it closed, if any. */
  apply(t: Trade): CrossBar | undefined {
    const start = this.startOf(t.ts);
    let closed: CrossBar | undefined;
    if (this.barStart !== undefined && start < this.barStart) {
      this.late++;
      return undefined;
    }
    if (this.barStart !== undefined && start > this.barStart) closed = this.close();
    this.barStart = start;
    const list = this.perVenue.get(this.venueOf(t));
    // A trade of an instrument outside the market's venues cannot occur (the hub routes by member); ignore it.
    if (list !== undefined) list.push(t);
    return closed;
  }

  private close(): CrossBar | undefined {
    const venues: Record<string, readonly Trade[]> = {};
    for (const v of this.venues) venues[v] = this.perVenue.get(v)!;
    for (const v of this.venues) this.perVenue.set(v, []);
    return venueFlow(venues, this.params)[0];
  }
}
