// The footprint chart: REST snapshot + live WebSocket updates drawn on a canvas, redrawn on animation frames
// only when something changed; toolbar for timeframe, aggregation, row size, display mode and colours.
//
// Choices: the view is fitted to the data on load and whenever the grid changes (symbol, row size, bars); while
// live it follows the newest bar until the user drags it away (a "Follow" button then brings it back). Without a
// row size from the props the market's default step is used (src/lib/row-size.ts); an instrument without one is
// asked for once at its tick to learn its price and tick, then refetched at the derived step.
// Panning stays within a frame budget by caching closed bars' painted columns (ColumnCache, OffscreenCanvas).

import { useCallback, useEffect, useId, useMemo, useRef, useState, type CSSProperties } from 'react';
import type { Aggregation, FootprintQuery, StreamMessage } from '../../api/types.ts';
import { SCHEMES, type DisplayMode, type SchemeName } from '../../lib/colours.ts';
import {
  chartLayout,
  ColumnCache,
  drawFootprint,
  hitTest,
  type ColumnHost,
  type ColumnSurface,
  type Ctx2D,
} from '../../lib/footprint-draw.ts';
import {
  buildModel,
  cellAt,
  mergeUpdate,
  normalizeUpdate,
  rowOfPrice,
  sameGrid,
  type FootprintModel,
} from '../../lib/footprint-model.ts';
import { displayText, formatPrice } from '../../lib/format.ts';
import { defaultRowStep, isPriceStep, marketRowStep } from '../../lib/row-size.ts';
import {
  fitViewport,
  followLatest,
  followsRightEdge,
  pan,
  resize,
  zoomX,
  zoomY,
  type Viewport,
} from '../../lib/viewport.ts';
import { useOrderflow } from '../context.tsx';
import { forgetChart, recordDraw, testHook } from '../test-hook.ts';
import { ErrorState, LoadingState } from '../States.tsx';

export const TIMEFRAMES = ['10s', '30s', '1m', '5m', '15m', '1h', '4h', '1d'] as const;
export const DISPLAY_MODES: readonly { value: DisplayMode; label: string }[] = [
  { value: 'bid_ask', label: 'Bid × Ask' },
  { value: 'delta', label: 'Delta' },
  { value: 'volume', label: 'Volume' },
  { value: 'profile', label: 'Profile' },
];

export interface FootprintChartProps {
  readonly symbol: string;
  readonly timeframe?: string;
  readonly className?: string;
  readonly style?: CSSProperties;
  readonly aggregation?: Aggregation;
  readonly ticksPerRow?: number;
  /** Row size in price units (decimal text, a multiple of the tick); wins over ticksPerRow. */
  readonly rowSize?: string;
  /** VOLUME bar size in base units (decimal text). */
  readonly volumePerBar?: string;
  /** TICK_COUNT bar size in trades. */
  readonly ticksPerBar?: number;
  readonly mode?: DisplayMode;
  readonly scheme?: SchemeName;
  readonly startTime?: string;
  readonly endTime?: string;
  /** Apply WebSocket updates (default true). */
  readonly live?: boolean;
  readonly showControls?: boolean;
  /** Canvas height in CSS pixels when the container has none (default 560). */
  readonly height?: number;
  /** Initial pixels per bar column. */
  readonly barSpacing?: number;
  /** Id under which the test hook records frames (default: a generated id). */
  readonly chartId?: string;
}

const DEFAULT_SPACING = 96;

/** How rows are sized: a tick count, a price step, or a default (`auto`) the chart may replace. */
type RowSpec =
  | { readonly unit: 'ticks'; readonly ticks: number; readonly auto?: boolean }
  | { readonly unit: 'price'; readonly step: string; readonly auto?: boolean };

