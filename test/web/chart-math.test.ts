// Unit tests of the UI's pure chart code: price→y and bar→x, zoom/pan, visible ranges, cell colours by
// imbalance, the footprint model (grouping, live merge = whole body), drawing and the hit test.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  barToX,
  fitViewport,
  pan,
  rowToY,
  visibleBars,
  visibleRows,
  xToBar,
  yToRow,
  zoomX,
  zoomY,
  type Viewport,
} from '../../web/src/lib/viewport.ts';
import { cellStyle, intensityLevel, INTENSITY_LEVELS, SCHEMES, THEMES } from '../../web/src/lib/colours.ts';
import {
  buildModel,
  mergeUpdate,
  normalizeUpdate,
  rowOfLabel,
  type FootprintModel,
} from '../../web/src/lib/footprint-model.ts';
import {
  chartLayout,
  describeFrame,
  drawFootprint,
  hitTest,
  labelStep,
  type Ctx2D,
} from '../../web/src/lib/footprint-draw.ts';
import { decimalsOf, formatQty } from '../../web/src/lib/format.ts';
import { fitBars, linearScale } from '../../web/src/lib/delta-layout.ts';
import { profileScale } from '../../web/src/lib/profile-layout.ts';
import type { FootprintCellJson, FootprintData } from '../../web/src/api/types.ts';

const view = (o: Partial<Viewport> = {}): Viewport => ({
  plot: { x: 0, y: 0, width: 1000, height: 500 },
  firstBar: 0,
  barSpacing: 100,
  topRow: 50,
  rowHeight: 10,
  ...o,
});

describe('viewport', () => {
  test('hand-worked: row 49 is the top row, row 0 the bottom one, bar 3 starts at 300 px', () => {
    const v = view();
    // Top edge of row r is at (topRow − (r + 1)) · rowHeight: row 49 → (50 − 50)·10 = 0; row 0 → 49·10 = 490.
    assert.equal(rowToY(v, 49), 0);
    assert.equal(rowToY(v, 0), 490);
    assert.equal(yToRow(v, 0), 49);
    assert.equal(yToRow(v, 499.9), 0);
    assert.equal(yToRow(v, 500), -1);
    assert.equal(barToX(v, 3), 300);
    assert.equal(xToBar(v, 399.9), 3);
    // 1000 px / 100 px a bar = bars 0..9; 500 px / 10 px a row = rows 0..49.
    assert.deepEqual(visibleBars(v, 100), { first: 0, last: 9 });
    assert.deepEqual(visibleBars(v, 4), { first: 0, last: 3 });
    assert.deepEqual(visibleRows(v), { low: 0, high: 49 });
  });

  test('fractional view: half bars and half rows at the edges are visible', () => {
    const v = view({ firstBar: 2.5, topRow: 50.5 });
    // Bars 2.5 .. 12.5 → 2..12; rows 0.5 .. 50.5 → 0..50.
    assert.deepEqual(visibleBars(v, 100), { first: 2, last: 12 });
    assert.deepEqual(visibleRows(v), { low: 0, high: 50 });
  });

  test('no bars: the visible range is empty', () => {
    const r = visibleBars(view(), 0);
    assert.ok(r.last < r.first);
  });

  const arbView = fc.record({
    firstBar: fc.double({ min: -50, max: 500, noNaN: true }),
    barSpacing: fc.double({ min: 2, max: 400, noNaN: true }),
    topRow: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    rowHeight: fc.double({ min: 1, max: 80, noNaN: true }),
  });

  test('property: a pixel maps to the bar/row whose span contains it', () => {
    fc.assert(
      fc.property(
        arbView,
        fc.double({ min: 0, max: 999, noNaN: true }),
        fc.double({ min: 0, max: 499, noNaN: true }),
        (o, x, y) => {
          const v = view(o);
          const i = xToBar(v, x);
          const r = yToRow(v, y);
          const eps = 1e-6 * Math.max(1, Math.abs(o.topRow), Math.abs(o.firstBar));
          assert.ok(barToX(v, i) <= x + eps * v.barSpacing && x < barToX(v, i + 1) + eps * v.barSpacing);
          assert.ok(rowToY(v, r) <= y + eps * v.rowHeight && y < rowToY(v, r - 1) + eps * v.rowHeight);
        },
      ),
    );
  });

  test('property: panning moves content with the pointer and pans compose', () => {
    fc.assert(
      fc.property(
        arbView,
        fc.double({ min: -500, max: 500, noNaN: true }),
        fc.double({ min: -500, max: 500, noNaN: true }),
        (o, dx, dy) => {
          const v = view(o);
          const p = pan(v, dx, dy);
          assert.ok(
            Math.abs(barToX(p, 7) - (barToX(v, 7) + dx)) < 1e-6 * (1 + Math.abs(dx) + v.barSpacing * 600),
          );
          assert.ok(
            Math.abs(rowToY(p, 3) - (rowToY(v, 3) + dy)) < 1e-6 * (1 + Math.abs(o.topRow) * v.rowHeight),
          );
          const back = pan(pan(v, dx, dy), -dx, -dy);
          assert.ok(Math.abs(back.firstBar - v.firstBar) < 1e-9 * (1 + Math.abs(v.firstBar) + Math.abs(dx)));
          assert.ok(Math.abs(back.topRow - v.topRow) < 1e-9 * (1 + Math.abs(v.topRow) + Math.abs(dy)));
        },
      ),
    );
  });

  test('property: zoom keeps the bar and price under the anchor fixed and respects the limits', () => {
    fc.assert(
      fc.property(
        arbView,
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 1000, noNaN: true }),
        (o, k, a) => {
          const v = view(o);
          const zx = zoomX(v, k, a);
          const barAt = (w: Viewport) => w.firstBar + (a - w.plot.x) / w.barSpacing;
          assert.ok(Math.abs(barAt(zx) - barAt(v)) < 1e-9 * (1 + Math.abs(barAt(v))));
          assert.ok(zx.barSpacing >= 2 && zx.barSpacing <= 400);
          const ay = a / 2;
          const zy = zoomY(v, k, ay);
          const rowAt = (w: Viewport) => w.topRow - (ay - w.plot.y) / w.rowHeight;
          assert.ok(Math.abs(rowAt(zy) - rowAt(v)) < 1e-9 * (1 + Math.abs(rowAt(v))));
          assert.ok(zy.rowHeight >= 1 && zy.rowHeight <= 80);
        },
      ),
    );
  });

  test('fit: shows the last bars and all their rows', () => {
    const bars = Array.from({ length: 30 }, (_, i) => ({ lowRow: 100 + i, highRow: 110 + i }));
    const v = fitViewport({ x: 0, y: 0, width: 1000, height: 500 }, bars, 100);
    // 10 columns fit; one is left free for the live bar: bars 21..29.
    assert.equal(v.firstBar, 21);
    const { low, high } = visibleRows(v);
    assert.ok(low <= 121 && high >= 139, `rows ${low}..${high} cover 121..139`);
  });
});

