// One shared WebSocket to /ws/orderflow: the spec's subscribe message, dispatch by message type, reference-
// counted subscriptions that are re-sent after a reconnect, and reconnect with capped backoff.

import type { StreamMessage } from './types.ts';
// The package's typed client decodes the columnar `tick` batches; the UI shares that one decoder.
import { decodeTickBatch, type StreamTrade, type TickBatch } from '../../../src/client/tick-batch.ts';
// ...and merges a bar's `cells` updates back into whole bars, so the components always get every cell.
import { FootprintUpdateAssembler, type FootprintUpdateData } from '../../../src/client/footprint-updates.ts';

export type { StreamTrade, TickBatch };

export type StreamStatus = 'connecting' | 'open' | 'closed';

export interface Subscription {
  readonly symbol: string;
  readonly timeframe?: string;
  readonly aggregation?: string;
  /** Row size in price units (the service's stream takes the row size, not ticks per row). */
  readonly price_tick_size?: number;
  readonly volume_per_bar?: string;
  readonly ticks_per_bar?: number;
  readonly exchange?: string;
}

type Listener = (msg: StreamMessage) => void;

export interface StreamStats {
  readonly status: StreamStatus;
  readonly messages: number;
  readonly lastMessageAt: number | null;
  readonly reconnects: number;
  readonly lastError: string | null;
}

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10_000;

/** `ws://host/ws/orderflow` for a page served by the service (or `wss://` under HTTPS). */
export function defaultStreamUrl(loc: { protocol: string; host: string }): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws/orderflow`;
}

export class OrderflowStream {
  private ws: WebSocket | null = null;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly statusListeners = new Set<(s: StreamStats) => void>();
  private readonly subs = new Map<string, { sub: Subscription; refs: number }>();
  private readonly bars = new FootprintUpdateAssembler();
  private backoff = BACKOFF_MIN_MS;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closedByUser = false;
  private stats: StreamStats = {
    status: 'closed',
    messages: 0,
    lastMessageAt: null,
    reconnects: 0,
    lastError: null,
  };

  constructor(readonly url: string) {}

  connect(): void {
    this.closedByUser = false;
    if (this.ws !== null) return;
    this.setStats({ status: 'connecting' });
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch (e) {
      this.setStats({ status: 'closed', lastError: String(e) });
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.backoff = BACKOFF_MIN_MS;
      this.setStats({ status: 'open', lastError: null });
      for (const { sub } of this.subs.values()) this.sendSubscribe('subscribe', sub);
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data !== 'string') return;
      let msg: StreamMessage;
      try {
        msg = JSON.parse(ev.data) as StreamMessage;
      } catch {
        return;
      }
      if (msg === null || typeof msg !== 'object' || typeof msg.type !== 'string') return;
      this.setStats({ messages: this.stats.messages + 1, lastMessageAt: Date.now() });
      if (msg.type === 'error') this.setStats({ lastError: errorText(msg) });
      if (msg.type === 'footprint_update') {
        try {
          msg = { ...msg, data: this.bars.apply(msg.data as FootprintUpdateData) };
        } catch (e) {
          // a gap: the bar stays as drawn until its next full update
          this.setStats({ lastError: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
          return;
        }
      }
      for (const l of this.listeners.get(msg.type) ?? []) l(msg);
      for (const l of this.listeners.get('*') ?? []) l(msg);
    };
    ws.onclose = (ev: CloseEvent) => {
      this.ws = null;
      this.bars.reset();
      this.setStats({ status: 'closed', ...(ev.reason ? { lastError: ev.reason } : {}) });
      if (!this.closedByUser) this.scheduleReconnect();
    };
  }

  close(): void {
    this.closedByUser = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.ws?.close();
    this.ws = null;
  }

  /** Listens to one message type ('*' = all); returns the unsubscribe function. */
  on(type: string, fn: Listener): () => void {
    let set = this.listeners.get(type);
    if (set === undefined) this.listeners.set(type, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  /** The trades of every `tick` batch, decoded; a batch that does not decode is reported as the last error. */
  onTrades(fn: (trades: StreamTrade[], batch: TickBatch) => void): () => void {
    return this.on('tick', (msg) => {
      const batch = msg.data as TickBatch;
      let trades: StreamTrade[];
      try {
        trades = decodeTickBatch(batch);
      } catch (e) {
        this.setStats({ lastError: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
        return;
      }
      fn(trades, batch);
    });
  }

  onStatus(fn: (s: StreamStats) => void): () => void {
    this.statusListeners.add(fn);
    fn(this.stats);
    return () => this.statusListeners.delete(fn);
  }

  get current(): StreamStats {
    return this.stats;
  }

  /** Subscribes (reference-counted by identical parameters); returns the function that releases it. */
  subscribe(sub: Subscription): () => void {
    const key = JSON.stringify(sub);
    const entry = this.subs.get(key);
    if (entry !== undefined) entry.refs++;
    else {
      this.subs.set(key, { sub, refs: 1 });
      this.sendSubscribe('subscribe', sub);
    }
    this.connect();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const e = this.subs.get(key);
      if (e === undefined) return;
      if (--e.refs === 0) {
        this.subs.delete(key);
        this.sendSubscribe('unsubscribe', sub);
      }
    };
  }

  private sendSubscribe(type: 'subscribe' | 'unsubscribe', sub: Subscription): void {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    this.ws.send(JSON.stringify({ type, data: { channel: 'orderflow', ...sub } }));
  }

  private scheduleReconnect(): void {
    if (this.timer !== null) return;
    const delay = this.backoff;
    this.backoff = Math.min(BACKOFF_MAX_MS, this.backoff * 2);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.setStats({ reconnects: this.stats.reconnects + 1 });
      this.connect();
    }, delay);
  }

  private setStats(patch: Partial<StreamStats>): void {
    this.stats = { ...this.stats, ...patch };
    for (const l of this.statusListeners) l(this.stats);
  }
}

function errorText(msg: StreamMessage): string {
  const d = msg.data as { code?: string; message?: string } | undefined;
  const e = msg.error ?? d;
  return `${e?.code ?? 'ERROR'}: ${e?.message ?? 'stream error'}`;
}
