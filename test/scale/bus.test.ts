// The pure parts of the scale-out adapter: subject tokens, the trade wire format, message ids, shards, config from
// env, Prometheus text. No NATS needed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Trade } from '../../src/core/trade.ts';
import { lots, micros, ticks, type Side } from '../../src/core/units.ts';
import {
  instrumentKvKey,
  parseShard,
  shardDurable,
  shardFilter,
  subjectToken,
  tradeMsgId,
  tradeOfWire,
  tradeSubject,
  wireOf,
} from '../../src/scale/bus.ts';
import { prometheusText, startHealthEndpoint } from '../../src/scale/health.ts';
import { mergeScaleInputs, redactUrl, scaleConfigFromEnv } from '../../src/scale/scale-config.ts';

const tradeArb = fc.record({
  exchange: fc.string({ minLength: 1, maxLength: 12 }),
  symbol: fc.string({ minLength: 1, maxLength: 12 }),
  id: fc.oneof(fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.string({ minLength: 1, maxLength: 40 })),
  ts: fc.nat({ max: 4_102_444_800_000_000 }),
  price: fc.integer({ min: -1e12, max: 1e15 }),
  qty: fc.integer({ min: 1, max: 1e15 }),
  side: fc.constantFrom<Side>(1, -1),
  tickRule: fc.boolean(),
  count: fc.option(fc.integer({ min: 1, max: 1e6 }), { nil: undefined }),
  recvTs: fc.option(fc.nat({ max: 4_102_444_800_000_000 }), { nil: undefined }),
});

interface Raw {
  exchange: string;
  symbol: string;
  id: number | string;
  ts: number;
  price: number;
  qty: number;
  side: Side;
  tickRule: boolean;
  count: number | undefined;
  recvTs: number | undefined;
}

const toTrade = (x: Raw): Trade => {
  return {
    exchange: x.exchange,
    symbol: x.symbol,
    id: x.id,
    ts: micros(x.ts),
    price: ticks(x.price),
    qty: lots(x.qty),
    side: x.side,
    sideSource: x.tickRule ? 'tick-rule' : 'exchange',
    ...(x.count === undefined ? {} : { count: x.count }),
    ...(x.recvTs === undefined ? {} : { recvTs: micros(x.recvTs) }),
  };
};

describe('scale-out bus format', () => {
  it('round-trips every field of a trade through the wire form (and JSON)', () => {
    fc.assert(
      fc.property(tradeArb, (r) => {
        const t = toTrade(r);
        assert.deepEqual(tradeOfWire(JSON.parse(JSON.stringify(wireOf(t)))), t);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses malformed wire trades with a reason instead of a trade', () => {
    const good = wireOf(
      toTrade({
        exchange: 'b',
        symbol: 'S',
        id: 1,
        ts: 5,
        price: 1,
        qty: 1,
        side: 1,
        tickRule: false,
        count: undefined,
        recvTs: undefined,
      }),
    );
    assert.equal(typeof tradeOfWire(good), 'object');
    for (const bad of [
      null,
      {},
      good.slice(0, 9),
      [...good.slice(0, 6), 0, ...good.slice(7)],
      [...good.slice(0, 3), 1.5, ...good.slice(4)],
      [...good.slice(0, 5), '3', ...good.slice(6)],
      [...good.slice(0, 8), 'x', null],
    ]) {
      assert.equal(typeof tradeOfWire(bad), 'string', JSON.stringify(bad));
    }
  });

  it('subject tokens never contain NATS separators or wildcards, and distinct names stay distinct', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (a, b) => {
        const ta = subjectToken(a);
        assert.match(ta, /^[A-Za-z0-9_\-/=]*$/);
        if (a !== b) assert.notEqual(ta, subjectToken(b));
      }),
      { numRuns: 500 },
    );
    // By hand: '.' is 0x2E, '*' 0x2A, '=' itself 0x3D; '-' and '/' stay.
    assert.equal(subjectToken('BTC-USD'), 'BTC-USD');
    assert.equal(subjectToken('XBT/USD'), 'XBT/USD');
    assert.equal(subjectToken('a.b*c=d'), 'a=2Eb=2Ac=3Dd');
    assert.equal(tradeSubject('of', 'binance', 'BTCUSDT'), 'of.trades.binance.BTCUSDT');
    assert.equal(instrumentKvKey('kraken', 'BTC/USD'), 'kraken.BTC/USD');
  });

  it('uses exchange:symbol:id as the message id', () => {
    const t = toTrade({
      exchange: 'coinbase',
      symbol: 'BTC-USD',
      id: 'u-1',
      ts: 1,
      price: 1,
      qty: 1,
      side: -1,
      tickRule: false,
      count: undefined,
      recvTs: undefined,
    });
    assert.equal(tradeMsgId(t), 'coinbase:BTC-USD:u-1');
    assert.equal(tradeMsgId({ ...t, id: 42 }), 'coinbase:BTC-USD:42');
  });

  it('turns shards into a consumer filter and a stable durable name', () => {
    const s = parseShard('binance:BTCUSDT');
    assert.deepEqual(s, { exchange: 'binance', symbol: 'BTCUSDT' });
    assert.equal(shardFilter('of', s), 'of.trades.binance.BTCUSDT');
    assert.equal(shardFilter('of', parseShard('binance:*')), 'of.trades.binance.*');
    assert.equal(shardFilter('of', parseShard('*:*')), 'of.trades.*.*');
    assert.equal(shardDurable(s), 'worker_binance_BTCUSDT');
    assert.equal(shardDurable(parseShard('kraken:BTC/USD')), 'worker_kraken_BTC_USD');
    assert.match(shardDurable(parseShard('*:*')), /^[A-Za-z0-9_-]+$/);
    assert.throws(() => parseShard('BTCUSDT'), RangeError);
    assert.throws(() => parseShard('binance:'), RangeError);
  });
});

