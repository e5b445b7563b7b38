// Collectors against mock exchanges replaying recorded real frames with injected faults. Every test asserts the
// delivered trades equal the recording exactly: zero lost, zero duplicated (or exactly the documented loss).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { InstrumentRegistry } from '../../src/core/instrument.ts';
import type { Trade } from '../../src/core/trade.ts';
import { micros } from '../../src/core/units.ts';
import {
  ExchangeCollector,
  type CollectorEvent,
  type CollectorOptions,
} from '../../src/sources/exchanges/collector.ts';
import { FEEDS, type FeedId } from '../../src/sources/exchanges/feeds.ts';
import {
  binanceProtocol,
  coinbaseProtocol,
  MockExchange,
  type Fault,
  type MockOptions,
  type RestRow,
} from './mock-exchange.ts';
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
/** Fast timings so every fault resolves in milliseconds. */
const FAST = {
  connection: { backoff: { initialMs: 10, maxMs: 50 }, silenceMs: 200, overlapMaxMs: 500 },
  reorderGraceMs: 20,
  rest: { retryBaseMs: 5, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 5))) },
  log: () => {},
} satisfies Partial<CollectorOptions>;

type Row = RestRow & { tapeIndex: number };

function binanceRows(tape: readonly string[]): Row[] {
  return tape.map((f, tapeIndex) => {
    const d = (JSON.parse(f) as { data: Record<string, unknown> }).data;
    return {
      id: d['t'] as number,
      symbol: d['s'] as string,
      tapeIndex,
      row: {
        id: d['t'],
        price: d['p'],
        qty: d['q'],
        quoteQty: '0',
        time: d['T'],
        isBuyerMaker: d['m'],
        isBestMatch: true,
      },
    };
  });
}

function coinbaseRows(tape: readonly string[]): Row[] {
  const rows: Row[] = [];
  tape.forEach((f, tapeIndex) => {
    const o = JSON.parse(f) as Record<string, unknown>;
    if (o['type'] === 'match' || o['type'] === 'last_match')
      rows.push({
        id: o['trade_id'] as number,
        symbol: o['product_id'] as string,
        tapeIndex,
        row: {
          time: o['time'],
          trade_id: o['trade_id'],
          price: o['price'],
          size: o['size'],
          side: o['side'],
        },
      });
    if (o['channel'] === 'market_trades')
      for (const e of o['events'] as { trades: Record<string, string>[] }[])
        for (const t of e.trades)
          rows.push({ id: Number(t['trade_id']), symbol: t['product_id']!, tapeIndex, row: t });
  });
  return rows;
}

/** The recording's trades, keyed exchange:symbol:id, through the (separately verified) mapper. */
function expectedTrades(feed: FeedId, tape: readonly string[]): Map<string, Trade> {
  const mapper = FEEDS[feed].createMapper(registry);
  const out = new Map<string, Trade>();
  for (const f of tape)
    for (const e of mapper.map(f, micros(0)))
      if (e.kind === 'trades')
        for (const t of e.trades) out.set(`${t.exchange}:${t.symbol}:${t.id}`, strip(t));
  return out;
}

function strip(t: Trade): Trade {
  const { recvTs: _r, ...rest } = t;
  return rest;
}

interface Run {
  readonly delivered: Map<string, Trade>;
  readonly events: CollectorEvent[];
  readonly collector: ExchangeCollector;
  readonly mock: MockExchange;
}

