// Feed mappers on the recorded real frames, checked against an independent straightforward recomputation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InstrumentRegistry } from '../../src/core/instrument.ts';
import type { Trade } from '../../src/core/trade.ts';
import { micros } from '../../src/core/units.ts';
import { createBinanceMapper } from '../../src/sources/exchanges/mappers/binance.ts';
import { createCoinbaseMapper } from '../../src/sources/exchanges/mappers/coinbase.ts';
import { createCoinbaseAdvancedMapper } from '../../src/sources/exchanges/mappers/coinbase-advanced.ts';
import type { FeedEvent } from '../../src/sources/exchanges/types.ts';
import {
  BINANCE_FILES,
  binanceFrames,
  capturedFrames,
  COINBASE_ADVANCED_FILE,
  COINBASE_EXCHANGE_FILE,
  coinbaseExchangeFrames,
  dataMissing,
} from './recordings.ts';

const registry = new InstrumentRegistry();
const RECV = micros(1_700_000_000_000_000);

/** Independent decimal → integer units: pad/cut the fraction to `decimals` digits by string handling. */
function units(text: string, step: string): number {
  const stepDec = step.includes('.') ? step.split('.')[1]!.replace(/0+$/, '').length : 0;
  const [int, frac = ''] = text.split('.');
  assert.ok(frac.slice(stepDec).replace(/0/g, '') === '', `${text} finer than ${step}`);
  const scaled = BigInt(int! + frac.slice(0, stepDec).padEnd(stepDec, '0'));
  const stepScaled = BigInt(step.replace('.', '').replace(/^0+/, ''));
  assert.equal(scaled % stepScaled, 0n);
  return Number(scaled / stepScaled);
}

const tradesOf = (events: FeedEvent[]): Trade[] =>
  events.flatMap((e) => (e.kind === 'trades' ? e.trades : []));

