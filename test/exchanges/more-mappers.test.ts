// Bybit, OKX, Kraken (v2, v1, Futures) and Bitstamp mappers: hand-worked frames from the recordings, the tie/zero
// rules of each field (taker side words, count, snapshots, exchange-wide ids), and bad input that never throws.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseIncrement } from '../../src/core/decimal.ts';
import { InstrumentRegistry, type Instrument } from '../../src/core/instrument.ts';
import type { Trade } from '../../src/core/trade.ts';
import { micros } from '../../src/core/units.ts';
import { createBitstampMapper } from '../../src/sources/exchanges/mappers/bitstamp.ts';
import { bybitRestTrade, createBybitMapper } from '../../src/sources/exchanges/mappers/bybit.ts';
import {
  createKrakenFuturesMapper,
  createKrakenMapper,
  krakenSymbol,
} from '../../src/sources/exchanges/mappers/kraken.ts';
import { createOkxMapper, okxInstruments } from '../../src/sources/exchanges/mappers/okx.ts';
import { quoteNumbers } from '../../src/sources/exchanges/mappers/taker-trade.ts';
import type { FeedEvent, FeedMapper } from '../../src/sources/exchanges/types.ts';
import { registryOf } from './more-recordings.ts';
import { dataMissing, SHARED_DATA } from './recordings.ts';

const RECV = micros(1_800_000_000_000_000);
const registry = new InstrumentRegistry();

function inst(
  exchange: string,
  symbol: string,
  tick: string,
  step: string,
  extra: Partial<Instrument> = {},
): Instrument {
  return {
    exchange,
    symbol,
    kind: 'spot',
    base: 'X',
    quote: 'Y',
    price: parseIncrement(tick),
    qty: parseIncrement(step),
    volumeUnit: 'base',
    source: 'config',
    ...extra,
  };
}

const tradesOf = (ev: FeedEvent[]): Trade[] => ev.flatMap((e) => (e.kind === 'trades' ? e.trades : []));
const kinds = (ev: FeedEvent[]): string[] => ev.map((e) => e.kind);

