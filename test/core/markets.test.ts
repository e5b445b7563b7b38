// Markets: resolution of names and exchange:SYMBOL, the market scale, and exact rescaling onto it, checked against
// an independent BigInt decimal recomputation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatIncrement, parseIncrement } from '../../src/core/decimal.ts';
import { OrderflowError } from '../../src/core/errors.ts';
import { InstrumentRegistry, type Instrument } from '../../src/core/instrument.ts';
import {
  MarketRescaler,
  marketDefinitions,
  rescaleTrade,
  rescaleTrades,
  resolveMarket,
} from '../../src/core/markets.ts';
import type { Trade } from '../../src/core/trade.ts';
import { lots, micros, ticks } from '../../src/core/units.ts';

const registry = new InstrumentRegistry();

function trade(exchange: string, symbol: string, price: number, qty: number): Trade {
  return {
    exchange,
    symbol,
    id: 1,
    ts: micros(1),
    price: ticks(price),
    qty: lots(qty),
    side: 1,
    sideSource: 'exchange',
  };
}

/** Independent: units × increment as an exact decimal scaled to 10^-18, in BigInt. */
function atto(units: number, inc: string): bigint {
  const [i, f = ''] = inc.split('.');
  return BigInt(units) * BigInt(i! + f.padEnd(18, '0'));
}

describe('resolveMarket', () => {
  it('default BTC = binance:BTCUSDT + coinbase:BTC-USD on the finest grid (hand-worked)', () => {
    // binance BTCUSDT: tick 0.01, lot 0.00001; coinbase BTC-USD: tick 0.01, lot 0.00000001.
    // Finest common: tick 0.01, lot 0.00000001 ⇒ binance price ×1, qty ×1000; coinbase ×1, ×1.
    const m = resolveMarket('BTC', registry);
    assert.deepEqual(
      m.instruments.map((i) => `${i.exchange}:${i.symbol}`),
      ['binance:BTCUSDT', 'coinbase:BTC-USD'],
    );
    assert.equal(formatIncrement(m.scale.price), '0.01');
    assert.equal(formatIncrement(m.scale.qty), '0.00000001');
    assert.deepEqual(
      m.members.map((x) => [x.priceFactor, x.qtyFactor]),
      [
        [1, 1000],
        [1, 1],
      ],
    );
  });

  it('ETH default and a single instrument by exchange:SYMBOL', () => {
    assert.equal(resolveMarket('ETH', registry).members.length, 2);
    const one = resolveMarket('binance-usdm:BTCUSDT', registry);
    assert.deepEqual(
      one.members.map((x) => [x.priceFactor, x.qtyFactor]),
      [[1, 1]],
    );
    assert.equal(formatIncrement(one.scale.price), '0.1');
  });

  it('config markets override defaults; mixed ticks resolve to the gcd (0.1 and 1 ⇒ 0.1; bitstamp tick 1 ⇒ ×10)', () => {
    const cfg = {
      BTC: ['okx:BTC-USDT', 'bitstamp:btcusd'],
      WIDE: ['kraken:BTC/USD', 'bybit-linear:BTCUSDT'],
    };
    assert.deepEqual(marketDefinitions(cfg)['ETH'], ['binance:ETHUSDT', 'coinbase:ETH-USD']);
    const m = resolveMarket('BTC', registry, cfg);
    assert.equal(formatIncrement(m.scale.price), '0.1');
    assert.deepEqual(
      m.members.map((x) => x.priceFactor),
      [1, 10],
    );
  });

  it('errors: unknown market, unknown instrument, duplicate, contracts mixed with coins', () => {
    const code = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        assert.ok(e instanceof OrderflowError);
        return e.code;
      }
      return 'no error';
    };
    assert.equal(
      code(() => resolveMarket('DOGE', registry)),
      'INVALID_CONFIG',
    );
    assert.equal(
      code(() => resolveMarket('nowhere:BTCUSDT', registry)),
      'INVALID_CONFIG',
    );
    assert.equal(
      code(() => resolveMarket('X', registry, { X: ['binance:BTCUSDT', 'binance:BTCUSDT'] })),
      'INVALID_CONFIG',
    );
    assert.equal(
      code(() => resolveMarket('X', registry, { X: ['binance:BTCUSDT', 'binance-coinm:BTCUSD_PERP'] })),
      'INVALID_CONFIG',
    );
    assert.equal(
      code(() => resolveMarket('X', registry, { X: [] })),
      'INVALID_CONFIG',
    );
  });
});

describe('rescaling', () => {
  it('hand-worked: 61837.63 × 0.02 BTC on Binance → 6183763 ticks, 2000000 lots of 1e-8', () => {
    const m = resolveMarket('BTC', registry);
    const t = rescaleTrade(trade('binance', 'BTCUSDT', 6183763, 2000), m.members[0]!);
    assert.deepEqual([t.price, t.qty], [6183763, 2000000]);
    // factor 1 returns the trade itself (no copy on the hot path)
    const c = trade('coinbase', 'BTC-USD', 1, 1);
    assert.equal(rescaleTrade(c, m.members[1]!), c);
  });

  it('property: the decimal value of price and qty is unchanged (BigInt recomputation)', () => {
    const insts: Instrument[] = [
      ['a', '0.5', '0.001'],
      ['b', '0.01', '0.00001'],
      ['c', '1', '0.1'],
    ].map(([ex, tick, step]) => ({
      exchange: ex!,
      symbol: 'S',
      kind: 'spot',
      base: 'B',
      quote: 'Q',
      price: parseIncrement(tick!),
      qty: parseIncrement(step!),
      volumeUnit: 'base',
      source: 'config',
    }));
    const reg = new InstrumentRegistry(false);
    insts.forEach((i) => reg.set(i));
    const m = resolveMarket('M', reg, { M: ['a:S', 'b:S', 'c:S'] });
    // gcd(0.5, 0.01, 1) = 0.01; gcd(0.001, 0.00001, 0.1) = 0.00001.
    assert.equal(formatIncrement(m.scale.price), '0.01');
    assert.equal(formatIncrement(m.scale.qty), '0.00001');
    const r = new MarketRescaler(m);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 1, max: 1e9 }),
        fc.integer({ min: 1, max: 1e9 }),
        (k, p, q) => {
          const i = insts[k]!;
          const t = r.rescale(trade(i.exchange, 'S', p, q));
          assert.equal(atto(t.price, '0.01'), atto(p, formatIncrement(i.price)));
          assert.equal(atto(t.qty, '0.00001'), atto(q, formatIncrement(i.qty)));
        },
      ),
    );
  });

  it('batch equals one by one; a trade of another instrument is refused; overflow is an error', () => {
    const m = resolveMarket('BTC', registry);
    const ts = [trade('binance', 'BTCUSDT', 1, 2), trade('binance', 'BTCUSDT', 3, 4)];
    assert.deepEqual(
      rescaleTrades(ts, m.members[0]!),
      ts.map((t) => rescaleTrade(t, m.members[0]!)),
    );
    assert.throws(() => new MarketRescaler(m).rescale(trade('okx', 'BTC-USDT', 1, 1)), OrderflowError);
    assert.throws(() => rescaleTrade(trade('binance', 'BTCUSDT', 1, 2 ** 52), m.members[0]!), OrderflowError);
  });
});
