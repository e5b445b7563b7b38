// Instrument metadata parsed from the recorded exchangeInfo/products responses; the aggTrade recordings then map
// to the published normalized trade counts of multi-exchange/expected_counts.json.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatIncrement } from '../../src/core/decimal.ts';
import { InstrumentRegistry } from '../../src/core/instrument.ts';
import { micros } from '../../src/core/units.ts';
import { createBinanceMapper } from '../../src/sources/exchanges/mappers/binance.ts';
import {
  loadInstrumentMetadata,
  parseBinanceExchangeInfo,
  parseCoinbaseProducts,
} from '../../src/sources/exchanges/instrument-metadata.ts';
import { RestClient } from '../../src/sources/exchanges/rest-client.ts';
import { captureLines, COINBASE_ADVANCED_FILE, dataMissing, SHARED_DATA } from './recordings.ts';

const expectedCounts = (): Record<string, { trades?: number }> =>
  JSON.parse(readFileSync(join(SHARED_DATA, 'multi-exchange/expected_counts.json'), 'utf8')) as Record<
    string,
    { trades?: number }
  >;

describe('instrument metadata', () => {
  for (const [name, exchange] of [
    ['BINANCE', 'binance'],
    ['BINANCE_US', 'binance'],
    ['BINANCE_FUTURES', 'binance-usdm'],
  ] as const) {
    it(`${name}: recorded exchangeInfo → increments; aggTrade frames → the published trade count`, (t) => {
      const rel = `multi-exchange/${name}.jsonl.gz`;
      const skip = dataMissing(rel);
      if (skip) return t.skip(skip);
      const lines = captureLines(rel);
      const info = lines.find((l) => l.t === 'http' && l.url?.includes('exchangeInfo'));
      assert.ok(info?.data);
      const body = JSON.parse(info.data) as {
        symbols: { symbol: string; filters: Record<string, string>[] }[];
      };
      const instruments = parseBinanceExchangeInfo(body, exchange);
      assert.ok(instruments.length > 10);
      // Independent: the PRICE_FILTER/LOT_SIZE strings, trailing zeros cut, for every symbol.
      for (const i of instruments) {
        const s = body.symbols.find((x) => x.symbol === i.symbol)!;
        const cut = (v: string): string => (v.includes('.') ? v.replace(/0+$/, '').replace(/\.$/, '') : v);
        assert.equal(
          formatIncrement(i.price),
          cut(s.filters.find((f) => f['filterType'] === 'PRICE_FILTER')!['tickSize']!),
        );
        assert.equal(
          formatIncrement(i.qty),
          cut(s.filters.find((f) => f['filterType'] === 'LOT_SIZE')!['stepSize']!),
        );
      }
      const registry = new InstrumentRegistry(false);
      for (const i of instruments) registry.set(i);
      const mapper = createBinanceMapper({ exchange, stream: 'aggTrade', registry });
      let trades = 0;
      let bad = 0;
      for (const l of lines) {
        if (l.t !== 'recv' || !l.data) continue;
        for (const e of mapper.map(l.data, micros(0))) {
          if (e.kind === 'trades') trades += e.trades.length;
          if (e.kind === 'bad') bad++;
        }
      }
      assert.equal(bad, 0);
      assert.equal(trades, expectedCounts()[name]?.trades);
    });
  }

  it('coinbase: recorded Advanced Trade products → increments', (t) => {
    const skip = dataMissing(COINBASE_ADVANCED_FILE);
    if (skip) return t.skip(skip);
    const http = captureLines(COINBASE_ADVANCED_FILE).find((l) => l.t === 'http');
    const found = parseCoinbaseProducts(JSON.parse(http!.data!));
    const btc = found.find((i) => i.symbol === 'BTC-USD');
    assert.equal(btc && formatIncrement(btc.price), '0.01');
    assert.equal(btc && formatIncrement(btc.qty), '0.00000001');
  });

  it('hand-worked: tickSize "0.00000100" → 0.000001; tickSize "0" (disabled) is skipped', () => {
    const body = {
      symbols: [
        {
          symbol: 'AAA',
          filters: [
            { filterType: 'PRICE_FILTER', tickSize: '0.00000100' },
            { filterType: 'LOT_SIZE', stepSize: '1.00000000' },
          ],
        },
        {
          symbol: 'BBB',
          filters: [
            { filterType: 'PRICE_FILTER', tickSize: '0' },
            { filterType: 'LOT_SIZE', stepSize: '1' },
          ],
        },
      ],
    };
    const r = parseBinanceExchangeInfo(body, 'binance');
    assert.deepEqual(
      r.map((i) => [i.symbol, formatIncrement(i.price), formatIncrement(i.qty)]),
      [['AAA', '0.000001', '1']],
    );
  });

  it('live fetch replaces the cached row; an unreachable exchange keeps the cached fallback', async () => {
    const server = createServer((req, res) => {
      if (req.url?.startsWith('/products')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify([
            {
              id: 'BTC-USD',
              quote_increment: '0.1',
              base_increment: '0.0001',
              base_currency: 'BTC',
              quote_currency: 'USD',
            },
          ]),
        );
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const registry = new InstrumentRegistry();
      const ok = await loadInstrumentMetadata(
        new RestClient({ baseUrl: base }),
        'coinbase',
        ['BTC-USD'],
        registry,
      );
      assert.deepEqual(ok, { updated: 1 });
      assert.equal(formatIncrement(registry.get('coinbase', 'BTC-USD')!.price), '0.1');
      assert.equal(registry.get('coinbase', 'BTC-USD')!.source, 'exchange');

      const cached = new InstrumentRegistry();
      const failed = await loadInstrumentMetadata(
        new RestClient({ baseUrl: base, maxRetries: 0 }),
        'binance',
        ['BTCUSDT'],
        cached,
      );
      assert.equal(failed.updated, 0);
      assert.ok(failed.fallback);
      assert.equal(cached.get('binance', 'BTCUSDT')!.source, 'known');
    } finally {
      server.close();
    }
  });
});
