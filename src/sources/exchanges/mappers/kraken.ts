// Kraken spot WebSocket v2 `trade` (and the legacy v1 `trade` arrays found in older recordings) and Kraken Futures
// `trade` → normalized trades; spot instruments from REST AssetPairs, futures from /derivatives/api/v3/instruments.
//
// Choices: `side` is the taker side (v1 `b`/`s` too). v2 and Futures send price/qty as JSON numbers: the raw text
// is read losslessly (quoteNumbers) so `63498.0` and `0.00005100` are the decimals the exchange sent. v2 ids are
// `trade_id` (per book, contiguous ⇒ gap-checked). v1 has no trade id: the id is "<time text>#<index in frame>",
// unique within a recording but useless for gap detection (v1 is legacy; collectors use v2). Kraken's own
// "XBT"/"XDG" asset codes are written as BTC/DOGE so v1, v2 and AssetPairs name a pair the same way.
// Futures: id = `seq` (per product); `trade_snapshot` on subscribe is delivered as a snapshot (history).

import { parseIncrement } from '../../../core/decimal.ts';
import type { Instrument, InstrumentRegistry } from '../../../core/instrument.ts';
import { parseTime } from '../../../core/time.ts';
import type { Trade } from '../../../core/trade.ts';
import type { UnixMicros } from '../../../core/units.ts';
import { bad, IGNORED, isRecord, parseJsonOrUndefined, type FeedEvent, type FeedMapper } from '../types.ts';
import { instrumentLookup } from './coinbase.ts';
import {
  decimalText,
  FrameTrades,
  msToMicros,
  quoteNumbers,
  secondsTextToMicros,
  takerSide,
  takerTrade,
  textOf,
} from './taker-trade.ts';

export const KRAKEN = 'kraken';
export const KRAKEN_FUTURES = 'kraken-futures';

/** "XBT/USD" → "BTC/USD", "XDG/EUR" → "DOGE/EUR": one name per pair across v1, v2 and REST. */
export function krakenSymbol(pair: string): string {
  return pair
    .split('/')
    .map((a) => (a === 'XBT' ? 'BTC' : a === 'XDG' ? 'DOGE' : a))
    .join('/');
}

function krakenV2Trade(inst: Instrument, d: Record<string, unknown>, recvTs: UnixMicros): Trade | string {
  const id = d['trade_id'];
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return 'trade_id is not an integer';
  const side = takerSide(d['side']);
  if (side === undefined) return `side ${JSON.stringify(d['side'])} is neither buy nor sell`;
  if (typeof d['timestamp'] !== 'string') return 'timestamp is not a string';
  let ts: number;
  try {
    ts = parseTime(d['timestamp']);
  } catch (e) {
    return e instanceof Error ? e.message : 'bad timestamp';
  }
  return takerTrade(
    inst,
    { id, price: decimalText(d['price']), qty: decimalText(d['qty']), ts, side },
    recvTs,
  );
}

