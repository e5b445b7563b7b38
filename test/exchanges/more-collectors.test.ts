// OKX trades-all and Kraken v2 collectors against mock exchanges on loopback that speak their protocols and replay
// the recorded real frames with faults: every test asserts the delivered trades equal the recording exactly (zero
// lost, zero duplicated). Bybit and Bitstamp (ids not contiguous: dedupe only) and client keep-alive need the
// collector's `ids: 'unique'` / `keepAlive` support (see the report); those tests run once COLLECTOR_FEATURES says so.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { InstrumentRegistry } from '../../src/core/instrument.ts';
import type { Trade } from '../../src/core/trade.ts';
import { micros } from '../../src/core/units.ts';
import * as collectorModule from '../../src/sources/exchanges/collector.ts';
import {
  ExchangeCollector,
  type CollectorEvent,
  type CollectorOptions,
} from '../../src/sources/exchanges/collector.ts';
import { MORE_FEEDS, type MoreFeedId } from '../../src/sources/exchanges/feeds-more.ts';
import { bitstampInstruments } from '../../src/sources/exchanges/mappers/bitstamp.ts';
import { bybitInstruments } from '../../src/sources/exchanges/mappers/bybit.ts';
import { okxInstruments } from '../../src/sources/exchanges/mappers/okx.ts';
import { MockExchange, type Fault, type MockOptions, type RestRow } from './mock-exchange.ts';
import {
  bitstampProtocol,
  bybitProtocol,
  krakenProtocol,
  okxProtocol,
  type CountingProtocol,
} from './mock-more.ts';
import { MULTI, readCapture, registryOf } from './more-recordings.ts';
import { dataMissing, SHARED_DATA } from './recordings.ts';
import { InstrumentRegistry as Registry } from '../../src/core/instrument.ts';

const FAST = {
  connection: { backoff: { initialMs: 10, maxMs: 50 }, silenceMs: 300, overlapMaxMs: 500 },
  reorderGraceMs: 20,
  rest: {
    retryBaseMs: 5,
    minIntervalMs: 0,
    sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 5))),
  },
  log: () => {},
} satisfies Partial<CollectorOptions>;

/** The collector of this branch supports unique-id feeds and client keep-alive (merge of the proposed patch). */
const FEATURES = (collectorModule as Record<string, unknown>)['COLLECTOR_FEATURES'] as
  { readonly uniqueIds?: boolean; readonly keepAlive?: boolean } | undefined;

type Row = RestRow & { tapeIndex: number };
const key = (t: Trade): string => `${t.exchange}:${t.symbol}:${String(t.id)}`;
function strip(t: Trade): Trade {
  const { recvTs: _r, ...rest } = t;
  return rest;
}

/** The recording's trades through the (separately verified) mapper, keyed exchange:symbol:id. */
function expectedOf(
  feed: MoreFeedId,
  registry: InstrumentRegistry,
  tape: readonly string[],
): Map<string, Trade> {
  const m = MORE_FEEDS[feed].createMapper(registry);
  const out = new Map<string, Trade>();
  for (const f of tape)
    for (const e of m.map(f, micros(0)))
      if (e.kind === 'trades') for (const t of e.trades) out.set(key(t), strip(t));
  return out;
}

interface Run {
  readonly delivered: Map<string, Trade>;
  readonly events: CollectorEvent[];
  readonly collector: ExchangeCollector;
  readonly mock: MockExchange;
}

