// Readable CLI tables for the profile, delta and metrics response bodies (the --json output is the body itself).

import { paint as paintText, renderTable } from './render-table.ts';

type Body = Record<string, unknown>;
const num = (v: unknown): string =>
  typeof v === 'number' ? String(v) : v === null || v === undefined ? '—' : JSON.stringify(v);
const fixed = (v: unknown, d = 2): string => (typeof v === 'number' ? v.toFixed(d) : '—');

export function renderProfile(data: Body, color: boolean): string {
  const paint = (s: Parameters<typeof paintText>[0], t: string): string => paintText(s, t, color);
  const prof = data.profile as Body;
  const levels = (data.price_levels as Body[]).slice().reverse();
  const maxVol = Math.max(1e-12, ...levels.map((l) => l.volume as number));
  const rows = levels.map((l) => {
    const bar = '█'.repeat(Math.round(((l.volume as number) / maxVol) * 30));
    const tags = [l.is_poc ? 'POC' : '', l.is_hvn ? 'HVN' : '', l.is_lvn ? 'LVN' : '']
      .filter(Boolean)
      .join(' ');
    const painted = l.is_poc
      ? paint('yellow', bar)
      : l.is_value_area
        ? paint('cyan', bar)
        : paint('dim', bar);
    return [
      num(l.price),
      num(l.volume),
      num(l.buy_volume),
      num(l.sell_volume),
      num(l.delta),
      fixed(l.percentage),
      painted,
      tags,
    ];
  });
  const head = [
    `${String(data.symbol)} ${String(data.profile_type)}: POC ${num(prof.point_of_control)}, VAH ${num(prof.value_area_high)}, VAL ${num(prof.value_area_low)}, volume ${num(prof.total_volume)}, delta ${num(prof.delta)}`,
  ];
  const sessions = data.sessions as Body[] | undefined;
  if (sessions && sessions.length > 1) {
    head.push(
      renderTable(
        ['session', 'start', 'POC', 'VAH', 'VAL', 'volume', 'delta'],
        sessions.map((s) => {
          const p = s.profile as Body;
          return [
            String(s.name),
            String(s.start_time),
            num(p.point_of_control),
            num(p.value_area_high),
            num(p.value_area_low),
            num(p.total_volume),
            num(p.delta),
          ];
        }),
      ),
    );
  }
  const cap = 80;
  const shown = rows.length > cap ? rows.slice(0, cap) : rows;
  const table = renderTable(['price', 'volume', 'buy', 'sell', 'delta', '%', '', ''], shown);
  const more =
    rows.length > cap
      ? `\n… ${rows.length - cap} more rows (use --price-tick-size to widen rows, or --json)`
      : '';
  return `${head.join('\n\n')}\n\n${table}${more}`;
}

export function renderDelta(data: Body, color: boolean): string {
  const paint = (s: Parameters<typeof paintText>[0], t: string): string => paintText(s, t, color);
  const dp = data.delta_profile as Body;
  const bars = data.bars as Body[];
  const rows = bars.map((b) => {
    const d = b.delta as number;
    const ds = d > 0 ? paint('green', num(d)) : d < 0 ? paint('red', num(d)) : num(d);
    return [
      String(b.start_time).slice(0, 19),
      num(b.volume),
      ds,
      fixed(b.delta_pct, 1),
      num(b.cvd_open),
      num(b.cvd_high),
      num(b.cvd_low),
      num(b.cvd_close),
      fixed(b.momentum, 4),
    ];
  });
  const divs = (data.divergences as Body[]).map((d) =>
    d.kind === 'bar'
      ? `  bar ${String(d.direction)} at ${String(d.bar_start)}`
      : `  swing ${String(d.direction)}: ${JSON.stringify(d.first)} → ${JSON.stringify(d.second)}`,
  );
  return [
    `${String(data.symbol)} delta: CVD ${num(dp.cumulative_delta)}, momentum ${fixed(dp.delta_momentum, 4)}, acceleration ${fixed(dp.delta_acceleration, 4)}, buy ${fixed(dp.buy_pressure)}% / sell ${fixed(dp.sell_pressure)}%, divergent ${String(dp.is_divergent)}, exhausted ${String(dp.is_exhausted)}`,
    '',
    renderTable(['bar', 'volume', 'delta', 'delta%', 'cvd open', 'high', 'low', 'close', 'momentum'], rows),
    ...(divs.length ? ['', 'divergences:', ...divs] : []),
  ].join('\n');
}

export function renderMetrics(data: Body): string {
  return renderTable(
    ['metric', 'value'],
    Object.entries(data).map(([k, v]) => [k, num(v)]),
  );
}
