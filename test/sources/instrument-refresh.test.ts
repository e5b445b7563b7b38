// The live source reads instrument increments from the exchanges before its first trade: a loopback Binance
// serves exchangeInfo with a tick size other than the cached one; an exchange that answers nothing keeps the cache.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { formatIncrement } from '../../src/core/decimal.ts';
import { InstrumentRegistry } from '../../src/core/instrument.ts';
import { ExchangeCollector } from '../../src/sources/exchanges/collector.ts';
import { refreshInstruments } from '../../src/service/sources.ts';

test('collectors refresh increments from the exchange; an unreachable one keeps the cached increments', async () => {
  const exchangeInfo = {
    symbols: [
      {
        symbol: 'BTCUSDT',
        baseAsset: 'BTC',
        quoteAsset: 'USDT',
        filters: [
          { filterType: 'PRICE_FILTER', tickSize: '0.10000000' },
          { filterType: 'LOT_SIZE', stepSize: '0.00001000' },
        ],
      },
    ],
  };
  const paths: string[] = [];
  const binance = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(exchangeInfo));
  });
  // Coinbase: a server that never answers (the timeout decides).
  const silent = createServer(() => undefined);
  await Promise.all([binance, silent].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
  const base = (s: typeof binance): string => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  try {
    const registry = new InstrumentRegistry();
    const cachedCoinbase = registry.get('coinbase', 'BTC-USD');
    assert.equal(formatIncrement(registry.get('binance', 'BTCUSDT')!.price), '0.01');
    const collectors = [
      new ExchangeCollector({
        feed: 'binance-spot-trade',
        symbols: ['BTCUSDT'],
        registry,
        restBase: base(binance),
      }),
      new ExchangeCollector({
        feed: 'coinbase-matches',
        symbols: ['BTC-USD'],
        registry,
        restBase: base(silent),
      }),
    ];
    const log: string[] = [];
    await refreshInstruments(collectors, (m) => log.push(m), 300);
    assert.deepEqual(paths, ['/api/v3/exchangeInfo']);
    const btc = registry.get('binance', 'BTCUSDT')!;
    assert.equal(formatIncrement(btc.price), '0.1');
    assert.equal(btc.source, 'exchange');
    assert.deepEqual(registry.get('coinbase', 'BTC-USD'), cachedCoinbase);
    assert.equal(log.length, 2);
    assert.match(log[0]!, /^binance: instrument increments from the exchange \(1 symbols\)/);
    assert.match(log[1]!, /^coinbase: instrument metadata unavailable .*using the cached increments/);
  } finally {
    binance.close();
    silent.closeAllConnections();
    silent.close();
  }
});
