// Coinbase Advanced Trade `market_trades` (snapshot + update) and `heartbeats` frames → normalized trades. Pure.
// Side: the recording (2026-08-09) shows `side` is the MAKER side, as the docs say: 75 of 76 trades printed at
// the touch were SELL at the best ask or BUY at the best bid (docs/collectors.md), so the aggressor is the
// opposite. Trade ids are the Exchange feed's ids (venue "coinbase"), so both feeds dedupe against each other.

import type { InstrumentRegistry } from '../../../core/instrument.ts';
import type { Trade } from '../../../core/trade.ts';
import type { UnixMicros } from '../../../core/units.ts';
import { bad, IGNORED, isRecord, parseJsonOrUndefined, type FeedEvent, type FeedMapper } from '../types.ts';
import { COINBASE, coinbaseTrade, instrumentLookup } from './coinbase.ts';

export function compareTradeIds(a: Trade, b: Trade): number {
  if (typeof a.id === 'number' && typeof b.id === 'number') return a.id - b.id;
  return String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0;
}

export function createCoinbaseAdvancedMapper(opts: { readonly registry: InstrumentRegistry }): FeedMapper {
  const instrumentOf = instrumentLookup(opts.registry, COINBASE);
  return {
    exchange: COINBASE,
    feed: 'coinbase-advanced-market-trades',
    map(raw: string, recvTs: UnixMicros): FeedEvent[] {
      const v = parseJsonOrUndefined(raw);
      if (!isRecord(v)) return [bad('not a JSON object', raw)];
      const out: FeedEvent[] = [];
      const seq = v['sequence_num'];
      if (typeof seq === 'number' && Number.isSafeInteger(seq)) out.push({ kind: 'sequence', seq });
      const channel = v['channel'];
      if (v['type'] === 'error') {
        out.push({ kind: 'exchangeError', message: String(v['message']) });
        return out;
      }
      if (channel === 'heartbeats') {
        out.push({ kind: 'heartbeat' });
        return out;
      }
      if (channel === 'subscriptions') {
        out.push({ kind: 'subscribed', detail: raw });
        return out;
      }
      if (channel !== 'market_trades') {
        if (typeof channel !== 'string') return [bad('message without a channel', raw)];
        out.push(IGNORED);
        return out;
      }
      const events = v['events'];
      if (!Array.isArray(events)) return [bad('market_trades without events', raw)];
      for (const ev of events) {
        if (!isRecord(ev) || !Array.isArray(ev['trades'])) {
          out.push(bad('market_trades event without trades', raw));
          continue;
        }
        const snapshot = ev['type'] === 'snapshot';
        const bySymbol = new Map<string, Trade[]>();
        for (const row of ev['trades'] as unknown[]) {
          if (!isRecord(row) || typeof row['product_id'] !== 'string') {
            out.push(bad('trade without product_id', raw));
            continue;
          }
          const symbol = row['product_id'];
          const inst = instrumentOf(symbol);
          if (!inst) {
            out.push(bad(`unknown instrument ${COINBASE}:${symbol}`, raw));
            continue;
          }
          const t = coinbaseTrade(
            inst,
            row['trade_id'],
            row['price'],
            row['size'],
            row['side'],
            row['time'],
            recvTs,
          );
          if (typeof t === 'string') {
            out.push(bad(t, raw));
            continue;
          }
          let list = bySymbol.get(symbol);
          if (!list) bySymbol.set(symbol, (list = []));
          list.push(t);
        }
        // Snapshots come newest first and updates in no promised order: sort so each batch is in id order.
        for (const [symbol, trades] of bySymbol) {
          trades.sort(compareTradeIds);
          out.push({ kind: 'trades', symbol, trades, snapshot });
        }
      }
      return out;
    },
  };
}
