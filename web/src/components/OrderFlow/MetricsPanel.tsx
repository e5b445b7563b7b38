// The spec's real-time metrics (current price, CVD, session delta, pressure, active imbalances, liquidity
// index), polled and refreshed on live delta updates.

import { useEffect } from 'react';
import { useOrderflow } from '../context.tsx';
import { ErrorState, LoadingState } from '../States.tsx';
import { useApiData } from '../use-api-data.ts';
import { formatQty } from '../../lib/format.ts';

const METRICS_POLL_MS = 2000;

export function MetricsPanel({
  symbol,
  className,
}: {
  readonly symbol: string;
  readonly className?: string;
}) {
  const { api, stream, exchange, scheme } = useOrderflow();
  const m = useApiData(
    `metrics|${symbol}|${exchange ?? ''}`,
    (s) => api.metrics(symbol, exchange === undefined ? {} : { exchange }, s),
    METRICS_POLL_MS,
  );
  const { reload } = m;
  useEffect(() => stream.on('delta_update', reload), [stream, reload]);
  const d = m.data;
  const buyColour = `rgb(${scheme.buy.join(',')})`;
  const sellColour = `rgb(${scheme.sell.join(',')})`;
  const signed = (v: number) => (
    <span style={{ color: v >= 0 ? buyColour : sellColour }}>{formatQty(v)}</span>
  );
  return (
    <div className={`of-panel of-metrics ${className ?? ''}`} data-testid="metrics-panel">
      <div className="of-toolbar">
        <strong className="of-title">{symbol} metrics</strong>
      </div>
      {d === undefined && m.loading && <LoadingState what="metrics" />}
      {m.error !== undefined && d === undefined && <ErrorState error={m.error} onRetry={m.reload} />}
      {d !== undefined && (
        <dl className="of-metric-grid">
          <dt>Price</dt>
          <dd data-metric="current_price">{d.current_price ?? '—'}</dd>
          <dt>Cumulative Δ (day)</dt>
          <dd data-metric="cumulative_delta">{signed(d.cumulative_delta)}</dd>
          <dt>Session Δ</dt>
          <dd data-metric="session_delta">{signed(d.session_delta)}</dd>
          <dt>Buy / sell pressure</dt>
          <dd data-metric="pressure">
            <div
              className="of-pressure"
              title={`${d.buy_pressure.toFixed(1)}% / ${d.sell_pressure.toFixed(1)}%`}
            >
              <span style={{ width: `${d.buy_pressure}%`, background: buyColour }} />
              <span style={{ width: `${d.sell_pressure}%`, background: sellColour }} />
            </div>
            {d.buy_pressure.toFixed(1)}% / {d.sell_pressure.toFixed(1)}%
          </dd>
          <dt>Active imbalances</dt>
          <dd data-metric="active_imbalances">{d.active_imbalances}</dd>
          <dt>Liquidity index</dt>
          <dd data-metric="liquidity_index">
            {d.liquidity_index === null ? '—' : d.liquidity_index.toFixed(1)}
          </dd>
        </dl>
      )}
    </div>
  );
}

export default MetricsPanel;