/** v2: {"channel":"trade","type":"snapshot"|"update","data":[{symbol, side, price, qty, ord_type, trade_id, timestamp}]}. */
export function createKrakenMapper(opts: { readonly registry: InstrumentRegistry }): FeedMapper {
  const instrumentOf = instrumentLookup(opts.registry, KRAKEN);
  const v1 = krakenV1Frame(instrumentOf);
  return {
    exchange: KRAKEN,
    feed: 'kraken-trade',
    map(raw: string, recvTs: UnixMicros): FeedEvent[] {
      // v1 arrays end with [..., "<channel>", "<pair>"]: book and ticker arrays are skipped unparsed.
      if (raw.startsWith('['))
        return raw.includes(',"book-') || raw.includes(',"ticker","') ? [IGNORED] : v1(raw, recvTs);
      // Book and ticker updates are recognized by prefix and never parsed.
      if (raw.startsWith('{"channel":"book"') || raw.startsWith('{"channel":"ticker"')) return [IGNORED];
      const isTrade = raw.includes('"channel":"trade"');
      const v = parseJsonOrUndefined(isTrade ? quoteNumbers(raw, ['price', 'qty']) : raw);
      if (!isRecord(v)) return [bad('not a JSON object', raw)];
      const channel = v['channel'];
      if (channel === 'heartbeat') return [{ kind: 'heartbeat' }];
      if (channel === 'trade') {
        const data = v['data'];
        if (!Array.isArray(data)) return [bad('trade message without a data array', raw)];
        const frame = new FrameTrades(raw, v['type'] === 'snapshot');
        for (const d of data) {
          if (!isRecord(d) || typeof d['symbol'] !== 'string') {
            frame.add('trade without a symbol');
            continue;
          }
          const inst = instrumentOf(krakenSymbol(d['symbol']));
          frame.add(inst ? krakenV2Trade(inst, d, recvTs) : `unknown instrument ${KRAKEN}:${d['symbol']}`);
        }
        return frame.events();
      }
      const method = v['method'];
      if (method === 'pong') return [{ kind: 'heartbeat' }];
      if (method === 'subscribe') {
        if (v['success'] === false)
          return [{ kind: 'exchangeError', message: `subscribe: ${textOf(v['error'])}` }];
        return [{ kind: 'subscribed', detail: raw }];
      }
      if (v['error'] !== undefined && v['success'] === false)
        return [{ kind: 'exchangeError', message: textOf(v['error']) }];
      // v1 control events share the socket format of objects.
      const event = v['event'];
      if (event === 'heartbeat' || event === 'pong') return [{ kind: 'heartbeat' }];
      if (event === 'subscriptionStatus') {
        if (v['status'] === 'error') return [{ kind: 'exchangeError', message: textOf(v['errorMessage']) }];
        return [{ kind: 'subscribed', detail: raw }];
      }
      if (channel === undefined && event === undefined && method === undefined)
        return [bad('message without channel, method or event', raw)];
      return [IGNORED];
    },
  };
}

/** v1: [channelID, [[price, volume, time, side, ordType, misc], ...], "trade", "XBT/USD"]. */
function krakenV1Frame(
  instrumentOf: (s: string) => Instrument | undefined,
): (raw: string, recvTs: UnixMicros) => FeedEvent[] {
  return (raw, recvTs) => {
    const parsed = parseJsonOrUndefined(raw);
    if (!Array.isArray(parsed)) return [bad('not a JSON array', raw)];
    const v = parsed as unknown[];
    const name = v[v.length - 2];
    const pair = v[v.length - 1];
    if (name !== 'trade')
      return typeof name === 'string' ? [IGNORED] : [bad('v1 array without a channel name', raw)];
    const rows = v[1];
    if (typeof pair !== 'string' || !Array.isArray(rows)) return [bad('v1 trade without pair/rows', raw)];
    const inst = instrumentOf(krakenSymbol(pair));
    if (!inst) return [bad(`unknown instrument ${KRAKEN}:${pair}`, raw)];
    const frame = new FrameTrades(raw);
    rows.forEach((r: unknown, i) => {
      if (!Array.isArray(r)) return frame.add('v1 trade row is not an array');
      const [price, volume, time, sideRaw] = r as unknown[];
      const ts = secondsTextToMicros(time);
      const side = takerSide(sideRaw);
      if (ts === undefined || side === undefined) return frame.add('v1 trade row without time/side');
      frame.add(takerTrade(inst, { id: `${textOf(time)}#${i}`, price, qty: volume, ts, side }, recvTs));
    });
    return frame.events();
  };
}

/** Spot instruments from GET /0/public/AssetPairs: tick = tick_size or 10^-pair_decimals, lot = 10^-lot_decimals. */
export function krakenInstruments(body: unknown): Instrument[] {
  if (!isRecord(body) || !isRecord(body['result'])) return [];
  const out: Instrument[] = [];
  for (const r of Object.values(body['result'])) {
    if (!isRecord(r) || typeof r['wsname'] !== 'string') continue;
    const pd = r['pair_decimals'];
    const ld = r['lot_decimals'];
    if (typeof pd !== 'number' || typeof ld !== 'number') continue;
    const symbol = krakenSymbol(r['wsname']);
    const [base = '', quote = ''] = symbol.split('/');
    try {
      out.push({
        exchange: KRAKEN,
        symbol,
        kind: 'spot',
        base,
        quote,
        price:
          typeof r['tick_size'] === 'string' ? parseIncrement(r['tick_size']) : { mantissa: 1, decimals: pd },
        qty: { mantissa: 1, decimals: ld },
        volumeUnit: 'base',
        source: 'exchange',
      });
    } catch {
      // skipped: unusable tick
    }
  }
  return out;
}

