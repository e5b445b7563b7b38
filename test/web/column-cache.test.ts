// Unit tests of the footprint's column cache: a frame drawn from cached columns paints the same cell fills,
// outlines and texts at the same places as direct drawing, and columns are repainted exactly when stale.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SCHEMES, THEMES, type DisplayMode } from '../../web/src/lib/colours.ts';
import { buildModel, mergeUpdate, type FootprintModel } from '../../web/src/lib/footprint-model.ts';
import {
  chartLayout,
  ColumnCache,
  describeFrame,
  drawFootprint,
  type ColumnHost,
  type ColumnSurface,
  type Ctx2D,
} from '../../web/src/lib/footprint-draw.ts';
import type { Viewport } from '../../web/src/lib/viewport.ts';
import type { FootprintCellJson, FootprintData } from '../../web/src/api/types.ts';

/** One painted primitive in chart CSS pixels: a filled or stroked rect, or a text. */
type Op = string;

/** A context that records filled/stroked rects and texts, offset by (dx, dy) (a surface's place on the chart). */
class Recorder implements Ctx2D {
  fillStyle: unknown = '';
  strokeStyle: unknown = '';
  lineWidth = 1;
  font = '';
  textAlign = 'left';
  textBaseline = 'top';
  globalAlpha = 1;
  readonly ops: Op[] = [];
  private path: number[][] = [];
  dx = 0;
  dy = 0;
  save(): void {}
  restore(): void {}
  beginPath(): void {
    this.path = [];
  }
  rect(x: number, y: number, w: number, h: number): void {
    this.path.push([x, y, w, h]);
  }
  moveTo(): void {}
  lineTo(): void {}
  fill(): void {
    for (const r of this.path) this.ops.push(`fill ${String(this.fillStyle)} ${this.box(r)}`);
  }
  stroke(): void {
    for (const r of this.path) this.ops.push(`stroke ${String(this.strokeStyle)} ${this.box(r)}`);
  }
  clip(): void {}
  fillRect(): void {}
  strokeRect(): void {}
  clearRect(): void {}
  setTransform(): void {}
  fillText(s: string, x: number, y: number): void {
    this.ops.push(
      `text ${String(this.fillStyle)} ${s} ${(x + this.dx).toFixed(3)} ${(y + this.dy).toFixed(3)}`,
    );
  }
  setLineDash(): void {}
  private box(r: number[]): string {
    const [x, y, w, h] = r as [number, number, number, number];
    return `${(x + this.dx).toFixed(3)} ${(y + this.dy).toFixed(3)} ${w.toFixed(3)} ${h.toFixed(3)}`;
  }
}

/** Surfaces are recorders; a blit replays a surface's ops onto the chart at the blit position (dpr 1). */
function recordingHost(dpr = 1): ColumnHost & { created: number; blits: number[][] } {
  const host = {
    dpr,
    created: 0,
    blits: [] as number[][],
    createSurface(): ColumnSurface {
      host.created++;
      const ctx = new Recorder();
      return { ctx, resize: () => (ctx.ops.length = 0) };
    },
    blit(target: Ctx2D, s: ColumnSurface, x: number, y: number, w: number, h: number): void {
      host.blits.push([x, y, w, h]);
      const src = s.ctx as Recorder;
      const t = target as Recorder;
      // Re-record the surface's primitives shifted by the blit origin.
      for (const op of src.ops) t.ops.push(shift(op, x, y));
    },
  };
  return host;
}

/** Moves a recorded op (in surface coordinates) to chart coordinates. */
function shift(op: Op, x: number, y: number): Op {
  const parts = op.split(' ');
  if (parts[0] === 'text') {
    const n = parts.length;
    parts[n - 2] = (Number(parts[n - 2]) + x).toFixed(3);
    parts[n - 1] = (Number(parts[n - 1]) + y).toFixed(3);
  } else {
    parts[2] = (Number(parts[2]) + x).toFixed(3);
    parts[3] = (Number(parts[3]) + y).toFixed(3);
  }
  return parts.join(' ');
}

const T = (m: number) => new Date(Date.UTC(2024, 7, 8, 20, m)).toISOString().replace('.000Z', 'Z');
const cell = (bar: number, price: number, buy: number, sell: number, imb: 'buy' | 'sell' | null = null) =>
  ({
    price_level: price,
    buy_volume: buy,
    sell_volume: sell,
    total_volume: buy + sell,
    delta: buy - sell,
    is_imbalanced: imb !== null,
    is_point_of_control: false,
    start_time: T(bar),
    end_time: T(bar + 1),
    buy_trades: 1,
    sell_trades: 1,
    imbalance_side: imb,
  }) satisfies FootprintCellJson;
