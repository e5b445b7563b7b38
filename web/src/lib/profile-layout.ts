// Geometry and drawing of a volume profile: rows fitted to a rectangle, bar lengths by volume, value-area band,
// POC/VAH/VAL lines, HVN/LVN marks and support/resistance levels. Pure over an injected context.

import type { ProfileData } from '../api/types.ts';
import { mix, rgb, type Scheme, type Theme } from './colours.ts';
import type { Ctx2D } from './footprint-draw.ts';
import { rowOfLabel } from './footprint-model.ts';
import { formatPrice, formatQty } from './format.ts';
import type { Rect } from './viewport.ts';

export interface ProfileScale {
  readonly lowRow: number;
  readonly highRow: number;
  readonly rowHeight: number;
  /** Top edge of a row (rows grow upwards). */
  rowToY(row: number): number;
  /** Bar length of a volume: the largest level spans the whole width. */
  barLength(volume: number): number;
}

export function profileScale(
  levels: readonly { readonly price: number; readonly volume: number }[],
  rowSize: number,
  rect: Rect,
): ProfileScale {
  let low = Infinity;
  let high = -Infinity;
  let max = 0;
  for (const l of levels) {
    const r = rowOfLabel(l.price, rowSize);
    low = Math.min(low, r);
    high = Math.max(high, r);
    max = Math.max(max, l.volume);
  }
  if (!Number.isFinite(low)) [low, high] = [0, 0];
  const rowHeight = rect.height / (high - low + 1);
  return {
    lowRow: low,
    highRow: high,
    rowHeight,
    rowToY: (row) => rect.y + (high - row) * rowHeight,
    barLength: (v) => (max > 0 && v > 0 ? (rect.width * v) / max : 0),
  };
}

/** Row size of a profile body: `row_size`, else the smallest gap between level prices, else 1. */
export function profileRowSize(data: ProfileData): number {
  if (data.row_size !== undefined && data.row_size > 0) return data.row_size;
  const p = data.price_levels.map((l) => l.price).sort((a, b) => a - b);
  let best = Infinity;
  for (let i = 1; i < p.length; i++) best = Math.min(best, p[i]! - p[i - 1]!);
  return Number.isFinite(best) && best > 0 ? Number(best.toPrecision(12)) : 1;
}

export const PROFILE_LABEL_WIDTH = 70;
/** Support and resistance lines drawn on each side of the last price. */
export const MAX_SR_LINES = 3;

export interface ProfileFrame {
  readonly rows: number;
  readonly poc: number | null;
  readonly vah: number | null;
  readonly val: number | null;
}

export function drawProfile(
  ctx: Ctx2D,
  data: ProfileData,
  width: number,
  height: number,
  theme: Theme,
  scheme: Scheme,
): ProfileFrame {
  ctx.fillStyle = rgb(theme.background);
  ctx.fillRect(0, 0, width, height);
  const rowSize = profileRowSize(data);
  const plot: Rect = {
    x: PROFILE_LABEL_WIDTH,
    y: 4,
    width: Math.max(10, width - PROFILE_LABEL_WIDTH - 4),
    height: Math.max(10, height - 8),
  };
  const s = profileScale(data.price_levels, rowSize, plot);
  const p = data.profile;
  const yOf = (price: number) => s.rowToY(rowOfLabel(price, rowSize));
  const h = Math.max(1, s.rowHeight - (s.rowHeight >= 4 ? 1 : 0));

  if (p.value_area_high !== null && p.value_area_low !== null) {
    ctx.fillStyle = theme.valueArea;
    const top = yOf(p.value_area_high);
    ctx.fillRect(0, top, width, yOf(p.value_area_low) + s.rowHeight - top);
  }
  for (const l of data.price_levels) {
    const y = yOf(l.price);
    const len = s.barLength(l.volume);
    const buyLen = l.volume > 0 ? (len * l.buy_volume) / l.volume : 0;
    const t = l.is_value_area ? 0.85 : 0.5;
    ctx.fillStyle = mix(theme.background, scheme.sell, t);
    ctx.fillRect(plot.x, y, len - buyLen, h);
    ctx.fillStyle = mix(theme.background, scheme.buy, t);
    ctx.fillRect(plot.x + len - buyLen, y, buyLen, h);
    if ((l.is_hvn || l.is_lvn === true) && s.rowHeight >= 8) {
      ctx.fillStyle = l.is_hvn ? theme.text : theme.mutedText;
      ctx.font = '9px ui-monospace, Menlo, Consolas, monospace';
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      ctx.fillText(l.is_hvn ? 'HVN ◆' : 'LVN ◇', width - 4, y + s.rowHeight / 2);
    }
  }
  const line = (price: number | null, colour: string, label: string, dash: number[]) => {
    if (price === null) return;
    const y = Math.round(yOf(price) + s.rowHeight / 2) + 0.5;
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1;
    ctx.setLineDash(dash);
    ctx.beginPath();
    ctx.moveTo(plot.x, y);
    ctx.lineTo(width, y);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = colour;
    ctx.font = '10px ui-monospace, Menlo, Consolas, monospace';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText(`${label} ${formatPrice(price, rowSize)}`, 2, y, PROFILE_LABEL_WIDTH - 4);
  };
  // The nearest levels only: a fine grid can have hundreds of HVNs and the lines would hide the profile.
  for (const sp of (data.support_levels ?? []).slice(0, MAX_SR_LINES)) line(sp, rgb(scheme.buy), 'S', [2, 3]);
  for (const r of (data.resistance_levels ?? []).slice(0, MAX_SR_LINES))
    line(r, rgb(scheme.sell), 'R', [2, 3]);
  line(p.value_area_high, theme.mutedText, 'VAH', [5, 3]);
  line(p.value_area_low, theme.mutedText, 'VAL', [5, 3]);
  line(p.point_of_control, theme.poc, 'POC', []);
  ctx.fillStyle = theme.mutedText;
  ctx.font = '10px ui-monospace, Menlo, Consolas, monospace';
  ctx.textAlign = 'right';
  ctx.textBaseline = 'top';
  ctx.fillText(`vol ${formatQty(p.total_volume)}`, width - 4, 4);
  return {
    rows: data.price_levels.length,
    poc: p.point_of_control,
    vah: p.value_area_high,
    val: p.value_area_low,
  };
}
