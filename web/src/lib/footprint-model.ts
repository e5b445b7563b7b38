// The chart's model of a footprint response: the API's flat cell list grouped into bars on an integer row grid,
// plus zones and naked POCs, and the merge of live updates into it. Pure: no DOM.

import type {
  BarStatJson,
  FootprintCellJson,
  FootprintData,
  NakedPocJson,
  StackedZoneJson,
} from '../api/types.ts';

export interface ChartCell {
  /** Row index on the chart's grid: price_level / row_size. */
  readonly row: number;
  readonly json: FootprintCellJson;
}

export interface ChartBar {
  /** The API's start_time, the bar's identity. */
  readonly key: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly stat: BarStatJson | undefined;
  /** Ascending rows. */
  readonly cells: readonly ChartCell[];
  readonly lowRow: number;
  readonly highRow: number;
  readonly pocRow: number | null;
  readonly maxCellVolume: number;
}

export interface ChartZone {
  readonly side: 'buy' | 'sell';
  readonly lowRow: number;
  readonly highRow: number;
  readonly barKey: string;
  /** Bar where a later trade touched the zone; null while active. */
  readonly touchedBarKey: string | null;
  readonly json: StackedZoneJson;
}

export interface ChartNakedPoc {
  readonly row: number;
  readonly barKey: string;
  /** Bar that covered it; null while still naked. */
  readonly coveredBarKey: string | null;
}

export interface FootprintModel {
  readonly symbol: string;
  readonly timeframe: string;
  readonly aggregation: string;
  readonly rowSize: number;
  readonly bars: readonly ChartBar[];
  readonly zones: readonly ChartZone[];
  readonly nakedPocs: readonly ChartNakedPoc[];
  /** Largest cell volume of all bars: the colour scale's top in volume mode. */
  readonly maxCellVolume: number;
}

/**
 * Row of a price label. Labels are exact multiples of the row size printed through a decimal string, so the
 * float quotient is within rounding of an integer: round, never floor.
 */
export const rowOfLabel = (price: number, rowSize: number): number => Math.round(price / rowSize);

/** Row containing a traded price (not necessarily a label): floor with a tolerance for float quotients. */
export const rowOfPrice = (price: number, rowSize: number): number => Math.floor(price / rowSize + 1e-9);

/** Inferred row size when a body lacks `row_size`: the smallest positive gap between labels, else 1. */
export function inferRowSize(cells: readonly FootprintCellJson[]): number {
  const prices = [...new Set(cells.map((c) => c.price_level))].sort((a, b) => a - b);
  let best = Infinity;
  for (let i = 1; i < prices.length; i++) best = Math.min(best, prices[i]! - prices[i - 1]!);
  return Number.isFinite(best) && best > 0 ? Number(best.toPrecision(12)) : 1;
}

function makeBar(key: string, cells: ChartCell[], stat: BarStatJson | undefined, rowSize: number): ChartBar {
  cells.sort((a, b) => a.row - b.row);
  const first = cells[0]?.json ?? stat;
  let low = cells[0]?.row ?? 0;
  let high = cells.at(-1)?.row ?? -1;
  if (stat !== undefined) {
    const sl = rowOfPrice(stat.low, rowSize);
    const sh = rowOfPrice(stat.high, rowSize);
    if (cells.length === 0) [low, high] = [sl, sh];
    else [low, high] = [Math.min(low, sl), Math.max(high, sh)];
  }
  let poc: number | null = null;
  let max = 0;
  for (const c of cells) {
    if (c.json.is_point_of_control) poc = c.row;
    max = Math.max(max, c.json.total_volume);
  }
  if (poc === null && stat !== undefined && cells.length > 0)
    poc = rowOfLabel(stat.point_of_control, rowSize);
  return {
    key,
    startMs: Date.parse(key),
    endMs: first === undefined ? Date.parse(key) : Date.parse(first.end_time),
    stat,
    cells,
    lowRow: low,
    highRow: high,
    pocRow: poc,
    maxCellVolume: max,
  };
}

function barsOf(data: FootprintData, rowSize: number): ChartBar[] {
  const cellsByBar = new Map<string, ChartCell[]>();
  for (const c of data.bars) {
    let list = cellsByBar.get(c.start_time);
    if (list === undefined) cellsByBar.set(c.start_time, (list = []));
    list.push({ row: rowOfLabel(c.price_level, rowSize), json: c });
  }
  const stats = new Map<string, BarStatJson>();
  for (const s of data.bar_stats ?? []) stats.set(s.start_time, s);
  const keys = new Set([...cellsByBar.keys(), ...stats.keys()]);
  const bars = [...keys].map((k) => makeBar(k, cellsByBar.get(k) ?? [], stats.get(k), rowSize));
  return bars.sort((a, b) => a.startMs - b.startMs);
}

function zonesOf(zones: readonly StackedZoneJson[], bars: readonly ChartBar[], rowSize: number): ChartZone[] {
  return zones.map((z) => ({
    side: z.side,
    lowRow: rowOfLabel(z.low, rowSize),
    highRow: rowOfLabel(z.high, rowSize),
    barKey: z.bar_start,
    touchedBarKey: z.active || z.touched_at === null ? null : barKeyAt(bars, Date.parse(z.touched_at)),
    json: z,
  }));
}

