// Volume profile: hand-worked value areas, POC ties, HVN/LVN, inefficiencies, and properties against independent
// straightforward recomputations (value area, nodes, thin runs, per-row sums) on random profiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { OrderFlowConfigInput } from '../../src/core/config.ts';
import type { Trade } from '../../src/core/trade.ts';
import { US_PER_MINUTE } from '../../src/core/time.ts';
import { buildFootprint } from '../../src/engines/footprint.ts';
import {
  buildProfile,
  computeProfile,
  ProfileAccumulator,
  type Profile,
  type ProfileRow,
} from '../../src/engines/profile.ts';
import { valueAreaSpan } from '../../src/engines/value-area.ts';
import { params, trade } from '../helpers.ts';

const T0 = Date.UTC(2024, 0, 1) * 1000;
const BASE = 100;

/** A profile whose dense rows BASE, BASE+1, … have the given volumes (split buy/sell by `buyShare`). */
function rowsOf(
  volumes: readonly number[],
  buyShare: (v: number, i: number) => number = (v) => v,
): ProfileRow[] {
  return volumes.map((v, i) => {
    const buy = buyShare(v, i);
    return { row: BASE + i, buy, sell: v - buy, buyTrades: buy > 0 ? 1 : 0, sellTrades: v - buy > 0 ? 1 : 0 };
  });
}

function profileOf(volumes: readonly number[], cfg: OrderFlowConfigInput = {}): Profile {
  return computeProfile(rowsOf(volumes), params(cfg));
}

/** Value-area rows as offsets from BASE: [VAL, VAH]. */
const vaOf = (pr: Profile): [number, number] => [pr.valRow! - BASE, pr.vahRow! - BASE];

// ---------------------------------------------------------------- value area, hand-worked

void test('cbot value area: larger pair wins, stops as soon as covered ≥ target', () => {
  // idx:      0  1  2  3   4   5  6  7  8     total 55, target 70 % = 38.5
  const v = [1, 2, 5, 8, 20, 10, 4, 3, 2];
  // POC idx4 (20). Pair above 5,6 = 14 vs below 3,2 = 13 → above: 34, VA 4..6.
  // Pair above 7,8 = 5 vs below 3,2 = 13 → below: 47 ≥ 38.5 → stop. VA 2..6, never rows 0,1,7,8.
  const pr = profileOf(v);
  assert.equal(pr.pocRow, BASE + 4);
  assert.deepEqual(vaOf(pr), [2, 6]);
  assert.equal(pr.valueAreaVolume, 47);
  assert.deepEqual(
    pr.levels.map((l) => l.isValueArea),
    [false, false, true, true, true, true, true, false, false],
  );
});

void test('single value area: one row at a time on the same profile', () => {
  const v = [1, 2, 5, 8, 20, 10, 4, 3, 2];
  // POC 20 → above 10 vs below 8: above (30, 4..5) → above 4 vs below 8: below (38 < 38.5, 3..5)
  // → above 4 vs below 5: below (43 ≥ 38.5) → VA 2..5.
  const pr = profileOf(v, { valueAreaMethod: 'single' });
  assert.deepEqual(vaOf(pr), [2, 5]);
  assert.equal(pr.valueAreaVolume, 43);
});

void test('cbot tie between the pairs goes above', () => {
  // [3, 4, 10, 4, 3]: total 24, target 16.8. POC idx2; above 4+3 = 7, below 4+3 = 7 → tie → above: 17 ≥ 16.8.
  const pr = profileOf([3, 4, 10, 4, 3]);
  assert.deepEqual(vaOf(pr), [2, 4]);
  assert.equal(pr.valueAreaVolume, 17);
});

void test('cbot target hit exactly stops (≥, exact integers); single needs one more row', () => {
  // [1, 2, 4, 2, 1]: total 10, target 70 % = 7 exactly.
  // cbot: above 2+1 = 3 vs below 2+1 = 3 → tie → above: 4 + 3 = 7 ≥ 7 → stop, VA 2..4.
  const cbot = profileOf([1, 2, 4, 2, 1]);
  assert.deepEqual(vaOf(cbot), [2, 4]);
  assert.equal(cbot.valueAreaVolume, 7);
  // single: above 2 vs below 2 → above (6 < 7) → above 1 vs below 2 → below (8 ≥ 7), VA 1..3.
  const single = profileOf([1, 2, 4, 2, 1], { valueAreaMethod: 'single' });
  assert.deepEqual(vaOf(single), [1, 3]);
  assert.equal(single.valueAreaVolume, 8);
});

