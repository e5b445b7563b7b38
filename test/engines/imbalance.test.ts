// Cell imbalances and stacked-imbalance zones: hand-worked cases for every rule, and random bars checked against
// a brute-force recomputation from the raw trades; the incremental tracker against the batch function.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { OrderFlowConfigInput } from '../../src/core/config.ts';
import type { ImbalanceParams } from '../../src/core/params.ts';
import type { Trade } from '../../src/core/trade.ts';
import { US_PER_MINUTE } from '../../src/core/time.ts';
import { buildFootprint, FootprintEngine, type FootprintBar } from '../../src/engines/footprint.ts';
import {
  barStackedZones,
  cellImbalances,
  stackedImbalanceZones,
  StackedZoneTracker,
  type ImbalanceZone,
} from '../../src/engines/imbalance.ts';
import { mkBar, params, trade } from '../helpers.ts';

const M = US_PER_MINUTE;

const imb = (cfg: OrderFlowConfigInput = {}): ImbalanceParams => params(cfg).imbalance;

/** [row, buyImbalance, sellImbalance] triples, easier to read in assertions. */
const flags = (bar: FootprintBar, p: ImbalanceParams): [number, boolean, boolean][] =>
  cellImbalances(bar, p).map((c) => [c.row, c.buyImbalance, c.sellImbalance]);

void test('diagonal: buy[r] vs sell[r−1], exactly 3× is an imbalance, just under is not', () => {
  const p = imb();
  // row 11: buy 6 ≥ 3·sell[10]=6 → buy imbalance (equality). row 12: buy 12 ≥ 3·sell[11]=12 → buy imbalance.
  // row 10: sell[9] missing → skip → none. Sells: 2 vs 3·buy[11]=18, 4 vs 3·12=36 → none; row 12: buy[13] missing.
  const bar = mkBar(0, [
    [10, 1, 2],
    [11, 6, 4],
    [12, 12, 1],
  ]);
  assert.deepEqual(flags(bar, p), [
    [10, false, false],
    [11, true, false],
    [12, true, false],
  ]);
  // buy 5 < 3·2 = 6 at row 11; buy 11 < 3·4 = 12 at row 12.
  const under = mkBar(0, [
    [10, 1, 2],
    [11, 5, 4],
    [12, 11, 1],
  ]);
  assert.deepEqual(flags(under, p), [
    [10, false, false],
    [11, false, false],
    [12, false, false],
  ]);
});

void test('diagonal: sell[r] vs buy[r+1], with the equality boundary', () => {
  const p = imb();
  // row 10: sell 9 ≥ 3·buy[11]=9 → sell imbalance; row 20: sell 8 < 3·buy[21]=9 → none.
  const bar = mkBar(0, [
    [10, 0, 9],
    [11, 3, 0],
    [20, 0, 8],
    [21, 3, 0],
  ]);
  assert.deepEqual(flags(bar, p), [
    [10, false, true],
    [11, false, false],
    [20, false, false],
    [21, false, false],
  ]);
});

void test('the ratio is ImbalanceThreshold / 100 and compared exactly', () => {
  // 150 % ⇒ 1.5×: buy 3 ≥ 1.5·2 = 3 → imbalance.
  assert.deepEqual(
    flags(
      mkBar(0, [
        [10, 0, 2],
        [11, 3, 0],
      ]),
      imb({ imbalanceThreshold: '150' }),
    )[1],
    [11, true, false],
  );
  // 250.5 % ⇒ 2.505×: 2505 ≥ 2.505·1000 (equal) → yes; 2504 → no.
  const p = imb({ imbalanceThreshold: '250.5' });
  const at = (b: number): boolean =>
    cellImbalances(
      mkBar(0, [
        [10, 0, 1000],
        [11, b, 0],
      ]),
      p,
    )[1]!.buyImbalance;
  assert.equal(at(2505), true);
  assert.equal(at(2504), false);
  // 100 % ⇒ 1×: equal volumes are an imbalance.
  assert.equal(
    cellImbalances(
      mkBar(0, [
        [10, 0, 7],
        [11, 7, 0],
      ]),
      imb({ imbalanceThreshold: '100' }),
    )[1]!.buyImbalance,
    true,
  );
});

