import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFromEnv, defaultConfig, parseConfig } from '../../src/core/config.ts';
import { parseIncrement, unitsToString } from '../../src/core/decimal.ts';
import type { Trade } from '../../src/core/trade.ts';
import { lots, micros, ticks } from '../../src/core/units.ts';
import { toQuoteVolume } from '../../src/core/volume-unit.ts';
import { resolveParams } from '../../src/core/params.ts';
import { TEST_SCALE } from '../helpers.ts';

const SPEC_FIELDS = [
  'symbol',
  'tickAggregationMethod',
  'ticksPerRow',
  'volumePerRow',
  'timePerRow',
  'priceTickSize',
  'imbalanceThreshold',
  'imbalanceMinVolume',
  'valueAreaPercentage',
  'hvnThreshold',
  'lvnThreshold',
  'deltaSmoothingPeriod',
  'enableRealTimeUpdates',
  'enableImbalanceDetection',
  'enableDeltaDivergence',
];

test('every field of the spec OrderFlowConfig exists, with the documented defaults', () => {
  const c = defaultConfig();
  const all = parseConfig({ volumePerRow: '5', priceTickSize: '10' });
  for (const f of SPEC_FIELDS) assert.ok(f in all, f);
  assert.equal(c.tickAggregationMethod, 'TIME');
  assert.equal(c.imbalanceThreshold, '300');
  assert.equal(c.valueAreaPercentage, '70');
  assert.equal(c.deltaSmoothingPeriod, 14);
});

test('invalid configs fail with every problem named by path', () => {
  assert.throws(
    () =>
      parseConfig({
        tickAggregationMethod: 'RANGE',
        ticksPerRow: 0,
        imbalanceThreshold: '-3',
        timePerRow: '1w',
        bogus: 1,
      }),
    (e: Error) =>
      /tickAggregationMethod/.test(e.message) &&
      /ticksPerRow/.test(e.message) &&
      /imbalanceThreshold/.test(e.message) &&
      /timePerRow/.test(e.message) &&
      /bogus/.test(e.message),
  );
});

test('decimal numbers stay exact and resolve to integer params', () => {
  const p = resolveParams(
    parseConfig({ imbalanceThreshold: 250.5, imbalanceMinVolume: 0.0025, priceTickSize: '0.05' }),
    TEST_SCALE,
  );
  assert.deepEqual(p.imbalance.ratio, { num: 2505, den: 1000 });
  assert.equal(p.imbalance.minLots, 3, '0.0025 with lot 0.001 → at least 3 lots');
  assert.equal(p.rowTicks, 5);
});

test('a row size that is not a multiple of the tick size is a clear error', () => {
  const scale = { ...TEST_SCALE, price: parseIncrement('0.1') };
  assert.throws(
    () => resolveParams(parseConfig({ priceTickSize: '0.25' }), scale),
    /0.25 is not a whole multiple of the instrument's tick size 0.1/,
  );
});

test('environment overrides: ORDERFLOW_<FIELD>, coerced by field type', () => {
  const env = {
    ORDERFLOW_IMBALANCE_THRESHOLD: '250',
    ORDERFLOW_TICKS_PER_ROW: '4',
    ORDERFLOW_ENABLE_DELTA_DIVERGENCE: 'false',
    ORDERFLOW_SESSIONS: '[{"name":"Asia","start":"00:00","end":"08:00"}]',
    UNRELATED: 'x',
  };
  const c = parseConfig(configFromEnv(env));
  assert.equal(c.imbalanceThreshold, '250');
  assert.equal(c.ticksPerRow, 4);
  assert.equal(c.enableDeltaDivergence, false);
  assert.deepEqual(c.sessions, [{ name: 'Asia', start: '00:00', end: '08:00' }]);
  assert.throws(() => parseConfig(configFromEnv({ ORDERFLOW_TICKS_PER_ROW: 'many' })), /ticksPerRow/);
});

test('volume_unit=quote: exact Σ price·qty on a tick×lot scale; inverse contracts use the multiplier', () => {
  const inst = {
    ...TEST_SCALE,
    exchange: 'x',
    symbol: 'X',
    kind: 'spot' as const,
    base: 'B',
    quote: 'Q',
    source: 'config' as const,
  };
  const t = (price: number, qty: number): Trade => ({
    exchange: 'x',
    symbol: 'X',
    id: 1,
    ts: micros(0),
    price: ticks(price),
    qty: lots(qty),
    side: 1,
    sideSource: 'exchange',
  });
  const q = toQuoteVolume([t(12345, 7)], inst); // 123.45 × 0.007 = 0.86415
  assert.equal(unitsToString(q.trades[0]!.qty, q.scale.qty).replace(/0+$/, ''), '0.86415');
  const inv = toQuoteVolume([t(600000, 3)], {
    ...inst,
    kind: 'inverse',
    qty: parseIncrement('1'),
    contractMultiplier: '100',
  });
  assert.equal(unitsToString(inv.trades[0]!.qty, inv.scale.qty), '300');
  assert.throws(() => toQuoteVolume([t(2 ** 40, 2 ** 20)], inst), /exceeds 2\^53/);
});
