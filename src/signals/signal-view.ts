// Signal events as JSON for REST bodies, WebSocket `signal` messages and webhook alerts: prices and volumes in the
// instrument's decimals, times as RFC3339, the evidence flattened with the same conversions.

import type { Units } from '../views/units.ts';
import type { SignalEvent } from './signal-engine.ts';

export interface SignalJson {
  readonly symbol: string;
  readonly kind: string;
  readonly direction: string;
  readonly time: string;
  readonly bar_start: string;
  readonly price: number;
  readonly evidence: Readonly<Record<string, unknown>>;
}

export function signalJson(symbol: string, e: SignalEvent, u: Units): SignalJson {
  const ev = e.evidence;
  let evidence: Record<string, unknown>;
  switch (ev.kind) {
    case 'stacked_imbalance':
      evidence = { side: ev.side, low: u.rowPrice(ev.lowRow), high: u.rowPrice(ev.highRow), rows: ev.rows };
      break;
    case 'absorption':
      evidence = { side: ev.side, price: u.rowPrice(ev.row), volume: u.qty(ev.volume) };
      break;
    case 'delta_divergence':
      evidence =
        ev.level === 'bar'
          ? { level: 'bar', delta: u.qty(ev.delta), open: u.price(ev.open), close: u.price(ev.close) }
          : {
              level: 'swing',
              first: {
                time: u.time(ev.first.time),
                price: u.price(ev.first.price),
                cvd: u.qty(ev.first.cvd),
              },
              second: {
                time: u.time(ev.second.time),
                price: u.price(ev.second.price),
                cvd: u.qty(ev.second.cvd),
              },
            };
      break;
    case 'delta_exhaustion':
      evidence = {
        direction: ev.direction,
        run_bars: ev.runBars,
        delta: u.qty(ev.delta),
        run_avg_abs_delta: u.qty(1) * ev.runAvgAbsDelta,
      };
      break;
    case 'unfinished_auction':
      evidence = { at: ev.at, price: u.rowPrice(ev.row), buy: u.qty(ev.buy), sell: u.qty(ev.sell) };
      break;
    case 'naked_poc_test':
      evidence = { poc_bar_start: u.time(ev.pocBarStart), poc: u.rowPrice(ev.row), age_bars: ev.ageBars };
      break;
    case 'value_area_breakout':
      evidence = {
        session_start: u.time(ev.sessionStart),
        vah: u.rowPrice(ev.vahRow),
        val: u.rowPrice(ev.valRow),
        poc: u.rowPrice(ev.pocRow),
        close_row_price: u.rowPrice(ev.closeRow),
      };
      break;
  }
  return {
    symbol,
    kind: e.kind,
    direction: e.direction,
    time: u.time(e.time),
    bar_start: u.time(e.barStart),
    price: u.price(e.price),
    evidence,
  };
}

/** The WebSocket message `{type: 'signal', data}` as the bytes every subscriber gets (serialized once). */
export const encodeSignalMessage = (s: SignalJson): Buffer =>
  Buffer.from(JSON.stringify({ type: 'signal', data: s }));

/** The WebSocket message `{type: 'indicator_update', data}` with a closed bar's custom indicator values. */
export const encodeIndicatorMessage = (
  symbol: string,
  barStart: string,
  values: Readonly<Record<string, Readonly<Record<string, number | boolean | null>>>>,
): Buffer =>
  Buffer.from(JSON.stringify({ type: 'indicator_update', data: { symbol, bar_start: barStart, values } }));