void test('cbot: a side with one row left offers that row against a pair; 16 < 16.1 keeps going', () => {
  // [6, 10, 3, 3, 1]: total 23, target 16.1. POC idx1 (10).
  // above 3+3 = 6 vs below (only idx0) 6 → tie → above: 16 < 16.1 → above (idx4) 1 vs below 6 → below: 22.
  const pr = profileOf([6, 10, 3, 3, 1]);
  assert.deepEqual(vaOf(pr), [0, 3]);
  assert.equal(pr.valueAreaVolume, 22);
});

void test('cbot: once one side is exhausted the other side is taken two rows at a time', () => {
  // [5, 6, 12, 1, 1, 1, 1, 1, 1] at 90 %: total 29, target 26.1. POC idx2 (12).
  // above 1+1 = 2 vs below 6+5 = 11 → below: 23, VA 0..2; below exhausted → above pair 3,4: 25;
  // → above pair 5,6: 27 ≥ 26.1 → stop, VA 0..6 (rows 7, 8 untouched).
  const pr = profileOf([5, 6, 12, 1, 1, 1, 1, 1, 1], { valueAreaPercentage: '90' });
  assert.deepEqual(vaOf(pr), [0, 6]);
  assert.equal(pr.valueAreaVolume, 27);
  // single at 90 %: 12 → below 6 (18) → below 5 (23) → above 1,1,1 → 26 < 26.1 → 27, VA 0..6 as well
  const single = profileOf([5, 6, 12, 1, 1, 1, 1, 1, 1], {
    valueAreaPercentage: '90',
    valueAreaMethod: 'single',
  });
  assert.deepEqual(vaOf(single), [0, 6]);
  assert.equal(single.valueAreaVolume, 27);
});

void test('value area: POC alone covers the target; 0 % and 100 %; a single row', () => {
  // [1, 20, 1]: 20 ≥ 0.7 · 22 = 15.4 → VA is the POC row only.
  assert.deepEqual(vaOf(profileOf([1, 20, 1])), [1, 1]);
  assert.deepEqual(vaOf(profileOf([3, 4, 3], { valueAreaPercentage: '0' })), [1, 1]);
  // 100 %: every row, however small the last ones are.
  const all = profileOf([1, 0, 9, 0, 1], { valueAreaPercentage: '100' });
  assert.deepEqual(vaOf(all), [0, 4]);
  assert.equal(all.valueAreaVolume, 11);
  const one = profileOf([5]);
  assert.deepEqual([one.pocRow, one.valRow, one.vahRow, one.valueAreaVolume], [BASE, BASE, BASE, 5]);
});

void test('value area: zero-volume rows count as rows of a pair (dense profile)', () => {
  // [4, 0, 10, 0, 0, 3]: total 17, target 11.9. POC idx2. above 0+0 = 0 vs below 0+4 = 4 → below: 14 ≥ 11.9.
  const pr = profileOf([4, 0, 10, 0, 0, 3]);
  assert.deepEqual(vaOf(pr), [0, 2]);
});

// ---------------------------------------------------------------- POC ties

void test('POC tie: the row closest to the middle of [lowRow, highRow], then the lower', () => {
  // rows 0..3 (middle 1.5): idx0 and idx2 hold 5 → idx2 is 0.5 from the middle, idx0 1.5 → idx2.
  assert.equal(profileOf([5, 1, 5, 1]).pocRow, BASE + 2);
  // rows 0..4 (middle 2): idx1 and idx3 hold 5, both 1 away → the lower, idx1.
  assert.equal(profileOf([1, 5, 1, 5, 1]).pocRow, BASE + 1);
  // rows 0..3: idx0 and idx3 both 1.5 away → idx0.
  assert.equal(profileOf([5, 1, 1, 5]).pocRow, BASE);
  // the middle is of the dense range, zero rows included: rows 0..5 (middle 2.5): idx1 (1.5 away) vs idx3 (0.5).
  assert.equal(profileOf([1, 7, 0, 7, 0, 1]).pocRow, BASE + 3);
  const pr = profileOf([1, 7, 0, 7, 0, 1]);
  assert.deepEqual(
    pr.levels.filter((l) => l.isPoc).map((l) => l.row),
    [BASE + 3],
  );
});

