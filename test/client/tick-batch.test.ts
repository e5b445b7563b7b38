// The columnar `tick` batch: what the service encodes (tickMessage) decodes (decodeTickBatch) to exactly the trades,
// checked against the core's own exact decimal formatting; the typed client's onTrades hands them out decoded; bad
// batches fail with a code instead of yielding wrong trades.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OrderflowStream, type SocketLike } from '../../src/client/stream-client.ts';
import {
  decodeTickBatch,
  TickBatchError,
  type StreamTrade,
  type TickBatch,
} from '../../src/client/tick-batch.ts';
import { parseIncrement, unitsToString } from '../../src/core/decimal.ts';
import type { Scale } from '../../src/core/instrument.ts';
import type { Trade } from '../../src/core/trade.ts';
import { lots, micros, ticks } from '../../src/core/units.ts';
import { tickMessage } from '../../src/service/stream-messages.ts';
import { params } from '../helpers.ts';

const VENUES = [
  ['binance', 'BTCUSDT'],
  ['coinbase', 'BTC-USD'],
  ['kraken', 'XBT/USD'],
] as const;

const tradeArb = (multiVenue: boolean): fc.Arbitrary<Trade> =>
  fc
    .record({
      venue: fc.integer({ min: 0, max: multiVenue ? 2 : 0 }),
      // Any safe integer: successive differences may then overflow 2^53, and the column must stay exact.
      id: fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
      // Whole µs from 1970 to 2100, out of order within a batch like merged venues.
      ts: fc.integer({ min: 0, max: 4_102_444_800_000_000 }),
      price: fc.integer({ min: 1, max: 2 ** 40 }),
      qty: fc.integer({ min: 1, max: 2 ** 40 }),
      side: fc.constantFrom(1 as const, -1 as const),
    })
    .map((r) => ({
      exchange: VENUES[r.venue]![0],
      symbol: VENUES[r.venue]![1],
      id: r.id,
      ts: micros(r.ts),
      price: ticks(r.price),
      qty: lots(r.qty),
      side: r.side,
      sideSource: 'exchange' as const,
    }));

const scaleArb: fc.Arbitrary<Scale> = fc
  .record({
    price: fc.constantFrom('0.01', '0.5', '1', '0.00000001', '25'),
    qty: fc.constantFrom('0.00001', '1', '0.001', '10'),
  })
  .map((s) => ({ price: parseIncrement(s.price), qty: parseIncrement(s.qty), volumeUnit: 'base' as const }));

/** What each trade must decode to, from the core's exact formatting (not the client's). */
const expected = (t: Trade, s: Scale): Partial<StreamTrade> => ({
  exchange: t.exchange,
  symbol: t.symbol,
  id: t.id,
  time_us: t.ts,
  price_text: unitsToString(t.price, s.price),
  qty_text: unitsToString(t.qty, s.qty),
  price: Number(unitsToString(t.price, s.price)),
  qty: Number(unitsToString(t.qty, s.qty)),
  price_ticks: t.price,
  qty_lots: t.qty,
  side: t.side === 1 ? 'buy' : 'sell',
});

const roundTrip = (trades: readonly Trade[], s: Scale, kind: 'live' | 'replay' = 'live') => {
  const msg = JSON.parse(tickMessage('BTC', trades, params({}, s), kind).toString()) as {
    type: string;
    data: TickBatch;
  };
  assert.equal(msg.type, 'tick');
  return msg.data;
};

test('encode → decode gives every trade back exactly, in order (one venue, several venues, string ids)', () => {
  fc.assert(
    fc.property(
      fc.boolean(),
      scaleArb,
      fc.boolean().chain((multi) => fc.array(tradeArb(multi), { maxLength: 300 })),
      (stringIds, s, plain) => {
        const trades = stringIds
          ? plain.map((t, i) => (i % 3 === 0 ? { ...t, id: `uuid-${i}-${String(t.id)}` } : t))
          : plain;
        const b = roundTrip(trades, s);
        assert.equal(b.count, trades.length);
        const venues = new Set(trades.map((t) => t.exchange)).size;
        assert.equal(b.venue === undefined, venues <= 1, 'the venue column only when venues differ');
        const codable = trades.every(
          (t, k) =>
            typeof t.id === 'number' &&
            (k === 0 || Number.isSafeInteger(t.id - (trades[k - 1]!.id as number))),
        );
        assert.equal(b.delta_coded.includes('id'), codable, 'ids delta-coded exactly when that is exact');
        assert.deepEqual(
          decodeTickBatch(b).map((x) => ({ ...x })),
          trades.map((t) => expected(t, s)),
        );
      },
    ),
    { numRuns: 300 },
  );
});

