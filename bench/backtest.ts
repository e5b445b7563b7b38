// Backtest speed: trades/s replayed through the engines (closed bars, signals) and the example strategy.
// Workload: real Binance BTCUSDT trades tiled with shifted ids and times, or a seeded random walk without the data.

import { join } from 'node:path';
import { Backtester } from '../src/backtest/backtester.ts';
import { parseConfig } from '../src/core/config.ts';
import { resolveParams } from '../src/core/params.ts';
import type { Trade } from '../src/core/trade.ts';
import { readTradeFile } from '../src/sources/files/read-trade-file.ts';
import strategyExample from '../examples/imbalance-reversal-strategy.ts';
import { hasSharedData, randomWalk, SHARED_DATA, tile } from './workload.ts';
import { parseIncrement } from '../src/core/decimal.ts';
import type { Scale } from '../src/core/instrument.ts';

const N = 5_000_000;

export async function benchBacktest(n = N): Promise<Record<string, unknown>> {
  let trades: Trade[];
  let workload: string;
  let scale: Scale = { price: parseIncrement('0.01'), qty: parseIncrement('0.00001'), volumeUnit: 'base' };
  if (hasSharedData()) {
    const file = await readTradeFile(
      join(
        SHARED_DATA,
        'binance/trade-stream/binance-spot_BTCUSDT_2024-08-08T2354Z_2024-08-09T0005Z.trade-stream.txt.gz',
      ),
    );
    trades = tile(file.trades, n);
    scale = file.instrument;
    workload = `real Binance BTCUSDT trades (${file.trades.length}) tiled to ${n}`;
  } else {
    trades = randomWalk(n, 1_700_000_000_000_000, 35);
    workload = `seeded random walk of ${n} trades`;
  }
  const params = resolveParams(
    parseConfig({ timePerRow: '1m', priceTickSize: '1', imbalanceThreshold: '200' }),
    scale,
  );
  const run = (): { ms: number; fills: number; bars: number } => {
    const bt = new Backtester(params, strategyExample({ size: 1000, holdBars: 3 }), {
      takerBps: 7.5,
      slippageTicks: 1,
      latencyUs: 50_000,
    });
    const t0 = performance.now();
    bt.applyBatch(trades);
    const r = bt.finish();
    return { ms: performance.now() - t0, fills: r.stats.fills, bars: r.stats.bars };
  };
  run(); // warm-up
  const runs = [run(), run()];
  const best = runs.reduce((a, b) => (a.ms <= b.ms ? a : b));
  return {
    workload,
    trades: n,
    bars: best.bars,
    fills: best.fills,
    ms: Math.round(best.ms),
    trades_per_second: Math.round((n / best.ms) * 1000),
    goal_trades_per_second: 5_000_000,
  };
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(JSON.stringify(await benchBacktest(), null, 2));
