// Imbalance and signal alerts (imbalance_detected, divergence/exhaustion in delta_update, the signals REST
// history then live `signal` messages, arbitrage_opportunity), newest first, bounded so a busy market cannot grow
// the page without limit. Choices (docs/analytics-choices.md, "Web UI: signals, indicators and arbitrage alerts"):
// signals merge by identity and sort by time; live ones come from the page's chart channels, not a channel of its own.

import { displayText } from '../../lib/format.ts';
import { useEffect, useState } from 'react';
import type { SignalJson, StreamMessage } from '../../api/types.ts';
import {
  evidenceSummary,
  isSignalJson,
  mergeNewestFirst,
  signalKey,
  signalSide,
} from '../../lib/signal-alerts.ts';
import { useOrderflow } from '../context.tsx';
import { ErrorState } from '../States.tsx';
import { useApiData } from '../use-api-data.ts';

export const MAX_ALERTS = 200;

export interface Alert {
  readonly id: number;
  readonly at: string;
  readonly kind: string;
  readonly side: string | null;
  readonly text: string;
  /** Set on signal alerts: the signal as the API sent it. */
  readonly signal?: SignalJson;
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
  if (msg.type === 'signal') return isSignalJson(d) ? signalAlert(d) : null;
  if (msg.type === 'arbitrage_opportunity') return arbitrageAlert(d);
  return null;
}

export function signalAlert(s: SignalJson): Alert {
  const ev = evidenceSummary(s.evidence);
  return {
    id: nextId++,
    at: s.time,
    kind: 'signal',
    side: signalSide(s.direction),
    text: `${s.kind.replaceAll('_', ' ')} ${s.direction} @ ${displayText(s.price)}${ev === '' ? '' : ` — ${ev}`}`,
    signal: s,
  };
}

function arbitrageAlert(d: Record<string, unknown>): Alert {
  const end = typeof d.end === 'string' ? d.end : null;
  const at = end ?? (typeof d.start === 'string' ? d.start : new Date().toISOString());
  const net = typeof d.max_net_bps === 'number' ? d.max_net_bps.toFixed(2) : displayText(d.max_net_bps);
  return {
    id: nextId++,
    at,
    kind: 'arbitrage',
    side: null,
    text:
      `arbitrage ${end === null ? 'open' : 'closed'}: buy ${displayText(d.buy_venue)} @ ${displayText(d.buy_price)}` +
      `, sell ${displayText(d.sell_venue)} @ ${displayText(d.sell_price)}, max net ${net} bps`,
  };
}

const alertKey = (a: Alert): string | null => (a.signal === undefined ? null : signalKey(a.signal));
const alertAt = (a: Alert): string => a.at;

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

export function AlertsList({
  symbol,
  timeframe = '1m',
  className,
}: {
  readonly symbol: string;
  /** Bar timeframe of the signals history (REST, at the service's default row size). */
  readonly timeframe?: string;
  readonly className?: string;
}) {
  const { api, stream, scheme } = useOrderflow();
  const [alerts, setAlerts] = useState<readonly Alert[]>([]);
  const history = useApiData(`signals|${symbol}|${timeframe}`, (sig) =>
    api.signals(symbol, { timeframe }, sig),
  );
  useEffect(() => {
    setAlerts([]);
    const add = (msg: StreamMessage) => {
      const a = alertOf(msg, symbol);
      if (a === null) return;
      if (a.kind === 'signal') {
        setAlerts((list) => mergeNewestFirst(list, [a], alertKey, alertAt, MAX_ALERTS));
        return;
      }
      // Repeated divergence/exhaustion states are one alert until they change.
      setAlerts((list) =>
        list[0] !== undefined && list[0].kind === a.kind && a.kind !== 'imbalance' && list[0].text === a.text
          ? list
          : [a, ...list].slice(0, MAX_ALERTS),
      );
    };
    const offs = ['imbalance_detected', 'delta_update', 'signal', 'arbitrage_opportunity'].map((t) =>
      stream.on(t, add),
    );
    // Live alerts come from the channels the page's charts subscribe to. The panel does not open a channel of its
    // own: at the default row size it would also stream that row size's imbalance zones into the list.
    return () => offs.forEach((off) => off());
  }, [stream, symbol]);
  const loaded = history.data;
  useEffect(() => {
    if (loaded === undefined) return;
    const fromRest = loaded.signals.map(signalAlert);
    setAlerts((list) => mergeNewestFirst(list, fromRest, alertKey, alertAt, MAX_ALERTS));
  }, [loaded]);
  return (
    <div
      className={`of-panel of-alerts ${className ?? ''}`}
      data-testid="alerts-list"
      data-signals={loaded !== undefined ? 'loaded' : history.error !== undefined ? 'error' : 'loading'}
    >
      <div className="of-toolbar">
        <strong className="of-title">Alerts</strong>
        {alerts.length > 0 && (
          <button type="button" onClick={() => setAlerts([])}>
            Clear
          </button>
        )}
      </div>
      {history.error !== undefined && loaded === undefined && (
        <ErrorState error={history.error} onRetry={history.reload} />
      )}
      {alerts.length === 0 ? (
        loaded === undefined && history.loading ? (
          <div className="of-empty-text" data-testid="alerts-loading" role="status">
            Loading signals…
          </div>
        ) : (
          <div className="of-empty-text" data-testid="alerts-empty">
            No imbalances or signals yet.
          </div>
        )
      ) : (
        <ul data-testid="alerts-items">
          {alerts.map((a) => (
            <li
              key={a.id}
              data-kind={a.kind}
              {...(a.signal === undefined ? {} : { 'data-signal-key': signalKey(a.signal) })}
            >
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
