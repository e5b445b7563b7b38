// VPSV (ANALYTICS.md §3): one volume profile per session — UTC days by default, or named daily UTC windows that
// may wrap midnight and overlap (a trade counts in every window containing it) — plus a multi-session comparison.
//
// Choices where §3 is silent: a window is [start, end) with end ≤ start meaning it wraps past midnight (so equal
// times make a 24 h window); a UTC-day session is named by its date "YYYY-MM-DD"; only sessions holding at least
// one trade (or footprint bar) are reported, ordered by start then by their order in the config; a session cut by
// the query range keeps its full window bounds but holds only the in-range trades; footprint bars (rollups) are
// assigned whole by their start time, so bars should be no longer than the sessions' minute granularity.

import type { AnalyticsParams, SessionSpec } from '../core/params.ts';
import { US_PER_DAY } from '../core/time.ts';
import type { Trade } from '../core/trade.ts';
import type { FootprintBar } from './footprint.ts';
import { computeProfile, ProfileAccumulator, type Profile } from './profile.ts';

export interface SessionWindow {
  readonly name: string;
  /** µs, inclusive. */
  readonly start: number;
  /** µs, exclusive. */
  readonly end: number;
}

export interface SessionProfile extends SessionWindow {
  readonly profile: Profile;
}

export interface SessionSummary extends SessionWindow {
  readonly pocRow: number | null;
  readonly vahRow: number | null;
  readonly valRow: number | null;
  readonly volume: number;
  readonly buy: number;
  readonly sell: number;
  readonly delta: number;
  readonly valueAreaVolume: number;
}

/** The UTC-day session used when no named sessions are configured. */
const UTC_DAY: SessionSpec = { name: '', startUs: 0, endUs: 0 };

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/** "YYYY-MM-DD" of a UTC day (proleptic Gregorian, days-from-civil inverse; no Date in engines). */
export function utcDateLabel(ts: number): string {
  const z = Math.floor(ts / US_PER_DAY) + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y < 0 ? '-' : ''}${pad(Math.abs(y), 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

/** Window length of a daily spec in µs: end ≤ start wraps past midnight. */
export const sessionLength = (s: SessionSpec): number =>
  s.endUs > s.startUs ? s.endUs - s.startUs : US_PER_DAY - s.startUs + s.endUs;

/** The session specs in force: the configured windows, or one UTC-day session. */
export const sessionSpecs = (p: Pick<AnalyticsParams, 'sessions'>): readonly SessionSpec[] =>
  p.sessions.length > 0 ? p.sessions : [UTC_DAY];

/** The window of `spec` containing ts, if any (at most one: a window is never longer than a day). */
export function windowAt(ts: number, spec: SessionSpec): SessionWindow | undefined {
  const start = Math.floor((ts - spec.startUs) / US_PER_DAY) * US_PER_DAY + spec.startUs;
  const end = start + sessionLength(spec);
  if (ts >= end) return undefined;
  return { name: spec === UTC_DAY ? utcDateLabel(start) : spec.name, start, end };
}

interface Slot {
  readonly window: SessionWindow;
  readonly specIndex: number;
  readonly acc: ProfileAccumulator;
}

/** Incremental VPSV: apply trades (or footprint bars) in any order; `sessions()` equals `sessionProfiles`. */
export class SessionProfiler {
  private readonly specs: readonly SessionSpec[];
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly p: AnalyticsParams) {
    this.specs = sessionSpecs(p);
  }

  private slotsAt(ts: number): Slot[] {
    const out: Slot[] = [];
    this.specs.forEach((spec, specIndex) => {
      const window = windowAt(ts, spec);
      if (window === undefined) return;
      const key = `${specIndex}:${window.start}`;
      let slot = this.slots.get(key);
      if (slot === undefined) {
        slot = { window, specIndex, acc: new ProfileAccumulator(this.p) };
        this.slots.set(key, slot);
      }
      out.push(slot);
    });
    return out;
  }

  apply(t: Trade): void {
    for (const s of this.slotsAt(t.ts)) s.acc.apply(t);
  }

  applyBatch(trades: Iterable<Trade>): void {
    for (const t of trades) this.apply(t);
  }

  /** Adds a footprint bar (or a stored rollup) to the sessions containing its start. */
  addBar(bar: Pick<FootprintBar, 'start' | 'cells'>): void {
    for (const s of this.slotsAt(bar.start)) s.acc.addCells(bar.cells);
  }

  addBars(bars: Iterable<Pick<FootprintBar, 'start' | 'cells'>>): void {
    for (const b of bars) this.addBar(b);
  }

  /** Every session that received something, by start then config order, each with its profile. */
  sessions(): SessionProfile[] {
    return [...this.slots.values()]
      .sort((a, b) => a.window.start - b.window.start || a.specIndex - b.specIndex)
      .map((s) => ({ ...s.window, profile: computeProfile(s.acc, this.p) }));
  }
}

const isBar = (x: Trade | FootprintBar): x is FootprintBar => 'cells' in x;

/**
 * VPSV over [from, to): trades are kept by ts, footprint bars by start (unbounded when omitted).
 * Pass either trades or bars (e.g. 1-minute rollups), not a mix.
 */
export function sessionProfiles(
  input: readonly Trade[] | readonly FootprintBar[],
  p: AnalyticsParams,
  from = -Infinity,
  to = Infinity,
): SessionProfile[] {
  const profiler = new SessionProfiler(p);
  for (const x of input as readonly (Trade | FootprintBar)[]) {
    if (isBar(x)) {
      if (x.start >= from && x.start < to) profiler.addBar(x);
    } else if (x.ts >= from && x.ts < to) profiler.apply(x);
  }
  return profiler.sessions();
}

/** Multi-session comparison: each session's POC / VAH / VAL / volume / delta, in the sessions' order. */
export function compareSessions(sessions: readonly SessionProfile[]): SessionSummary[] {
  return sessions.map(({ name, start, end, profile: pr }) => ({
    name,
    start,
    end,
    pocRow: pr.pocRow,
    vahRow: pr.vahRow,
    valRow: pr.valRow,
    volume: pr.totalVolume,
    buy: pr.buy,
    sell: pr.sell,
    delta: pr.delta,
    valueAreaVolume: pr.valueAreaVolume,
  }));
}
