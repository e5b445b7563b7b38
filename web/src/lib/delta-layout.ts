// Geometry and drawing of the delta pane: CVD as candles or a line, the bar-delta histogram around zero and
// divergence marks. Pure over an injected context.

import type { DeltaBarJson, DivergenceJson } from '../api/types.ts';
import { rgb, type Scheme, type Theme } from './colours.ts';
import type { Ctx2D } from './footprint-draw.ts';
import { formatQty } from './format.ts';

export type CvdStyle = 'candles' | 'line';

/** Linear map of [d0, d1] onto [r0, r1]; a degenerate domain maps to the middle of the range. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** The last bars that fit at `minSpacing` pixels: which slice to draw and each bar's column width. */
export function fitBars(count: number, width: number, minSpacing = 3): { first: number; spacing: number } {
  if (count === 0) return { first: 0, spacing: width };
  const spacing = Math.max(minSpacing, width / count);
  const fit = Math.floor(width / spacing);
  return { first: Math.max(0, count - fit), spacing };
}

export function cvdRange(bars: readonly DeltaBarJson[]): { low: number; high: number } {
  let low = Infinity;
  let high = -Infinity;
  for (const b of bars) {
    low = Math.min(low, b.cvd_low, b.cvd_open, b.cvd_close);
    high = Math.max(high, b.cvd_high, b.cvd_open, b.cvd_close);
  }
  return Number.isFinite(low) ? { low, high } : { low: 0, high: 0 };
}

export interface DeltaFrame {
  readonly bars: number;
  readonly first: number;
  readonly divergenceMarks: number;
}

export function drawDelta(
  ctx: Ctx2D,
  bars: readonly DeltaBarJson[],
  divergences: readonly DivergenceJson[],
  width: number,
  height: number,
  style: CvdStyle,
  theme: Theme,
  scheme: Scheme,
): DeltaFrame {
  ctx.fillStyle = rgb(theme.background);
  ctx.fillRect(0, 0, width, height);
  const axisW = 64;
  const plotW = Math.max(10, width - axisW);
  const cvdH = Math.round(height * 0.6);
  const histTop = cvdH + 6;
  const histH = height - histTop - 2;
  const { first, spacing } = fitBars(bars.length, plotW);
  const shown = bars.slice(first);
  const { low, high } = cvdRange(shown);
  const y = linearScale(low, high, cvdH - 4, 4);
  let maxAbs = 0;
  for (const b of shown) maxAbs = Math.max(maxAbs, Math.abs(b.delta));
  const hy = linearScale(-maxAbs, maxAbs, histTop + histH, histTop);
  const buy = rgb(scheme.buy);
  const sell = rgb(scheme.sell);
  const index = new Map(shown.map((b, i) => [b.start_time, i] as const));
  const xOf = (i: number) => i * spacing;

  ctx.strokeStyle = theme.grid;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(0, Math.round(hy(0)) + 0.5);
  ctx.lineTo(plotW, Math.round(hy(0)) + 0.5);
  ctx.moveTo(0, cvdH + 2.5);
  ctx.lineTo(plotW, cvdH + 2.5);
  ctx.stroke();

  if (style === 'line') {
    ctx.strokeStyle = theme.text;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    shown.forEach((b, i) =>
      i === 0
        ? ctx.moveTo(xOf(i) + spacing / 2, y(b.cvd_close))
        : ctx.lineTo(xOf(i) + spacing / 2, y(b.cvd_close)),
    );
    ctx.stroke();
  } else {
    shown.forEach((b, i) => {
      const up = b.cvd_close >= b.cvd_open;
      const cx = Math.round(xOf(i) + spacing / 2) + 0.5;
      ctx.strokeStyle = up ? buy : sell;
      ctx.fillStyle = up ? buy : sell;
      ctx.beginPath();
      ctx.moveTo(cx, y(b.cvd_high));
      ctx.lineTo(cx, y(b.cvd_low));
      ctx.stroke();
      const top = y(Math.max(b.cvd_open, b.cvd_close));
      const bodyH = Math.max(1, y(Math.min(b.cvd_open, b.cvd_close)) - top);
      ctx.fillRect(xOf(i) + spacing * 0.15, top, Math.max(1, spacing * 0.7), bodyH);
    });
  }
  shown.forEach((b, i) => {
    ctx.fillStyle = b.delta >= 0 ? buy : sell;
    const y0 = hy(0);
    const y1 = hy(b.delta);
    ctx.fillRect(
      xOf(i) + spacing * 0.1,
      Math.min(y0, y1),
      Math.max(1, spacing * 0.8),
      Math.max(1, Math.abs(y1 - y0)),
    );
  });

  let marks = 0;
  ctx.font = '10px sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (const d of divergences) {
    const bearish = d.direction.startsWith('bear') || d.direction === 'down';
    ctx.fillStyle = bearish ? sell : buy;
    ctx.strokeStyle = bearish ? sell : buy;
    if (d.kind === 'bar') {
      const i = index.get(d.bar_start);
      if (i === undefined) continue;
      ctx.fillText(bearish ? '▼' : '▲', xOf(i) + spacing / 2, bearish ? histTop + 6 : histTop + histH - 6);
      marks++;
    } else {
      const i1 = indexAt(shown, d.first.time);
      const i2 = indexAt(shown, d.second.time);
      if (i1 === undefined || i2 === undefined) continue;
      ctx.lineWidth = 1.5;
      ctx.setLineDash([3, 2]);
      ctx.beginPath();
      ctx.moveTo(xOf(i1) + spacing / 2, y(d.first.cvd));
      ctx.lineTo(xOf(i2) + spacing / 2, y(d.second.cvd));
      ctx.stroke();
      ctx.setLineDash([]);
      marks++;
    }
  }
  ctx.fillStyle = rgb(theme.background);
  ctx.fillRect(plotW, 0, axisW, height);
  ctx.fillStyle = theme.mutedText;
  ctx.textAlign = 'left';
  ctx.font = '10px ui-monospace, Menlo, Consolas, monospace';
  ctx.fillText(`CVD ${formatQty(high)}`, plotW + 4, 10);
  ctx.fillText(formatQty(low), plotW + 4, cvdH - 6);
  ctx.fillText(`Δ ±${formatQty(maxAbs)}`, plotW + 4, histTop + 8);
  return { bars: shown.length, first, divergenceMarks: marks };
}

/** Index of the bar containing an RFC3339 time among bars in time order. */
function indexAt(bars: readonly DeltaBarJson[], time: string): number | undefined {
  const t = Date.parse(time);
  let found: number | undefined;
  for (let i = 0; i < bars.length; i++) if (Date.parse(bars[i]!.start_time) <= t) found = i;
  return found;
}