async function run(
  feed: MoreFeedId,
  registry: InstrumentRegistry,
  symbols: string[],
  mockOpts: MockOptions,
  expected: Map<string, Trade>,
  extra: Partial<CollectorOptions> = {},
  /** Keep running until these events have been seen too (e.g. a rollover's completion). */
  until: (events: readonly CollectorEvent[]) => boolean = () => true,
): Promise<Run> {
  const mock = new MockExchange(mockOpts);
  await mock.start();
  const collector = new ExchangeCollector({
    feed: MORE_FEEDS[feed],
    symbols,
    registry,
    wsBase: mock.wsBase,
    restBase: mock.restBase,
    ...FAST,
    ...extra,
  });
  const contiguous = MORE_FEEDS[feed].ids === 'contiguous';
  const delivered = new Map<string, Trade>();
  const events: CollectorEvent[] = [];
  const lastId = new Map<string, number>();
  try {
    await new Promise<void>((resolve, reject) => {
      const guard = setTimeout(
        () =>
          reject(
            new Error(
              `timeout: ${delivered.size}/${expected.size}; ${JSON.stringify(collector.stats().streams)}`,
            ),
          ),
        8000,
      );
      collector.on((e) => {
        if (e.type !== 'trades') return void events.push(e);
        for (const t of e.trades) {
          const k = key(t);
          if (delivered.has(k)) return reject(new Error(`duplicate ${k}`));
          if (contiguous) {
            const prev = lastId.get(t.symbol) ?? -Infinity;
            if ((t.id as number) <= prev) return reject(new Error(`out of order ${k} after ${prev}`));
            lastId.set(t.symbol, t.id as number);
          }
          delivered.set(k, strip(t));
        }
        if (delivered.size >= expected.size) {
          clearTimeout(guard);
          resolve();
        }
      });
      collector.start();
    });
    let finishGuard: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      mock.finished,
      new Promise((_, reject) => {
        finishGuard = setTimeout(
          () => reject(new Error(`mock stuck at ${mock.position}/${mockOpts.tape.length}`)),
          8000,
        );
      }),
    ]).finally(() => clearTimeout(finishGuard));
    for (let waited = 0; !until(events); waited += 5) {
      if (waited > 5000) throw new Error('the awaited events never came');
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 5));
  } finally {
    await collector.stop();
    await mock.stop();
  }
  assert.equal(delivered.size, expected.size);
  assert.deepEqual(delivered, expected);
  return { delivered, events, collector, mock };
}

const count = (events: readonly CollectorEvent[], type: CollectorEvent['type']): number =>
  events.filter((e) => e.type === type).length;

// ---------------------------------------------------------------------------------------------------------------- OKX

function okxSetup(): { registry: InstrumentRegistry; tape: string[]; rows: Row[]; btcTradeFrames: number[] } {
  const cap = readCapture('OKX');
  const registry = registryOf(cap.http.flatMap((h) => okxInstruments(h.body)));
  const tape = [...cap.connections.values()][0]!.frames;
  const rows: Row[] = [];
  const btcTradeFrames: number[] = [];
  tape.forEach((f, tapeIndex) => {
    const v = JSON.parse(f) as { arg?: { channel?: string }; data?: Record<string, string>[] };
    if (v.arg?.channel !== 'trades' || !v.data) return;
    for (const d of v.data) rows.push({ id: Number(d['tradeId']), symbol: d['instId']!, tapeIndex, row: d });
    if (v.data.some((d) => d['instId'] === 'BTC-USDT')) btcTradeFrames.push(tapeIndex);
  });
  return { registry, tape, rows, btcTradeFrames };
}

const OKX_SYMBOLS = ['BTC-USDT', 'BTC-USD-220527', 'UNI-USD-SWAP'];