describe('cell colours', () => {
  test('intensity levels: zero and empty scales are 0, any positive value at least 1, the max is the top', () => {
    assert.equal(intensityLevel(0, 10), 0);
    assert.equal(intensityLevel(5, 0), 0);
    assert.equal(intensityLevel(-3, 10), 0);
    assert.equal(intensityLevel(1e-9, 10), 1);
    assert.equal(intensityLevel(10, 10), INTENSITY_LEVELS);
    // 5 / 10 · 8 = 4 exactly; 5.01 / 10 · 8 = 4.008 → ceil 5.
    assert.equal(intensityLevel(5, 10), 4);
    assert.equal(intensityLevel(5.01, 10), 5);
  });

  test('imbalance takes its side at full intensity with an outline, in every mode', () => {
    for (const mode of ['bid_ask', 'delta', 'volume', 'profile'] as const) {
      const b = cellStyle({ buy: 1, sell: 9, imbalance: 'buy' }, mode, SCHEMES.classic, THEMES.dark, 100);
      assert.equal(b.hue, 'buy');
      assert.equal(b.level, INTENSITY_LEVELS);
      assert.equal(b.outline, 'rgb(38,166,154)');
      const s = cellStyle(
        { buy: 9, sell: 1, imbalance: 'sell' },
        mode,
        SCHEMES.colorblind,
        THEMES.light,
        100,
      );
      assert.equal(s.hue, 'sell');
      assert.equal(s.outline, 'rgb(230,159,0)');
      assert.equal(
        cellStyle({ buy: 1, sell: 1, imbalance: 'both' }, mode, SCHEMES.classic, THEMES.dark, 100).hue,
        'neutral',
      );
    }
  });

  test('delta modes: the hue of the sign, zero delta neutral, nothing traded unpainted', () => {
    const st = (buy: number, sell: number) =>
      cellStyle({ buy, sell, imbalance: null }, 'delta', SCHEMES.classic, THEMES.dark, 10);
    assert.equal(st(6, 1).hue, 'buy');
    // |6 − 1| / 10 · 8 = 4.
    assert.equal(st(6, 1).level, 4);
    assert.equal(st(1, 6).hue, 'sell');
    assert.equal(st(3, 3).hue, 'neutral');
    assert.equal(st(3, 3).level, 1);
    assert.equal(st(0, 0).hue, 'none');
    assert.equal(st(0, 0).level, 0);
  });

  test('volume mode: neutral hue by total volume; text stays readable on its fill', () => {
    const s = cellStyle({ buy: 10, sell: 0, imbalance: null }, 'volume', SCHEMES.classic, THEMES.dark, 10);
    assert.equal(s.hue, 'neutral');
    assert.equal(s.level, INTENSITY_LEVELS);
    const light = cellStyle(
      { buy: 0.1, sell: 0, imbalance: null },
      'volume',
      SCHEMES.classic,
      THEMES.light,
      10,
    );
    assert.equal(light.text, '#000000');
  });

  test('the colour-blind scheme never uses red and green as its pair', () => {
    const { buy, sell } = SCHEMES.colorblind;
    // Okabe–Ito blue (0,114,178) and orange (230,159,0): blue dominates buy, red+green (orange) sell.
    assert.ok(buy[2] > buy[0] && buy[2] > buy[1]);
    assert.ok(sell[0] > sell[2] && sell[1] > sell[2]);
  });
});