/** Runs a collector against a mock until `expected` trades (minus `lost`) are delivered; fails on any duplicate. */
async function run(
  feed: FeedId,
  symbols: string[],
  mockOpts: MockOptions,
  expected: Map<string, Trade>,
  extra: Partial<CollectorOptions> = {},
  lostKeys: readonly string[] = [],
): Promise<Run> {
  const mock = new MockExchange(mockOpts);
  await mock.start();
  const collector = new ExchangeCollector({
    feed,
    symbols,
    registry,
    wsBase: mock.wsBase,
    restBase: mock.restBase,
    ...FAST,
    ...extra,
  });
  const delivered = new Map<string, Trade>();
  const events: CollectorEvent[] = [];
  const lastId = new Map<string, number>();
  const target = expected.size - lostKeys.length;
  try {
    await new Promise<void>((resolve, reject) => {
      const guard = setTimeout(
        () =>
          reject(
            new Error(
              `timeout: ${delivered.size}/${target} delivered; ${JSON.stringify(collector.stats().streams)}`,
            ),
          ),
        8000,
      );
      collector.on((e) => {
        if (process.env['DBG'])
          console.error(
            'EV',
            e.type,
            e.type === 'trades' ? e.trades.length : JSON.stringify(e).slice(0, 150),
          );
        if (e.type !== 'trades') {
          events.push(e);
          return;
        }
        for (const t of e.trades) {
          const key = `${t.exchange}:${t.symbol}:${t.id}`;
          if (delivered.has(key)) return reject(new Error(`duplicate ${key}`));
          const prev = lastId.get(t.symbol) ?? -Infinity;
          if ((t.id as number) <= prev) return reject(new Error(`out of order ${key} after ${prev}`));
          lastId.set(t.symbol, t.id as number);
          delivered.set(key, strip(t));
        }
        if (delivered.size >= target) {
          clearTimeout(guard);
          resolve();
        }
      });
      collector.start();
    });
    // The mock must have played its whole tape too, so trailing duplicates would still be caught.
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
    await new Promise((r) => setTimeout(r, 5));
  } finally {
    if (process.env['DBG']) console.error('STOPPING');
    await collector.stop();
    if (process.env['DBG']) console.error('COLLECTOR STOPPED');
    await mock.stop();
    if (process.env['DBG']) console.error('MOCK STOPPED');
  }
  const want = new Map(expected);
  for (const k of lostKeys) want.delete(k);
  // Compared key by key: assert's diff of two large Maps is too slow to print when they differ.
  const missing = [...want.keys()].filter((k) => !delivered.has(k));
  const unexpected = [...delivered.keys()].filter((k) => !want.has(k));
  const differ = [...want]
    .filter(([k, v]) => delivered.has(k) && !isDeepStrictEqual(delivered.get(k), v))
    .map(([k]) => k);
  assert.deepEqual({ missing, unexpected, differ }, { missing: [], unexpected: [], differ: [] });
  return { delivered, events, collector, mock };
}

const count = (events: readonly CollectorEvent[], type: CollectorEvent['type']): number =>
  events.filter((e) => e.type === type).length;

