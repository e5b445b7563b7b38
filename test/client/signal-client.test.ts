// The typed client's signal/indicator additions: REST methods hit the documented paths with their query, and the
// stream dispatches `signal`, `indicator_update` and `arbitrage_opportunity` messages to typed handlers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrderflowClient } from '../../src/client/rest-client.ts';
import { OrderflowStream, type SocketLike } from '../../src/client/stream-client.ts';

test('signals() and indicators() GET their endpoints with the query and return `data`', async () => {
  const urls: string[] = [];
  const fakeFetch = ((url: string) => {
    urls.push(url);
    return Promise.resolve(new Response(JSON.stringify({ success: true, data: { url } }), { status: 200 }));
  }) as typeof fetch;
  const api = new OrderflowClient({ baseUrl: 'http://h:1/', fetch: fakeFetch });
  await api.signals('binance:BTCUSDT', { timeframe: '1m', kinds: 'absorption,stacked_imbalance' });
  await api.indicators('BTC', { start_time: '2024-08-08T00:00:00Z' });
  assert.deepEqual(urls, [
    'http://h:1/api/v1/orderflow/signals/binance%3ABTCUSDT?timeframe=1m&kinds=absorption%2Cstacked_imbalance',
    'http://h:1/api/v1/orderflow/indicators/BTC?start_time=2024-08-08T00%3A00%3A00Z',
  ]);
});

test('signals() surfaces the API error code', async () => {
  const fakeFetch = (() =>
    Promise.resolve(
      new Response(
        JSON.stringify({ success: false, error: { code: 'INVALID_PARAMETER', message: 'kinds' } }),
        {
          status: 400,
        },
      ),
    )) as typeof fetch;
  const api = new OrderflowClient({ baseUrl: 'http://h:1', fetch: fakeFetch });
  await assert.rejects(api.signals('BTC', { kinds: 'nope' }), { code: 'INVALID_PARAMETER', status: 400 });
});

test('the stream dispatches the three new message types to their handlers only', () => {
  let onMessage: ((e: { data: unknown }) => void) | undefined;
  const socket: SocketLike = {
    readyState: 1,
    send: () => undefined,
    close: () => undefined,
    addEventListener: (type: string, l: (e: { data: unknown }) => void) => {
      if (type === 'message') onMessage = l;
    },
  };
  const ws = new OrderflowStream('ws://h/ws/orderflow', { socket: () => socket });
  const got: string[] = [];
  ws.on('signal', (s) => got.push(`signal ${s.kind} ${s.direction} ${s.price}`));
  ws.on('indicator_update', (u) => got.push(`ind ${u.bar_start} ${String(u.values['abs5']?.['ratio'])}`));
  ws.on('arbitrage_opportunity', (o) => got.push(`arb ${o.buy_venue}>${o.sell_venue} ${String(o.end)}`));
  const send = (type: string, data: unknown): void => onMessage?.({ data: JSON.stringify({ type, data }) });
  send('signal', {
    symbol: 'BTC',
    kind: 'absorption',
    direction: 'bullish',
    time: 't',
    bar_start: 'b',
    price: 1.5,
    evidence: {},
  });
  send('indicator_update', { symbol: 'BTC', bar_start: 'b0', values: { abs5: { ratio: 0.25 } } });
  send('arbitrage_opportunity', {
    symbol: 'BTC',
    buy_venue: 'binance',
    sell_venue: 'bybit',
    start: 's',
    end: null,
    max_net_bps: 3,
    max_gross_bps: 5,
    buy_price: 1,
    sell_price: 2,
  });
  send('heartbeat', { time: 'x' });
  assert.deepEqual(got, ['signal absorption bullish 1.5', 'ind b0 0.25', 'arb binance>bybit null']);
});
