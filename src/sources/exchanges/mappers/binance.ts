// Binance spot and USD-M `@trade` / `@aggTrade` frames (combined or raw streams) → normalized trades, plus the
// REST rows used for backfill (historicalTrades, aggTrades). Pure: no I/O, time comes from the frame.
//
// Choices: `m` true ⇒ the taker sold (-1). `T` above 1e15 is read as µs (timeUnit=MICROSECOND), else ms.
// USD-M trades with X ≠ MARKET (insurance fund, ADL) are real prints of the id sequence and are delivered
// unchanged (no data manipulation); REST does not serve them, so a gap over one is recorded as lost.

import { toUnitsOrNaN } from '../../../core/decimal.ts';
import type { Instrument, InstrumentRegistry } from '../../../core/instrument.ts';
import type { Trade } from '../../../core/trade.ts';
import { lots, micros, ticks, type UnixMicros } from '../../../core/units.ts';
import { sideFromBuyerIsMaker } from '../../../core/classify.ts';
import { bad, IGNORED, isRecord, parseJsonOrUndefined, type FeedEvent, type FeedMapper } from '../types.ts';
import { scanFlatInto, type FlatSink, type FlatValue } from './flat-json.ts';

export type BinanceVenue = 'binance' | 'binance-usdm';
export type BinanceStreamKind = 'trade' | 'aggTrade';

export interface BinanceMapperOptions {
  readonly exchange: BinanceVenue;
  readonly stream: BinanceStreamKind;
  readonly registry: InstrumentRegistry;
  /** false forces JSON.parse for every frame (tests compare both paths). Default true. */
  readonly fastPath?: boolean;
}

/** Binance trade time: µs when the connection asked for timeUnit=MICROSECOND (16 digits), else ms. */
export const binanceTimeToMicros = (t: number): number => (t > 1e15 ? t : t * 1000);

/** Builds a trade from the fields Binance uses in both the WS event and the REST row. */
function buildTrade(
  exchange: string,
  inst: Instrument,
  id: unknown,
  price: unknown,
  qty: unknown,
  time: unknown,
  buyerIsMaker: unknown,
  count: number,
  recvTs: UnixMicros | undefined,
): Trade | string {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return 'trade id is not an integer';
  if (typeof price !== 'string' || typeof qty !== 'string') return 'price/qty are not strings';
  const p = toUnitsOrNaN(price, inst.price);
  if (!(p > 0)) return `price ${price} is not a positive multiple of the tick`;
  const q = toUnitsOrNaN(qty, inst.qty);
  if (!(q > 0)) return `qty ${qty} is not a positive multiple of the lot`;
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || time <= 0)
    return 'trade time is not an integer';
  if (typeof buyerIsMaker !== 'boolean') return 'm/isBuyerMaker is not a boolean';
  if (!(count >= 1)) return 'aggregate covers no trades';
  // Built as one literal per shape (no spreads): this runs once per trade on the hot path.
  const side = sideFromBuyerIsMaker(buyerIsMaker);
  const ts = micros(binanceTimeToMicros(time));
  if (recvTs === undefined)
    return count === 1
      ? { exchange, symbol: inst.symbol, id, ts, price: ticks(p), qty: lots(q), side, sideSource: 'exchange' }
      : {
          exchange,
          symbol: inst.symbol,
          id,
          ts,
          price: ticks(p),
          qty: lots(q),
          side,
          sideSource: 'exchange',
          count,
        };
  const t: Trade =
    count === 1
      ? {
          exchange,
          symbol: inst.symbol,
          id,
          ts,
          price: ticks(p),
          qty: lots(q),
          side,
          sideSource: 'exchange',
          recvTs,
        }
      : {
          exchange,
          symbol: inst.symbol,
          id,
          ts,
          price: ticks(p),
          qty: lots(q),
          side,
          sideSource: 'exchange',
          recvTs,
          count,
        };
  return t;
}

/** The members of a Binance event the mapper reads, in a fixed-shape object reused for every frame. */
class BinanceFields implements FlatSink {
  e: unknown;
  s: unknown;
  t: unknown;
  p: unknown;
  q: unknown;
  T: unknown;
  m: unknown;
  a: unknown;
  f: unknown;
  l: unknown;
  /** A subscribe reply or error in raw-stream form: left to the JSON.parse path. */
  control = false;

  reset(): this {
    this.e = this.s = this.t = this.p = this.q = this.T = this.m = this.a = this.f = this.l = undefined;
    this.control = false;
    return this;
  }

  set(key: string, v: FlatValue): void {
    switch (key) {
      case 'e':
        this.e = v;
        break;
      case 's':
        this.s = v;
        break;
      case 't':
        this.t = v;
        break;
      case 'p':
        this.p = v;
        break;
      case 'q':
        this.q = v;
        break;
      case 'T':
        this.T = v;
        break;
      case 'm':
        this.m = v;
        break;
      case 'a':
        this.a = v;
        break;
      case 'f':
        this.f = v;
        break;
      case 'l':
        this.l = v;
        break;
      case 'result':
      case 'code':
      case 'error':
        this.control = true;
        break;
    }
  }

