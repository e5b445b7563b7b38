// Draws a footprint model onto a 2D canvas context through a viewport, and describes what it drew (the test
// hook). Pure over an injected context, so drawing is unit-tested with a recording context in Node.
//
// Frame time: with a ColumnCache, each closed bar's cells are painted once onto an offscreen surface and later
// frames (pans, live updates of the open bar) only copy those surfaces; the open (last) bar is always drawn.
// A cached column is reused only while its bar object (the model replaces a bar whose data changed), mode,
// scheme, theme, column width, row height, colour scale top, text flag and device pixel ratio are the same.
// Columns are (re)painted only once the settings are unchanged for SETTLE_FRAMES frames in a row, at most
// MAX_PAINTS_PER_FRAME a frame: during a zoom gesture or while the colour scale moves every frame, frames are
// drawn directly as without a cache, and no frame costs much more than an uncached one.
// Choice: a cached column is copied at whole device pixels, so it may sit up to half a device pixel from where
// direct drawing would put it while panning by fractions; the cells, colours and the test hook are the same.

import { cellStyle, mix, rgb, type DisplayMode, type Scheme, type Theme } from './colours.ts';
import { barIndex, cellAt, type ChartBar, type ChartCell, type FootprintModel } from './footprint-model.ts';
import { formatBarTime, formatPct, formatPrice, formatQty } from './format.ts';
import {
  barToX,
  rowToY,
  visibleBars,
  visibleRows,
  xToBar,
  yToRow,
  type Rect,
  type Viewport,
} from './viewport.ts';

/** The subset of CanvasRenderingContext2D the chart uses. */
export interface Ctx2D {
  fillStyle: unknown;
  strokeStyle: unknown;
  lineWidth: number;
  font: string;
  textAlign: string;
  textBaseline: string;
  globalAlpha: number;
  save(): void;
  restore(): void;
  beginPath(): void;
  rect(x: number, y: number, w: number, h: number): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  fill(): void;
  stroke(): void;
  clip(): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  strokeRect(x: number, y: number, w: number, h: number): void;
  clearRect(x: number, y: number, w: number, h: number): void;
  fillText(text: string, x: number, y: number, maxWidth?: number): void;
  setLineDash(segments: number[]): void;
}

export interface ChartLayout {
  readonly width: number;
  readonly height: number;
  readonly plot: Rect;
  readonly priceAxis: Rect;
  readonly summary: Rect;
  readonly timeAxis: Rect;
}

export const PRICE_AXIS_WIDTH = 76;
export const SUMMARY_LINE = 14;
export const SUMMARY_HEIGHT = 3 * SUMMARY_LINE + 4;
export const TIME_AXIS_HEIGHT = 18;
/** Cells get text only when it fits: below this a column or row shows colour alone. */
export const TEXT_MIN_WIDTH = 44;
export const TEXT_MIN_HEIGHT = 11;

export function chartLayout(width: number, height: number): ChartLayout {
  const plotW = Math.max(10, width - PRICE_AXIS_WIDTH);
  const plotH = Math.max(10, height - SUMMARY_HEIGHT - TIME_AXIS_HEIGHT);
  return {
    width,
    height,
    plot: { x: 0, y: 0, width: plotW, height: plotH },
    priceAxis: { x: plotW, y: 0, width: PRICE_AXIS_WIDTH, height: plotH },
    summary: { x: 0, y: plotH, width: plotW, height: SUMMARY_HEIGHT },
    timeAxis: { x: 0, y: plotH + SUMMARY_HEIGHT, width: plotW, height: TIME_AXIS_HEIGHT },
  };
}

export interface DrawOptions {
  readonly mode: DisplayMode;
  readonly scheme: Scheme;
  readonly theme: Theme;
  /** Selected cell: bar key and row. */
  readonly selected?: { readonly barKey: string; readonly row: number } | null;
  readonly showZones?: boolean;
  readonly showNakedPocs?: boolean;
  /** Reuse painted columns of closed bars across frames (browser); without it every cell is drawn. */
  readonly columnCache?: ColumnCache;
}

/** What a frame drew; `describeFrame` expands it into the test hook's plain description. */
export interface DrawnFrame {
  readonly model: FootprintModel;
  readonly viewport: Viewport;
  readonly layout: ChartLayout;
  readonly options: DrawOptions;
  readonly firstBar: number;
  readonly lastBar: number;
  readonly lowRow: number;
  readonly highRow: number;
  readonly text: boolean;
}

