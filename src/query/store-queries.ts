// Footprint, volume profile (VPVR/VPSV), delta and metrics queries over the tick store, returning exactly the
// bodies src/cli/analysis.ts builds from the same trades: long TIME-bar ranges read minute rollups, the rest ticks.
//
// Choices (also in docs/analytics-choices.md, "Store queries"):
// - Rollups are used for TIME bars whose timeframe is a whole number of minutes, their cells summed into the
//   query's rows inside the store. A range bound inside a minute is honoured exactly: that edge minute is rebuilt
//   from its ticks inside the range.
// - A market of several instruments reads rollups for profiles (cells are sums, so merging is exact), but ticks
//   for footprints and delta: a bar's running-delta extremes depend on how the instruments' trades interleave.
// - VOLUME/TICK_COUNT bars read ticks from the daily anchor before the range start, as analysis.ts does.
// - Metrics read the ticks their windows need before the last trade of the range (day, session, pressure,
//   liquidity and active-imbalance look-backs), never the whole history.
// - A one-instrument VPVR whose edge minutes hold no trades reads the store's profile aggregates (row totals and
//   one-sided runs computed in SQL, src/store/rollup-aggregates.ts) when the store has them: same output.
// - Equal (ts, id) order: the store orders string ids by their text; files keep arrival order. Instruments with
//   numeric ids (all Binance and Coinbase Exchange data) are unaffected.

import type { AnalyticsParams } from '../core/params.ts';
import { US_PER_DAY, US_PER_MINUTE } from '../core/time.ts';
import type { TradeId } from '../core/trade.ts';
import { anchorStart } from '../engines/bars.ts';
import { deltaAnalysis, sessionStartAt } from '../engines/delta.ts';
import type { FootprintBar } from '../engines/footprint.ts';
import {
  computeProfile,
  ProfileAccumulator,
  type Inefficiency,
  type Profile,
  type ProfileRow,
} from '../engines/profile.ts';
import { sessionProfiles } from '../engines/sessions.ts';
import type { MinuteRollup, TradeStore } from '../store/port.ts';
import { hasRollupAggregates } from '../store/rollup-aggregates.ts';
import { footprintFromRollups, minuteRollupsFromTrades } from '../store/rollups.ts';
import { deltaBody } from '../views/delta-view.ts';
import { footprintBody } from '../views/footprint-view.ts';
import { profileBody, type ProfileType } from '../views/profile-view.ts';
import { footprintBars, metricsQuery, profileQuery, type QueryRange } from '../cli/analysis.ts';
import { readTargetTrades, rollupOnGrid, type QueryTarget, type TargetMember } from './targets.ts';

/** Bounds of an open range: the store refuses times before 1970 and beyond 2^53 µs. */
const LOWEST = 0;
const HIGHEST = Number.MAX_SAFE_INTEGER;

const floorMinute = (ts: number): number => Math.floor(ts / US_PER_MINUTE) * US_PER_MINUTE;
const ceilMinute = (ts: number): number => Math.ceil(ts / US_PER_MINUTE) * US_PER_MINUTE;

/** Whether TIME bars of this timeframe can be rebuilt from minute rollups. */
export const rollupsServe = (p: AnalyticsParams): boolean =>
  p.bars.aggregation === 'TIME' && p.bars.timeframeUs % US_PER_MINUTE === 0;

function rangeInfo(r: QueryRange): { startTime?: number; endTime?: number } {
  return {
    ...(r.from === undefined ? {} : { startTime: r.from }),
    ...(r.to === undefined ? {} : { endTime: r.to }),
  };
}