describe('binance spot collector against a mock exchange replaying BTCUSDT 2023-04-05', () => {
  const file = BINANCE_FILES.spotBtc2023;
  const setup = (
    faults: Fault[] = [],
    more: Partial<MockOptions> = {},
  ): [MockOptions, Map<string, Trade>] => {
    const tape = binanceFrames(file);
    return [
      { tape, rows: binanceRows(tape), protocol: binanceProtocol(), faults, ...more },
      expectedTrades('binance-spot-trade', tape),
    ];
  };

  it('clean replay: every trade once, in order; pings answered', async (t) => {
    const skip = dataMissing(file);
    if (skip) return t.skip(skip);
    const [m, exp] = setup([], { pingIntervalMs: 5, chunk: 8 });
    const r = await run('binance-spot-trade', ['BTCUSDT'], m, exp);
    const s = r.collector.stats();
    assert.equal(s.streams['BTCUSDT']?.completeness, 1);
    assert.equal(s.streams['BTCUSDT']?.gapsFound, 0);
    assert.equal(s.reconnects, 0);
    assert.ok(r.mock.pongs > 0, 'the client answered pings');
  });

  it('connection dropped mid-stream twice: reconnect with backoff, gaps backfilled over REST', async (t) => {
    const skip = dataMissing(file);
    if (skip) return t.skip(skip);
    const [m, exp] = setup([
      { at: 500, kind: 'drop-connection', skip: 300 },
      { at: 1500, kind: 'drop-connection', skip: 1200 },
    ]);
    const r = await run('binance-spot-trade', ['BTCUSDT'], m, exp);
    const s = r.collector.stats();
    assert.equal(s.reconnects, 2);
    assert.equal(count(r.events, 'reconnecting'), 2);
    assert.ok((s.streams['BTCUSDT']?.gapsFound ?? 0) >= 2);
    assert.equal(s.streams['BTCUSDT']?.gapsLost, 0);
    assert.equal(s.streams['BTCUSDT']?.backfilled, 1500);
    assert.equal(s.streams['BTCUSDT']?.lost, 0);
    // 1200 missing ids need two pages of 1000: fromId paging really happened
    assert.ok(r.mock.restRequests.filter((u) => u.startsWith('/api/v3/historicalTrades')).length >= 3);
  });

  it('silently stalled stream: the watchdog replaces the socket, the gap is backfilled', async (t) => {
    const skip = dataMissing(file);
    if (skip) return t.skip(skip);
    const [m, exp] = setup([{ at: 800, kind: 'stall', skip: 200 }]);
    const r = await run('binance-spot-trade', ['BTCUSDT'], m, exp, {
      connection: { ...FAST.connection, silenceMs: 100 },
    });
    const s = r.collector.stats();
    // The planned stall is one; a machine too busy to run the mock for the silence window may add more.
    // Every stall replaces the socket, and run() checked that every trade arrived once, in order.
    assert.ok(s.stalls >= 1);
    assert.equal(s.reconnects, s.stalls);
    assert.ok((s.streams['BTCUSDT']?.backfilled ?? 0) >= 200);
  });

  it('dropped, duplicated, reordered, garbage and truncated frames', async (t) => {
    const skip = dataMissing(file);
    if (skip) return t.skip(skip);
    const [m, exp] = setup([
      { at: 300, kind: 'drop-frames', count: 5 },
      { at: 400, kind: 'duplicate' },
      { at: 450, kind: 'swap' },
      { at: 600, kind: 'garbage', text: '\u0000\u0001not json at all' },
      { at: 700, kind: 'truncate' },
      { at: 2000, kind: 'duplicate' },
    ]);
    const r = await run('binance-spot-trade', ['BTCUSDT'], m, exp);
    const s = r.collector.stats();
    assert.equal(s.badFrames, 2);
    const bad = r.events.filter((e) => e.type === 'badFrame');
    assert.equal(bad[0]?.type === 'badFrame' && bad[0].raw, '\u0000\u0001not json at all');
    assert.equal(s.streams['BTCUSDT']?.duplicates, 2);
    // the 5 dropped frames and the truncated one came over REST; the swap resolved without REST
    assert.equal(s.streams['BTCUSDT']?.backfilled, 6);
    assert.equal(s.streams['BTCUSDT']?.gapsFound, 2);
  });

  it('REST 429 (Retry-After obeyed) and 5xx are retried until the gap is filled', async (t) => {
    const skip = dataMissing(file);
    if (skip) return t.skip(skip);
    const [m, exp] = setup([{ at: 1000, kind: 'drop-frames', count: 50 }], {
      restFaults: [{ status: 429, retryAfter: '2' }, { status: 503 }, { status: 500 }],
    });
    const r = await run('binance-spot-trade', ['BTCUSDT'], m, exp);
    const rest = r.collector.stats().rest;
    assert.equal(rest.rateLimited, 1);
    assert.equal(rest.serverErrors, 2);
    assert.equal(rest.retries, 3);
    assert.equal(rest.waits[0], 2000, 'waited what Retry-After asked');
    assert.equal(r.collector.stats().streams['BTCUSDT']?.backfilled, 50);
  });

  it('serverShutdown: make-before-break rollover, no reconnect backoff, overlap deduped', async (t) => {
    const skip = dataMissing(file);
    if (skip) return t.skip(skip);
    const [m, exp] = setup(
      [
        {
          at: 1000,
          kind: 'server-shutdown',
          frame: '{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1680652900000}}',
        },
      ],
      { replayOnSubscribe: 20, chunk: 4 },
    );
    const r = await run('binance-spot-trade', ['BTCUSDT'], m, exp);
    const s = r.collector.stats();
    assert.equal(s.rollovers, 1);
    assert.equal(s.reconnects, 0);
    assert.equal(count(r.events, 'rolloverDone'), 1);
    assert.ok((s.streams['BTCUSDT']?.duplicates ?? 0) >= 1, 'the overlap delivered duplicates, all dropped');
    assert.equal(s.streams['BTCUSDT']?.lost, 0);
  });

  it('planned 24 h reconnect (max lifetime, shortened) is make-before-break too', async (t) => {
    const skip = dataMissing(file);
    if (skip) return t.skip(skip);
    const [m, exp] = setup([], { replayOnSubscribe: 10, chunk: 1 });
    const r = await run('binance-spot-trade', ['BTCUSDT'], m, exp, {
      connection: { ...FAST.connection, maxLifetimeMs: 30 },
    });
    const s = r.collector.stats();
    assert.ok(s.rollovers >= 1);
    assert.equal(s.reconnects, 0);
    assert.equal(s.streams['BTCUSDT']?.lost, 0);
  });
});