function pocsOf(pocs: readonly NakedPocJson[], bars: readonly ChartBar[], rowSize: number): ChartNakedPoc[] {
  return pocs.map((n) => ({
    row: rowOfLabel(n.price, rowSize),
    barKey: n.bar_start,
    coveredBarKey: n.naked_until === null ? null : barKeyAt(bars, Date.parse(n.naked_until)),
  }));
}

/** Key of the bar containing time `ms` (the last bar starting at or before it). */
export function barKeyAt(bars: readonly ChartBar[], ms: number): string | null {
  let lo = 0;
  let hi = bars.length - 1;
  let found: ChartBar | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = bars[mid]!;
    if (b.startMs <= ms) {
      found = b;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found?.key ?? null;
}

export function buildModel(data: FootprintData): FootprintModel {
  const rowSize = data.row_size ?? inferRowSize(data.bars);
  const bars = barsOf(data, rowSize);
  return {
    symbol: data.symbol,
    timeframe: data.timeframe,
    aggregation: data.aggregation ?? 'TIME',
    rowSize,
    bars,
    zones: zonesOf(data.stacked_imbalances ?? [], bars, rowSize),
    nakedPocs: pocsOf(data.naked_pocs ?? [], bars, rowSize),
    maxCellVolume: bars.reduce((m, b) => Math.max(m, b.maxCellVolume), 0),
  };
}

/**
 * A footprint_update message's data as a footprint body: the service sends one bar's cells as `bars`, its
 * statistics as `bar` and the row size as `price_tick_size` (channel info); a full body passes through.
 */
export function normalizeUpdate(data: unknown): FootprintData | null {
  if (data === null || typeof data !== 'object') return null;
  const d = data as FootprintData & { bar?: BarStatJson | null; price_tick_size?: number };
  if (!Array.isArray(d.bars) || typeof d.timeframe !== 'string') return null;
  const rowSize = d.row_size ?? d.price_tick_size;
  const stats = d.bar_stats ?? (d.bar ? [d.bar] : []);
  return { ...d, bar_stats: stats, ...(rowSize === undefined ? {} : { row_size: rowSize }) };
}

/** Whether an update body was computed with the same bar and row parameters as the model. */
export function sameGrid(model: FootprintModel, update: FootprintData): boolean {
  return (
    update.timeframe === model.timeframe &&
    (update.aggregation ?? 'TIME') === model.aggregation &&
    (update.row_size === undefined || Math.abs(update.row_size - model.rowSize) < model.rowSize * 1e-9)
  );
}

/**
 * Merges a live update (a footprint body holding the bars that changed) into the model: those bars are
 * replaced or appended; zones and naked POCs of the updated bars come from the update, older ones are closed
 * when an updated later bar trades inside them (the update does not restate them).
 */
export function mergeUpdate(model: FootprintModel, update: FootprintData): FootprintModel {
  const fresh = barsOf(update, model.rowSize);
  if (fresh.length === 0) return model;
  const byKey = new Map(model.bars.map((b) => [b.key, b] as const));
  for (const b of fresh) byKey.set(b.key, b);
  const bars = [...byKey.values()].sort((a, b) => a.startMs - b.startMs);
  const updated = new Set(fresh.map((b) => b.key));

  const touchZone = (z: ChartZone): ChartZone => {
    if (z.touchedBarKey !== null) return z;
    const zoneStart = Date.parse(z.barKey);
    for (const b of fresh) {
      if (b.startMs <= zoneStart) continue;
      if (b.cells.some((c) => c.row >= z.lowRow && c.row <= z.highRow)) return { ...z, touchedBarKey: b.key };
    }
    return z;
  };
  const coverPoc = (n: ChartNakedPoc): ChartNakedPoc => {
    if (n.coveredBarKey !== null) return n;
    const pocStart = Date.parse(n.barKey);
    for (const b of fresh)
      if (b.startMs > pocStart && b.lowRow <= n.row && n.row <= b.highRow)
        return { ...n, coveredBarKey: b.key };
    return n;
  };
  const zones = [
    ...model.zones.filter((z) => !updated.has(z.barKey)).map(touchZone),
    ...zonesOf(update.stacked_imbalances ?? [], bars, model.rowSize).filter((z) => updated.has(z.barKey)),
  ];
  const nakedPocs = [
    ...model.nakedPocs.filter((n) => !updated.has(n.barKey)).map(coverPoc),
    ...pocsOf(update.naked_pocs ?? [], bars, model.rowSize).filter((n) => updated.has(n.barKey)),
  ];
  return {
    ...model,
    bars,
    zones,
    nakedPocs,
    maxCellVolume: bars.reduce((m, b) => Math.max(m, b.maxCellVolume), 0),
  };
}

/** Index of a bar key in the model (the chart's x position), or -1. */
export function barIndex(model: FootprintModel, key: string | null): number {
  if (key === null) return -1;
  return model.bars.findIndex((b) => b.key === key);
}

/** The cell of a bar at a row, by binary search over the bar's ascending rows. */
export function cellAt(bar: ChartBar, row: number): ChartCell | undefined {
  let lo = 0;
  let hi = bar.cells.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = bar.cells[mid]!;
    if (c.row === row) return c;
    if (c.row < row) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}