describe('okx trades-all collector against a mock OKX replaying the recording', () => {
  it('clean replay with server pings: all 74 trades once, in id order per instrument', async (t) => {
    const skip = dataMissing(MULTI('OKX'));
    if (skip) return t.skip(skip);
    const { registry, tape, rows } = okxSetup();
    const exp = expectedOf('okx-trades-all', registry, tape);
    assert.equal(exp.size, 74);
    const r = await run(
      'okx-trades-all',
      registry,
      OKX_SYMBOLS,
      { tape, rows, protocol: okxProtocol(), pingIntervalMs: 5, chunk: 4 },
      exp,
    );
    const s = r.collector.stats();
    assert.equal(s.streams['BTC-USDT']?.completeness, 1);
    assert.equal(s.streams['BTC-USDT']?.gapsFound, 0);
    assert.equal(s.badFrames, 0);
    assert.ok(r.mock.pongs > 0, 'WebSocket pings answered');
  });

  it('garbage, truncated, duplicated, reordered and dropped frames, a dropped connection, REST 429: zero lost, zero doubled', async (t) => {
    const skip = dataMissing(MULTI('OKX'));
    if (skip) return t.skip(skip);
    const { registry, tape, rows, btcTradeFrames: b } = okxSetup();
    const exp = expectedOf('okx-trades-all', registry, tape);
    const faults: Fault[] = [
      { at: b[3]!, kind: 'garbage', text: '{"arg":{"channel":"trades-all"' },
      { at: b[6]!, kind: 'truncate' }, // that trade never arrives over WS: backfilled
      { at: b[10]!, kind: 'duplicate' },
      { at: b[14]!, kind: 'swap' },
      { at: b[20]!, kind: 'drop-frames', count: 3 },
      { at: b[40]!, kind: 'drop-connection', skip: 4 },
    ];
    const r = await run(
      'okx-trades-all',
      registry,
      OKX_SYMBOLS,
      { tape, rows, protocol: okxProtocol(), faults, restFaults: [{ status: 429, retryAfter: '0' }] },
      exp,
    );
    const s = r.collector.stats();
    assert.equal(s.badFrames, 2, 'garbage + truncated counted, not thrown');
    assert.equal(s.reconnects, 1);
    assert.ok((s.streams['BTC-USDT']?.backfilled ?? 0) >= 1);
    assert.equal(s.streams['BTC-USDT']?.lost, 0);
    assert.ok(s.streams['BTC-USDT'].duplicates >= 1);
    assert.ok(r.mock.restRequests.some((u) => u.startsWith('/api/v5/market/history-trades?instId=BTC-USDT')));
    assert.ok(count(r.events, 'gap') >= 1);
    assert.equal(count(r.events, 'gapLost'), 0);
  });

  it('upgrade notice 64008: make-before-break rollover, nothing lost or doubled', async (t) => {
    const skip = dataMissing(MULTI('OKX'));
    if (skip) return t.skip(skip);
    const { registry, tape, rows, btcTradeFrames: b } = okxSetup();
    const exp = expectedOf('okx-trades-all', registry, tape);
    const notice = JSON.stringify({
      event: 'notice',
      code: '64008',
      msg: 'The connection will soon be closed for a service upgrade.',
      connId: 'mock',
    });
    const r = await run(
      'okx-trades-all',
      registry,
      OKX_SYMBOLS,
      {
        tape,
        rows,
        protocol: okxProtocol(),
        faults: [{ at: b[25]!, kind: 'server-shutdown', frame: notice }],
        replayOnSubscribe: 5,
      },
      exp,
      {},
      (events) => events.some((e) => e.type === 'rolloverDone'),
    );
    assert.equal(r.collector.stats().rollovers, 1);
    assert.equal(count(r.events, 'rolloverDone'), 1);
  });
});

// ------------------------------------------------------------------------------------------------------------- Kraken

const KRAKEN_V2 = 'kraken/v2-live-btc-eth.ndjson';

