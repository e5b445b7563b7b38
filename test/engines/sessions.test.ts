// VPSV sessions: named windows that wrap midnight and overlap, UTC-day defaults, incremental = batch, bars = trades,
// all checked against an independent membership recomputation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { OrderFlowConfigInput } from '../../src/core/config.ts';
import type { Trade } from '../../src/core/trade.ts';
import { US_PER_DAY, US_PER_HOUR, US_PER_MINUTE } from '../../src/core/time.ts';
import { buildFootprint } from '../../src/engines/footprint.ts';
import { buildProfile } from '../../src/engines/profile.ts';
import {
  compareSessions,
  SessionProfiler,
  sessionProfiles,
  utcDateLabel,
} from '../../src/engines/sessions.ts';
import { params, trade } from '../helpers.ts';

const D = Date.UTC(2024, 0, 1) * 1000; // 2024-01-01T00:00:00Z in µs
const H = US_PER_HOUR;

const THREE = {
  sessions: [
    { name: 'Asia', start: '22:00', end: '06:00' }, // wraps midnight
    { name: 'Europe', start: '05:00', end: '14:00' }, // overlaps Asia 05:00–06:00 and US 13:30–14:00
    { name: 'US', start: '13:30', end: '20:00' },
  ],
};

void test('named sessions wrapping midnight and overlapping (hand-worked)', () => {
  const p = params(THREE);
  // quantities are powers of two so each session's volume names its trades; price 100+k is row 100+k.
  const trades = [
    trade(D + 3 * H, 100, 1, 1), //              a: Asia of Dec 31 (22:00 → 06:00)
    trade(D + 21 * H + 59 * US_PER_MINUTE, 101, 2, 1), // b: 21:59 — no window
    trade(D + 22 * H, 102, 4, 1), //             c: Asia of Jan 1 (start inclusive)
    trade(D + 25 * H, 103, 8, -1), //            d: Jan 2 01:00 — Asia of Jan 1
    trade(D + 29.5 * H, 104, 16, 1), //          e: Jan 2 05:30 — Asia of Jan 1 AND Europe of Jan 2
    trade(D + 30 * H, 105, 32, -1), //           f: Jan 2 06:00 — Asia ended (end exclusive): Europe only
    trade(D + 37.75 * H, 106, 64, 1), //         g: 13:45 — Europe and US
    trade(D + 38 * H, 107, 128, -1), //          h: 14:00 — US only
    trade(D + 44 * H, 108, 256, 1), //           i: 20:00 — US ended: none
  ];
  const got = compareSessions(sessionProfiles(trades, p));
  assert.deepEqual(got, [
    // a only
    {
      name: 'Asia',
      start: D - 2 * H,
      end: D + 6 * H,
      pocRow: 100,
      vahRow: 100,
      valRow: 100,
      volume: 1,
      buy: 1,
      sell: 0,
      delta: 1,
      valueAreaVolume: 1,
    },
    // c + d + e = 28 (buy 20, sell 8); POC e (row 104): 16 ≥ 0.7·28 = 19.6? no → cbot: above none, below 103+102 = 12
    // → 28, VA 102..104.
    {
      name: 'Asia',
      start: D + 22 * H,
      end: D + 30 * H,
      pocRow: 104,
      vahRow: 104,
      valRow: 102,
      volume: 28,
      buy: 20,
      sell: 8,
      delta: 12,
      valueAreaVolume: 28,
    },
    // e + f + g = 112 (buy 80, sell 32); POC g (row 106): 64 < 78.4 → above none, below 105+104 = 48 → 112.
    {
      name: 'Europe',
      start: D + 29 * H,
      end: D + 38 * H,
      pocRow: 106,
      vahRow: 106,
      valRow: 104,
      volume: 112,
      buy: 80,
      sell: 32,
      delta: 48,
      valueAreaVolume: 112,
    },
    // g + h = 192 (buy 64, sell 128); POC h (row 107): 128 < 134.4 → below 106 (one row left) → 192.
    {
      name: 'US',
      start: D + 37.5 * H,
      end: D + 44 * H,
      pocRow: 107,
      vahRow: 107,
      valRow: 106,
      volume: 192,
      buy: 64,
      sell: 128,
      delta: -64,
      valueAreaVolume: 192,
    },
  ]);
});

void test('default sessions are UTC days named by date; [from, to) cuts keep the window bounds', () => {
  const p = params();
  const trades = [
    trade(D, 10, 1, 1),
    trade(D + US_PER_DAY - 1, 11, 2, 1),
    trade(D + US_PER_DAY, 12, 4, -1),
    trade(D + 2 * US_PER_DAY + 5, 13, 8, 1),
  ];
  const all = compareSessions(sessionProfiles(trades, p));
  assert.deepEqual(
    all.map((s) => [s.name, s.start, s.end, s.volume]),
    [
      ['2024-01-01', D, D + US_PER_DAY, 3],
      ['2024-01-02', D + US_PER_DAY, D + 2 * US_PER_DAY, 4],
      ['2024-01-03', D + 2 * US_PER_DAY, D + 3 * US_PER_DAY, 8],
    ],
  );
  // range [D + 1, D + 2 days): the first day keeps its bounds but only the trade at D + DAY − 1; day 3 is gone.
  const cut = compareSessions(sessionProfiles(trades, p, D + 1, D + 2 * US_PER_DAY));
  assert.deepEqual(
    cut.map((s) => [s.name, s.start, s.end, s.volume]),
    [
      ['2024-01-01', D, D + US_PER_DAY, 2],
      ['2024-01-02', D + US_PER_DAY, D + 2 * US_PER_DAY, 4],
    ],
  );
  assert.deepEqual(sessionProfiles([], p), []);
});