  fromObject(d: Record<string, unknown>): this {
    this.reset();
    this.e = d['e'];
    this.s = d['s'];
    this.t = d['t'];
    this.p = d['p'];
    this.q = d['q'];
    this.T = d['T'];
    this.m = d['m'];
    this.a = d['a'];
    this.f = d['f'];
    this.l = d['l'];
    return this;
  }
}

export function createBinanceMapper(opts: BinanceMapperOptions): FeedMapper {
  const { exchange, stream, registry } = opts;
  const useFast = opts.fastPath ?? true;
  const instruments = new Map<string, Instrument | undefined>();
  const instrumentOf = (symbol: string): Instrument | undefined => {
    let i = instruments.get(symbol);
    if (i === undefined && !instruments.has(symbol)) {
      i = registry.get(exchange, symbol);
      instruments.set(symbol, i);
    }
    return i;
  };

  const fields = new BinanceFields();
  const fromData = (d: BinanceFields, raw: string, recvTs: UnixMicros): FeedEvent[] => {
    const e = d.e;
    if (e === 'serverShutdown') return [{ kind: 'serverShutdown', detail: raw }];
    if (e !== stream) return [IGNORED];
    const symbol = d.s;
    if (typeof symbol !== 'string') return [bad('missing symbol', raw)];
    const inst = instrumentOf(symbol);
    if (!inst) return [bad(`unknown instrument ${exchange}:${symbol}`, raw)];
    let r: Trade | string;
    if (stream === 'trade') {
      r = buildTrade(exchange, inst, d.t, d.p, d.q, d.T, d.m, 1, recvTs);
    } else {
      const f = d.f;
      const l = d.l;
      if (
        typeof f !== 'number' ||
        typeof l !== 'number' ||
        !Number.isSafeInteger(f) ||
        !Number.isSafeInteger(l)
      )
        return [bad('aggTrade f/l are not integers', raw)];
      r = buildTrade(exchange, inst, d.a, d.p, d.q, d.T, d.m, l - f + 1, recvTs);
    }
    if (typeof r === 'string') return [bad(r, raw)];
    return [{ kind: 'trades', symbol, trades: [r], snapshot: false }];
  };

  const slow = (raw: string, recvTs: UnixMicros): FeedEvent[] => {
    const v = parseJsonOrUndefined(raw);
    if (!isRecord(v)) return [bad('not a JSON object', raw)];
    if ('result' in v && 'id' in v) return [{ kind: 'subscribed', detail: raw }];
    const error = v['error'];
    if (isRecord(error))
      return [{ kind: 'exchangeError', message: `${String(error['code'])} ${String(error['msg'])}` }];
    if (typeof v['code'] === 'number' && typeof v['msg'] === 'string')
      return [{ kind: 'exchangeError', message: `${v['code']} ${v['msg']}` }];
    if (v['stream'] === '!serverShutdown') return [{ kind: 'serverShutdown', detail: raw }];
    const data = 'stream' in v ? v['data'] : v;
    if (!isRecord(data)) return [bad('combined-stream frame without a data object', raw)];
    return fromData(fields.fromObject(data), raw, recvTs);
  };

  return {
    exchange,
    feed: `${exchange}-${stream}`,
    map(raw: string, recvTs: UnixMicros): FeedEvent[] {
      if (useFast && scanCombined(raw, fields.reset())) return fromData(fields, raw, recvTs);
      return slow(raw, recvTs);
    },
  };
}

/** Fast path for `{"stream":"x","data":{flat}}` and a raw `{flat}` frame into `out`; false ⇒ use JSON.parse. */
function scanCombined(raw: string, out: BinanceFields): boolean {
  if (raw.startsWith('{"stream":"')) {
    let q = 11;
    for (; q < raw.length; q++) {
      const c = raw.charCodeAt(q);
      if (c === 34) break;
      if (c === 92 || c < 32) return false; // escapes: let JSON.parse judge
    }
    // "!serverShutdown" and other system streams take the JSON.parse path.
    if (q >= raw.length || raw.charCodeAt(11) === 33 || !raw.startsWith(',"data":', q + 1)) return false;
    const end = scanFlatInto(raw, q + 9, out);
    return end === raw.length - 1 && raw.charCodeAt(end) === 125;
  }
  const end = scanFlatInto(raw, 0, out);
  return end === raw.length && !out.control;
}

/** One row of GET /api/v3/historicalTrades or /fapi/v1/historicalTrades. */
export function binanceRestTrade(
  exchange: BinanceVenue,
  inst: Instrument,
  row: unknown,
  recvTs?: UnixMicros,
): Trade | string {
  if (!isRecord(row)) return 'row is not an object';
  return buildTrade(
    exchange,
    inst,
    row['id'],
    row['price'],
    row['qty'],
    row['time'],
    row['isBuyerMaker'],
    1,
    recvTs,
  );
}

/** One row of GET /api/v3/aggTrades or /fapi/v1/aggTrades (same keys as the WS event). */
export function binanceRestAggTrade(
  exchange: BinanceVenue,
  inst: Instrument,
  row: unknown,
  recvTs?: UnixMicros,
): Trade | string {
  if (!isRecord(row)) return 'row is not an object';
  const f = row['f'];
  const l = row['l'];
  if (typeof f !== 'number' || typeof l !== 'number') return 'aggTrade f/l are not integers';
  return buildTrade(exchange, inst, row['a'], row['p'], row['q'], row['T'], row['m'], l - f + 1, recvTs);
}
