// Order-flow signals as events with their evidence, from closed footprint bars: stacked imbalances, absorption,
// delta divergence, delta exhaustion, unfinished auctions, naked POC tests and value-area break-outs, with cooldowns.
//
// Pure and incremental (fed closed bars oldest first); `detectSignals` is the batch form with identical output.
// Interpretation choices (also in docs/analytics-choices.md, "Signals"):
// - A signal is emitted when the bar that completes it closes; `time` is that bar's end (TIME: start + timeframe;
//   VOLUME/TICK_COUNT: its last trade) and `barStart` the bar the evidence is about (an absorption is about the bar
//   `absorption.bars` bars earlier, a swing divergence about the second swing, `swingLookback` bars earlier).
// - Each kind reuses the engines' definition (ANALYTICS.md §2/§4) unchanged: stacked zones of the bar alone
//   (barStackedZones), absorptions, bar- and swing-level divergences (CVD from the first bar fed, with cvdReset),
//   delta exhaustion and unfinished auctions (high and low tested separately).
// - Direction 'bullish': a buy zone, sell volume absorbed at the low, a bullish divergence, an exhausted down run,
//   an unfinished high (the auction is expected to revisit higher); the mirrors are 'bearish'.
// - Naked POC test: a bar's [low row, high row] covers an earlier bar's POC that stayed naked for at least
//   `nakedPocMinAgeBars` bars (a POC covered sooner never signals; the next bar covers most POCs at once). The
//   direction is 'bearish' when the POC lies above the testing bar's open (price rallied into it: resistance),
//   else 'bullish'. At most `maxNakedPocs` naked POCs are kept (the oldest are forgotten).
// - Value-area break-out: the reference is the value area (VAH/VAL rows, ANALYTICS.md §3) of the previous session
//   seen (sessions as in delta.ts: configured windows, else UTC days). Up: the bar's close row > VAH row while the
//   previous bar's close row was ≤ VAH row; down mirrored at VAL. No reference before the first session ends.
// - Cooldown: a signal of the same kind and direction whose `time` is < cooldown µs after the last one emitted is
//   suppressed (counted in `suppressed`); the default cooldown is 0 (nothing suppressed).

import type { AnalyticsParams } from '../core/params.ts';
import { cvdSegmentStart, sessionStartAt, type DeltaExhaustion } from '../engines/delta.ts';
import { barDivergences, swingPoints, type DivergencePoint } from '../engines/divergence.ts';
import type { FootprintBar } from '../engines/footprint.ts';
import { absorptions, unfinishedAuction } from '../engines/footprint-signals.ts';
import { barStackedZones } from '../engines/imbalance.ts';
import { computeProfile, ProfileAccumulator } from '../engines/profile.ts';
import { productGe } from '../core/ratio.ts';

export const SIGNAL_KINDS = [
  'stacked_imbalance',
  'absorption',
  'delta_divergence',
  'delta_exhaustion',
  'unfinished_auction',
  'naked_poc_test',
  'value_area_breakout',
] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];
export type SignalDirection = 'bullish' | 'bearish';

export type SignalEvidence =
  | {
      readonly kind: 'stacked_imbalance';
      readonly side: 'buy' | 'sell';
      readonly lowRow: number;
      readonly highRow: number;
      readonly rows: number;
    }
  | {
      readonly kind: 'absorption';
      readonly side: 'buy' | 'sell';
      readonly row: number;
      readonly volume: number;
    }
  | {
      readonly kind: 'delta_divergence';
      readonly level: 'bar';
      readonly delta: number;
      readonly open: number;
      readonly close: number;
    }
  | {
      readonly kind: 'delta_divergence';
      readonly level: 'swing';
      readonly first: DivergencePoint;
      readonly second: DivergencePoint;
    }
  | {
      readonly kind: 'delta_exhaustion';
      readonly direction: 'up' | 'down';
      readonly runBars: number;
      readonly delta: number;
      readonly runAvgAbsDelta: number;
    }
  | {
      readonly kind: 'unfinished_auction';
      readonly at: 'high' | 'low';
      readonly row: number;
      readonly buy: number;
      readonly sell: number;
    }
  | {
      readonly kind: 'naked_poc_test';
      readonly pocBarStart: number;
      readonly row: number;
      readonly ageBars: number;
    }
  | {
      readonly kind: 'value_area_breakout';
      readonly sessionStart: number;
      readonly vahRow: number;
      readonly valRow: number;
      readonly pocRow: number;
      readonly closeRow: number;
    };

export interface SignalEvent {
  readonly kind: SignalKind;
  readonly direction: SignalDirection;
  /** µs: when the signal became known (end of the bar that completed it). */
  readonly time: number;
  /** µs start of the bar the evidence is about. */
  readonly barStart: number;
  /** Ticks: the price the signal refers to (a row's low edge, or the bar's close for break-outs). */
  readonly price: number;
  readonly evidence: SignalEvidence;
}

