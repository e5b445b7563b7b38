// The one contract suite every TradeStore must pass (in-memory, DuckDB, later PostgreSQL): idempotence, order,
// range bounds, rollups against an independent recomputation and against the footprint engine, late trades, stats.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Instrument } from '../../src/core/instrument.ts';
import type { Trade, TradeId } from '../../src/core/trade.ts';
import { lots, micros, ticks, type Side } from '../../src/core/units.ts';
import { buildFootprint } from '../../src/engines/footprint.ts';
import type { MinuteRollup, TradeStore } from '../../src/store/port.ts';
import { footprintFromRollups } from '../../src/store/rollups.ts';
import { params, TEST_SCALE } from '../helpers.ts';

export interface StoreFixture {
  readonly store: TradeStore;
  /** Closes the store and opens the same database again (persistent stores only). */
  readonly reopen?: () => Promise<TradeStore>;
  readonly dispose: () => Promise<void>;
}

const EX = 'test';
const MIN = 60_000_000;
/** 2024-01-01T00:00:00Z in µs. */
const T0 = 1_704_067_200_000_000;

export const instrument = (symbol: string): Instrument => ({
  exchange: EX,
  symbol,
  kind: 'spot',
  base: 'TST',
  quote: 'USD',
  price: TEST_SCALE.price,
  qty: TEST_SCALE.qty,
  volumeUnit: 'base',
  source: 'config',
});

export function tr(
  symbol: string,
  id: TradeId,
  ts: number,
  price: number,
  qty: number,
  side: Side,
  extra: Partial<Trade> = {},
): Trade {
  return {
    exchange: EX,
    symbol,
    id,
    ts: micros(ts),
    price: ticks(price),
    qty: lots(qty),
    side,
    sideSource: 'exchange',
    ...extra,
  };
}

// ---- Independent reference computations (deliberately not the code under test) ----