/** Cells in the visible bars and rows, in bar order then ascending row: exactly the cells a frame paints. */
export function forEachVisibleCell(
  model: FootprintModel,
  v: Viewport,
  fn: (bar: ChartBar, barIdx: number, cell: ChartCell) => void,
): void {
  const { first, last } = visibleBars(v, model.bars.length);
  const { low, high } = visibleRows(v);
  for (let i = first; i <= last; i++) {
    const bar = model.bars[i]!;
    for (const c of bar.cells) {
      if (c.row < low) continue;
      if (c.row > high) break;
      fn(bar, i, c);
    }
  }
}

/** Largest cell volume among the visible bars: the colour scale follows what is on screen. */
export function visibleMaxVolume(model: FootprintModel, v: Viewport): number {
  const { first, last } = visibleBars(v, model.bars.length);
  let max = 0;
  for (let i = first; i <= last; i++) max = Math.max(max, model.bars[i]!.maxCellVolume);
  return max;
}

/** Grid step in rows so that price labels are at least `minPx` apart: 1, 2, 5, 10, 20, 50, … rows. */
export function labelStep(rowHeight: number, minPx = 36): number {
  for (let base = 1; ; base *= 10)
    for (const m of [1, 2, 5]) if (base * m * rowHeight >= minPx) return base * m;
}

export function drawFootprint(
  ctx: Ctx2D,
  model: FootprintModel,
  v: Viewport,
  layout: ChartLayout,
  o: DrawOptions,
): DrawnFrame {
  const { theme, scheme, mode } = o;
  const plot = layout.plot;
  ctx.fillStyle = rgb(theme.background);
  ctx.fillRect(0, 0, layout.width, layout.height);

  const { first, last } = visibleBars(v, model.bars.length);
  const { low, high } = visibleRows(v);
  const colW = v.barSpacing;
  const gap = colW >= 6 ? 1 : 0;
  const rowGap = v.rowHeight >= 5 ? 1 : 0;
  const text = colW >= TEXT_MIN_WIDTH && v.rowHeight >= TEXT_MIN_HEIGHT;
  const step = labelStep(v.rowHeight);

  ctx.save();
  ctx.beginPath();
  ctx.rect(plot.x, plot.y, plot.width, plot.height);
  ctx.clip();

  // Horizontal grid at the price labels.
  ctx.strokeStyle = theme.grid;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (let r = Math.ceil(low / step) * step; r <= high + 1; r += step) {
    const y = Math.round(rowToY(v, r - 1)) + 0.5;
    ctx.moveTo(plot.x, y);
    ctx.lineTo(plot.x + plot.width, y);
  }
  ctx.stroke();

  if (o.showZones !== false) drawZones(ctx, model, v, o);

  // Cells, batched by colour: one path per fill keeps thousands of cells within a frame budget. Closed bars
  // come from the column cache when there is one; the rest are drawn here.
  const scaleMax = visibleMaxVolume(model, v);
  const cells = new CellPainter(mode, scheme, theme, scaleMax, colW, v.rowHeight, text);
  const cache = o.columnCache;
  // Columns are painted with their own painter: `cells` may hold direct cells while a column is painted.
  const columnPainter =
    cache === undefined ? cells : new CellPainter(mode, scheme, theme, scaleMax, colW, v.rowHeight, text);
  if (cache !== undefined) cache.beginFrame(o, scaleMax, colW, v.rowHeight, text);
  for (let i = first; i <= last; i++) {
    const bar = model.bars[i]!;
    if (
      cache !== undefined &&
      i < model.bars.length - 1 &&
      cache.blit(ctx, bar, barToX(v, i), rowToY(v, bar.highRow), columnPainter)
    )
      continue;
    const x = barToX(v, i);
    for (const c of bar.cells) {
      if (c.row < low) continue;
      if (c.row > high) break;
      cells.add(bar, c, x, rowToY(v, c.row));
    }
  }
  cells.paint(ctx);
  if (cache !== undefined) cache.endFrame(last - first + 1);

  // POC of each bar: an outline in the POC colour.
  ctx.strokeStyle = theme.poc;
  ctx.lineWidth = colW >= 8 ? 1.5 : 1;
  ctx.beginPath();
  for (let i = first; i <= last; i++) {
    const b = model.bars[i]!;
    if (b.pocRow === null || b.pocRow < low || b.pocRow > high) continue;
    ctx.rect(
      barToX(v, i) + gap + 0.5,
      rowToY(v, b.pocRow) + 0.5,
      colW - 2 * gap - 1,
      v.rowHeight - rowGap - 1,
    );
  }
  ctx.stroke();

  if (o.showNakedPocs !== false) drawNakedPocs(ctx, model, v, theme);

  if (o.selected) {
    const i = barIndex(model, o.selected.barKey);
    if (i >= first && i <= last) {
      ctx.strokeStyle = theme.selection;
      ctx.lineWidth = 2;
      ctx.strokeRect(barToX(v, i) + 1, rowToY(v, o.selected.row) + 1, colW - 2, v.rowHeight - 2);
    }
  }
  ctx.restore();

  drawPriceAxis(ctx, model, v, layout, theme, step);
  drawSummaries(ctx, model, v, layout, o, first, last);
  return {
    model,
    viewport: v,
    layout,
    options: o,
    firstBar: first,
    lastBar: last,
    lowRow: low,
    highRow: high,
    text,
  };
}

