// The supported live feeds: WebSocket URL and subscribe messages, keep-alive budgets, the pure mapper, and the
// REST backfill of a missing id range within the exchange's rate limits (EXCHANGES.md §1–§4).

import type { Instrument, InstrumentRegistry } from '../../core/instrument.ts';
import type { Trade } from '../../core/trade.ts';
import { US_PER_HOUR } from '../../core/time.ts';
import { binanceRestAggTrade, binanceRestTrade, createBinanceMapper } from './mappers/binance.ts';
import { coinbaseRestTrade, createCoinbaseMapper } from './mappers/coinbase.ts';
import { createCoinbaseAdvancedMapper } from './mappers/coinbase-advanced.ts';
import type { RestClient, RestClientOptions } from './rest-client.ts';
import type { FeedMapper } from './types.ts';
import { MORE_FEEDS, type MoreFeedId } from './feeds-more.ts';

export interface BackfillRequest {
  readonly rest: RestClient;
  readonly instrument: Instrument;
  /** Inclusive id range to fetch. */
  readonly from: number;
  readonly to: number;
  readonly signal?: AbortSignal;
  /** Called for rows that do not map (counted as bad frames, never thrown). */
  readonly onBadRow: (reason: string, raw: string) => void;
}

/** Fetches the trades of [from, to] the exchange still serves; ids it does not serve are simply absent. */
export type Backfiller = (req: BackfillRequest) => Promise<Trade[]>;

export type FeedId = BaseFeedId | MoreFeedId;

type BaseFeedId =
  | 'binance-spot-trade'
  | 'binance-usdm-trade'
  | 'binance-usdm-aggTrade'
  | 'coinbase-matches'
  | 'coinbase-advanced-market-trades';

/** A message the client must send periodically to keep the socket alive (Bybit, OKX, Kraken, Bitstamp). */
export interface KeepAliveMessage {
  readonly text: string;
  readonly intervalMs: number;
}

export interface FeedDefinition {
  /** A FeedId. */
  readonly id: string;
  /**
   * 'contiguous' (default): per-symbol integer ids in steps of 1 ⇒ sequenced, gaps detected and backfilled.
   * 'unique': ids only identify (UUIDs, exchange-wide ids) ⇒ dedupe within a bounded window, no gap detection.
   */
  readonly ids?: 'contiguous' | 'unique';
  readonly keepAlive?: KeepAliveMessage;
  readonly exchange: string;
  readonly defaultWsBase: string;
  readonly defaultRestBase: string;
  /** WebSocket URL for these symbols on a base URL. */
  url(wsBase: string, symbols: readonly string[]): string;
  subscribe(symbols: readonly string[]): string[];
  createMapper(registry: InstrumentRegistry): FeedMapper;
  /** Rate-limit settings of the REST side. */
  readonly rest: Omit<RestClientOptions, 'baseUrl'>;
  readonly backfill?: Backfiller;
  /** Default watchdog silence and planned lifetime (ms). */
  readonly silenceMs: number;
  readonly maxLifetimeMs?: number;
}

const BINANCE_PAGE = 1000;
const BINANCE_USDM_TRADES_PAGE = 500;
const COINBASE_PAGE = 1000;
/** Reconnect a little before Binance's 24 h cut so the overlap happens on our terms. */
const BINANCE_LIFETIME_MS = 23.5 * (US_PER_HOUR / 1000);

function binanceSubscribe(symbols: readonly string[], kind: string): string[] {
  return [
    JSON.stringify({ method: 'SUBSCRIBE', params: symbols.map((s) => `${s.toLowerCase()}@${kind}`), id: 1 }),
  ];
}

/** Pages `fromId` forward (ascending ids) until `to` is covered or the exchange has nothing more. */
function binanceFromIdBackfill(
  path: string,
  weight: number,
  limit: number,
  row: (inst: Instrument, r: unknown) => Trade | string,
): Backfiller {
  return async ({ rest, instrument, from, to, signal, onBadRow }) => {
    const out: Trade[] = [];
    let fromId = from;
    while (fromId <= to) {
      const { body } = await rest.getJson(path, { symbol: instrument.symbol, fromId, limit }, weight, signal);
      if (!Array.isArray(body) || body.length === 0) break;
      let maxId = fromId - 1;
      for (const r of body) {
        const t = row(instrument, r);
        if (typeof t === 'string') {
          onBadRow(t, JSON.stringify(r));
          continue;
        }
        const id = t.id as number;
        if (id > maxId) maxId = id;
        if (id >= from && id <= to) out.push(t);
      }
      if (maxId < fromId) break; // no progress: stop rather than loop
      fromId = maxId + 1;
    }
    return out;
  };
}

/** Coinbase: `after=<to+1>` returns trades with id ≤ to, newest first; follow CB-AFTER until `from` is reached. */
const coinbaseBackfill: Backfiller = async ({ rest, instrument, from, to, signal, onBadRow }) => {
  const out: Trade[] = [];
  let after = to + 1;
  for (;;) {
    const { body, headers } = await rest.getJson(
      `products/${encodeURIComponent(instrument.symbol)}/trades`,
      { after, limit: COINBASE_PAGE },
      1,
      signal,
    );
    if (!Array.isArray(body) || body.length === 0) break;
    let minId = after;
    for (const r of body) {
      const t = coinbaseRestTrade(instrument, r);
      if (typeof t === 'string') {
        onBadRow(t, JSON.stringify(r));
        continue;
      }
      const id = t.id as number;
      if (id < minId) minId = id;
      if (id >= from && id <= to) out.push(t);
    }
    const cursor = Number(headers.get('cb-after'));
    const nextAfter = Number.isSafeInteger(cursor) && cursor > 0 ? cursor : minId;
    if (minId <= from || nextAfter >= after) break;
    after = nextAfter;
  }
  return out;
};

