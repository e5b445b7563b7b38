// The contract every exchange feed implements: a PURE mapper from one raw WebSocket frame to trades plus typed
// control events. New exchanges (Bybit, OKX, Kraken, Bitstamp) slot in by implementing `FeedMapper`.

import type { Trade, TradeId } from '../../core/trade.ts';
import type { UnixMicros } from '../../core/units.ts';

/** What one frame meant. A frame can carry several (e.g. a snapshot of many products). */
export type FeedEvent =
  /** Trades of one symbol, sorted by ascending id. `snapshot`: history the server replays on subscribe. */
  | { readonly kind: 'trades'; readonly symbol: string; readonly trades: Trade[]; readonly snapshot: boolean }
  /** The server confirmed a subscription. */
  | { readonly kind: 'subscribed'; readonly detail: string }
  /** Liveness; `lastTradeId` (Coinbase Exchange) tells the newest trade id the exchange has published. */
  | { readonly kind: 'heartbeat'; readonly symbol?: string; readonly lastTradeId?: TradeId }
  /** Connection-wide message counter (Coinbase Advanced Trade `sequence_num`). */
  | { readonly kind: 'sequence'; readonly seq: number }
  /** The server announced it will close the connection: reconnect make-before-break. */
  | { readonly kind: 'serverShutdown'; readonly detail: string }
  /** The exchange reported an error (bad subscribe, rate limit...). */
  | { readonly kind: 'exchangeError'; readonly message: string }
  /** The frame could not be understood: counted and logged with the raw text, never thrown. */
  | { readonly kind: 'bad'; readonly reason: string; readonly raw: string }
  /** A well-formed message of no interest (book updates, tickers...). */
  | { readonly kind: 'ignored' };

export interface FeedMapper {
  /** Venue id written into every Trade, e.g. "binance", "binance-usdm", "coinbase". */
  readonly exchange: string;
  /** Feed id, e.g. "binance-spot-trade", "coinbase-matches". */
  readonly feed: string;
  /** Pure: the same frame and receive time always give the same events. Never throws. */
  map(raw: string, recvTs: UnixMicros): FeedEvent[];
}

export type BadEvent = Extract<FeedEvent, { kind: 'bad' }>;
export const bad = (reason: string, raw: string): BadEvent => ({ kind: 'bad', reason, raw });
export const IGNORED: FeedEvent = { kind: 'ignored' };

/** JSON.parse that returns undefined instead of throwing (garbage and truncated frames are data, not errors). */
export function parseJsonOrUndefined(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
