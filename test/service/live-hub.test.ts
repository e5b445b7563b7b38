/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call -- assertions on parsed JSON messages */
// The live hub against the store: half of a real Binance file is stored, the rest streamed through the source in
// random chunks; every channel's latest streamed bars must equal the REST footprint over the same trades (TIME
// bars from minute rollups, VOLUME bars from the engine), whatever the chunking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Trade } from '../../src/core/trade.ts';
import { decodeTickBatch } from '../../src/client/tick-batch.ts';
import { minuteRollupOf } from '../../src/store/rollups.ts';
import { compareTradeOrder } from '../../src/store/trade-order.ts';
import { OpenMinute, foldRollups } from '../../src/service/open-minute.ts';
import { ResponseCache } from '../../src/service/response-cache.ts';
import type { BarUpdate } from '../../src/service/stream-messages.ts';
import { FootprintUpdateAssembler } from '../../src/client/footprint-updates.ts';
import {
  CHANNEL_UPDATE_BYTES_PER_S,
  UPDATE_INTERVAL_MS,
  type Publisher,
  type Subscription,
} from '../../src/service/live-hub.ts';
import { ETH_FILE, injectApp, serviceFixture, storedGridTrades } from '../api/fixture.ts';
import { requireData } from '../real-data.ts';
import { trade } from '../helpers.ts';

/**
 * What the hub publishes, parsed. A bar update is taken as a subscriber that keeps up gets it (only the changed cells
 * after a bar's first update) and merged back into the whole bar by the typed client's assembler.
 */
class Capture implements Publisher {
  readonly messages: { topic: string; msg: any }[] = [];
  readonly bars: { topic: string; key: string; update: BarUpdate }[] = [];
  private readonly assembler = new FootprintUpdateAssembler();
  publish(topic: string, payload: Buffer): void {
    this.messages.push({ topic, msg: JSON.parse(payload.toString()) });
  }
  publishBar(topic: string, key: string, update: BarUpdate): void {
    this.bars.push({ topic, key, update });
    const msg = JSON.parse((update.cells ?? update.full()).toString());
    this.messages.push({ topic, msg: { ...msg, data: this.assembler.apply(msg.data) } });
  }
}

const strip = (o: Record<string, unknown>): Record<string, unknown> => {
  const { complete: _c, ...rest } = o;
  return rest;
};