const cell = (
  start: string,
  end: string,
  price: number,
  buy: number,
  sell: number,
  extra: Partial<FootprintCellJson> = {},
): FootprintCellJson => ({
  price_level: price,
  buy_volume: buy,
  sell_volume: sell,
  total_volume: Number((buy + sell).toFixed(8)),
  delta: Number((buy - sell).toFixed(8)),
  is_imbalanced: false,
  is_point_of_control: false,
  start_time: start,
  end_time: end,
  buy_trades: 1,
  sell_trades: 1,
  imbalance_side: null,
  ...extra,
});

const T = (m: number) => new Date(Date.UTC(2024, 7, 8, 23, m)).toISOString().replace('.000Z', 'Z');

function body(cells: FootprintCellJson[], extra: Partial<FootprintData> = {}): FootprintData {
  return { symbol: 'BTC', timeframe: '1m', aggregation: 'TIME', row_size: 0.5, bars: cells, ...extra };
}

describe('footprint model', () => {
  test('groups the flat cell list into bars in time order with ascending rows', () => {
    const m = buildModel(
      body([
        cell(T(2), T(3), 100.5, 1, 0),
        cell(T(1), T(2), 100, 2, 1, { is_point_of_control: true }),
        cell(T(1), T(2), 99.5, 0.5, 0),
        cell(T(2), T(3), 100, 0, 3, { is_point_of_control: true }),
      ]),
    );
    assert.deepEqual(
      m.bars.map((b) => b.key),
      [T(1), T(2)],
    );
    // 100 / 0.5 = 200, 99.5 / 0.5 = 199, 100.5 / 0.5 = 201.
    assert.deepEqual(
      m.bars[0]!.cells.map((c) => c.row),
      [199, 200],
    );
    assert.deepEqual(
      m.bars[1]!.cells.map((c) => c.row),
      [200, 201],
    );
    assert.equal(m.bars[0]!.pocRow, 200);
    assert.equal(m.bars[1]!.maxCellVolume, 3);
    assert.equal(m.maxCellVolume, 3);
  });

  test('row of a label rounds the float quotient (0.07 / 0.01 is 7.000000000000001)', () => {
    assert.equal(rowOfLabel(0.07, 0.01), 7);
    assert.equal(rowOfLabel(61837.63, 0.01), 6183763);
    assert.equal(rowOfLabel(0.29, 0.01), 29);
  });

  test('property: merging per-bar live updates (service format) equals the model of the whole body', () => {
    const arbCells = fc.array(
      fc.record({
        m: fc.integer({ min: 0, max: 6 }),
        row: fc.integer({ min: 190, max: 210 }),
        buy: fc.nat(50),
        sell: fc.nat(50),
      }),
      { minLength: 1, maxLength: 60 },
    );
    fc.assert(
      fc.property(arbCells, fc.integer({ min: 1, max: 6 }), (raw, split) => {
        const seen = new Set<string>();
        const cells = raw
          .filter((c) => (seen.has(`${c.m}|${c.row}`) ? false : (seen.add(`${c.m}|${c.row}`), true)))
          .map((c) => cell(T(c.m), T(c.m + 1), c.row * 0.5, c.buy, c.sell));
        const whole = buildModel(body(cells));
        // History = bars before minute `split`; each later bar arrives as one footprint_update.
        let m = buildModel(body(cells.filter((c) => Date.parse(c.start_time) < Date.parse(T(split)))));
        for (let k = split; k <= 6; k++) {
          const bars = cells.filter((c) => c.start_time === T(k));
          if (bars.length === 0) continue;
          const upd = normalizeUpdate({
            channel: 'orderflow',
            symbol: 'BTC',
            timeframe: '1m',
            aggregation: 'TIME',
            price_tick_size: 0.5,
            bars,
          });
          assert.ok(upd);
          m = mergeUpdate(m, upd);
        }
        const shape = (x: FootprintModel) =>
          x.bars.map((b) => [b.key, b.cells.map((c) => [c.row, c.json.buy_volume, c.json.sell_volume])]);
        assert.deepEqual(shape(m), shape(whole));
        assert.equal(m.maxCellVolume, whole.maxCellVolume);
      }),
    );
  });

  test('a replaced live bar replaces its cells; a later bar trading inside a zone closes it; a covering bar covers a naked POC', () => {
    const m0 = buildModel(
      body([cell(T(1), T(2), 100, 5, 0), cell(T(1), T(2), 100.5, 5, 0)], {
        stacked_imbalances: [
          { side: 'buy', low: 100, high: 101, rows: 3, bar_start: T(1), active: true, touched_at: null },
        ],
        naked_pocs: [{ bar_start: T(1), price: 100, naked_until: null }],
      }),
    );
    assert.equal(m0.zones[0]!.touchedBarKey, null);
    const m1 = mergeUpdate(m0, body([cell(T(2), T(3), 105, 1, 1)]));
    assert.equal(m1.zones[0]!.touchedBarKey, null, 'a print at 105 is outside 100..101');
    assert.equal(m1.nakedPocs[0]!.coveredBarKey, null);
    const m2 = mergeUpdate(m1, body([cell(T(2), T(3), 105, 1, 1), cell(T(2), T(3), 100.5, 2, 0)]));
    assert.equal(m2.bars[1]!.cells.length, 2, 'the bar was replaced, not appended to');
    assert.equal(m2.zones[0]!.touchedBarKey, T(2));
    assert.equal(m2.nakedPocs[0]!.coveredBarKey, null, 'rows 201..210 do not cover row 200');
    const m3 = mergeUpdate(m2, body([cell(T(3), T(4), 99.5, 1, 0), cell(T(3), T(4), 101, 1, 0)]));
    assert.equal(m3.nakedPocs[0]!.coveredBarKey, T(3), 'rows 199..202 cover row 200');
  });

  test('an update on another grid is recognised by normalizeUpdate + sameGrid inputs', () => {
    assert.equal(normalizeUpdate(null), null);
    assert.equal(normalizeUpdate({ bars: 'x' }), null);
    const u = normalizeUpdate({
      symbol: 'BTC',
      timeframe: '5m',
      bars: [],
      bar: { start_time: T(0) },
      price_tick_size: 1,
    });
    assert.equal(u?.row_size, 1);
    assert.equal(u?.bar_stats?.length, 1);
  });
});

