/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return -- assertions on parsed JSON bodies */
// The service's signal, indicator and cross-exchange routes and `signal` stream messages over real Binance
// trades: REST bodies equal the batch signals computed directly on the stored trades; live signals equal the
// incremental stream over the same trades; errors, auth and config follow the service's rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import type { Trade } from '../../src/core/trade.ts';
import { parseConfig } from '../../src/core/config.ts';
import { inferInstrument, type Instrument } from '../../src/core/instrument.ts';
import { resolveParams } from '../../src/core/params.ts';
import { parseTime } from '../../src/core/time.ts';
import { readTargetTrades, resolveTarget } from '../../src/query/targets.ts';
import { signalsFromTrades, TradeSignalStream } from '../../src/signals/trade-signals.ts';
import { signalJson } from '../../src/signals/signal-view.ts';
import { unitsFor } from '../../src/views/units.ts';
import { lots, micros, ticks } from '../../src/core/units.ts';
import { SpreadMonitor } from '../../src/cross/cross-exchange.ts';
import { encodeCrossMessage } from '../../src/cross/http.ts';
import { ApiKeyStore } from '../../src/api/api-keys.ts';
import { requireData } from '../real-data.ts';
import { BTC_FILE, injectApp, listen, serviceFixture, storedGridTrades } from './fixture.ts';

const SYMBOL = 'binance:BTCUSDT';
const FROM = '2024-08-08T23:54:00Z';
const TO = '2024-08-09T00:06:00Z';

test('GET signals/{symbol} equals signalsFromTrades on the same stored trades (15s and 1m bars, kinds filter)', async (t) => {
  const f = await serviceFixture(t, { files: [BTC_FILE] });
  if (!f) return;
  const api = await injectApp(f);
  try {
    const target = await resolveTarget(f.store, SYMBOL);
    const trades = await readTargetTrades(f.store, target, parseTime(FROM), parseTime(TO));
    assert.ok(trades.length > 1000);
    let total = 0;
    for (const tf of ['15s', '1m']) {
      const p = resolveParams(parseConfig({ timePerRow: tf }), target.scale, target.qtyStep);
      const u = unitsFor(p.scale, p.rowTicks);
      const expected = signalsFromTrades(trades, p).map((e) => signalJson(SYMBOL, e, u));
      const res = await api.app.inject({
        url: `/api/v1/orderflow/signals/${SYMBOL}?timeframe=${tf}&start_time=${FROM}&end_time=${TO}`,
      });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.success, true);
      assert.equal(body.data.symbol, SYMBOL);
      assert.equal(body.data.timeframe, tf);
      assert.equal(body.data.count, expected.length);
      assert.deepEqual(body.data.signals, JSON.parse(JSON.stringify(expected)));
      total += expected.length;

      // kinds= keeps exactly the batch signals of those kinds.
      const kind = expected[0]?.kind ?? 'absorption';
      const only = await api.app.inject({
        url: `/api/v1/orderflow/signals/${SYMBOL}?timeframe=${tf}&start_time=${FROM}&end_time=${TO}&kinds=${kind}`,
      });
      assert.deepEqual(
        only.json().data.signals,
        JSON.parse(JSON.stringify(expected.filter((s) => s.kind === kind))),
      );
    }
    assert.ok(total > 0, 'the real file yields signals, so the comparison says something');
  } finally {
    await api.close();
    await f.close();
  }
});