function push(m: Map<string, number[]>, key: string, x: number, y: number, w: number, h: number): void {
  let a = m.get(key);
  if (a === undefined) m.set(key, (a = []));
  a.push(x, y, w, h);
}

/** Collects cells (fills, imbalance outlines, profile bars, text) and paints them batched by colour. */
class CellPainter {
  private readonly batches = new Map<string, number[]>();
  private readonly outlines = new Map<string, number[]>();
  private readonly profileBars: number[] = [];
  private readonly texts: { s: string; x: number; y: number; colour: string }[] = [];
  private readonly gap: number;
  private readonly rowGap: number;

  constructor(
    private readonly mode: DisplayMode,
    private readonly scheme: Scheme,
    private readonly theme: Theme,
    private readonly scaleMax: number,
    readonly colW: number,
    readonly rowHeight: number,
    private readonly text: boolean,
  ) {
    this.gap = colW >= 6 ? 1 : 0;
    this.rowGap = rowHeight >= 5 ? 1 : 0;
  }

  /** A cell whose bar column starts at `barX` and whose row top is at `rowY`. */
  add(bar: ChartBar, c: ChartCell, barX: number, rowY: number): void {
    const { mode, theme } = this;
    const j = c.json;
    const st = cellStyle(
      {
        buy: j.buy_volume,
        sell: j.sell_volume,
        imbalance: j.imbalance_side ?? (j.is_imbalanced ? 'both' : null),
      },
      mode,
      this.scheme,
      theme,
      this.scaleMax,
    );
    const x = barX + this.gap;
    const y = rowY;
    const w = this.colW - 2 * this.gap;
    const h = this.rowHeight - this.rowGap;
    if (st.level > 0) push(this.batches, st.fill, x, y, w, h);
    if (st.outline !== null && w >= 4 && h >= 4)
      push(this.outlines, st.outline, x + 0.5, y + 0.5, w - 1, h - 1);
    if (mode === 'profile' && bar.maxCellVolume > 0) {
      const full = (w - 2) * (j.total_volume / bar.maxCellVolume);
      const buyW = j.total_volume > 0 ? full * (j.buy_volume / j.total_volume) : 0;
      this.profileBars.push(x + 1, y + h * 0.15, buyW, full - buyW, Math.max(1, h * 0.7));
    }
    if (this.text) {
      const s =
        mode === 'bid_ask'
          ? `${formatQty(j.sell_volume)} × ${formatQty(j.buy_volume)}`
          : mode === 'delta'
            ? formatQty(j.delta)
            : formatQty(j.total_volume);
      this.texts.push({
        s,
        x: mode === 'profile' ? x + 3 : x + w / 2,
        y: y + h / 2,
        colour: mode === 'profile' ? theme.text : st.text,
      });
    }
  }

