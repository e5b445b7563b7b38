// The live bars of one subscription (a market × bar settings): TIME bars are rebuilt exactly from minute rollups
// (closed minutes folded into the open bar, open minutes added on read); VOLUME/TICK_COUNT bars run the footprint
// engine, rotated so that only the open bar's trades are held. Both keep a bounded window of closed bars.

import type { AnalyticsParams } from '../core/params.ts';
import type { Trade } from '../core/trade.ts';
import { FootprintEngine, type FootprintBar } from '../engines/footprint.ts';
import { compareTrades } from '../engines/trade-log.ts';
import type { MinuteRollup } from '../store/port.ts';
import { footprintFromRollups } from '../store/rollups.ts';
import { foldRollups } from './open-minute.ts';

/** Closed bars a channel keeps (the snapshot and the delta window). */
export const RETAINED_BARS = 120;
/** A VOLUME/TICK_COUNT channel's engine is rebuilt from its open bar once it holds this many trades. */
export const ROTATE_AT_TRADES = 50_000;

export interface LiveChannel {
  readonly key: string;
  readonly params: AnalyticsParams;
  /** Closed bars (oldest first) then the open ones; at most RETAINED_BARS closed. */
  bars(openMinutes: readonly MinuteRollup[]): FootprintBar[];
  /** Bars that changed since the last call (closed ones once, with complete = true). */
  takeChanged(openMinutes: readonly MinuteRollup[]): FootprintBar[];
}

function pushBounded(list: FootprintBar[], bar: FootprintBar): void {
  list.push(bar);
  if (list.length > RETAINED_BARS) list.splice(0, list.length - RETAINED_BARS);
}

export class TimeChannel implements LiveChannel {
  private readonly closed: FootprintBar[] = [];
  private base: MinuteRollup | undefined;
  private readonly newlyClosed: FootprintBar[] = [];
  private changed = false;

  constructor(
    readonly key: string,
    readonly params: AnalyticsParams,
  ) {}

  private barStart(minute: number): number {
    const tf = this.params.bars.timeframeUs;
    return Math.floor(minute / tf) * tf;
  }

  /** Seeds the closed bars read from the store (oldest first). */
  seedClosed(bars: readonly FootprintBar[]): void {
    for (const b of bars) pushBounded(this.closed, { ...b, complete: true });
  }

  /** A minute of the market became final (minutes arrive in order). */
  minuteFinalized(r: MinuteRollup): void {
    if (this.base !== undefined && this.barStart(this.base.minute) !== this.barStart(r.minute))
      this.closeBase();
    this.base = this.base === undefined ? r : foldRollups(this.base, r);
    this.changed = true;
  }

  private closeBase(): void {
    const bar = footprintFromRollups([this.base!], this.params)[0]!;
    const done = { ...bar, complete: true };
    pushBounded(this.closed, done);
    this.newlyClosed.push(done);
    if (this.newlyClosed.length > RETAINED_BARS) this.newlyClosed.shift();
    this.base = undefined;
  }

  /** Marks the open bar changed (a trade arrived in an open minute). */
  touch(): void {
    this.changed = true;
  }

  private openBars(openMinutes: readonly MinuteRollup[]): FootprintBar[] {
    const rolls = this.base === undefined ? openMinutes : [this.base, ...openMinutes];
    return rolls.length === 0 ? [] : footprintFromRollups(rolls, this.params);
  }

  bars(openMinutes: readonly MinuteRollup[]): FootprintBar[] {
    return [...this.closed, ...this.openBars(openMinutes)];
  }

  takeChanged(openMinutes: readonly MinuteRollup[]): FootprintBar[] {
    const out = this.newlyClosed.splice(0);
    if (this.changed) out.push(...this.openBars(openMinutes));
    this.changed = false;
    return out;
  }
}

export class CountChannel implements LiveChannel {
  private engine: FootprintEngine;
  private fed: Trade[] = [];
  private floorTs = -Infinity;
  private readonly closed: FootprintBar[] = [];
  /** Last view published per bar start; bounded by the rotation (the engine's bars since the last one). */
  private published = new Map<number, FootprintBar>();
  lateDropped = 0;

  constructor(
    readonly key: string,
    readonly params: AnalyticsParams,
  ) {
    this.engine = new FootprintEngine(params);
  }

  add(trades: readonly Trade[]): void {
    for (const t of trades) {
      if (t.ts < this.floorTs) {
        // Before the bars this channel still holds: the store has it, the live view cannot place it.
        this.lateDropped++;
        continue;
      }
      this.engine.apply(t);
      this.fed.push(t);
    }
    if (this.engine.tradeCount >= ROTATE_AT_TRADES) this.rotate();
  }

  private rotate(): void {
    const bars = this.engine.getBars();
    const last = bars[bars.length - 1];
    if (last === undefined) return;
    for (const b of bars.slice(0, last.complete ? bars.length : bars.length - 1)) pushBounded(this.closed, b);
    this.engine = new FootprintEngine(this.params);
    this.published = new Map();
    if (last.complete) {
      this.floorTs = last.end;
      this.fed = [];
      return;
    }
    // The open bar's trades are the newest ones in canonical order whose counts add up to its trade count.
    this.fed.sort(compareTrades);
    let n = 0;
    let i = this.fed.length;
    while (i > 0 && n < last.trades) n += this.fed[--i]!.count ?? 1;
    const seed = this.fed.slice(i);
    this.engine.applyBatch(seed);
    this.fed = seed;
    this.floorTs = last.start;
  }

  bars(): FootprintBar[] {
    return [...this.closed, ...this.engine.getBars()];
  }

  takeChanged(): FootprintBar[] {
    const out: FootprintBar[] = [];
    for (const b of this.engine.getBars()) {
      // The engine hands out the same view object until the bar changes.
      if (this.published.get(b.start) !== b) {
        out.push(b);
        this.published.set(b.start, b);
      }
    }
    return out;
  }
}