describe('binance USD-M @trade collector (BTCUSDT 2023, with an insurance-fund print)', () => {
  const file = BINANCE_FILES.usdmBtc2023;
  it('a gap over an off-book id that REST does not serve is recorded lost with its range; completeness says so', async (t) => {
    const skip = dataMissing(file);
    if (skip) return t.skip(skip);
    const tape = binanceFrames(file).slice(4000, 6000);
    const at = tape.findIndex((f) => f.includes('INSURANCE_FUND'));
    assert.ok(at > 0);
    const rows = binanceRows(tape).filter((r) => !tape[r.tapeIndex]!.includes('INSURANCE_FUND'));
    const exp = expectedTrades('binance-usdm-trade', tape);
    const r = await run(
      'binance-usdm-trade',
      ['BTCUSDT'],
      { tape, rows, protocol: binanceProtocol(), faults: [{ at: at - 2, kind: 'drop-frames', count: 4 }] },
      exp,
      {},
      ['binance-usdm:BTCUSDT:3535191080'],
    );
    const s = r.collector.stats().streams['BTCUSDT']!;
    assert.deepEqual(s.lostRanges, [{ from: 3535191080, to: 3535191080, reason: 'not served by REST' }]);
    assert.equal(s.lost, 1);
    assert.equal(s.completeness, (tape.length - 1) / tape.length);
    assert.equal(count(r.events, 'gapLost'), 1);
    assert.ok(r.mock.restRequests.every((u) => u.startsWith('/fapi/v1/historicalTrades')));
  });
});

describe('coinbase exchange collector (matches + heartbeat) against the recorded feed', () => {
  const setup = (
    faults: Fault[] = [],
    more: Partial<MockOptions> = {},
  ): [MockOptions, Map<string, Trade>] => {
    const tape = coinbaseExchangeFrames();
    return [
      { tape, rows: coinbaseRows(tape), protocol: coinbaseProtocol('exchange'), faults, ...more },
      expectedTrades('coinbase-matches', tape),
    ];
  };
  const matchAt = (tape: readonly string[], from: number): number =>
    tape.findIndex((f, i) => i >= from && f.startsWith('{"type":"match"'));

  it('clean replay', async (t) => {
    const skip = dataMissing(COINBASE_EXCHANGE_FILE);
    if (skip) return t.skip(skip);
    const [m, exp] = setup();
    const r = await run('coinbase-matches', ['BTC-USD', 'ETH-USD'], m, exp);
    assert.equal(r.delivered.size, 437);
    assert.equal(r.collector.stats().streams['BTC-USD']?.gapsFound, 0);
  });

  it('drops, duplicates, reorders, garbage; REST paging with CB-AFTER through 5xx', async (t) => {
    const skip = dataMissing(COINBASE_EXCHANGE_FILE);
    if (skip) return t.skip(skip);
    const tape = coinbaseExchangeFrames();
    const a = matchAt(tape, 300);
    const b = matchAt(tape, 900);
    const c = matchAt(tape, 1500);
    const [m, exp] = setup(
      [
        { at: a, kind: 'drop-frames', count: 1 },
        { at: b, kind: 'duplicate' },
        { at: matchAt(tape, 1200), kind: 'truncate' },
        { at: c, kind: 'drop-connection', skip: 200 },
        { at: 2000, kind: 'garbage', text: '{"type":"match","trade_id":' },
      ],
      { restFaults: [{ status: 502 }] },
    );
    const r = await run('coinbase-matches', ['BTC-USD', 'ETH-USD'], m, exp);
    const s = r.collector.stats();
    assert.equal(s.badFrames, 2);
    assert.equal(s.reconnects, 1);
    assert.equal(s.rest.serverErrors, 1);
    assert.ok(r.mock.restRequests.some((u) => /\/products\/(BTC|ETH)-USD\/trades\?after=\d+/.test(u)));
  });

  it('a dropped trade at the tail is revealed by the heartbeat last_trade_id and backfilled', async (t) => {
    const skip = dataMissing(COINBASE_EXCHANGE_FILE);
    if (skip) return t.skip(skip);
    const all = coinbaseExchangeFrames();
    // Cut the tape at the last BTC-USD heartbeat and drop the BTC-USD match it names: no later match reveals
    // the loss, only the heartbeat's last_trade_id does.
    let hb = -1;
    all.forEach((f, i) => f.startsWith('{"type":"heartbeat"') && f.includes('"BTC-USD"') && (hb = i));
    const tape = all.slice(0, hb + 1);
    const lastId = (JSON.parse(tape[hb]!) as { last_trade_id: number }).last_trade_id;
    const at = tape.findIndex((f) => f.includes(`"trade_id":${lastId},`));
    assert.ok(at > 0 && at < hb);
    const m: MockOptions = {
      tape,
      rows: coinbaseRows(tape),
      protocol: coinbaseProtocol('exchange'),
      faults: [{ at, kind: 'drop-frames', count: 1 }],
    };
    const r = await run(
      'coinbase-matches',
      ['BTC-USD', 'ETH-USD'],
      m,
      expectedTrades('coinbase-matches', tape),
    );
    assert.equal(r.collector.stats().streams['BTC-USD']?.backfilled, 1);
  });
});