/** One member's minute rollups for [from, to) on the target grid; edge minutes cut by the range from ticks. */
async function memberRollups(
  store: TradeStore,
  m: TargetMember,
  from: number,
  to: number,
  rowTicks: number,
): Promise<MinuteRollup[]> {
  const { exchange, symbol } = m.instrument;
  // Stored cells are summed into rows by the store when the instrument's rows nest in the target's (far fewer
  // cells to read); the cells keep landing in the same target rows.
  const memberRowTicks = rowTicks % m.priceFactor === 0 ? rowTicks / m.priceFactor : 1;
  const headEnd = Math.min(ceilMinute(from), to);
  const tailStart = Math.max(floorMinute(to), headEnd);
  const [head, full, tail] = await Promise.all([
    from < headEnd ? store.readTrades(exchange, symbol, from, headEnd) : Promise.resolve([]),
    headEnd < tailStart
      ? store.readMinuteRollups(exchange, symbol, headEnd, tailStart, memberRowTicks)
      : Promise.resolve([]),
    tailStart < to ? store.readTrades(exchange, symbol, tailStart, to) : Promise.resolve([]),
  ]);
  const all = [...minuteRollupsFromTrades(head), ...full, ...minuteRollupsFromTrades(tail)];
  return all.map((r) => rollupOnGrid(r, m));
}

/**
 * Rollups of several members merged per minute. Cells, volumes and trade counts are exact sums; the bar
 * statistics are only meaningful for one member (callers with several use cells only).
 */
function mergeRollups(perMember: readonly MinuteRollup[][]): MinuteRollup[] {
  if (perMember.length === 1) return perMember[0]!;
  const byMinute = new Map<number, MinuteRollup[]>();
  for (const list of perMember) {
    for (const r of list) {
      const at = byMinute.get(r.minute);
      if (at === undefined) byMinute.set(r.minute, [r]);
      else at.push(r);
    }
  }
  return [...byMinute.keys()]
    .sort((a, b) => a - b)
    .map((minute) => {
      const rs = byMinute.get(minute)!;
      if (rs.length === 1) return rs[0]!;
      const cells = new Map<
        number,
        { tick: number; buy: number; sell: number; buyTrades: number; sellTrades: number }
      >();
      for (const r of rs) {
        for (const c of r.cells) {
          const x = cells.get(c.tick);
          if (x === undefined) cells.set(c.tick, { ...c });
          else {
            x.buy += c.buy;
            x.sell += c.sell;
            x.buyTrades += c.buyTrades;
            x.sellTrades += c.sellTrades;
          }
        }
      }
      const sum = (f: (r: MinuteRollup) => number): number => rs.reduce((s, r) => s + f(r), 0);
      const first = rs[0]!;
      return {
        ...first,
        high: Math.max(...rs.map((r) => r.high)),
        low: Math.min(...rs.map((r) => r.low)),
        buy: sum((r) => r.buy),
        sell: sum((r) => r.sell),
        buyTrades: sum((r) => r.buyTrades),
        sellTrades: sum((r) => r.sellTrades),
        cells: [...cells.values()].sort((a, b) => a.tick - b.tick),
      };
    });
}

/** The footprint bars analysis.ts's footprintBars returns for the target's trades. */
export async function storeFootprintBars(
  store: TradeStore,
  target: QueryTarget,
  p: AnalyticsParams,
  r: QueryRange,
): Promise<FootprintBar[]> {
  const from = r.from ?? LOWEST;
  const to = r.to ?? HIGHEST;
  if (rollupsServe(p) && target.members.length === 1) {
    return footprintFromRollups(await memberRollups(store, target.members[0]!, from, to, p.rowTicks), p);
  }
  const anchored = p.bars.aggregation !== 'TIME' && r.from !== undefined;
  const feedFrom = anchored ? anchorStart(r.from, p.bars.anchorUs) : from;
  const trades = await readTargetTrades(store, target, Math.max(LOWEST, feedFrom), to);
  return footprintBars(trades, p, r);
}

export async function storeFootprintQuery(
  store: TradeStore,
  target: QueryTarget,
  timeframe: string,
  p: AnalyticsParams,
  r: QueryRange,
) {
  const bars = await storeFootprintBars(store, target, p, r);
  return { bars, body: footprintBody(bars, p, { symbol: target.label, timeframe, ...rangeInfo(r) }) };
}

