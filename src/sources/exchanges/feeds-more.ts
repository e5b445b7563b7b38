// Live feed definitions for Bybit v5, OKX v5, Kraken v2 and Bitstamp (EXCHANGES.md §5–§8): URLs (configurable
// bases), subscribe messages, keep-alive, id policy, and the REST backfill where the exchange has an id cursor.
// Registered in FEEDS (feeds.ts).
//
// Choices: Bybit and Bitstamp ids are not contiguous per symbol (UUIDs / spot ids with holes; exchange-wide ids)
// ⇒ `ids: 'unique'`: dedupe by id, no gap detection, no backfill. OKX uses `trades-all` (one fill per push,
// contiguous ids) with backfill over history-trades (`after` cursor, 100 per page, 20 requests / 2 s). Kraken v2
// subscribes with snapshot:true: the last 50 trades replayed on every (re)subscribe fill short reconnect gaps;
// its REST Trades endpoint pages by time, not id, so longer gaps are recorded as lost.

import type { Trade } from '../../core/trade.ts';
import type { Backfiller, FeedDefinition } from './feeds.ts';
import { createBitstampMapper } from './mappers/bitstamp.ts';
import { createBybitMapper, type BybitCategory } from './mappers/bybit.ts';
import { createKrakenMapper } from './mappers/kraken.ts';
import { createOkxMapper, okxTrade } from './mappers/okx.ts';

export type MoreFeedId =
  | 'bybit-spot-publicTrade'
  | 'bybit-linear-publicTrade'
  | 'okx-trades-all'
  | 'kraken-trade'
  | 'bitstamp-live-trades';

export interface KeepAlive {
  /** Text sent by the client every `intervalMs` while connected (application-level ping). */
  readonly text: string;
  readonly intervalMs: number;
}

export interface MoreFeedDefinition extends Omit<FeedDefinition, 'id'> {
  readonly id: MoreFeedId;
  /** 'contiguous': per-symbol integer ids in steps of 1 (sequenced, gaps backfilled); 'unique': dedupe only. */
  readonly ids: 'contiguous' | 'unique';
  /** Client ping the exchange requires; undefined when the server keeps the connection alive by itself. */
  readonly keepAlive?: KeepAlive;
}

const OKX_PAGE = 100;

/** OKX history-trades: `after=<id>` returns trades with smaller ids, newest first; page down until `from`. */
const okxBackfill: Backfiller = async ({ rest, instrument, from, to, signal, onBadRow }) => {
  const out: Trade[] = [];
  let after = to + 1;
  for (;;) {
    const { body } = await rest.getJson(
      'api/v5/market/history-trades',
      { instId: instrument.symbol, type: 1, after, limit: OKX_PAGE },
      1,
      signal,
    );
    const rows = typeof body === 'object' && body !== null ? (body as { data?: unknown }).data : undefined;
    if (!Array.isArray(rows) || rows.length === 0) break;
    let minId = after;
    for (const r of rows) {
      const t = okxTrade(instrument, r);
      if (typeof t === 'string') {
        onBadRow(t, JSON.stringify(r));
        continue;
      }
      const id = t.id as number;
      if (id < minId) minId = id;
      if (id >= from && id <= to) out.push(t);
    }
    if (minId <= from || minId >= after) break;
    after = minId;
  }
  return out;
};

function bybit(category: BybitCategory): MoreFeedDefinition {
  return {
    id: category === 'spot' ? 'bybit-spot-publicTrade' : 'bybit-linear-publicTrade',
    exchange: category === 'spot' ? 'bybit' : 'bybit-linear',
    ids: 'unique',
    defaultWsBase: 'wss://stream.bybit.com',
    defaultRestBase: 'https://api.bybit.com',
    url: (base) => `${base}/v5/public/${category}`,
    // Spot accepts at most 10 args per subscribe message.
    subscribe: (symbols) => {
      const out: string[] = [];
      for (let i = 0; i < symbols.length; i += 10)
        out.push(
          JSON.stringify({
            req_id: `sub-${i / 10 + 1}`,
            op: 'subscribe',
            args: symbols.slice(i, i + 10).map((s) => `publicTrade.${s}`),
          }),
        );
      return out;
    },
    createMapper: (registry) => createBybitMapper({ category, registry }),
    rest: { minIntervalMs: 10 }, // 600 requests / 5 s per IP
    keepAlive: { text: '{"req_id":"ping","op":"ping"}', intervalMs: 20_000 },
    silenceMs: 60_000, // pongs every 20 s count as life
  };
}

export const MORE_FEEDS: Readonly<Record<MoreFeedId, MoreFeedDefinition>> = {
  'bybit-spot-publicTrade': bybit('spot'),
  'bybit-linear-publicTrade': bybit('linear'),
  'okx-trades-all': {
    id: 'okx-trades-all',
    exchange: 'okx',
    ids: 'contiguous',
    defaultWsBase: 'wss://ws.okx.com:8443',
    defaultRestBase: 'https://www.okx.com',
    url: (base) => `${base}/ws/v5/business`,
    subscribe: (symbols) => [
      JSON.stringify({
        id: '1',
        op: 'subscribe',
        args: symbols.map((instId) => ({ channel: 'trades-all', instId })),
      }),
    ],
    createMapper: (registry) => createOkxMapper({ registry }),
    rest: { minIntervalMs: 100 }, // history-trades: 20 requests / 2 s
    backfill: okxBackfill,
    // OKX cuts a connection silent for 30 s: ping at 20 s.
    keepAlive: { text: 'ping', intervalMs: 20_000 },
    silenceMs: 45_000,
  },
  'kraken-trade': {
    id: 'kraken-trade',
    exchange: 'kraken',
    ids: 'contiguous',
    defaultWsBase: 'wss://ws.kraken.com',
    defaultRestBase: 'https://api.kraken.com',
    url: (base) => `${base}/v2`,
    subscribe: (symbols) => [
      JSON.stringify({
        method: 'subscribe',
        params: { channel: 'trade', symbol: symbols, snapshot: true },
        req_id: 1,
      }),
    ],
    createMapper: (registry) => createKrakenMapper({ registry }),
    rest: { minIntervalMs: 1000 },
    // The server sends a heartbeat every second once subscribed; a client ping is optional.
    keepAlive: { text: '{"method":"ping","req_id":0}', intervalMs: 30_000 },
    silenceMs: 10_000,
  },
  'bitstamp-live-trades': {
    id: 'bitstamp-live-trades',
    exchange: 'bitstamp',
    ids: 'unique',
    defaultWsBase: 'wss://ws.bitstamp.net',
    defaultRestBase: 'https://www.bitstamp.net',
    url: (base) => base,
    subscribe: (symbols) =>
      symbols.map((s) => JSON.stringify({ event: 'bts:subscribe', data: { channel: `live_trades_${s}` } })),
    createMapper: (registry) => createBitstampMapper({ registry }),
    rest: { minIntervalMs: 100 },
    keepAlive: { text: '{"event":"bts:heartbeat"}', intervalMs: 10_000 },
    silenceMs: 60_000, // quiet pairs trade rarely; heartbeat answers count as life
  },
};
