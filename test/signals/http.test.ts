// Signal and indicator routes through fastify inject with a stand-in loader, the live feed (= history), and the
// JSON view's unit conversions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import type { Trade } from '../../src/core/trade.ts';
import {
  LiveSignalFeed,
  registerSignalRoutes,
  signalsBody,
  type LoadedTrades,
} from '../../src/signals/http.ts';
import {
  encodeIndicatorMessage,
  encodeSignalMessage,
  type SignalJson,
} from '../../src/signals/signal-view.ts';
import { defineIndicator } from '../../src/indicators/indicator.ts';
import { params, trade } from '../helpers.ts';

const MIN = 60_000_000;
const T0 = 1_700_000_000_000_000 - (1_700_000_000_000_000 % MIN);
const P = params({ timePerRow: '1m' });
// One bar with a stacked buy zone (rows 100–102 over sells of 10 one row below) and an unfinished high, then a bar
// that closes it.
const TRADES: Trade[] = [
  trade(T0 + 1, 99, 10, -1),
  trade(T0 + 2, 100, 30, 1),
  trade(T0 + 3, 100, 10, -1),
  trade(T0 + 4, 101, 30, 1),
  trade(T0 + 5, 101, 10, -1),
  trade(T0 + 6, 102, 30, 1),
  trade(T0 + 7, 102, 10, -1),
  trade(T0 + MIN + 1, 102, 1, 1),
];
const loaded: LoadedTrades = { trades: TRADES, params: P, symbol: 'test:TEST', timeframe: '1m' };
const counter = defineIndicator({
  name: 'bars_seen',
  inputs: ['signals'],
  init: () => ({ n: 0 }),
  onBar: (ctx, s) => ({ n: ++s.n, signals: ctx.signals.length }),
});

test('GET signals and indicators; bad kinds and loader errors come back as error envelopes', async () => {
  const app = Fastify();
  registerSignalRoutes(app, {
    load: (symbol) =>
      symbol === 'test:TEST'
        ? Promise.resolve(loaded)
        : Promise.reject(Object.assign(new Error(`${symbol} is not in the store`), { code: 'NOT_FOUND' })),
    indicators: [{ definition: counter }],
  });
  try {
    const r = await app.inject({ url: '/api/v1/orderflow/signals/test:TEST?kinds=stacked_imbalance' });
    assert.equal(r.statusCode, 200);
    const body = r.json<{ success: boolean; data: { count: number; signals: SignalJson[] } }>();
    assert.equal(body.data.count, 1);
    // Prices: tick 0.01 ⇒ row 100 = 1.00; volumes: lot 0.001.
    assert.deepEqual(body.data.signals[0], {
      symbol: 'test:TEST',
      kind: 'stacked_imbalance',
      direction: 'bullish',
      time: '2023-11-14T22:14:00Z',
      bar_start: '2023-11-14T22:13:00Z',
      price: 1,
      evidence: { side: 'buy', low: 1, high: 1.02, rows: 3 },
    });
    const all = (await app.inject({ url: '/api/v1/orderflow/signals/test:TEST' })).json<{
      data: { count: number; signals: SignalJson[] };
    }>();
    assert.ok(all.data.count > 1);
    const ind = (await app.inject({ url: '/api/v1/orderflow/indicators/test:TEST' })).json<{
      data: { indicators: string[]; bars: { values: Record<string, unknown> }[] };
    }>();
    assert.deepEqual(ind.data.indicators, ['bars_seen']);
    // Bar 0's value counts the signals that bar 0's close completed (time = its end).
    const atBar0 = all.data.signals.filter((x) => x.time === '2023-11-14T22:14:00Z');
    assert.deepEqual(ind.data.bars[0]!.values, { bars_seen: { n: 1, signals: atBar0.length } });
    const bad = await app.inject({ url: '/api/v1/orderflow/signals/test:TEST?kinds=nope' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json<{ error: { code: string } }>().error.code, 'INVALID_PARAMETER');
    const missing = await app.inject({ url: '/api/v1/orderflow/signals/x:Y' });
    assert.equal(missing.statusCode, 404);
  } finally {
    await app.close();
  }
});

test('the live feed emits exactly the history body signals, as WS signal messages', () => {
  const got: SignalJson[] = [];
  const values: unknown[] = [];
  const feed = new LiveSignalFeed(
    'test:TEST',
    P,
    {},
    [{ definition: counter }],
    (s) => got.push(s),
    (_b, v) => values.push(v),
  );
  for (const t of TRADES) feed.apply(t);
  // The live feed has not seen the second bar close (no later trade): compare with history over the first bar.
  const hist = signalsBody(loaded, {}, {}).signals.filter((s) => s.bar_start === '2023-11-14T22:13:00Z');
  assert.deepEqual(got, hist);
  assert.equal(values.length, 1);
  const msg = JSON.parse(encodeSignalMessage(got[0]!).toString()) as { type: string; data: SignalJson };
  assert.equal(msg.type, 'signal');
  assert.deepEqual(msg.data, got[0]);
  const ind = JSON.parse(
    encodeIndicatorMessage('test:TEST', got[0]!.bar_start, { bars_seen: { n: 1, signals: 2 } }).toString(),
  ) as unknown;
  assert.deepEqual(ind, {
    type: 'indicator_update',
    data: { symbol: 'test:TEST', bar_start: got[0]!.bar_start, values: { bars_seen: { n: 1, signals: 2 } } },
  });
});