export async function storeDeltaQuery(
  store: TradeStore,
  target: QueryTarget,
  timeframe: string,
  p: AnalyticsParams,
  r: QueryRange,
) {
  const bars = await storeFootprintBars(store, target, p, r);
  const analysis = deltaAnalysis(bars, p);
  return { analysis, body: deltaBody(analysis, p, { symbol: target.label, timeframe, ...rangeInfo(r) }) };
}

/** Profile rows of rollup cells: row = floor(tick / rowTicks), summed. */
function rowsOfRollups(rollups: readonly MinuteRollup[], rowTicks: number): ProfileRow[] {
  const rows = new Map<
    number,
    { row: number; buy: number; sell: number; buyTrades: number; sellTrades: number }
  >();
  for (const m of rollups) {
    for (const c of m.cells) {
      const row = Math.floor(c.tick / rowTicks);
      const x = rows.get(row);
      if (x === undefined)
        rows.set(row, { row, buy: c.buy, sell: c.sell, buyTrades: c.buyTrades, sellTrades: c.sellTrades });
      else {
        x.buy += c.buy;
        x.sell += c.sell;
        x.buyTrades += c.buyTrades;
        x.sellTrades += c.sellTrades;
      }
    }
  }
  return [...rows.values()];
}

/** The engines' tie-break key of an id (trade-log.ts seqKey): numeric ids, string ids last. */
const idKey = (id: TradeId): number => (typeof id === 'number' ? id : Infinity);

/** Price of the last trade in merged order: the latest (lastTs, id, member order) among the members' last minutes. */
function lastPrice(perMember: readonly MinuteRollup[][]): number | undefined {
  let best: MinuteRollup | undefined;
  for (const list of perMember) {
    const r = list[list.length - 1];
    if (r === undefined) continue;
    if (
      best === undefined ||
      r.lastTs > best.lastTs ||
      (r.lastTs === best.lastTs && idKey(r.lastId) >= idKey(best.lastId))
    )
      best = r;
  }
  return best?.close;
}

/**
 * VPVR of one instrument from the store's own aggregates (per-row totals and one-sided runs computed beside the
 * rollups), when the store has them and the range's edge minutes hold no trades; undefined otherwise.
 */
async function aggregatedProfile(
  store: TradeStore,
  target: QueryTarget,
  p: AnalyticsParams,
  from: number,
  to: number,
): Promise<{ profile: Profile; last: number | undefined } | undefined> {
  const m = target.members[0];
  if (target.members.length !== 1 || m === undefined || !hasRollupAggregates(store)) return undefined;
  if (m.priceFactor !== 1 || m.qtyFactor !== 1) return undefined;
  const { exchange, symbol } = m.instrument;
  const headEnd = Math.min(ceilMinute(from), to);
  const tailStart = Math.max(floorMinute(to), headEnd);
  const [head, tail] = await Promise.all([
    from < headEnd ? store.readTrades(exchange, symbol, from, headEnd) : Promise.resolve([]),
    tailStart < to ? store.readTrades(exchange, symbol, tailStart, to) : Promise.resolve([]),
  ]);
  if (head.length > 0 || tail.length > 0) return undefined;
  const [rows, oneSided, last] = await Promise.all([
    store.readRowTotals(exchange, symbol, headEnd, tailStart, p.rowTicks),
    store.readOneSidedRuns(exchange, symbol, headEnd, tailStart, p.rowTicks, p.bars.timeframeUs),
    store.readLastClose(exchange, symbol, headEnd, tailStart),
  ]);
  const acc = new ProfileAccumulator(p);
  acc.addCells(rows);
  // computeProfile without bars lists the thin runs; the bars' one-sided runs follow them, as with bars.
  const profile = computeProfile(acc, p);
  const inefficiencies: Inefficiency[] = [
    ...profile.inefficiencies,
    ...oneSided.map((o): Inefficiency => ({
      kind: 'one_sided',
      lowRow: o.lowRow,
      highRow: o.highRow,
      barStart: o.barStart,
    })),
  ];
  return { profile: { ...profile, inefficiencies }, last };
}

