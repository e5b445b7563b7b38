// The service's source from `--source live|simulator|replay:PATH[,PATH…]`: live collectors for the default
// markets (Binance spot + Coinbase, BTC and ETH), the seeded simulator, or a replay of trade/capture files.

import { DEFAULT_MARKETS, InstrumentRegistry } from '../core/instrument.ts';
import { CollectorSource } from '../sources/collector-source.ts';
import { ExchangeCollector } from '../sources/exchanges/collector.ts';
import type { FeedId } from '../sources/exchanges/feeds.ts';
import { readTradeFile } from '../sources/files/read-trade-file.ts';
import { ReplaySource, type ReplaySpeed } from '../sources/replay.ts';
import { SimulatorSource, simulatedMarkets } from '../sources/simulator.ts';
import type { TradeSource } from '../sources/source.ts';

/** The live feed collecting each venue's trades (markets may name any of these venues). */
const LIVE_FEEDS: Readonly<Record<string, FeedId>> = {
  binance: 'binance-spot-trade',
  'binance-usdm': 'binance-usdm-trade',
  coinbase: 'coinbase-matches',
  bybit: 'bybit-spot-publicTrade',
  'bybit-linear': 'bybit-linear-publicTrade',
  okx: 'okx-trades-all',
  kraken: 'kraken-trade',
  bitstamp: 'bitstamp-live-trades',
};

/** How long `npm start` waits for each exchange's instrument metadata before using the cached increments. */
export const METADATA_TIMEOUT_MS = 5000;

export interface CreatedSource {
  readonly source: TradeSource;
  /** Market definitions matching the source's instruments (the simulator names its venues sim-…). */
  readonly markets?: Record<string, string[]>;
}

export interface SourceOptions {
  readonly replaySpeed?: ReplaySpeed;
  /** Live: markets to collect (name → exchange:SYMBOL list); default BTC and ETH. */
  readonly markets?: Readonly<Record<string, readonly string[]>>;
  readonly log?: (msg: string) => void;
  /** Simulator: trades per second (default the simulator's own). */
  readonly simulatorRate?: number;
}

export async function createSource(spec: string, o: SourceOptions = {}): Promise<CreatedSource> {
  if (spec === 'simulator') {
    return {
      source: new SimulatorSource({
        ...(o.simulatorRate === undefined ? {} : { tradesPerSecond: o.simulatorRate }),
      }),
      markets: simulatedMarkets(),
    };
  }
  if (spec.startsWith('replay:')) {
    const paths = spec.slice('replay:'.length).split(',').filter(Boolean);
    const inputs = [];
    for (const path of paths) {
      const f = await readTradeFile(path);
      inputs.push({ kind: 'trades' as const, instrument: f.instrument, trades: f.trades, label: path });
    }
    return { source: new ReplaySource({ inputs, speed: o.replaySpeed ?? 1 }) };
  }
  if (spec !== 'live') throw new Error(`--source ${spec}: expected live, simulator or replay:PATH`);
  const registry = new InstrumentRegistry();
  const byExchange = new Map<string, string[]>();
  for (const members of Object.values(o.markets ?? DEFAULT_MARKETS)) {
    for (const k of members) {
      const colon = k.indexOf(':');
      const ex = k.slice(0, colon);
      const sym = k.slice(colon + 1);
      if (LIVE_FEEDS[ex] === undefined) {
        o.log?.(`no live feed for ${k}: left out of the live source`);
        continue;
      }
      const list = byExchange.get(ex) ?? [];
      if (!list.includes(sym)) list.push(sym);
      byExchange.set(ex, list);
    }
  }
  const collectors: ExchangeCollector[] = [];
  const symbols: string[][] = [];
  for (const [ex, syms] of byExchange) {
    collectors.push(
      new ExchangeCollector({
        feed: LIVE_FEEDS[ex]!,
        symbols: syms,
        registry,
        ...(o.log === undefined ? {} : { log: (m: string) => o.log!(m) }),
      }),
    );
    symbols.push(syms);
  }
  await refreshInstruments(collectors, o.log);
  return { source: new CollectorSource(collectors, registry, symbols) };
}

/**
 * Exchange increments before the first trade (the exchange may have changed a tick size since the cached registry
 * was written); when an exchange cannot be read in time its cached increments are used and the log says so.
 */
export async function refreshInstruments(
  collectors: readonly ExchangeCollector[],
  log: ((msg: string) => void) | undefined,
  timeoutMs = METADATA_TIMEOUT_MS,
): Promise<void> {
  const results = await Promise.all(collectors.map((c) => c.refreshInstruments(timeoutMs)));
  results.forEach((r, k) => {
    const ex = collectors[k]!.feed.exchange;
    if (r === undefined) log?.(`${ex}: no instrument metadata endpoint known; using the cached increments`);
    else if (r.fallback !== undefined)
      log?.(`${ex}: instrument metadata unavailable (${r.fallback}); using the cached increments`);
    else log?.(`${ex}: instrument increments from the exchange (${r.updated} symbols)`);
  });
}