describe('bybit publicTrade', () => {
  const linear = createBybitMapper({ category: 'linear', registry });
  const spot = createBybitMapper({ category: 'spot', registry });

  it('linear frame from the recording: UUID id kept as a string, S = taker side, T in ms', () => {
    const f =
      '{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1786310819681,"data":[{"T":1786310819680,"s":"BTCUSDT","S":"Sell","v":"0.004","p":"65114.20","L":"MinusTick","i":"a9188a0a-82bc-50de-be60-03eedbe3cdd7","BT":false,"RPI":false,"seq":753843954913}]}';
    // bybit-linear BTCUSDT: tick 0.1, lot 0.001 ⇒ 65114.20 → 651142 ticks, 0.004 → 4 lots; "Sell" ⇒ -1;
    // T 1786310819680 ms → 1786310819680000 µs.
    assert.deepEqual(linear.map(f, RECV), [
      {
        kind: 'trades',
        symbol: 'BTCUSDT',
        snapshot: false,
        trades: [
          {
            exchange: 'bybit-linear',
            symbol: 'BTCUSDT',
            id: 'a9188a0a-82bc-50de-be60-03eedbe3cdd7',
            ts: 1786310819680000,
            price: 651142,
            qty: 4,
            side: -1,
            sideSource: 'exchange',
            recvTs: RECV,
          },
        ],
      },
    ]);
  });

  it('spot: a two-trade frame keeps both, ids above 2^53 stay exact strings', () => {
    const f =
      '{"topic":"publicTrade.ETHUSDT","ts":1786310858234,"type":"snapshot","data":[{"i":"2280000001739247459","T":1786310858233,"p":"1923.28","v":"0.08111","S":"Sell","seq":178477372129,"s":"ETHUSDT","BT":false,"RPI":false},{"i":"2280000001739247460","T":1786310858233,"p":"1923.28","v":"0.07305","S":"Buy","seq":178477372129,"s":"ETHUSDT","BT":false,"RPI":false}]}';
    const t = tradesOf(spot.map(f, RECV));
    // bybit ETHUSDT spot: tick 0.01, lot 0.00001 ⇒ 192328 ticks; 0.08111 → 8111 lots, 0.07305 → 7305 lots.
    assert.deepEqual(
      t.map((x) => [x.exchange, x.id, x.price, x.qty, x.side]),
      [
        ['bybit', '2280000001739247459', 192328, 8111, -1],
        ['bybit', '2280000001739247460', 192328, 7305, 1],
      ],
    );
  });

  it('control frames: subscribe ack, pong, failed subscribe; other topics ignored', () => {
    assert.deepEqual(
      kinds(linear.map('{"success":true,"ret_msg":"","conn_id":"x","req_id":"","op":"subscribe"}', RECV)),
      ['subscribed'],
    );
    assert.deepEqual(kinds(linear.map('{"success":true,"ret_msg":"pong","conn_id":"x","op":"ping"}', RECV)), [
      'heartbeat',
    ]);
    assert.deepEqual(
      kinds(linear.map('{"success":false,"ret_msg":"error:handler not found","op":"subscribe"}', RECV)),
      ['exchangeError'],
    );
    assert.deepEqual(kinds(linear.map('{"topic":"tickers.BTCUSDT","type":"snapshot","data":{}}', RECV)), [
      'ignored',
    ]);
  });

  it('one bad element is reported without hiding its good neighbour', () => {
    const f =
      '{"topic":"publicTrade.BTCUSDT","data":[{"T":1,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"1.05","i":"a"},{"T":2,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"1.1","i":"b"}]}';
    // 1.05 is off the 0.1 grid ⇒ bad; 1.1 → 11 ticks.
    const ev = linear.map(f, RECV);
    assert.deepEqual(kinds(ev), ['trades', 'bad']);
    assert.deepEqual(
      tradesOf(ev).map((t) => t.id),
      ['b'],
    );
  });

  it('REST recent-trade row maps with the same fields', () => {
    const i = registry.get('bybit-linear', 'BTCUSDT')!;
    const t = bybitRestTrade(i, {
      execId: 'u1',
      symbol: 'BTCUSDT',
      price: '65000.0',
      size: '1.000',
      side: 'Buy',
      time: '1786310819680',
    });
    assert.ok(typeof t !== 'string');
    assert.deepEqual([t.id, t.price, t.qty, t.side, t.ts], ['u1', 650000, 1000, 1, 1786310819680000]);
  });
});