export async function storeProfileQuery(
  store: TradeStore,
  target: QueryTarget,
  type: ProfileType,
  p: AnalyticsParams,
  r: QueryRange,
  omitEmpty = false,
) {
  const from = r.from ?? LOWEST;
  const to = r.to ?? HIGHEST;
  if (!rollupsServe(p)) {
    const trades = await readTargetTrades(store, target, from, to);
    return profileQuery(target.label, type, trades, p, r, omitEmpty);
  }
  const fast = type === 'VPVR' ? await aggregatedProfile(store, target, p, from, to) : undefined;
  if (fast !== undefined) {
    return {
      profile: fast.profile,
      sessions: undefined,
      body: profileBody(
        { symbol: target.label, type, omitEmpty, ...rangeInfo(r) },
        p,
        fast.profile,
        undefined,
        fast.last,
      ),
    };
  }
  const perMember = await Promise.all(
    target.members.map((m) => memberRollups(store, m, from, to, p.rowTicks)),
  );
  const merged = mergeRollups(perMember);
  const acc = new ProfileAccumulator(p);
  acc.addCells(rowsOfRollups(merged, p.rowTicks));
  // The bars only feed the one-sided inefficiencies, which read cells alone.
  const bars = footprintFromRollups(merged, p);
  const profile = computeProfile(acc, p, bars);
  const sessions =
    type === 'VPSV'
      ? sessionProfiles(
          footprintFromRollups(merged, { ...p, bars: { ...p.bars, timeframeUs: US_PER_MINUTE } }),
          p,
        )
      : undefined;
  const last = lastPrice(perMember);
  return {
    profile,
    sessions,
    body: profileBody({ symbol: target.label, type, omitEmpty, ...rangeInfo(r) }, p, profile, sessions, last),
  };
}

/** Earliest trade time the metrics as of `now` depend on (see src/engines/metrics.ts). */
export function metricsWindowStart(now: number, p: AnalyticsParams): number {
  const curMinute = floorMinute(now);
  const since = now - p.activeImbalanceLookbackUs;
  return Math.min(
    Math.floor(now / US_PER_DAY) * US_PER_DAY,
    sessionStartAt(now, p.sessions),
    curMinute - Math.max(p.liquidityLookbackUs, p.liquidityWindowUs),
    now - p.pressureWindowUs,
    Math.floor(since / p.bars.timeframeUs) * p.bars.timeframeUs,
  );
}

/** Time of the target's last trade in [from, to), searching back in doubling windows; undefined when none. */
async function lastTradeTs(
  store: TradeStore,
  target: QueryTarget,
  from: number,
  to: number,
): Promise<number | undefined> {
  let hi = to;
  if (hi >= HIGHEST) {
    const stats = await store.stats({ maxGapRanges: 0 });
    const keys = new Set(target.members.map((m) => `${m.instrument.exchange}:${m.instrument.symbol}`));
    const last = stats
      .filter((s) => keys.has(`${s.exchange}:${s.symbol}`) && s.lastTs !== null)
      .map((s) => s.lastTs!);
    if (last.length === 0) return undefined;
    hi = Math.max(...last) + 1;
  }
  for (let w = US_PER_MINUTE; ; w *= 2) {
    const lo = Math.max(from, hi - w);
    const trades = await readTargetTrades(store, target, lo, hi);
    const t = trades[trades.length - 1];
    if (t !== undefined) return t.ts;
    if (lo <= from) return undefined;
    hi = lo;
  }
}

/** Metrics as of the last trade in the range: the same body as metricsQuery over all trades of the range. */
export async function storeMetricsQuery(
  store: TradeStore,
  target: QueryTarget,
  p: AnalyticsParams,
  r: QueryRange,
) {
  const from = Math.max(LOWEST, r.from ?? LOWEST);
  const to = r.to ?? HIGHEST;
  const now = await lastTradeTs(store, target, from, to);
  const trades =
    now === undefined
      ? []
      : await readTargetTrades(store, target, Math.max(from, metricsWindowStart(now, p)), now + 1);
  return metricsQuery(target.label, trades, p, r);
}