function byTsThenId(a: Trade, b: Trade): number {
  if (a.ts !== b.ts) return a.ts < b.ts ? -1 : 1;
  const an = typeof a.id === 'number';
  const bn = typeof b.id === 'number';
  if (an !== bn) return an ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function expectedRollups(trades: readonly Trade[]): MinuteRollup[] {
  const sorted = [...trades].sort(byTsThenId);
  const out: MinuteRollup[] = [];
  let i = 0;
  while (i < sorted.length) {
    const minute = Math.floor(sorted[i]!.ts / MIN) * MIN;
    let j = i;
    while (j < sorted.length && Math.floor(sorted[j]!.ts / MIN) * MIN === minute) j++;
    const group = sorted.slice(i, j);
    const first = group[0]!;
    const last = group[group.length - 1]!;
    const deltas: number[] = [];
    let d = 0;
    for (const t of group) {
      d += t.side * t.qty;
      deltas.push(d);
    }
    const ticksSeen = [...new Set(group.map((t) => t.price))].sort((a, b) => a - b);
    const sum = (f: (t: Trade) => number, g: Trade[] = group): number => g.reduce((s, t) => s + f(t), 0);
    const buys = group.filter((t) => t.side === 1);
    const sells = group.filter((t) => t.side === -1);
    out.push({
      minute,
      open: first.price,
      high: Math.max(...group.map((t) => t.price)),
      low: Math.min(...group.map((t) => t.price)),
      close: last.price,
      firstTs: first.ts,
      firstId: first.id,
      lastTs: last.ts,
      lastId: last.id,
      buy: sum((t) => t.qty, buys),
      sell: sum((t) => t.qty, sells),
      buyTrades: sum((t) => t.count ?? 1, buys),
      sellTrades: sum((t) => t.count ?? 1, sells),
      minDelta: Math.min(...deltas),
      maxDelta: Math.max(...deltas),
      cells: ticksSeen.map((tick) => {
        const at = group.filter((t) => t.price === tick);
        const b = at.filter((t) => t.side === 1);
        const s = at.filter((t) => t.side === -1);
        return {
          tick,
          buy: sum((t) => t.qty, b),
          sell: sum((t) => t.qty, s),
          buyTrades: sum((t) => t.count ?? 1, b),
          sellTrades: sum((t) => t.count ?? 1, s),
        };
      }),
    });
    i = j;
  }
  return out;
}

// ---- Random trades ----

const uuidLike = (n: number): string =>
  `${n.toString(16).padStart(8, '0')}-5e1f-4c2a-9b3d-${(n * 7919).toString(16).padStart(12, '0')}`;

/** Random trades over ~12 minutes with many equal timestamps; ids a permutation so id order ≠ arrival order. */
const tradesArb = (symbol: string, stringIds: boolean) =>
  fc
    .array(
      fc.record({
        sec: fc.integer({ min: 0, max: 12 * 60 }),
        sub: fc.constantFrom(0, 0, 1, 999_999),
        price: fc.integer({ min: 10_000, max: 10_030 }),
        qty: fc.integer({ min: 1, max: 40 }),
        side: fc.constantFrom<Side>(1, -1),
        count: fc.constantFrom<number | undefined>(undefined, undefined, 1, 3),
        key: fc.integer({ min: 0, max: 1_000_000 }),
      }),
      { minLength: 1, maxLength: 120 },
    )
    .map((rows) => {
      // Arrival order is the generated order; ids are the rank of a random key.
      const rank = new Array<number>(rows.length);
      rows
        .map((r, i) => ({ key: r.key, i }))
        .sort((a, b) => a.key - b.key || a.i - b.i)
        .forEach(({ i }, n) => (rank[i] = n));
      return rows.map((r, i) =>
        tr(
          symbol,
          stringIds ? uuidLike(rank[i]! + 1) : 1000 + rank[i]!,
          T0 + r.sec * 1_000_000 + r.sub,
          r.price,
          r.qty,
          r.side,
          {
            ...(r.count === undefined ? {} : { count: r.count }),
          },
        ),
      );
    });

/** Splits into consecutive chunks at the given cut points. */
function chunked<T>(xs: readonly T[], cuts: readonly number[]): T[][] {
  const points = [...new Set(cuts.map((c) => c % (xs.length + 1)))].sort((a, b) => a - b);
  const out: T[][] = [];
  let prev = 0;
  for (const p of [...points, xs.length]) {
    if (p > prev) out.push(xs.slice(prev, p));
    prev = Math.max(prev, p);
  }
  return out;
}

export function storeContract(name: string, makeFixture: () => Promise<StoreFixture>, runs = 25): void {
  describe(`TradeStore contract: ${name}`, () => {
    let fx: StoreFixture;
    let store: TradeStore;
    let sym = 0;
    /** A fresh instrument per property run keeps one store for the whole property. */
    const freshSymbol = async (): Promise<string> => {
      const s = `R${++sym}`;
      await store.upsertInstrument(instrument(s));
      return s;
    };

    beforeEach(async () => {
      fx = await makeFixture();
      store = fx.store;
      await store.upsertInstrument(instrument('A'));
    });
    afterEach(async () => {
      await fx.dispose();
    });

    it('keeps instruments and refuses a new scale once trades exist', async () => {
      const a = instrument('A');
      assert.deepEqual(await store.getInstrument(EX, 'A'), a);
      assert.equal(await store.getInstrument(EX, 'NOPE'), undefined);
      const b = {
        ...instrument('B'),
        kind: 'inverse' as const,
        volumeUnit: 'contracts' as const,
        contractMultiplier: '100',
      };
      await store.upsertInstrument(b);
      assert.deepEqual(await store.listInstruments(), [a, b]);
      // No trades yet: the increments may still change.
      const finer = { ...a, price: { mantissa: 1, decimals: 3 } };
      await store.upsertInstrument(finer);
      assert.deepEqual(await store.getInstrument(EX, 'A'), finer);
      await store.insertTrades(EX, 'A', [tr('A', 1, T0, 100, 1, 1)]);
      await assert.rejects(store.upsertInstrument(a), { code: 'SCALE_CHANGED' });
      // Same scale, other metadata: fine.
      await store.upsertInstrument({ ...finer, base: 'XYZ' });
      assert.equal((await store.getInstrument(EX, 'A'))?.base, 'XYZ');
    });

    it('refuses trades of unknown instruments, of another instrument, and invalid trades, storing nothing', async () => {
      await assert.rejects(store.insertTrades(EX, 'NOPE', [tr('NOPE', 1, T0, 1, 1, 1)]), {
        code: 'UNKNOWN_INSTRUMENT',
      });
      await assert.rejects(store.insertTrades(EX, 'A', [tr('A', 1, T0, 1, 1, 1), tr('B', 2, T0, 1, 1, 1)]), {
        code: 'INSTRUMENT_MISMATCH',
      });
      for (const bad of [
        tr('A', 3, T0, 1, 0, 1),
        tr('A', 3, T0, 1, 1.5, 1),
        tr('A', 3, T0 + 0.5, 1, 1, 1),
        tr('A', 3, T0, 1, 1, 0 as Side),
        tr('A', '', T0, 1, 1, 1),
        tr('A', 3, T0, 1, 1, 1, { count: 0 }),
      ]) {
        await assert.rejects(store.insertTrades(EX, 'A', [tr('A', 2, T0, 1, 1, 1), bad]), {
          code: 'INVALID_TRADE',
        });
      }
      assert.deepEqual(await store.readTrades(EX, 'A', 0, Infinity), []);
      assert.deepEqual(await store.readMinuteRollups(EX, 'A', 0, Infinity), []);
    });

    it('round-trips every field of a trade', async () => {
      const ts = [
        tr('A', 7, T0 + 5, 123, 4, -1, { sideSource: 'tick-rule', count: 12, recvTs: micros(T0 + 900) }),
        tr('A', 8, T0 + 6, 124, 5, 1),
        tr('A', 2 ** 52, T0 + 7, 2 ** 40, 2 ** 45, 1),
      ];
      assert.deepEqual(await store.insertTrades(EX, 'A', ts), { inserted: 3, duplicates: 0 });
      assert.deepEqual(await store.readTrades(EX, 'A', 0, Infinity), ts);
    });

    it('stores the same batch once (inserted / duplicates counts), also when repeated inside the batch', async () => {
      const batch = [
        tr('A', 1, T0, 100, 5, 1),
        tr('A', 2, T0 + 1, 101, 3, -1),
        tr('A', 3, T0 + MIN, 99, 2, 1),
      ];
      assert.deepEqual(await store.insertTrades(EX, 'A', batch), { inserted: 3, duplicates: 0 });
      const rollups = await store.readMinuteRollups(EX, 'A', 0, Infinity);
      assert.deepEqual(await store.insertTrades(EX, 'A', batch), { inserted: 0, duplicates: 3 });
      assert.deepEqual(await store.readTrades(EX, 'A', 0, Infinity), batch);
      assert.deepEqual(await store.readMinuteRollups(EX, 'A', 0, Infinity), rollups);
      // Inside one batch the first occurrence wins, even if a later copy differs.
      const within = [
        tr('A', 10, T0 + 10, 100, 1, 1),
        tr('A', 10, T0 + 11, 200, 9, -1),
        tr('A', 11, T0 + 12, 100, 1, 1),
        tr('A', 11, T0 + 12, 100, 1, 1),
      ];
      assert.deepEqual(await store.insertTrades(EX, 'A', within), { inserted: 2, duplicates: 2 });
      const stored = await store.readTrades(EX, 'A', T0 + 10, T0 + 13);
      assert.deepEqual(stored, [within[0], within[2]]);
      assert.deepEqual(
        await store.readMinuteRollups(EX, 'A', 0, Infinity),
        expectedRollups(await store.readTrades(EX, 'A', 0, Infinity)),
      );
      assert.deepEqual(await store.insertTrades(EX, 'A', []), { inserted: 0, duplicates: 0 });
    });

    it('counts overlapping and concurrent batches once', async () => {
      const all = Array.from({ length: 100 }, (_, i) =>
        tr('A', i + 1, T0 + i * 1_000_000, 100 + (i % 7), 1 + (i % 5), i % 3 === 0 ? -1 : 1),
      );
      assert.deepEqual(await store.insertTrades(EX, 'A', all.slice(0, 60)), { inserted: 60, duplicates: 0 });
      assert.deepEqual(await store.insertTrades(EX, 'A', all.slice(40, 100)), {
        inserted: 40,
        duplicates: 20,
      });
      const s2 = await freshSymbol();
      const again = all.map((t) => ({ ...t, symbol: s2 }));
      const results = await Promise.all([
        store.insertTrades(EX, s2, again.slice(0, 70)),
        store.insertTrades(EX, s2, again.slice(30, 100)),
        store.insertTrades(EX, s2, again.slice(10, 90)),
        store.insertTrades(EX, s2, again),
      ]);
      assert.equal(
        results.reduce((s, r) => s + r.inserted, 0),
        100,
      );
      assert.equal(
        results.reduce((s, r) => s + r.duplicates, 0),
        70 + 70 + 80 + 100 - 100,
      );
      assert.deepEqual(await store.readTrades(EX, s2, 0, Infinity), again);
      assert.deepEqual(await store.readMinuteRollups(EX, s2, 0, Infinity), expectedRollups(again));
    });

    it('reads in (ts, id) order within [from, to)', async () => {
      // Shuffled arrival; equal timestamps are ordered by id (9 < 10 numerically, not as text).
      const a = tr('A', 10, T0 + 5, 100, 1, 1);
      const b = tr('A', 9, T0 + 5, 101, 1, -1);
      const c = tr('A', 3, T0 + 4, 102, 1, 1);
      const d = tr('A', 1, T0 + 9, 103, 1, 1);
      const e = tr('A', 2, T0 + 10, 104, 1, 1);
      await store.insertTrades(EX, 'A', [a, e, d]);
      await store.insertTrades(EX, 'A', [b, c]);
      assert.deepEqual(await store.readTrades(EX, 'A', 0, Infinity), [c, b, a, d, e]);
      // [from, to): from is included, to is not.
      assert.deepEqual(await store.readTrades(EX, 'A', T0 + 5, T0 + 10), [b, a, d]);
      assert.deepEqual(await store.readTrades(EX, 'A', T0 + 5, T0 + 5), []);
      assert.deepEqual(await store.readTrades(EX, 'A', T0 + 4.5, T0 + 9.5), [b, a, d]);
    });

    it('iterates big ranges in batches that concatenate to readTrades', async () => {
      const all = Array.from({ length: 257 }, (_, i) =>
        tr('A', 1000 - i, T0 + Math.floor(i / 4) * 1000, 100 + (i % 9), 1, i % 2 ? 1 : -1),
      );
      await store.insertTrades(EX, 'A', all);
      const batches: Trade[][] = [];
      for await (const batch of store.iterateTrades(EX, 'A', T0 + 1000, T0 + 60_000, 50)) batches.push(batch);
      assert.ok(batches.every((b) => b.length > 0 && b.length <= 50));
      assert.deepEqual(batches.flat(), await store.readTrades(EX, 'A', T0 + 1000, T0 + 60_000));
      assert.equal(batches.flat().length, 4 * 59);
    });

    it('rolls a minute up as worked by hand', async () => {
      // Minute T0 (ids in (ts, id) order): #1 buy 5 @100, #2 sell 8 @101, #3 sell 1 @100 (count 3), #4 buy 6 @102.
      // Running delta: +5, −3, −4, +2 ⇒ min −4, max +5. open 100 (#1), close 102 (#4), high 102, low 100.
      // Cells: 100 buy 5 (1 trade) sell 1 (3 trades); 101 sell 8 (1); 102 buy 6 (1).
      // Minute T0+1m: one buy 2 @99 ⇒ delta +2, min = max = +2.
      const ts = [
        tr('A', 4, T0 + 30_000_000, 102, 6, 1),
        tr('A', 2, T0 + 10, 101, 8, -1),
        tr('A', 1, T0 + 10, 100, 5, 1),
        tr('A', 3, T0 + 20, 100, 1, -1, { count: 3 }),
        tr('A', 5, T0 + MIN + 59_999_999, 99, 2, 1),
      ];
      await store.insertTrades(EX, 'A', ts);
      const r = await store.readMinuteRollups(EX, 'A', T0, T0 + 2 * MIN);
      assert.deepEqual(r, [
        {
          minute: T0,
          open: 100,
          high: 102,
          low: 100,
          close: 102,
          firstTs: T0 + 10,
          firstId: 1,
          lastTs: T0 + 30_000_000,
          lastId: 4,
          buy: 11,
          sell: 9,
          buyTrades: 2,
          sellTrades: 4,
          minDelta: -4,
          maxDelta: 5,
          cells: [
            { tick: 100, buy: 5, sell: 1, buyTrades: 1, sellTrades: 3 },
            { tick: 101, buy: 0, sell: 8, buyTrades: 0, sellTrades: 1 },
            { tick: 102, buy: 6, sell: 0, buyTrades: 1, sellTrades: 0 },
          ],
        },
        {
          minute: T0 + MIN,
          open: 99,
          high: 99,
          low: 99,
          close: 99,
          firstTs: T0 + MIN + 59_999_999,
          firstId: 5,
          lastTs: T0 + MIN + 59_999_999,
          lastId: 5,
          buy: 2,
          sell: 0,
          buyTrades: 1,
          sellTrades: 0,
          minDelta: 2,
          maxDelta: 2,
          cells: [{ tick: 99, buy: 2, sell: 0, buyTrades: 1, sellTrades: 0 }],
        },
      ]);
      // Minute ranges are [from, to) on minute starts.
      assert.deepEqual(
        (await store.readMinuteRollups(EX, 'A', T0 + 1, T0 + 2 * MIN)).map((m) => m.minute),
        [T0 + MIN],
      );
      assert.deepEqual(
        (await store.readMinuteRollups(EX, 'A', T0, T0 + MIN)).map((m) => m.minute),
        [T0],
      );
    });

    it('updates an old minute when a late trade arrives (before, inside and after its trades)', async () => {
      // Stored: buy 5 @100 (t=10), sell 2 @101 (t=20) ⇒ deltas +5, +3: min 3, max 5, open 100, close 101.
      await store.insertTrades(EX, 'A', [tr('A', 10, T0 + 10, 100, 5, 1), tr('A', 20, T0 + 20, 101, 2, -1)]);
      await store.insertTrades(EX, 'A', [tr('A', 30, T0 + 2 * MIN, 100, 1, 1)]);
      // Late, earliest: sell 7 @98 at t=5 ⇒ deltas −7, −2, −4: min −7, max −2, open 98, low 98.
      await store.insertTrades(EX, 'A', [tr('A', 5, T0 + 5, 98, 7, -1)]);
      let [m] = await store.readMinuteRollups(EX, 'A', T0, T0 + MIN);
      assert.deepEqual(
        [m?.open, m?.low, m?.close, m?.minDelta, m?.maxDelta, m?.firstId, m?.lastId],
        [98, 98, 101, -7, -2, 5, 20],
      );
      // Late, in the middle at an equal ts with a smaller id: buy 20 @103 (ts 20, id 15) before id 20.
      // Order: −7, +5, +20, −2 ⇒ running −7, −2, +18, +16: min −7, max 18; close still 101 (id 20).
      await store.insertTrades(EX, 'A', [tr('A', 15, T0 + 20, 103, 20, 1)]);
      [m] = await store.readMinuteRollups(EX, 'A', T0, T0 + MIN);
      assert.deepEqual([m?.high, m?.close, m?.minDelta, m?.maxDelta, m?.lastId], [103, 101, -7, 18, 20]);
      // After the stored trades (appended to the minute): sell 30 @99 at t=59s ⇒ running −14: min −14, close 99.
      await store.insertTrades(EX, 'A', [tr('A', 40, T0 + 59_000_000, 99, 30, -1)]);
      [m] = await store.readMinuteRollups(EX, 'A', T0, T0 + MIN);
      assert.deepEqual([m?.close, m?.minDelta, m?.maxDelta, m?.lastId, m?.sell], [99, -14, 18, 40, 39]);
      const all = await store.readTrades(EX, 'A', 0, Infinity);
      assert.deepEqual(await store.readMinuteRollups(EX, 'A', 0, Infinity), expectedRollups(all));
    });

    it('keeps rollups equal to an independent recomputation under random chunked, late and repeated inserts', async () => {
      await fc.assert(
        fc.asyncProperty(
          tradesArb('X', false),
          fc.array(fc.nat(), { maxLength: 5 }),
          fc.boolean(),
          async (trades, cuts, repeat) => {
            const s = await freshSymbol();
            const own = trades.map((t) => ({ ...t, symbol: s }));
            let inserted = 0;
            for (const chunk of chunked(own, cuts)) {
              inserted += (await store.insertTrades(EX, s, chunk)).inserted;
              if (repeat) assert.equal((await store.insertTrades(EX, s, chunk)).inserted, 0);
            }
            assert.equal(inserted, own.length);
            assert.deepEqual(await store.readTrades(EX, s, 0, Infinity), [...own].sort(byTsThenId));
            assert.deepEqual(await store.readMinuteRollups(EX, s, 0, Infinity), expectedRollups(own));
          },
        ),
        { numRuns: runs },
      );
    });

    it('rebuilds TIME footprints from rollups exactly as the engine builds them from the trades', async () => {
      const settings = [
        { timePerRow: '1m', ticksPerRow: 1 },
        { timePerRow: '2m', ticksPerRow: 3 },
        { timePerRow: '5m', ticksPerRow: 7 },
        { timePerRow: '1h', ticksPerRow: 2 },
      ];
      await fc.assert(
        fc.asyncProperty(
          tradesArb('X', false),
          fc.boolean(),
          fc.array(fc.nat(), { maxLength: 4 }),
          async (trades, stringIds, cuts) => {
            const s = await freshSymbol();
            const own = trades.map((t, i) => ({
              ...t,
              symbol: s,
              ...(stringIds ? { id: uuidLike(i * 31 + 7) } : {}),
            }));
            for (const chunk of chunked(own, cuts)) await store.insertTrades(EX, s, chunk);
            const rollups = await store.readMinuteRollups(EX, s, 0, Infinity);
            // The engine orders equal timestamps by numeric id and keeps arrival order otherwise: give it the
            // store's canonical order.
            const canonical = [...own].sort(byTsThenId);
            for (const cfg of settings) {
              const p = params(cfg);
              assert.deepEqual(
                footprintFromRollups(rollups, p),
                buildFootprint(canonical, p),
                JSON.stringify(cfg),
              );
            }
          },
        ),
        { numRuns: runs },
      );
    });

    it('reports counts, time and id ranges and id gaps', async () => {
      // ids 1..10 without 4, 5 and 8 ⇒ gaps [4, 5] and [8, 8]: 2 ranges, 3 missing ids.
      const ids = [1, 2, 3, 6, 7, 9, 10];
      await store.insertTrades(
        EX,
        'A',
        ids.map((id) => tr('A', id, T0 + id * 1000, 100, 1, 1, id === 9 ? { count: 4 } : {})),
      );
      const uuid = await freshSymbol();
      await store.insertTrades(EX, uuid, [
        tr(uuid, 'b-2', T0 + 1, 1, 1, 1),
        tr(uuid, 'a-1', T0 + 2, 1, 1, -1),
      ]);
      await store.upsertInstrument(instrument('EMPTY'));
      const stats = await store.stats();
      assert.deepEqual(stats, [
        {
          exchange: EX,
          symbol: 'A',
          count: 7,
          trades: 10,
          firstTs: T0 + 1000,
          lastTs: T0 + 10_000,
          minId: 1,
          maxId: 10,
          stringIds: 0,
          idGaps: {
            count: 2,
            missing: 3,
            ranges: [
              { from: 4, to: 5 },
              { from: 8, to: 8 },
            ],
          },
        },
        {
          exchange: EX,
          symbol: 'EMPTY',
          count: 0,
          trades: 0,
          firstTs: null,
          lastTs: null,
          minId: null,
          maxId: null,
          stringIds: 0,
          idGaps: { count: 0, missing: 0, ranges: [] },
        },
        {
          exchange: EX,
          symbol: uuid,
          count: 2,
          trades: 2,
          firstTs: T0 + 1,
          lastTs: T0 + 2,
          minId: null,
          maxId: null,
          stringIds: 2,
          idGaps: { count: 0, missing: 0, ranges: [] },
        },
      ]);
      const limited = await store.stats({ maxGapRanges: 1 });
      assert.deepEqual(limited[0]?.idGaps, { count: 2, missing: 3, ranges: [{ from: 4, to: 5 }] });
    });

    it('dedupes and orders string ids (UUIDs) and keeps 5 and "5" apart', async () => {
      const u1 = '0b3c1f9e-1111-4a2b-8c3d-000000000001';
      const u2 = '7f00aa00-2222-4a2b-8c3d-000000000002';
      const u3 = 'e1d2c3b4-3333-4a2b-8c3d-000000000003';
      const a = tr('A', u3, T0 + 7, 100, 1, 1);
      const b = tr('A', u1, T0 + 7, 101, 2, -1);
      const c = tr('A', u2, T0 + 3, 102, 3, 1);
      assert.deepEqual(await store.insertTrades(EX, 'A', [a, b, a]), { inserted: 2, duplicates: 1 });
      assert.deepEqual(await store.insertTrades(EX, 'A', [c, b]), { inserted: 1, duplicates: 1 });
      assert.deepEqual(await store.readTrades(EX, 'A', 0, Infinity), [c, b, a]);
      const n5 = tr('A', 5, T0 + 7, 100, 1, 1);
      const s5 = tr('A', '5', T0 + 7, 100, 1, 1);
      assert.deepEqual(await store.insertTrades(EX, 'A', [s5, n5, n5]), { inserted: 2, duplicates: 1 });
      // At equal ts numeric ids come first, then strings in code-unit order ('0b…' < '5' < 'e1…').
      assert.deepEqual(await store.readTrades(EX, 'A', T0 + 7, T0 + 8), [n5, b, s5, a]);
      const [m] = await store.readMinuteRollups(EX, 'A', 0, Infinity);
      assert.deepEqual([m?.firstId, m?.lastId], [u2, u3]);
    });

    it('keeps its data across close and re-open', async (t) => {
      if (fx.reopen === undefined) {
        t.skip('not a persistent store');
        return;
      }
      const batch = [tr('A', 1, T0, 100, 5, 1), tr('A', 2, T0 + MIN, 101, 3, -1)];
      await store.insertTrades(EX, 'A', batch);
      const before = await store.readMinuteRollups(EX, 'A', 0, Infinity);
      store = await fx.reopen();
      assert.deepEqual(await store.getInstrument(EX, 'A'), instrument('A'));
      assert.deepEqual(await store.readTrades(EX, 'A', 0, Infinity), batch);
      assert.deepEqual(await store.readMinuteRollups(EX, 'A', 0, Infinity), before);
      assert.deepEqual(await store.insertTrades(EX, 'A', batch), { inserted: 0, duplicates: 2 });
      assert.deepEqual(await store.insertTrades(EX, 'A', [tr('A', 3, T0 + 2, 99, 1, -1)]), {
        inserted: 1,
        duplicates: 0,
      });
      assert.equal((await store.stats())[0]?.count, 3);
    });
  });
}

export { expectedRollups, byTsThenId };
