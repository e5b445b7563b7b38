// Number and time formatting for the chart's cells, axes and panels (compact in cells, exact in details).

/** Decimals of a row size or increment printed by JSON (0.01 → 2, 5 → 0, 1e-7 → 7). */
export function decimalsOf(step: number): number {
  if (!Number.isFinite(step) || step <= 0) return 0;
  const s = step.toString();
  const e = /e-(\d+)$/.exec(s);
  if (e) return Number(e[1]) + (s.split('e')[0]!.split('.')[1]?.length ?? 0);
  return s.split('.')[1]?.length ?? 0;
}

export function formatPrice(price: number, rowSize: number): string {
  return price.toFixed(Math.min(12, decimalsOf(rowSize)));
}

/**
 * Compact quantity for a cell: up to 3 decimals below 10, 1 below 1000, then k/M. Zero prints as "0" and a
 * tiny non-zero value keeps its sign rather than collapsing into "0".
 */
export function formatQty(v: number): string {
  const a = Math.abs(v);
  const sign = v < 0 ? '-' : '';
  if (a === 0) return '0';
  if (a >= 1e6) return `${sign}${trim((a / 1e6).toFixed(1))}M`;
  if (a >= 1e4) return `${sign}${trim((a / 1e3).toFixed(1))}k`;
  if (a >= 1000) return `${sign}${Math.round(a)}`;
  if (a >= 10) return `${sign}${trim(a.toFixed(1))}`;
  if (a >= 0.001) return `${sign}${trim(a.toFixed(3))}`;
  return `${sign}<0.001`;
}

const trim = (s: string): string => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);

export const formatPct = (v: number): string => `${v >= 0 ? '' : '-'}${Math.abs(v).toFixed(1)}%`;

/** Bar time label from an RFC3339 start: HH:MM, with seconds for sub-minute bars, and the date at midnight. */
export function formatBarTime(rfc3339: string, withSeconds: boolean): string {
  const hm = rfc3339.slice(11, withSeconds ? 19 : 16);
  return rfc3339.slice(11, 19) === '00:00:00' ? `${rfc3339.slice(5, 10)} ${hm}` : hm;
}

/** A JSON value as display text: primitives as themselves, anything else as JSON. */
export function displayText(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return v.toString();
  return JSON.stringify(v);
}
