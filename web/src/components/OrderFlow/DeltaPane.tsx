// Delta pane: CVD (candles or line), bar-delta histogram and divergence marks for the chart's bars, with the
// delta profile's momentum, pressure, divergence and exhaustion flags.

import { useEffect, useState, type CSSProperties } from 'react';
import type { Aggregation } from '../../api/types.ts';
import { drawDelta, type CvdStyle } from '../../lib/delta-layout.ts';
import { formatQty } from '../../lib/format.ts';
import { useOrderflow } from '../context.tsx';
import { EmptyState, ErrorState, LoadingState } from '../States.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCanvas } from '../use-canvas.ts';

export interface DeltaPaneProps {
  readonly symbol: string;
  readonly timeframe?: string;
  readonly aggregation?: Aggregation;
  readonly className?: string;
  readonly style?: CSSProperties;
  readonly cvdStyle?: CvdStyle;
  readonly height?: number;
  readonly startTime?: string;
  readonly endTime?: string;
}

const MIN_REFRESH_GAP_MS = 1000;

export function DeltaPane(props: DeltaPaneProps) {
  const { api, stream, theme, scheme, exchange } = useOrderflow();
  const [style, setStyle] = useState<CvdStyle>(props.cvdStyle ?? 'candles');
  const q = {
    timeframe: props.timeframe ?? '1m',
    ...(props.aggregation === undefined ? {} : { aggregation: props.aggregation }),
    ...(props.startTime === undefined ? {} : { start_time: props.startTime }),
    ...(props.endTime === undefined ? {} : { end_time: props.endTime }),
    ...(exchange === undefined ? {} : { exchange }),
  };
  const res = useApiData(
    `delta|${props.symbol}|${JSON.stringify(q)}`,
    (s) => api.delta(props.symbol, q, s),
    10_000,
  );
  const { reload } = res;
  useEffect(() => {
    if (props.endTime !== undefined) return;
    let last = 0;
    const onLive = () => {
      const now = Date.now();
      if (now - last < MIN_REFRESH_GAP_MS) return;
      last = now;
      reload();
    };
    const a = stream.on('delta_update', onLive);
    const b = stream.on('footprint_update', onLive);
    return () => {
      a();
      b();
    };
  }, [stream, reload, props.endTime]);
  const data = res.data;
  const height = props.height ?? 200;
  const { boxRef, canvasRef, requestDraw } = useCanvas((ctx, w, h) => {
    if (data?.bars !== undefined) drawDelta(ctx, data.bars, data.divergences, w, h, style, theme, scheme);
  }, height);
  useEffect(requestDraw, [data, style, theme, scheme, requestDraw]);
  const dp = data?.delta_profile;
  return (
    <div
      className={`of-panel of-delta ${props.className ?? ''}`}
      style={props.style}
      data-testid="delta-pane"
    >
      <div className="of-toolbar">
        <strong className="of-title">Delta</strong>
        <select data-testid="cvd-style" value={style} onChange={(e) => setStyle(e.target.value as CvdStyle)}>
          <option value="candles">CVD candles</option>
          <option value="line">CVD line</option>
        </select>
        {dp !== undefined && (
          <span className="of-muted" data-testid="delta-summary">
            CVD {formatQty(dp.cumulative_delta)} · momentum {dp.delta_momentum.toFixed(3)} · buy{' '}
            {dp.buy_pressure.toFixed(1)}% · sell {dp.sell_pressure.toFixed(1)}%
            {dp.is_divergent ? ' · DIVERGENT' : ''}
            {dp.is_exhausted ? ' · EXHAUSTED' : ''}
          </span>
        )}
      </div>
      <div className="of-canvas-box" ref={boxRef} style={{ height }}>
        <canvas ref={canvasRef} className="of-canvas" data-testid="delta-canvas" />
        {data === undefined && res.loading && <LoadingState what="delta" />}
        {res.error !== undefined && data === undefined && <ErrorState error={res.error} onRetry={reload} />}
        {data !== undefined && (data.bars?.length ?? 0) === 0 && <EmptyState text="No bars in this range." />}
      </div>
    </div>
  );
}

export default DeltaPane;
