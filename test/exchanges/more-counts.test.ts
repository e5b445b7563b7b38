// The parsers reproduce the published normalized trade counts of ../shared/data/multi-exchange/expected_counts.json
// (cryptofeed's normalizer: one trade per exchange print; a Binance aggTrade is ONE trade; Kraken Futures'
// trade_snapshot history on subscribe is not counted). Every frame of every recording maps without a bad event.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { InstrumentRegistry } from '../../src/core/instrument.ts';
import { tradeCount, type Trade } from '../../src/core/trade.ts';
import { micros } from '../../src/core/units.ts';
import { createBinanceMapper } from '../../src/sources/exchanges/mappers/binance.ts';
import { bitstampInstruments, createBitstampMapper } from '../../src/sources/exchanges/mappers/bitstamp.ts';
import { bybitInstruments, createBybitMapper } from '../../src/sources/exchanges/mappers/bybit.ts';
import {
  createKrakenFuturesMapper,
  createKrakenMapper,
  krakenFuturesInstruments,
  krakenInstruments,
} from '../../src/sources/exchanges/mappers/kraken.ts';
import { createOkxMapper, okxInstruments } from '../../src/sources/exchanges/mappers/okx.ts';
import type { FeedMapper } from '../../src/sources/exchanges/types.ts';
import {
  binanceInstruments,
  EXPECTED_COUNTS_FILE,
  MULTI,
  readCapture,
  registryOf,
  type Capture,
} from './more-recordings.ts';
import { dataMissing, SHARED_DATA } from './recordings.ts';

interface Tally {
  prints: Trade[];
  snapshotPrints: number;
  bad: string[];
}

function run(capture: Capture, mapperFor: (addr: string) => FeedMapper): Tally {
  const t: Tally = { prints: [], snapshotPrints: 0, bad: [] };
  for (const c of capture.connections.values()) {
    const m = mapperFor(c.addr);
    c.frames.forEach((f, i) => {
      for (const e of m.map(f, micros(c.stamps[i]!))) {
        if (e.kind === 'bad') t.bad.push(`${e.reason}: ${e.raw.slice(0, 200)}`);
        if (e.kind !== 'trades') continue;
        if (e.snapshot) t.snapshotPrints += e.trades.length;
        else t.prints.push(...e.trades);
      }
    });
  }
  return t;
}

const expected = (): Record<string, { trades?: number }> =>
  JSON.parse(readFileSync(join(SHARED_DATA, EXPECTED_COUNTS_FILE), 'utf8')) as Record<
    string,
    { trades?: number }
  >;

/** Independent count: the trade elements of the recording by plain JSON inspection, no mapper involved. */
function rawCount(capture: Capture, isTrade: (v: unknown) => number): number {
  let n = 0;
  for (const c of capture.connections.values())
    for (const f of c.frames) {
      let v: unknown;
      try {
        v = JSON.parse(f);
      } catch {
        continue;
      }
      n += isTrade(v);
    }
  return n;
}

const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};

interface Case {
  readonly name: string;
  readonly mapper: (cap: Capture) => (addr: string) => FeedMapper;
  readonly raw: (v: unknown) => number;
  /** Exchange trades the prints stand for (Σ count), when it differs from the print count. */
  readonly fills?: number;
}

function binanceCase(name: string, exchange: 'binance' | 'binance-usdm', fills?: number): Case {
  return {
    name,
    mapper: (cap) => {
      const reg: InstrumentRegistry = registryOf(binanceInstruments(cap.http[0]!.body, exchange));
      const m = createBinanceMapper({ exchange, stream: 'aggTrade', registry: reg });
      return () => m;
    },
    raw: (v) => (obj(obj(v)['data'])['e'] === 'aggTrade' ? 1 : 0),
    ...(fills === undefined ? {} : { fills }),
  };
}