export interface SignalOptions {
  /** Kinds to detect (default: all). */
  readonly kinds?: readonly SignalKind[];
  /** Cooldown per kind, µs (default 0). */
  readonly cooldownUs?: Partial<Readonly<Record<SignalKind, number>>>;
  readonly nakedPocMinAgeBars?: number;
  readonly maxNakedPocs?: number;
}

export const DEFAULT_NAKED_POC_MIN_AGE_BARS = 3;
export const DEFAULT_MAX_NAKED_POCS = 500;

interface BarRecord {
  readonly bar: FootprintBar;
  readonly index: number;
  readonly cvdClose: number;
  readonly cvdSince: number;
}

interface ValueAreaRef {
  readonly sessionStart: number;
  readonly vahRow: number;
  readonly valRow: number;
  readonly pocRow: number;
}

interface NakedPocEntry {
  readonly barStart: number;
  readonly index: number;
  readonly row: number;
}

export class SignalEngine {
  private readonly kinds: ReadonlySet<SignalKind>;
  private readonly history: BarRecord[] = [];
  private readonly keep: number;
  private count = 0;
  // CVD as deltaSeries computes it.
  private cvd = 0;
  private segment: number | null = null;
  private since = 0;
  // Delta-exhaustion run ending at the previous bar.
  private runDir: 0 | 1 | -1 = 0;
  private runBars = 0;
  private runSumAbs = 0;
  // Last confirmed swing high/low.
  private swingHigh: BarRecord | undefined;
  private swingLow: BarRecord | undefined;
  private naked: NakedPocEntry[] = [];
  // Value area of the previous session, and the profile of the current one.
  private sessionStart = NaN;
  private sessionProfile: ProfileAccumulator;
  private vaRef: ValueAreaRef | undefined;
  private prevCloseRow: number | undefined;
  private readonly lastEmitted = new Map<string, number>();
  private suppressedCount = 0;
  private readonly minAge: number;
  private readonly maxNaked: number;

  constructor(
    readonly params: AnalyticsParams,
    readonly options: SignalOptions = {},
  ) {
    this.kinds = new Set(options.kinds ?? SIGNAL_KINDS);
    this.keep = Math.max(params.absorption.bars + 1, 2 * params.swingLookback + 1, 2);
    this.sessionProfile = new ProfileAccumulator(params);
    this.minAge = options.nakedPocMinAgeBars ?? DEFAULT_NAKED_POC_MIN_AGE_BARS;
    this.maxNaked = options.maxNakedPocs ?? DEFAULT_MAX_NAKED_POCS;
  }

  /** Signals dropped by cooldowns so far. */
  get suppressed(): number {
    return this.suppressedCount;
  }

  /** Bars fed so far. */
  get bars(): number {
    return this.count;
  }

  /** Feeds the next closed bar (oldest first); returns the signals it completes, after cooldowns. */
  update(bar: FootprintBar): SignalEvent[] {
    const p = this.params;
    const rec = this.record(bar);
    const found: SignalEvent[] = [];
    const on = (k: SignalKind): boolean => this.kinds.has(k);
    const time = bar.end;
    const rowOf = (ticks: number): number => Math.floor(ticks / p.rowTicks);

    if (on('stacked_imbalance') && p.imbalance.enabled) {
      for (const z of barStackedZones(bar, p.imbalance)) {
        found.push({
          kind: 'stacked_imbalance',
          direction: z.side === 'buy' ? 'bullish' : 'bearish',
          time,
          barStart: bar.start,
          price: z.lowRow * p.rowTicks,
          evidence: {
            kind: 'stacked_imbalance',
            side: z.side,
            lowRow: z.lowRow,
            highRow: z.highRow,
            rows: z.rows,
          },
        });
      }
    }
    if (on('absorption') && this.history.length > p.absorption.bars) {
      const window = this.history.slice(-(p.absorption.bars + 1)).map((r) => r.bar);
      for (const a of absorptions(window, p)) {
        found.push({
          kind: 'absorption',
          direction: a.side === 'sell' ? 'bullish' : 'bearish',
          time,
          barStart: a.barStart,
          price: a.row * p.rowTicks,
          evidence: { kind: 'absorption', side: a.side, row: a.row, volume: a.volume },
        });
      }
    }
    if (on('delta_divergence') && p.divergenceEnabled) {
      for (const d of barDivergences([bar])) {
        found.push({
          kind: 'delta_divergence',
          direction: d.direction,
          time,
          barStart: bar.start,
          price: bar.close,
          evidence: {
            kind: 'delta_divergence',
            level: 'bar',
            delta: bar.delta,
            open: bar.open,
            close: bar.close,
          },
        });
      }
      found.push(...this.swingDivergences(time));
    } else {
      this.trackSwings();
    }
    const exhaustion = this.exhaustion(bar);
    if (on('delta_exhaustion') && exhaustion !== undefined) {
      found.push({
        kind: 'delta_exhaustion',
        direction: exhaustion.direction === 'up' ? 'bearish' : 'bullish',
        time,
        barStart: bar.start,
        price: bar.close,
        evidence: {
          kind: 'delta_exhaustion',
          direction: exhaustion.direction,
          runBars: exhaustion.runBars,
          delta: exhaustion.delta,
          runAvgAbsDelta: exhaustion.runAvgAbsDelta,
        },
      });
    }
    if (on('unfinished_auction')) {
      const u = unfinishedAuction(bar, p.unfinishedMinLots);
      const hi = bar.cells[bar.cells.length - 1];
      const lo = bar.cells[0];
      if (u.high && hi !== undefined) {
        found.push({
          kind: 'unfinished_auction',
          direction: 'bullish',
          time,
          barStart: bar.start,
          price: hi.row * p.rowTicks,
          evidence: { kind: 'unfinished_auction', at: 'high', row: hi.row, buy: hi.buy, sell: hi.sell },
        });
      }
      if (u.low && lo !== undefined) {
        found.push({
          kind: 'unfinished_auction',
          direction: 'bearish',
          time,
          barStart: bar.start,
          price: lo.row * p.rowTicks,
          evidence: { kind: 'unfinished_auction', at: 'low', row: lo.row, buy: lo.buy, sell: lo.sell },
        });
      }
    }
    const tests = this.nakedPocTests(rec);
    if (on('naked_poc_test')) found.push(...tests);
    const breakout = this.valueAreaBreakout(bar, rowOf(bar.close));
    if (on('value_area_breakout') && breakout !== undefined) found.push(breakout);
    return found.filter((e) => this.passesCooldown(e));
  }

