// The alert list's signal helpers: signal identity, evidence summaries, the newest-first bounded merge of REST
// history and live messages (checked against a plain sort-and-dedupe written here), and the latest indicator
// values per indicator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  evidenceSummary,
  isSignalJson,
  mergeNewestFirst,
  signalKey,
  signalSide,
} from '../../web/src/lib/signal-alerts.ts';
import { latestIndicators } from '../../web/src/lib/latest-indicators.ts';

const sig = (time: string, kind = 'absorption', price = 100) => ({
  symbol: 'BTC',
  kind,
  direction: 'bullish',
  time,
  bar_start: time,
  price,
  evidence: {},
});

test('signalKey separates signals that differ in any identifying field and equates equal ones', () => {
  const a = sig('2024-08-08T23:55:00Z');
  const withEvidence = { ...a, evidence: { x: 1 } };
  assert.equal(signalKey(a), signalKey(withEvidence), 'evidence is not part of identity');
  for (const change of [
    { kind: 'x' },
    { direction: 'bearish' },
    { time: 't' },
    { bar_start: 'b' },
    { price: 101 },
  ])
    assert.notEqual(signalKey(a), signalKey({ ...a, ...change }), JSON.stringify(change));
});

test('evidenceSummary: fields in order, nested swing points in parentheses, empty evidence is empty', () => {
  assert.equal(
    evidenceSummary({ side: 'buy', low: 61000, high: 61020, rows: 3 }),
    'side buy · low 61000 · high 61020 · rows 3',
  );
  assert.equal(
    evidenceSummary({ level: 'swing', first: { price: 1, cvd: -2 }, second: { price: 3, cvd: null } }),
    'level swing · first(price 1, cvd -2) · second(price 3, cvd —)',
  );
  assert.equal(evidenceSummary({}), '');
});

test('signalSide and isSignalJson', () => {
  assert.equal(signalSide('bullish'), 'buy');
  assert.equal(signalSide('bearish'), 'sell');
  assert.equal(signalSide('neutral'), null);
  assert.equal(isSignalJson(sig('2024-08-08T23:55:00Z')), true);
  assert.equal(isSignalJson({ ...sig('t'), price: '1' }), false);
  assert.equal(isSignalJson(null), false);
});

test('mergeNewestFirst: hand-worked example with a repeat, a tie and fraction-length times', () => {
  // list holds B (…:02Z) and A (…:01Z); incoming C (…:01.5Z), B again, D (…:02Z, a tie with B).
  // B is skipped (same key). At :02 B (already listed) comes before D, then C at :01.5, then A at :01. As strings
  // "…:01.5Z" < "…:01Z" ('.' < 'Z'), so only ordering by parsed time puts C before A.
  const A = { k: 'A', t: '2024-08-08T23:55:01Z' };
  const B = { k: 'B', t: '2024-08-08T23:55:02Z' };
  const C = { k: 'C', t: '2024-08-08T23:55:01.5Z' };
  const D = { k: 'D', t: '2024-08-08T23:55:02Z' };
  const out = mergeNewestFirst(
    [B, A],
    [C, B, D],
    (x) => x.k,
    (x) => x.t,
    10,
  );
  assert.deepEqual(
    out.map((x) => x.k),
    ['B', 'D', 'C', 'A'],
  );
  assert.deepEqual(
    mergeNewestFirst(
      [B, A],
      [C],
      (x) => x.k,
      (x) => x.t,
      2,
    ).map((x) => x.k),
    ['B', 'C'],
  );
  assert.deepEqual(
    mergeNewestFirst(
      [B, A],
      [],
      (x) => x.k,
      (x) => x.t,
      1,
    ).map((x) => x.k),
    ['B'],
  );
});

test('mergeNewestFirst equals a plain dedupe + sort by time, and batch = one-at-a-time merging', () => {
  const item = fc.record({ k: fc.integer({ min: 0, max: 30 }), s: fc.integer({ min: 0, max: 20 }) });
  fc.assert(
    fc.property(fc.array(item, { maxLength: 40 }), fc.integer({ min: 1, max: 50 }), (items, max) => {
      // The same key always has the same time, as a signal's identity includes its time.
      const xs = items.map((x) => ({
        k: String(x.k),
        t: new Date(Date.UTC(2024, 0, 1, 0, 0, x.k % 7)).toISOString(),
      }));
      const key = (x: { k: string }) => x.k;
      const at = (x: { t: string }) => x.t;
      const batch = mergeNewestFirst([], xs, key, at, 1000);
      // Independent: first occurrence of each key, newest time first.
      const firsts = xs.filter((x, i) => xs.findIndex((y) => y.k === x.k) === i);
      assert.deepEqual(
        batch.map((x) => x.t),
        firsts.map((x) => x.t).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)),
      );
      assert.deepEqual(new Set(batch.map(key)), new Set(firsts.map(key)));
      // Live messages one at a time end in the same set and order of times as the batch.
      let live: { k: string; t: string }[] = [];
      for (const x of xs) live = mergeNewestFirst(live, [x], key, at, 1000);
      assert.deepEqual(live.map(at), batch.map(at));
      assert.deepEqual(new Set(live.map(key)), new Set(batch.map(key)));
      // The bound keeps the newest `max`.
      assert.deepEqual(mergeNewestFirst([], xs, key, at, max), batch.slice(0, max));
    }),
  );
});

test('latestIndicators: later bars win per indicator, an older snapshot never replaces a live value', () => {
  const v = (r: number) => ({ abs5: { ratio: r } });
  let l = latestIndicators({}, [
    { bar_start: '2024-08-08T23:54:00Z', values: v(1) },
    { bar_start: '2024-08-08T23:55:00Z', values: { ...v(2), other: { on: true } } },
  ]);
  assert.deepEqual(l, {
    abs5: { bar_start: '2024-08-08T23:55:00Z', values: { ratio: 2 } },
    other: { bar_start: '2024-08-08T23:55:00Z', values: { on: true } },
  });
  l = latestIndicators(l, [{ bar_start: '2024-08-08T23:56:00Z', values: v(3) }]);
  assert.deepEqual(l.abs5, { bar_start: '2024-08-08T23:56:00Z', values: { ratio: 3 } });
  l = latestIndicators(l, [{ bar_start: '2024-08-08T23:50:00Z', values: v(9) }]);
  assert.deepEqual(l.abs5, { bar_start: '2024-08-08T23:56:00Z', values: { ratio: 3 } });
  assert.deepEqual(latestIndicators({}, []), {});
});
