// The configuration schema: every field of the spec's OrderFlowConfig (camelCase) plus ours, validated by zod.
// Decimals are kept as strings so that thresholds stay exact; `resolveParams` turns them into integers.

import { z } from 'zod';
import { numberToPlainString } from './decimal.ts';
import { OrderflowError } from './errors.ts';
import { parseTimeOfDay, parseTimeframe } from './time.ts';
import { SIGNAL_KINDS } from '../signals/signal-engine.ts';
import { indicatorsConfigSchema } from '../indicators/indicator-config.ts';

const DECIMAL_TEXT = /^\d+(\.\d+)?$/;

/** A non-negative decimal given as a JSON number or a string; kept as its exact text. */
export const decimalText = z
  .union([
    z.number().finite().nonnegative(),
    z.string().trim().regex(DECIMAL_TEXT, 'must be a non-negative decimal'),
  ])
  .transform((v) => (typeof v === 'number' ? numberToPlainString(v) : v));

export const timeframeText = z.string().refine((s) => {
  try {
    parseTimeframe(s);
    return true;
  } catch {
    return false;
  }
}, 'must be a timeframe such as 30s, 1m, 5m, 15m, 1h, 4h, 1d');

const timeOfDay = z.string().refine((s) => {
  try {
    parseTimeOfDay(s);
    return true;
  } catch {
    return false;
  }
}, 'must be HH:MM (UTC)');

export const sessionSchema = z.object({
  name: z.string().min(1),
  start: timeOfDay,
  end: timeOfDay,
});
export type SessionWindowConfig = z.infer<typeof sessionSchema>;

export const aggregationMethod = z.enum(['TIME', 'VOLUME', 'TICK_COUNT']);
export type AggregationMethod = z.infer<typeof aggregationMethod>;

export const signalsConfigSchema = z
  .object({
    kinds: z.array(z.enum(SIGNAL_KINDS)).min(1).optional(),
    /** Least time between two signals of one kind, µs. */
    cooldownUs: z.partialRecord(z.enum(SIGNAL_KINDS), z.number().int().min(0)).optional(),
    nakedPocMinAgeBars: z.number().int().min(1).optional(),
    maxNakedPocs: z.number().int().min(1).optional(),
  })
  .strict();

export const alertsConfigSchema = z
  .object({
    webhookUrl: z.url({ protocol: /^https?$/ }),
    headers: z.record(z.string(), z.string()).optional(),
    cooldownMs: z.number().int().min(0).optional(),
    maxAttempts: z.number().int().min(1).max(100).optional(),
    timeoutMs: z.number().int().min(1).optional(),
    /** Kinds to alert on (default: every detected signal). */
    kinds: z.array(z.enum(SIGNAL_KINDS)).min(1).optional(),
  })
  .strict();

/** The live cross-venue spread monitor of multi-venue markets (SpreadOptions of src/cross/cross-exchange.ts). */
export const crossConfigSchema = z
  .object({
    /** Taker fee per venue key ("exchange:SYMBOL"), bps; a venue not listed pays 0. */
    takerFeeBps: z.record(z.string().min(1), z.number().finite().min(0)).optional(),
    /** An opportunity is a net spread above this, bps (default 0). */
    minNetBps: z.number().finite().optional(),
    /** The other venue's last price may be at most this old, ms (default 1000). */
    maxStalenessMs: z.number().int().min(0).optional(),
  })
  .strict();

