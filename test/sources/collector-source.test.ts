// CollectorSource: every CollectorEvent kind mapped to its SourceEvent (hand-checked), and end to end over an OKX
// mock exchange replaying the recording with a dropped frame: the trades equal the recording, the backfill is late.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InstrumentRegistry } from '../../src/core/instrument.ts';
import type { Trade } from '../../src/core/trade.ts';
import { lots, micros, ticks } from '../../src/core/units.ts';
import { ExchangeCollector, type CollectorEvent } from '../../src/sources/exchanges/collector.ts';
import { MORE_FEEDS } from '../../src/sources/exchanges/feeds-more.ts';
import { okxInstruments } from '../../src/sources/exchanges/mappers/okx.ts';
import { CollectorSource, toSourceEvents } from '../../src/sources/collector-source.ts';
import type { SourceEvent } from '../../src/sources/source.ts';
import { MockExchange, type RestRow } from '../exchanges/mock-exchange.ts';
import { okxProtocol } from '../exchanges/mock-more.ts';
import { MULTI, readCapture, registryOf } from '../exchanges/more-recordings.ts';
import { dataMissing } from '../exchanges/recordings.ts';

const registry = new InstrumentRegistry();
const inst = registry.get('okx', 'BTC-USDT')!;
const t1: Trade = {
  exchange: 'okx',
  symbol: 'BTC-USDT',
  id: 5,
  ts: micros(1),
  price: ticks(1),
  qty: lots(1),
  side: 1,
  sideSource: 'exchange',
};
const map = (e: CollectorEvent): SourceEvent[] =>
  toSourceEvents('okx-trades-all', 'okx', e, (s) => registry.get('okx', s));

describe('toSourceEvents', () => {
  it('maps each collector event kind (hand-checked)', () => {
    assert.deepEqual(map({ type: 'trades', symbol: 'BTC-USDT', trades: [t1], source: 'ws' }), [
      { type: 'trades', instrument: inst, trades: [t1] },
    ]);
    assert.deepEqual(map({ type: 'trades', symbol: 'BTC-USDT', trades: [t1], source: 'rest' }), [
      { type: 'trades', instrument: inst, trades: [t1], late: true },
    ]);
    assert.deepEqual(map({ type: 'trades', symbol: 'NOPE', trades: [t1], source: 'ws' }), [
      { type: 'bad', stream: 'okx-trades-all', reason: 'trades of unknown instrument okx:NOPE', raw: '[5]' },
    ]);
    assert.deepEqual(map({ type: 'connected', gen: 2, url: 'wss://x' }), [
      { type: 'status', stream: 'okx-trades-all', state: 'connected', detail: 'wss://x (connection 2)' },
    ]);
    assert.deepEqual(map({ type: 'disconnected', gen: 2, code: 1006, reason: '' }), [
      { type: 'status', stream: 'okx-trades-all', state: 'disconnected', detail: 'code 1006' },
    ]);
    assert.deepEqual(map({ type: 'reconnecting', attempt: 3, delayMs: 1234.4 }), [
      {
        type: 'status',
        stream: 'okx-trades-all',
        state: 'connecting',
        detail: 'reconnect attempt 3 in 1234 ms',
      },
    ]);
    assert.deepEqual(map({ type: 'stalled', gen: 1, silentMs: 31000 }), [
      { type: 'status', stream: 'okx-trades-all', state: 'stalled', detail: 'silent for 31000 ms' },
    ]);
    assert.deepEqual(map({ type: 'rollover', reason: 'notice', fromGen: 1, toGen: 2 }), [
      { type: 'status', stream: 'okx-trades-all', state: 'connecting', detail: 'rollover (notice)' },
    ]);
    assert.deepEqual(map({ type: 'rolloverDone', gen: 2 }), [
      {
        type: 'status',
        stream: 'okx-trades-all',
        state: 'connected',
        detail: 'rollover done (connection 2)',
      },
    ]);
    assert.deepEqual(map({ type: 'gap', symbol: 'BTC-USDT', from: 3, to: 4 }), [
      { type: 'gap', stream: 'okx:BTC-USDT', from: 3, to: 4, state: 'found' },
    ]);
    assert.deepEqual(map({ type: 'gapFilled', symbol: 'BTC-USDT', from: 3, to: 4, filled: 2 }), [
      { type: 'gap', stream: 'okx:BTC-USDT', from: 3, to: 4, state: 'filled' },
    ]);
    assert.deepEqual(
      map({ type: 'gapLost', symbol: 'BTC-USDT', from: 3, to: 4, reason: 'not served by REST' }),
      [{ type: 'gap', stream: 'okx:BTC-USDT', from: 3, to: 4, state: 'lost', reason: 'not served by REST' }],
    );
    assert.deepEqual(map({ type: 'badFrame', reason: 'not a JSON object', raw: 'x' }), [
      { type: 'bad', stream: 'okx-trades-all', reason: 'not a JSON object', raw: 'x' },
    ]);
    assert.deepEqual(map({ type: 'exchangeError', message: '60012 Invalid request' }), [
      {
        type: 'bad',
        stream: 'okx-trades-all',
        reason: 'exchange error: 60012 Invalid request',
        raw: '60012 Invalid request',
      },
    ]);
  });

  it('refuses unknown instruments and mismatched symbol lists at construction', () => {
    const c = new ExchangeCollector({
      feed: MORE_FEEDS['okx-trades-all'],
      symbols: ['BTC-USDT'],
      registry,
    });
    assert.throws(() => new CollectorSource([c], registry, [['NOPE']]));
    assert.throws(() => new CollectorSource([c], registry, []));
    assert.equal(new CollectorSource([c], registry, [['BTC-USDT']]).description, 'live: okx BTC-USDT');
  });
});

