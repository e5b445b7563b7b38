// Response schemas of the spec's endpoints: every field the spec names, with its type (extra fields are allowed
// and listed in docs/api.md). Used for the OpenAPI document and by the contract tests.

import { z } from 'zod';

const num = z.number();
const time = z.string().meta({ format: 'date-time' });

export const footprintCellSchema = z.looseObject({
  price_level: num,
  buy_volume: num,
  sell_volume: num,
  total_volume: num,
  delta: num,
  is_imbalanced: z.boolean(),
  is_point_of_control: z.boolean(),
  start_time: time,
  end_time: time,
});

export const footprintDataSchema = z.looseObject({
  symbol: z.string(),
  timeframe: z.string(),
  bars: z.array(footprintCellSchema),
});

export const priceLevelSchema = z.looseObject({
  price: num,
  volume: num,
  buy_volume: num,
  sell_volume: num,
  delta: num,
  percentage: num,
  is_hvn: z.boolean(),
  is_poc: z.boolean(),
  is_value_area: z.boolean(),
});

export const profileDataSchema = z.looseObject({
  symbol: z.string(),
  profile_type: z.enum(['VPVR', 'VPSV']),
  profile: z.looseObject({
    point_of_control: num.nullable(),
    value_area_high: num.nullable(),
    value_area_low: num.nullable(),
    total_volume: num,
  }),
  price_levels: z.array(priceLevelSchema),
});

export const deltaDataSchema = z.looseObject({
  symbol: z.string(),
  delta_profile: z.looseObject({
    cumulative_delta: num,
    delta_momentum: num,
    buy_pressure: num,
    sell_pressure: num,
    is_divergent: z.boolean(),
    is_exhausted: z.boolean(),
  }),
  divergences: z.array(
    z.looseObject({ kind: z.enum(['bar', 'swing']), direction: z.enum(['bullish', 'bearish']) }),
  ),
});

export const metricsDataSchema = z.looseObject({
  symbol: z.string(),
  current_price: num.nullable(),
  cumulative_delta: num,
  session_delta: num,
  buy_pressure: num,
  sell_pressure: num,
  active_imbalances: z.number().int(),
  liquidity_index: num.nullable(),
});

export const errorBodySchema = z
  .object({
    success: z.literal(false),
    error: z.object({ code: z.string(), message: z.string() }).strict(),
  })
  .strict();

export const successOf = <T extends z.ZodType>(data: T) =>
  z.object({ success: z.literal(true), data }).strict();