const binanceRest = (limit: number): Omit<RestClientOptions, 'baseUrl'> => ({
  weightLimitPerMinute: limit,
  usedWeightHeader: 'x-mbx-used-weight-1m',
});

const BASE_FEEDS: Readonly<Record<BaseFeedId, FeedDefinition>> = {
  'binance-spot-trade': {
    id: 'binance-spot-trade',
    exchange: 'binance',
    defaultWsBase: 'wss://stream.binance.com:9443',
    defaultRestBase: 'https://api.binance.com',
    url: (base) => `${base}/stream`,
    subscribe: (symbols) => binanceSubscribe(symbols, 'trade'),
    createMapper: (registry) => createBinanceMapper({ exchange: 'binance', stream: 'trade', registry }),
    rest: binanceRest(6000),
    backfill: binanceFromIdBackfill('api/v3/historicalTrades', 25, BINANCE_PAGE, (i, r) =>
      binanceRestTrade('binance', i, r),
    ),
    silenceMs: 60_000, // the server pings every 20 s, and pings count as life
    maxLifetimeMs: BINANCE_LIFETIME_MS,
  },
  'binance-usdm-trade': {
    id: 'binance-usdm-trade',
    exchange: 'binance-usdm',
    defaultWsBase: 'wss://fstream.binance.com/public',
    defaultRestBase: 'https://fapi.binance.com',
    url: (base) => `${base}/stream`,
    subscribe: (symbols) => binanceSubscribe(symbols, 'trade'),
    createMapper: (registry) => createBinanceMapper({ exchange: 'binance-usdm', stream: 'trade', registry }),
    rest: binanceRest(2400),
    // Needs X-MBX-APIKEY (pass it in the collector's rest headers); market trades only, last month only.
    backfill: binanceFromIdBackfill('fapi/v1/historicalTrades', 20, BINANCE_USDM_TRADES_PAGE, (i, r) =>
      binanceRestTrade('binance-usdm', i, r),
    ),
    silenceMs: 60_000,
    maxLifetimeMs: BINANCE_LIFETIME_MS,
  },
  'binance-usdm-aggTrade': {
    id: 'binance-usdm-aggTrade',
    exchange: 'binance-usdm',
    defaultWsBase: 'wss://fstream.binance.com/market',
    defaultRestBase: 'https://fapi.binance.com',
    url: (base) => `${base}/stream`,
    subscribe: (symbols) => binanceSubscribe(symbols, 'aggTrade'),
    createMapper: (registry) =>
      createBinanceMapper({ exchange: 'binance-usdm', stream: 'aggTrade', registry }),
    rest: binanceRest(2400),
    backfill: binanceFromIdBackfill('fapi/v1/aggTrades', 20, BINANCE_PAGE, (i, r) =>
      binanceRestAggTrade('binance-usdm', i, r),
    ),
    silenceMs: 60_000,
    maxLifetimeMs: BINANCE_LIFETIME_MS,
  },
  'coinbase-matches': {
    id: 'coinbase-matches',
    exchange: 'coinbase',
    defaultWsBase: 'wss://ws-feed.exchange.coinbase.com',
    defaultRestBase: 'https://api.exchange.coinbase.com',
    url: (base) => base,
    subscribe: (symbols) => [
      JSON.stringify({ type: 'subscribe', product_ids: symbols, channels: ['matches', 'heartbeat'] }),
    ],
    createMapper: (registry) => createCoinbaseMapper({ registry }),
    rest: { minIntervalMs: 100 },
    backfill: coinbaseBackfill,
    silenceMs: 5_000, // heartbeat every second per product
  },
  'coinbase-advanced-market-trades': {
    id: 'coinbase-advanced-market-trades',
    exchange: 'coinbase',
    defaultWsBase: 'wss://advanced-trade-ws.coinbase.com',
    // Advanced Trade ids are the Exchange ids: the Exchange REST endpoint gives an id-exact backfill.
    defaultRestBase: 'https://api.exchange.coinbase.com',
    url: (base) => base,
    subscribe: (symbols) => [
      JSON.stringify({ type: 'subscribe', product_ids: symbols, channel: 'market_trades' }),
      JSON.stringify({ type: 'subscribe', product_ids: symbols, channel: 'heartbeats' }),
    ],
    createMapper: (registry) => createCoinbaseAdvancedMapper({ registry }),
    rest: { minIntervalMs: 100 },
    backfill: coinbaseBackfill,
    silenceMs: 5_000,
  },
};

/** Every live feed: Binance and Coinbase here, Bybit, OKX, Kraken and Bitstamp in feeds-more.ts. */
export const FEEDS: Readonly<Record<FeedId, FeedDefinition>> = { ...BASE_FEEDS, ...MORE_FEEDS };
