// Coinbase Exchange `matches` (+ `heartbeat`) frames and REST /products/{id}/trades rows → normalized trades.
// Pure. `side` on Coinbase Exchange is the MAKER's side, so the aggressor is the opposite (sideFromMakerSide).
// `last_match` (the newest trade, replayed on subscribe) is delivered as a one-trade snapshot: the collector
// dedupes it, and after a reconnect it is the first witness of how far the exchange has moved on.

import { toUnitsOrNaN } from '../../../core/decimal.ts';
import type { Instrument, InstrumentRegistry } from '../../../core/instrument.ts';
import { sideFromMakerSide } from '../../../core/classify.ts';
import { parseTime } from '../../../core/time.ts';
import type { Trade, TradeId } from '../../../core/trade.ts';
import { lots, ticks, type UnixMicros } from '../../../core/units.ts';
import { bad, IGNORED, isRecord, parseJsonOrUndefined, type FeedEvent, type FeedMapper } from '../types.ts';

export const COINBASE = 'coinbase';

/** Reads a trade id: integers stay numbers; numeric strings (Advanced Trade) become numbers so both feeds dedupe. */
export function coinbaseTradeId(v: unknown): TradeId | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  if (typeof v === 'string' && v.length > 0) {
    if (/^\d{1,15}$/.test(v)) return Number(v);
    return v;
  }
  return undefined;
}

/** Shared by the Exchange WS, the Exchange REST and the Advanced Trade mapper: fields have the same meaning. */
export function coinbaseTrade(
  inst: Instrument,
  idRaw: unknown,
  price: unknown,
  size: unknown,
  makerSide: unknown,
  time: unknown,
  recvTs: UnixMicros | undefined,
): Trade | string {
  const id = coinbaseTradeId(idRaw);
  if (id === undefined) return 'trade_id is missing or not an id';
  if (typeof price !== 'string' || typeof size !== 'string') return 'price/size are not strings';
  const p = toUnitsOrNaN(price, inst.price);
  if (!(p > 0)) return `price ${price} is not a positive multiple of the tick`;
  const q = toUnitsOrNaN(size, inst.qty);
  if (!(q > 0)) return `size ${size} is not a positive multiple of the lot`;
  if (typeof makerSide !== 'string' || typeof time !== 'string') return 'side/time are not strings';
  try {
    return {
      exchange: COINBASE,
      symbol: inst.symbol,
      id,
      ts: parseTime(time),
      price: ticks(p),
      qty: lots(q),
      side: sideFromMakerSide(makerSide),
      sideSource: 'exchange',
      ...(recvTs === undefined ? {} : { recvTs }),
    };
  } catch (e) {
    return e instanceof Error ? e.message : 'invalid trade';
  }
}

/** Caches registry lookups per product (the hot path must not build keys per frame). */
export function instrumentLookup(
  registry: InstrumentRegistry,
  exchange: string,
): (s: string) => Instrument | undefined {
  const cache = new Map<string, Instrument | undefined>();
  return (symbol) => {
    if (cache.has(symbol)) return cache.get(symbol);
    const i = registry.get(exchange, symbol);
    cache.set(symbol, i);
    return i;
  };
}

export function createCoinbaseMapper(opts: { readonly registry: InstrumentRegistry }): FeedMapper {
  const instrumentOf = instrumentLookup(opts.registry, COINBASE);
  return {
    exchange: COINBASE,
    feed: 'coinbase-matches',
    map(raw: string, recvTs: UnixMicros): FeedEvent[] {
      const v = parseJsonOrUndefined(raw);
      if (!isRecord(v)) return [bad('not a JSON object', raw)];
      const type = v['type'];
      if (type === 'match' || type === 'last_match') {
        const symbol = v['product_id'];
        if (typeof symbol !== 'string') return [bad('missing product_id', raw)];
        const inst = instrumentOf(symbol);
        if (!inst) return [bad(`unknown instrument ${COINBASE}:${symbol}`, raw)];
        const t = coinbaseTrade(inst, v['trade_id'], v['price'], v['size'], v['side'], v['time'], recvTs);
        if (typeof t === 'string') return [bad(t, raw)];
        return [{ kind: 'trades', symbol, trades: [t], snapshot: type === 'last_match' }];
      }
      if (type === 'heartbeat') {
        const symbol = v['product_id'];
        const last = coinbaseTradeId(v['last_trade_id']);
        if (typeof symbol !== 'string' || last === undefined)
          return [bad('heartbeat without product_id/last_trade_id', raw)];
        return [{ kind: 'heartbeat', symbol, lastTradeId: last }];
      }
      if (type === 'subscriptions') return [{ kind: 'subscribed', detail: raw }];
      if (type === 'error') {
        return [
          {
            kind: 'exchangeError',
            message: `${JSON.stringify(v['message'])} ${JSON.stringify(v['reason'] ?? '')}`,
          },
        ];
      }
      if (typeof type !== 'string') return [bad('message without a type', raw)];
      return [IGNORED];
    },
  };
}

/** One row of GET /products/{id}/trades: {time, trade_id, price, size, side (maker side)}. */
export function coinbaseRestTrade(inst: Instrument, row: unknown, recvTs?: UnixMicros): Trade | string {
  if (!isRecord(row)) return 'row is not an object';
  return coinbaseTrade(inst, row['trade_id'], row['price'], row['size'], row['side'], row['time'], recvTs);
}
