// Imports Coinbase Exchange trades of one product and time range through its public REST pagination
// (`/products/{id}/trades?limit=1000&after=<cursor>`, newest first, the next cursor in the CB-AFTER header).
// Each page is stored as it arrives (one transaction), so an interrupted import re-run stores every trade once.

import { InstrumentRegistry, type Instrument } from '../core/instrument.ts';
import { parseIncrement } from '../core/decimal.ts';
import type { Trade } from '../core/trade.ts';
import { coinbaseRestTrade } from '../sources/exchanges/mappers/coinbase.ts';
import type { TradeStore } from '../store/port.ts';
import { getWithRetry, type RetryOptions } from './http-fetch.ts';
import { ImportError } from './import-error.ts';
import { InstrumentWriter } from './instrument-writer.ts';
import { ProgressTracker, type ProgressListener } from './progress.ts';

export const DEFAULT_COINBASE_BASE_URL = 'https://api.exchange.coinbase.com';
export const COINBASE_PAGE_LIMIT = 1000;

export interface CoinbaseImportOptions extends RetryOptions {
  /** Product id, e.g. BTC-USD. */
  readonly product: string;
  /** µs, inclusive / exclusive. */
  readonly from: number;
  readonly to: number;
  readonly baseUrl?: string;
  /** Increments when the product is not a known instrument. */
  readonly tickSize?: string;
  readonly lotSize?: string;
  readonly registry?: InstrumentRegistry;
  /** Stop after this many pages (a guard for open-ended ranges; default unlimited). */
  readonly maxPages?: number;
  readonly onProgress?: ProgressListener;
}

export interface CoinbaseImportResult {
  readonly exchange: 'coinbase';
  readonly symbol: string;
  readonly pages: number;
  /** Trades inside the range received. */
  readonly trades: number;
  readonly inserted: number;
  readonly duplicates: number;
  readonly malformed: number;
  readonly malformedExamples: readonly {
    readonly page: number;
    readonly reason: string;
    readonly row: string;
  }[];
}

function instrumentOf(o: CoinbaseImportOptions): Instrument {
  const known = (o.registry ?? new InstrumentRegistry()).get('coinbase', o.product);
  if (known === undefined && (o.tickSize === undefined || o.lotSize === undefined)) {
    throw new ImportError(
      'UNKNOWN_SYMBOL',
      `coinbase:${o.product} is not a known instrument: pass --tick-size and --lot-size (its quote_increment and base_increment)`,
    );
  }
  const [base = o.product, quote = ''] = o.product.split('-');
  const i: Instrument = known ?? {
    exchange: 'coinbase',
    symbol: o.product,
    kind: 'spot',
    base,
    quote,
    price: parseIncrement(o.tickSize!, 'tickSize'),
    qty: parseIncrement(o.lotSize!, 'lotSize'),
    volumeUnit: 'base',
    source: 'config',
  };
  return {
    ...i,
    ...(o.tickSize === undefined ? {} : { price: parseIncrement(o.tickSize, 'tickSize'), source: 'config' }),
    ...(o.lotSize === undefined ? {} : { qty: parseIncrement(o.lotSize, 'lotSize'), source: 'config' }),
  };
}

/** Pages back from the newest trade until the range start is passed. */
export async function importCoinbaseTrades(
  store: TradeStore,
  o: CoinbaseImportOptions,
): Promise<CoinbaseImportResult> {
  const inst = instrumentOf(o);
  const base = (o.baseUrl ?? DEFAULT_COINBASE_BASE_URL).replace(/\/+$/, '');
  const writer = new InstrumentWriter(store, 'coinbase', o.product);
  const tracker = new ProgressTracker('import', `coinbase:${o.product}`, o.onProgress);
  const examples: { page: number; reason: string; row: string }[] = [];
  let after: string | undefined;
  let pages = 0;
  let trades = 0;
  let malformed = 0;
  for (;;) {
    const url = `${base}/products/${encodeURIComponent(o.product)}/trades?limit=${COINBASE_PAGE_LIMIT}${
      after === undefined ? '' : `&after=${encodeURIComponent(after)}`
    }`;
    const res = await getWithRetry(url, o);
    if (res.status === 404) {
      await res.body?.cancel();
      throw new ImportError('NOT_FOUND', `GET ${url}: coinbase has no product ${o.product}`);
    }
    const body: unknown = await res.json();
    if (!Array.isArray(body))
      throw new ImportError('DOWNLOAD_FAILED', `GET ${url}: the body is not an array of trades`);
    pages++;
    const keep: Trade[] = [];
    let oldest = Infinity;
    for (const row of body as unknown[]) {
      const t = coinbaseRestTrade(inst, row);
      if (typeof t === 'string') {
        malformed++;
        if (examples.length < 100)
          examples.push({ page: pages, reason: t, row: JSON.stringify(row).slice(0, 200) });
        continue;
      }
      if (t.ts < oldest) oldest = t.ts;
      if (t.ts >= o.from && t.ts < o.to) keep.push(t);
    }
    trades += keep.length;
    await writer.write(keep.reverse(), inst);
    tracker.emit(pages, trades, writer.counts.inserted);
    const next = res.headers.get('cb-after');
    if (body.length === 0 || oldest < o.from || next === null || next === after) break;
    if (o.maxPages !== undefined && pages >= o.maxPages) break;
    after = next;
  }
  return {
    exchange: 'coinbase',
    symbol: o.product,
    pages,
    trades,
    inserted: writer.counts.inserted,
    duplicates: writer.counts.duplicates,
    malformed,
    malformedExamples: examples,
  };
}