describe('CollectorSource end to end (OKX mock, a dropped frame)', () => {
  it('delivers the recording exactly; the backfilled trades are late; gap found then filled; nothing after stop', async (t) => {
    const skip = dataMissing(MULTI('OKX'));
    if (skip) return t.skip(skip);
    const cap = readCapture('OKX');
    const reg = registryOf(cap.http.flatMap((h) => okxInstruments(h.body)));
    const tape = [...cap.connections.values()][0]!.frames;
    const rows: (RestRow & { tapeIndex: number })[] = [];
    const btc: number[] = [];
    tape.forEach((f, tapeIndex) => {
      const v = JSON.parse(f) as { arg?: { channel?: string }; data?: Record<string, string>[] };
      if (v.arg?.channel !== 'trades' || !v.data) return;
      for (const d of v.data)
        rows.push({ id: Number(d['tradeId']), symbol: d['instId']!, tapeIndex, row: d });
      if (v.data.some((d) => d['instId'] === 'BTC-USDT')) btc.push(tapeIndex);
    });
    const mock = new MockExchange({
      tape,
      rows,
      protocol: okxProtocol(),
      faults: [{ at: btc[10]!, kind: 'drop-frames', count: 1 }],
    });
    await mock.start();
    const symbols = ['BTC-USDT', 'BTC-USD-220527', 'UNI-USD-SWAP'];
    const collector = new ExchangeCollector({
      feed: MORE_FEEDS['okx-trades-all'],
      symbols,
      registry: reg,
      wsBase: mock.wsBase,
      restBase: mock.restBase,
      reorderGraceMs: 10,
      rest: { minIntervalMs: 0 },
      log: () => {},
    });
    const src = new CollectorSource([collector], reg, [symbols]);
    assert.equal(src.kind, 'live');
    const events: SourceEvent[] = [];
    const seen = new Set<string>();
    await new Promise<void>((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error(`timeout at ${seen.size}`)), 8000);
      void src.start((e) => {
        events.push(e);
        if (e.type !== 'trades') return;
        for (const x of e.trades) {
          const k = `${x.symbol}:${String(x.id)}`;
          if (seen.has(k)) reject(new Error(`duplicate ${k}`));
          seen.add(k);
        }
        if (seen.size === rows.length) {
          clearTimeout(guard);
          resolve();
        }
      });
    });
    await src.stop();
    const n = events.length;
    await mock.stop();
    assert.equal(events.length, n, 'nothing emitted after stop');
    assert.deepEqual([...seen].sort(), rows.map((r) => `${r.symbol}:${r.id}`).sort());
    // The collector releases the backfilled trade together with the trades that waited behind it, as one late batch.
    const late = events.flatMap((e) => (e.type === 'trades' && e.late ? e.trades : []));
    const dropped = rows.find((r) => r.tapeIndex === btc[10])!;
    assert.equal(late[0]?.id, dropped.id);
    assert.ok(late.every((x) => x.symbol === 'BTC-USDT'));
    const gaps = events.filter((e) => e.type === 'gap').map((e) => e.type === 'gap' && e.state);
    assert.deepEqual(gaps, ['found', 'filled']);
    assert.ok(events.some((e) => e.type === 'status' && e.state === 'connected'));
    const stats = src.stats()['okx-trades-all'] as { streams: Record<string, { completeness: number }> };
    assert.equal(stats.streams['BTC-USDT']?.completeness, 1);
  });
});