test('live channels equal the REST footprint over the same trades (stored half + streamed half, random chunks)', async (t) => {
  const path = requireData(t, ETH_FILE);
  if (!path) return;
  await fc.assert(
    fc.asyncProperty(
      fc
        .array(fc.integer({ min: 1, max: 4000 }), { minLength: 1, maxLength: 8 })
        .filter((a) => a.reduce((x, y) => x + y, 0) >= 50),
      fc.integer({ min: 2000, max: 12000 }),
      async (cuts, storedCount) => {
        const f = (await serviceFixture(t))!;
        const cap = new Capture();
        try {
          const { inst, all } = await storedGridTrades(f, path);
          await f.store.insertTrades(inst.exchange, inst.symbol, all.slice(0, storedCount));
          f.service.setPublisher(cap);
          // Every publishUpdates call finds its pace elapsed (pacing has its own test below).
          let clock = 0;
          f.service.hub.clockMs = () => (clock += 3_600_000);
          const sym = `${inst.exchange}:${inst.symbol}`;
          const subs = [
            { symbol: sym, config: { timePerRow: '1m' } },
            { symbol: sym, config: { timePerRow: '5m', priceTickSize: '1' } },
            { symbol: sym, config: { tickAggregationMethod: 'VOLUME', volumePerBar: '50' } },
          ];
          const handles: Subscription[] = [];
          for (const s of subs) handles.push(await f.service.hub.subscribe(s));
          // Stream the rest in the generated chunk sizes (cycled).
          let i = storedCount;
          let k = 0;
          while (i < all.length) {
            const n = cuts[k++ % cuts.length]!;
            f.source.push(inst, all.slice(i, i + n));
            i += n;
            if (k % 3 === 0) f.service.hub.publishUpdates();
          }
          f.service.hub.publishUpdates();
          // Ticks go out at the end of the event-loop turn; the app built next takes over the publisher.
          await new Promise((resolve) => setImmediate(resolve));
          const api = await injectApp(f);
          const rest = async (q: string) =>
            (await api.app.inject(`/api/v1/orderflow/footprint/${sym}?${q}`)).json().data;
          const range = 'start_time=2024-08-08T00:00:00Z&end_time=2024-08-10T00:00:00Z';
          const expected = [
            await rest(`timeframe=1m&${range}`),
            await rest(`timeframe=5m&price_tick_size=1&${range}`),
            await rest(`aggregation=VOLUME&volume_per_bar=50&${range}`),
          ];
          await api.close();
          for (let c = 0; c < handles.length; c++) {
            const h = handles[c]!;
            const latest = new Map<string, any>();
            for (const m of cap.messages)
              if (m.topic === h.channelTopic && m.msg.type === 'footprint_update')
                latest.set(m.msg.data.bar.start_time, m.msg.data);
            const exp = expected[c]!;
            // The channel's state (its retained closed bars + the open ones) equals REST's latest bars, in order.
            const snap: any = JSON.parse(f.service.hub.snapshot(h.channelKey)!.toString()).data.footprint;
            const n: number = snap.bar_stats.length;
            assert.ok(n > 0 && n <= exp.bar_stats.length);
            const tail: any[] = exp.bar_stats.slice(-n);
            assert.deepEqual(
              snap.bar_stats.map(strip),
              tail.map(strip),
              `snapshot bars ${JSON.stringify(subs[c])}`,
            );
            const firstIdx = exp.bars.findIndex(
              (x: { start_time: string }) => x.start_time === tail[0].start_time,
            );
            const cellsOfTail = exp.bars.slice(firstIdx).length;
            assert.deepEqual(
              snap.bars.slice(-cellsOfTail),
              exp.bars.slice(firstIdx),
              `snapshot cells ${JSON.stringify(subs[c])}`,
            );
            // VOLUME bars may share a start time: only TIME updates are matched bar by bar.
            if (subs[c]!.config.tickAggregationMethod === 'VOLUME') continue;
            const streamedSince = new Set([...latest.keys()]);
            // Every bar the stream touched equals REST's bar with that start, cells and statistics.
            for (const [start, upd] of latest) {
              const bar = exp.bar_stats.find((b: { start_time: string }) => b.start_time === start);
              assert.ok(bar, `REST has the bar ${start}`);
              assert.deepEqual(strip(upd.bar), strip(bar), `${JSON.stringify(subs[c])} bar ${start}`);
              assert.deepEqual(
                upd.bars,
                exp.bars.filter((x: { start_time: string }) => x.start_time === start),
                `cells ${start}`,
              );
            }
            // ... and the stream touched every bar that formed after the stored half.
            const lastStored = all[storedCount - 1]!.ts;
            for (const b of exp.bar_stats)
              if (Date.parse(b.start_time) * 1000 > lastStored)
                assert.ok(streamedSince.has(b.start_time), `streamed ${b.start_time}`);
          }
          const ticks = cap.messages
            .filter((m) => m.msg.type === 'tick')
            .flatMap((m) => decodeTickBatch(m.msg.data));
          assert.deepEqual(
            ticks.map((x) => x.id),
            all.slice(storedCount).map((x) => x.id),
            'every streamed trade was ticked once, in order',
          );
        } finally {
          await f.close();
        }
      },
    ),
    {
      numRuns: 3,
      examples: [
        [[1000], 5000],
        [[50], 6099],
      ],
    },
  );
});

test('open minute: incremental rollup equals minuteRollupOf in canonical order, also with late trades', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          dt: fc.integer({ min: 0, max: 59_999_999 }),
          p: fc.integer({ min: 100, max: 110 }),
          q: fc.integer({ min: 1, max: 50 }),
          s: fc.constantFrom(1 as const, -1 as const),
        }),
        { minLength: 1, maxLength: 60 },
      ),
      fc.boolean(),
      (rows, sorted) => {
        const base = 60_000_000 * 1000;
        const trades: Trade[] = rows.map((r) => trade(base + r.dt, r.p, r.q, r.s));
        if (sorted) trades.sort(compareTradeOrder);
        const om = new OpenMinute(base);
        for (const x of trades) om.add(x);
        assert.deepEqual(om.rollup(), minuteRollupOf([...trades].sort(compareTradeOrder)));
      },
    ),
  );
});

test('foldRollups: two minutes folded equal the rollup of their trades (running delta continues)', () => {
  // Minute 1: buy 5 @100, sell 8 @101 → delta path 5, −3. Minute 2: sell 4 @99, buy 10 @100 → path −7, +3.
  // Folded: running delta 5, −3, −7, 3 ⇒ min −7, max 5; open 100, close 100, high 101, low 99.
  const m = 60_000_000;
  const a = [trade(m, 100, 5, 1), trade(m + 1, 101, 8, -1)];
  const b = [trade(2 * m, 99, 4, -1), trade(2 * m + 1, 100, 10, 1)];
  const f = foldRollups(minuteRollupOf(a), minuteRollupOf(b));
  assert.equal(f.minDelta, -7);
  assert.equal(f.maxDelta, 5);
  assert.deepEqual([f.open, f.high, f.low, f.close], [100, 101, 99, 100]);
  assert.deepEqual(
    f.cells.map((c) => [c.tick, c.buy, c.sell]),
    [
      [99, 0, 4],
      [100, 15, 0],
      [101, 0, 8],
    ],
  );
});