void test('zero policies for a missing or zero opposite cell', () => {
  // row 10: buy 2 sell 0; row 11: buy 1 sell 3; row 12 untraded; row 13: buy 4 sell 7.
  const bar = mkBar(0, [
    [10, 2, 0],
    [11, 1, 3],
    [13, 4, 7],
  ]);
  // Opposites: buy@10 vs sell@9 (missing), buy@11 vs sell@10 = 0, buy@13 vs sell@12 (missing);
  // sell@10 is 0 (never), sell@11 vs buy@12 (missing), sell@13 vs buy@14 (missing).
  // skip: every comparison against a zero opposite fails.
  assert.deepEqual(flags(bar, imb({ zeroPolicy: 'skip' })), [
    [10, false, false],
    [11, false, false],
    [13, false, false],
  ]);
  // one (oneLot = 1 lot): buy 2 < 3, buy 1 < 3, buy 4 ≥ 3; sell 3 ≥ 3, sell 7 ≥ 3.
  assert.deepEqual(flags(bar, imb({ zeroPolicy: 'one' })), [
    [10, false, false],
    [11, false, true],
    [13, true, true],
  ]);
  // infinite: every positive side facing zero is imbalanced; a zero side never is.
  assert.deepEqual(flags(bar, imb({ zeroPolicy: 'infinite' })), [
    [10, true, false],
    [11, true, true],
    [13, true, true],
  ]);
  // infinite still applies the minimum: min 3 lots keeps only buy 4, sell 3 and sell 7.
  assert.deepEqual(flags(bar, imb({ zeroPolicy: 'infinite', imbalanceMinVolume: '0.003' })), [
    [10, false, false],
    [11, false, true],
    [13, true, true],
  ]);
  // one with a coarser instrument step (oneLot = 10 lots): needs ≥ 30.
  const coarse: ImbalanceParams = { ...imb({ zeroPolicy: 'one' }), oneLot: 10 };
  const at = (b: number): boolean =>
    cellImbalances(
      mkBar(0, [
        [10, 0, 5],
        [12, b, 0],
      ]),
      coarse,
    )[1]!.buyImbalance;
  assert.equal(at(30), true);
  assert.equal(at(29), false);
});

void test('minimum volume: the dominant side must reach it (≥), beside the ratio', () => {
  const p = imb({ imbalanceMinVolume: '0.005' }); // 5 lots at lot 0.001
  assert.equal(p.minLots, 5);
  const at = (b: number): boolean =>
    cellImbalances(
      mkBar(0, [
        [10, 0, 1],
        [11, b, 0],
      ]),
      p,
    )[1]!.buyImbalance;
  assert.equal(at(5), true); // 5 ≥ 3·1 and 5 ≥ 5
  assert.equal(at(4), false); // 4 ≥ 3·1 but 4 < 5
});

void test('horizontal mode compares the two sides of the same row', () => {
  const bar = mkBar(0, [
    [10, 6, 2], // buy 6 ≥ 3·2 → buy; sell 2 < 18
    [11, 1, 3], // sell 3 ≥ 3·1 → sell
    [12, 5, 0], // buy 5 against 0: policy decides
    [13, 5, 2], // 5 < 6 → none
  ]);
  assert.deepEqual(flags(bar, imb({ imbalanceMode: 'horizontal' })), [
    [10, true, false],
    [11, false, true],
    [12, false, false],
    [13, false, false],
  ]);
  assert.deepEqual(flags(bar, imb({ imbalanceMode: 'horizontal', zeroPolicy: 'infinite' }))[2], [
    12,
    true,
    false,
  ]);
});

void test('disabled detection flags nothing and finds no zones', () => {
  const p = imb({ enableImbalanceDetection: false, zeroPolicy: 'infinite' });
  const bar = mkBar(0, [
    [10, 3, 0],
    [11, 3, 0],
    [12, 3, 0],
  ]);
  assert.ok(cellImbalances(bar, p).every((c) => !c.buyImbalance && !c.sellImbalance));
  assert.deepEqual(stackedImbalanceZones([bar], p), []);
});

// Horizontal mode makes each row's flag depend on that row only, which keeps the run tests readable.
const H = imb({ imbalanceMode: 'horizontal' });
const BUY_ROW = [3, 1] as const; // buy 3 ≥ 3·1
const SELL_ROW = [1, 3] as const;
const FLAT_ROW = [2, 2] as const;
const rowsOf = (start: number, spec: Record<number, readonly [number, number]>): FootprintBar =>
  mkBar(
    start,
    Object.entries(spec).map(([r, [b, s]]) => [Number(r), b, s] as const),
  );

