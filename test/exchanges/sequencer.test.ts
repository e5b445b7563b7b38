// The per-stream sequencer: every id once, in id order, whatever the arrival order, duplication or chunking.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DedupeWindow, StreamSequencer } from '../../src/sources/exchanges/sequencer.ts';
import { trade } from '../helpers.ts';
import type { Trade } from '../../src/core/trade.ts';

const t = (id: number): Trade => trade(id, 100, 1, 1, { id });
const ids = (ts: readonly Trade[]): number[] => ts.map((x) => x.id as number);

describe('StreamSequencer', () => {
  it('hand-worked: 1,3,2,2,4 → 1,2,3,4 with one duplicate', () => {
    const s = new StreamSequencer();
    assert.deepEqual(ids(s.offer([t(1)])), [1]);
    assert.deepEqual(ids(s.offer([t(3)])), []); // 2 missing: 3 waits
    assert.deepEqual(s.gap(), { from: 2, to: 2 });
    assert.deepEqual(ids(s.offer([t(2), t(2)])), [2, 3]);
    assert.equal(s.duplicates, 1);
    assert.deepEqual(ids(s.offer([t(4)])), [4]);
    assert.equal(s.hasGap(), false);
  });

  it('hand-worked: giving up records the lost ranges and releases the waiting trades', () => {
    const s = new StreamSequencer();
    s.offer([t(10), t(13), t(15)]);
    // missing 11,12 and 14: the first gap is 11..12
    assert.deepEqual(s.gap(), { from: 11, to: 12 });
    assert.deepEqual(ids(s.giveUp(14, 'test')), [13, 15]);
    assert.deepEqual(s.lostRanges, [
      { from: 11, to: 12, reason: 'test' },
      { from: 14, to: 14, reason: 'test' },
    ]);
    assert.equal(s.lost, 3);
    // completeness = delivered / (delivered + lost) = 3 / 6
    assert.equal(s.completeness(), 0.5);
    // 14 turns up late after all: delivered, no longer lost
    assert.deepEqual(ids(s.offer([t(14)])), [14]);
    assert.equal(s.lost, 2);
    assert.equal(s.recovered, 1);
    assert.deepEqual(ids(s.offer([t(14)])), []);
    assert.equal(s.duplicates, 1);
  });

  it('heartbeat beyond the last id is a gap (zero rule: equal to next-1 is not)', () => {
    const s = new StreamSequencer();
    s.noteLatest(5); // before any trade: no baseline, no gap
    assert.equal(s.hasGap(), false);
    s.offer([t(5)]);
    assert.equal(s.hasGap(), false);
    s.noteLatest(5);
    assert.equal(s.hasGap(), false);
    s.noteLatest(7);
    assert.deepEqual(s.gap(), { from: 6, to: 7 });
  });

  it('the buffer budget gives up on the gap rather than growing without bound', () => {
    const s = new StreamSequencer(3);
    s.offer([t(1), t(3), t(4), t(5)]);
    assert.deepEqual(ids(s.offer([t(6)])), [3, 4, 5, 6]);
    assert.deepEqual(s.lostRanges, [{ from: 2, to: 2, reason: 'buffer-budget' }]);
  });

  it('property: any arrival order, duplication and chunking delivers each id once, in order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.nat(), { maxLength: 50 }),
        fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
        fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1 }),
        (n, dupIdx, rnd, chunks) => {
          // id 0 first fixes the baseline; the rest arrive shuffled with duplicates.
          const rest = Array.from({ length: n }, (_, i) => i + 1);
          for (const d of dupIdx) rest.push((d % n) + 1);
          const r = rnd[Symbol.iterator]();
          for (let i = rest.length - 1; i > 0; i--) {
            const j = Math.floor((r.next().value as number) * (i + 1)) % (i + 1);
            [rest[i], rest[j]] = [rest[j]!, rest[i]!];
          }
          const arrival = [0, ...rest];
          const s = new StreamSequencer();
          const out: Trade[] = [];
          let k = 0;
          for (let c = 0; k < arrival.length; c++) {
            const size = chunks[c % chunks.length]!;
            s.offer(arrival.slice(k, k + size).map(t), out);
            k += size;
          }
          assert.deepEqual(
            ids(out),
            Array.from({ length: n + 1 }, (_, i) => i),
          );
          assert.equal(s.duplicates, dupIdx.length);
          assert.equal(s.hasGap(), false);
        },
      ),
    );
  });

  it('property: dropped ids backfilled later give the full set; unfilled ones are exactly the lost ones', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 300 }),
        fc.array(fc.boolean(), { minLength: 300, maxLength: 300 }),
        fc.array(fc.boolean(), { minLength: 300, maxLength: 300 }),
        (n, dropped, restHas) => {
          const s = new StreamSequencer();
          const out: Trade[] = [];
          const missing: number[] = [];
          for (let id = 0; id < n; id++) {
            // first and last always arrive (a tail drop has no later witness)
            if (id > 0 && id < n - 1 && dropped[id]) missing.push(id);
            else s.offer([t(id)], out);
          }
          // one REST round per gap: what REST has is filled, the rest is given up
          for (let g = s.gap(); g; g = s.gap()) {
            const fill = missing.filter((id) => id >= g.from && id <= g.to && restHas[id]).map(t);
            s.offer(fill, out);
            if (s.next! <= g.to) s.giveUp(g.to, 'rest', out);
          }
          const lost = missing.filter((id) => !restHas[id]);
          const got = ids(out);
          assert.deepEqual(
            got,
            Array.from({ length: n }, (_, i) => i).filter((i) => !lost.includes(i)),
          );
          assert.equal(s.lost, lost.length);
          assert.equal(s.completeness(), (n - lost.length) / n);
        },
      ),
    );
  });
});

describe('DedupeWindow', () => {
  it('remembers the last `capacity` ids only', () => {
    const w = new DedupeWindow(2);
    assert.equal(w.add('a'), true);
    assert.equal(w.add('a'), false);
    assert.equal(w.add('b'), true);
    assert.equal(w.add('c'), true); // evicts a
    assert.equal(w.add('b'), false);
    assert.equal(w.add('a'), true);
  });
});
