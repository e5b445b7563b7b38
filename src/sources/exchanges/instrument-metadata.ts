// Instrument increments from the exchanges (Binance exchangeInfo PRICE_FILTER.tickSize / LOT_SIZE.stepSize,
// Coinbase products quote/base increments) into the InstrumentRegistry; the registry's known rows are the
// cached fallback when the exchange cannot be reached.

import { parseIncrement } from '../../core/decimal.ts';
import type { Instrument, InstrumentKind, InstrumentRegistry } from '../../core/instrument.ts';
import type { RestClient } from './rest-client.ts';
import { isRecord } from './types.ts';

/** Parses a Binance spot or USD-M/COIN-M exchangeInfo body. Symbols without usable filters are skipped. */
export function parseBinanceExchangeInfo(body: unknown, exchange: string): Instrument[] {
  if (!isRecord(body) || !Array.isArray(body['symbols'])) return [];
  const kind: InstrumentKind = exchange.endsWith('coinm')
    ? 'inverse'
    : exchange.endsWith('usdm')
      ? 'linear'
      : 'spot';
  const out: Instrument[] = [];
  for (const s of body['symbols'] as unknown[]) {
    if (!isRecord(s) || typeof s['symbol'] !== 'string' || !Array.isArray(s['filters'])) continue;
    const filters = s['filters'] as unknown[];
    const f = (type: string): Record<string, unknown> | undefined =>
      filters.find((x): x is Record<string, unknown> => isRecord(x) && x['filterType'] === type);
    const tick = f('PRICE_FILTER')?.['tickSize'];
    const step = f('LOT_SIZE')?.['stepSize'];
    try {
      if (typeof tick !== 'string' || typeof step !== 'string') continue;
      // tickSize "0" means the filter is disabled: no grid to parse onto, so the symbol is skipped.
      const price = parseIncrement(tick, `${s['symbol']} tickSize`);
      const qty = parseIncrement(step, `${s['symbol']} stepSize`);
      const cs = s['contractSize'];
      out.push({
        exchange,
        symbol: s['symbol'],
        kind,
        base: typeof s['baseAsset'] === 'string' ? s['baseAsset'] : '',
        quote: typeof s['quoteAsset'] === 'string' ? s['quoteAsset'] : '',
        price,
        qty,
        volumeUnit: kind === 'inverse' ? 'contracts' : 'base',
        ...(kind === 'inverse' && typeof cs === 'number' ? { contractMultiplier: String(cs) } : {}),
        source: 'exchange',
      });
    } catch {
      continue;
    }
  }
  return out;
}

/**
 * Parses Coinbase Exchange `/products` (quote_increment, base_increment) or Advanced Trade
 * `/market/products` ({products:[…]} with price_increment, base_increment).
 */
export function parseCoinbaseProducts(body: unknown): Instrument[] {
  const list = Array.isArray(body)
    ? body
    : isRecord(body) && Array.isArray(body['products'])
      ? body['products']
      : [];
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  const out: Instrument[] = [];
  for (const p of list as unknown[]) {
    if (!isRecord(p)) continue;
    const symbol = p['product_id'] ?? p['id'];
    const tick = p['price_increment'] ?? p['quote_increment'];
    const step = p['base_increment'];
    if (typeof symbol !== 'string' || typeof tick !== 'string' || typeof step !== 'string') continue;
    try {
      out.push({
        exchange: 'coinbase',
        symbol,
        kind: 'spot',
        base: text(p['base_currency'] ?? p['base_currency_id']),
        quote: text(p['quote_currency'] ?? p['quote_currency_id']),
        price: parseIncrement(tick, `${symbol} price increment`),
        qty: parseIncrement(step, `${symbol} base_increment`),
        volumeUnit: 'base',
        source: 'exchange',
      });
    } catch {
      continue;
    }
  }
  return out;
}

/** Exchanges whose instrument metadata endpoint we parse. */
export const METADATA_EXCHANGES = ['binance', 'binance-usdm', 'coinbase'] as const;
export type MetadataExchange = (typeof METADATA_EXCHANGES)[number];
export const hasMetadata = (exchange: string): exchange is MetadataExchange =>
  (METADATA_EXCHANGES as readonly string[]).includes(exchange);

export interface MetadataResult {
  /** Instruments now in the registry from the exchange. */
  readonly updated: number;
  /** Set when the exchange could not be read: the registry's cached rows stay in use. */
  readonly fallback?: string;
}

/**
 * Fetches the exchange's metadata for `symbols` and writes it into the registry. Only requested symbols are
 * replaced; on any failure the registry is left as it was (the cached fallback) and the reason is returned.
 */
export async function loadInstrumentMetadata(
  rest: RestClient,
  exchange: MetadataExchange,
  symbols: readonly string[],
  registry: InstrumentRegistry,
  signal?: AbortSignal,
): Promise<MetadataResult> {
  try {
    let found: Instrument[];
    if (exchange === 'coinbase')
      found = parseCoinbaseProducts((await rest.getJson('products', {}, 1, signal)).body);
    else {
      const path = exchange === 'binance' ? 'api/v3/exchangeInfo' : 'fapi/v1/exchangeInfo';
      found = parseBinanceExchangeInfo(
        (await rest.getJson(path, {}, exchange === 'binance' ? 20 : 1, signal)).body,
        exchange,
      );
    }
    const wanted = new Set(symbols);
    let updated = 0;
    for (const i of found) {
      if (!wanted.has(i.symbol)) continue;
      registry.set(i);
      updated++;
    }
    return updated === symbols.length
      ? { updated }
      : { updated, fallback: 'some symbols missing from the exchange metadata' };
  } catch (e) {
    return { updated: 0, fallback: e instanceof Error ? e.message : String(e) };
  }
}