describe('coinbase advanced trade collector (market_trades snapshot + updates)', () => {
  const setup = (faults: Fault[] = []): [MockOptions, Map<string, Trade>] => {
    const tape = capturedFrames(COINBASE_ADVANCED_FILE);
    return [
      { tape, rows: coinbaseRows(tape), protocol: coinbaseProtocol('advanced'), faults },
      expectedTrades('coinbase-advanced-market-trades', tape),
    ];
  };

  it('clean replay: snapshot and updates, 279 distinct trades', async (t) => {
    const skip = dataMissing(COINBASE_ADVANCED_FILE);
    if (skip) return t.skip(skip);
    const [m, exp] = setup();
    const r = await run('coinbase-advanced-market-trades', ['BTC-USD', 'ETH-USD'], m, exp);
    assert.equal(r.delivered.size, 279);
  });

  const updateIndexes = (tape: readonly string[]): number[] =>
    tape.flatMap((f, i) => (f.includes('"channel":"market_trades"') && f.includes('"update"') ? [i] : []));

  it('dropped update frames: the id gap is backfilled over the Exchange REST ids', async (t) => {
    const skip = dataMissing(COINBASE_ADVANCED_FILE);
    if (skip) return t.skip(skip);
    const u = updateIndexes(capturedFrames(COINBASE_ADVANCED_FILE));
    const [m, exp] = setup([
      { at: u[5]!, kind: 'drop-frames', count: 1 },
      { at: u[30]!, kind: 'duplicate' },
      { at: u[40]!, kind: 'garbage', text: '{"channel":"market_trades","events":[{"type":"upd' },
    ]);
    const r = await run('coinbase-advanced-market-trades', ['BTC-USD', 'ETH-USD'], m, exp);
    const s = r.collector.stats();
    const backfilled = (s.streams['BTC-USD']?.backfilled ?? 0) + (s.streams['ETH-USD']?.backfilled ?? 0);
    assert.ok(backfilled >= 1);
    assert.equal(s.badFrames, 1);
    assert.ok(r.mock.restRequests.every((q) => q.startsWith('/products/')));
  });

  it('connection dropped mid-stream: the subscribe snapshot (or REST) covers what was missed', async (t) => {
    const skip = dataMissing(COINBASE_ADVANCED_FILE);
    if (skip) return t.skip(skip);
    const u = updateIndexes(capturedFrames(COINBASE_ADVANCED_FILE));
    const [m, exp] = setup([{ at: u[20]!, kind: 'drop-connection', skip: 30 }]);
    const r = await run('coinbase-advanced-market-trades', ['BTC-USD', 'ETH-USD'], m, exp);
    assert.equal(r.collector.stats().reconnects, 1);
  });
});