  /** Paints what was added, then forgets it (the painter is reused for the next column). */
  paint(ctx: Ctx2D): void {
    const { theme, scheme } = this;
    for (const [fill, rects] of this.batches) {
      ctx.fillStyle = fill;
      ctx.beginPath();
      for (let k = 0; k < rects.length; k += 4)
        ctx.rect(rects[k]!, rects[k + 1]!, rects[k + 2]!, rects[k + 3]!);
      ctx.fill();
    }
    const p = this.profileBars;
    if (p.length > 0) {
      // [x, y, buyW, sellW, h] per bar: buy on the right of sell.
      ctx.fillStyle = mix(theme.background, scheme.buy, 0.85);
      ctx.beginPath();
      for (let k = 0; k < p.length; k += 5) ctx.rect(p[k]! + p[k + 3]!, p[k + 1]!, p[k + 2]!, p[k + 4]!);
      ctx.fill();
      ctx.fillStyle = mix(theme.background, scheme.sell, 0.85);
      ctx.beginPath();
      for (let k = 0; k < p.length; k += 5) ctx.rect(p[k]!, p[k + 1]!, p[k + 3]!, p[k + 4]!);
      ctx.fill();
    }
    ctx.lineWidth = 1;
    for (const [colour, rects] of this.outlines) {
      ctx.strokeStyle = colour;
      ctx.beginPath();
      for (let k = 0; k < rects.length; k += 4)
        ctx.rect(rects[k]!, rects[k + 1]!, rects[k + 2]!, rects[k + 3]!);
      ctx.stroke();
    }
    if (this.texts.length > 0) {
      ctx.font = `${Math.min(12, Math.floor(this.rowHeight * 0.8))}px ui-monospace, Menlo, Consolas, monospace`;
      ctx.textBaseline = 'middle';
      ctx.textAlign = this.mode === 'profile' ? 'left' : 'center';
      for (const t of this.texts) {
        ctx.fillStyle = t.colour;
        ctx.fillText(t.s, t.x, t.y, this.colW - 4);
      }
    }
    this.batches.clear();
    this.outlines.clear();
    this.profileBars.length = 0;
    this.texts.length = 0;
  }
}

/** An offscreen surface (device pixels) that one column is painted on. */
export interface ColumnSurface {
  readonly ctx: Ctx2D & {
    setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  };
  /**
   * Makes the surface at least `width`×`height` device pixels and clears that top-left area (a surface may keep
   * a larger size, so that zooming does not reallocate it on every step).
   */
  resize(width: number, height: number): void;
}

/** What the column cache needs from its platform: surfaces, and copying one onto the chart. */
export interface ColumnHost {
  /** Device pixels per CSS pixel of the chart canvas. */
  readonly dpr: number;
  createSurface(): ColumnSurface;
  /** Copies the surface's top-left `width`×`height` CSS px (× dpr device px) onto `target` at (x, y), 1:1. */
  blit(target: Ctx2D, surface: ColumnSurface, x: number, y: number, width: number, height: number): void;
}

interface CachedColumn {
  readonly surface: ColumnSurface;
  signature: string;
  /** Surface size in device pixels. */
  width: number;
  height: number;
  usedInFrame: number;
}

/** Columns larger than this (device pixels) are drawn directly rather than cached. */
const MAX_COLUMN_PIXELS = 1_000_000;
const MAX_COLUMN_SIDE = 8192;
/** One CSS pixel of margin around a column, so outlines and antialiased edges are not cut. */
const COLUMN_PAD = 1;
/**
 * Columns (re)painted in one frame at most; the others are drawn directly until a later frame paints them. A
 * surface costs more than direct drawing once, so this keeps any frame near the cost of drawing it uncached.
 */
const MAX_PAINTS_PER_FRAME = 24;
/**
 * Frames in a row with unchanged settings before columns are painted: a zoom gesture interleaved with live
 * updates has one unchanged frame between steps, which would otherwise pay for paints the next step discards.
 */
const SETTLE_FRAMES = 2;

/**
 * Painted columns of closed bars, keyed by the bar object (a changed bar is a new object) and checked against
 * everything else their pixels depend on. Keeps the columns in view plus as many again; the rest are recycled.
 */
export class ColumnCache {
  private readonly columns = new Map<ChartBar, CachedColumn>();
  private readonly spare: ColumnSurface[] = [];
  private frame = 0;
  private signature = '';
  /** The settings are those of the previous SETTLE_FRAMES frames too. */
  private settled = false;
  /** Frames in a row drawn with the current settings, after the first. */
  private sameFrames = 0;
  private paintsThisFrame = 0;
  /** Cumulative column copies and (re)paints, for tests and the benchmark. */
  hits = 0;
  misses = 0;

  constructor(private readonly host: ColumnHost) {}