// ---------------------------------------------------------------- HVN / LVN

void test('HVN/LVN with nodeWindow 3 on a two-peak profile (hand-worked)', () => {
  // idx:      0  1  2   3  4  5  6  7  8   9  10   total 42, 11 rows, mean 42/11 ≈ 3.818
  const v = [2, 4, 12, 4, 2, 1, 1, 2, 10, 3, 1];
  // smoothed (rows i-1..i+1, clipped): 3, 6, 6.67, 6, 2.33, 1.33, 1.33, 4.33, 5, 4.67, 2
  // local maxima over ±3: idx2 (6.67) and idx8 (5); raw 12 and 10 ≥ 1.5·mean = 5.73 → HVN.
  // local minima over ±3: idx5 and idx6 (1.33 plateau, each < some neighbour), idx10 (2 < 4.33, 5, 4.67),
  //   idx0 (3 < 6, 6.67, 6). Raw ≤ 0.5·mean = 1.909: idx5, idx6, idx10 (1) yes; idx0 (2) no.
  const pr = profileOf(v, { nodeWindow: 3 });
  assert.deepEqual(pr.hvnRows, [BASE + 2, BASE + 8]);
  assert.deepEqual(pr.lvnRows, [BASE + 5, BASE + 6, BASE + 10]);
  assert.deepEqual(
    pr.levels.filter((l) => l.isHvn).map((l) => l.row),
    pr.hvnRows,
  );
  assert.deepEqual(
    pr.levels.filter((l) => l.isLvn).map((l) => l.row),
    pr.lvnRows,
  );
});

void test('HVN/LVN thresholds are inclusive and exact; flat profiles have no nodes', () => {
  // [1, 3, 1, 2, 3], nodeWindow 1 (smoothed = raw), total 10, mean 2: HVN needs ≥ 3, LVN ≤ 1.
  // maxima over ±1: idx1 (3 > 1, 1), idx4 (3 > 2) → both exactly 3 → HVN.
  // minima: idx0 (1 < 3), idx2 (1 < 3, 2) → exactly 1 → LVN; idx3 (2) is neither max nor min.
  const pr = profileOf([1, 3, 1, 2, 3], { nodeWindow: 1 });
  assert.deepEqual(pr.hvnRows, [BASE + 1, BASE + 4]);
  assert.deepEqual(pr.lvnRows, [BASE, BASE + 2]);
  // the same with a 1.6 × threshold (3.2): no HVN; 0.4 × (0.8): no LVN.
  const strict = profileOf([1, 3, 1, 2, 3], { nodeWindow: 1, hvnThreshold: '1.6', lvnThreshold: '0.4' });
  assert.deepEqual([strict.hvnRows, strict.lvnRows], [[], []]);
  // local extremes whose raw volume misses the thresholds: [4, 5, 4, 5, 4], mean 4.4.
  const mild = profileOf([4, 5, 4, 5, 4], { nodeWindow: 1 });
  assert.deepEqual([mild.hvnRows, mild.lvnRows], [[], []]);
  const flat = profileOf([3, 3, 3, 3], { nodeWindow: 2 });
  assert.deepEqual([flat.hvnRows, flat.lvnRows], [[], []]);
  const single = profileOf([9]);
  assert.deepEqual([single.hvnRows, single.lvnRows], [[], []]);
});

void test('HVN smoothing: an isolated spike is smoothed away by a neighbouring broad node (default window 5)', () => {
  // idx: 0..10. A broad node at 2..4 (6, 6, 6) and a spike of 12 at idx 8 among 0s/1s.
  const v = [1, 2, 6, 6, 6, 2, 1, 0, 12, 0, 1];
  // window 5 (i-2..i+2): idx3 sums 2+6+6+6+2 = 22 / 5 = 4.4; idx8 sums 1+0+12+0+1 = 14 / 5 = 2.8;
  // idx3's ±5 neighbourhood (idx0..8) holds nothing higher (idx2, idx4: 21/5 = 4.2; idx8: 2.8) → idx3 local max, raw 6 ≥
  // 1.5 · 37/11 = 5.05 → HVN. idx8: its ±5 neighbourhood reaches idx3 (4.4 > 2.8) → not a maximum.
  const pr = profileOf(v);
  assert.deepEqual(pr.hvnRows, [BASE + 3]);
});

