// The WebSocket messages of the order-flow stream, each serialized once into the Buffer every subscriber gets.
// Bodies reuse the REST views, so a streamed bar has exactly the REST footprint's cell format.

import type { AnalyticsParams } from '../core/params.ts';
import { TICK_FORMAT } from '../client/tick-batch.ts';
import { formatIncrement } from '../core/decimal.ts';
import { formatTime } from '../core/time.ts';
import type { Trade } from '../core/trade.ts';
import type { SourceKind } from '../sources/source.ts';
import { deltaAnalysis } from '../engines/delta.ts';
import type { FootprintBar } from '../engines/footprint.ts';
import type { ImbalanceZone } from '../engines/imbalance.ts';
import { deltaBody } from '../views/delta-view.ts';
import { footprintBody } from '../views/footprint-view.ts';
import { unitsFor } from '../views/units.ts';

export type StreamMessageType =
  | 'subscribed'
  | 'unsubscribed'
  | 'snapshot'
  | 'tick'
  | 'footprint_update'
  | 'imbalance_detected'
  | 'delta_update'
  | 'cross_update'
  | 'heartbeat'
  | 'notice'
  | 'error';

export interface ChannelInfo {
  readonly channel: 'orderflow';
  readonly symbol: string;
  readonly timeframe: string;
  readonly aggregation: string;
  readonly price_tick_size: number;
  readonly exchange?: string;
}

/** A message as the bytes sent on the wire. */
export const encode = (type: StreamMessageType, data: unknown): Buffer =>
  Buffer.from(JSON.stringify({ type, data }));

/** Marks simulated / replayed data in every message (absent for live data). */
export const sourceMark = (kind: SourceKind): { source?: SourceKind } =>
  kind === 'live' ? {} : { source: kind };

/** A JSON text array of the values' differences from their predecessors (the first value is as is). */
function deltaColumn(values: readonly number[]): string {
  let out = '[';
  let prev = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out += i === 0 ? String(v) : `,${v - prev}`;
    prev = v;
  }
  return `${out}]`;
}

/** Integer ids whose successive differences are exact: the delta-coded id column is then safe to sum. */
function deltaCodableIds(trades: readonly Trade[]): number[] | undefined {
  const ids: number[] = [];
  let prev = 0;
  for (let i = 0; i < trades.length; i++) {
    const id = trades[i]!.id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) return undefined;
    if (i > 0 && !Number.isSafeInteger(id - prev)) return undefined;
    ids.push(id);
    prev = id;
  }
  return ids;
}

/**
 * A batch of trades as one columnar `tick` message (layout in docs/api.md): venue, scale and base values once;
 * integer ticks/lots and µs, delta-coded where neighbours are close, so it costs ~15 bytes a trade instead of
 * ~130 for an object per trade — what makes fanning it out to hundreds of clients affordable. Exact: integers
 * only, the increments as decimal text.
 */
export function tickMessage(
  symbol: string,
  trades: readonly Trade[],
  p: AnalyticsParams,
  kind: SourceKind,
): Buffer {
  const venueIndex = new Map<string, number>();
  const venues: [string, string][] = [];
  const venueOf: number[] = [];
  const times: number[] = [];
  const prices: number[] = [];
  let qtys = '';
  let sides = '';
  for (let i = 0; i < trades.length; i++) {
    const t = trades[i]!;
    const vk = `${t.exchange}\u0000${t.symbol}`;
    let v = venueIndex.get(vk);
    if (v === undefined) {
      v = venues.length;
      venueIndex.set(vk, v);
      venues.push([t.exchange, t.symbol]);
    }
    venueOf.push(v);
    times.push(t.ts);
    prices.push(t.price);
    qtys += i === 0 ? String(t.qty) : `,${t.qty}`;
    sides += t.side === 1 ? 'b' : 's';
  }
  const ids = deltaCodableIds(trades);
  const deltaCoded = ids === undefined ? '["time_us","price_ticks"]' : '["id","time_us","price_ticks"]';
  const source = kind === 'live' ? '' : `,"source":${JSON.stringify(kind)}`;
  const first = trades[0];
  const text =
    `{"type":"tick","data":{"symbol":${JSON.stringify(symbol)}${source},"format":"${TICK_FORMAT}"` +
    `,"count":${trades.length},"start_time":${first === undefined ? 'null' : JSON.stringify(formatTime(first.ts))}` +
    `,"price_increment":"${formatIncrement(p.scale.price)}","qty_increment":"${formatIncrement(p.scale.qty)}"` +
    `,"venues":${JSON.stringify(venues)}${venues.length > 1 ? `,"venue":[${venueOf.join(',')}]` : ''}` +
    `,"delta_coded":${deltaCoded}` +
    `,"id":${ids === undefined ? JSON.stringify(trades.map((t) => t.id)) : deltaColumn(ids)}` +
    `,"time_us":${deltaColumn(times)},"price_ticks":${deltaColumn(prices)},"qty_lots":[${qtys}]` +
    `,"side":"${sides}"}}`;
  return Buffer.from(text);
}

/** One bar: its cells in the REST footprint format (`bars`) and its statistics (`bar`). */
export function footprintUpdateMessage(
  info: ChannelInfo,
  bar: FootprintBar,
  p: AnalyticsParams,
  kind: SourceKind,
): Buffer {
  const body = footprintBody([bar], p, { symbol: info.symbol, timeframe: info.timeframe }).data as {
    bars: unknown[];
    bar_stats: unknown[];
  };
  return encode('footprint_update', {
    ...info,
    ...sourceMark(kind),
    bar: body.bar_stats[0],
    bars: body.bars,
  });
}

export function deltaUpdateMessage(
  info: ChannelInfo,
  bars: readonly FootprintBar[],
  p: AnalyticsParams,
  kind: SourceKind,
): Buffer {
  const body = deltaBody(deltaAnalysis(bars, p), p, { symbol: info.symbol, timeframe: info.timeframe })
    .data as {
    delta_profile: unknown;
    bars: unknown[];
  };
  return encode('delta_update', {
    ...info,
    ...sourceMark(kind),
    delta_profile: body.delta_profile,
    bar: body.bars[body.bars.length - 1] ?? null,
    window_bars: bars.length,
  });
}

export function imbalanceMessage(
  info: ChannelInfo,
  z: ImbalanceZone,
  p: AnalyticsParams,
  kind: SourceKind,
): Buffer {
  const u = unitsFor(p.scale, p.rowTicks);
  return encode('imbalance_detected', {
    ...info,
    ...sourceMark(kind),
    zone: {
      side: z.side,
      low: u.rowPrice(z.lowRow),
      high: u.rowPrice(z.highRow),
      rows: z.rows,
      bar_start: u.time(z.barStart),
      active: z.active,
    },
  });
}

export function snapshotMessage(
  info: ChannelInfo,
  bars: readonly FootprintBar[],
  p: AnalyticsParams,
  kind: SourceKind,
): Buffer {
  const fp = footprintBody(bars, p, { symbol: info.symbol, timeframe: info.timeframe }).data;
  const delta = deltaBody(deltaAnalysis(bars, p), p, { symbol: info.symbol, timeframe: info.timeframe })
    .data as {
    delta_profile: unknown;
  };
  return encode('snapshot', {
    ...info,
    ...sourceMark(kind),
    footprint: fp,
    delta_profile: delta.delta_profile,
  });
}
