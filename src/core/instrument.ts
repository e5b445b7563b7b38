// Instruments (tick size, lot size, contract multiplier) and markets (sets of instruments summed together).

import {
  finestCommonIncrement,
  formatIncrement,
  parseIncrement,
  significantDecimals,
  type Increment,
} from './decimal.ts';
import { OrderflowError } from './errors.ts';

export type InstrumentKind = 'spot' | 'linear' | 'inverse';

/** The grid an engine works on: price in ticks of `price`, quantity in lots of `qty`. */
export interface Scale {
  readonly price: Increment;
  readonly qty: Increment;
  /** What a quantity lot counts: base currency, or contracts of an inverse future. */
  readonly volumeUnit: 'base' | 'contracts';
}

export interface Instrument extends Scale {
  readonly exchange: string;
  readonly symbol: string;
  readonly kind: InstrumentKind;
  readonly base: string;
  readonly quote: string;
  /** Inverse contracts: quote value of one contract (e.g. "100" USD for BTCUSD_PERP). */
  readonly contractMultiplier?: string;
  /** Where the increments came from. */
  readonly source: 'known' | 'config' | 'exchange' | 'inferred';
}

export const instrumentKey = (exchange: string, symbol: string): string => `${exchange}:${symbol}`;

interface KnownRow {
  exchange: string;
  symbol: string;
  kind: InstrumentKind;
  base: string;
  quote: string;
  tick: string;
  step: string;
  multiplier?: string;
}

// Cached fallback of exchange metadata (Binance exchangeInfo PRICE_FILTER/LOT_SIZE, Coinbase products
// increments, ...) for the default markets; live metadata replaces it when the collectors can fetch it.
const KNOWN: readonly KnownRow[] = [
  {
    exchange: 'binance',
    symbol: 'BTCUSDT',
    kind: 'spot',
    base: 'BTC',
    quote: 'USDT',
    tick: '0.01',
    step: '0.00001',
  },
  {
    exchange: 'binance',
    symbol: 'ETHUSDT',
    kind: 'spot',
    base: 'ETH',
    quote: 'USDT',
    tick: '0.01',
    step: '0.0001',
  },
  {
    exchange: 'binance-usdm',
    symbol: 'BTCUSDT',
    kind: 'linear',
    base: 'BTC',
    quote: 'USDT',
    tick: '0.1',
    step: '0.001',
  },
  {
    exchange: 'binance-usdm',
    symbol: 'ETHUSDT',
    kind: 'linear',
    base: 'ETH',
    quote: 'USDT',
    tick: '0.01',
    step: '0.001',
  },
  {
    exchange: 'binance-coinm',
    symbol: 'BTCUSD_PERP',
    kind: 'inverse',
    base: 'BTC',
    quote: 'USD',
    tick: '0.1',
    step: '1',
    multiplier: '100',
  },
  {
    exchange: 'binance-coinm',
    symbol: 'ETHUSD_PERP',
    kind: 'inverse',
    base: 'ETH',
    quote: 'USD',
    tick: '0.01',
    step: '1',
    multiplier: '10',
  },
  {
    exchange: 'coinbase',
    symbol: 'BTC-USD',
    kind: 'spot',
    base: 'BTC',
    quote: 'USD',
    tick: '0.01',
    step: '0.00000001',
  },
  {
    exchange: 'coinbase',
    symbol: 'ETH-USD',
    kind: 'spot',
    base: 'ETH',
    quote: 'USD',
    tick: '0.01',
    step: '0.00000001',
  },
  {
    exchange: 'bybit',
    symbol: 'BTCUSDT',
    kind: 'spot',
    base: 'BTC',
    quote: 'USDT',
    tick: '0.01',
    step: '0.000001',
  },
  {
    exchange: 'bybit-linear',
    symbol: 'BTCUSDT',
    kind: 'linear',
    base: 'BTC',
    quote: 'USDT',
    tick: '0.1',
    step: '0.001',
  },
  {
    exchange: 'bybit',
    symbol: 'ETHUSDT',
    kind: 'spot',
    base: 'ETH',
    quote: 'USDT',
    tick: '0.01',
    step: '0.00001',
  },
  {
    exchange: 'bybit-linear',
    symbol: 'ETHUSDT',
    kind: 'linear',
    base: 'ETH',
    quote: 'USDT',
    tick: '0.01',
    step: '0.01',
  },
  {
    exchange: 'okx',
    symbol: 'ETH-USDT',
    kind: 'spot',
    base: 'ETH',
    quote: 'USDT',
    tick: '0.01',
    step: '0.000001',
  },
  {
    exchange: 'bitstamp',
    symbol: 'ethusd',
    kind: 'spot',
    base: 'ETH',
    quote: 'USD',
    tick: '0.01',
    step: '0.00000001',
  },
  {
    exchange: 'okx',
    symbol: 'BTC-USDT',
    kind: 'spot',
    base: 'BTC',
    quote: 'USDT',
    tick: '0.1',
    step: '0.00000001',
  },
  {
    exchange: 'kraken',
    symbol: 'BTC/USD',
    kind: 'spot',
    base: 'BTC',
    quote: 'USD',
    tick: '0.1',
    step: '0.00000001',
  },
  {
    exchange: 'kraken',
    symbol: 'ETH/USD',
    kind: 'spot',
    base: 'ETH',
    quote: 'USD',
    tick: '0.01',
    step: '0.00000001',
  },
  {
    exchange: 'bitstamp',
    symbol: 'btcusd',
    kind: 'spot',
    base: 'BTC',
    quote: 'USD',
    tick: '1',
    step: '0.00000001',
  },
];