  private record(bar: FootprintBar): BarRecord {
    const seg = cvdSegmentStart(bar.start, this.params);
    if (this.count === 0) this.since = seg ?? bar.start;
    else if (seg !== this.segment) {
      this.cvd = 0;
      this.since = seg ?? bar.start;
    }
    this.segment = seg;
    this.cvd += bar.delta;
    const rec: BarRecord = { bar, index: this.count++, cvdClose: this.cvd, cvdSince: this.since };
    this.history.push(rec);
    if (this.history.length > this.keep) this.history.shift();
    return rec;
  }

  /** The bar `swingLookback` bars back, if it is now a confirmed swing; updates the last swing points. */
  private confirmedSwing(): { high: boolean; low: boolean; rec: BarRecord } | undefined {
    const L = this.params.swingLookback;
    if (this.history.length < 2 * L + 1) return undefined;
    const window = this.history.slice(-(2 * L + 1));
    const { highs, lows } = swingPoints(
      window.map((r) => r.bar),
      L,
    );
    return { high: highs.includes(L), low: lows.includes(L), rec: window[L]! };
  }

  private trackSwings(): void {
    const s = this.confirmedSwing();
    if (s?.high) this.swingHigh = s.rec;
    if (s?.low) this.swingLow = s.rec;
  }

  private swingDivergences(time: number): SignalEvent[] {
    const s = this.confirmedSwing();
    if (s === undefined) return [];
    const out: SignalEvent[] = [];
    const point = (r: BarRecord, high: boolean): DivergencePoint => ({
      time: r.bar.start,
      price: high ? r.bar.high : r.bar.low,
      cvd: r.cvdClose,
    });
    const cur = s.rec;
    if (s.high) {
      const prev = this.swingHigh;
      if (
        prev !== undefined &&
        prev.cvdSince === cur.cvdSince &&
        cur.bar.high > prev.bar.high &&
        cur.cvdClose < prev.cvdClose
      ) {
        out.push({
          kind: 'delta_divergence',
          direction: 'bearish',
          time,
          barStart: cur.bar.start,
          price: cur.bar.high,
          evidence: {
            kind: 'delta_divergence',
            level: 'swing',
            first: point(prev, true),
            second: point(cur, true),
          },
        });
      }
      this.swingHigh = cur;
    }
    if (s.low) {
      const prev = this.swingLow;
      if (
        prev !== undefined &&
        prev.cvdSince === cur.cvdSince &&
        cur.bar.low < prev.bar.low &&
        cur.cvdClose > prev.cvdClose
      ) {
        out.push({
          kind: 'delta_divergence',
          direction: 'bullish',
          time,
          barStart: cur.bar.start,
          price: cur.bar.low,
          evidence: {
            kind: 'delta_divergence',
            level: 'swing',
            first: point(prev, false),
            second: point(cur, false),
          },
        });
      }
      this.swingLow = cur;
    }
    return out;
  }

