// Typed WebSocket client of /ws/orderflow: subscribe/unsubscribe and typed message handlers. Uses the global
// WebSocket (browsers, Node ≥ 22) or any constructor passed in (e.g. the `ws` package on Node 20).

import {
  FootprintUpdateAssembler,
  FootprintUpdateGap,
  type FootprintUpdateData,
} from './footprint-updates.ts';
import { decodeTickBatch, type StreamTrade, type TickBatch } from './tick-batch.ts';

export interface SubscribeParams {
  symbol: string;
  timeframe?: string;
  aggregation?: 'TIME' | 'VOLUME' | 'TICK_COUNT';
  price_tick_size?: string | number;
  exchange?: string;
  volume_per_bar?: string | number;
  ticks_per_bar?: number;
  /**
   * How the service sends a bar's updates: `cells` (default) only the changed cells after the first update, which
   * this client merges back into whole bars; `bars` every cell each time.
   */
  footprint_updates?: 'cells' | 'bars';
}

/** A signal as REST /signals lists it and the `signal` message sends it (evidence fields depend on `kind`). */
export interface SignalData {
  symbol: string;
  kind: string;
  direction: string;
  time: string;
  bar_start: string;
  price: number;
  evidence: Record<string, unknown>;
}

/** Custom indicator outputs of one closed bar, keyed by indicator name then output name. */
export type IndicatorValues = Record<string, Record<string, number | boolean | null>>;

export interface IndicatorUpdate {
  symbol: string;
  bar_start: string;
  values: IndicatorValues;
}

/** A cross-venue spread net of fees; `end` is null while it is still open. */
export interface ArbitrageOpportunityData {
  symbol: string;
  buy_venue: string;
  sell_venue: string;
  start: string;
  end: string | null;
  max_net_bps: number;
  max_gross_bps: number;
  buy_price: number;
  sell_price: number;
}

/** One venue's flow in a closed bar (the REST cross body's per-venue bar). */
export interface VenueFlowData {
  volume: number;
  buy_volume: number;
  sell_volume: number;
  delta: number;
  trades: number;
  close: number | null;
  buy_imbalances: number;
  sell_imbalances: number;
  stacked_buy_zones: number;
  stacked_sell_zones: number;
  buy_pressure: number;
}

/** A closed bar of a multi-venue TIME channel, every venue side by side (venues that did not trade show zeros). */
export interface CrossUpdateData {
  symbol: string;
  timeframe: string;
  venues: string[];
  bar: { bar_start: string; venues: Record<string, VenueFlowData> };
}

export interface StreamMessages {
  subscribed: {
    channel: 'orderflow';
    symbol: string;
    timeframe: string;
    aggregation: string;
    price_tick_size: number;
    source?: string;
  };
  unsubscribed: { symbol: string };
  snapshot: {
    symbol: string;
    timeframe: string;
    footprint: Record<string, unknown>;
    delta_profile: Record<string, unknown>;
    source?: string;
  };
  /** Columnar; `onTrades` (or decodeTickBatch) gives one object per trade. */
  tick: TickBatch;
  /** Always the whole bar: `cells` updates are merged into it before handlers see them. */
  footprint_update: FootprintUpdateData & { source?: string };
  imbalance_detected: {
    symbol: string;
    timeframe: string;
    zone: { side: 'buy' | 'sell'; low: number; high: number; rows: number; bar_start: string };
  };
  delta_update: {
    symbol: string;
    timeframe: string;
    delta_profile: Record<string, unknown>;
    bar: Record<string, unknown> | null;
  };
  signal: SignalData;
  indicator_update: IndicatorUpdate;
  arbitrage_opportunity: ArbitrageOpportunityData;
  cross_update: CrossUpdateData;
  heartbeat: { time: string };
  notice: { code: string; message: string };
  error: { code: string; message: string };
}
export type StreamMessageType = keyof StreamMessages;

/** The subset of the WebSocket API the client uses. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', l: (e: { data: unknown }) => void): void;
  addEventListener(type: 'open' | 'close' | 'error', l: (e: unknown) => void): void;
}
export type SocketFactory = (url: string) => SocketLike;

export class OrderflowStream {
  readonly socket: SocketLike;
  private readonly handlers = new Map<string, Set<(data: never) => void>>();
  private readonly bars = new FootprintUpdateAssembler();
  readonly opened: Promise<void>;

  /** `url`: ws://host:8090/ws/orderflow; an API key goes as ?token= (browsers cannot set headers). */
  constructor(url: string, o: { apiKey?: string; socket?: SocketFactory } = {}) {
    const full =
      o.apiKey === undefined
        ? url
        : `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(o.apiKey)}`;
    const make: SocketFactory =
      o.socket ??
      ((u) => {
        const WS = (globalThis as { WebSocket?: new (u: string) => SocketLike }).WebSocket;
        if (WS === undefined)
          throw new Error(
            'no global WebSocket: pass { socket: (url) => new WebSocket(url) } from the ws package',
          );
        return new WS(u);
      });
    this.socket = make(full);
    this.opened = new Promise((resolve, reject) => {
      this.socket.addEventListener('open', () => resolve());
      this.socket.addEventListener('error', (e) =>
        reject(e instanceof Error ? e : new Error('WebSocket error')),
      );
    });
    this.socket.addEventListener('message', (e) => {
      const text = typeof e.data === 'string' ? e.data : String(e.data);
      let msg: { type?: string; data?: unknown };
      try {
        msg = JSON.parse(text) as { type?: string; data?: unknown };
      } catch {
        return;
      }
      let data = msg.data;
      if (msg.type === 'footprint_update') {
        try {
          data = this.bars.apply(data as FootprintUpdateData);
        } catch (e) {
          if (!(e instanceof FootprintUpdateGap)) throw e;
          return this.dispatch('error', { code: 'FOOTPRINT_UPDATE_GAP', message: e.message });
        }
      }
      this.dispatch(msg.type ?? '', data);
    });
    this.socket.addEventListener('close', () => this.bars.reset());
  }

  private dispatch(type: string, data: unknown): void {
    const hs = this.handlers.get(type);
    if (hs) for (const h of hs) (h as (d: unknown) => void)(data);
  }

  on<K extends StreamMessageType>(type: K, handler: (data: StreamMessages[K]) => void): () => void {
    let set = this.handlers.get(type);
    if (set === undefined) this.handlers.set(type, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Every trade of every `tick` batch, decoded (the batch comes along for its symbol and source). */
  onTrades(handler: (trades: StreamTrade[], batch: TickBatch) => void): () => void {
    return this.on('tick', (b) => handler(decodeTickBatch(b), b));
  }

  subscribe(p: SubscribeParams): void {
    this.socket.send(JSON.stringify({ type: 'subscribe', data: { channel: 'orderflow', ...p } }));
  }

  unsubscribe(p: SubscribeParams): void {
    this.socket.send(JSON.stringify({ type: 'unsubscribe', data: { channel: 'orderflow', ...p } }));
  }

  close(): void {
    this.socket.close(1000, 'client closing');
  }
}
