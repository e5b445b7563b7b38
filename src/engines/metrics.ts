// Real-time metrics (ANALYTICS.md §5): last price, day and session delta, windowed buy/sell pressure and the
// liquidity index, kept incrementally in bounded memory; `computeMetrics` is the batch form with equal results.
//
// Interpretation choices (also in docs/analytics-choices.md):
// - "now" is the latest trade time seen (never the clock). currentPrice is the price of the trade at `now`; when
//   several trades share that time, the one applied last (arrival order, as in the trade log).
// - cumulativeDelta: trades with ts in [UTC day start of now, now]. sessionDelta: trades with ts in
//   [sessionStartAt(now), now], where the session start is the latest start of any configured window at or
//   before now (the window that began last, even if it has ended), else the UTC day start.
// - Pressure over trades with ts in (now − pressureWindow, now]; no volume there ⇒ 50/50.
// - Liquidity index: minutes are UTC minutes [m, m+1min). The current minute (the one holding now) is open and
//   never used. v(m) = volume / max(1, highRow − lowRow + 1) for every closed minute that has trades; x = mean v over
//   the closed minutes with trades whose start lies in [curMinute − liquidityWindow, curMinute); the index is
//   100 · #{v ≤ x} / n over the n closed minutes with trades whose start lies in [curMinute − liquidityLookback,
//   curMinute). Ties count as ≤ (so an all-equal history gives 100). null when either set is empty. All
//   comparisons are exact (rationals), only the final percentage is a float.
// - Memory: pressure keeps only trades inside its window, minutes older than max(lookback, window) are dropped;
//   a late trade older than what is kept changes only what it still can (day/session sums it falls in).

import type { AnalyticsParams } from '../core/params.ts';
import type { Trade } from '../core/trade.ts';
import { US_PER_DAY, US_PER_MINUTE } from '../core/time.ts';
import { pressure, sessionStartAt } from './delta.ts';

export interface MetricsSnapshot {
  /** Latest trade time (µs), null before any trade. */
  readonly now: number | null;
  /** Ticks; null before any trade. */
  readonly currentPrice: number | null;
  /** Lots since the UTC day start of `now`. */
  readonly cumulativeDelta: number;
  /** Lots since `sessionStart`. */
  readonly sessionDelta: number;
  /** µs; null before any trade. */
  readonly sessionStart: number | null;
  readonly buyPressure: number;
  readonly sellPressure: number;
  /** 0–100, null without closed minutes to rank. */
  readonly liquidityIndex: number | null;
}

interface MinuteAgg {
  volume: number;
  highRow: number;
  lowRow: number;
}

const COMPACT_AT = 4096;

export class MetricsEngine {
  private now = -Infinity;
  private price: number | null = null;
  private dayStart = -Infinity;
  private dayDelta = 0;
  private sessStart = -Infinity;
  private sessDelta = 0;
  // Trades inside the pressure window, sorted by ts; entries before `head` are already out of the window.
  private winTs: number[] = [];
  private winSigned: number[] = [];
  private head = 0;
  private winBuy = 0;
  private winSell = 0;
  private readonly minutes = new Map<number, MinuteAgg>();
  private curMinute = -Infinity;
  private readonly keepMinutesUs: number;

  constructor(readonly params: AnalyticsParams) {
    this.keepMinutesUs = Math.max(params.liquidityLookbackUs, params.liquidityWindowUs);
  }

  /** What the engine holds (for memory-bound checks): minute aggregates and pressure-window entries. */
  get retained(): { readonly minutes: number; readonly windowTrades: number } {
    return { minutes: this.minutes.size, windowTrades: this.winTs.length };
  }

  apply(t: Trade): void {
    const ts: number = t.ts;
    if (ts > this.now) this.advance(ts);
    if (ts >= this.now) this.price = t.price;
    const signed = t.side * t.qty;
    if (ts >= this.dayStart) this.dayDelta += signed;
    if (ts >= this.sessStart) this.sessDelta += signed;
    if (ts > this.now - this.params.pressureWindowUs) this.addToWindow(ts, signed);
    const minute = Math.floor(ts / US_PER_MINUTE) * US_PER_MINUTE;
    if (minute >= this.curMinute - this.keepMinutesUs) {
      const row = Math.floor(t.price / this.params.rowTicks);
      const m = this.minutes.get(minute);
      if (m === undefined) this.minutes.set(minute, { volume: t.qty, highRow: row, lowRow: row });
      else {
        m.volume += t.qty;
        if (row > m.highRow) m.highRow = row;
        if (row < m.lowRow) m.lowRow = row;
      }
    }
  }

