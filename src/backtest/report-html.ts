// The backtest report as one self-contained HTML file: summary statistics, the equity curve and drawdown as inline
// SVG, fills and round trips as tables. No scripts, no external resources; pure string building.

import { unitsToNumber } from '../core/decimal.ts';
import type { AnalyticsParams } from '../core/params.ts';
import { formatTime } from '../core/time.ts';
import type { BacktestResult } from './backtester.ts';

export interface ReportMeta {
  readonly symbol: string;
  readonly params: AnalyticsParams;
  /** Rows of the round-trip table (default 500); the count says how many were left out. */
  readonly maxRows?: number;
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (x: number | null, d = 4): string => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(d));

const W = 900;
const H = 260;
const PAD = 40;

/** A polyline of (time, value) scaled into the chart box, with min/max labels. */
function chart(points: readonly (readonly [number, number])[], colour: string, title: string): string {
  if (points.length === 0) return `<p>${esc(title)}: no bars</p>`;
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const y0 = Math.min(0, ...ys);
  const y1 = Math.max(0, ...ys);
  const sx = (x: number): number => PAD + (x1 === x0 ? 0 : ((x - x0) / (x1 - x0)) * (W - 2 * PAD));
  const sy = (y: number): number => H - PAD - (y1 === y0 ? 0 : ((y - y0) / (y1 - y0)) * (H - 2 * PAD));
  const pts = points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">
<rect x="0" y="0" width="${W}" height="${H}" fill="#fff" stroke="#ccc"/>
<text x="${PAD}" y="20" font-size="14">${esc(title)}</text>
<line x1="${PAD}" y1="${sy(0).toFixed(1)}" x2="${W - PAD}" y2="${sy(0).toFixed(1)}" stroke="#999" stroke-dasharray="4 3"/>
<text x="4" y="${(sy(y1) + 4).toFixed(1)}" font-size="10">${esc(num(y1))}</text>
<text x="4" y="${(sy(y0) + 4).toFixed(1)}" font-size="10">${esc(num(y0))}</text>
<text x="${PAD}" y="${H - 10}" font-size="10">${esc(formatTime(x0))}</text>
<text x="${W - PAD}" y="${H - 10}" font-size="10" text-anchor="end">${esc(formatTime(x1))}</text>
<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${pts}"/>
</svg>`;
}

export function backtestHtml(r: BacktestResult, meta: ReportMeta): string {
  const tick = unitsToNumber(1, meta.params.scale.price);
  const qty = (l: number): number => unitsToNumber(l, meta.params.scale.qty);
  const s = r.stats;
  let peak = 0;
  const dd = r.equity.map((e) => {
    peak = Math.max(peak, e.equity);
    return [e.time, e.equity - peak] as const;
  });
  const rows: [string, string][] = [
    ['Strategy', r.strategy],
    ['Symbol', meta.symbol],
    ['From', r.from === null ? '–' : formatTime(r.from)],
    ['To', r.to === null ? '–' : formatTime(r.to)],
    ['Trades replayed', String(s.trades)],
    ['Bars', String(s.bars)],
    ['Signals', String(s.signals)],
    ['Fills', String(s.fills)],
    ['Round trips', String(s.roundTrips)],
    ['Net PnL', num(s.netPnl)],
    ['Gross PnL', num(s.grossPnl)],
    ['Fees', num(s.fees)],
    ['Total return %', num(s.totalReturnPct)],
    ['Max drawdown', num(s.maxDrawdown)],
    ['Max drawdown %', num(s.maxDrawdownPct)],
    ['Sharpe-like', num(s.sharpeLike, 2)],
    ['Win rate %', num(s.winRatePct, 1)],
    ['Profit factor', num(s.profitFactor, 2)],
    ['Final position', String(qty(s.finalPosition))],
  ];
  const max = meta.maxRows ?? 500;
  const trips = r.roundTrips
    .slice(0, max)
    .map(
      (t) =>
        `<tr><td>${esc(t.side)}</td><td>${esc(formatTime(t.entryTime))}</td><td>${esc(formatTime(t.exitTime))}</td>` +
        `<td>${qty(t.maxQty)}</td><td>${num(t.entryPrice * tick, 2)}</td><td>${num(t.exitPrice * tick, 2)}</td>` +
        `<td>${num(t.pnl)}</td><td>${num(t.fees)}</td></tr>`,
    );
  const more =
    r.roundTrips.length > max ? `<p>${r.roundTrips.length - max} more round trips not shown.</p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Backtest ${esc(r.strategy)} ${esc(meta.symbol)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 8px;text-align:right}</style>
</head><body>
<h1>Backtest: ${esc(r.strategy)} on ${esc(meta.symbol)}</h1>
<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>
<h2>Equity (net PnL, quote)</h2>
${chart(
  r.equity.map((e) => [e.time, e.equity] as const),
  '#1565c0',
  'Equity',
)}
<h2>Drawdown</h2>
${chart(dd, '#c62828', 'Drawdown')}
<h2>Round trips</h2>
<table><tr><th>side</th><th>entry</th><th>exit</th><th>max qty</th><th>entry price</th><th>exit price</th><th>PnL</th><th>fees</th></tr>
${trips.join('\n')}</table>
${more}
</body></html>
`;
}