test('response cache: a write drops entries whose range ends after the written trades, LRU within its byte budget', () => {
  const c = new ResponseCache(100);
  c.set('closed', { body: Buffer.alloc(10), instruments: ['x:A'], readTo: 1000 });
  c.set('open', { body: Buffer.alloc(10), instruments: ['x:A'], readTo: Infinity });
  c.set('other', { body: Buffer.alloc(10), instruments: ['y:B'], readTo: Infinity });
  c.invalidate('x:A', 1000);
  assert.ok(c.get('closed'), 'ends at 1000 (exclusive): a trade at 1000 does not change it');
  assert.equal(c.get('open'), undefined);
  assert.ok(c.get('other'));
  c.invalidate('x:A', 999);
  assert.equal(c.get('closed'), undefined);
  for (let i = 0; i < 12; i++) c.set(`k${i}`, { body: Buffer.alloc(10), instruments: [], readTo: 0 });
  assert.ok(c.byteSize <= 100);
  assert.equal(c.get('k0'), undefined, 'oldest evicted');
  assert.ok(c.get('k11'));
});

test('a big open bar is restated at most CHANNEL_UPDATE_BYTES_PER_S per subscriber, always in its latest state', async (t) => {
  const path = requireData(t, ETH_FILE);
  if (!path) return;
  const f = (await serviceFixture(t))!;
  const cap = new Capture();
  try {
    const { inst, all } = await storedGridTrades(f, path);
    const stored = 4000;
    await f.store.insertTrades(inst.exchange, inst.symbol, all.slice(0, stored));
    f.service.setPublisher(cap);
    let now = 1_000;
    f.service.hub.clockMs = () => now;
    const sym = `${inst.exchange}:${inst.symbol}`;
    // One tick per row: the open bar has hundreds of rows.
    const h = await f.service.hub.subscribe({ symbol: sym, config: { timePerRow: '1m' } });
    // Signals of closed bars go out as they happen; the paced messages are these.
    const paced = new Set(['footprint_update', 'delta_update', 'imbalance_detected']);
    const updates = () => cap.messages.filter((m) => m.topic === h.channelTopic && paced.has(m.msg.type));
    const bytesOf = (ms: { msg: unknown }[]) => ms.reduce((s, m) => s + JSON.stringify(m.msg).length, 0);

    f.source.push(inst, all.slice(stored, stored + 3000));
    f.service.hub.publishUpdates();
    const first = updates();
    assert.ok(first.some((m) => m.msg.type === 'footprint_update'));
    const pace = (bytesOf(first) / CHANNEL_UPDATE_BYTES_PER_S) * 1000;
    assert.ok(
      pace > UPDATE_INTERVAL_MS,
      `the first update (${bytesOf(first)} bytes) is big enough to be paced`,
    );

    // More trades: nothing is restated until the pace allows it ...
    f.source.push(inst, all.slice(stored + 3000, stored + 3500));
    now += UPDATE_INTERVAL_MS;
    f.service.hub.publishUpdates();
    assert.equal(updates().length, first.length, 'paced: no update yet');
    // ... and then the bars carry every trade so far: they equal REST's bars over the same trades.
    now += pace;
    f.service.hub.publishUpdates();
    const later = updates()
      .slice(first.length)
      .filter((m) => m.msg.type === 'footprint_update');
    assert.ok(later.length > 0, 'updated once the pace allowed');
    await new Promise((resolve) => setImmediate(resolve));
    const api = await injectApp(f);
    const rest = (
      await api.app.inject(
        `/api/v1/orderflow/footprint/${sym}?timeframe=1m&start_time=2024-08-08T00:00:00Z&end_time=2024-08-10T00:00:00Z`,
      )
    ).json().data;
    await api.close();
    for (const m of later) {
      const start: string = m.msg.data.bar.start_time;
      const bar = rest.bar_stats.find((b: { start_time: string }) => b.start_time === start);
      assert.deepEqual(strip(m.msg.data.bar), strip(bar), `bar ${start}`);
    }
  } finally {
    await f.close();
  }
});