describe('binance mapper on recorded @trade frames', () => {
  const cases: [string, 'binance' | 'binance-usdm', string, string][] = [
    [BINANCE_FILES.spotBtc2024, 'binance', '0.01', '0.00001'],
    [BINANCE_FILES.spotEth2024, 'binance', '0.01', '0.0001'],
    [BINANCE_FILES.spotBtc2023, 'binance', '0.01', '0.00001'],
    [BINANCE_FILES.usdmBtc2024, 'binance-usdm', '0.1', '0.001'],
    [BINANCE_FILES.usdmEth2024, 'binance-usdm', '0.01', '0.001'],
    [BINANCE_FILES.usdmBtc2023, 'binance-usdm', '0.1', '0.001'],
  ];
  for (const [file, exchange, tick, step] of cases) {
    it(`${file.split('/')[2]}: every frame → one exact trade`, (t) => {
      const skip = dataMissing(file);
      if (skip) return t.skip(skip);
      const frames = binanceFrames(file);
      const mapper = createBinanceMapper({ exchange, stream: 'trade', registry });
      const slow = createBinanceMapper({ exchange, stream: 'trade', registry, fastPath: false });
      let prev: number | undefined;
      for (const f of frames) {
        const ev = mapper.map(f, RECV);
        assert.deepEqual(ev, slow.map(f, RECV));
        const [tr] = tradesOf(ev);
        assert.ok(tr, f);
        const d = (JSON.parse(f) as { data: Record<string, unknown> }).data;
        assert.deepEqual(tr, {
          exchange,
          symbol: d['s'],
          id: d['t'],
          ts: (d['T'] as number) * 1000,
          price: units(d['p'] as string, tick),
          qty: units(d['q'] as string, step),
          side: d['m'] === true ? -1 : 1,
          sideSource: 'exchange',
          recvTs: RECV,
        });
        if (prev !== undefined) assert.equal(tr.id, prev + 1, 'ids are contiguous in the recording');
        prev = tr.id as number;
      }
    });
  }

  it('hand-worked: the EXCHANGES.md spot example', () => {
    const m = createBinanceMapper({ exchange: 'binance', stream: 'trade', registry });
    const ev = m.map(
      '{"stream":"btcusdt@trade","data":{"e":"trade","E":1785312000123,"s":"BTCUSDT","t":5123456789,"p":"101234.56000000","q":"0.00120000","T":1785312000121,"m":true,"M":true}}',
      RECV,
    );
    // price 101234.56 / 0.01 = 10123456 ticks; qty 0.0012 / 0.00001 = 120 lots; m=true ⇒ taker sold ⇒ -1;
    // T ms × 1000 = µs.
    assert.deepEqual(tradesOf(ev), [
      {
        exchange: 'binance',
        symbol: 'BTCUSDT',
        id: 5123456789,
        ts: 1785312000121000,
        price: 10123456,
        qty: 120,
        side: -1,
        sideSource: 'exchange',
        recvTs: RECV,
      },
    ]);
  });

  it('hand-worked: USD-M aggTrade counts l − f + 1 trades and uses the aggregate id', () => {
    const m = createBinanceMapper({ exchange: 'binance-usdm', stream: 'aggTrade', registry });
    const ev = m.map(
      '{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":1785312000310,"s":"BTCUSDT","a":3012345678,"p":"101210.40","q":"0.250","nq":"0.250","f":7123456789,"l":7123456794,"T":1785312000205,"m":false}}',
      RECV,
    );
    // 7123456794 − 7123456789 + 1 = 6 trades; 101210.40 / 0.1 = 1012104 ticks; 0.250 / 0.001 = 250 lots; m=false ⇒ +1.
    const [t] = tradesOf(ev);
    assert.equal(t?.id, 3012345678);
    assert.equal(t?.count, 6);
    assert.equal(t?.price, 1012104);
    assert.equal(t?.qty, 250);
    assert.equal(t?.side, 1);
    // A trade-stream mapper ignores aggTrade frames (their ids are another sequence).
    const tm = createBinanceMapper({ exchange: 'binance-usdm', stream: 'trade', registry });
    assert.deepEqual(tm.map('{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","s":"BTCUSDT"}}', RECV), [
      { kind: 'ignored' },
    ]);
  });

  it('µs trade time (timeUnit=MICROSECOND) is kept as µs', () => {
    const m = createBinanceMapper({ exchange: 'binance', stream: 'trade', registry });
    const [t] = tradesOf(
      m.map(
        '{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"1.00","q":"1.00000","T":1785312000121123,"m":false,"M":true}',
        RECV,
      ),
    );
    assert.equal(t?.ts, 1785312000121123);
  });

  it('control frames: subscribe reply, serverShutdown (both forms), errors', () => {
    const m = createBinanceMapper({ exchange: 'binance', stream: 'trade', registry });
    assert.equal(m.map('{"result":null,"id":1}', RECV)[0]?.kind, 'subscribed');
    assert.equal(m.map('{"e":"serverShutdown","E":1}', RECV)[0]?.kind, 'serverShutdown');
    assert.equal(
      m.map('{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1}}', RECV)[0]?.kind,
      'serverShutdown',
    );
    assert.equal(
      m.map('{"error":{"code":2,"msg":"Invalid request"},"id":1}', RECV)[0]?.kind,
      'exchangeError',
    );
    assert.equal(m.map('{"code":-1121,"msg":"Invalid symbol."}', RECV)[0]?.kind, 'exchangeError');
  });

  it('garbage, truncated and wrong-typed frames are typed bad events carrying the raw frame', () => {
    const m = createBinanceMapper({ exchange: 'binance', stream: 'trade', registry });
    const good =
      '{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":7,"p":"61837.63000000","q":"0.02000000","T":1723161255342,"m":true,"M":true}}';
    const badFrames = [
      '',
      'garbage',
      good.slice(0, 60),
      good.slice(0, -1),
      good.replace('"t":7', '"t":"7"'),
      good.replace('"t":7', '"t":7.5'),
      good.replace('"p":"61837.63000000"', '"p":"61837.635"'),
      good.replace('"p":"61837.63000000"', '"p":"-1"'),
      good.replace('"q":"0.02000000"', '"q":"0"'),
      good.replace('"m":true', '"m":1'),
      good.replace('BTCUSDT', 'NOPEUSDT'),
      '[1,2,3]',
    ];
    for (const f of badFrames) {
      const ev = m.map(f, RECV);
      assert.equal(ev.length, 1, f);
      assert.equal(ev[0]?.kind, 'bad', f);
      assert.equal((ev[0] as { raw: string }).raw, f);
    }
  });

  it('property: fast path = JSON.parse path on every prefix and one-char corruption of real frames', (t) => {
    const skip = dataMissing(BINANCE_FILES.usdmBtc2023);
    if (skip) return t.skip(skip);
    const frames = binanceFrames(BINANCE_FILES.usdmBtc2023).slice(5000, 5100);
    const fast = createBinanceMapper({ exchange: 'binance-usdm', stream: 'trade', registry });
    const slow = createBinanceMapper({
      exchange: 'binance-usdm',
      stream: 'trade',
      registry,
      fastPath: false,
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...frames),
        fc.nat(),
        fc.string({ maxLength: 2 }),
        fc.boolean(),
        (frame, at, insert, truncate) => {
          const i = at % (frame.length + 1);
          const f = truncate ? frame.slice(0, i) : frame.slice(0, i) + insert + frame.slice(i + 1);
          assert.deepEqual(fast.map(f, RECV), slow.map(f, RECV));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('property: never throws on arbitrary text', () => {
    const m = createBinanceMapper({ exchange: 'binance', stream: 'trade', registry });
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (s) => {
        const ev = m.map(s, RECV);
        assert.ok(ev.length >= 1);
      }),
    );
  });
});

describe('coinbase exchange mapper on the recorded matches feed', () => {
  it('every match/last_match → one exact trade with the aggressor opposite to the maker side', (t) => {
    const skip = dataMissing(COINBASE_EXCHANGE_FILE);
    if (skip) return t.skip(skip);
    const m = createCoinbaseMapper({ registry });
    let matches = 0;
    let heartbeats = 0;
    for (const f of coinbaseExchangeFrames()) {
      const ev = m.map(f, RECV);
      const o = JSON.parse(f) as Record<string, unknown>;
      if (o['type'] === 'match' || o['type'] === 'last_match') {
        matches++;
        assert.equal(ev.length, 1);
        const e = ev[0]!;
        assert.ok(e.kind === 'trades');
        assert.equal(e.snapshot, o['type'] === 'last_match');
        // Independent: "2026-07-07T22:58:17.164892Z" → Date.parse of the second + the µs digits.
        const time = o['time'] as string;
        const [whole, frac = ''] = time.replace('Z', '').split('.');
        const ts = Date.parse(whole + 'Z') * 1000 + Number(frac.padEnd(6, '0'));
        assert.deepEqual(e.trades, [
          {
            exchange: 'coinbase',
            symbol: o['product_id'],
            id: o['trade_id'],
            ts,
            price: units(o['price'] as string, '0.01'),
            qty: units(o['size'] as string, '0.00000001'),
            side: o['side'] === 'sell' ? 1 : -1,
            sideSource: 'exchange',
            recvTs: RECV,
          },
        ]);
      } else if (o['type'] === 'heartbeat') {
        heartbeats++;
        assert.deepEqual(ev, [
          { kind: 'heartbeat', symbol: o['product_id'], lastTradeId: o['last_trade_id'] },
        ]);
      } else if (o['type'] === 'subscriptions') {
        assert.equal(ev[0]?.kind, 'subscribed');
      } else {
        assert.deepEqual(ev, [{ kind: 'ignored' }]);
      }
    }
    // README: 435 matches (+ one last_match per product), heartbeats as counted in the file.
    assert.equal(matches, 437);
    assert.equal(heartbeats, 118);
  });

  it('hand-worked: the EXCHANGES.md example (maker sell ⇒ taker bought)', () => {
    const m = createCoinbaseMapper({ registry });
    const [e] = m.map(
      '{"type":"match","trade_id":912345678,"maker_order_id":"a","taker_order_id":"b","side":"sell","size":"0.01250000","price":"101215.37","product_id":"BTC-USD","sequence":98765432101,"time":"2026-07-27T14:03:11.482913Z"}',
      RECV,
    );
    assert.ok(e?.kind === 'trades');
    // 101215.37 / 0.01 = 10121537; 0.0125 / 1e-8 = 1250000; side "sell" is the maker ⇒ +1.
    assert.equal(e.trades[0]?.price, 10121537);
    assert.equal(e.trades[0]?.qty, 1250000);
    assert.equal(e.trades[0]?.side, 1);
    assert.equal(e.trades[0]?.ts, Date.parse('2026-07-27T14:03:11Z') * 1000 + 482913);
  });

  it('bad frames are typed values', () => {
    const m = createCoinbaseMapper({ registry });
    for (const f of [
      '{"type":"match","trade_id":1,"side":"up","size":"1","price":"1","product_id":"BTC-USD","time":"2026-07-27T14:03:11Z"}',
      '{"type":"match","trade_id":1,"side":"buy","size":"1","price":"1","product_id":"BTC-USD","time":"yesterday"}',
      '{"type":"match","trade_id":1,"side":"buy","size":"1","price":"1.001","product_id":"BTC-USD","time":"2026-07-27T14:03:11Z"}',
      '{"type":"heartbeat","product_id":"BTC-USD"}',
      '{"type":"mat',
      '{}',
    ]) {
      assert.equal(m.map(f, RECV)[0]?.kind, 'bad', f);
    }
    assert.equal(m.map('{"type":"error","message":"Failed to subscribe"}', RECV)[0]?.kind, 'exchangeError');
  });
});

describe('coinbase advanced trade mapper on the recorded market_trades feed', () => {
  it('snapshot and updates: 200 + 79 trades (79 = expected_counts COINBASE trades), ids contiguous, side = opposite of maker', (t) => {
    const skip = dataMissing(COINBASE_ADVANCED_FILE);
    if (skip) return t.skip(skip);
    const m = createCoinbaseAdvancedMapper({ registry });
    let snapshot = 0;
    let update = 0;
    const ids = new Map<string, number[]>();
    let seqPrev = -1;
    for (const f of capturedFrames(COINBASE_ADVANCED_FILE)) {
      const ev = m.map(f, RECV);
      const o = JSON.parse(f) as {
        channel: string;
        sequence_num: number;
        events: { type: string; trades?: Record<string, string>[] }[];
      };
      const seq = ev.find((e) => e.kind === 'sequence');
      assert.deepEqual(seq, { kind: 'sequence', seq: o.sequence_num });
      assert.equal(o.sequence_num, seqPrev + 1);
      seqPrev = o.sequence_num;
      if (o.channel !== 'market_trades') continue;
      const expected = o.events.flatMap((e) =>
        (e.trades ?? []).map((r) => ({
          exchange: 'coinbase',
          symbol: r['product_id'],
          id: Number(r['trade_id']),
          ts:
            Date.parse(r['time']!.replace(/\.\d+Z$/, 'Z')) * 1000 +
            Number((/\.(\d+)Z$/.exec(r['time']!)?.[1] ?? '').padEnd(6, '0')),
          price: units(r['price']!, '0.01'),
          qty: units(r['size']!, '0.00000001'),
          side: r['side'] === 'SELL' ? 1 : -1,
          sideSource: 'exchange',
          recvTs: RECV,
        })),
      );
      const got = tradesOf(ev);
      const byId = (a: { id: unknown }, b: { id: unknown }): number => (a.id as number) - (b.id as number);
      assert.deepEqual([...got].sort(byId), expected.sort(byId));
      for (const e of ev) {
        if (e.kind !== 'trades') continue;
        if (e.snapshot) snapshot += e.trades.length;
        else update += e.trades.length;
        const list = ids.get(e.symbol) ?? [];
        ids.set(e.symbol, list);
        for (const tr of e.trades) list.push(tr.id as number);
        for (let i = 1; i < e.trades.length; i++)
          assert.ok((e.trades[i]!.id as number) > (e.trades[i - 1]!.id as number));
      }
    }
    assert.equal(snapshot, 200);
    assert.equal(update, 79);
    for (const list of ids.values()) {
      const sorted = [...list].sort((a, b) => a - b);
      for (let i = 1; i < sorted.length; i++) assert.equal(sorted[i], sorted[i - 1]! + 1);
    }
  });

  it('empirical side check: trades at the best ask carry side SELL (the maker), at the best bid BUY', (t) => {
    const skip = dataMissing(COINBASE_ADVANCED_FILE);
    if (skip) return t.skip(skip);
    const touch = new Map<string, { bid: number; ask: number }>();
    let agree = 0;
    let total = 0;
    for (const f of capturedFrames(COINBASE_ADVANCED_FILE)) {
      const o = JSON.parse(f) as { channel: string; events: Record<string, unknown>[] };
      if (o.channel === 'ticker') {
        for (const e of o.events)
          for (const tk of e['tickers'] as Record<string, string>[])
            touch.set(tk['product_id']!, { bid: Number(tk['best_bid']), ask: Number(tk['best_ask']) });
      }
      if (o.channel !== 'market_trades') continue;
      for (const e of o.events) {
        if (e['type'] !== 'update') continue;
        for (const tr of e['trades'] as Record<string, string>[]) {
          const q = touch.get(tr['product_id']!);
          const p = Number(tr['price']);
          if (!q || (p < q.ask && p > q.bid)) continue;
          total++;
          if ((p >= q.ask && tr['side'] === 'SELL') || (p <= q.bid && tr['side'] === 'BUY')) agree++;
        }
      }
    }
    // 75 of 76 touch prints: `side` is the maker side, so the mapper inverts it.
    assert.equal(total, 76);
    assert.equal(agree, 75);
  });

  it('heartbeats, subscriptions and errors are typed', () => {
    const m = createCoinbaseAdvancedMapper({ registry });
    assert.deepEqual(
      m.map('{"channel":"heartbeats","sequence_num":4,"events":[{"heartbeat_counter":1}]}', RECV),
      [{ kind: 'sequence', seq: 4 }, { kind: 'heartbeat' }],
    );
    assert.equal(m.map('{"type":"error","message":"bad"}', RECV)[0]?.kind, 'exchangeError');
    assert.equal(
      m.map(
        '{"channel":"market_trades","events":[{"type":"update","trades":[{"product_id":"BTC-USD"}]}]}',
        RECV,
      )[0]?.kind,
      'bad',
    );
    assert.equal(m.map('nope', RECV)[0]?.kind, 'bad');
  });
});
