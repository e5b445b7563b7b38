// Engine throughput: trades/s through each engine on ~1 day of trades (3 M), best of 3 runs.

import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../src/core/config.ts';
import type { Scale } from '../src/core/instrument.ts';
import { resolveParams, type AnalyticsParams } from '../src/core/params.ts';
import type { Trade } from '../src/core/trade.ts';
import { deltaAnalysis } from '../src/engines/delta.ts';
import { FootprintEngine } from '../src/engines/footprint.ts';
import { stackedImbalanceZones } from '../src/engines/imbalance.ts';
import { MetricsEngine } from '../src/engines/metrics.ts';
import { ProfileAccumulator, computeProfile } from '../src/engines/profile.ts';
import { readTradeFile } from '../src/sources/files/read-trade-file.ts';
import { hasSharedData, randomWalk, SHARED_DATA, tile } from './workload.ts';

const N = 3_000_000;
const REAL = 'binance/csv/BTCUSDT-trades-DERIVED-2024-08-08T2354Z_2024-08-09T0005Z.csv';

async function workload(): Promise<{ trades: Trade[]; scale: Scale; label: string }> {
  if (hasSharedData()) {
    const file = await readTradeFile(join(SHARED_DATA, REAL));
    return {
      trades: tile(file.trades, N),
      scale: file.instrument,
      label: `${N} real Binance BTCUSDT spot trades (${file.trades.length} from ${REAL}, tiled with shifted ids and times)`,
    };
  }
  const { parseIncrement } = await import('../src/core/decimal.ts');
  return {
    trades: randomWalk(N, Date.UTC(2024, 0, 1) * 1000, 35),
    scale: { price: parseIncrement('0.01'), qty: parseIncrement('0.00001'), volumeUnit: 'base' },
    label: `${N} trades of a seeded random walk (../shared/data missing)`,
  };
}

function best(n: number, f: () => void): { trades_per_s: number; ms: number } {
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    f();
    runs.push(performance.now() - t0);
  }
  const ms = Math.min(...runs);
  return { trades_per_s: Math.round(n / (ms / 1000)), ms: Math.round(ms) };
}

export async function benchEngines(): Promise<Record<string, unknown>> {
  const { trades, scale, label } = await workload();
  const p = (cfg: object): AnalyticsParams => resolveParams(parseConfig(cfg), scale);
  const fp = p({ timePerRow: '1m', priceTickSize: '10' });
  const out: Record<string, unknown> = { workload: label };
  out.footprint_time_1m_row10 = best(N, () => {
    const e = new FootprintEngine(fp);
    e.applyBatch(trades);
    e.getBars();
  });
  out.footprint_volume_bars = best(N, () => {
    const e = new FootprintEngine(
      p({ tickAggregationMethod: 'VOLUME', volumePerBar: '50', priceTickSize: '10' }),
    );
    e.applyBatch(trades);
    e.getBars();
  });
  out.profile_vpvr_row10 = best(N, () => {
    const acc = new ProfileAccumulator(fp);
    acc.applyBatch(trades);
    computeProfile(acc, fp);
  });
  out.metrics = best(N, () => {
    const m = new MetricsEngine(fp);
    m.applyBatch(trades);
    m.snapshot();
  });
  const engine = new FootprintEngine(fp);
  engine.applyBatch(trades);
  const bars = engine.getBars();
  out.delta_and_imbalances_over_bars = {
    bars: bars.length,
    ...best(N, () => {
      deltaAnalysis(bars, fp);
      stackedImbalanceZones(bars, fp.imbalance);
    }),
  };
  return out;
}