// ---------------------------------------------------------------- inefficiencies

void test('thin runs: length 1 not reported, length ≥ 2 reported; threshold inclusive', () => {
  // [100, 0, 100, 0, 0, 100, 1, 1, 100]: total 402, 9 rows, 5 % of mean = 2.23.
  // thin rows: 1 (alone → no), 3..4 (yes), 6..7 (yes)
  const pr = profileOf([100, 0, 100, 0, 0, 100, 1, 1, 100]);
  assert.deepEqual(pr.inefficiencies, [
    { kind: 'thin', lowRow: BASE + 3, highRow: BASE + 4 },
    { kind: 'thin', lowRow: BASE + 6, highRow: BASE + 7 },
  ]);
  // [77, 1, 1, 1]: total 80, mean 20, 5 % = 1 exactly → rows 1..3 are thin (≤).
  assert.deepEqual(profileOf([77, 1, 1, 1]).inefficiencies, [
    { kind: 'thin', lowRow: BASE + 1, highRow: BASE + 3 },
  ]);
  // [76, 1, 2, 1]: row 2 (2 > 1) splits the run into two runs of 1 → nothing.
  assert.deepEqual(profileOf([76, 1, 2, 1]).inefficiencies, []);
});

void test('one-sided inefficiencies: runs of consecutive one-sided rows per bar, with the bar start', () => {
  const p = params({ timePerRow: '1m' });
  const m1 = T0 + US_PER_MINUTE;
  const trades: Trade[] = [
    // bar 1: rows 100, 101 buy only; 102 both; 103 sell only; 104 no trade; 105 sell only
    trade(T0 + 1, 100, 5, 1),
    trade(T0 + 2, 101, 5, 1),
    trade(T0 + 3, 102, 5, 1),
    trade(T0 + 4, 102, 5, -1),
    trade(T0 + 5, 103, 5, -1),
    trade(T0 + 6, 105, 5, -1),
    // bar 2: rows 104, 105 two-sided → none; row 106 buy, 107 sell → one run 106..107 (side not considered)
    trade(m1 + 1, 104, 5, 1),
    trade(m1 + 2, 104, 5, -1),
    trade(m1 + 3, 105, 5, 1),
    trade(m1 + 4, 105, 5, -1),
    trade(m1 + 5, 106, 5, 1),
    trade(m1 + 6, 107, 5, -1),
  ];
  const bars = buildFootprint(trades, p);
  const pr = buildProfile(trades, p, undefined, undefined, bars);
  assert.deepEqual(
    pr.inefficiencies.filter((x) => x.kind === 'one_sided'),
    [
      { kind: 'one_sided', barStart: T0, lowRow: 100, highRow: 101 },
      { kind: 'one_sided', barStart: T0, lowRow: 103, highRow: 103 },
      { kind: 'one_sided', barStart: T0, lowRow: 105, highRow: 105 },
      { kind: 'one_sided', barStart: m1, lowRow: 106, highRow: 107 },
    ],
  );
  // without bars: only thin runs (none here: every row 100..107 holds ≥ 5 of a mean of 60/8)
  assert.deepEqual(buildProfile(trades, p).inefficiencies, []);
});

// ---------------------------------------------------------------- profile structure

void test('levels: dense, per-row buy/sell/delta/percentage, totals; empty profile has no POC', () => {
  const p = params({ ticksPerRow: 5 });
  // rows = floor(price / 5): 1000..1004 → 200; 1012 → 202; 999 → 199
  const trades = [
    trade(T0, 1000, 30, 1),
    trade(T0 + 1, 1004, 10, -1, { count: 3 }),
    trade(T0 + 2, 1012, 20, -1),
    trade(T0 + 3, 999, 40, 1),
  ];
  const pr = buildProfile(trades, p);
  assert.equal(pr.lowRow, 199);
  assert.equal(pr.highRow, 202);
  assert.deepEqual(
    pr.levels.map((l) => [l.row, l.volume, l.buy, l.sell, l.delta, l.buyTrades, l.sellTrades]),
    [
      [199, 40, 40, 0, 40, 1, 0],
      [200, 40, 30, 10, 20, 1, 3],
      [201, 0, 0, 0, 0, 0, 0],
      [202, 20, 0, 20, -20, 0, 1],
    ],
  );
  assert.deepEqual(
    pr.levels.map((l) => l.percentage),
    [40, 40, 0, 20],
  );
  // POC tie 199 vs 200, middle of 199..202 is 200.5 → 200.
  assert.equal(pr.pocRow, 200);
  assert.deepEqual([pr.totalVolume, pr.buy, pr.sell, pr.delta], [100, 70, 30, 40]);

  const empty = buildProfile([], p);
  assert.deepEqual(
    [
      empty.lowRow,
      empty.highRow,
      empty.pocRow,
      empty.vahRow,
      empty.valRow,
      empty.levels.length,
      empty.totalVolume,
    ],
    [null, null, null, null, null, 0, 0],
  );
});