export const orderFlowConfigSchema = z
  .object({
    // --- the spec's OrderFlowConfig ---
    symbol: z.string().min(1).default('BTC'),
    tickAggregationMethod: aggregationMethod.default('TIME'),
    /** Ticks of the instrument's price increment per footprint/profile row. */
    ticksPerRow: z.number().int().min(1).max(1_000_000).default(1),
    /** Volume threshold of a VOLUME bar (base units); alias of volumePerBar. */
    volumePerRow: decimalText.optional(),
    /** Duration of a TIME bar; the default timeframe. */
    timePerRow: timeframeText.default('1m'),
    /** Row size in price units; overrides ticksPerRow; must be a whole multiple of the tick size. */
    priceTickSize: decimalText.optional(),
    /** Diagonal imbalance threshold in percent: 300 ⇒ 3×. */
    imbalanceThreshold: decimalText.default('300'),
    /** Minimum volume of the dominant side for an imbalance (base units). */
    imbalanceMinVolume: decimalText.default('0'),
    valueAreaPercentage: decimalText.default('70'),
    hvnThreshold: decimalText.default('1.5'),
    lvnThreshold: decimalText.default('0.5'),
    deltaSmoothingPeriod: z.number().int().min(1).max(10_000).default(14),
    enableRealTimeUpdates: z.boolean().default(true),
    enableImbalanceDetection: z.boolean().default(true),
    enableDeltaDivergence: z.boolean().default(true),

    // --- ours ---
    /** Trades per TICK_COUNT bar. */
    ticksPerBar: z.number().int().min(1).default(1000),
    /** Base volume per VOLUME bar (defaults to volumePerRow, else 100). */
    volumePerBar: decimalText.optional(),
    /** VOLUME/TICK_COUNT bars restart at this UTC time each day. */
    barAnchor: timeOfDay.default('00:00'),
    volumeUnit: z.enum(['base', 'quote']).default('base'),
    imbalanceMode: z.enum(['diagonal', 'horizontal']).default('diagonal'),
    zeroPolicy: z.enum(['skip', 'one', 'infinite']).default('skip'),
    stackCount: z.number().int().min(2).default(3),
    unfinishedAuctionMinVolume: decimalText.default('0'),
    exhaustionRows: z.number().int().min(2).default(5),
    absorptionFactor: decimalText.default('3'),
    absorptionTicks: z.number().int().min(0).default(2),
    absorptionBars: z.number().int().min(1).default(3),
    valueAreaMethod: z.enum(['cbot', 'single']).default('cbot'),
    nodeWindow: z.number().int().min(1).default(5),
    inefficiencyPercent: decimalText.default('5'),
    /** Named daily session windows (UTC); empty ⇒ sessions are UTC days. */
    sessions: z.array(sessionSchema).default([]),
    cvdReset: z.enum(['none', 'session', 'day']).default('none'),
    swingLookback: z.number().int().min(1).default(5),
    exhaustionRunBars: z.number().int().min(1).default(3),
    exhaustionRatio: decimalText.default('0.3'),
    pressureWindow: timeframeText.default('5m'),
    liquidityWindow: timeframeText.default('5m'),
    liquidityLookback: timeframeText.default('1d'),
    activeImbalanceLookback: timeframeText.default('1d'),
    /** Markets: name → instruments ("exchange:SYMBOL"). */
    markets: z.record(z.string(), z.array(z.string().regex(/^[a-z0-9-]+:.+$/))).optional(),
    /** Signal detection of the service (SignalOptions of src/signals/signal-engine.ts). */
    signals: signalsConfigSchema.optional(),
    /** Custom indicator modules (paths relative to the config file). */
    indicators: indicatorsConfigSchema.optional(),
    /** Webhook alerts: every live signal is POSTed to `webhookUrl` (WebhookAlerter). */
    alerts: alertsConfigSchema.optional(),
    /** Fees and thresholds of the live cross-venue spread monitor (`arbitrage_opportunity`). */
    cross: crossConfigSchema.optional(),
  })
  .strict();

export type OrderFlowConfigInput = z.input<typeof orderFlowConfigSchema>;
export type OrderFlowConfig = z.output<typeof orderFlowConfigSchema>;

/** Validates a config object; throws INVALID_CONFIG listing every problem with its path. */
export function parseConfig(input: unknown): OrderFlowConfig {
  const r = orderFlowConfigSchema.safeParse(input ?? {});
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new OrderflowError('INVALID_CONFIG', `invalid config:\n  ${lines.join('\n  ')}`);
  }
  return r.data;
}

export const defaultConfig = (): OrderFlowConfig => parseConfig({});

/**
 * Config overrides from environment variables: ORDERFLOW_<FIELD_IN_UPPER_SNAKE_CASE>, e.g.
 * ORDERFLOW_IMBALANCE_THRESHOLD=250, ORDERFLOW_TIME_PER_ROW=5m. Values are coerced by the field's type.
 */
export function configFromEnv(env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const shape = orderFlowConfigSchema.shape as Record<string, z.ZodType>;
  const defaults = defaultConfig() as Record<string, unknown>;
  for (const field of Object.keys(shape)) {
    const name = `ORDERFLOW_${field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const sample = defaults[field];
    if (typeof sample === 'number') out[field] = /^-?\d+$/.test(raw) ? Number(raw) : raw;
    else if (typeof sample === 'boolean')
      out[field] = raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
    else if (
      typeof sample === 'object' ||
      ['markets', 'signals', 'indicators', 'alerts', 'cross'].includes(field)
    ) {
      try {
        out[field] = JSON.parse(raw) as unknown;
      } catch {
        out[field] = raw;
      }
    } else out[field] = raw;
  }
  return out;
}
