// The delta response body: the spec's `delta_profile` and `divergences`, plus exhaustions and the per-bar series
// (bar delta, CVD candle, momentum, acceleration).

import type { AnalyticsParams } from '../core/params.ts';
import type { DeltaAnalysis } from '../engines/delta.ts';
import { success, type SuccessBody } from './envelope.ts';
import { unitsFor } from './units.ts';

export interface DeltaRequestInfo {
  readonly symbol: string;
  readonly timeframe: string;
  readonly startTime?: number;
  readonly endTime?: number;
}

export function deltaBody(
  a: DeltaAnalysis,
  p: AnalyticsParams,
  req: DeltaRequestInfo,
): SuccessBody<Record<string, unknown>> {
  const u = unitsFor(p.scale, p.rowTicks);
  // Momentum and acceleration are EMAs of lot counts: scale them to base units like every other volume.
  const lot = p.scale.qty.mantissa / 10 ** p.scale.qty.decimals;
  return success({
    symbol: req.symbol,
    timeframe: req.timeframe,
    aggregation: p.bars.aggregation,
    ...(req.startTime === undefined ? {} : { start_time: u.time(req.startTime) }),
    ...(req.endTime === undefined ? {} : { end_time: u.time(req.endTime) }),
    cvd_reset: p.cvdReset,
    delta_profile: {
      cumulative_delta: u.qty(a.cumulativeDelta),
      delta_momentum: a.deltaMomentum * lot,
      delta_acceleration: a.deltaAcceleration * lot,
      buy_pressure: a.buyPressure,
      sell_pressure: a.sellPressure,
      is_divergent: a.isDivergent,
      is_exhausted: a.isExhausted,
    },
    divergences: a.divergences.map((d) =>
      d.kind === 'bar'
        ? { kind: 'bar', direction: d.direction, bar_start: u.time(d.barStart) }
        : {
            kind: 'swing',
            direction: d.direction,
            first: { time: u.time(d.first.time), price: u.price(d.first.price), cvd: u.qty(d.first.cvd) },
            second: { time: u.time(d.second.time), price: u.price(d.second.price), cvd: u.qty(d.second.cvd) },
          },
    ),
    exhaustions: a.exhaustions.map((e) => ({
      bar_start: u.time(e.barStart),
      direction: e.direction,
      run_bars: e.runBars,
      delta: u.qty(e.delta),
      run_avg_abs_delta: e.runAvgAbsDelta * lot,
    })),
    bars: a.series.map((b) => ({
      start_time: u.time(b.start),
      end_time: u.time(b.end),
      delta: u.qty(b.delta),
      volume: u.qty(b.volume),
      buy_volume: u.qty(b.buy),
      sell_volume: u.qty(b.sell),
      delta_pct: b.deltaPct,
      cvd_open: u.qty(b.cvdOpen),
      cvd_high: u.qty(b.cvdHigh),
      cvd_low: u.qty(b.cvdLow),
      cvd_close: u.qty(b.cvdClose),
      momentum: b.momentum * lot,
      acceleration: b.acceleration * lot,
    })),
  });
}
