// ReplaySource: pacing on a virtual clock (hand-worked schedule), merge order against an independent stable sort,
// chunking invariance, receive-stamp pacing, store and file inputs, stop. No sleeps: a virtual clock or max speed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseIncrement } from '../../src/core/decimal.ts';
import type { Instrument } from '../../src/core/instrument.ts';
import type { Trade } from '../../src/core/trade.ts';
import { lots, micros, ticks } from '../../src/core/units.ts';
import {
  realClock,
  ReplaySource,
  type ReplayClock,
  type ReplayInput,
  type ReplaySpeed,
} from '../../src/sources/replay.ts';
import type { SourceEvent } from '../../src/sources/source.ts';
import { MemoryTradeStore } from '../../src/store/memory-store.ts';
import { BINANCE_FILES, dataMissing, SHARED_DATA } from '../exchanges/recordings.ts';

function instrument(symbol: string): Instrument {
  return {
    exchange: 'test',
    symbol,
    kind: 'spot',
    base: 'B',
    quote: 'Q',
    price: parseIncrement('0.01'),
    qty: parseIncrement('0.001'),
    volumeUnit: 'base',
    source: 'config',
  };
}
const A = instrument('A');
const B = instrument('B');

function tr(symbol: string, id: number, ts: number, recvTs?: number): Trade {
  return {
    exchange: 'test',
    symbol,
    id,
    ts: micros(ts),
    price: ticks(100 + id),
    qty: lots(1),
    side: id % 2 === 0 ? 1 : -1,
    sideSource: 'exchange',
    ...(recvTs === undefined ? {} : { recvTs: micros(recvTs) }),
  };
}

/** Virtual time: sleeping advances it at once; every event is stamped with the virtual time it was emitted at. */
function virtualClock(): ReplayClock & { t: number } {
  const c = {
    t: 1000,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += ms;
      await Promise.resolve();
    },
  };
  return c;
}

async function runAll(
  src: ReplaySource,
  clock?: { t: number },
): Promise<{ events: SourceEvent[]; at: number[] }> {
  const events: SourceEvent[] = [];
  const at: number[] = [];
  await src.start((e) => {
    events.push(e);
    at.push(clock?.t ?? 0);
  });
  await src.done;
  return { events, at };
}

const tradesOf = (ev: SourceEvent[]): Trade[] => ev.flatMap((e) => (e.type === 'trades' ? e.trades : []));

describe('ReplaySource pacing', () => {
  it('hand-worked schedule at ×2: trades at 0, 1, 1, 3 ms (µs 0/1000/1000/3000) are emitted at +0, +0.5, +1.5 ms', async () => {
    const clock = virtualClock();
    const src = new ReplaySource({
      inputs: [
        {
          kind: 'trades',
          instrument: A,
          trades: [tr('A', 1, 5_000_000), tr('A', 2, 5_001_000), tr('A', 4, 5_003_000)],
        },
        { kind: 'trades', instrument: B, trades: [tr('B', 3, 5_001_000)] },
      ],
      speed: 2,
      clock,
    });
    const { events, at } = await runAll(src, clock);
    // Events: connected, A[1] @1000, A[2] @1000.5, B[3] @1000.5 (same key, later input), A[4] @1001.5, ended.
    assert.deepEqual(
      events.map((e) =>
        e.type === 'trades'
          ? `${e.instrument.symbol}:${e.trades.map((t) => t.id).join(',')}`
          : e.type === 'status'
            ? e.state
            : e.type,
      ),
      ['connected', 'A:1', 'A:2', 'B:3', 'A:4', 'ended'],
    );
    assert.deepEqual(at.slice(1, 5), [1000, 1000.5, 1000.5, 1001.5]);
  });

  it('receive stamps pace the replay when every trade has one (auto), trade time otherwise', async () => {
    const clock = virtualClock();
    // Trade times 1 ms apart but received 10 ms apart: receive time wins.
    const src = new ReplaySource({
      inputs: [{ kind: 'trades', instrument: A, trades: [tr('A', 1, 0, 50_000), tr('A', 2, 1_000, 60_000)] }],
      clock,
    });
    const { at } = await runAll(src, clock);
    assert.deepEqual(at.slice(1, 3), [1000, 1010]);
    assert.equal(src.stats()['pacing'], 'receive-time');
    const c2 = virtualClock();
    const src2 = new ReplaySource({
      inputs: [{ kind: 'trades', instrument: A, trades: [tr('A', 1, 0, 50_000), tr('A', 2, 1_000, 60_000)] }],
      clock: c2,
      pacing: 'trade-time',
    });
    assert.deepEqual((await runAll(src2, c2)).at.slice(1, 3), [1000, 1001]);
  });

  it('a receive stamp that goes backwards never moves the clock back', async () => {
    const clock = virtualClock();
    const src = new ReplaySource({
      inputs: [
        {
          kind: 'trades',
          instrument: A,
          trades: [tr('A', 1, 0, 10_000), tr('A', 2, 1, 5_000), tr('A', 3, 2, 12_000)],
        },
      ],
      clock,
    });
    const { at, events } = await runAll(src, clock);
    // Trade 2's stamp (5 ms) is before trade 1's (10 ms): it counts as 10 ms, so it is due with trade 1.
    assert.deepEqual(
      events.flatMap((e) => (e.type === 'trades' ? [e.trades.map((t) => t.id)] : [])),
      [[1, 2], [3]],
    );
    assert.deepEqual(at.slice(1, 3), [1000, 1002]);
  });
});

