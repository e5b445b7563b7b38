// Markets: the spec's `BTC` is a configured set of instruments across exchanges (DESIGN.md §3). Resolves a market
// name or `exchange:SYMBOL` to its instruments and the market scale, and puts an instrument's trades on that scale
// exactly (integer factors, never a float multiply).
//
// Choices: config markets override the defaults of the same name (DEFAULT_MARKETS: BTC, ETH = Binance spot +
// Coinbase); a name containing ':' is always one instrument; a market lists each instrument once; an instrument of
// a market that the registry does not know is an error (a silently smaller market would under-count volume).

import { incrementRatio } from './decimal.ts';
import { OrderflowError } from './errors.ts';
import {
  DEFAULT_MARKETS,
  instrumentKey,
  marketScale,
  type Instrument,
  type InstrumentRegistry,
  type Scale,
} from './instrument.ts';
import type { Trade } from './trade.ts';
import { lots, ticks } from './units.ts';

export type MarketDefinitions = Readonly<Record<string, readonly string[]>>;

export interface MarketMember {
  readonly instrument: Instrument;
  /** Market ticks per instrument tick, market lots per instrument lot (exact integers ≥ 1). */
  readonly priceFactor: number;
  readonly qtyFactor: number;
}

export interface Market {
  /** The name asked for: a market name, or `exchange:SYMBOL`. */
  readonly name: string;
  readonly members: readonly MarketMember[];
  readonly instruments: readonly Instrument[];
  readonly scale: Scale;
}

/** The default markets merged with the configured ones (config wins on a name clash). */
export function marketDefinitions(config: MarketDefinitions = {}): MarketDefinitions {
  return { ...DEFAULT_MARKETS, ...config };
}

/** The factors that put `instrument` on `scale`; an instrument whose increments do not divide evenly is refused. */
export function marketMember(instrument: Instrument, scale: Scale): MarketMember {
  const priceFactor = incrementRatio(instrument.price, scale.price);
  const qtyFactor = incrementRatio(instrument.qty, scale.qty);
  if (priceFactor === undefined || qtyFactor === undefined || instrument.volumeUnit !== scale.volumeUnit) {
    throw new OrderflowError(
      'INVALID_CONFIG',
      `${instrumentKey(instrument.exchange, instrument.symbol)} does not fit the market grid`,
    );
  }
  return { instrument, priceFactor, qtyFactor };
}

/** Resolves "BTC" (a market) or "binance:BTCUSDT" (one instrument) against the registry. */
export function resolveMarket(
  name: string,
  registry: InstrumentRegistry,
  config: MarketDefinitions = {},
): Market {
  const keys = name.includes(':') ? [name] : marketDefinitions(config)[name];
  if (keys === undefined) {
    const known = Object.keys(marketDefinitions(config)).join(', ');
    throw new OrderflowError(
      'INVALID_CONFIG',
      `unknown market ${name} (markets: ${known}; or use exchange:SYMBOL)`,
    );
  }
  if (keys.length === 0) throw new OrderflowError('INVALID_CONFIG', `market ${name} has no instruments`);
  if (new Set(keys).size !== keys.length)
    throw new OrderflowError('INVALID_CONFIG', `market ${name} lists an instrument twice`);
  const instruments = keys.map((k) => {
    const colon = k.indexOf(':');
    const i = colon > 0 ? registry.get(k.slice(0, colon), k.slice(colon + 1)) : undefined;
    if (!i) throw new OrderflowError('INVALID_CONFIG', `market ${name}: unknown instrument ${k}`);
    return i;
  });
  const scale = marketScale(instruments);
  return { name, members: instruments.map((i) => marketMember(i, scale)), instruments, scale };
}

/** One trade on the market grid: price × priceFactor ticks, qty × qtyFactor lots; everything else unchanged. */
export function rescaleTrade(t: Trade, m: MarketMember): Trade {
  if (m.priceFactor === 1 && m.qtyFactor === 1) return t;
  const price = t.price * m.priceFactor;
  const qty = t.qty * m.qtyFactor;
  if (!Number.isSafeInteger(price) || !Number.isSafeInteger(qty)) {
    throw new OrderflowError(
      'OVERFLOW',
      `${t.exchange}:${t.symbol} trade ${String(t.id)} exceeds 2^53 on the market grid`,
    );
  }
  return { ...t, price: ticks(price), qty: lots(qty) };
}

export const rescaleTrades = (trades: readonly Trade[], m: MarketMember): Trade[] =>
  trades.map((t) => rescaleTrade(t, m));

/** Rescales trades of any member, found by (exchange, symbol); trades of other instruments are refused. */
export class MarketRescaler {
  private readonly byKey: Map<string, MarketMember>;
  constructor(readonly market: Market) {
    this.byKey = new Map(
      market.members.map((m) => [instrumentKey(m.instrument.exchange, m.instrument.symbol), m]),
    );
  }

  member(exchange: string, symbol: string): MarketMember | undefined {
    return this.byKey.get(instrumentKey(exchange, symbol));
  }

  rescale(t: Trade): Trade {
    const m = this.member(t.exchange, t.symbol);
    if (!m)
      throw new OrderflowError(
        'INVALID_TRADE',
        `${t.exchange}:${t.symbol} is not part of market ${this.market.name}`,
      );
    return rescaleTrade(t, m);
  }
}
