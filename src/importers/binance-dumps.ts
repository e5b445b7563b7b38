// The data.binance.vision layout of Binance's public daily dumps: markets, kinds, URLs and the exchange ids the
// store files them under.

import { OrderflowError } from '../core/errors.ts';
import { US_PER_DAY } from '../core/time.ts';
import { parseTime, formatTime } from '../core/time.ts';

export type BinanceMarket = 'spot' | 'usdm' | 'coinm';
export type BinanceDumpKind = 'trades' | 'aggTrades';

export const BINANCE_MARKETS: readonly BinanceMarket[] = ['spot', 'usdm', 'coinm'];
export const BINANCE_DUMP_KINDS: readonly BinanceDumpKind[] = ['trades', 'aggTrades'];
export const DEFAULT_BINANCE_BASE_URL = 'https://data.binance.vision';

/** Exchange id of each market in the store (as the live collectors and file names use them). */
export const BINANCE_MARKET_EXCHANGE: Readonly<Record<BinanceMarket, string>> = {
  spot: 'binance',
  usdm: 'binance-usdm',
  coinm: 'binance-coinm',
};

const MARKET_DIR: Readonly<Record<BinanceMarket, string>> = {
  spot: 'spot',
  usdm: 'futures/um',
  coinm: 'futures/cm',
};

/** `/data/spot/daily/trades/BTCUSDT/BTCUSDT-trades-2024-01-01.zip` (futures under futures/um or futures/cm). */
export function binanceDumpPath(
  market: BinanceMarket,
  kind: BinanceDumpKind,
  symbol: string,
  day: string,
): string {
  const s = symbol.toUpperCase();
  return `/data/${MARKET_DIR[market]}/daily/${kind}/${s}/${s}-${kind}-${day}.zip`;
}

/** The UTC days from..to inclusive as YYYY-MM-DD (dates or RFC3339 times; times are floored to their day). */
export function daysBetween(from: string, to: string): string[] {
  const a = Math.floor(parseTime(from) / US_PER_DAY);
  const b = Math.floor(parseTime(to) / US_PER_DAY);
  if (b < a) throw new OrderflowError('OUT_OF_RANGE', `--to ${to} is before --from ${from}`);
  if (b - a > 366 * 20) throw new OrderflowError('OUT_OF_RANGE', `${from}..${to} spans more than 20 years`);
  const out: string[] = [];
  for (let d = a; d <= b; d++) out.push(formatTime(d * US_PER_DAY).slice(0, 10));
  return out;
}
