// OKX v5 `trades` (aggregated per taker order and price) and `trades-all` (one fill per push) → normalized trades;
// instruments from /api/v5/public/instruments; REST history-trades rows for backfill. Pure.
//
// Choices: `side` is the taker side. A `trades` push with `count` = n stands for fills tradeId−n+1 … tradeId:
// it becomes ONE print with id = tradeId (the last fill) and count = n, like a Binance aggTrade. `trades-all`
// prints have count 1 and contiguous ids per instrument, so that channel is the one the collector subscribes.
// Contracts: inverse swaps/futures keep qty in contracts (ctVal quote each); linear swaps are converted to base
// exactly (lots of lotSz × ctVal, never a float multiply).

import { parseIncrement, type Increment } from '../../../core/decimal.ts';
import type { Instrument, InstrumentRegistry } from '../../../core/instrument.ts';
import type { Trade } from '../../../core/trade.ts';
import type { UnixMicros } from '../../../core/units.ts';
import { bad, IGNORED, isRecord, parseJsonOrUndefined, type FeedEvent, type FeedMapper } from '../types.ts';
import { instrumentLookup } from './coinbase.ts';
import { FrameTrades, msToMicros, multiplyIncrements, takerSide, takerTrade, textOf } from './taker-trade.ts';

export const OKX = 'okx';
/** Sent 60 s before a disconnect for a service upgrade: reconnect make-before-break. */
const OKX_UPGRADE_NOTICE = '64008';

/** OKX trade ids are decimal strings well below 2^53: numbers, so they sequence like Binance ids. */
function okxId(v: unknown): number | undefined {
  if (typeof v !== 'string' || !/^\d{1,15}$/.test(v)) return undefined;
  return Number(v);
}

/** The contract-count step of a linear swap: the instrument's base lot divided by the contract value. */
function contractLot(inst: Instrument): Increment | undefined {
  if (inst.kind !== 'linear' || inst.contractMultiplier === undefined) return undefined;
  const ct = parseIncrement(inst.contractMultiplier);
  const d = Math.max(inst.qty.decimals, ct.decimals);
  const q = inst.qty.mantissa * 10 ** (d - inst.qty.decimals);
  const c = ct.mantissa * 10 ** (d - ct.decimals);
  for (let k = 0; k <= 12; k++) {
    const scaled = q * 10 ** k;
    if (scaled % c === 0) return { mantissa: scaled / c, decimals: k };
  }
  return undefined;
}

/** One trade object (WS `data[]` element or REST row). */
export function okxTrade(inst: Instrument, d: unknown, recvTs?: UnixMicros): Trade | string {
  if (!isRecord(d)) return 'trade is not an object';
  const id = okxId(d['tradeId']);
  if (id === undefined) return 'tradeId is not an integer string';
  const side = takerSide(d['side']);
  if (side === undefined) return `side ${JSON.stringify(d['side'])} is neither buy nor sell`;
  const ts = msToMicros(d['ts']);
  if (ts === undefined) return 'ts is not an integer of ms';
  const countRaw = d['count'];
  let count: number | undefined;
  if (countRaw !== undefined && countRaw !== '') {
    count = typeof countRaw === 'string' && /^\d{1,9}$/.test(countRaw) ? Number(countRaw) : NaN;
    if (!(count >= 1)) return `count ${JSON.stringify(countRaw)} is not ≥ 1`;
  }
  const lot = contractLot(inst);
  return takerTrade(
    inst,
    {
      id,
      price: d['px'],
      qty: d['sz'],
      ts,
      side,
      ...(count === undefined ? {} : { count }),
      ...(lot === undefined ? {} : { qtyIncrement: lot }),
    },
    recvTs,
  );
}

export function createOkxMapper(opts: { readonly registry: InstrumentRegistry }): FeedMapper {
  const instrumentOf = instrumentLookup(opts.registry, OKX);
  return {
    exchange: OKX,
    feed: 'okx-trades',
    map(raw: string, recvTs: UnixMicros): FeedEvent[] {
      if (raw === 'pong') return [{ kind: 'heartbeat' }];
      // Other channels (books, tickers) are recognized by prefix and never parsed.
      if (raw.startsWith('{"arg":{"channel":"') && !raw.startsWith('{"arg":{"channel":"trades'))
        return [IGNORED];
      const v = parseJsonOrUndefined(raw);
      if (!isRecord(v)) return [bad('not a JSON object', raw)];
      const event = v['event'];
      if (typeof event === 'string') {
        if (event === 'subscribe') return [{ kind: 'subscribed', detail: raw }];
        if (event === 'error')
          return [{ kind: 'exchangeError', message: `${textOf(v['code'])} ${textOf(v['msg'])}` }];
        if (event === 'notice' && textOf(v['code']) === OKX_UPGRADE_NOTICE)
          return [{ kind: 'serverShutdown', detail: raw }];
        return [IGNORED];
      }
      const arg = v['arg'];
      if (!isRecord(arg)) return [bad('push without arg', raw)];
      const channel = arg['channel'];
      if (channel !== 'trades' && channel !== 'trades-all') return [IGNORED];
      const data = v['data'];
      if (!Array.isArray(data)) return [bad('trades push without a data array', raw)];
      const frame = new FrameTrades(raw);
      for (const d of data) {
        const instId = isRecord(d) ? d['instId'] : undefined;
        if (typeof instId !== 'string') {
          frame.add('trade without instId');
          continue;
        }
        const inst = instrumentOf(instId);
        frame.add(inst ? okxTrade(inst, d, recvTs) : `unknown instrument ${OKX}:${instId}`);
      }
      return frame.events();
    },
  };
}

/** Instruments from /api/v5/public/instruments (SPOT, SWAP, FUTURES); options are skipped. */
export function okxInstruments(body: unknown): Instrument[] {
  if (!isRecord(body) || !Array.isArray(body['data'])) return [];
  const out: Instrument[] = [];
  for (const r of body['data']) {
    if (!isRecord(r)) continue;
    const { instId, instType, tickSz, lotSz, ctType, ctVal } = r;
    if (typeof instId !== 'string' || typeof tickSz !== 'string' || typeof lotSz !== 'string') continue;
    const parts = instId.split('-');
    try {
      if (instType === 'SPOT') {
        out.push({
          exchange: OKX,
          symbol: instId,
          kind: 'spot',
          base: parts[0] ?? '',
          quote: parts[1] ?? '',
          price: parseIncrement(tickSz),
          qty: parseIncrement(lotSz),
          volumeUnit: 'base',
          source: 'exchange',
        });
      } else if ((instType === 'SWAP' || instType === 'FUTURES') && typeof ctVal === 'string') {
        const inverse = ctType === 'inverse';
        out.push({
          exchange: OKX,
          symbol: instId,
          kind: inverse ? 'inverse' : 'linear',
          base: parts[0] ?? '',
          quote: parts[1] ?? '',
          price: parseIncrement(tickSz),
          qty: inverse
            ? parseIncrement(lotSz)
            : multiplyIncrements(parseIncrement(lotSz), parseIncrement(ctVal)),
          volumeUnit: inverse ? 'contracts' : 'base',
          contractMultiplier: ctVal,
          source: 'exchange',
        });
      }
    } catch {
      // Unusable increments: skipped (the cached fallback covers the default markets).
    }
  }
  return out;
}
