// Resolves a validated config against an instrument scale into the exact integer parameters the engines use.

import type { AggregationMethod, OrderFlowConfig } from './config.ts';
import { incrementRatio, parseIncrement, formatIncrement, pow10 } from './decimal.ts';
import { OrderflowError } from './errors.ts';
import type { Scale } from './instrument.ts';
import { ceilRatio, ratioFromDecimal, type Ratio } from './ratio.ts';
import { parseTimeOfDay, parseTimeframe } from './time.ts';

export type ImbalanceMode = 'diagonal' | 'horizontal';
export type ZeroPolicy = 'skip' | 'one' | 'infinite';
export type ValueAreaMethod = 'cbot' | 'single';
export type CvdReset = 'none' | 'session' | 'day';

export interface SessionSpec {
  readonly name: string;
  /** µs after 00:00 UTC. */
  readonly startUs: number;
  /** µs after 00:00 UTC; end ≤ start means the window wraps past midnight. */
  readonly endUs: number;
}

export interface BarParams {
  readonly aggregation: AggregationMethod;
  readonly timeframeUs: number;
  readonly ticksPerBar: number;
  /** VOLUME bar threshold in lots. */
  readonly volumePerBarLots: number;
  /** VOLUME/TICK_COUNT bars restart daily at this offset from 00:00 UTC. */
  readonly anchorUs: number;
}

export interface ImbalanceParams {
  readonly enabled: boolean;
  readonly mode: ImbalanceMode;
  /** ImbalanceThreshold / 100. */
  readonly ratio: Ratio;
  readonly minLots: number;
  readonly zeroPolicy: ZeroPolicy;
  /** One unit of the instrument's quantity increment, in lots of the scale. */
  readonly oneLot: number;
  readonly stackCount: number;
}

export interface AnalyticsParams {
  readonly scale: Scale;
  /** Ticks per footprint/profile row. */
  readonly rowTicks: number;
  readonly bars: BarParams;
  readonly imbalance: ImbalanceParams;
  readonly unfinishedMinLots: number;
  readonly exhaustionRows: number;
  readonly absorption: { readonly factor: Ratio; readonly rows: number; readonly bars: number };
  readonly valueArea: { readonly fraction: Ratio; readonly method: ValueAreaMethod };
  readonly nodes: { readonly window: number; readonly hvn: Ratio; readonly lvn: Ratio };
  /** Inefficiency threshold as a fraction of the mean row volume (5 % ⇒ 5/100). */
  readonly inefficiency: Ratio;
  readonly sessions: readonly SessionSpec[];
  readonly cvdReset: CvdReset;
  readonly deltaSmoothingPeriod: number;
  readonly swingLookback: number;
  readonly divergenceEnabled: boolean;
  readonly exhaustionRunBars: number;
  readonly exhaustionRatio: Ratio;
  readonly pressureWindowUs: number;
  readonly liquidityWindowUs: number;
  readonly liquidityLookbackUs: number;
  readonly activeImbalanceLookbackUs: number;
}

/** Lots of `scale` for a decimal quantity in base units, rounded up (a threshold "≥ V"). */
function lotsAtLeast(text: string, scale: Scale): number {
  const r = ratioFromDecimal(text);
  return ceilRatio({ num: r.num * pow10(scale.qty.decimals), den: r.den * scale.qty.mantissa }, 1);
}

export function resolveParams(
  cfg: OrderFlowConfig,
  scale: Scale,
  instrumentQtyStep = scale.qty,
): AnalyticsParams {
  let rowTicks = cfg.ticksPerRow;
  if (cfg.priceTickSize !== undefined) {
    const rowSize = parseIncrement(cfg.priceTickSize, 'priceTickSize');
    const r = incrementRatio(rowSize, scale.price);
    if (r === undefined) {
      throw new OrderflowError(
        'INVALID_ROW_SIZE',
        `price tick size ${cfg.priceTickSize} is not a whole multiple of the instrument's tick size ${formatIncrement(scale.price)}`,
      );
    }
    rowTicks = r;
  }
  const oneLot = incrementRatio(instrumentQtyStep, scale.qty) ?? 1;
  return {
    scale,
    rowTicks,
    bars: {
      aggregation: cfg.tickAggregationMethod,
      timeframeUs: parseTimeframe(cfg.timePerRow),
      ticksPerBar: cfg.ticksPerBar,
      volumePerBarLots: Math.max(1, lotsAtLeast(cfg.volumePerBar ?? cfg.volumePerRow ?? '100', scale)),
      anchorUs: parseTimeOfDay(cfg.barAnchor),
    },
    imbalance: {
      enabled: cfg.enableImbalanceDetection,
      mode: cfg.imbalanceMode,
      ratio: ratioFromDecimal(cfg.imbalanceThreshold, 100),
      minLots: lotsAtLeast(cfg.imbalanceMinVolume, scale),
      zeroPolicy: cfg.zeroPolicy,
      oneLot,
      stackCount: cfg.stackCount,
    },
    unfinishedMinLots: lotsAtLeast(cfg.unfinishedAuctionMinVolume, scale),
    exhaustionRows: cfg.exhaustionRows,
    absorption: {
      factor: ratioFromDecimal(cfg.absorptionFactor),
      rows: cfg.absorptionTicks,
      bars: cfg.absorptionBars,
    },
    valueArea: { fraction: ratioFromDecimal(cfg.valueAreaPercentage, 100), method: cfg.valueAreaMethod },
    nodes: {
      window: cfg.nodeWindow,
      hvn: ratioFromDecimal(cfg.hvnThreshold),
      lvn: ratioFromDecimal(cfg.lvnThreshold),
    },
    inefficiency: ratioFromDecimal(cfg.inefficiencyPercent, 100),
    sessions: cfg.sessions.map((s) => ({
      name: s.name,
      startUs: parseTimeOfDay(s.start),
      endUs: parseTimeOfDay(s.end),
    })),
    cvdReset: cfg.cvdReset,
    deltaSmoothingPeriod: cfg.deltaSmoothingPeriod,
    swingLookback: cfg.swingLookback,
    divergenceEnabled: cfg.enableDeltaDivergence,
    exhaustionRunBars: cfg.exhaustionRunBars,
    exhaustionRatio: ratioFromDecimal(cfg.exhaustionRatio),
    pressureWindowUs: parseTimeframe(cfg.pressureWindow),
    liquidityWindowUs: parseTimeframe(cfg.liquidityWindow),
    liquidityLookbackUs: parseTimeframe(cfg.liquidityLookback),
    activeImbalanceLookbackUs: parseTimeframe(cfg.activeImbalanceLookback),
  };
}