/** A context that records the calls the drawing makes. */
function recorder(): Ctx2D & { calls: string[]; rects: number[][]; fills: string[] } {
  const calls: string[] = [];
  const rects: number[][] = [];
  const fills: string[] = [];
  let fillStyle: unknown = '';
  return {
    calls,
    rects,
    fills,
    get fillStyle() {
      return fillStyle;
    },
    set fillStyle(v: unknown) {
      fillStyle = v;
    },
    strokeStyle: '',
    lineWidth: 1,
    font: '',
    textAlign: 'left',
    textBaseline: 'top',
    globalAlpha: 1,
    save: () => calls.push('save'),
    restore: () => calls.push('restore'),
    beginPath: () => calls.push('beginPath'),
    rect: (...a: number[]) => rects.push(a),
    moveTo: () => {},
    lineTo: () => {},
    fill: () => fills.push(String(fillStyle)),
    stroke: () => calls.push('stroke'),
    clip: () => calls.push('clip'),
    fillRect: () => {},
    strokeRect: () => {},
    clearRect: () => {},
    fillText: (s: string) => calls.push(`text:${s}`),
    setLineDash: () => {},
  };
}

describe('drawing and hit test', () => {
  const model = buildModel(
    body([
      cell(T(1), T(2), 100, 2, 1, { is_point_of_control: true }),
      cell(T(1), T(2), 100.5, 0, 4, { is_imbalanced: true, imbalance_side: 'sell' }),
      cell(T(2), T(3), 101, 3, 0, { is_point_of_control: true }),
    ]),
  );
  const layout = chartLayout(676, 400);
  const v: Viewport = { plot: layout.plot, firstBar: 0, barSpacing: 100, topRow: 205, rowHeight: 20 };

  test('the frame description lists exactly the visible cells with their API numbers', () => {
    const ctx = recorder();
    const f = drawFootprint(ctx, model, v, layout, {
      mode: 'bid_ask',
      scheme: SCHEMES.classic,
      theme: THEMES.dark,
    });
    const d = describeFrame(f);
    // plot height 400 − 46 − 18 = 336 px / 20 = 16.8 rows: rows 188..204 (205 − 16.8 = 188.2 → floor 188).
    assert.deepEqual(d.rows, { low: 188, high: 204 });
    assert.deepEqual(
      d.cells.map((c) => [c.start_time, c.price, c.buy, c.sell]),
      [
        [T(1), 100, 2, 1],
        [T(1), 100.5, 0, 4],
        [T(2), 101, 3, 0],
      ],
    );
    // Row 200 top = (205 − 201) · 20 = 80, centre 90; bar 0 centre 50.
    assert.equal(d.cells[0]!.cy, 90);
    assert.equal(d.cells[0]!.cx, 50);
    // Columns of 100 px and rows of 20 px hold text: "1 × 2" is sell × buy.
    assert.ok(ctx.calls.includes('text:1 × 2'));
    assert.ok(ctx.calls.includes('text:4 × 0'));
  });

  test('cells batch into one fill per colour', () => {
    const ctx = recorder();
    drawFootprint(ctx, model, v, layout, { mode: 'volume', scheme: SCHEMES.classic, theme: THEMES.dark });
    assert.equal(new Set(ctx.fills).size, ctx.fills.length, 'each colour filled once');
  });

  test('narrow columns draw colour without text', () => {
    const ctx = recorder();
    const f = drawFootprint(ctx, model, { ...v, barSpacing: 20 }, layout, {
      mode: 'delta',
      scheme: SCHEMES.classic,
      theme: THEMES.dark,
    });
    assert.equal(f.text, false);
    assert.ok(!ctx.calls.some((c) => c === 'text:1' || c === 'text:-4'));
  });

  test('hit test: the cell under a point, an empty row, outside the data', () => {
    const h = hitTest(model, v, 50, 90);
    assert.equal(h?.bar.key, T(1));
    assert.equal(h?.row, 200);
    assert.equal(h?.cell?.json.buy_volume, 2);
    const empty = hitTest(model, v, 150, 90);
    assert.equal(empty?.row, 200);
    assert.equal(empty?.cell, undefined, 'bar 2 did not trade at 100');
    assert.equal(hitTest(model, v, 250, 90), null, 'no third bar');
    assert.equal(hitTest(model, v, 650, 90), null, 'price axis');
  });

  test('label step: 1-2-5 steps at least 36 px apart', () => {
    assert.equal(labelStep(40), 1);
    assert.equal(labelStep(20), 2);
    assert.equal(labelStep(8), 5);
    assert.equal(labelStep(1), 50);
  });
});

