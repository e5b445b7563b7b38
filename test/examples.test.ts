// Runs the examples: the user-written indicator (registered by config path) over real trades, checked against an
// independent recomputation from the bars, and the example strategy through the backtester.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { runBacktest } from '../src/backtest/backtester.ts';
import { buildFootprint } from '../src/engines/footprint.ts';
import { loadIndicators } from '../src/indicators/indicator-config.ts';
import { indicatorsOverHistory } from '../src/indicators/indicator-runner.ts';
import { readTradeFile } from '../src/sources/files/read-trade-file.ts';
import strategyExample from '../examples/imbalance-reversal-strategy.ts';
import { params } from './helpers.ts';
import { requireData } from './real-data.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

test('examples/absorption-ratio-indicator.ts over real trades equals a recomputation from the bars', async (t) => {
  const path = requireData(
    t,
    'binance/trade-stream/binance-spot_ETHUSDT_2024-08-08T2354Z_2024-08-09T0005Z.trade-stream.txt.gz',
  );
  if (path === undefined) return;
  const file = await readTradeFile(path);
  const p = params({ timePerRow: '30s', priceTickSize: '0.1' }, file.instrument);
  const inst = await loadIndicators(
    [{ module: 'examples/absorption-ratio-indicator.ts', options: { period: 3 } }],
    ROOT,
  );
  const bars = buildFootprint(file.trades, p).map((b) => ({ ...b, complete: true }));
  const rows = indicatorsOverHistory(bars, inst, p);
  assert.equal(rows.length, bars.length);
  const ratios = bars.map((b) => (b.cells[0]!.sell + b.cells[b.cells.length - 1]!.buy) / b.volume);
  rows.forEach((r, i) => {
    const v = r.values.absorption_ratio!;
    assert.equal(v.ratio, ratios[i]);
    const exp = i < 2 ? null : (ratios[i - 2]! + ratios[i - 1]! + ratios[i]!) / 3;
    if (exp === null) assert.equal(v.smoothed, null);
    else assert.ok(Math.abs((v.smoothed as number) - exp) < 1e-12);
    assert.equal(v.absorption, false, 'no signals were passed');
  });
  assert.ok(
    ratios.some((r) => r > 0),
    'the example measures something on real data',
  );
});

test('examples/imbalance-reversal-strategy.ts backtests real trades with fills', async (t) => {
  const path = requireData(
    t,
    'binance/trade-stream/binance-usdm_BTCUSDT_2024-08-08T2354Z_2024-08-08T2359Z.trade-stream.txt.gz',
  );
  if (path === undefined) return;
  const file = await readTradeFile(path);
  const p = params({ timePerRow: '15s', priceTickSize: '1', imbalanceThreshold: '200' }, file.instrument);
  const r = await runBacktest(file.trades, p, strategyExample({ size: 10, holdBars: 2 }), {
    takerBps: 4,
    latencyUs: 20_000,
  });
  assert.ok(r.stats.fills > 0, 'the strategy traded');
  assert.equal(
    r.fills.reduce((s, f) => s + f.qty, 0),
    r.stats.finalPosition,
  );
});
