// A user-written indicator: how much of the bar's volume printed at its extreme rows against the move (absorbed
// aggression), smoothed over N bars, plus a flag when an absorption signal fired. Register it in the config with
// `indicators: [{ module: "examples/absorption-ratio-indicator.ts", options: { period: 5 } }]`.

import { defineIndicator } from '../src/indicators/indicator.ts';

interface State {
  readonly period: number;
  readonly ratios: number[];
}

export default defineIndicator({
  name: 'absorption_ratio',
  description:
    'share of bar volume aggressing into the bar extremes (sell at the low + buy at the high), smoothed',
  inputs: ['footprint', 'signals'],
  init(options): State {
    const period = typeof options.period === 'number' && options.period >= 1 ? Math.floor(options.period) : 5;
    return { period, ratios: [] };
  },
  onBar(ctx, state) {
    const { bar } = ctx;
    const low = bar.cells[0];
    const high = bar.cells[bar.cells.length - 1];
    // Aggression into the extremes: sellers hitting the low row, buyers lifting the high row.
    const intoExtremes = (low?.sell ?? 0) + (high?.buy ?? 0);
    const ratio = bar.volume === 0 ? 0 : intoExtremes / bar.volume;
    state.ratios.push(ratio);
    if (state.ratios.length > state.period) state.ratios.shift();
    const ready = state.ratios.length === state.period;
    return {
      ratio,
      smoothed: ready ? state.ratios.reduce((s, r) => s + r, 0) / state.period : null,
      absorption: ctx.signals.some((s) => s.kind === 'absorption'),
    };
  },
});