describe('okx trades / trades-all', () => {
  const reg = registryOf([
    inst('okx', 'BTC-USDT', '0.1', '0.00000001'),
    inst('okx', 'BTC-USD-220527', '0.1', '1', {
      kind: 'inverse',
      volumeUnit: 'contracts',
      contractMultiplier: '100',
    }),
    ...okxInstruments({
      data: [
        {
          instId: 'BTC-USDT-SWAP',
          instType: 'SWAP',
          ctType: 'linear',
          ctVal: '0.01',
          tickSz: '0.1',
          lotSz: '1',
        },
      ],
    }),
  ]);
  const m = createOkxMapper({ registry: reg });

  it('frame from the recording: inverse future, sz in contracts', () => {
    const f =
      '{"arg":{"channel":"trades","instId":"BTC-USD-220527"},"data":[{"instId":"BTC-USD-220527","tradeId":"7849","px":"30218.8","sz":"1","side":"buy","ts":"1652459199958"}]}';
    // tick 0.1 ⇒ 302188 ticks; 1 contract; buy ⇒ +1; no count field ⇒ one fill.
    const [t] = tradesOf(m.map(f, RECV));
    assert.deepEqual(
      [t!.id, t!.price, t!.qty, t!.side, t!.ts, t!.count],
      [7849, 302188, 1, 1, 1652459199958000, undefined],
    );
  });

  it('`count` aggregation: tradeId is the LAST fill, count = n (the docs example 123/3 covers 121…123)', () => {
    const f =
      '{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"123","px":"101222.1","sz":"0.0153","side":"sell","ts":"1785312000789","count":"3","source":"0","seqId":1}]}';
    const [t] = tradesOf(m.map(f, RECV));
    // 0.0153 BTC on a 1e-8 lot = 1530000 lots.
    assert.deepEqual([t!.id, t!.count, t!.qty, t!.side], [123, 3, 1530000, -1]);
    // count "1" is the neutral case: no count field on the trade; "0" is refused.
    assert.equal(tradesOf(m.map(f.replace('"count":"3"', '"count":"1"'), RECV))[0]!.count, undefined);
    assert.deepEqual(kinds(m.map(f.replace('"count":"3"', '"count":"0"'), RECV)), ['bad']);
  });

  it('linear swap: contracts → base exactly (3 contracts × 0.01 BTC = 0.03 BTC = 3 lots of 0.01)', () => {
    const f =
      '{"arg":{"channel":"trades-all","instId":"BTC-USDT-SWAP"},"data":[{"instId":"BTC-USDT-SWAP","tradeId":"5","px":"30000.1","sz":"3","side":"buy","ts":"1"}]}';
    const i = reg.get('okx', 'BTC-USDT-SWAP')!;
    assert.deepEqual(i.qty, { mantissa: 1, decimals: 2 });
    assert.equal(tradesOf(m.map(f, RECV))[0]!.qty, 3);
  });

  it('control: pong text, subscribe ack, error, upgrade notice 64008 ⇒ serverShutdown', () => {
    assert.deepEqual(kinds(m.map('pong', RECV)), ['heartbeat']);
    assert.deepEqual(
      kinds(m.map('{"event":"subscribe","arg":{"channel":"trades","instId":"BTC-USDT"}}', RECV)),
      ['subscribed'],
    );
    assert.deepEqual(kinds(m.map('{"event":"error","code":"60012","msg":"Invalid request"}', RECV)), [
      'exchangeError',
    ]);
    assert.deepEqual(kinds(m.map('{"event":"notice","code":"64008","msg":"upgrade"}', RECV)), [
      'serverShutdown',
    ]);
    assert.deepEqual(kinds(m.map('{"arg":{"channel":"books","instId":"BTC-USDT"},"data":[]}', RECV)), [
      'ignored',
    ]);
  });
});