describe('scale-out config and metrics', () => {
  it('reads URLs and credentials from env, flags winning over env over file, and redacts passwords', () => {
    const env = scaleConfigFromEnv({
      ORDERFLOW_NATS_URL: 'nats://a:4222, nats://b:4222',
      ORDERFLOW_NATS_USER: 'of',
      ORDERFLOW_NATS_PASSWORD: 'secret',
      ORDERFLOW_PG_URL: 'postgres://of:pw@db:5432/of',
    });
    const c = mergeScaleInputs({ postgres: { schema: 'fromfile', url: 'postgres://file' } }, env, {
      stream: { name: 'X' },
    });
    assert.deepEqual(c.nats.servers, ['nats://a:4222', 'nats://b:4222']);
    assert.equal(c.nats.user, 'of');
    assert.equal(c.nats.password, 'secret');
    assert.equal(c.postgres.url, 'postgres://of:pw@db:5432/of');
    assert.equal(c.postgres.schema, 'fromfile');
    assert.equal(c.stream.name, 'X');
    assert.equal(c.stream.subjectPrefix, 'orderflow');
    assert.equal(c.worker.ackWaitMs, 30_000);
    assert.equal(redactUrl('postgres://of:pw@db:5432/of'), 'postgres://of:***@db:5432/of');
    assert.equal(redactUrl('postgres://db/of'), 'postgres://db/of');
    assert.throws(() => mergeScaleInputs({ postgres: { schema: 'Bad-Name' } }));
  });

  it('writes health figures and consumer lag as Prometheus text', () => {
    const text = prometheusText(
      { role: 'worker', status: 'degraded', insertedTrades: 7, reason: 'x' } as never,
      [{ consumer: 'w1', pending: 3, ackPending: 2, redelivered: 1, deliveredSeq: 10, ackFloorSeq: 5 }],
    );
    assert.match(text, /^orderflow_worker_up\{status="degraded"\} 1$/m);
    assert.match(text, /^orderflow_worker_inserted_trades 7$/m);
    assert.match(text, /^orderflow_consumer_pending\{consumer="w1"\} 3$/m);
    assert.match(text, /^orderflow_consumer_ack_pending\{consumer="w1"\} 2$/m);
    assert.doesNotMatch(text, /reason/);
  });
});

describe('scale-out health endpoint', () => {
  it('serves /health (503 only when failed) and /metrics with consumer lag', async () => {
    let status: 'ok' | 'failed' = 'ok';
    const ep = await startHealthEndpoint(
      '127.0.0.1',
      0,
      () => ({ role: 'collector', status, published: 5 }),
      () =>
        Promise.resolve([
          { consumer: 'c', pending: 1, ackPending: 0, redelivered: 0, deliveredSeq: 1, ackFloorSeq: 1 },
        ]),
    );
    try {
      const base = `http://127.0.0.1:${ep.port}`;
      let r = await fetch(`${base}/health`);
      assert.equal(r.status, 200);
      assert.deepEqual(await r.json(), {
        role: 'collector',
        status: 'ok',
        published: 5,
        consumers: [
          { consumer: 'c', pending: 1, ackPending: 0, redelivered: 0, deliveredSeq: 1, ackFloorSeq: 1 },
        ],
      });
      status = 'failed';
      r = await fetch(`${base}/health`);
      assert.equal(r.status, 503);
      await r.body?.cancel();
      const m = await (await fetch(`${base}/metrics`)).text();
      assert.match(m, /^orderflow_collector_up\{status="failed"\} 0$/m);
      assert.match(m, /^orderflow_collector_published 5$/m);
      assert.match(m, /^orderflow_consumer_pending\{consumer="c"\} 1$/m);
      assert.equal((await fetch(`${base}/nope`)).status, 404);
    } finally {
      await ep.close();
    }
  });
});