  /** Starts a frame drawn with these settings: columns painted under other settings are repainted. */
  beginFrame(o: DrawOptions, scaleMax: number, colW: number, rowHeight: number, text: boolean): void {
    this.frame++;
    const previous = this.signature;
    this.signature = `${o.mode}|${o.scheme.name}|${rgb(o.scheme.buy)}${rgb(o.scheme.sell)}${rgb(o.scheme.neutral)}|${o.theme.name}|${rgb(o.theme.background)}|${colW}|${rowHeight}|${scaleMax}|${text}|${this.host.dpr}`;
    this.sameFrames = this.signature === previous ? this.sameFrames + 1 : 0;
    this.settled = this.sameFrames >= SETTLE_FRAMES;
    this.paintsThisFrame = 0;
  }

  /**
   * Copies bar's column (painting it first when missing or stale) with its column's left edge at `barX` and its
   * top row's top edge at `topY`; false when the column is too large to cache (the caller draws it).
   */
  blit(ctx: Ctx2D, bar: ChartBar, barX: number, topY: number, painter: CellPainterLike): boolean {
    if (bar.cells.length === 0) return true;
    const dpr = this.host.dpr;
    const cssW = painter.colW + 2 * COLUMN_PAD;
    const cssH = (bar.highRow - bar.lowRow + 1) * painter.rowHeight + 2 * COLUMN_PAD;
    const width = Math.ceil(cssW * dpr);
    const height = Math.ceil(cssH * dpr);
    if (width * height > MAX_COLUMN_PIXELS || width > MAX_COLUMN_SIDE || height > MAX_COLUMN_SIDE)
      return false;
    let col = this.columns.get(bar);
    if (col === undefined || col.signature !== this.signature) {
      // Settings that changed since the last frame (a zoom gesture, a growing colour scale) will likely change
      // again: painting surfaces now would cost more than drawing directly, so wait for a settled frame.
      if (!this.settled || this.paintsThisFrame >= MAX_PAINTS_PER_FRAME) return false;
      this.paintsThisFrame++;
      if (col === undefined) {
        col = {
          surface: this.spare.pop() ?? this.host.createSurface(),
          signature: '',
          width: 0,
          height: 0,
          usedInFrame: 0,
        };
        this.columns.set(bar, col);
      }
      col.surface.resize(width, height);
      col.width = width;
      col.height = height;
      col.signature = this.signature;
      const c = col.surface.ctx;
      c.setTransform(dpr, 0, 0, dpr, 0, 0);
      // Column space: the column's left edge and the top row's top edge at (COLUMN_PAD, COLUMN_PAD).
      for (const cell of bar.cells)
        painter.add(bar, cell, COLUMN_PAD, COLUMN_PAD + (bar.highRow - cell.row) * painter.rowHeight);
      painter.paint(c);
      this.misses++;
    } else this.hits++;
    col.usedInFrame = this.frame;
    const x = Math.round((barX - COLUMN_PAD) * dpr) / dpr;
    const y = Math.round((topY - COLUMN_PAD) * dpr) / dpr;
    this.host.blit(ctx, col.surface, x, y, col.width / dpr, col.height / dpr);
    return true;
  }

  /** Ends a frame that showed `visible` bars: recycles columns beyond twice that which this frame did not use. */
  endFrame(visible: number): void {
    const keep = 2 * visible + 16;
    if (this.columns.size <= keep) return;
    for (const [bar, col] of this.columns) {
      if (this.columns.size <= keep) break;
      if (col.usedInFrame === this.frame) continue;
      this.columns.delete(bar);
      if (this.spare.length < 16) this.spare.push(col.surface);
    }
  }

  /** Cached columns right now. */
  get size(): number {
    return this.columns.size;
  }

  /** Forgets every column (e.g. the canvas went away). */
  clear(): void {
    this.columns.clear();
    this.spare.length = 0;
  }
}

/** What ColumnCache needs of the cell painter. */
interface CellPainterLike {
  readonly colW: number;
  readonly rowHeight: number;
  add(bar: ChartBar, c: ChartCell, barX: number, rowY: number): void;
  paint(ctx: Ctx2D): void;
}

/** Stacked imbalance zones: a band from the zone's bar rightwards until the bar that touched it (or the edge). */
export function zoneSpan(
  model: FootprintModel,
  v: Viewport,
  zone: FootprintModel['zones'][number],
): { x0: number; x1: number; y0: number; y1: number } | null {
  const start = barIndex(model, zone.barKey);
  if (start < 0) return null;
  const end = barIndex(model, zone.touchedBarKey);
  const x0 = barToX(v, start);
  const x1 = end >= 0 ? barToX(v, end + 1) : v.plot.x + v.plot.width;
  return { x0, x1, y0: rowToY(v, zone.highRow), y1: rowToY(v, zone.lowRow) + v.rowHeight };
}