function krakenFuturesTrade(
  inst: Instrument,
  d: Record<string, unknown>,
  recvTs: UnixMicros,
): Trade | string {
  const id = d['seq'];
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return 'seq is not an integer';
  const side = takerSide(d['side']);
  if (side === undefined) return `side ${JSON.stringify(d['side'])} is neither buy nor sell`;
  const ts = msToMicros(d['time']);
  if (ts === undefined) return 'time is not an integer of ms';
  return takerTrade(
    inst,
    { id, price: decimalText(d['price']), qty: decimalText(d['qty']), ts, side },
    recvTs,
  );
}

/** Kraken Futures v1 feed `trade` / `trade_snapshot`; symbols are the upper-case product ids (PI_XBTUSD). */
export function createKrakenFuturesMapper(opts: { readonly registry: InstrumentRegistry }): FeedMapper {
  const instrumentOf = instrumentLookup(opts.registry, KRAKEN_FUTURES);
  return {
    exchange: KRAKEN_FUTURES,
    feed: 'kraken-futures-trade',
    map(raw: string, recvTs: UnixMicros): FeedEvent[] {
      if (raw.startsWith('{"feed":"book') || raw.startsWith('{"feed":"ticker')) return [IGNORED];
      const isTrade = raw.includes('"feed":"trade');
      const v = parseJsonOrUndefined(isTrade ? quoteNumbers(raw, ['price', 'qty']) : raw);
      if (!isRecord(v)) return [bad('not a JSON object', raw)];
      const feed = v['feed'];
      const event = v['event'];
      if (event === 'subscribed') return [{ kind: 'subscribed', detail: raw }];
      if (event === 'error' || event === 'alert')
        return [{ kind: 'exchangeError', message: textOf(v['message']) }];
      if (feed === 'heartbeat') return [{ kind: 'heartbeat' }];
      if (feed !== 'trade' && feed !== 'trade_snapshot') return [IGNORED];
      const rows = feed === 'trade' ? [v] : v['trades'];
      if (!Array.isArray(rows)) return [bad('trade_snapshot without trades', raw)];
      const frame = new FrameTrades(raw, feed === 'trade_snapshot');
      for (const d of rows) {
        if (!isRecord(d) || typeof d['product_id'] !== 'string') {
          frame.add('trade without product_id');
          continue;
        }
        const inst = instrumentOf(d['product_id'].toUpperCase());
        frame.add(
          inst
            ? krakenFuturesTrade(inst, d, recvTs)
            : `unknown instrument ${KRAKEN_FUTURES}:${d['product_id']}`,
        );
      }
      return frame.events();
    },
  };
}

/** Kraken Futures inverse instruments from /derivatives/api/v3/instruments: contracts of `contractSize` USD. */
export function krakenFuturesInstruments(body: unknown): Instrument[] {
  if (!isRecord(body) || !Array.isArray(body['instruments'])) return [];
  const out: Instrument[] = [];
  for (const r of body['instruments']) {
    if (!isRecord(r) || typeof r['symbol'] !== 'string' || typeof r['tickSize'] !== 'number') continue;
    // Inverse contracts only (pi_/fi_): multi-collateral pf_ contracts have fractional sizes not in this feed.
    const m = /^(?:pi|fi)_([a-z]+?)(usd|eur|gbp)(?:_\d+)?$/i.exec(r['symbol']);
    if (!m) continue;
    try {
      out.push({
        exchange: KRAKEN_FUTURES,
        symbol: r['symbol'].toUpperCase(),
        kind: 'inverse',
        base: krakenSymbol(m[1]!.toUpperCase()),
        quote: m[2]!.toUpperCase(),
        price: parseIncrement(r['tickSize']),
        // Contract quantities in the feed are whole contracts (qty "320.0").
        qty: { mantissa: 1, decimals: 0 },
        volumeUnit: 'contracts',
        contractMultiplier: textOf(r['contractSize'] ?? 1),
        source: 'exchange',
      });
    } catch {
      // skipped
    }
  }
  return out;
}