void test('a stack needs stackCount consecutive rows: exactly 3 is a zone, 2 is not, a gap breaks the run', () => {
  const exactly = rowsOf(0, { 10: BUY_ROW, 11: BUY_ROW, 12: BUY_ROW, 13: FLAT_ROW });
  assert.deepEqual(stackedImbalanceZones([exactly], H), [
    { side: 'buy', lowRow: 10, highRow: 12, rows: 3, barStart: 0, active: true },
  ]);
  const two = rowsOf(0, { 10: BUY_ROW, 11: BUY_ROW, 12: FLAT_ROW, 13: BUY_ROW });
  assert.deepEqual(stackedImbalanceZones([two], H), []);
  // Rows 10, 11, 13, 14: the untraded row 12 splits them into two runs of 2.
  const gap = rowsOf(0, { 10: BUY_ROW, 11: BUY_ROW, 13: BUY_ROW, 14: BUY_ROW });
  assert.deepEqual(stackedImbalanceZones([gap], H), []);
  // stackCount 2 turns the same rows into two zones.
  assert.deepEqual(
    stackedImbalanceZones([gap], { ...H, stackCount: 2 }).map((z) => [z.lowRow, z.highRow]),
    [
      [10, 11],
      [13, 14],
    ],
  );
});

void test('a maximal run is one zone; sides are separate; zones ordered by row then buy first', () => {
  const bar = rowsOf(5 * M, {
    1: SELL_ROW,
    2: SELL_ROW,
    3: SELL_ROW,
    4: FLAT_ROW,
    10: BUY_ROW,
    11: BUY_ROW,
    12: BUY_ROW,
    13: BUY_ROW,
    14: BUY_ROW,
  });
  assert.deepEqual(stackedImbalanceZones([bar], H), [
    { side: 'sell', lowRow: 1, highRow: 3, rows: 3, barStart: 5 * M, active: true },
    { side: 'buy', lowRow: 10, highRow: 14, rows: 5, barStart: 5 * M, active: true },
  ]);
  assert.deepEqual(barStackedZones(bar, H), stackedImbalanceZones([bar], H));
  // A row imbalanced on both sides (diagonal, infinite policy, one-sided rows) can sit in a buy and a sell zone;
  // at equal low rows the buy zone comes first.
  const both = mkBar(0, [
    [10, 1, 1],
    [11, 1, 1],
    [12, 1, 1],
  ]);
  const p = { ...imb({ zeroPolicy: 'infinite', imbalanceThreshold: '100' }) };
  // buy@r vs sell@r−1: 1 ≥ 1 (rows 11, 12) and row 10 faces nothing (infinite) → buy 10–12;
  // sell@r vs buy@r+1: rows 10, 11 by 1 ≥ 1, row 12 faces nothing → sell 10–12.
  assert.deepEqual(
    stackedImbalanceZones([both], p).map((z) => [z.side, z.lowRow, z.highRow]),
    [
      ['buy', 10, 12],
      ['sell', 10, 12],
    ],
  );
});

void test('diagonal stacked zone from a hand-worked bar', () => {
  // Each row buy 3, sell 1: buy@r ≥ 3·sell@(r−1) = 3 for rows 11..13; row 10 faces a missing row (skip).
  // Sells: 1 < 3·3. ⇒ one buy zone 11–13.
  const bar = mkBar(0, [
    [10, 3, 1],
    [11, 3, 1],
    [12, 3, 1],
    [13, 3, 1],
  ]);
  assert.deepEqual(stackedImbalanceZones([bar], imb()), [
    { side: 'buy', lowRow: 11, highRow: 13, rows: 3, barStart: 0, active: true },
  ]);
});

void test('a zone stays active until a later bar trades inside it; jumping over it or trading next to it is no touch', () => {
  const zoneBar = rowsOf(0, { 11: BUY_ROW, 12: BUY_ROW, 13: BUY_ROW });
  const jump = mkBar(M, [
    [8, 1, 1],
    [16, 1, 1],
  ]); // its range 8–16 covers the zone, no trade inside
  const beside = mkBar(2 * M, [
    [10, 1, 1],
    [14, 1, 1],
  ]); // the rows just outside
  const inside = mkBar(3 * M, [[13, 0, 1]]); // the zone's top row
  const again = mkBar(4 * M, [[12, 1, 0]]);
  const z = (bars: FootprintBar[]): ImbalanceZone[] => stackedImbalanceZones(bars, H);
  assert.equal(z([zoneBar, jump, beside])[0]!.active, true);
  assert.deepEqual(z([zoneBar, jump, beside, inside, again])[0], {
    side: 'buy',
    lowRow: 11,
    highRow: 13,
    rows: 3,
    barStart: 0,
    active: false,
    touchedAt: 3 * M,
  });
  // The lowest row touches as well.
  assert.equal(z([zoneBar, mkBar(M, [[11, 1, 0]])])[0]!.touchedAt, M);
});