test('indicators and cross routes answer over the store; errors use the service catalogue', async (t) => {
  const f = await serviceFixture(t, { files: [BTC_FILE] });
  if (!f) return;
  const api = await injectApp(f);
  try {
    const ind = await api.app.inject({
      url: `/api/v1/orderflow/indicators/${SYMBOL}?timeframe=1m&start_time=${FROM}&end_time=${TO}`,
    });
    assert.equal(ind.statusCode, 200, ind.body);
    // 23:54 … 00:05 inclusive: 12 one-minute bars hold trades in the file's range.
    assert.deepEqual(ind.json().data.indicators, []);
    assert.equal(ind.json().data.bars.length, 12);

    // BTC is the default market; only its Binance instrument is stored, so it has one venue.
    const cross = await api.app.inject({
      url: `/api/v1/orderflow/cross/BTC?timeframe=1m&start_time=${FROM}&end_time=${TO}&max_lag=2`,
    });
    assert.equal(cross.statusCode, 200, cross.body);
    assert.deepEqual(cross.json().data.venues, [SYMBOL]);
    assert.equal(cross.json().data.bars.length, 12);

    const unknown = await api.app.inject({ url: '/api/v1/orderflow/signals/binance:NOPE' });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error.code, 'UNKNOWN_SYMBOL');
    const badKind = await api.app.inject({ url: `/api/v1/orderflow/signals/${SYMBOL}?kinds=nope` });
    assert.equal(badKind.statusCode, 400);
    assert.equal(badKind.json().error.code, 'INVALID_PARAMETER');
    const badTime = await api.app.inject({ url: `/api/v1/orderflow/signals/${SYMBOL}?start_time=yesterday` });
    assert.equal(badTime.statusCode, 400);
    assert.equal(badTime.json().error.code, 'INVALID_PARAMETER');
    const tooLong = await api.app.inject({
      url: `/api/v1/orderflow/cross/BTC?start_time=2024-01-01T00:00:00Z&end_time=2024-02-01T00:00:00Z`,
    });
    assert.equal(tooLong.statusCode, 400);
    assert.equal(tooLong.json().error.code, 'RANGE_TOO_LARGE');
    const badLag = await api.app.inject({ url: `/api/v1/orderflow/cross/BTC?max_lag=-1` });
    assert.equal(badLag.json().error.code, 'INVALID_PARAMETER');

    const doc = (await api.app.inject({ url: '/api/v1/openapi.json' })).json();
    for (const path of [
      '/api/v1/orderflow/signals/{symbol}',
      '/api/v1/orderflow/indicators/{symbol}',
      '/api/v1/orderflow/cross/{market}',
    ])
      assert.ok(doc.paths[path]?.get !== undefined, `OpenAPI documents ${path}`);

    // Without start_time: the last 100 bars up to the latest trade, i.e. the whole 12-minute file at 1m.
    const dflt = await api.app.inject({ url: `/api/v1/orderflow/indicators/${SYMBOL}?timeframe=1m` });
    assert.equal(dflt.json().data.bars.length, 12);
  } finally {
    await api.close();
    await f.close();
  }
});

test('signal and cross routes need an API key once one exists', async (t) => {
  const f = await serviceFixture(t, { files: [BTC_FILE] });
  if (!f) return;
  const keys = new ApiKeyStore();
  const { key } = keys.add('rest-client', ['rest']);
  const api = await injectApp(f, {}, keys);
  try {
    for (const url of [`/api/v1/orderflow/signals/${SYMBOL}`, `/api/v1/orderflow/cross/BTC`]) {
      const anon = await api.app.inject({ url });
      assert.equal(anon.statusCode, 401);
      assert.equal(anon.json().error.code, 'AUTH_REQUIRED');
      const ok = await api.app.inject({ url, headers: { authorization: `Bearer ${key}` } });
      assert.equal(ok.statusCode, 200, ok.body);
    }
  } finally {
    await api.close();
    await f.close();
  }
});