test('the batch is compact: shared fields once, ~10-20 bytes a trade on real-looking flow', () => {
  const s: Scale = { price: parseIncrement('0.01'), qty: parseIncrement('0.00001'), volumeUnit: 'base' };
  const trades: Trade[] = Array.from({ length: 200 }, (_, i) => ({
    exchange: 'binance',
    symbol: 'BTCUSDT',
    id: 3_700_000_000 + i,
    ts: micros(1_723_161_600_000_000 + Math.floor(i / 4) * 1000),
    price: ticks(6_183_763 + ((i * 7) % 5) - 2),
    qty: lots(10 + ((i * 37) % 900)),
    side: i % 3 === 0 ? -1 : 1,
    sideSource: 'exchange',
  }));
  const bytes = tickMessage('BTC', trades, params({}, s), 'live').length;
  assert.ok(bytes / trades.length < 20, `${bytes / trades.length} bytes a trade`);
  const b = roundTrip(trades, s);
  assert.deepEqual(b.venues, [['binance', 'BTCUSDT']]);
  assert.deepEqual(b.delta_coded, ['id', 'time_us', 'price_ticks']);
  assert.equal(b.start_time, '2024-08-09T00:00:00Z');
  assert.equal(b.price_increment, '0.01');
  assert.equal(b.qty_increment, '0.00001');
  assert.equal(b.side.length, 200);
});

test('simulated/replayed batches say so; an empty batch decodes to nothing', () => {
  const s: Scale = { price: parseIncrement('0.01'), qty: parseIncrement('0.001'), volumeUnit: 'base' };
  assert.equal(roundTrip([], s, 'replay').source, 'replay');
  assert.equal(roundTrip([], s).source, undefined);
  assert.deepEqual(decodeTickBatch(roundTrip([], s)), []);
});

test('unknown layouts and inconsistent columns fail with a code', () => {
  const s: Scale = { price: parseIncrement('0.01'), qty: parseIncrement('0.001'), volumeUnit: 'base' };
  const trades: Trade[] = [
    {
      exchange: 'x',
      symbol: 'Y',
      id: 1,
      ts: micros(5),
      price: ticks(100),
      qty: lots(2),
      side: 1,
      sideSource: 'exchange',
    },
    {
      exchange: 'x',
      symbol: 'Y',
      id: 2,
      ts: micros(6),
      price: ticks(99),
      qty: lots(3),
      side: -1,
      sideSource: 'exchange',
    },
  ];
  const b = roundTrip(trades, s);
  const code = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof TickBatchError);
      return e.code;
    }
    return 'no error';
  };
  assert.equal(
    code(() => decodeTickBatch({ ...b, format: 'columns/2' })),
    'UNKNOWN_TICK_FORMAT',
  );
  assert.equal(
    code(() => decodeTickBatch({ ...b, qty_lots: [2] })),
    'MALFORMED_TICK_BATCH',
  );
  assert.equal(
    code(() => decodeTickBatch({ ...b, price_increment: '-0.01' })),
    'MALFORMED_TICK_BATCH',
  );
  assert.equal(
    code(() => decodeTickBatch({ ...b, venue: [0, 3] })),
    'MALFORMED_TICK_BATCH',
  );
});

test('the typed client hands out decoded trades with their batch (onTrades)', () => {
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
  const off = ws.onTrades((trades, batch) =>
    got.push(`${batch.symbol} ${trades.map((t) => `${t.side} ${t.qty_text}@${t.price_text}`).join(', ')}`),
  );
  const s: Scale = { price: parseIncrement('0.5'), qty: parseIncrement('0.001'), volumeUnit: 'base' };
  const t = (id: number, price: number, qty: number, side: 1 | -1): Trade => ({
    exchange: 'binance',
    symbol: 'BTCUSDT',
    id,
    ts: micros(1_000_000 + id),
    price: ticks(price),
    qty: lots(qty),
    side,
    sideSource: 'exchange',
  });
  onMessage?.({
    data: tickMessage(
      'BTC',
      [t(7, 123_457, 1500, 1), t(8, 123_455, 2, -1)],
      params({}, s),
      'live',
    ).toString(),
  });
  off();
  onMessage?.({ data: tickMessage('BTC', [t(9, 1, 1, 1)], params({}, s), 'live').toString() });
  assert.deepEqual(got, ['BTC buy 1.500@61728.5, sell 0.002@61727.5']);
});