  /** deltaExhaustions' fold, one bar at a time. */
  private exhaustion(b: FootprintBar): DeltaExhaustion | undefined {
    const p = this.params;
    const prev = this.history.length >= 2 ? this.history[this.history.length - 2]!.bar : undefined;
    if (prev === undefined) return undefined;
    let found: DeltaExhaustion | undefined;
    const dir = this.runDir;
    if (dir !== 0 && this.runBars >= p.exhaustionRunBars) {
      const extends_ = dir === 1 ? b.high > prev.high : b.low < prev.low;
      const dirDelta = dir * b.delta;
      const { num, den } = p.exhaustionRatio;
      const below = dirDelta < 0 || !productGe(dirDelta, this.runBars * den, num, this.runSumAbs);
      if (extends_ && below) {
        found = {
          barStart: b.start,
          direction: dir === 1 ? 'up' : 'down',
          runBars: this.runBars,
          delta: b.delta,
          runAvgAbsDelta: this.runSumAbs / this.runBars,
        };
      }
    }
    const step: 0 | 1 | -1 = b.close > prev.close ? 1 : b.close < prev.close ? -1 : 0;
    if (step !== 0 && step === dir) {
      this.runBars++;
      this.runSumAbs += Math.abs(b.delta);
    } else {
      this.runDir = step;
      this.runBars = step === 0 ? 0 : 1;
      this.runSumAbs = step === 0 ? 0 : Math.abs(b.delta);
    }
    return found;
  }

  private nakedPocTests(rec: BarRecord): SignalEvent[] {
    const bar = rec.bar;
    const first = bar.cells[0];
    const last = bar.cells[bar.cells.length - 1];
    if (first === undefined || last === undefined) return [];
    const out: SignalEvent[] = [];
    const rowTicks = this.params.rowTicks;
    this.naked = this.naked.filter((n) => {
      if (n.row < first.row || n.row > last.row) return true;
      const ageBars = rec.index - n.index;
      if (ageBars >= this.minAge) {
        out.push({
          kind: 'naked_poc_test',
          direction: n.row * rowTicks > bar.open ? 'bearish' : 'bullish',
          time: bar.end,
          barStart: bar.start,
          price: n.row * rowTicks,
          evidence: { kind: 'naked_poc_test', pocBarStart: n.barStart, row: n.row, ageBars },
        });
      }
      return false;
    });
    this.naked.push({ barStart: bar.start, index: rec.index, row: bar.pocRow });
    if (this.naked.length > this.maxNaked) this.naked.shift();
    return out;
  }

  private valueAreaBreakout(bar: FootprintBar, closeRow: number): SignalEvent | undefined {
    const p = this.params;
    const session = sessionStartAt(bar.start, p.sessions);
    if (session !== this.sessionStart) {
      if (!Number.isNaN(this.sessionStart)) {
        const prof = computeProfile(this.sessionProfile, p);
        if (prof.vahRow !== null && prof.valRow !== null && prof.pocRow !== null) {
          this.vaRef = {
            sessionStart: this.sessionStart,
            vahRow: prof.vahRow,
            valRow: prof.valRow,
            pocRow: prof.pocRow,
          };
        }
      }
      this.sessionStart = session;
      this.sessionProfile = new ProfileAccumulator(p);
    }
    this.sessionProfile.addCells(bar.cells);
    const prevRow = this.prevCloseRow;
    this.prevCloseRow = closeRow;
    const ref = this.vaRef;
    if (ref === undefined || prevRow === undefined) return undefined;
    let direction: SignalDirection | undefined;
    if (closeRow > ref.vahRow && prevRow <= ref.vahRow) direction = 'bullish';
    else if (closeRow < ref.valRow && prevRow >= ref.valRow) direction = 'bearish';
    if (direction === undefined) return undefined;
    return {
      kind: 'value_area_breakout',
      direction,
      time: bar.end,
      barStart: bar.start,
      price: bar.close,
      evidence: { kind: 'value_area_breakout', ...ref, closeRow },
    };
  }

  private passesCooldown(e: SignalEvent): boolean {
    const cd = this.options.cooldownUs?.[e.kind] ?? 0;
    if (cd <= 0) return true;
    const key = `${e.kind}:${e.direction}`;
    const last = this.lastEmitted.get(key);
    if (last !== undefined && e.time - last < cd) {
      this.suppressedCount++;
      return false;
    }
    this.lastEmitted.set(key, e.time);
    return true;
  }
}

/** Batch form: the signals of closed bars (oldest first), exactly as a SignalEngine fed them one by one. */
export function detectSignals(
  bars: readonly FootprintBar[],
  params: AnalyticsParams,
  options: SignalOptions = {},
): SignalEvent[] {
  const engine = new SignalEngine(params, options);
  const out: SignalEvent[] = [];
  for (const b of bars) out.push(...engine.update(b));
  return out;
}
