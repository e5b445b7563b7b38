// The footprint as a coloured bid×ask grid: one column per bar (sell × buy per price row), price rows top-down.

import { unitsToString } from '../core/decimal.ts';
import type { Scale } from '../core/instrument.ts';
import { formatTime } from '../core/time.ts';
import type { FootprintBar } from '../engines/footprint.ts';
import { paint as paintText, pad, short } from './render-table.ts';

export type ImbalanceMark = 'buy' | 'sell' | 'both' | undefined;

export interface GridOptions {
  readonly scale: Scale;
  readonly rowTicks: number;
  /** Imbalance side of a cell, if any. */
  readonly imbalance?: (bar: FootprintBar, row: number) => ImbalanceMark;
  readonly maxWidth?: number;
  readonly maxRows?: number;
  readonly color?: boolean;
}

export function renderFootprintGrid(allBars: readonly FootprintBar[], o: GridOptions): string {
  if (allBars.length === 0) return 'no trades in range';
  const paint = (style: Parameters<typeof paintText>[0], s: string): string =>
    paintText(style, s, o.color !== false);
  const qty = (lots: number): string => short(unitsToString(lots, o.scale.qty), 3);
  const priceOf = (row: number): string => unitsToString(row * o.rowTicks, o.scale.price);

  const cellText = (b: FootprintBar, row: number): string => {
    const c = b.cells.find((x) => x.row === row);
    return c ? `${qty(c.sell)} × ${qty(c.buy)}` : '';
  };
  const priceW = Math.max(...allBars.map((b) => priceOf(Math.floor(b.high / o.rowTicks)).length), 5);
  // Fit as many of the latest bars as the terminal allows.
  const colW = (b: FootprintBar): number => Math.max(11, ...b.cells.map((c) => cellText(b, c.row).length));
  const maxWidth = o.maxWidth ?? 160;
  const bars: FootprintBar[] = [];
  let used = priceW + 1;
  for (let i = allBars.length - 1; i >= 0; i--) {
    const w = colW(allBars[i]!) + 2;
    if (bars.length > 0 && used + w > maxWidth) break;
    bars.unshift(allBars[i]!);
    used += w;
  }
  const top = Math.max(...bars.map((b) => Math.floor(b.high / o.rowTicks)));
  const bottom = Math.min(...bars.map((b) => Math.floor(b.low / o.rowTicks)));
  const maxRows = o.maxRows ?? 120;
  const lines: string[] = [];
  if (allBars.length > bars.length)
    lines.push(paint('dim', `(showing the last ${bars.length} of ${allBars.length} bars)`));
  const widths = bars.map(colW);
  lines.push(
    pad('price', priceW) +
      ' ' +
      bars.map((b, i) => pad(formatTime(b.start).slice(11, 19), widths[i]!)).join('  '),
  );
  let rowsShown = 0;
  for (let row = top; row >= bottom; row--) {
    if (rowsShown++ >= maxRows) {
      lines.push(paint('dim', `… ${row - bottom + 1} more rows (use --price-tick-size to widen rows)`));
      break;
    }
    const cells = bars.map((b, i) => {
      const text = pad(cellText(b, row), widths[i]!);
      if (text.trim() === '') return text;
      const mark = o.imbalance?.(b, row);
      let styled = text;
      if (mark === 'buy') styled = paint(['green', 'bold'], text);
      else if (mark === 'sell') styled = paint(['red', 'bold'], text);
      else if (mark === 'both') styled = paint(['yellow', 'bold'], text);
      if (b.pocRow === row) styled = paint('underline', styled);
      return styled;
    });
    lines.push(paint('cyan', pad(priceOf(row), priceW)) + ' ' + cells.join('  '));
  }
  const summary = (label: string, f: (b: FootprintBar) => string): string =>
    pad(label, priceW) + ' ' + bars.map((b, i) => pad(f(b), widths[i]!)).join('  ');
  lines.push(summary('vol', (b) => qty(b.volume)));
  lines.push(
    summary('delta', (b) => {
      const s = (b.delta < 0 ? '-' : '') + qty(Math.abs(b.delta));
      return b.delta > 0 ? paint('green', s) : b.delta < 0 ? paint('red', s) : s;
    }),
  );
  lines.push(summary('delta%', (b) => (b.volume === 0 ? '0' : ((b.delta / b.volume) * 100).toFixed(1))));
  lines.push(paint('dim', 'cells: sell × buy (bid × ask); green/red = buy/sell imbalance; underlined = POC'));
  return lines.join('\n');
}
