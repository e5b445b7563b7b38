// The WebSocket messages of the order-flow stream, each serialized once into the Buffer every subscriber gets.
// Bodies reuse the REST views, so a streamed bar has exactly the REST footprint's cell format.

import type { AnalyticsParams } from '../core/params.ts';
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

export function tickMessage(
  symbol: string,
  trades: readonly Trade[],
  p: AnalyticsParams,
  kind: SourceKind,
): Buffer {
  const u = unitsFor(p.scale, p.rowTicks);
  return encode('tick', {
    symbol,
    ...sourceMark(kind),
    trades: trades.map((t) => ({
      exchange: t.exchange,
      symbol: t.symbol,
      id: t.id,
      time: u.time(t.ts),
      price: u.price(t.price),
      qty: u.qty(t.qty),
      side: t.side === 1 ? 'buy' : 'sell',
    })),
  });
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