void test('a window with start = end lasts 24 h; 00:00–24:00 is the UTC day', () => {
  const p = params({
    sessions: [
      { name: 'Day8', start: '08:00', end: '08:00' },
      { name: 'Full', start: '00:00', end: '24:00' },
    ],
  });
  const got = compareSessions(sessionProfiles([trade(D + 7 * H, 5, 1, 1), trade(D + 8 * H, 5, 1, 1)], p));
  assert.deepEqual(
    got.map((s) => [s.name, s.start, s.end, s.volume]),
    [
      ['Day8', D - 16 * H, D + 8 * H, 1],
      ['Full', D, D + US_PER_DAY, 2],
      ['Day8', D + 8 * H, D + 32 * H, 1],
    ],
  );
});

void test('property: utcDateLabel equals the calendar date', () => {
  fc.assert(
    fc.property(fc.integer({ min: -100 * 365 * US_PER_DAY, max: 300 * 365 * US_PER_DAY }), (ts) => {
      const ms = Math.floor(ts / 1000);
      assert.equal(utcDateLabel(ts), new Date(ms).toISOString().slice(0, 10));
    }),
    { numRuns: 1000 },
  );
});

// ---------------------------------------------------------------- properties

const hhmm = fc
  .integer({ min: 0, max: 24 * 60 })
  .map((m) => `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`);
const arbSessions = fc.array(fc.record({ name: fc.constantFrom('A', 'B', 'C'), start: hhmm, end: hhmm }), {
  minLength: 0,
  maxLength: 3,
});

const arbTrades = fc
  .array(
    fc.record({
      dt: fc.integer({ min: -US_PER_DAY, max: 3 * US_PER_DAY }),
      price: fc.integer({ min: 2_000, max: 2_030 }),
      qty: fc.integer({ min: 1, max: 300 }),
      buy: fc.boolean(),
    }),
    { minLength: 0, maxLength: 120 },
  )
  .map((rows) => rows.map((r) => trade(D + r.dt, r.price, r.qty, r.buy ? 1 : -1)));

/** "H:MM" → minutes. */
const minutesOf = (s: string): number => {
  const [h, m] = s.split(':');
  return Number(h) * 60 + Number(m);
};

/** Independent membership: for each configured window and each nearby day, [start, start + length). */
function naiveSessions(trades: readonly Trade[], cfg: OrderFlowConfigInput) {
  const specs =
    cfg.sessions && cfg.sessions.length > 0 ? cfg.sessions : [{ name: '', start: '0:00', end: '24:00' }];
  const groups = new Map<
    string,
    { name: string; start: number; end: number; idx: number; trades: Trade[] }
  >();
  for (const t of trades) {
    specs.forEach((s, idx) => {
      const a = minutesOf(s.start);
      const b = minutesOf(s.end);
      const len = (b > a ? b - a : 24 * 60 - a + b) * US_PER_MINUTE;
      const day0 = Math.floor(t.ts / US_PER_DAY);
      for (let day = day0 - 2; day <= day0 + 1; day++) {
        const start = day * US_PER_DAY + a * US_PER_MINUTE;
        if (t.ts >= start && t.ts < start + len) {
          const key = `${idx}/${start}`;
          const name = s.name === '' ? new Date(start / 1000).toISOString().slice(0, 10) : s.name;
          const g = groups.get(key) ?? { name, start, end: start + len, idx, trades: [] };
          g.trades.push(t);
          groups.set(key, g);
        }
      }
    });
  }
  return [...groups.values()].sort((x, y) => x.start - y.start || x.idx - y.idx);
}

void test('property: batch = independent recomputation = incremental in shuffled chunks', () => {
  fc.assert(
    fc.property(
      arbTrades,
      arbSessions,
      fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 6 }),
      (trades, sessions, chunks) => {
        const cfg = { sessions };
        const p = params(cfg);
        const batch = sessionProfiles(trades, p);
        const naive = naiveSessions(trades, cfg);
        assert.deepEqual(
          batch.map((s) => [s.name, s.start, s.end]),
          naive.map((g) => [g.name, g.start, g.end]),
        );
        batch.forEach((s, i) => assert.deepEqual(s.profile, buildProfile(naive[i]!.trades, p)));
        // incremental, chunks fed in reverse
        const profiler = new SessionProfiler(p);
        const parts: Trade[][] = [];
        for (let i = 0, k = 0; i < trades.length; k++) {
          const size = chunks[k % chunks.length]!;
          parts.push(trades.slice(i, i + size));
          i += size;
        }
        for (const part of parts.reverse()) profiler.applyBatch(part);
        assert.deepEqual(profiler.sessions(), batch);
      },
    ),
    { numRuns: 200 },
  );
});

void test('property: sessions from 1-minute footprint bars (rollups) equal sessions from trades', () => {
  fc.assert(
    fc.property(arbTrades, arbSessions, fc.integer({ min: 1, max: 4 }), (trades, sessions, rowTicks) => {
      const p = params({ sessions, ticksPerRow: rowTicks, timePerRow: '1m' });
      const bars = buildFootprint(trades, p);
      assert.deepEqual(sessionProfiles(bars, p), sessionProfiles(trades, p));
      const profiler = new SessionProfiler(p);
      profiler.addBars([...bars].reverse());
      assert.deepEqual(profiler.sessions(), sessionProfiles(trades, p));
      // the same over a minute-aligned range
      const from = D + 7 * US_PER_HOUR;
      const to = D + 40 * US_PER_HOUR;
      assert.deepEqual(sessionProfiles(bars, p, from, to), sessionProfiles(trades, p, from, to));
    }),
    { numRuns: 100 },
  );
});