void test('VPVR range is [from, to); rows with zero volume never widen the range', () => {
  const p = params();
  const trades = [
    trade(T0, 50, 1, 1),
    trade(T0 + 10, 60, 1, 1),
    trade(T0 + 20, 70, 1, -1),
    trade(T0 + 5, 40, 0, 1),
  ];
  const pr = buildProfile(trades, p, T0, T0 + 20);
  assert.deepEqual([pr.lowRow, pr.highRow, pr.totalVolume], [50, 60, 2]);
  const fromCells = computeProfile(
    [
      { row: 10, buy: 0, sell: 0, buyTrades: 0, sellTrades: 0 },
      { row: 12, buy: 3, sell: 0, buyTrades: 1, sellTrades: 0 },
      { row: 12, buy: 0, sell: 2, buyTrades: 0, sellTrades: 1 }, // duplicate rows are summed
    ],
    p,
  );
  assert.deepEqual(
    [fromCells.lowRow, fromCells.highRow, fromCells.levels[0]?.buy, fromCells.levels[0]?.sell],
    [12, 12, 3, 2],
  );
});

void test('an accumulator read with other params is refused', () => {
  const acc = new ProfileAccumulator(params({ ticksPerRow: 2 }));
  acc.apply(trade(T0, 10, 1, 1));
  assert.throws(() => computeProfile(acc, params({ ticksPerRow: 3 })), RangeError);
  assert.throws(() => new ProfileAccumulator({ rowTicks: 0 }), RangeError);
});

// ---------------------------------------------------------------- independent recomputations

/** Straightforward value area: POC by brute force, then queues of rows above/below, BigInt target test. */
function naiveValueArea(
  volumes: readonly number[],
  num: number,
  den: number,
  method: 'cbot' | 'single',
): { poc: number; lo: number; hi: number; covered: number } {
  const n = volumes.length;
  const total = volumes.reduce((a, b) => a + b, 0);
  let poc = 0;
  for (let i = 0; i < n; i++) {
    const better =
      volumes[i]! > volumes[poc]! ||
      (volumes[i] === volumes[poc] && Math.abs(2 * i - (n - 1)) < Math.abs(2 * poc - (n - 1)));
    if (better) poc = i;
  }
  const above: number[] = [];
  for (let i = poc + 1; i < n; i++) above.push(i);
  const below: number[] = [];
  for (let i = poc - 1; i >= 0; i--) below.push(i);
  let covered = volumes[poc]!;
  let lo = poc;
  let hi = poc;
  const reached = (): boolean => BigInt(covered) * BigInt(den) >= BigInt(num) * BigInt(total);
  const k = method === 'cbot' ? 2 : 1;
  while (!reached() && (above.length > 0 || below.length > 0)) {
    const a = above.slice(0, k);
    const b = below.slice(0, k);
    const sa = a.reduce((s, i) => s + volumes[i]!, 0);
    const sb = b.reduce((s, i) => s + volumes[i]!, 0);
    const takeAbove = b.length === 0 || (a.length > 0 && sa >= sb);
    const taken = takeAbove ? above.splice(0, a.length) : below.splice(0, b.length);
    for (const i of taken) {
      covered += volumes[i]!;
      lo = Math.min(lo, i);
      hi = Math.max(hi, i);
    }
  }
  return { poc, lo, hi, covered };
}

/** Random dense volume arrays whose first and last rows are traded (as a profile's are). */
const arbVolumes = fc
  .array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 1000 })), {
    minLength: 1,
    maxLength: 40,
  })
  .map((v) => {
    const out = [...v];
    if (out[0] === 0) out[0] = 1;
    if (out[out.length - 1] === 0) out[out.length - 1] = 1;
    return out;
  });