describe('kraken v2 / v1 / futures', () => {
  const m = createKrakenMapper({ registry });

  it('v2 frame: JSON-number decimals read losslessly, several trades per frame in id order', () => {
    const f =
      '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"sell","price":63501.6,"qty":0.00185211,"ord_type":"limit","trade_id":103436769,"timestamp":"2026-07-07T23:00:05.562702Z"},{"symbol":"BTC/USD","side":"sell","price":63500.9,"qty":0.00005100,"ord_type":"limit","trade_id":103436771,"timestamp":"2026-07-07T23:00:05.562702Z"}]}';
    // kraken BTC/USD: tick 0.1, lot 1e-8 ⇒ 635016 and 635009 ticks; 185211 and 5100 lots.
    // 2026-07-07T23:00:05.562702Z = 1783465205562702 µs.
    const t = tradesOf(m.map(f, RECV));
    assert.deepEqual(
      t.map((x) => [x.id, x.price, x.qty, x.side, x.ts]),
      [
        [103436769, 635016, 185211, -1, 1783465205562702],
        [103436771, 635009, 5100, -1, 1783465205562702],
      ],
    );
  });

  it('v2 snapshot frames are marked snapshot; heartbeat and pong are liveness', () => {
    const f =
      '{"channel":"trade","type":"snapshot","data":[{"symbol":"ETH/USD","side":"buy","price":1774.14,"qty":0.00147959,"ord_type":"limit","trade_id":1,"timestamp":"2026-07-07T23:00:04.585581Z"}]}';
    const [e] = m.map(f, RECV);
    assert.ok(e?.kind === 'trades' && e.snapshot);
    assert.deepEqual(kinds(m.map('{"channel":"heartbeat"}', RECV)), ['heartbeat']);
    assert.deepEqual(kinds(m.map('{"method":"pong","req_id":3}', RECV)), ['heartbeat']);
    assert.deepEqual(
      kinds(m.map('{"method":"subscribe","success":false,"error":"Currency pair not supported"}', RECV)),
      ['exchangeError'],
    );
  });

  it('v1 array frame: XBT is written BTC, id "<time>#<index>", time text → µs exactly', () => {
    const reg = registryOf([inst('kraken', 'XMR/USD', '0.01', '0.00000001')]);
    const v1 = createKrakenMapper({ registry: reg });
    const f =
      '[993,[["354.04000000","0.28245396","1618678150.826417","s","m",""],["353.81000000","1.71754604","1618678150.827816","s","m",""]],"trade","XMR/USD"]';
    const t = tradesOf(v1.map(f, RECV));
    assert.deepEqual(
      t.map((x) => [x.id, x.price, x.qty, x.side, x.ts]),
      [
        ['1618678150.826417#0', 35404, 28245396, -1, 1618678150826417],
        ['1618678150.827816#1', 35381, 171754604, -1, 1618678150827816],
      ],
    );
    // A truncated v1 trade array is bad, not skipped (only book/ticker arrays are skipped unparsed).
    assert.deepEqual(kinds(v1.map(f.slice(0, 60), RECV)), ['bad']);
    assert.deepEqual(kinds(v1.map('[1360,{"as":[]},"book-1000","WAVES/EUR"]', RECV)), ['ignored']);
    assert.equal(krakenSymbol('XBT/USD'), 'BTC/USD');
    assert.equal(krakenSymbol('XDG/EUR'), 'DOGE/EUR');
  });

  it('futures: seq is the id, trade_snapshot is a snapshot', () => {
    const reg = registryOf([
      inst('kraken-futures', 'PI_LTCUSD', '0.01', '1', { kind: 'inverse', volumeUnit: 'contracts' }),
    ]);
    const kf = createKrakenFuturesMapper({ registry: reg });
    const f =
      '{"feed":"trade","product_id":"PI_LTCUSD","uid":"e2429e31","side":"buy","type":"fill","seq":5956,"time":1626994929946,"qty":320.0,"price":119.44}';
    const [e] = kf.map(f, RECV);
    assert.ok(e?.kind === 'trades' && !e.snapshot);
    assert.deepEqual(
      [e.trades[0]!.id, e.trades[0]!.price, e.trades[0]!.qty, e.trades[0]!.side],
      [5956, 11944, 320, 1],
    );
    const snap = `{"feed":"trade_snapshot","product_id":"PI_LTCUSD","trades":[${f.replace('5956', '5955')}]}`;
    const [s] = kf.map(snap, RECV);
    assert.ok(s?.kind === 'trades' && s.snapshot);
  });

  it('quoteNumbers keeps the literal digits of bare numbers only', () => {
    assert.equal(
      quoteNumbers('{"price":63498.0,"qty":0.00005100,"x":1.5}', ['price', 'qty']),
      '{"price":"63498.0","qty":"0.00005100","x":1.5}',
    );
    assert.equal(quoteNumbers('{"price":"1.0"}', ['price']), '{"price":"1.0"}');
  });

  it('the kraken/v2 recording: every trade exact against a string recount, ids contiguous per symbol', (t) => {
    const rel = 'kraken/v2-live-btc-eth.ndjson';
    const skip = dataMissing(rel);
    if (skip) return t.skip(skip);
    const lines = readFileSync(join(SHARED_DATA, rel), 'utf8').split('\n').filter(Boolean);
    const got: Trade[] = [];
    for (const l of lines) {
      const ev = m.map(l, RECV);
      assert.ok(!ev.some((e) => e.kind === 'bad'), l);
      got.push(...tradesOf(ev));
    }
    // Independent: pull the literal "price":…,"qty":… digits out of the text and scale them by string padding.
    const lit = [
      ...lines
        .join('\n')
        .matchAll(
          /"symbol":"([A-Z]+\/USD)","side":"(\w+)","price":([\d.]+),"qty":([\d.]+),"ord_type":"\w+","trade_id":(\d+)/g,
        ),
    ];
    assert.equal(got.length, lit.length);
    assert.equal(got.length, 17);
    const scale = (s: string, d: number): number => {
      const [i, f = ''] = s.split('.');
      return Number(i! + f.padEnd(d, '0').slice(0, d));
    };
    lit.forEach((x, k) => {
      const tr = got[k]!;
      const tickDec = x[1] === 'BTC/USD' ? 1 : 2;
      assert.deepEqual(
        [tr.symbol, tr.side, tr.price, tr.qty, tr.id],
        [x[1], x[2] === 'buy' ? 1 : -1, scale(x[3]!, tickDec), scale(x[4]!, 8), Number(x[5])],
      );
    });
    for (const sym of ['BTC/USD', 'ETH/USD']) {
      const ids = got.filter((x) => x.symbol === sym).map((x) => x.id as number);
      ids.forEach((id, k) => k > 0 && assert.equal(id, ids[k - 1]! + 1));
    }
  });
});

