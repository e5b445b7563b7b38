// Connection and data-completeness status: WebSocket state, message flow, the last streamed trade, reconnects,
// and the service's /health (source — live, simulated or replay — and per-stream completeness when it reports them).

import { displayText } from '../../lib/format.ts';
import { useEffect, useState } from 'react';
import type { StreamStats } from '../../api/stream.ts';
import { useOrderflow } from '../context.tsx';
import { useApiData } from '../use-api-data.ts';

const HEALTH_POLL_MS = 10_000;

function describeHealth(h: Record<string, unknown> | undefined): { source: string | null; detail: string[] } {
  if (h === undefined) return { source: null, detail: [] };
  const source = typeof h.source === 'string' ? h.source : typeof h.mode === 'string' ? h.mode : null;
  const detail: string[] = [];
  if (typeof h.status === 'string') detail.push(`service ${h.status}`);
  const c = h.completeness ?? h.streams;
  if (c !== null && typeof c === 'object') {
    for (const [k, v] of Object.entries(c as Record<string, unknown>)) {
      if (v !== null && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        const state = o.status ?? o.state ?? (o.gaps !== undefined ? `${displayText(o.gaps)} gaps` : 'ok');
        detail.push(`${k}: ${displayText(state)}`);
      } else detail.push(`${k}: ${String(v)}`);
    }
  }
  return { source, detail };
}

export function StatusBar({ className }: { readonly className?: string }) {
  const { api, stream } = useOrderflow();
  const [stats, setStats] = useState<StreamStats>(stream.current);
  const [now, setNow] = useState(() => Date.now());
  const [last, setLast] = useState<{ symbol: string; price: string; side: string } | null>(null);
  useEffect(() => stream.onStatus(setStats), [stream]);
  useEffect(
    () =>
      stream.onTrades((trades, batch) => {
        const t = trades[trades.length - 1];
        if (t !== undefined) setLast({ symbol: batch.symbol, price: t.price_text, side: t.side });
      }),
    [stream],
  );
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const health = useApiData('health', (s) => api.health(s), HEALTH_POLL_MS);
  const h = describeHealth(health.data);
  const age =
    stats.lastMessageAt === null ? null : Math.max(0, Math.round((now - stats.lastMessageAt) / 1000));
  return (
    <div className={`of-statusbar ${className ?? ''}`} data-testid="status-bar">
      <span className={`of-dot of-dot-${stats.status}`} aria-hidden />
      <span data-testid="ws-status">
        {stats.status === 'open' ? 'Live' : stats.status === 'connecting' ? 'Connecting…' : 'Disconnected'}
      </span>
      <span data-testid="ws-messages">{stats.messages} msgs</span>
      {age !== null && <span>last {age}s ago</span>}
      {last !== null && (
        <span data-testid="last-trade" className={`of-side-${last.side}`}>
          {last.symbol} {last.price}
        </span>
      )}
      {stats.reconnects > 0 && <span>{stats.reconnects} reconnects</span>}
      {stats.lastError !== null && <span className="of-warn">{stats.lastError}</span>}
      {h.source !== null && (
        <span className="of-badge" data-testid="data-source">
          {h.source}
        </span>
      )}
      {health.error !== undefined && <span className="of-muted">health unavailable</span>}
      {h.detail.map((d) => (
        <span key={d} className="of-muted">
          {d}
        </span>
      ))}
    </div>
  );
}

export default StatusBar;