void test('property: value area equals an independent straightforward implementation', () => {
  fc.assert(
    fc.property(
      arbVolumes,
      fc.integer({ min: 0, max: 100 }),
      fc.constantFrom('cbot' as const, 'single' as const),
      (v, pct, method) => {
        const pr = profileOf(v, { valueAreaPercentage: String(pct), valueAreaMethod: method });
        const want = naiveValueArea(v, pct, 100, method);
        assert.equal(pr.pocRow, BASE + want.poc);
        assert.deepEqual(vaOf(pr), [want.lo, want.hi]);
        assert.equal(pr.valueAreaVolume, want.covered);
        // the VA covers the target, and its volume is the sum of its levels
        const inVa = pr.levels.filter((l) => l.isValueArea);
        assert.equal(
          inVa.reduce((s, l) => s + l.volume, 0),
          pr.valueAreaVolume,
        );
        assert.ok(pr.valueAreaVolume * 100 >= pct * pr.totalVolume || inVa.length === v.length);
      },
    ),
    { numRuns: 500 },
  );
});

void test('property: valueAreaSpan with a fractional percentage (e.g. 68.3 %) matches the naive method', () => {
  fc.assert(
    fc.property(arbVolumes, fc.integer({ min: 0, max: 1000 }), (v, permille) => {
      const total = v.reduce((a, b) => a + b, 0);
      const naive = naiveValueArea(v, permille, 1000, 'cbot');
      const span = valueAreaSpan(v, naive.poc, { num: permille, den: 1000 }, 'cbot', total);
      assert.deepEqual([span.lo, span.hi], [naive.lo, naive.hi]);
    }),
    { numRuns: 300 },
  );
});

/** Straightforward HVN/LVN with BigInt fractions and an explicit neighbourhood scan. */
function naiveNodes(v: readonly number[], w: number, hvn: [number, number], lvn: [number, number]) {
  const n = v.length;
  const total = v.reduce((a, b) => a + b, 0);
  const sm: [bigint, bigint][] = v.map((_, i) => {
    let s = 0;
    let c = 0;
    for (let j = i - Math.floor(w / 2); j <= i + Math.floor((w - 1) / 2); j++) {
      if (j >= 0 && j < n) {
        s += v[j]!;
        c++;
      }
    }
    return [BigInt(s), BigInt(c)];
  });
  const cmp = (i: number, j: number): number => {
    const l = sm[i]![0] * sm[j]![1];
    const r = sm[j]![0] * sm[i]![1];
    return l > r ? 1 : l < r ? -1 : 0;
  };
  const H: number[] = [];
  const L: number[] = [];
  for (let i = 0; i < n; i++) {
    const cs: number[] = [];
    for (let j = i - w; j <= i + w; j++) if (j >= 0 && j < n && j !== i) cs.push(cmp(i, j));
    const isMax = cs.length > 0 && cs.every((c) => c >= 0) && cs.some((c) => c > 0);
    const isMin = cs.length > 0 && cs.every((c) => c <= 0) && cs.some((c) => c < 0);
    // v ≥ (num/den)·total/n ⇔ v·n·den ≥ num·total
    const vn = BigInt(v[i]!) * BigInt(n);
    if (isMax && vn * BigInt(hvn[1]) >= BigInt(hvn[0]) * BigInt(total)) H.push(BASE + i);
    if (isMin && vn * BigInt(lvn[1]) <= BigInt(lvn[0]) * BigInt(total)) L.push(BASE + i);
  }
  return { H, L };
}

void test('property: HVN/LVN and thin runs equal independent straightforward recomputations', () => {
  fc.assert(
    fc.property(arbVolumes, fc.integer({ min: 1, max: 7 }), (v, w) => {
      const pr = profileOf(v, { nodeWindow: w });
      const want = naiveNodes(v, w, [15, 10], [5, 10]);
      assert.deepEqual(pr.hvnRows, want.H);
      assert.deepEqual(pr.lvnRows, want.L);
      // thin: maximal runs of ≥ 2 rows with v·n·100 ≤ 5·total
      const n = v.length;
      const total = v.reduce((a, b) => a + b, 0);
      const thin = v.map((x) => x * n * 100 <= 5 * total);
      const runs: { kind: 'thin'; lowRow: number; highRow: number }[] = [];
      for (let i = 0; i < n;) {
        if (!thin[i]) {
          i++;
          continue;
        }
        let j = i;
        while (j + 1 < n && thin[j + 1]) j++;
        if (j > i) runs.push({ kind: 'thin', lowRow: BASE + i, highRow: BASE + j });
        i = j + 1;
      }
      assert.deepEqual(pr.inefficiencies, runs);
    }),
    { numRuns: 400 },
  );
});

