// The footprint's default row size: a readable price step per market (BTC 10, ETH 1) or, for any other
// instrument, ~0.01 % of its price rounded to a 1-2-5 step that is a whole multiple of its tick.
//
// Choices: "rounded" = the 1-2-5 step nearest to 0.01 % of the price on a log scale (6.5 → 5, 7.5 → 10), then
// up to a whole number of ticks, never below one tick. BTC and ETH have fixed steps because their 0.01 % (≈6.5
// and ≈0.26 in 2024) would print too many near-empty rows for a footprint; those steps match trading desks'.

/** Fixed default price steps of the known markets (decimal text, in quote units). */
export const MARKET_ROW_STEPS: Readonly<Record<string, string>> = { BTC: '10', ETH: '1' };

/** Fraction of the price one default row spans. */
export const DEFAULT_ROW_FRACTION = 0.0001;

/**
 * The fixed step of a market name (`BTC`) or of an instrument of it quoted in dollars or euros
 * (`binance:BTCUSDT`, `coinbase:ETH-USD`); undefined for anything else (its price decides).
 */
export function marketRowStep(symbol: string): string | undefined {
  const s = symbol.toUpperCase();
  const pair = s.slice(s.indexOf(':') + 1);
  const m = /^(BTC|XBT|ETH)[-/]?(USD|USDT|USDC|FDUSD|EUR)?$/.exec(pair);
  if (m === null) return undefined;
  return MARKET_ROW_STEPS[m[1] === 'XBT' ? 'BTC' : m[1]!];
}

/** Decimals of a finite positive number's shortest decimal text (0.01 → 2, 5 → 0, 1e-7 → 7). */
function decimals(x: number): number {
  const s = x.toString();
  const e = /e-(\d+)$/.exec(s);
  if (e) return Number(e[1]) + (s.split('e')[0]!.split('.')[1]?.length ?? 0);
  return s.split('.')[1]?.length ?? 0;
}

/** The 1-2-5 step (1, 2, 5 × 10^k) nearest to `x` > 0 on a log scale. */
export function nearestStep125(x: number): number {
  const k = Math.floor(Math.log10(x));
  let best = 1;
  let bestDist = Infinity;
  for (const e of [k - 1, k, k + 1]) {
    for (const m of [1, 2, 5]) {
      const v = Number(`${m}e${e}`);
      const d = Math.abs(Math.log(x / v));
      if (d < bestDist - 1e-12) [best, bestDist] = [v, d];
    }
  }
  return best;
}

/**
 * Default row size (decimal text) for an instrument trading at `price` with tick `tick` (both > 0): the 1-2-5
 * step nearest to DEFAULT_ROW_FRACTION of the price, raised to a whole number of ticks (at least one).
 */
export function defaultRowStep(price: number, tick: number): string {
  if (!(price > 0) || !(tick > 0)) throw new RangeError(`price ${price} and tick ${tick} must be > 0`);
  const step = nearestStep125(price * DEFAULT_ROW_FRACTION);
  // Integer tick count with a tolerance: 0.3 / 0.1 is 2.9999999999999996 in floats.
  const ticks = Math.max(1, Math.ceil(step / tick - 1e-9));
  const d = Math.min(20, Math.max(decimals(tick), decimals(step)));
  return trimZeros((ticks * tick).toFixed(d));
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** Whether a text is a positive decimal price step as the API accepts it. */
export const isPriceStep = (s: string): boolean => /^\d+(\.\d+)?$/.test(s) && Number(s) > 0;