/** The row spec from the props; null = derive it from the instrument's price (probe first). */
function rowSpecOf(symbol: string, rowSize?: string, ticksPerRow?: number): RowSpec | null {
  if (rowSize !== undefined && isPriceStep(rowSize)) return { unit: 'price', step: rowSize };
  if (ticksPerRow !== undefined && ticksPerRow >= 1) return { unit: 'ticks', ticks: Math.floor(ticksPerRow) };
  const step = marketRowStep(symbol);
  return step === undefined ? null : { unit: 'price', step, auto: true };
}

const rowText = (r: RowSpec | null): string =>
  r === null ? '' : r.unit === 'ticks' ? String(r.ticks) : r.step;

export function FootprintChart(props: FootprintChartProps) {
  const { api, stream, theme, scheme: ctxScheme, exchange } = useOrderflow();
  const genId = useId();
  const chartId = props.chartId ?? `footprint${genId}`;
  const [timeframe, setTimeframe] = useState(props.timeframe ?? '1h');
  const [aggregation, setAggregation] = useState<Aggregation>(props.aggregation ?? 'TIME');
  const [rowSpec, setRowSpec] = useState<RowSpec | null>(() =>
    rowSpecOf(props.symbol, props.rowSize, props.ticksPerRow),
  );
  const [rowInput, setRowInput] = useState(() => rowText(rowSpec));
  /** The instrument's tick once known (a ticks query or the probe): converts between the two row units. */
  const tickRef = useRef<number | null>(null);
  const [volumePerBar, setVolumePerBar] = useState(props.volumePerBar ?? '10');
  const [ticksPerBar, setTicksPerBar] = useState(props.ticksPerBar ?? 1000);
  const [mode, setMode] = useState<DisplayMode>(props.mode ?? 'bid_ask');
  const [schemeName, setSchemeName] = useState<SchemeName>(props.scheme ?? ctxScheme.name);
  useEffect(() => setTimeframe(props.timeframe ?? '1h'), [props.timeframe]);
  useEffect(() => setAggregation(props.aggregation ?? 'TIME'), [props.aggregation]);
  useEffect(() => {
    const r = rowSpecOf(props.symbol, props.rowSize, props.ticksPerRow);
    setRowSpec(r);
    setRowInput(rowText(r));
  }, [props.symbol, props.rowSize, props.ticksPerRow]);
  useEffect(() => setSchemeName(props.scheme ?? ctxScheme.name), [props.scheme, ctxScheme.name]);
  const scheme = SCHEMES[schemeName];

  const query: FootprintQuery = useMemo(
    () => ({
      timeframe,
      aggregation,
      ...(rowSpec === null
        ? {}
        : rowSpec.unit === 'ticks'
          ? { ticks_per_row: rowSpec.ticks }
          : { price_tick_size: rowSpec.step }),
      ...(aggregation === 'VOLUME' ? { volume_per_bar: volumePerBar } : {}),
      ...(aggregation === 'TICK_COUNT' ? { ticks_per_bar: ticksPerBar } : {}),
      ...(props.startTime === undefined ? {} : { start_time: props.startTime }),
      ...(props.endTime === undefined ? {} : { end_time: props.endTime }),
      ...(exchange === undefined ? {} : { exchange }),
    }),
    [timeframe, aggregation, rowSpec, volumePerBar, ticksPerBar, props.startTime, props.endTime, exchange],
  );
  const queryKey = `${props.symbol}|${JSON.stringify(query)}`;

  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const boxRef = useRef<HTMLDivElement | null>(null);
  const modelRef = useRef<FootprintModel | null>(null);
  const viewRef = useRef<Viewport | null>(null);
  const sizeRef = useRef({ width: 0, height: 0, dpr: 1 });
  const dirtyRef = useRef(false);
  const rafRef = useRef<number | null>(null);
  const [status, setStatus] = useState<{ loading: boolean; error: Error | null; empty: boolean }>({
    loading: true,
    error: null,
    empty: false,
  });
  const [version, setVersion] = useState(0);
  /** Row size of the loaded snapshot: live subscriptions ask for the same grid. */
  const [rowSize, setRowSize] = useState<number | null>(null);
  const [selected, setSelected] = useState<{ barKey: string; row: number } | null>(null);
  const selectedRef = useRef(selected);
  /** Following the newest bar (live): off once the user drags the view away. */
  const followRef = useRef(true);
  const [following, setFollowingState] = useState(true);
  const setFollowing = useCallback((on: boolean) => {
    followRef.current = on;
    setFollowingState(on);
  }, []);
  selectedRef.current = selected;
  const drawOpts = useRef({ mode, scheme, theme });
  drawOpts.current = { mode, scheme, theme };

  /** Painted columns of closed bars, reused across frames; its host reads the current device pixel ratio. */
  const columnsRef = useRef<ColumnCache | null>(null);
  columnsRef.current ??= new ColumnCache(canvasColumnHost(() => sizeRef.current.dpr));

  const draw = useCallback(() => {
    rafRef.current = null;
    if (!dirtyRef.current) return;
    dirtyRef.current = false;
    const canvas = canvasRef.current;
    const model = modelRef.current;
    const view = viewRef.current;
    const { width, height, dpr } = sizeRef.current;
    if (canvas === null || model === null || view === null || width === 0) return;
    const ctx = canvas.getContext('2d');
    if (ctx === null) return;
    const t0 = performance.now();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const frame = drawFootprint(ctx, model, view, chartLayout(width, height), {
      ...drawOpts.current,
      selected: selectedRef.current,
      ...(columnsRef.current === null ? {} : { columnCache: columnsRef.current }),
    });
    recordDraw(chartId, frame, performance.now() - t0);
  }, [chartId]);

  const requestDraw = useCallback(() => {
    dirtyRef.current = true;
    rafRef.current ??= requestAnimationFrame(draw);
  }, [draw]);

  useEffect(() => {
    testHook();
    return () => {
      if (rafRef.current !== null) cancelAnimationFrame(rafRef.current);
      forgetChart(chartId);
    };
  }, [chartId]);

  useEffect(requestDraw, [mode, schemeName, theme, selected, requestDraw]);

  // Snapshot from REST whenever the query changes.
  const [reloadNonce, setReloadNonce] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    setStatus((s) => ({ ...s, loading: true, error: null }));
    api.footprint(props.symbol, query, ctl.signal).then(
      (data) => {
        if (ctl.signal.aborted) return;
        if (rowSpec === null) {
          // The probe at one tick per row: learn the tick and the last price, then ask at the default step.
          const tick = data.row_size;
          const last = data.bar_stats?.at(-1)?.close ?? data.bars.at(-1)?.price_level;
          if (tick !== undefined) tickRef.current = tick;
          const next: RowSpec =
            tick !== undefined && last !== undefined && last > 0
              ? { unit: 'price', step: defaultRowStep(last, tick), auto: true }
              : { unit: 'ticks', ticks: 1, auto: true };
          setRowSpec(next);
          setRowInput(rowText(next));
          return;
        }
        if (rowSpec.unit === 'ticks' && data.row_size !== undefined)
          tickRef.current = data.row_size / rowSpec.ticks;
        const model = buildModel(data);
        const prev = modelRef.current;
        const keepView =
          prev !== null &&
          viewRef.current !== null &&
          prev.timeframe === model.timeframe &&
          prev.rowSize === model.rowSize &&
          prev.aggregation === model.aggregation &&
          prev.symbol === model.symbol;
        modelRef.current = model;
        const { width, height } = sizeRef.current;
        if (!keepView && width > 0) {
          viewRef.current = fitViewport(
            chartLayout(width, height).plot,
            model.bars,
            props.barSpacing ?? DEFAULT_SPACING,
          );
          setFollowing(true);
        } else if (keepView && followRef.current && viewRef.current !== null)
          viewRef.current = followLatest(viewRef.current, model.bars, focusRow(model));
        if (!keepView) setSelected(null);
        setRowSize(model.rowSize);
        setStatus({ loading: false, error: null, empty: model.bars.length === 0 });
        setVersion((v) => v + 1);
        requestDraw();
      },
      (e: unknown) => {
        if (ctl.signal.aborted) return;
        // A market's default step the instrument cannot use (a coarser tick): derive one from its price.
        if (
          rowSpec?.auto === true &&
          rowSpec.unit === 'price' &&
          (e as { code?: unknown }).code === 'INVALID_ROW_SIZE'
        ) {
          setRowSpec(null);
          return;
        }
        setStatus({ loading: false, error: e instanceof Error ? e : new Error(String(e)), empty: false });
      },
    );
    return () => ctl.abort();
  }, [queryKey, reloadNonce, api, requestDraw]);

  // Live updates.
  const live = props.live !== false;
  useEffect(() => {
    if (!live) return;
    const onUpdate = (msg: StreamMessage) => {
      const data = normalizeUpdate(msg.data);
      const model = modelRef.current;
      if (data === null || model === null) return;
      if (data.symbol !== undefined && data.symbol.toUpperCase() !== props.symbol.toUpperCase()) return;
      // Another subscription's grid (other settings on the same stream): not ours. A fixed end time: history.
      if (!sameGrid(model, data) || props.endTime !== undefined) return;
      const view = viewRef.current;
      const next = mergeUpdate(model, data);
      modelRef.current = next;
      if (followRef.current && view !== null) viewRef.current = followLatest(view, next.bars, focusRow(next));
      testHook().updatesApplied++;
      setStatus((s) => (s.empty && next.bars.length > 0 ? { ...s, empty: false } : s));
      setVersion((v) => v + 1);
      requestDraw();
    };
    const off = stream.on('footprint_update', onUpdate);
    const unsub =
      rowSize === null
        ? () => {}
        : stream.subscribe({
            symbol: props.symbol,
            timeframe,
            aggregation,
            price_tick_size: rowSize,
            ...(aggregation === 'VOLUME' ? { volume_per_bar: volumePerBar } : {}),
            ...(aggregation === 'TICK_COUNT' ? { ticks_per_bar: ticksPerBar } : {}),
            ...(exchange === undefined ? {} : { exchange }),
          });
    return () => {
      off();
      unsub();
    };
  }, [live, queryKey, rowSize, stream, requestDraw, props.symbol, props.endTime]);

  // Canvas size follows the container.
  useEffect(() => {
    const box = boxRef.current;
    const canvas = canvasRef.current;
    if (box === null || canvas === null) return;
    const apply = () => {
      const dpr = window.devicePixelRatio || 1;
      const width = Math.max(100, Math.floor(box.clientWidth));
      const height = Math.max(120, Math.floor(box.clientHeight || (props.height ?? 560)));
      if (width === sizeRef.current.width && height === sizeRef.current.height && dpr === sizeRef.current.dpr)
        return;
      sizeRef.current = { width, height, dpr };
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
      const plot = chartLayout(width, height).plot;
      const model = modelRef.current;
      if (viewRef.current !== null) viewRef.current = resize(viewRef.current, plot);
      else if (model !== null)
        viewRef.current = fitViewport(plot, model.bars, props.barSpacing ?? DEFAULT_SPACING);
      requestDraw();
    };
    apply();
    const ro = new ResizeObserver(apply);
    ro.observe(box);
    return () => ro.disconnect();
  }, [requestDraw, props.height, props.barSpacing]);

  // Pointer: drag pans (on the price axis: zooms prices), click selects a level, wheel zooms.
  const drag = useRef<{ x: number; y: number; moved: boolean; axis: boolean } | null>(null);
  const onPointerDown = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const x = e.clientX - r.left;
    drag.current = {
      x: e.clientX,
      y: e.clientY,
      moved: false,
      axis: x >= chartLayout(sizeRef.current.width, sizeRef.current.height).plot.width,
    };
    e.currentTarget.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const d = drag.current;
    const view = viewRef.current;
    if (d === null || view === null) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (!d.moved && Math.abs(dx) + Math.abs(dy) < 3) return;
    d.moved = true;
    d.x = e.clientX;
    d.y = e.clientY;
    viewRef.current = d.axis
      ? zoomY(view, Math.exp(dy / 150), view.plot.y + view.plot.height / 2)
      : pan(view, dx, dy);
    if (!d.axis && followRef.current) setFollowing(false);
    requestDraw();
  };
  const onPointerUp = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const d = drag.current;
    drag.current = null;
    if (d === null || d.moved) return;
    const model = modelRef.current;
    const view = viewRef.current;
    if (model === null || view === null) return;
    const r = e.currentTarget.getBoundingClientRect();
    const hit = hitTest(model, view, e.clientX - r.left, e.clientY - r.top);
    setSelected(hit === null ? null : { barKey: hit.bar.key, row: hit.row });
  };
  useEffect(() => {
    const canvas = canvasRef.current;
    if (canvas === null) return;
    const onWheel = (e: WheelEvent) => {
      const view = viewRef.current;
      if (view === null) return;
      e.preventDefault();
      const r = canvas.getBoundingClientRect();
      const factor = Math.exp(-e.deltaY / 500);
      const overAxis = e.clientX - r.left >= view.plot.x + view.plot.width;
      const next =
        e.shiftKey || overAxis
          ? zoomY(view, factor, e.clientY - r.top)
          : zoomX(view, factor, e.clientX - r.left);
      viewRef.current = next;
      // Zooming the newest bar out of view is moving away from it, like a drag.
      const bars = modelRef.current?.bars.length ?? 0;
      if (followRef.current && !followsRightEdge(next, bars)) setFollowing(false);
      requestDraw();
    };
    canvas.addEventListener('wheel', onWheel, { passive: false });
    return () => canvas.removeEventListener('wheel', onWheel);
  }, [requestDraw, setFollowing]);

  const zoomBy = (fx: number, fy: number) => {
    const view = viewRef.current;
    if (view === null) return;
    const v1 = zoomX(view, fx, view.plot.x + view.plot.width);
    viewRef.current = zoomY(v1, fy, view.plot.y + view.plot.height / 2);
    requestDraw();
  };
  const fit = () => {
    const model = modelRef.current;
    if (model === null || sizeRef.current.width === 0) return;
    viewRef.current = fitViewport(
      chartLayout(sizeRef.current.width, sizeRef.current.height).plot,
      model.bars,
      props.barSpacing ?? DEFAULT_SPACING,
    );
    setFollowing(true);
    requestDraw();
  };
  const commitRow = (text: string, unit: RowSpec['unit']) => {
    setRowInput(text);
    if (unit === 'ticks') {
      const n = Number(text);
      if (Number.isInteger(n) && n >= 1) setRowSpec({ unit: 'ticks', ticks: n });
    } else if (isPriceStep(text)) setRowSpec({ unit: 'price', step: text });
  };
  const switchRowUnit = (unit: RowSpec['unit']) => {
    const tick = tickRef.current;
    const size = modelRef.current?.rowSize;
    // Same rows in the other unit when the tick is known; otherwise the number is read in the new unit.
    if (tick !== null && size !== undefined) {
      const ticks = Math.max(1, Math.round(size / tick));
      const step = formatPrice(ticks * tick, tick);
      commitRow(unit === 'ticks' ? String(ticks) : step, unit);
    } else commitRow(rowInput, unit);
  };
  const rowUnit: RowSpec['unit'] = rowSpec?.unit ?? 'price';

  const model = modelRef.current;
  const selBar =
    selected === null || model === null ? undefined : model.bars.find((b) => b.key === selected.barKey);
  const selCell = selBar === undefined || selected === null ? undefined : cellAt(selBar, selected.row);
  void version;

  return (
    <div
      className={`of-panel of-footprint ${props.className ?? ''}`}
      style={props.style}
      data-testid="footprint-chart"
    >
      {props.showControls !== false && (
        <div className="of-toolbar" role="toolbar" aria-label="Footprint settings">
          <strong className="of-title">{props.symbol} footprint</strong>
          <label>
            Bars
            <select
              data-testid="aggregation"
              value={aggregation}
              onChange={(e) => setAggregation(e.target.value as Aggregation)}
            >
              <option value="TIME">Time</option>
              <option value="VOLUME">Volume</option>
              <option value="TICK_COUNT">Tick count</option>
            </select>
          </label>
          {aggregation === 'TIME' && (
            <label>
              Timeframe
              <select
                data-testid="timeframe"
                value={timeframe}
                onChange={(e) => setTimeframe(e.target.value)}
              >
                {[...new Set([...TIMEFRAMES, timeframe])].map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </label>
          )}
          {aggregation === 'VOLUME' && (
            <label>
              Volume/bar
              <input
                data-testid="volume-per-bar"
                className="of-num"
                defaultValue={volumePerBar}
                onBlur={(e) => /^\d+(\.\d+)?$/.test(e.target.value) && setVolumePerBar(e.target.value)}
              />
            </label>
          )}
          {aggregation === 'TICK_COUNT' && (
            <label>
              Trades/bar
              <input
                data-testid="ticks-per-bar"
                className="of-num"
                type="number"
                min={1}
                defaultValue={ticksPerBar}
                onBlur={(e) =>
                  Number(e.target.value) >= 1 && setTicksPerBar(Math.floor(Number(e.target.value)))
                }
              />
            </label>
          )}
          <label title="Row size: a price step, or a number of the instrument's ticks">
            Row
            <input
              data-testid="row-size"
              className="of-num"
              inputMode="decimal"
              value={rowInput}
              onChange={(e) => commitRow(e.target.value.trim(), rowUnit)}
            />
            <select
              data-testid="row-unit"
              aria-label="Row size unit"
              value={rowUnit}
              onChange={(e) => switchRowUnit(e.target.value as RowSpec['unit'])}
            >
              <option value="price">price</option>
              <option value="ticks">ticks</option>
            </select>
          </label>
          <label>
            Mode
            <select data-testid="mode" value={mode} onChange={(e) => setMode(e.target.value as DisplayMode)}>
              {DISPLAY_MODES.map((m) => (
                <option key={m.value} value={m.value}>
                  {m.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Colours
            <select
              data-testid="scheme"
              value={schemeName}
              onChange={(e) => setSchemeName(e.target.value as SchemeName)}
            >
              {Object.values(SCHEMES).map((s) => (
                <option key={s.name} value={s.name}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
          <span className="of-buttons">
            <button type="button" title="Zoom in" onClick={() => zoomBy(1.25, 1.25)}>
              +
            </button>
            <button type="button" title="Zoom out" onClick={() => zoomBy(0.8, 0.8)}>
              −
            </button>
            <button type="button" title="Fit the latest bars" data-testid="fit" onClick={fit}>
              Fit
            </button>
          </span>
        </div>
      )}
      <div className="of-canvas-box" ref={boxRef} style={{ height: props.height ?? 560 }}>
        <canvas
          ref={canvasRef}
          data-testid="footprint-canvas"
          className="of-canvas"
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onDoubleClick={fit}
        />
        {live && props.endTime === undefined && !following && model !== null && model.bars.length > 0 && (
          <button
            type="button"
            className="of-follow"
            data-testid="follow"
            title="Follow the newest bar"
            onClick={fit}
          >
            Follow ▸
          </button>
        )}
        {status.loading && model === null && <LoadingState what="footprint" />}
        {status.error !== null && (
          <ErrorState error={status.error} onRetry={() => setReloadNonce((n) => n + 1)} />
        )}
        {!status.loading && status.error === null && status.empty && (
          <div className="of-overlay" data-testid="footprint-empty">
            No trades in this range yet.
          </div>
        )}
      </div>
      {selected !== null && model !== null && (
        <LevelDetails
          symbol={props.symbol}
          price={formatPrice(selected.row * model.rowSize, model.rowSize)}
          barKey={selected.barKey}
          cell={selCell?.json}
          onClose={() => setSelected(null)}
        />
      )}
    </div>
  );
}

/** Column surfaces on OffscreenCanvas (a detached canvas where there is none), copied with drawImage. */
function canvasColumnHost(dpr: () => number): ColumnHost {
  type Surface = ColumnSurface & { readonly canvas: OffscreenCanvas | HTMLCanvasElement };
  return {
    get dpr() {
      return dpr();
    },
    createSurface(): Surface {
      const canvas =
        typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(1, 1) : document.createElement('canvas');
      const ctx = canvas.getContext('2d');
      if (ctx === null) throw new Error('no 2D context for a column surface');
      return {
        canvas,
        ctx,
        resize(width, height) {
          if (canvas.width < width || canvas.height < height) {
            // Grown with headroom, so a zoom gesture does not reallocate every frame; setting the size clears.
            canvas.width = Math.max(canvas.width, Math.ceil(width / 16) * 16);
            canvas.height = Math.max(canvas.height, Math.ceil(height / 64) * 64);
          } else {
            ctx.setTransform(1, 0, 0, 1, 0, 0);
            ctx.clearRect(0, 0, width, height);
          }
        },
      };
    },
    blit(target: Ctx2D, surface: ColumnSurface, x: number, y: number, width: number, height: number) {
      const d = dpr();
      (target as CanvasRenderingContext2D).drawImage(
        (surface as Surface).canvas,
        0,
        0,
        Math.round(width * d),
        Math.round(height * d),
        x,
        y,
        width,
        height,
      );
    },
  };
}

/** Row of the newest bar's last price: where a tall live bar is centred while following. */
function focusRow(model: FootprintModel): number | undefined {
  const stat = model.bars.at(-1)?.stat;
  return stat === undefined ? undefined : rowOfPrice(stat.close, model.rowSize);
}

interface LevelDetailsProps {
  readonly symbol: string;
  readonly price: string;
  readonly barKey: string;
  readonly cell: import('../../api/types.ts').FootprintCellJson | undefined;
  readonly onClose: () => void;
}

/** The selected level's numbers exactly as the API sent them. */
function LevelDetails({ symbol, price, barKey, cell, onClose }: LevelDetailsProps) {
  const fields: [string, string, unknown][] = cell
    ? [
        ['price_level', 'Price', cell.price_level],
        ['start_time', 'Bar', cell.start_time],
        ['buy_volume', 'Buy (ask) volume', cell.buy_volume],
        ['sell_volume', 'Sell (bid) volume', cell.sell_volume],
        ['total_volume', 'Total volume', cell.total_volume],
        ['delta', 'Delta', cell.delta],
        ['buy_trades', 'Buy trades', cell.buy_trades],
        ['sell_trades', 'Sell trades', cell.sell_trades],
        ['imbalance_side', 'Imbalance', cell.imbalance_side ?? (cell.is_imbalanced ? 'yes' : 'none')],
        ['is_point_of_control', 'Bar POC', cell.is_point_of_control ? 'yes' : 'no'],
      ]
    : [];
  return (
    <div className="of-details" data-testid="level-details" role="dialog" aria-label="Price level details">
      <div className="of-details-head">
        <strong>
          {symbol} @ {price}
        </strong>
        <button type="button" onClick={onClose} aria-label="Close details">
          ×
        </button>
      </div>
      {cell === undefined ? (
        <div data-testid="level-empty">
          No trades at {price} in the bar of {barKey}.
        </div>
      ) : (
        <dl>
          {fields.map(([key, label, value]) => (
            <div key={key} className="of-field">
              <dt>{label}</dt>
              <dd data-field={key}>{displayText(value)}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}

export default FootprintChart;
