// Runs the engines over a set of trades for one CLI/REST query and builds the response bodies.
// Shared by the CLI (--file) and, later, the service, so both return identical bodies.

import type { Trade } from '../core/trade.ts';
import type { AnalyticsParams } from '../core/params.ts';
import { anchorStart } from '../engines/bars.ts';
import { deltaAnalysis } from '../engines/delta.ts';
import { FootprintEngine, type FootprintBar } from '../engines/footprint.ts';
import { stackedImbalanceZones } from '../engines/imbalance.ts';
import { computeMetrics } from '../engines/metrics.ts';
import { buildProfile } from '../engines/profile.ts';
import { sessionProfiles } from '../engines/sessions.ts';
import { deltaBody } from '../views/delta-view.ts';
import { footprintBody } from '../views/footprint-view.ts';
import { metricsBody } from '../views/metrics-view.ts';
import { profileBody, type ProfileType } from '../views/profile-view.ts';

export interface QueryRange {
  /** µs, inclusive; undefined = from the first trade. */
  readonly from?: number;
  /** µs, exclusive; undefined = through the last trade. */
  readonly to?: number;
}

const inRange = (ts: number, r: QueryRange): boolean =>
  (r.from === undefined || ts >= r.from) && (r.to === undefined || ts < r.to);

/**
 * Footprint bars of a range. TIME bars take the trades inside the range. VOLUME/TICK_COUNT bars are built from the
 * daily anchor before the range start so their boundaries do not depend on the range; bars starting inside the
 * range are returned.
 */
export function footprintBars(trades: readonly Trade[], p: AnalyticsParams, r: QueryRange): FootprintBar[] {
  const engine = new FootprintEngine(p);
  const anchored = p.bars.aggregation !== 'TIME' && r.from !== undefined;
  const feedFrom = anchored ? anchorStart(r.from, p.bars.anchorUs) : r.from;
  for (const t of trades)
    if (
      inRange(t.ts, {
        ...(feedFrom === undefined ? {} : { from: feedFrom }),
        ...(r.to === undefined ? {} : { to: r.to }),
      })
    )
      engine.apply(t);
  const bars = engine.getBars();
  return anchored ? bars.filter((b) => b.start >= r.from!) : bars;
}

export function footprintQuery(
  symbol: string,
  timeframe: string,
  trades: readonly Trade[],
  p: AnalyticsParams,
  r: QueryRange,
) {
  const bars = footprintBars(trades, p, r);
  return { bars, body: footprintBody(bars, p, { symbol, timeframe, ...rangeInfo(r) }) };
}

export function profileQuery(
  symbol: string,
  type: ProfileType,
  trades: readonly Trade[],
  p: AnalyticsParams,
  r: QueryRange,
  omitEmpty = false,
) {
  const selected = trades.filter((t) => inRange(t.ts, r));
  const bars = footprintBars(selected, p, {});
  const range = buildProfile(selected, p, -Infinity, Infinity, bars);
  const sessions = type === 'VPSV' ? sessionProfiles(selected, p) : undefined;
  const last = selected.at(-1)?.price;
  return {
    profile: range,
    sessions,
    body: profileBody({ symbol, type, omitEmpty, ...rangeInfo(r) }, p, range, sessions, last),
  };
}

export function deltaQuery(
  symbol: string,
  timeframe: string,
  trades: readonly Trade[],
  p: AnalyticsParams,
  r: QueryRange,
) {
  const bars = footprintBars(trades, p, r);
  const analysis = deltaAnalysis(bars, p);
  return { analysis, body: deltaBody(analysis, p, { symbol, timeframe, ...rangeInfo(r) }) };
}

/** Metrics as of the last trade in the range (engines never read the clock). */
export function metricsQuery(symbol: string, trades: readonly Trade[], p: AnalyticsParams, r: QueryRange) {
  const selected = trades.filter((t) => inRange(t.ts, r));
  const m = computeMetrics(selected, p);
  let active = 0;
  if (m.now !== null && p.imbalance.enabled) {
    const since = m.now - p.activeImbalanceLookbackUs;
    const timeParams: AnalyticsParams = { ...p, bars: { ...p.bars, aggregation: 'TIME' } };
    const bars = footprintBars(selected, timeParams, {
      from: Math.floor(since / p.bars.timeframeUs) * p.bars.timeframeUs,
    });
    active = stackedImbalanceZones(bars, p.imbalance).filter((z) => z.active && z.barStart >= since).length;
  }
  return { metrics: m, activeImbalances: active, body: metricsBody(symbol, m, active, p) };
}

function rangeInfo(r: QueryRange): { startTime?: number; endTime?: number } {
  return {
    ...(r.from === undefined ? {} : { startTime: r.from }),
    ...(r.to === undefined ? {} : { endTime: r.to }),
  };
}