/** Waits (on the event loop, bounded) until a condition holds. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(cond(), 'condition reached');
}

test('WebSocket: replaying a real file, the `signal` messages equal the incremental stream (all closed bars)', async (t) => {
  const path = requireData(t, BTC_FILE);
  if (!path) return;
  const f = (await serviceFixture(t))!;
  const { inst, all } = await storedGridTrades(f, path);
  const server = await listen(f);
  const ws = new WebSocket(server.wsUrl);
  const got: unknown[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const subscribed = new Promise<void>((resolve) => {
      ws.on('message', (d: Buffer) => {
        const m = JSON.parse(d.toString());
        if (m.type === 'subscribed') resolve();
        if (m.type === 'signal') got.push(m.data);
      });
    });
    ws.send(
      JSON.stringify({ type: 'subscribe', data: { channel: 'orderflow', symbol: SYMBOL, timeframe: '1m' } }),
    );
    await subscribed;

    const target = await resolveTarget(f.store, SYMBOL);
    const p = resolveParams(parseConfig({ timePerRow: '1m' }), target.scale, target.qtyStep);
    const u = unitsFor(p.scale, p.rowTicks);
    // Live bars close on the first trade of a later bar; the forming last bar has no flush, so its signals
    // (the batch form's flush) are not expected.
    const stream = new TradeSignalStream(p);
    const expected = stream.applyBatch(all).map((e) => signalJson(SYMBOL, e, u));
    const withFlush = signalsFromTrades(all, p).length;
    assert.ok(expected.length > 0, 'the file yields live signals');
    assert.equal(withFlush, expected.length + stream.flush().length);

    for (let i = 0; i < all.length; i += 700) f.source.push(inst, all.slice(i, i + 700));
    await until(() => got.length >= expected.length);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(got, JSON.parse(JSON.stringify(expected)));
    assert.equal(f.service.hub.publishedSignals, expected.length);
  } finally {
    ws.close();
    await server.close();
    await f.close();
  }
});

test('WebSocket: a two-venue market streams `arbitrage_opportunity` exactly as a SpreadMonitor over the trades', async (t) => {
  const f = (await serviceFixture(t))!;
  const scale = {
    price: { mantissa: 1, decimals: 2 },
    qty: { mantissa: 1, decimals: 5 },
    volumeUnit: 'base' as const,
  };
  const bn = inferInstrument('binance', 'BTCUSDT', scale);
  const cb = inferInstrument('coinbase', 'BTC-USD', scale);
  await f.store.upsertInstrument(bn);
  await f.store.upsertInstrument(cb);
  const server = await listen(f);
  const ws = new WebSocket(server.wsUrl);
  const got: unknown[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const subscribed = new Promise<void>((resolve) => {
      ws.on('message', (d: Buffer) => {
        const m = JSON.parse(d.toString());
        if (m.type === 'subscribed') resolve();
        if (m.type === 'arbitrage_opportunity') got.push(m.data);
      });
    });
    ws.send(
      JSON.stringify({ type: 'subscribe', data: { channel: 'orderflow', symbol: 'BTC', timeframe: '1m' } }),
    );
    await subscribed;
    const t0 = parseTime('2024-08-09T00:00:00Z');
    const mk = (i: Instrument, id: number, dtMs: number, price: number): Trade => ({
      exchange: i.exchange,
      symbol: i.symbol,
      id,
      ts: micros(t0 + dtMs * 1000),
      price: ticks(price),
      qty: lots(100),
      side: 1,
      sideSource: 'exchange',
    });
    // Binance 60000.00; Coinbase 60030.00 (+5 bps: buy Binance, sell Coinbase) 100 ms later; then Coinbase
    // back to 60000.00 closes it; a Coinbase print 2 s after the last Binance one is stale (default 1 s).
    const seq: [Instrument, Trade][] = [
      [bn, mk(bn, 1, 0, 6_000_000)],
      [cb, mk(cb, 1, 100, 6_003_000)],
      [cb, mk(cb, 2, 200, 6_000_000)],
      [cb, mk(cb, 3, 2200, 6_009_000)],
    ];
    const monitor = new SpreadMonitor({}, (x) => `${x.exchange}:${x.symbol}`);
    const u = unitsFor(scale, 1);
    const expected = seq.flatMap(([, x]) =>
      monitor.apply(x).map((o) => JSON.parse(encodeCrossMessage('BTC', o, u).toString()).data),
    );
    assert.deepEqual(
      expected.map((o) => [o.buy_venue, o.sell_venue, o.end === null]),
      [
        ['binance:BTCUSDT', 'coinbase:BTC-USD', true],
        ['binance:BTCUSDT', 'coinbase:BTC-USD', false],
      ],
      'opened, then closed; the stale print opens nothing',
    );
    for (const [i, x] of seq) f.source.push(i, [x]);
    await until(() => got.length >= expected.length);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(got, expected);
  } finally {
    ws.close();
    await server.close();
    await f.close();
  }
});