describe('bitstamp live_trades', () => {
  const m = createBitstampMapper({ registry });

  it('frame from the recording: _str decimals, type 1 ⇒ taker sold, microtimestamp', () => {
    const f =
      '{"data":{"id":216000485,"timestamp":"1641343709","amount":3.2394864,"amount_str":"3.23948640","price":3802.89,"price_str":"3802.89","type":1,"microtimestamp":"1641343709599000","buy_order_id":1443875635982337,"sell_order_id":1443875778322433},"channel":"live_trades_ethusd","event":"trade"}';
    // ethusd tick 0.01 ⇒ 380289; lot 1e-8 ⇒ 323948640.
    const [t] = tradesOf(m.map(f, RECV));
    assert.deepEqual(
      [t!.symbol, t!.id, t!.price, t!.qty, t!.side, t!.ts],
      ['ethusd', 216000485, 380289, 323948640, -1, 1641343709599000],
    );
    assert.equal(tradesOf(m.map(f.replace('"type":1', '"type":0'), RECV))[0]!.side, 1);
    assert.deepEqual(kinds(m.map(f.replace('"type":1', '"type":2'), RECV)), ['bad']);
  });

  it('control: subscription, heartbeat, request_reconnect ⇒ serverShutdown, order book ignored', () => {
    assert.deepEqual(
      kinds(m.map('{"event":"bts:subscription_succeeded","channel":"live_trades_btcusd","data":{}}', RECV)),
      ['subscribed'],
    );
    assert.deepEqual(
      kinds(m.map('{"event":"bts:heartbeat","channel":"","data":{"status":"success"}}', RECV)),
      ['heartbeat'],
    );
    assert.deepEqual(kinds(m.map('{"event":"bts:request_reconnect","channel":"","data":""}', RECV)), [
      'serverShutdown',
    ]);
    assert.deepEqual(
      kinds(m.map('{"data":{"bids":[]},"channel":"diff_order_book_btcusd","event":"data"}', RECV)),
      ['ignored'],
    );
  });
});

describe('bad input never throws', () => {
  const mappers: FeedMapper[] = [
    createBybitMapper({ category: 'spot', registry }),
    createOkxMapper({ registry }),
    createKrakenMapper({ registry }),
    createKrakenFuturesMapper({ registry }),
    createBitstampMapper({ registry }),
  ];
  it('garbage, truncated frames and unknown instruments are `bad` events', () => {
    for (const m of mappers) {
      assert.deepEqual(kinds(m.map('not json', RECV)), ['bad'], m.feed);
      assert.deepEqual(kinds(m.map('{"topic":"publicTrade.BTCUSDT","data":[{"T":1', RECV)), ['bad'], m.feed);
    }
    assert.deepEqual(
      kinds(mappers[4]!.map('{"event":"trade","channel":"live_trades_zzzusd","data":{}}', RECV)),
      ['bad'],
    );
  });
  it('property: arbitrary text and arbitrary JSON never throw', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (s) => {
        for (const m of mappers) m.map(s, RECV);
      }),
      { numRuns: 500 },
    );
  });
});