describe('ReplaySource order and determinism', () => {
  const streams = fc.array(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 40 }), {
    minLength: 1,
    maxLength: 4,
  });

  /** Independent reference: all trades sorted by (ts, input index, position) with a plain stable sort. */
  function reference(inputs: number[][]): string[] {
    const all = inputs.flatMap((deltas, i) => {
      let ts = 0;
      return deltas.map((d, p) => ({ ts: (ts += d * 1000), i, p }));
    });
    return all.sort((x, y) => x.ts - y.ts || x.i - y.i || x.p - y.p).map((x) => `${x.i}:${x.p}`);
  }

  function inputsOf(inputs: number[][]): ReplayInput[] {
    return inputs.map((deltas, i) => {
      let ts = 0;
      const inst = instrument(String(i));
      return {
        kind: 'trades',
        instrument: inst,
        trades: deltas.map((d, p) => ({ ...tr(String(i), p, (ts += d * 1000)), id: p })),
      };
    });
  }

  it('property: every speed and batch size emits the same merged sequence, equal to the reference; ended last', async () => {
    await fc.assert(
      fc.asyncProperty(
        streams,
        fc.constantFrom<ReplaySpeed>('max', 1, 7.5),
        fc.integer({ min: 1, max: 9 }),
        async (inputs, speed, batchMaxTrades) => {
          const clock = virtualClock();
          const { events } = await runAll(
            new ReplaySource({ inputs: inputsOf(inputs), speed, clock, batchMaxTrades }),
            clock,
          );
          const got = events.flatMap((e) =>
            e.type === 'trades' ? e.trades.map((t) => `${t.symbol}:${String(t.id)}`) : [],
          );
          assert.deepEqual(got, reference(inputs));
          assert.deepEqual(events.at(-1), {
            type: 'status',
            stream: 'replay',
            state: 'ended',
            detail: `${got.length} trades`,
          });
          for (const e of events)
            if (e.type === 'trades')
              assert.ok((e.trades.length >= 1 && e.trades.length <= batchMaxTrades) || speed !== 'max');
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the same inputs give the same events twice (deterministic)', async () => {
    const input = inputsOf([
      [0, 1, 1, 0, 3],
      [1, 0, 2],
    ]);
    const a = await runAll(new ReplaySource({ inputs: input, speed: 'max', batchMaxTrades: 2 }));
    const b = await runAll(new ReplaySource({ inputs: input, speed: 'max', batchMaxTrades: 2 }));
    assert.deepEqual(a.events, b.events);
  });

  it('an empty input ends at once with zero trades', async () => {
    const { events } = await runAll(
      new ReplaySource({ inputs: [{ kind: 'trades', instrument: A, trades: [] }], speed: 'max' }),
    );
    assert.deepEqual(
      events.map((e) => e.type === 'status' && e.state),
      ['connected', 'ended'],
    );
  });
});

describe('ReplaySource inputs and stop', () => {
  it('store input: replays iterateTrades batches in (ts, id) order over the range', async () => {
    const store = new MemoryTradeStore();
    await store.open();
    await store.upsertInstrument(A);
    const trades = Array.from({ length: 25 }, (_, i) => tr('A', i + 1, 1_000_000 + i * 10));
    await store.insertTrades('test', 'A', trades);
    const src = new ReplaySource({
      inputs: [{ kind: 'store', store, instrument: A, fromUs: 1_000_050, toUs: 1_000_200, batchSize: 4 }],
      speed: 'max',
    });
    const got = tradesOf((await runAll(src)).events).map((t) => t.id);
    // ts = 1_000_000 + 10·(id−1) in [1_000_050, 1_000_200) ⇒ ids 6…20.
    assert.deepEqual(
      got,
      Array.from({ length: 15 }, (_, i) => i + 6),
    );
    await store.close();
  });

  it('a recorded Binance trade stream file: every trade once, ids contiguous, paced by its receive stamps', async (t) => {
    const rel = BINANCE_FILES.spotBtc2023;
    const skip = dataMissing(rel);
    if (skip) return t.skip(skip);
    const src = await ReplaySource.fromFiles([SHARED_DATA + rel], { speed: 'max' });
    const got = tradesOf((await runAll(src)).events);
    assert.equal(got.length, 3144); // the data README's count
    got.forEach((x, i) => i > 0 && assert.equal(x.id, (got[i - 1]!.id as number) + 1));
    assert.equal(src.stats()['pacing'], 'receive-time');
  });

  it('stop() during a long wait (real clock, real pace) resolves at once; nothing is emitted afterwards', async () => {
    const src = new ReplaySource({
      inputs: [{ kind: 'trades', instrument: A, trades: [tr('A', 1, 0), tr('A', 2, 3_600_000_000)] }],
      speed: 1,
      clock: realClock,
    });
    const events: SourceEvent[] = [];
    let firstTrade!: () => void;
    const gotFirst = new Promise<void>((r) => (firstTrade = r));
    await src.start((e) => {
      events.push(e);
      if (e.type === 'trades') firstTrade();
    });
    await gotFirst;
    await src.stop();
    const n = events.length;
    assert.deepEqual(events.at(-1), {
      type: 'status',
      stream: 'replay',
      state: 'disconnected',
      detail: 'stopped',
    });
    assert.deepEqual(
      tradesOf(events).map((x) => x.id),
      [1],
    );
    await Promise.resolve();
    assert.equal(events.length, n);
  });

  it('speed must be positive', () => {
    assert.throws(
      () => new ReplaySource({ inputs: [{ kind: 'trades', instrument: A, trades: [] }], speed: 0 }),
    );
  });
});