const CASES: Case[] = [
  {
    name: 'BYBIT',
    mapper: (cap) => {
      const reg = registryOf([
        ...bybitInstruments(cap.http.find((h) => h.url.includes('category=linear'))!.body, 'linear'),
        ...bybitInstruments(cap.http.find((h) => h.url.includes('category=spot'))!.body, 'spot'),
      ]);
      const linear = createBybitMapper({ category: 'linear', registry: reg });
      const spot = createBybitMapper({ category: 'spot', registry: reg });
      return (addr) => (addr.endsWith('/spot') ? spot : linear);
    },
    raw: (v) =>
      String(obj(v)['topic']).startsWith('publicTrade.') ? (obj(v)['data'] as unknown[]).length : 0,
  },
  {
    name: 'OKX',
    mapper: (cap) => {
      const m = createOkxMapper({ registry: registryOf(cap.http.flatMap((h) => okxInstruments(h.body))) });
      return () => m;
    },
    raw: (v) =>
      obj(obj(v)['arg'])['channel'] === 'trades'
        ? ((obj(v)['data'] as unknown[] | undefined)?.length ?? 0)
        : 0,
  },
  {
    name: 'KRAKEN',
    mapper: (cap) => {
      const m = createKrakenMapper({ registry: registryOf(krakenInstruments(cap.http[0]!.body)) });
      return () => m;
    },
    raw: (v) => (Array.isArray(v) && v[v.length - 2] === 'trade' ? (v[1] as unknown[]).length : 0),
  },
  {
    name: 'KRAKEN_FUTURES',
    mapper: (cap) => {
      const m = createKrakenFuturesMapper({
        registry: registryOf(krakenFuturesInstruments(cap.http[0]!.body)),
      });
      return () => m;
    },
    raw: (v) => (obj(v)['feed'] === 'trade' && obj(v)['event'] === undefined ? 1 : 0),
  },
  {
    name: 'BITSTAMP',
    mapper: (cap) => {
      const m = createBitstampMapper({ registry: registryOf(bitstampInstruments(cap.http[0]!.body)) });
      return () => m;
    },
    raw: (v) => (obj(v)['event'] === 'trade' ? 1 : 0),
  },
  binanceCase('BINANCE', 'binance'),
  binanceCase('BINANCE_US', 'binance'),
  // 91 aggTrades standing for 180 fills (l − f + 1): cryptofeed counts the 91.
  binanceCase('BINANCE_FUTURES', 'binance-usdm', 180),
  // COIN-M: the Binance mapper knows the two venues binance/binance-usdm; the frames are the same shape.
  binanceCase('BINANCE_DELIVERY', 'binance-usdm', 167),
];

describe('published normalized trade counts (multi-exchange recordings)', () => {
  for (const c of CASES) {
    it(`${c.name}: the parser's count equals expected_counts.json and a plain JSON recount`, (t) => {
      const skip = dataMissing(MULTI(c.name)) ?? dataMissing(EXPECTED_COUNTS_FILE);
      if (skip) return t.skip(skip);
      const cap = readCapture(c.name);
      const tally = run(cap, c.mapper(cap));
      assert.deepEqual(tally.bad, [], 'no frame of a real recording is bad');
      const want = expected()[c.name]?.trades;
      assert.equal(typeof want, 'number');
      assert.equal(tally.prints.length, want);
      assert.equal(rawCount(cap, c.raw), want);
      if (c.fills !== undefined)
        assert.equal(
          tally.prints.reduce((s, x) => s + tradeCount(x), 0),
          c.fills,
        );
      const keys = new Set(tally.prints.map((x) => `${x.exchange}:${x.symbol}:${String(x.id)}`));
      assert.equal(keys.size, tally.prints.length, 'ids unique per instrument');
    });
  }

  it('KRAKEN_FUTURES: the subscribe snapshots are delivered as snapshots, not counted', (t) => {
    const skip = dataMissing(MULTI('KRAKEN_FUTURES'));
    if (skip) return t.skip(skip);
    const cap = readCapture('KRAKEN_FUTURES');
    const tally = run(cap, CASES.find((c) => c.name === 'KRAKEN_FUTURES')!.mapper(cap));
    const snap = rawCount(cap, (v) =>
      obj(v)['feed'] === 'trade_snapshot' ? (obj(v)['trades'] as unknown[]).length : 0,
    );
    assert.ok(snap > 0);
    assert.equal(tally.snapshotPrints, snap);
  });
});