void test('zones match a brute-force recomputation from the raw trades on random bars', () => {
  fc.assert(
    fc.property(randomCase(), ({ cfg, trades }) => {
      const p = params(cfg);
      const bars = buildFootprint(trades, p);
      const expected = bruteForce(trades, p.rowTicks, p.imbalance);
      assert.equal(bars.length, expected.bars.length);
      bars.forEach((bar, i) => assert.deepEqual(flags(bar, p.imbalance), expected.bars[i]!.flags));
      assert.deepEqual(stackedImbalanceZones(bars, p.imbalance), expected.zones);
    }),
    { numRuns: 300 },
  );
});

void test('the tracker equals the batch function: bars fed once, re-fed as they grow, shuffled, and after dropBefore', () => {
  fc.assert(
    fc.property(
      randomCase(),
      fc.integer({ min: 1, max: 20 }),
      fc.integer({ min: 0, max: 6 }),
      ({ cfg, trades }, chunk, cut) => {
        const p = params(cfg);
        const bars = buildFootprint(trades, p);
        const batch = stackedImbalanceZones(bars, p.imbalance);
        const active = batch.filter((z) => z.active);

        // 1. Each final bar once, in order.
        const once = new StackedZoneTracker(p.imbalance);
        for (const b of bars) once.update(b);
        assert.deepEqual(once.zones(), batch);
        assert.deepEqual(once.activeZones(), active);

        // 2. Live: trades applied in chunks, every bar re-fed after each chunk (bars grow, zones come and go).
        const live = new StackedZoneTracker(p.imbalance);
        const engine = new FootprintEngine(p);
        const sorted = [...trades].sort((a, b) => a.ts - b.ts);
        for (let i = 0; i < sorted.length; i += chunk) {
          const part = sorted.slice(i, i + chunk);
          engine.applyBatch(part);
          const now = engine.getBars();
          // Re-feed the bars the chunk changed (from its first trade's bar on), as the service would.
          const from = Math.floor(part[0]!.ts / M) * M;
          for (const b of now) if (b.start >= from) live.update(b);
          assert.deepEqual(live.zones(), stackedImbalanceZones(now, p.imbalance));
        }
        assert.deepEqual(live.activeZones(), active);

        // 3. Out of order: bars fed in a rotated order, the first ones fed twice.
        const rotated = new StackedZoneTracker(p.imbalance);
        const k = bars.length === 0 ? 0 : cut % bars.length;
        for (const b of [...bars.slice(k), ...bars.slice(0, k), ...bars.slice(0, 2)]) rotated.update(b);
        assert.deepEqual(rotated.zones(), batch);
        assert.deepEqual(rotated.activeZones(), active);

        // 4. A window: activeZones(since) and dropBefore(since).
        const since = cut * M;
        assert.deepEqual(
          once.activeZones(since),
          active.filter((z) => z.barStart >= since),
        );
        once.dropBefore(since);
        assert.deepEqual(
          once.zones(),
          batch.filter((z) => z.barStart >= since),
        );
        assert.deepEqual(
          once.activeZones(),
          active.filter((z) => z.barStart >= since),
        );
      },
    ),
    { numRuns: 200 },
  );
});

void test('the tracker re-decides a touch when the touching bar is replaced by one that no longer touches', () => {
  const tr = new StackedZoneTracker(H);
  const zoneBar = rowsOf(0, { 11: BUY_ROW, 12: BUY_ROW, 13: BUY_ROW });
  tr.update(zoneBar);
  tr.update(mkBar(M, [[12, 1, 0]]));
  tr.update(mkBar(2 * M, [[20, 1, 0]]));
  assert.equal(tr.zones()[0]!.touchedAt, M);
  // The bar at M is replaced (e.g. rebuilt after a late trade) with cells outside the zone.
  tr.update(mkBar(M, [[30, 1, 0]]));
  assert.deepEqual(tr.activeZones().length, 1);
  tr.update(mkBar(3 * M, [[11, 0, 1]]));
  assert.equal(tr.zones()[0]!.touchedAt, 3 * M);
  assert.deepEqual(tr.activeZones(), []);
  // A bar inserted earlier than the touching one takes over the touch.
  tr.update(mkBar(2 * M, [[13, 0, 1]]));
  assert.equal(tr.zones()[0]!.touchedAt, 2 * M);
  // The returned zones of an update are that bar's zones.
  assert.deepEqual(tr.update(rowsOf(10 * M, { 1: SELL_ROW, 2: SELL_ROW, 3: SELL_ROW })), [
    { side: 'sell', lowRow: 1, highRow: 3, rows: 3, barStart: 10 * M, active: true },
  ]);
});

// ---------- random cases and the brute force ----------

interface Case {
  cfg: OrderFlowConfigInput;
  trades: Trade[];
}

