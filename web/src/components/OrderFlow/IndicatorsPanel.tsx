// The latest value of every custom indicator: the REST /indicators snapshot on load, then each live
// `indicator_update` of the symbol replaces its indicators' values.

import { useEffect, useState } from 'react';
import type { IndicatorValues, StreamMessage } from '../../api/types.ts';
import { displayText } from '../../lib/format.ts';
import { latestIndicators, type LatestIndicators } from '../../lib/latest-indicators.ts';
import { useOrderflow } from '../context.tsx';
import { ErrorState, LoadingState } from '../States.tsx';
import { useApiData } from '../use-api-data.ts';

export function IndicatorsPanel({
  symbol,
  timeframe = '1m',
  className,
}: {
  readonly symbol: string;
  readonly timeframe?: string;
  readonly className?: string;
}) {
  const { api, stream } = useOrderflow();
  const snap = useApiData(`indicators|${symbol}|${timeframe}`, (s) =>
    api.indicators(symbol, { timeframe }, s),
  );
  const [latest, setLatest] = useState<LatestIndicators>({});
  useEffect(() => {
    setLatest({});
    return stream.on('indicator_update', (msg: StreamMessage) => {
      const d = msg.data as { symbol?: unknown; bar_start?: unknown; values?: unknown } | undefined;
      if (d === undefined || d.symbol !== symbol || typeof d.bar_start !== 'string') return;
      if (d.values === null || typeof d.values !== 'object') return;
      const bar = { bar_start: d.bar_start, values: d.values as IndicatorValues };
      setLatest((prev) => latestIndicators(prev, [bar]));
    });
  }, [stream, symbol]);
  const data = snap.data;
  useEffect(() => {
    if (data !== undefined) setLatest((prev) => latestIndicators(prev, data.bars));
  }, [data]);
  const names = [...new Set([...(data?.indicators ?? []), ...Object.keys(latest)])];
  return (
    <div
      className={`of-panel of-indicators ${className ?? ''}`}
      data-testid="indicators-panel"
      data-state={data !== undefined ? 'loaded' : snap.error !== undefined ? 'error' : 'loading'}
    >
      <div className="of-toolbar">
        <strong className="of-title">Indicators</strong>
      </div>
      {data === undefined && snap.loading && <LoadingState what="indicators" />}
      {snap.error !== undefined && data === undefined && (
        <ErrorState error={snap.error} onRetry={snap.reload} />
      )}
      {data !== undefined && names.length === 0 && (
        <div className="of-empty-text" data-testid="indicators-empty">
          No custom indicators configured.
        </div>
      )}
      {names.length > 0 && (
        <dl className="of-metric-grid">
          {names.map((name) => {
            const l = latest[name];
            return (
              <div key={name} data-indicator={name} style={{ display: 'contents' }}>
                <dt title={l === undefined ? 'no bar yet' : `bar ${l.bar_start}`}>{name}</dt>
                <dd>
                  {l === undefined
                    ? '—'
                    : Object.entries(l.values).map(([k, v]) => (
                        <span key={k} data-output={k} className="of-indicator-value">
                          {k} {typeof v === 'number' ? formatNumber(v) : displayText(v)}{' '}
                        </span>
                      ))}
                </dd>
              </div>
            );
          })}
        </dl>
      )}
    </div>
  );
}

/** Up to 6 significant digits, so ratios and volumes both read well. */
function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

export default IndicatorsPanel;
