// Imbalance and signal alerts from the stream (imbalance_detected, divergence/exhaustion in delta_update),
// newest first, bounded so a busy market cannot grow the page without limit.

import { displayText } from '../../lib/format.ts';
import { useEffect, useState } from 'react';
import type { StreamMessage } from '../../api/types.ts';
import { useOrderflow } from '../context.tsx';

export const MAX_ALERTS = 200;

export interface Alert {
  readonly id: number;
  readonly at: string;
  readonly kind: string;
  readonly side: string | null;
  readonly text: string;
}

let nextId = 1;

/** Turns a stream message into an alert, or null when it is not one. */
export function alertOf(msg: StreamMessage, symbol: string): Alert | null {
  const d = (msg.data ?? {}) as Record<string, unknown>;
  if (typeof d.symbol === 'string' && d.symbol !== symbol) return null;
  const at =
    typeof d.bar_start === 'string'
      ? d.bar_start
      : typeof d.timestamp === 'string'
        ? d.timestamp
        : new Date().toISOString();
  if (msg.type === 'imbalance_detected') {
    // The service nests the zone under `zone`; a flat zone is accepted too.
    const z = (d.zone !== null && typeof d.zone === 'object' ? d.zone : d) as Record<string, unknown>;
    return imbalanceAlert(z, typeof z.bar_start === 'string' ? z.bar_start : at);
  }
  if (msg.type === 'delta_update') {
    const p = (d.delta_profile ?? d) as Record<string, unknown>;
    if (p.is_divergent === true)
      return { id: nextId++, at, kind: 'divergence', side: null, text: 'Delta divergence' };
    if (p.is_exhausted === true)
      return { id: nextId++, at, kind: 'exhaustion', side: null, text: 'Delta exhaustion' };
    return null;
  }
  if (msg.type === 'signal') {
    return {
      id: nextId++,
      at,
      kind: 'signal',
      side: typeof d.side === 'string' ? d.side : null,
      text: displayText(d.name ?? d.kind ?? 'signal'),
    };
  }
  return null;
}

function imbalanceAlert(z: Record<string, unknown>, at: string): Alert {
  const side = typeof z.side === 'string' ? z.side : null;
  const range =
    z.low !== undefined && z.high !== undefined
      ? `${displayText(z.low)}–${displayText(z.high)}`
      : z.price !== undefined
        ? displayText(z.price)
        : '';
  const rows = typeof z.rows === 'number' ? ` (${z.rows} rows stacked)` : '';
  return {
    id: nextId++,
    at,
    kind: 'imbalance',
    side,
    text: `${side ?? ''} imbalance ${range}${rows}`.trim(),
  };
}

export function AlertsList({ symbol, className }: { readonly symbol: string; readonly className?: string }) {
  const { stream, scheme } = useOrderflow();
  const [alerts, setAlerts] = useState<readonly Alert[]>([]);
  useEffect(() => {
    setAlerts([]);
    const add = (msg: StreamMessage) => {
      const a = alertOf(msg, symbol);
      if (a === null) return;
      // Repeated divergence/exhaustion states are one alert until they change.
      setAlerts((list) =>
        list[0] !== undefined && list[0].kind === a.kind && a.kind !== 'imbalance' && list[0].text === a.text
          ? list
          : [a, ...list].slice(0, MAX_ALERTS),
      );
    };
    const offs = ['imbalance_detected', 'delta_update', 'signal'].map((t) => stream.on(t, add));
    return () => offs.forEach((off) => off());
  }, [stream, symbol]);
  return (
    <div className={`of-panel of-alerts ${className ?? ''}`} data-testid="alerts-list">
      <div className="of-toolbar">
        <strong className="of-title">Alerts</strong>
        {alerts.length > 0 && (
          <button type="button" onClick={() => setAlerts([])}>
            Clear
          </button>
        )}
      </div>
      {alerts.length === 0 ? (
        <div className="of-empty-text" data-testid="alerts-empty">
          No imbalances or signals yet.
        </div>
      ) : (
        <ul>
          {alerts.map((a) => (
            <li key={a.id} data-kind={a.kind}>
              <span className="of-muted">{a.at.slice(11, 19)}</span>{' '}
              <span
                style={
                  a.side === 'buy'
                    ? { color: `rgb(${scheme.buy.join(',')})` }
                    : a.side === 'sell'
                      ? { color: `rgb(${scheme.sell.join(',')})` }
                      : {}
                }
              >
                {a.text}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export default AlertsList;