function randomCase(): fc.Arbitrary<Case> {
  const cfg = fc.record({
    imbalanceMode: fc.constantFrom('diagonal' as const, 'horizontal' as const),
    zeroPolicy: fc.constantFrom('skip' as const, 'one' as const, 'infinite' as const),
    imbalanceThreshold: fc.constantFrom('100', '150', '200', '300', '250.5'),
    imbalanceMinVolume: fc.constantFrom('0', '0.002', '0.005'),
    stackCount: fc.integer({ min: 2, max: 4 }),
    ticksPerRow: fc.integer({ min: 1, max: 3 }),
  });
  const tr = fc.record({
    ts: fc.integer({ min: 0, max: 6 * M - 1 }),
    price: fc.integer({ min: 1000, max: 1015 }),
    qty: fc.integer({ min: 1, max: 12 }),
    buy: fc.boolean(),
  });
  return fc.record({ cfg, raw: fc.array(tr, { maxLength: 120, size: 'max' }) }).map(({ cfg, raw }) => ({
    cfg,
    trades: raw.map((t) => trade(t.ts, t.price, t.qty, t.buy ? 1 : -1)),
  }));
}

interface BruteBar {
  start: number;
  flags: [number, boolean, boolean][];
}

/** Straight from the definitions: group the trades by minute and row, flag rows, walk runs, look for touches. */
function bruteForce(trades: readonly Trade[], rowTicks: number, p: ImbalanceParams) {
  const byBar = new Map<number, Map<number, { buy: number; sell: number }>>();
  for (const t of trades) {
    const start = Math.floor(t.ts / M) * M;
    const row = Math.floor(t.price / rowTicks);
    const rows = byBar.get(start) ?? new Map<number, { buy: number; sell: number }>();
    byBar.set(start, rows);
    const v = rows.get(row) ?? { buy: 0, sell: 0 };
    rows.set(row, v);
    if (t.side === 1) v.buy += t.qty;
    else v.sell += t.qty;
  }
  const starts = [...byBar.keys()].sort((a, b) => a - b);
  const imbalanced = (x: number, opp: number): boolean => {
    if (!p.enabled || x === 0 || x < p.minLots) return false;
    // x ≥ (num/den)·opp ⇔ x·den ≥ num·opp (all small integers here).
    if (opp !== 0) return x * p.ratio.den >= p.ratio.num * opp;
    if (p.zeroPolicy === 'skip') return false;
    if (p.zeroPolicy === 'one') return x * p.ratio.den >= p.ratio.num * p.oneLot;
    return true;
  };
  const bars: BruteBar[] = [];
  const zones: ImbalanceZone[] = [];
  starts.forEach((start, bi) => {
    const rows = byBar.get(start)!;
    const buy = (r: number): number => rows.get(r)?.buy ?? 0;
    const sell = (r: number): number => rows.get(r)?.sell ?? 0;
    const traded = [...rows.keys()].sort((a, b) => a - b);
    const f = traded.map((r): [number, boolean, boolean] => {
      const diag = p.mode === 'diagonal';
      return [
        r,
        imbalanced(buy(r), diag ? sell(r - 1) : sell(r)),
        imbalanced(sell(r), diag ? buy(r + 1) : buy(r)),
      ];
    });
    bars.push({ start, flags: f });
    const isOn = new Map(f.map(([r, b, s]) => [r, { buy: b, sell: s }]));
    const found: { side: 'buy' | 'sell'; low: number; high: number }[] = [];
    for (const side of ['buy', 'sell'] as const) {
      for (const r of traded) {
        // A run starts at r when r is on and r−1 is not; it extends while r+1, r+2, … are on.
        if (!isOn.get(r)![side] || isOn.get(r - 1)?.[side] === true) continue;
        let h = r;
        while (isOn.get(h + 1)?.[side] === true) h++;
        if (h - r + 1 >= p.stackCount) found.push({ side, low: r, high: h });
      }
    }
    found.sort((a, b) => a.low - b.low || (a.side === 'buy' ? -1 : 1));
    for (const z of found) {
      let touchedAt: number | undefined;
      for (const later of starts.slice(bi + 1)) {
        const laterRows = [...byBar.get(later)!.keys()];
        if (laterRows.some((r) => r >= z.low && r <= z.high)) {
          touchedAt = later;
          break;
        }
      }
      const base = {
        side: z.side,
        lowRow: z.low,
        highRow: z.high,
        rows: z.high - z.low + 1,
        barStart: start,
      };
      zones.push(touchedAt === undefined ? { ...base, active: true } : { ...base, active: false, touchedAt });
    }
  });
  return { bars, zones };
}
