// The multi-exchange captures (../shared/data/multi-exchange, capture format: header line, then
// {"t":"http"|"connect"|"send"|"recv","conn",…,"data"}) split per connection, with the instruments each
// recording's own metadata HTTP lines describe (never copied into the repo).

import { parseIncrement } from '../../src/core/decimal.ts';
import { InstrumentRegistry, type Instrument } from '../../src/core/instrument.ts';
import { captureLines } from './recordings.ts';

export const MULTI = (name: string): string => `multi-exchange/${name}.jsonl.gz`;
export const EXPECTED_COUNTS_FILE = 'multi-exchange/expected_counts.json';

export interface Capture {
  /** Metadata responses: url → parsed body. */
  readonly http: { readonly url: string; readonly body: unknown }[];
  /** Per WebSocket connection: its URL and the frames received, in order, with receive stamps (µs). */
  readonly connections: Map<string, { addr: string; frames: string[]; stamps: number[]; sent: string[] }>;
}

export function readCapture(name: string): Capture {
  const http: { url: string; body: unknown }[] = [];
  const connections = new Map<string, { addr: string; frames: string[]; stamps: number[]; sent: string[] }>();
  for (const l of captureLines(MULTI(name))) {
    const line = l as { t: string; conn?: string; addr?: string; url?: string; data?: string; ts?: number };
    if (line.t === 'http' && line.url && line.data !== undefined) {
      http.push({ url: line.url, body: JSON.parse(line.data) as unknown });
      continue;
    }
    if (!line.conn) continue;
    let c = connections.get(line.conn);
    if (!c) connections.set(line.conn, (c = { addr: line.addr ?? '', frames: [], stamps: [], sent: [] }));
    if (line.t === 'connect' && line.addr) c.addr = line.addr;
    if (line.t === 'send' && line.data !== undefined) c.sent.push(line.data);
    if (line.t === 'recv' && line.data !== undefined) {
      c.frames.push(line.data);
      c.stamps.push(Math.round((line.ts ?? 0) * 1e6));
    }
  }
  return { http, connections };
}

export function registryOf(instruments: readonly Instrument[]): InstrumentRegistry {
  const r = new InstrumentRegistry(false);
  for (const i of instruments) r.set(i);
  return r;
}

/** Binance exchangeInfo (spot, USD-M or COIN-M) → instruments from PRICE_FILTER.tickSize and LOT_SIZE.stepSize. */
export function binanceInstruments(body: unknown, exchange: string): Instrument[] {
  const symbols = (body as { symbols?: unknown[] }).symbols ?? [];
  const out: Instrument[] = [];
  for (const s of symbols as {
    symbol: string;
    baseAsset: string;
    quoteAsset: string;
    contractSize?: number;
    filters: { filterType: string; tickSize?: string; stepSize?: string }[];
  }[]) {
    const tick = s.filters.find((f) => f.filterType === 'PRICE_FILTER')?.tickSize;
    const step = s.filters.find((f) => f.filterType === 'LOT_SIZE')?.stepSize;
    if (!tick || !step) continue;
    const inverse = s.contractSize !== undefined;
    out.push({
      exchange,
      symbol: s.symbol,
      kind: inverse ? 'inverse' : 'spot',
      base: s.baseAsset,
      quote: s.quoteAsset,
      price: parseIncrement(tick),
      qty: parseIncrement(step),
      volumeUnit: inverse ? 'contracts' : 'base',
      source: 'exchange',
    });
  }
  return out;
}
