// Normalization throughput of the Bybit, OKX, Kraken (v1/v2/Futures) and Bitstamp mappers on the recorded real
// frames of ../shared/data (every frame of each recording, trade and non-trade, tiled to ≥ 200k frames), and
// the simulator's generation rate. Export `benchNormalizeMore` for bench/run.ts (the lead wires the section).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InstrumentRegistry, type Instrument } from '../src/core/instrument.ts';
import { micros } from '../src/core/units.ts';
import { bitstampInstruments, createBitstampMapper } from '../src/sources/exchanges/mappers/bitstamp.ts';
import { bybitInstruments, createBybitMapper } from '../src/sources/exchanges/mappers/bybit.ts';
import {
  createKrakenFuturesMapper,
  createKrakenMapper,
  krakenFuturesInstruments,
  krakenInstruments,
} from '../src/sources/exchanges/mappers/kraken.ts';
import { createOkxMapper, okxInstruments } from '../src/sources/exchanges/mappers/okx.ts';
import type { FeedMapper } from '../src/sources/exchanges/types.ts';
import { SimulatorSource } from '../src/sources/simulator.ts';

const DATA = new URL('../../shared/data/', import.meta.url).pathname;
const MIN_FRAMES = 200_000;

interface Capture {
  http: { url: string; body: unknown }[];
  frames: { addr: string; data: string }[];
}

function capture(name: string): Capture | undefined {
  const p = join(DATA, `multi-exchange/${name}.jsonl.gz`);
  if (!existsSync(p)) return undefined;
  const out: Capture = { http: [], frames: [] };
  const addr = new Map<string, string>();
  for (const l of gunzipSync(readFileSync(p)).toString('utf8').split('\n')) {
    if (!l) continue;
    const o = JSON.parse(l) as { t: string; conn?: string; addr?: string; url?: string; data?: string };
    if (o.t === 'http' && o.url && o.data) out.http.push({ url: o.url, body: JSON.parse(o.data) as unknown });
    if (o.t === 'connect' && o.conn && o.addr) addr.set(o.conn, o.addr);
    if (o.t === 'recv' && o.data !== undefined)
      out.frames.push({ addr: addr.get(o.conn ?? '') ?? '', data: o.data });
  }
  return out;
}

const registryOf = (insts: readonly Instrument[]): InstrumentRegistry => {
  const r = new InstrumentRegistry(false);
  for (const i of insts) r.set(i);
  return r;
};

function measure(
  frames: readonly { addr: string; data: string }[],
  pick: (addr: string) => FeedMapper,
): Record<string, number> {
  const reps = Math.max(1, Math.ceil(MIN_FRAMES / frames.length));
  const recv = micros(1_800_000_000_000_000);
  let trades = 0;
  for (const f of frames.slice(0, 2000)) pick(f.addr).map(f.data, recv); // warm-up
  const t0 = performance.now();
  for (let r = 0; r < reps; r++)
    for (const f of frames)
      for (const e of pick(f.addr).map(f.data, recv)) if (e.kind === 'trades') trades += e.trades.length;
  const s = (performance.now() - t0) / 1000;
  return {
    frames: frames.length * reps,
    framesPerSecond: Math.round((frames.length * reps) / s),
    tradesPerSecond: Math.round(trades / s),
  };
}

export async function benchNormalizeMore(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {
    workload: 'every recorded frame of each multi-exchange capture (trades, books, tickers, control), tiled',
  };
  const bybit = capture('BYBIT');
  if (bybit) {
    const reg = registryOf([
      ...bybitInstruments(bybit.http.find((h) => h.url.includes('category=linear'))?.body, 'linear'),
      ...bybitInstruments(bybit.http.find((h) => h.url.includes('category=spot'))?.body, 'spot'),
    ]);
    const lin = createBybitMapper({ category: 'linear', registry: reg });
    const spot = createBybitMapper({ category: 'spot', registry: reg });
    out['bybit'] = measure(bybit.frames, (a) => (a.endsWith('/spot') ? spot : lin));
  }
  const okx = capture('OKX');
  if (okx) {
    const m = createOkxMapper({ registry: registryOf(okx.http.flatMap((h) => okxInstruments(h.body))) });
    out['okx'] = measure(okx.frames, () => m);
  }
  const kraken = capture('KRAKEN');
  if (kraken) {
    const m = createKrakenMapper({ registry: registryOf(krakenInstruments(kraken.http[0]?.body)) });
    out['kraken-v1'] = measure(kraken.frames, () => m);
  }
  const v2 = join(DATA, 'kraken/v2-live-btc-eth.ndjson');
  if (existsSync(v2)) {
    const m = createKrakenMapper({ registry: new InstrumentRegistry() });
    const frames = readFileSync(v2, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((data) => ({ addr: '', data }));
    out['kraken-v2'] = measure(frames, () => m);
  }
  const kf = capture('KRAKEN_FUTURES');
  if (kf) {
    const m = createKrakenFuturesMapper({ registry: registryOf(krakenFuturesInstruments(kf.http[0]?.body)) });
    out['kraken-futures'] = measure(kf.frames, () => m);
  }
  const bs = capture('BITSTAMP');
  if (bs) {
    const m = createBitstampMapper({ registry: registryOf(bitstampInstruments(bs.http[0]?.body)) });
    out['bitstamp'] = measure(bs.frames, () => m);
  }
  // Simulator generation rate (max pace, one simulated minute at 20,000 trades/s).
  const sim = new SimulatorSource({
    seed: 1,
    tradesPerSecond: 20_000,
    durationUs: 60_000_000,
    startUs: 0,
    pace: 'max',
    emitIntervalMs: 100,
  });
  let n = 0;
  const t0 = performance.now();
  await sim.start((e) => {
    if (e.type === 'trades') n += e.trades.length;
  });
  await sim.done;
  out['simulator'] = {
    workload: 'seeded Hawkes market, 4 instruments',
    trades: n,
    tradesPerSecond: Math.round(n / ((performance.now() - t0) / 1000)),
  };
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(JSON.stringify(await benchNormalizeMore(), null, 2));