function fromRow(r: KnownRow): Instrument {
  return {
    exchange: r.exchange,
    symbol: r.symbol,
    kind: r.kind,
    base: r.base,
    quote: r.quote,
    price: parseIncrement(r.tick),
    qty: parseIncrement(r.step),
    volumeUnit: r.kind === 'inverse' ? 'contracts' : 'base',
    ...(r.multiplier === undefined ? {} : { contractMultiplier: r.multiplier }),
    source: 'known',
  };
}

/** Instrument registry: known defaults, overridable by config or live exchange metadata. */
export class InstrumentRegistry {
  private readonly byKey = new Map<string, Instrument>();

  constructor(withDefaults = true) {
    if (withDefaults) for (const r of KNOWN) this.set(fromRow(r));
  }

  set(i: Instrument): void {
    this.byKey.set(instrumentKey(i.exchange, i.symbol), i);
  }

  get(exchange: string, symbol: string): Instrument | undefined {
    return this.byKey.get(instrumentKey(exchange, symbol));
  }

  all(): Instrument[] {
    return [...this.byKey.values()];
  }
}

/** Tracks the decimals a stream of price/qty strings really uses, to infer increments when none are known. */
export class DecimalsProbe {
  priceDecimals = 0;
  qtyDecimals = 0;

  observe(price: string, qty: string): void {
    const p = significantDecimals(price);
    if (p > this.priceDecimals) this.priceDecimals = p;
    const q = significantDecimals(qty);
    if (q > this.qtyDecimals) this.qtyDecimals = q;
  }

  scale(): Scale {
    return {
      price: { mantissa: 1, decimals: this.priceDecimals },
      qty: { mantissa: 1, decimals: this.qtyDecimals },
      volumeUnit: 'base',
    };
  }
}

/** Guesses kind/base/quote from an exchange symbol; used for inferred instruments. */
export function inferInstrument(exchange: string, symbol: string, scale: Scale): Instrument {
  const m = /^([A-Z0-9]+?)[-/_]?(USDT|USDC|USD|BUSD|FDUSD|EUR|BTC|ETH)(?:[-_].*)?$/i.exec(symbol);
  const inverse = exchange.endsWith('coinm') || /_PERP$|USD_\d+$/.test(symbol);
  return {
    exchange,
    symbol,
    kind: inverse ? 'inverse' : exchange.endsWith('usdm') || exchange.endsWith('linear') ? 'linear' : 'spot',
    base: m?.[1]?.toUpperCase() ?? symbol,
    quote: m?.[2]?.toUpperCase() ?? '',
    price: scale.price,
    qty: scale.qty,
    volumeUnit: inverse ? 'contracts' : 'base',
    source: 'inferred',
  };
}

/**
 * The scale a market works on: the finest increment among its instruments, so every instrument's ticks
 * map onto it by an integer factor. Inverse (contract) and coin volume are never mixed.
 */
export function marketScale(instruments: readonly Instrument[]): Scale {
  const [first, ...rest] = instruments;
  if (!first) throw new OrderflowError('INVALID_CONFIG', 'a market needs at least one instrument');
  let price = first.price;
  let qty = first.qty;
  for (const i of rest) {
    if (i.volumeUnit !== first.volumeUnit) {
      throw new OrderflowError(
        'INVALID_CONFIG',
        `cannot sum ${i.exchange}:${i.symbol} (${i.volumeUnit}) with ${first.exchange}:${first.symbol} (${first.volumeUnit})`,
      );
    }
    price = finestCommonIncrement(price, i.price);
    qty = finestCommonIncrement(qty, i.qty);
  }
  return { price, qty, volumeUnit: first.volumeUnit };
}

export function describeScale(s: Scale): string {
  return `tick ${formatIncrement(s.price)}, lot ${formatIncrement(s.qty)} (${s.volumeUnit})`;
}

/** Default markets of the spec: `BTC` and `ETH` summed across Binance spot and Coinbase. */
export const DEFAULT_MARKETS: Readonly<Record<string, readonly string[]>> = {
  BTC: ['binance:BTCUSDT', 'coinbase:BTC-USD'],
  ETH: ['binance:ETHUSDT', 'coinbase:ETH-USD'],
};