function drawZones(ctx: Ctx2D, model: FootprintModel, v: Viewport, o: DrawOptions): void {
  for (const z of model.zones) {
    const s = zoneSpan(model, v, z);
    if (s === null || s.x1 < v.plot.x || s.x0 > v.plot.x + v.plot.width) continue;
    ctx.fillStyle = mix(
      o.theme.background,
      z.side === 'buy' ? o.scheme.buy : o.scheme.sell,
      z.touchedBarKey === null ? 0.28 : 0.14,
    );
    ctx.fillRect(s.x0, s.y0, s.x1 - s.x0, s.y1 - s.y0);
  }
}

/** Naked POC line: from the bar's right edge to the bar that covered it, or to the right edge while naked. */
export function nakedPocSpan(
  model: FootprintModel,
  v: Viewport,
  n: FootprintModel['nakedPocs'][number],
): { x0: number; x1: number; y: number } | null {
  const start = barIndex(model, n.barKey);
  if (start < 0) return null;
  const end = barIndex(model, n.coveredBarKey);
  return {
    x0: barToX(v, start + 1),
    x1: end >= 0 ? barToX(v, end) : v.plot.x + v.plot.width,
    y: rowToY(v, n.row) + v.rowHeight / 2,
  };
}

function drawNakedPocs(ctx: Ctx2D, model: FootprintModel, v: Viewport, theme: Theme): void {
  ctx.strokeStyle = theme.nakedPoc;
  ctx.lineWidth = 1;
  ctx.setLineDash([4, 3]);
  ctx.beginPath();
  for (const n of model.nakedPocs) {
    const s = nakedPocSpan(model, v, n);
    if (s === null || s.x1 <= s.x0) continue;
    ctx.moveTo(s.x0, Math.round(s.y) + 0.5);
    ctx.lineTo(s.x1, Math.round(s.y) + 0.5);
  }
  ctx.stroke();
  ctx.setLineDash([]);
}

function drawPriceAxis(
  ctx: Ctx2D,
  model: FootprintModel,
  v: Viewport,
  layout: ChartLayout,
  theme: Theme,
  step: number,
): void {
  const a = layout.priceAxis;
  ctx.fillStyle = theme.panel;
  ctx.fillRect(a.x, a.y, a.width, a.height);
  ctx.fillStyle = theme.mutedText;
  ctx.font = '11px ui-monospace, Menlo, Consolas, monospace';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  const { low, high } = visibleRows(v);
  for (let r = Math.ceil(low / step) * step; r <= high; r += step) {
    const y = rowToY(v, r) + v.rowHeight / 2;
    if (y < a.y + 6 || y > a.y + a.height - 6) continue;
    ctx.fillText(formatPrice(r * model.rowSize, model.rowSize), a.x + 6, y);
  }
}

function drawSummaries(
  ctx: Ctx2D,
  model: FootprintModel,
  v: Viewport,
  layout: ChartLayout,
  o: DrawOptions,
  first: number,
  last: number,
): void {
  const s = layout.summary;
  const t = layout.timeAxis;
  ctx.fillStyle = o.theme.panel;
  ctx.fillRect(0, s.y, layout.width, s.height + t.height);
  ctx.save();
  ctx.beginPath();
  ctx.rect(s.x, s.y, s.width, s.height + t.height);
  ctx.clip();
  const wide = v.barSpacing >= 40;
  ctx.font = '10px ui-monospace, Menlo, Consolas, monospace';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'center';
  let maxVol = 0;
  for (let i = first; i <= last; i++) maxVol = Math.max(maxVol, model.bars[i]!.stat?.volume ?? 0);
  const withSeconds = /^\d+s$/.test(model.timeframe) || model.aggregation !== 'TIME';
  let lastLabelX = -Infinity;
  for (let i = first; i <= last; i++) {
    const b = model.bars[i]!;
    const x = barToX(v, i);
    const cx = x + v.barSpacing / 2;
    const st = b.stat;
    if (st !== undefined) {
      if (wide) {
        ctx.fillStyle = o.theme.text;
        ctx.fillText(formatQty(st.volume), cx, s.y + SUMMARY_LINE / 2 + 2, v.barSpacing - 4);
        ctx.fillStyle = rgb(st.delta >= 0 ? o.scheme.buy : o.scheme.sell);
        ctx.fillText(formatQty(st.delta), cx, s.y + SUMMARY_LINE * 1.5 + 2, v.barSpacing - 4);
        ctx.fillText(formatPct(st.delta_pct), cx, s.y + SUMMARY_LINE * 2.5 + 2, v.barSpacing - 4);
      } else {
        // Too narrow for numbers: volume as a bar height, delta as its colour.
        const h = maxVol > 0 ? ((s.height - 4) * st.volume) / maxVol : 0;
        ctx.fillStyle = rgb(st.delta >= 0 ? o.scheme.buy : o.scheme.sell);
        ctx.fillRect(
          x + (v.barSpacing >= 4 ? 1 : 0),
          s.y + s.height - 2 - h,
          Math.max(1, v.barSpacing - 2),
          h,
        );
      }
    }
    if (cx - lastLabelX >= 70) {
      ctx.fillStyle = o.theme.mutedText;
      ctx.fillText(formatBarTime(b.key, withSeconds), cx, t.y + t.height / 2);
      lastLabelX = cx;
    }
  }
  ctx.restore();
}

