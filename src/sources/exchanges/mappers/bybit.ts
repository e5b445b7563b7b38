// Bybit v5 `publicTrade` frames (spot, linear, inverse) → normalized trades; instruments from
// /v5/market/instruments-info. Pure: no I/O, time comes from the frame.
//
// Choices: `S` is the taker side, used as is. Trade ids stay strings on every category: derivatives send UUIDs,
// and spot ids (e.g. "2290000001189048101") exceed 2^53 and are not contiguous per symbol in the recordings
// (ETHUSDT 2280000001739247417 → …420 on one live connection), so Bybit gets dedupe by id, no gap detection.
// `T` (fill time, ms) is the trade time; the message `ts` is only generation time.

import { parseIncrement } from '../../../core/decimal.ts';
import type { Instrument, InstrumentKind, InstrumentRegistry } from '../../../core/instrument.ts';
import type { Trade } from '../../../core/trade.ts';
import type { UnixMicros } from '../../../core/units.ts';
import { bad, IGNORED, isRecord, parseJsonOrUndefined, type FeedEvent, type FeedMapper } from '../types.ts';
import { instrumentLookup } from './coinbase.ts';
import { FrameTrades, msToMicros, takerSide, takerTrade, textOf } from './taker-trade.ts';

export type BybitCategory = 'spot' | 'linear' | 'inverse';

/** Venue id per category: spot and derivatives are separate books with their own instruments. */
export const BYBIT_EXCHANGE: Readonly<Record<BybitCategory, string>> = {
  spot: 'bybit',
  linear: 'bybit-linear',
  inverse: 'bybit-inverse',
};

/** One element of `data` in a publicTrade push (or a REST recent-trade row after renaming). */
function bybitTrade(
  inst: Instrument,
  d: Record<string, unknown>,
  recvTs: UnixMicros | undefined,
): Trade | string {
  const id = d['i'];
  if (typeof id !== 'string' || id.length === 0) return 'trade id i is missing';
  const side = takerSide(d['S']);
  if (side === undefined) return `taker side S ${JSON.stringify(d['S'])} is neither Buy nor Sell`;
  const ts = msToMicros(d['T']);
  if (ts === undefined) return 'fill time T is not an integer of ms';
  return takerTrade(inst, { id, price: d['p'], qty: d['v'], ts, side }, recvTs);
}

export function createBybitMapper(opts: {
  readonly category: BybitCategory;
  readonly registry: InstrumentRegistry;
}): FeedMapper {
  const exchange = BYBIT_EXCHANGE[opts.category];
  const instrumentOf = instrumentLookup(opts.registry, exchange);
  return {
    exchange,
    feed: `bybit-${opts.category}-publicTrade`,
    map(raw: string, recvTs: UnixMicros): FeedEvent[] {
      // Other topics (order books are most of the traffic) are recognized by prefix and never parsed.
      if (raw.startsWith('{"topic":"') && !raw.startsWith('{"topic":"publicTrade.')) return [IGNORED];
      const v = parseJsonOrUndefined(raw);
      if (!isRecord(v)) return [bad('not a JSON object', raw)];
      const topic = v['topic'];
      if (typeof topic === 'string') {
        if (!topic.startsWith('publicTrade.')) return [IGNORED];
        const data = v['data'];
        if (!Array.isArray(data)) return [bad('publicTrade without a data array', raw)];
        const frame = new FrameTrades(raw);
        for (const d of data) {
          if (!isRecord(d) || typeof d['s'] !== 'string') {
            frame.add('trade without a symbol s');
            continue;
          }
          const inst = instrumentOf(d['s']);
          frame.add(inst ? bybitTrade(inst, d, recvTs) : `unknown instrument ${exchange}:${d['s']}`);
        }
        return frame.events();
      }
      const op = v['op'];
      if (op === 'ping' || op === 'pong' || v['ret_msg'] === 'pong') return [{ kind: 'heartbeat' }];
      if (op === 'subscribe') {
        if (v['success'] === false)
          return [{ kind: 'exchangeError', message: `subscribe: ${textOf(v['ret_msg'])}` }];
        return [{ kind: 'subscribed', detail: raw }];
      }
      if (v['success'] === false) return [{ kind: 'exchangeError', message: textOf(v['ret_msg']) }];
      return [IGNORED];
    },
  };
}

/** One row of GET /v5/market/recent-trade (execId, price, size, side, time): the reconnect overlap check. */
export function bybitRestTrade(inst: Instrument, row: unknown, recvTs?: UnixMicros): Trade | string {
  if (!isRecord(row)) return 'row is not an object';
  return bybitTrade(
    inst,
    { i: row['execId'], p: row['price'], v: row['size'], S: row['side'], T: row['time'] },
    recvTs,
  );
}

/** Instruments of one category from /v5/market/instruments-info (tickSize; qtyStep, or basePrecision on spot). */
export function bybitInstruments(body: unknown, category: BybitCategory): Instrument[] {
  if (!isRecord(body) || !isRecord(body['result']) || !Array.isArray(body['result']['list'])) return [];
  const out: Instrument[] = [];
  const kind: InstrumentKind = category;
  for (const r of body['result']['list']) {
    if (!isRecord(r) || !isRecord(r['priceFilter']) || !isRecord(r['lotSizeFilter'])) continue;
    const tick = r['priceFilter']['tickSize'];
    const step = category === 'spot' ? r['lotSizeFilter']['basePrecision'] : r['lotSizeFilter']['qtyStep'];
    if (typeof r['symbol'] !== 'string' || typeof tick !== 'string' || typeof step !== 'string') continue;
    try {
      out.push({
        exchange: BYBIT_EXCHANGE[category],
        symbol: r['symbol'],
        kind,
        base: textOf(r['baseCoin'] ?? ''),
        quote: textOf(r['quoteCoin'] ?? ''),
        price: parseIncrement(tick),
        qty: parseIncrement(step),
        // Inverse contracts are 1 USD each; their qty is a contract count.
        volumeUnit: category === 'inverse' ? 'contracts' : 'base',
        ...(category === 'inverse' ? { contractMultiplier: '1' } : {}),
        source: 'exchange',
      });
    } catch {
      // An unusable row (zero or malformed increment) is skipped; the cached fallback covers known symbols.
    }
  }
  return out;
}