function krakenSetup(): { tape: string[]; rows: Row[]; btcTradeFrames: number[] } {
  const tape = readFileSync(join(SHARED_DATA, KRAKEN_V2), 'utf8').split('\n').filter(Boolean);
  const rows: Row[] = [];
  const btcTradeFrames: number[] = [];
  tape.forEach((f, tapeIndex) => {
    if (!f.startsWith('{"channel":"trade"')) return;
    for (const m of f.matchAll(/\{"symbol":"([^"]+)"[^{}]*"trade_id":(\d+)[^{}]*\}/g))
      rows.push({ id: Number(m[2]), symbol: m[1]!, tapeIndex, row: { raw: m[0] } });
    if (f.includes('"BTC/USD"')) btcTradeFrames.push(tapeIndex);
  });
  return { tape, rows, btcTradeFrames };
}

describe('kraken v2 collector against a mock Kraken replaying the recording', () => {
  const registry = new Registry();

  it('clean replay: all 17 trades, heartbeats keep the stream alive', async (t) => {
    const skip = dataMissing(KRAKEN_V2);
    if (skip) return t.skip(skip);
    const { tape, rows } = krakenSetup();
    const exp = expectedOf('kraken-trade', registry, tape);
    assert.equal(exp.size, 17);
    const r = await run(
      'kraken-trade',
      registry,
      ['BTC/USD', 'ETH/USD'],
      { tape, rows, protocol: krakenProtocol(), chunk: 16 },
      exp,
    );
    assert.equal(r.collector.stats().badFrames, 0);
    assert.equal(r.collector.stats().streams['BTC/USD']?.completeness, 1);
  });

  it('a dropped connection: the snapshot replayed on resubscribe fills the gap (no REST); duplicates dropped; garbage counted', async (t) => {
    const skip = dataMissing(KRAKEN_V2);
    if (skip) return t.skip(skip);
    const { tape, rows, btcTradeFrames: b } = krakenSetup();
    const exp = expectedOf('kraken-trade', registry, tape);
    const faults: Fault[] = [
      { at: b[1]!, kind: 'garbage', text: '{"channel":"trade","type":"update","data":[{"symbol":' },
      // Everything from the 3rd BTC trade frame up to (not including) the 5th is missed while disconnected.
      { at: b[2]!, kind: 'drop-connection', skip: b[4]! - b[2]! },
    ];
    const r = await run(
      'kraken-trade',
      registry,
      ['BTC/USD', 'ETH/USD'],
      { tape, rows, protocol: krakenProtocol(), faults, chunk: 16 },
      exp,
    );
    const s = r.collector.stats();
    assert.equal(s.reconnects, 1);
    assert.equal(s.badFrames, 1);
    assert.equal(s.rest.requests, 0, 'the snapshot, not REST, filled the gap');
    assert.ok(s.streams['BTC/USD']!.duplicates > 0, 'the snapshot overlaps what was already delivered');
    assert.equal(s.streams['BTC/USD']?.lost, 0);
  });
});

// ------------------------------------------------------------------------------------------ Bybit, Bitstamp, keep-alive

describe('unique-id feeds and client keep-alive (need the collector patch)', () => {
  const needs = (what: 'uniqueIds' | 'keepAlive'): string | undefined =>
    FEATURES?.[what]
      ? undefined
      : `collector without ${what} support (COLLECTOR_FEATURES.${what}); see feeds-more.ts`;

  function uniqueSetup(name: 'BYBIT' | 'BITSTAMP'): {
    registry: InstrumentRegistry;
    tape: string[];
    protocol: CountingProtocol;
    symbols: string[];
    feed: MoreFeedId;
  } {
    const cap = readCapture(name);
    if (name === 'BYBIT') {
      const linear = [...cap.connections.values()].find((c) => c.addr.endsWith('/linear'))!;
      return {
        registry: registryOf(
          bybitInstruments(cap.http.find((h) => h.url.includes('category=linear'))!.body, 'linear'),
        ),
        tape: linear.frames,
        protocol: bybitProtocol(),
        symbols: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'DOGEUSDT'],
        feed: 'bybit-linear-publicTrade',
      };
    }
    return {
      registry: registryOf(bitstampInstruments(cap.http[0]!.body)),
      tape: [...cap.connections.values()][0]!.frames,
      protocol: bitstampProtocol(),
      symbols: [
        'ethusd',
        'sgbeur',
        'xrpeur',
        'bateur',
        'usdteur',
        'usdtusd',
        'xlmgbp',
        'adaeur',
        'batbtc',
        'galaeur',
      ],
      feed: 'bitstamp-live-trades',
    };
  }

  for (const name of ['BYBIT', 'BITSTAMP'] as const) {
    it(`${name}: duplicates, reordering, garbage and a reconnect with overlap: the recording exactly`, async (t) => {
      const skip = dataMissing(MULTI(name)) ?? needs('uniqueIds');
      if (skip) return t.skip(skip);
      const { registry, tape, protocol, symbols, feed } = uniqueSetup(name);
      const exp = expectedOf(feed, registry, tape);
      const tradeFrames = tape.flatMap((f, i) =>
        f.includes('publicTrade') || f.includes('"event":"trade"') ? [i] : [],
      );
      const faults: Fault[] = [
        { at: tradeFrames[1]!, kind: 'garbage', text: 'not json' },
        { at: tradeFrames[3]!, kind: 'duplicate' },
        { at: tradeFrames[5]!, kind: 'swap' },
        { at: tradeFrames[7]!, kind: 'drop-connection', skip: 0 },
      ];
      // replayOnSubscribe: the reconnect sees recent frames again, as an exchange's overlap would.
      const r = await run(
        feed,
        registry,
        symbols,
        { tape, rows: [], protocol, faults, replayOnSubscribe: 20, chunk: 8 },
        exp,
      );
      assert.equal(r.collector.stats().badFrames, 1);
      assert.equal(r.collector.stats().reconnects, 1);
    });
  }

  it('client keep-alive: the collector pings at its interval and the pong counts as life', async (t) => {
    const skip = dataMissing(MULTI('BYBIT')) ?? needs('keepAlive') ?? needs('uniqueIds');
    if (skip) return t.skip(skip);
    const { registry, tape, protocol, symbols, feed } = uniqueSetup('BYBIT');
    const exp = expectedOf(feed, registry, tape);
    const def = { ...MORE_FEEDS[feed], keepAlive: { text: '{"req_id":"ping","op":"ping"}', intervalMs: 5 } };
    const mock = new MockExchange({ tape, rows: [], protocol, chunk: 1 });
    await mock.start();
    const c = new ExchangeCollector({
      feed: def,
      symbols,
      registry,
      wsBase: mock.wsBase,
      restBase: mock.restBase,
      ...FAST,
    });
    let n = 0;
    await new Promise<void>((resolve) => {
      c.on((e) => e.type === 'trades' && (n += e.trades.length) >= exp.size && resolve());
      c.start();
    });
    await c.stop();
    await mock.stop();
    assert.ok(protocol.pings() > 0, 'pings sent and answered');
  });

  it('the mock protocols answer application pings (independent of the collector)', () => {
    const cases: [CountingProtocol, string, RegExp][] = [
      [bybitProtocol(), '{"req_id":"1","op":"ping"}', /"ret_msg":"pong"/],
      [okxProtocol(), 'ping', /^pong$/],
      [krakenProtocol(), '{"method":"ping","req_id":7}', /"method":"pong"/],
      [bitstampProtocol(), '{"event":"bts:heartbeat"}', /"bts:heartbeat".*success/],
    ];
    for (const [p, ping, pong] of cases) {
      const { replies, subscribed } = p.onClientMessage(ping);
      assert.equal(subscribed, false);
      assert.match(replies[0]!, pong);
      assert.equal(p.pings(), 1);
    }
  });
});