export interface HitResult {
  readonly barIndex: number;
  readonly bar: ChartBar;
  readonly row: number;
  readonly cell: ChartCell | undefined;
}

/** The bar and row under a point of the plot; null outside the plot or the data. */
export function hitTest(model: FootprintModel, v: Viewport, x: number, y: number): HitResult | null {
  const p = v.plot;
  if (x < p.x || x >= p.x + p.width || y < p.y || y >= p.y + p.height) return null;
  const i = xToBar(v, x);
  const bar = model.bars[i];
  if (bar === undefined) return null;
  const row = yToRow(v, y);
  return { barIndex: i, bar, row, cell: cellAt(bar, row) };
}

export interface DrawnCell {
  readonly start_time: string;
  readonly price: number;
  readonly buy: number;
  readonly sell: number;
  readonly total: number;
  readonly delta: number;
  readonly imbalance: string | null;
  readonly poc: boolean;
  /** Centre of the cell in CSS pixels of the canvas. */
  readonly cx: number;
  readonly cy: number;
}

export interface FrameDescription {
  readonly symbol: string;
  readonly timeframe: string;
  readonly aggregation: string;
  readonly rowSize: number;
  readonly mode: DisplayMode;
  readonly barCount: number;
  /** Rows (price / rowSize) intersecting the plot, inclusive. */
  readonly rows: { readonly low: number; readonly high: number };
  readonly bars: readonly {
    readonly start_time: string;
    readonly index: number;
    readonly x: number;
    readonly cells: number;
  }[];
  readonly cells: readonly DrawnCell[];
  readonly zones: number;
  readonly nakedPocs: number;
  readonly text: boolean;
}

/** The plain description of a frame that tests compare with the API: visible bars and every painted cell. */
export function describeFrame(f: DrawnFrame): FrameDescription {
  const { model, viewport: v } = f;
  const cells: DrawnCell[] = [];
  const counts = new Map<number, number>();
  forEachVisibleCell(model, v, (_bar, i, c) => {
    counts.set(i, (counts.get(i) ?? 0) + 1);
    cells.push({
      start_time: c.json.start_time,
      price: c.json.price_level,
      buy: c.json.buy_volume,
      sell: c.json.sell_volume,
      total: c.json.total_volume,
      delta: c.json.delta,
      imbalance: c.json.imbalance_side ?? null,
      poc: c.json.is_point_of_control,
      cx: barToX(v, i) + v.barSpacing / 2,
      cy: rowToY(v, c.row) + v.rowHeight / 2,
    });
  });
  const bars = [];
  for (let i = f.firstBar; i <= f.lastBar; i++)
    bars.push({ start_time: model.bars[i]!.key, index: i, x: barToX(v, i), cells: counts.get(i) ?? 0 });
  return {
    symbol: model.symbol,
    timeframe: model.timeframe,
    aggregation: model.aggregation,
    rowSize: model.rowSize,
    mode: f.options.mode,
    barCount: model.bars.length,
    rows: { low: f.lowRow, high: f.highRow },
    bars,
    cells,
    zones: model.zones.length,
    nakedPocs: model.nakedPocs.length,
    text: f.text,
  };
}
