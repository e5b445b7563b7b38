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

/**
 * A bar's `footprint_update` in two forms: `full()` restates every cell, `cells` only those whose JSON changed since
 * the bar's previous update `base` (both undefined for a bar's first update). Subscribers that got update `base`
 * need only `cells`; the streamer gives the others `full()`, built on first use. `seq` numbers the channel's
 * updates.
 */
export interface BarUpdate {
  readonly seq: number;
  readonly base: number | undefined;
  readonly cells: Buffer | undefined;
  readonly full: () => Buffer;
}

/** Updates kept per channel: the open bar, plus bars that closed but may get their final (complete) update. */
const TRACKED_BARS = 4;

/**
 * What a channel last published of each of its recent bars (every cell as its JSON text), so the next update of a
 * bar can carry only the cells that changed. Cells are compared as text: a cell whose derived fields changed (its
 * imbalance flag after a neighbour traded, the point of control moving) counts as changed.
 */
export class FootprintUpdates {
  private readonly bars = new Map<number, { seq: number; cells: Map<string, string> }>();
  private seq = 0;

  next(info: ChannelInfo, bar: FootprintBar, p: AnalyticsParams, kind: SourceKind): BarUpdate {
    const body = footprintBody([bar], p, { symbol: info.symbol, timeframe: info.timeframe }).data as {
      bars: { price_level: number }[];
      bar_stats: unknown[];
    };
    const texts = body.bars.map((c) => JSON.stringify(c));
    const seq = ++this.seq;
    const prev = this.bars.get(bar.start);
    this.bars.delete(bar.start);
    const cells = new Map<string, string>();
    body.bars.forEach((c, i) => cells.set(String(c.price_level), texts[i]!));
    if (!bar.complete) this.bars.set(bar.start, { seq, cells });
    for (const start of this.bars.keys()) {
      if (this.bars.size <= TRACKED_BARS) break;
      this.bars.delete(start);
    }
    const head = (fields: Record<string, unknown>): string => {
      const text = JSON.stringify({ ...info, ...sourceMark(kind), ...fields, bar: body.bar_stats[0] });
      return `{"type":"footprint_update","data":${text.slice(0, -1)},"bars":[`;
    };
    let full: Buffer | undefined;
    const changed =
      prev === undefined
        ? undefined
        : texts.filter((t, i) => prev.cells.get(String(body.bars[i]!.price_level)) !== t);
    return {
      seq,
      base: prev?.seq,
      cells:
        prev === undefined
          ? undefined
          : Buffer.from(`${head({ update: 'cells', seq, base_seq: prev.seq })}${changed!.join(',')}]}}`),
      full: () => (full ??= Buffer.from(`${head({ update: 'bar', seq })}${texts.join(',')}]}}`)),
    };
  }
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