describe('feed definitions', () => {
  it('subscribe messages, URLs on configurable bases, keep-alive budgets below the exchanges’ cut-offs', () => {
    assert.equal(MORE_FEEDS['okx-trades-all'].url('ws://h', []), 'ws://h/ws/v5/business');
    assert.deepEqual(JSON.parse(MORE_FEEDS['okx-trades-all'].subscribe(['BTC-USDT'])[0]!), {
      id: '1',
      op: 'subscribe',
      args: [{ channel: 'trades-all', instId: 'BTC-USDT' }],
    });
    assert.ok(MORE_FEEDS['okx-trades-all'].keepAlive!.intervalMs < 30_000);
    assert.equal(
      MORE_FEEDS['bybit-spot-publicTrade'].url('wss://stream.bybit.com', []),
      'wss://stream.bybit.com/v5/public/spot',
    );
    assert.equal(MORE_FEEDS['bybit-linear-publicTrade'].keepAlive!.intervalMs, 20_000);
    // Bybit spot: at most 10 args per subscribe message ⇒ 11 symbols need 2 messages.
    const syms = Array.from({ length: 11 }, (_, i) => `S${i}USDT`);
    const subs = MORE_FEEDS['bybit-spot-publicTrade']
      .subscribe(syms)
      .map((m) => JSON.parse(m) as { args: string[] });
    assert.deepEqual(
      subs.map((s) => s.args.length),
      [10, 1],
    );
    assert.deepEqual(JSON.parse(MORE_FEEDS['kraken-trade'].subscribe(['BTC/USD'])[0]!), {
      method: 'subscribe',
      params: { channel: 'trade', symbol: ['BTC/USD'], snapshot: true },
      req_id: 1,
    });
    assert.deepEqual(
      MORE_FEEDS['bitstamp-live-trades'].subscribe(['btcusd', 'ethusd']).map((m) => JSON.parse(m) as unknown),
      [
        { event: 'bts:subscribe', data: { channel: 'live_trades_btcusd' } },
        { event: 'bts:subscribe', data: { channel: 'live_trades_ethusd' } },
      ],
    );
    assert.deepEqual(
      Object.values(MORE_FEEDS).map((f) => [f.id, f.ids]),
      [
        ['bybit-spot-publicTrade', 'unique'],
        ['bybit-linear-publicTrade', 'unique'],
        ['okx-trades-all', 'contiguous'],
        ['kraken-trade', 'contiguous'],
        ['bitstamp-live-trades', 'unique'],
      ],
    );
  });
});