const body = (cells: FootprintCellJson[]): FootprintData => ({
  symbol: 'BTC',
  timeframe: '1m',
  aggregation: 'TIME',
  row_size: 1,
  bars: cells,
});

/** Bars 0..n−1, bar b trading at prices 100+b .. 104+b with volumes from a small deterministic pattern. */
function market(n: number): FootprintModel {
  const cells: FootprintCellJson[] = [];
  for (let b = 0; b < n; b++)
    for (let p = 0; p < 5; p++)
      cells.push(
        cell(b, 100 + b + p, (b * 7 + p * 3) % 11, (b * 5 + p) % 9, p === 2 && b % 3 === 0 ? 'buy' : null),
      );
  return buildModel(body(cells));
}

const layout = chartLayout(676, 400);
const view = (o: Partial<Viewport> = {}): Viewport => ({
  plot: layout.plot,
  firstBar: 0,
  barSpacing: 60,
  topRow: 112,
  rowHeight: 20,
  ...o,
});
const opts = (mode: DisplayMode = 'bid_ask') => ({ mode, scheme: SCHEMES.classic, theme: THEMES.dark });

/** Cell primitives only: what the cache replaces (everything else is drawn the same way either way). */
function cellOps(model: FootprintModel, v: Viewport, mode: DisplayMode, cache?: ColumnCache): Op[] {
  const ctx = new Recorder();
  drawFootprint(ctx, model, v, layout, {
    ...opts(mode),
    ...(cache === undefined ? {} : { columnCache: cache }),
  });
  return ctx.ops;
}

/**
 * Ops that show in the plot: a cached column holds all its bar's rows (the plot clips the rest), while direct
 * drawing skips rows outside the plot, so both are compared on what intersects the plot.
 */
const inPlot = (op: Op): boolean => {
  const parts = op.split(' ');
  if (parts[0] === 'text') {
    const y = Number(parts[parts.length - 1]);
    return y > 0 && y < layout.plot.height;
  }
  const y = Number(parts[3]);
  const h = Number(parts[5]);
  return y + h > 0 && y < layout.plot.height;
};
const sorted = (ops: Op[]) => ops.filter(inPlot).sort();

