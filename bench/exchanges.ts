// Exchange connectors: mapper throughput on recorded real frames (frames/s, best of 3) and the latency the
// collector adds from frame receipt to the trade reaching a listener (mapper + sequencer + emit), p50/p99.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import { InstrumentRegistry } from '../src/core/instrument.ts';
import { micros } from '../src/core/units.ts';
import { ExchangeCollector } from '../src/sources/exchanges/collector.ts';
import { FEEDS, type FeedId } from '../src/sources/exchanges/feeds.ts';
import { parseBinanceExchangeInfo } from '../src/sources/exchanges/instrument-metadata.ts';
import { createBinanceMapper } from '../src/sources/exchanges/mappers/binance.ts';
import type { FeedEvent, FeedMapper } from '../src/sources/exchanges/types.ts';

const DATA = new URL('../../shared/data/', import.meta.url).pathname;
const read = (rel: string): string[] => {
  const buf = readFileSync(join(DATA, rel));
  return (rel.endsWith('.gz') ? gunzipSync(buf) : buf)
    .toString('utf8')
    .split('\n')
    .filter((l) => l.length > 0);
};
const streamFrames = (rel: string): string[] => read(rel).map((l) => l.slice(l.indexOf(' ') + 1));
const capture = (rel: string): { t: string; url?: string; data?: string }[] =>
  read(rel).map((l) => JSON.parse(l) as { t: string; url?: string; data?: string });

function throughput(
  mapper: FeedMapper,
  frames: readonly string[],
): { framesPerSecond: number; frames: number } {
  const recv = micros(1_700_000_000_000_000);
  let best = 0;
  let sink = 0;
  for (let run = 0; run < 3; run++) {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 400) {
      for (const f of frames) sink += mapper.map(f, recv).length;
      n += frames.length;
    }
    best = Math.max(best, n / ((performance.now() - t0) / 1000));
  }
  if (sink === 0) throw new Error('no events');
  return { framesPerSecond: Math.round(best), frames: frames.length };
}

function addedLatency(
  feed: FeedId,
  symbols: string[],
  frames: readonly string[],
): { p50Us: number; p99Us: number; samples: number } {
  const samples: number[] = [];
  let recvAt = 0;
  // Two rounds, each on a fresh collector (a second pass over the same ids would be all duplicates); the first warms up.
  for (let round = 0; round < 2; round++) {
    const c = new ExchangeCollector({ feed, symbols, registry: new InstrumentRegistry(), log: () => {} });
    c.on((e) => {
      if (e.type === 'trades') samples.push((performance.now() - recvAt) * 1000);
    });
    samples.length = 0;
    for (const f of frames) {
      recvAt = performance.now();
      c.onFrame(f, micros(Math.round((performance.timeOrigin + recvAt) * 1000)), 1);
    }
  }
  samples.sort((a, b) => a - b);
  const at = (q: number): number =>
    Number((samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? NaN).toFixed(2));
  return { p50Us: at(0.5), p99Us: at(0.99), samples: samples.length };
}

export function benchExchanges(): Promise<Record<string, unknown>> {
  if (!existsSync(DATA)) return Promise.resolve({ skipped: `no shared data at ${DATA}` });
  const registry = new InstrumentRegistry();
  const spot = streamFrames(
    'binance/trade-stream/binance-spot_BTCUSDT_2024-08-08T2354Z_2024-08-09T0005Z.trade-stream.txt.gz',
  );
  const usdm = streamFrames(
    'binance/trade-stream/binance-usdm_BTCUSDT_2024-08-08T2354Z_2024-08-08T2359Z.trade-stream.txt.gz',
  );
  const fut = capture('multi-exchange/BINANCE_FUTURES.jsonl.gz');
  const futRegistry = new InstrumentRegistry(false);
  for (const i of parseBinanceExchangeInfo(
    JSON.parse(fut.find((l) => l.url?.includes('exchangeInfo'))!.data!),
    'binance-usdm',
  ))
    futRegistry.set(i);
  const agg = fut.filter((l) => l.t === 'recv' && l.data?.includes('"e":"aggTrade"')).map((l) => l.data!);
  const cbx = read('coinbase/exchange-ws-matches-l2-btc-eth.ndjson.gz').filter((l) =>
    l.includes('"type":"match"'),
  );
  const adv = capture('coinbase/advanced-trade-ws.jsonl.gz')
    .filter((l) => l.t === 'recv' && l.data?.includes('"channel":"market_trades"'))
    .map((l) => l.data!);
  const result = {
    workload:
      'recorded real frames from ../shared/data, looped: Binance spot BTCUSDT @trade (2024-08-08), USD-M BTCUSDT @trade, USD-M @aggTrade (multi-exchange BINANCE_FUTURES), Coinbase Exchange match frames, Advanced Trade market_trades frames',
    mapperFramesPerSecond: {
      'binance-spot-trade': throughput(FEEDS['binance-spot-trade'].createMapper(registry), spot),
      'binance-spot-trade (JSON.parse path)': throughput(
        createBinanceMapper({ exchange: 'binance', stream: 'trade', registry, fastPath: false }),
        spot,
      ),
      'binance-usdm-trade': throughput(FEEDS['binance-usdm-trade'].createMapper(registry), usdm),
      'binance-usdm-aggTrade': throughput(FEEDS['binance-usdm-aggTrade'].createMapper(futRegistry), agg),
      'coinbase-matches': throughput(FEEDS['coinbase-matches'].createMapper(registry), cbx),
      'coinbase-advanced-market-trades': throughput(
        FEEDS['coinbase-advanced-market-trades'].createMapper(registry),
        adv,
      ),
    },
    // Baseline in the same run: JSON.parse alone on the same frames, so the figures can be read on a busy machine.
    baselineJsonParseFramesPerSecond: throughput(
      { exchange: 'baseline', feed: 'JSON.parse', map: (f) => [JSON.parse(f) as FeedEvent] },
      spot,
    ),
    goalBinanceFramesPerSecond: 1_000_000,
    addedLatencyFrameToListener: {
      'binance-spot-trade': addedLatency('binance-spot-trade', ['BTCUSDT'], spot),
      'coinbase-matches': addedLatency('coinbase-matches', ['BTC-USD', 'ETH-USD'], cbx),
    },
    goalAddedLatencyP99Us: 1000,
  };
  return Promise.resolve(result);
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(JSON.stringify(await benchExchanges(), null, 2));
