// Plain aligned text tables and colour for the CLI.

import { stripVTControlCharacters, styleText } from 'node:util';

const width = (s: string): number => stripVTControlCharacters(s).length;

export function pad(s: string, w: number, align: 'left' | 'right' = 'right'): string {
  const fill = ' '.repeat(Math.max(0, w - width(s)));
  return align === 'right' ? fill + s : s + fill;
}

/** Renders rows under a header; numbers right-aligned, the first column left-aligned. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => pad(c, widths[i]!, i === 0 ? 'left' : 'right')).join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Short human number: 1234.5 → "1234.5", 0.000123 → "0.000123", trailing zeros cut. */
export function short(value: string, maxDecimals = 4): string {
  const [i = '0', f = ''] = value.split('.');
  const cut = f.slice(0, maxDecimals).replace(/0+$/, '');
  return cut ? `${i}.${cut}` : i;
}

type Style = Parameters<typeof styleText>[0];

/** styleText that always passes an array: Node 20's styleText ignores a single style given as a string. */
export function paint(style: Style, text: string, enabled = true): string {
  return enabled ? styleText(Array.isArray(style) ? style : [style], text) : text;
}
