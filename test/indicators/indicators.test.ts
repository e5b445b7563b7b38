// Custom indicators: the definition checks, a hand-worked indicator over constructed bars, inputs gating, live =
// history, and registration from config module paths.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import fc from 'fast-check';
import { buildFootprint } from '../../src/engines/footprint.ts';
import { defineIndicator } from '../../src/indicators/indicator.ts';
import { loadIndicators } from '../../src/indicators/indicator-config.ts';
import { IndicatorRunner, indicatorsOverHistory } from '../../src/indicators/indicator-runner.ts';
import { closedBars } from '../../src/signals/closed-bars.ts';
import { detectSignals, SignalEngine } from '../../src/signals/signal-engine.ts';
import { params, trade } from '../helpers.ts';

const MIN = 60_000_000;
const T0 = 1_700_000_000_000_000 - (1_700_000_000_000_000 % MIN);
const P = params({ timePerRow: '1m' });
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Sum of deltas over the last `n` bars and the bar's imbalance balance. */
const deltaSum = defineIndicator({
  name: 'delta_sum',
  inputs: ['delta', 'imbalances'],
  init: (o) => ({ n: typeof o.n === 'number' ? o.n : 2, deltas: [] as number[] }),
  onBar(ctx, s) {
    s.deltas.push(ctx.bar.delta);
    if (s.deltas.length > s.n) s.deltas.shift();
    return {
      sum: s.deltas.length < s.n ? null : s.deltas.reduce((a, b) => a + b, 0),
      cvd: ctx.cvd,
      imbalance_balance: ctx.buyImbalances - ctx.sellImbalances,
      signals_seen: ctx.signals.length,
    };
  },
});

test('defineIndicator rejects bad names, unknown inputs and missing functions', () => {
  assert.throws(() => defineIndicator({ ...deltaSum, name: '1bad' }), /name/);
  assert.throws(() => defineIndicator({ ...deltaSum, inputs: ['orderbook' as 'delta'] }), /unknown input/);
  assert.throws(
    () => defineIndicator({ ...deltaSum, onBar: undefined as unknown as typeof deltaSum.onBar }),
    /functions/,
  );
});

test('hand-worked: sums over two bars, CVD, imbalance balance; signals withheld unless asked for', () => {
  // Bar 0: buy 40 at 101 over sell 10 at 100 (buy imbalance: 40 ≥ 3·10) ⇒ delta 30, balance 1.
  // Bar 1: sell 5 at 101 ⇒ delta −5, no imbalance. Bar 2: buy 7 ⇒ delta 7.
  // sum(n = 2): bar 0 null, bar 1 30 − 5 = 25, bar 2 −5 + 7 = 2. CVD 30, 25, 32.
  const trades = [
    trade(T0 + 1, 100, 10, -1),
    trade(T0 + 2, 101, 40, 1),
    trade(T0 + MIN + 1, 101, 5, -1),
    trade(T0 + 2 * MIN + 1, 102, 7, 1),
  ];
  const bars = closedBars(trades, P);
  const rows = indicatorsOverHistory(bars, [{ definition: deltaSum, options: { n: 2 } }], P, (b) =>
    detectSignals([b], P),
  );
  assert.deepEqual(
    rows.map((r) => r.values.delta_sum),
    [
      { sum: null, cvd: 30, imbalance_balance: 1, signals_seen: 0 },
      { sum: 25, cvd: 25, imbalance_balance: 0, signals_seen: 0 },
      { sum: 2, cvd: 32, imbalance_balance: 0, signals_seen: 0 },
    ],
  );
  // Registered twice under another name with other options; duplicate names are refused.
  const two = new IndicatorRunner(
    [{ definition: deltaSum }, { definition: deltaSum, options: { n: 3 }, as: 'delta_sum3' }],
    P,
  );
  assert.deepEqual(two.names, ['delta_sum', 'delta_sum3']);
  assert.throws(() => new IndicatorRunner([{ definition: deltaSum }, { definition: deltaSum }], P), /twice/);
});

test('live (bar by bar, with signals) equals history', () => {
  const sigInd = defineIndicator({
    name: 'sig',
    inputs: ['signals'],
    init: () => ({ total: 0 }),
    onBar(ctx, s) {
      s.total += ctx.signals.length;
      return { total: s.total, close: ctx.price(ctx.bar.close) };
    },
  });
  const arb = fc.array(
    fc.record({
      dt: fc.integer({ min: 0, max: 20_000_000 }),
      dp: fc.integer({ min: -3, max: 3 }),
      q: fc.integer({ min: 1, max: 20 }),
      b: fc.boolean(),
    }),
    { minLength: 1, maxLength: 200 },
  );
  fc.assert(
    fc.property(arb, (steps) => {
      let ts = T0;
      let px = 1000;
      const trades = steps.map((s) => {
        ts += s.dt;
        px += s.dp;
        return trade(ts, px, s.q, s.b ? 1 : -1);
      });
      const bars = buildFootprint(trades, P).map((b) => ({ ...b, complete: true }));
      const inst = [{ definition: sigInd }, { definition: deltaSum }];
      const engine = new SignalEngine(P);
      const live = new IndicatorRunner(inst, P);
      const liveRows = bars.map((b) => live.update(b, engine.update(b)));
      const batchSignals = new SignalEngine(P);
      const hist = indicatorsOverHistory(bars, inst, P, (b) => batchSignals.update(b));
      assert.deepEqual(
        hist.map((r) => r.values),
        liveRows,
      );
    }),
    { numRuns: 40 },
  );
});

test('registered by config: module paths load, bad modules are named in the error', async () => {
  const loaded = await loadIndicators(
    [{ module: 'examples/absorption-ratio-indicator.ts', options: { period: 2 }, as: 'abs2' }],
    ROOT,
  );
  assert.equal(loaded.length, 1);
  assert.equal(loaded[0]!.as, 'abs2');
  assert.equal(loaded[0]!.definition.name, 'absorption_ratio');
  await assert.rejects(loadIndicators([{ module: 'examples/missing.ts' }], ROOT), /examples\/missing\.ts/);
  await assert.rejects(
    loadIndicators([{ module: 'src/core/units.ts' }], ROOT),
    /must export default defineIndicator/,
  );
  await assert.rejects(loadIndicators([{ path: 'x' }], ROOT), /invalid indicators config/);
});
