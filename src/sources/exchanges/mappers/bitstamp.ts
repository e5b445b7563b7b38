// Bitstamp WebSocket v2 `live_trades_<pair>` → normalized trades; instruments from /api/v2/trading-pairs-info/.
// Pure.
//
// Choices: `type` 0 ⇒ the taker bought, 1 ⇒ sold (read as the taker side, like ccxt/tardis/Kaiko). Decimals come
// from `price_str`/`amount_str` (the JSON numbers `price`/`amount` may have lost digits). Time is `microtimestamp`
// (µs). Symbols are the channel's url_symbol (`btcusd`). Ids are exchange-wide, so per-pair gaps are normal
// (216000477 → 216000484 on ETH/USD in the recording): dedupe by id, never gap detection or backfill.

import type { Instrument, InstrumentRegistry } from '../../../core/instrument.ts';
import type { Trade } from '../../../core/trade.ts';
import type { UnixMicros } from '../../../core/units.ts';
import { bad, IGNORED, isRecord, parseJsonOrUndefined, type FeedEvent, type FeedMapper } from '../types.ts';
import { instrumentLookup } from './coinbase.ts';
import { FrameTrades, takerTrade, textOf } from './taker-trade.ts';

export const BITSTAMP = 'bitstamp';
const TRADES_PREFIX = 'live_trades_';

export function bitstampTrade(inst: Instrument, d: unknown, recvTs?: UnixMicros): Trade | string {
  if (!isRecord(d)) return 'data is not an object';
  const id = d['id'];
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return 'id is not an integer';
  const type = d['type'];
  if (type !== 0 && type !== 1) return `type ${JSON.stringify(type)} is neither 0 (buy) nor 1 (sell)`;
  const us = d['microtimestamp'];
  const ts = typeof us === 'string' && /^\d{1,16}$/.test(us) ? Number(us) : NaN;
  if (!(ts > 0)) return 'microtimestamp is not an integer string';
  return takerTrade(
    inst,
    { id, price: d['price_str'], qty: d['amount_str'], ts, side: type === 0 ? 1 : -1 },
    recvTs,
  );
}

export function createBitstampMapper(opts: { readonly registry: InstrumentRegistry }): FeedMapper {
  const instrumentOf = instrumentLookup(opts.registry, BITSTAMP);
  return {
    exchange: BITSTAMP,
    feed: 'bitstamp-live-trades',
    map(raw: string, recvTs: UnixMicros): FeedEvent[] {
      // Order-book pushes end with their event name: recognized without parsing.
      if (raw.endsWith('"event":"data"}')) return [IGNORED];
      const v = parseJsonOrUndefined(raw);
      if (!isRecord(v)) return [bad('not a JSON object', raw)];
      const event = v['event'];
      const channel = v['channel'];
      if (event === 'trade') {
        if (typeof channel !== 'string' || !channel.startsWith(TRADES_PREFIX))
          return [bad('trade event without a live_trades channel', raw)];
        const symbol = channel.slice(TRADES_PREFIX.length);
        const inst = instrumentOf(symbol);
        const frame = new FrameTrades(raw);
        frame.add(inst ? bitstampTrade(inst, v['data'], recvTs) : `unknown instrument ${BITSTAMP}:${symbol}`);
        return frame.events();
      }
      if (event === 'bts:subscription_succeeded') return [{ kind: 'subscribed', detail: raw }];
      if (event === 'bts:heartbeat') return [{ kind: 'heartbeat' }];
      if (event === 'bts:request_reconnect') return [{ kind: 'serverShutdown', detail: raw }];
      if (event === 'bts:error') {
        const d = isRecord(v['data']) ? v['data'] : {};
        return [{ kind: 'exchangeError', message: `${textOf(d['code'])} ${textOf(d['message'])}` }];
      }
      if (typeof event !== 'string') return [bad('message without an event', raw)];
      return [IGNORED];
    },
  };
}

/** Instruments from /api/v2/trading-pairs-info/: tick 10^-counter_decimals, lot 10^-base_decimals. */
export function bitstampInstruments(body: unknown): Instrument[] {
  if (!Array.isArray(body)) return [];
  const out: Instrument[] = [];
  for (const r of body) {
    if (!isRecord(r)) continue;
    const { url_symbol: sym, name, base_decimals: bd, counter_decimals: cd } = r;
    if (typeof sym !== 'string' || typeof bd !== 'number' || typeof cd !== 'number') continue;
    const [base = '', quote = ''] = typeof name === 'string' ? name.split('/') : [];
    out.push({
      exchange: BITSTAMP,
      symbol: sym,
      kind: 'spot',
      base,
      quote,
      price: { mantissa: 1, decimals: cd },
      qty: { mantissa: 1, decimals: bd },
      volumeUnit: 'base',
      source: 'exchange',
    });
  }
  return out;
}