describe('column cache', () => {
  test('hand-worked: 3 visible bars, the open one drawn directly, two closed ones cached then copied', () => {
    const model = market(3);
    const host = recordingHost();
    const cache = new ColumnCache(host);
    // 676 − 76 = 600 px plot at 60 px a bar: bars 0..2 visible; bar 2 is the newest (open) one.
    // First frame: settings new since the previous frame (none), so everything is drawn directly; the second
    // too (settings must be unchanged for 2 frames in a row).
    cellOps(model, view(), 'bid_ask', cache);
    cellOps(model, view(), 'bid_ask', cache);
    assert.deepEqual([cache.misses, cache.hits, host.created], [0, 0, 0]);
    // Third frame with the same settings: the two closed bars are painted onto surfaces and copied.
    cellOps(model, view(), 'bid_ask', cache);
    assert.deepEqual([cache.misses, cache.hits, host.created], [2, 0, 2]);
    // Bar 0 spans rows 100..104: its surface starts 1 px left of x = 0 and 1 px above row 104's top,
    // (112 − 105) · 20 = 140 px, and is 60 + 2 px wide, 5 · 20 + 2 px high.
    assert.deepEqual(host.blits[0], [-1, 139, 62, 102]);
    cellOps(model, view({ firstBar: 0.5, topRow: 111 }), 'bid_ask', cache);
    assert.equal(cache.misses, 2, 'a pan repaints nothing');
    assert.equal(cache.hits, 2);
  });

  test('a cached frame paints the same cells, colours, outlines and texts as direct drawing', () => {
    const model = market(12);
    for (const mode of ['bid_ask', 'delta', 'volume', 'profile'] as const) {
      const v = view({ firstBar: 2 });
      const direct = cellOps(model, v, mode);
      const cache = new ColumnCache(recordingHost());
      // Frames 1-2 are drawn directly, frame 3 paints the columns, frame 4 copies them.
      for (let k = 1; k <= 4; k++)
        assert.deepEqual(sorted(cellOps(model, v, mode, cache)), sorted(direct), `${mode}, frame ${k}`);
      assert.ok(cache.misses > 0 && cache.hits > 0);
    }
  });

  test('property: at whole-pixel pans, cached frames equal direct ones whatever the order of pans', () => {
    const model = market(30);
    const cache = new ColumnCache(recordingHost());
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ bar: fc.integer({ min: -5, max: 28 }), row: fc.integer({ min: 100, max: 140 }) }),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        fc.constantFrom(30, 60),
        (pans, spacing) => {
          for (const p of pans) {
            const v = view({ firstBar: p.bar, topRow: p.row, barSpacing: spacing });
            assert.deepEqual(
              sorted(cellOps(model, v, 'bid_ask', cache)),
              sorted(cellOps(model, v, 'bid_ask')),
            );
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  test('stale columns are repainted: mode, zoom and a bar whose data changed', () => {
    const model = market(4);
    const cache = new ColumnCache(recordingHost());
    const thrice = (m: FootprintModel, v: Viewport, mode: DisplayMode) => {
      for (let k = 0; k < 3; k++) cellOps(m, v, mode, cache);
    };
    thrice(model, view(), 'bid_ask');
    // Bars 0..2 are closed and visible: 3 paints; bar 3 is the open one.
    assert.equal(cache.misses, 3);
    cellOps(model, view(), 'delta', cache);
    cellOps(model, view(), 'delta', cache);
    assert.equal(cache.misses, 3, 'the frame where the mode changes and the next are drawn directly');
    cellOps(model, view(), 'delta', cache);
    assert.equal(cache.misses, 6, 'the third frame repaints every column in the new mode');
    // A zoom step, one unchanged frame (a live update), another zoom step: nothing painted for nothing.
    cellOps(model, view({ barSpacing: 50 }), 'delta', cache);
    cellOps(model, view({ barSpacing: 50 }), 'delta', cache);
    cellOps(model, view({ barSpacing: 40 }), 'delta', cache);
    assert.equal(cache.misses, 6);
    thrice(model, view({ rowHeight: 10 }), 'delta');
    assert.equal(cache.misses, 9, 'another row height repaints every column');
    // A live update of bar 1 (its cells change): only that column is repainted. The colour scale top stays the
    // largest visible cell volume, which bar 1's new 1 + 1 does not change.
    const next = mergeUpdate(model, body([cell(1, 101, 1, 1)]));
    assert.equal(next.maxCellVolume, model.maxCellVolume);
    const hits = cache.hits;
    cellOps(next, view({ rowHeight: 10 }), 'delta', cache);
    assert.equal(cache.misses, 10);
    assert.equal(cache.hits, hits + 2);
  });

  test('a device pixel ratio of 2: columns land on whole device pixels, within half a device pixel', () => {
    const model = market(3);
    const host = recordingHost(2);
    const cache = new ColumnCache(host);
    const v = view({ firstBar: 0.3, topRow: 112.13 });
    for (let k = 0; k < 3; k++) cellOps(model, v, 'bid_ask', cache);
    assert.equal(host.blits.length, 2);
    for (const [x, y, w, h] of host.blits as [number, number, number, number][]) {
      for (const d of [x, y, w, h]) assert.ok(Number.isInteger(d * 2), `${d} is on a device pixel`);
      assert.equal(w, 62);
      assert.equal(h, 102);
    }
    // Bar 0's exact left edge − 1 is (0 − 0.3) · 60 − 1 = −19; top: (112.13 − 105) · 20 − 1 = 141.6.
    assert.ok(Math.abs(host.blits[0]![0]! - -19) <= 0.25);
    assert.ok(Math.abs(host.blits[0]![1]! - 141.6) <= 0.25);
  });

  test('the test hook describes the same frame with or without the cache', () => {
    const model = market(8);
    const v = view({ firstBar: 1.5, topRow: 110.5 });
    const a = describeFrame(drawFootprint(new Recorder(), model, v, layout, opts()));
    const cache = new ColumnCache(recordingHost());
    const b = describeFrame(
      drawFootprint(new Recorder(), model, v, layout, { ...opts(), columnCache: cache }),
    );
    assert.deepEqual({ ...b }, { ...a });
  });

  test('columns out of view beyond twice the visible count are recycled', () => {
    const model = market(200);
    const host = recordingHost();
    const cache = new ColumnCache(host);
    // 600 px / 60 px = 10 visible bars; pan across all bars: at most 2·10 + 16 columns kept.
    for (let first = 0; first < 190; first += 10) cellOps(model, view({ firstBar: first }), 'volume', cache);
    assert.ok(cache.size <= 36, `kept ${cache.size}`);
    assert.ok(host.created <= 36 + 16, `created ${host.created}`);
  });
});