describe('profile, delta and format helpers', () => {
  test('profile scale: rows fill the rectangle, the largest level spans the width', () => {
    const s = profileScale(
      [
        { price: 10, volume: 4 },
        { price: 10.5, volume: 8 },
        { price: 12, volume: 2 },
      ],
      0.5,
      { x: 0, y: 0, width: 200, height: 100 },
    );
    // Rows 20..24 → 5 rows of 20 px; row 24 on top.
    assert.equal(s.rowHeight, 20);
    assert.equal(s.rowToY(24), 0);
    assert.equal(s.rowToY(20), 80);
    assert.equal(s.barLength(8), 200);
    assert.equal(s.barLength(2), 50);
    assert.equal(s.barLength(0), 0);
  });

  test('linear scale and bar fitting', () => {
    const y = linearScale(-10, 10, 100, 0);
    assert.equal(y(0), 50);
    assert.equal(y(10), 0);
    assert.equal(linearScale(3, 3, 0, 100)(3), 50);
    assert.deepEqual(fitBars(10, 100), { first: 0, spacing: 10 });
    // 100 bars in 150 px at ≥ 3 px: 50 fit, the last 50.
    assert.deepEqual(fitBars(100, 150), { first: 50, spacing: 3 });
  });

  test('formatting', () => {
    assert.equal(decimalsOf(0.01), 2);
    assert.equal(decimalsOf(5), 0);
    assert.equal(decimalsOf(1e-7), 7);
    assert.equal(formatQty(0), '0');
    assert.equal(formatQty(1.23456), '1.235');
    assert.equal(formatQty(-12.34), '-12.3');
    assert.equal(formatQty(12345), '12.3k');
    assert.equal(formatQty(0.0001), '<0.001');
  });
});