const arbTrades = fc
  .array(
    fc.record({
      dt: fc.integer({ min: 0, max: 10 * US_PER_MINUTE }),
      price: fc.integer({ min: 5_000, max: 5_060 }),
      qty: fc.integer({ min: 1, max: 400 }),
      buy: fc.boolean(),
      count: fc.integer({ min: 1, max: 3 }),
    }),
    { minLength: 0, maxLength: 150 },
  )
  .map((rows) => rows.map((r) => trade(T0 + r.dt, r.price, r.qty, r.buy ? 1 : -1, { count: r.count })));

void test('property: per-level sums equal a naive recomputation; Σ level volumes = total; Σ % ≈ 100', () => {
  fc.assert(
    fc.property(arbTrades, fc.integer({ min: 1, max: 7 }), (trades, rowTicks) => {
      const p = params({ ticksPerRow: rowTicks });
      const pr = buildProfile(trades, p);
      const naive = new Map<number, [number, number, number, number]>();
      for (const t of trades) {
        const r = Math.floor(t.price / rowTicks);
        const c = naive.get(r) ?? [0, 0, 0, 0];
        if (t.side === 1) {
          c[0] += t.qty;
          c[2] += t.count ?? 1;
        } else {
          c[1] += t.qty;
          c[3] += t.count ?? 1;
        }
        naive.set(r, c);
      }
      const rows = [...naive.keys()];
      if (rows.length === 0) {
        assert.equal(pr.levels.length, 0);
        return;
      }
      const lo = Math.min(...rows);
      const hi = Math.max(...rows);
      assert.equal(pr.levels.length, hi - lo + 1);
      pr.levels.forEach((l, i) => {
        const c = naive.get(lo + i) ?? [0, 0, 0, 0];
        assert.deepEqual([l.row, l.buy, l.sell, l.buyTrades, l.sellTrades], [lo + i, ...c]);
        assert.equal(l.volume, c[0] + c[1]);
        assert.equal(l.delta, c[0] - c[1]);
      });
      const total = trades.reduce((s, t) => s + t.qty, 0);
      assert.equal(pr.totalVolume, total);
      assert.equal(
        pr.levels.reduce((s, l) => s + l.volume, 0),
        total,
      );
      assert.ok(Math.abs(pr.levels.reduce((s, l) => s + l.percentage, 0) - 100) < 1e-9);
    }),
    { numRuns: 200 },
  );
});

void test('property: accumulator chunking/order invariance and profile from footprint cells = from trades', () => {
  fc.assert(
    fc.property(
      arbTrades,
      fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }),
      fc.integer({ min: 1, max: 5 }),
      (trades, chunks, rowTicks) => {
        const p = params({ ticksPerRow: rowTicks, timePerRow: '1m' });
        const whole = buildProfile(trades, p);
        // chunks of varying size, fed in reverse order of chunks
        const acc = new ProfileAccumulator(p);
        const parts: Trade[][] = [];
        for (let i = 0, k = 0; i < trades.length; k++) {
          const size = chunks[k % chunks.length]!;
          parts.push(trades.slice(i, i + size));
          i += size;
        }
        for (const part of parts.reverse()) acc.applyBatch(part);
        assert.deepEqual(computeProfile(acc, p), whole);
        // merging per-chunk accumulators
        const merged = new ProfileAccumulator(p);
        for (const part of parts) {
          const a = new ProfileAccumulator(p);
          a.applyBatch(part);
          merged.merge(a);
        }
        assert.deepEqual(computeProfile(merged, p), whole);
        // footprint cells (1m bars) → the same profile, via addCells and via the rows iterable
        const bars = buildFootprint(trades, p);
        const fromCells = new ProfileAccumulator(p);
        for (const b of bars) fromCells.addCells(b.cells);
        assert.deepEqual(computeProfile(fromCells, p), whole);
        assert.deepEqual(
          computeProfile(
            bars.flatMap((b) => b.cells),
            p,
          ),
          whole,
        );
      },
    ),
    { numRuns: 150 },
  );
});
