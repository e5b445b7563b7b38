// Engine throughput: trades/s through the footprint engine (and the other engines as they are wired).

import { performance } from 'node:perf_hooks';
import { parseConfig } from '../src/core/config.ts';
import { parseIncrement } from '../src/core/decimal.ts';
import { resolveParams } from '../src/core/params.ts';
import { FootprintEngine } from '../src/engines/footprint.ts';
import { randomWalk } from './workload.ts';

export async function benchEngines(): Promise<Record<string, unknown>> {
  const n = 3_000_000;
  const trades = randomWalk(n, Date.UTC(2024, 0, 1) * 1000, 35);
  const scale = { price: parseIncrement('0.01'), qty: parseIncrement('0.00001'), volumeUnit: 'base' as const };
  const out: Record<string, unknown> = { workload: `seeded random walk, ${n} trades (~1 day at 35 trades/s)` };
  for (const [name, cfg] of [
    ['footprint_1m_row10', { timePerRow: '1m', priceTickSize: '10' }],
    ['footprint_volume_bars', { tickAggregationMethod: 'VOLUME', volumePerBar: '50', priceTickSize: '10' }],
  ] as const) {
    const p = resolveParams(parseConfig(cfg), scale);
    const runs: number[] = [];
    for (let r = 0; r < 3; r++) {
      const e = new FootprintEngine(p);
      const t0 = performance.now();
      e.applyBatch(trades);
      e.getBars();
      runs.push(performance.now() - t0);
    }
    const best = Math.min(...runs);
    out[name] = { trades_per_s: Math.round(n / (best / 1000)), ms: Math.round(best) };
  }
  await Promise.resolve();
  return out;
}
