// The chart's coordinate system: bar index ↔ x and row ↔ y, with zoom and pan on both axes and the visible
// ranges. Pure numbers, so panning and hit-testing are unit-tested without a browser.

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Viewport {
  /** Plot area in CSS pixels. */
  readonly plot: Rect;
  /** Bar index (fractional) at the plot's left edge. */
  readonly firstBar: number;
  /** Pixels per bar column, gap included. */
  readonly barSpacing: number;
  /** Row value (fractional) at the plot's top edge; rows grow upwards in price. */
  readonly topRow: number;
  /** Pixels per row. */
  readonly rowHeight: number;
}

export const MIN_BAR_SPACING = 2;
export const MAX_BAR_SPACING = 400;
export const MIN_ROW_HEIGHT = 1;
export const MAX_ROW_HEIGHT = 80;

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** Left edge of bar `i`'s column. */
export const barToX = (v: Viewport, i: number): number => v.plot.x + (i - v.firstBar) * v.barSpacing;

/** Bar index under x (floor), which may be outside the data. */
export const xToBar = (v: Viewport, x: number): number =>
  Math.floor(v.firstBar + (x - v.plot.x) / v.barSpacing);

/** Top edge of row `r` (the row covers prices [r, r + 1) in row units, so its top is at r + 1). */
export const rowToY = (v: Viewport, r: number): number => v.plot.y + (v.topRow - (r + 1)) * v.rowHeight;

/** Row under y: a row owns [its top edge, the next row's top edge), so y on a boundary is the lower row's. */
export const yToRow = (v: Viewport, y: number): number =>
  Math.ceil(v.topRow - (y - v.plot.y) / v.rowHeight) - 1;

/** Price (in row units, fractional) at y: for the price axis. */
export const yToRowValue = (v: Viewport, y: number): number => v.topRow - (y - v.plot.y) / v.rowHeight;

/** Bars whose columns intersect the plot, clipped to [0, barCount); `last < first` when none. */
export function visibleBars(v: Viewport, barCount: number): { first: number; last: number } {
  const first = Math.max(0, Math.floor(v.firstBar));
  const last = Math.min(barCount - 1, Math.ceil(v.firstBar + v.plot.width / v.barSpacing) - 1);
  return { first, last };
}

/** Rows intersecting the plot (inclusive). */
export function visibleRows(v: Viewport): { low: number; high: number } {
  return {
    low: Math.floor(v.topRow - v.plot.height / v.rowHeight),
    high: Math.ceil(v.topRow) - 1,
  };
}

/** Pans by a drag of (dx, dy) pixels: content follows the pointer. */
export function pan(v: Viewport, dx: number, dy: number): Viewport {
  return { ...v, firstBar: v.firstBar - dx / v.barSpacing, topRow: v.topRow + dy / v.rowHeight };
}

/** Zooms the time axis by `factor` keeping the bar under `anchorX` fixed. */
export function zoomX(v: Viewport, factor: number, anchorX: number): Viewport {
  const spacing = clamp(v.barSpacing * factor, MIN_BAR_SPACING, MAX_BAR_SPACING);
  const at = v.firstBar + (anchorX - v.plot.x) / v.barSpacing;
  return { ...v, barSpacing: spacing, firstBar: at - (anchorX - v.plot.x) / spacing };
}

/** Zooms the price axis by `factor` keeping the price under `anchorY` fixed. */
export function zoomY(v: Viewport, factor: number, anchorY: number): Viewport {
  const h = clamp(v.rowHeight * factor, MIN_ROW_HEIGHT, MAX_ROW_HEIGHT);
  const at = v.topRow - (anchorY - v.plot.y) / v.rowHeight;
  return { ...v, rowHeight: h, topRow: at + (anchorY - v.plot.y) / h };
}

/** Same viewport over a resized plot, keeping the right edge (newest bars) and the vertical centre in place. */
export function resize(v: Viewport, plot: Rect): Viewport {
  const rightBar = v.firstBar + v.plot.width / v.barSpacing;
  const midRow = v.topRow - v.plot.height / 2 / v.rowHeight;
  return {
    ...v,
    plot,
    firstBar: rightBar - plot.width / v.barSpacing,
    topRow: midRow + plot.height / 2 / v.rowHeight,
  };
}

/**
 * A viewport showing the last bars at `barSpacing` (fewer when they all fit) with the rows of the visible
 * bars fitted vertically (one row of margin above and below).
 */
export function fitViewport(
  plot: Rect,
  bars: readonly { readonly lowRow: number; readonly highRow: number }[],
  barSpacing: number,
): Viewport {
  const spacing = clamp(barSpacing, MIN_BAR_SPACING, MAX_BAR_SPACING);
  const fit = Math.max(1, Math.floor(plot.width / spacing));
  // Leave a column free on the right for the live bar to grow into.
  const firstBar = Math.max(0, bars.length + 1 - fit);
  let low = Infinity;
  let high = -Infinity;
  for (let i = Math.floor(firstBar); i < bars.length; i++) {
    const b = bars[i]!;
    if (b.highRow < b.lowRow) continue;
    low = Math.min(low, b.lowRow);
    high = Math.max(high, b.highRow);
  }
  if (!Number.isFinite(low)) [low, high] = [0, 0];
  const rows = high - low + 3;
  const rowHeight = clamp(plot.height / rows, MIN_ROW_HEIGHT, MAX_ROW_HEIGHT);
  const mid = (low + high + 1) / 2;
  return { plot, firstBar, barSpacing: spacing, topRow: mid + plot.height / 2 / rowHeight, rowHeight };
}

/** Whether the newest bar is in view: live updates then keep the view following the right edge. */
export function followsRightEdge(v: Viewport, barCount: number): boolean {
  return v.firstBar + v.plot.width / v.barSpacing >= barCount - 0.5;
}

/** Shifts the view right by `n` bars (new bars arrived while following the right edge). */
export const scrollBars = (v: Viewport, n: number): Viewport => ({ ...v, firstBar: v.firstBar + n });

/** Rows kept free above and below the newest bar while following it. */
export const FOLLOW_MARGIN_ROWS = 1;

/**
 * The view following the newest bar (live, until the user pans away): its column at the right with one free
 * column to grow into, as fitViewport places it, and its rows inside the plot. The vertical move is the smallest
 * that brings the bar's rows (plus FOLLOW_MARGIN_ROWS) into view, so the user's price zoom and a steady market
 * leave the view still; a bar taller than the plot is centred on `focusRow` (its last price) instead.
 */
export function followLatest(
  v: Viewport,
  bars: readonly { readonly lowRow: number; readonly highRow: number }[],
  focusRow?: number,
): Viewport {
  const fit = Math.max(1, Math.floor(v.plot.width / v.barSpacing));
  const firstBar = Math.max(0, bars.length + 1 - fit);
  const last = bars.at(-1);
  if (last === undefined || last.highRow < last.lowRow) return { ...v, firstBar };
  const visible = v.plot.height / v.rowHeight;
  const want = { top: last.highRow + 1 + FOLLOW_MARGIN_ROWS, bottom: last.lowRow - FOLLOW_MARGIN_ROWS };
  let topRow = v.topRow;
  if (want.top - want.bottom > visible) {
    const focus = focusRow ?? (last.lowRow + last.highRow) / 2;
    topRow = focus + 0.5 + visible / 2;
  } else if (topRow < want.top) topRow = want.top;
  else if (topRow - visible > want.bottom) topRow = want.bottom + visible;
  return { ...v, firstBar, topRow };
}