  applyBatch(trades: readonly Trade[]): void {
    for (const t of trades) this.apply(t);
  }

  /** `now` moves forward: roll the day/session sums, slide the pressure window, drop old minutes. */
  private advance(ts: number): void {
    this.now = ts;
    const day = Math.floor(ts / US_PER_DAY) * US_PER_DAY;
    // Every trade seen so far is older than the new day/session start (now only grows), so the sums restart.
    if (day !== this.dayStart) {
      this.dayStart = day;
      this.dayDelta = 0;
    }
    const sess = sessionStartAt(ts, this.params.sessions);
    if (sess !== this.sessStart) {
      this.sessStart = sess;
      this.sessDelta = 0;
    }
    const cutoff = ts - this.params.pressureWindowUs;
    while (this.head < this.winTs.length && this.winTs[this.head]! <= cutoff) {
      const s = this.winSigned[this.head]!;
      if (s > 0) this.winBuy -= s;
      else this.winSell += s;
      this.head++;
    }
    if (this.head >= COMPACT_AT && this.head * 2 >= this.winTs.length) {
      this.winTs = this.winTs.slice(this.head);
      this.winSigned = this.winSigned.slice(this.head);
      this.head = 0;
    }
    const minute = Math.floor(ts / US_PER_MINUTE) * US_PER_MINUTE;
    if (minute !== this.curMinute) {
      this.curMinute = minute;
      const oldest = minute - this.keepMinutesUs;
      for (const k of this.minutes.keys()) if (k < oldest) this.minutes.delete(k);
    }
  }

  private addToWindow(ts: number, signed: number): void {
    if (signed > 0) this.winBuy += signed;
    else this.winSell -= signed;
    const a = this.winTs;
    if (a.length === this.head || a[a.length - 1]! <= ts) {
      a.push(ts);
      this.winSigned.push(signed);
      return;
    }
    let lo = this.head;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid]! <= ts) lo = mid + 1;
      else hi = mid;
    }
    a.splice(lo, 0, ts);
    this.winSigned.splice(lo, 0, signed);
  }

  snapshot(): MetricsSnapshot {
    if (this.price === null) {
      return {
        now: null,
        currentPrice: null,
        cumulativeDelta: 0,
        sessionDelta: 0,
        sessionStart: null,
        buyPressure: 50,
        sellPressure: 50,
        liquidityIndex: null,
      };
    }
    return {
      now: this.now,
      currentPrice: this.price,
      cumulativeDelta: this.dayDelta,
      sessionDelta: this.sessDelta,
      sessionStart: this.sessStart,
      ...pressure(this.winBuy, this.winSell),
      liquidityIndex: this.liquidityIndex(),
    };
  }

  private liquidityIndex(): number | null {
    const cur = this.curMinute;
    const p = this.params;
    const population: MinuteAgg[] = [];
    const recent: MinuteAgg[] = [];
    for (const [start, m] of this.minutes) {
      if (start >= cur) continue;
      if (start >= cur - p.liquidityLookbackUs) population.push(m);
      if (start >= cur - p.liquidityWindowUs) recent.push(m);
    }
    return liquidityRank(population, recent);
  }
}

const rowsOf = (m: MinuteAgg): bigint => BigInt(Math.max(1, m.highRow - m.lowRow + 1));

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** 100 · #{v ≤ mean v(recent)} / #population, exactly; null when either set is empty. */
function liquidityRank(population: readonly MinuteAgg[], recent: readonly MinuteAgg[]): number | null {
  if (population.length === 0 || recent.length === 0) return null;
  // Σ volume/rows over the recent minutes as a reduced fraction num/den.
  let num = 0n;
  let den = 1n;
  for (const m of recent) {
    const r = rowsOf(m);
    num = num * r + BigInt(m.volume) * den;
    den *= r;
    const g = gcd(num, den);
    if (g > 1n) {
      num /= g;
      den /= g;
    }
  }
  // v ≤ num / (den · k)  ⇔  volume · den · k ≤ rows · num
  const dk = den * BigInt(recent.length);
  let count = 0;
  for (const m of population) if (BigInt(m.volume) * dk <= rowsOf(m) * num) count++;
  return (100 * count) / population.length;
}

/** Batch form: the same snapshot as a MetricsEngine fed the trades in time order (ties keep input order). */
export function computeMetrics(trades: readonly Trade[], p: AnalyticsParams): MetricsSnapshot {
  const engine = new MetricsEngine(p);
  engine.applyBatch([...trades].sort((a, b) => a.ts - b.ts));
  return engine.snapshot();
}
