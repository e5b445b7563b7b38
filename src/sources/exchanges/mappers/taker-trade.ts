// Shared by the Bybit, OKX, Kraken and Bitstamp mappers: one exchange print → a normalized Trade with exact
// ticks/lots, plus the lossless reading of JSON-number decimals (Kraken sends price/qty as bare numbers).

import { parseIncrement, toUnitsOrNaN, type Increment } from '../../../core/decimal.ts';
import type { Instrument } from '../../../core/instrument.ts';
import type { Trade, TradeId } from '../../../core/trade.ts';
import type { FeedEvent } from '../types.ts';
import { lots, micros, ticks, type Side, type UnixMicros } from '../../../core/units.ts';

export interface TakerPrint {
  readonly id: TradeId;
  readonly price: unknown;
  readonly qty: unknown;
  /** Trade time, µs. */
  readonly ts: number;
  readonly side: Side;
  readonly count?: number;
  /** Parse `qty` with this increment instead of the instrument's (OKX linear contracts). */
  readonly qtyIncrement?: Increment;
}

/** Builds the trade or says why it cannot (the caller turns the reason into a counted bad frame). */
export function takerTrade(inst: Instrument, p: TakerPrint, recvTs: UnixMicros | undefined): Trade | string {
  if (typeof p.price !== 'string' || typeof p.qty !== 'string') return 'price/qty are not decimal strings';
  const price = toUnitsOrNaN(p.price, inst.price);
  if (!(price > 0)) return `price ${p.price} is not a positive multiple of the tick`;
  const qty = toUnitsOrNaN(p.qty, p.qtyIncrement ?? inst.qty);
  if (!(qty > 0)) return `qty ${p.qty} is not a positive multiple of the lot`;
  if (!Number.isSafeInteger(p.ts) || p.ts <= 0) return 'trade time is not a positive integer';
  if (p.count !== undefined && !(Number.isSafeInteger(p.count) && p.count >= 1)) return 'count is not ≥ 1';
  return {
    exchange: inst.exchange,
    symbol: inst.symbol,
    id: p.id,
    ts: micros(p.ts),
    price: ticks(price),
    qty: lots(qty),
    side: p.side,
    sideSource: 'exchange',
    ...(recvTs === undefined ? {} : { recvTs }),
    ...(p.count === undefined || p.count === 1 ? {} : { count: p.count }),
  };
}

/** Taker side words used by Bybit (`Buy`/`Sell`), OKX and Kraken (`buy`/`sell`, v1 `b`/`s`); undefined otherwise. */
export function takerSide(v: unknown): Side | undefined {
  if (v === 'Buy' || v === 'buy' || v === 'b') return 1;
  if (v === 'Sell' || v === 'sell' || v === 's') return -1;
  return undefined;
}

/** Integer milliseconds (number or digit string) → µs; undefined when not an integer. */
export function msToMicros(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d{1,16}$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n * 1000 : undefined;
}

/** Decimal seconds text ("1618678142.557535") → µs exactly (no float multiply); undefined when malformed. */
export function secondsTextToMicros(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const us = toUnitsOrNaN(v, SECOND_IN_MICROS);
  return us > 0 ? us : undefined;
}
const SECOND_IN_MICROS = parseIncrement('0.000001');

/**
 * Turns the JSON-number values of `keys` into strings before JSON.parse, so that `63498.0` stays the decimal
 * the exchange sent (a double would print `63498`, and `0.1 + …` style noise could never appear). Only bare
 * numbers directly after `"key":` are touched; strings and nested values are left alone.
 */
export function quoteNumbers(raw: string, keys: readonly string[]): string {
  let out = raw;
  for (const k of keys) {
    const re = new RegExp(`"${k}":\\s*(-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?)`, 'g');
    out = out.replace(re, `"${k}":"$1"`);
  }
  return out;
}

/** Multiplies two exact increments (OKX linear contract lot × contract value → base-currency lot). */
export function multiplyIncrements(a: Increment, b: Increment): Increment {
  let mantissa = a.mantissa * b.mantissa;
  let decimals = a.decimals + b.decimals;
  while (decimals > 0 && mantissa % 10 === 0) {
    mantissa /= 10;
    decimals--;
  }
  return { mantissa, decimals };
}

/** A decimal given as a JSON number or string → its text, or undefined. Exponent forms are refused. */
export function decimalText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) {
    const s = String(v);
    return /e/i.test(s) ? undefined : s;
  }
  return undefined;
}

/**
 * Collects the prints of one frame: good ones grouped per symbol (frame order kept), each bad element as its own
 * `bad` event, so one malformed element never hides its neighbours.
 */
export class FrameTrades {
  private readonly bySymbol = new Map<string, Trade[]>();
  private readonly bad: FeedEvent[] = [];
  constructor(
    private readonly raw: string,
    private readonly snapshot = false,
  ) {}

  add(t: Trade | string): void {
    if (typeof t === 'string') {
      this.bad.push({ kind: 'bad', reason: t, raw: this.raw });
      return;
    }
    const list = this.bySymbol.get(t.symbol);
    if (list) list.push(t);
    else this.bySymbol.set(t.symbol, [t]);
  }

  /** Trades sorted by ascending id within each symbol when ids are numbers (FeedEvent's contract). */
  events(): FeedEvent[] {
    const out: FeedEvent[] = [];
    for (const [symbol, trades] of this.bySymbol) {
      if (trades.every((t) => typeof t.id === 'number'))
        trades.sort((a, b) => (a.id as number) - (b.id as number));
      out.push({ kind: 'trades', symbol, trades, snapshot: this.snapshot });
    }
    return out.length + this.bad.length === 0 ? [{ kind: 'ignored' }] : [...out, ...this.bad];
  }
}

/** A field for a log/error message: strings and numbers as they are, anything else as JSON. */
export const textOf = (v: unknown): string =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    ? String(v)
    : (JSON.stringify(v) ?? '');
