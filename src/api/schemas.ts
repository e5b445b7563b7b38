// The REST API's validating schemas (zod): one table of query parameters, each mapped to its OrderFlowConfig field,
// composed per endpoint. The same schemas validate requests and generate the OpenAPI document (openapi.ts).

import { z } from 'zod';
import { parseTime, parseTimeframe } from '../core/time.ts';
import { ApiError } from './errors.ts';

const DECIMAL = /^\d{1,30}(\.\d{1,30})?$/;
const INT = /^\d{1,9}$/;
const SESSIONS =
  /^[A-Za-z0-9_ -]{1,32}=\d{2}:\d{2}-\d{2}:\d{2}(,[A-Za-z0-9_ -]{1,32}=\d{2}:\d{2}-\d{2}:\d{2}){0,15}$/;

const rfc3339 = z
  .string()
  .max(64)
  .refine((s) => {
    try {
      parseTime(s);
      return true;
    } catch {
      return false;
    }
  }, 'must be an RFC3339 time, e.g. 2024-01-01T12:00:00Z')
  .meta({ format: 'date-time' });
const timeframe = z
  .string()
  .max(16)
  .refine((s) => {
    try {
      parseTimeframe(s);
      return true;
    } catch {
      return false;
    }
  }, 'must be a timeframe: 1m, 5m, 15m, 1h, 4h, 1d or Ns/Nm/Nh/Nd');
const decimal = (what: string) => z.string().regex(DECIMAL, `must be a non-negative decimal (${what})`);
const int = (what: string) => z.string().regex(INT, `must be a whole number (${what})`);
const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.string().refine((s) => values.includes(s.toUpperCase()) || values.includes(s.toLowerCase()), {
    message: `must be one of ${values.join(', ')}`,
  });

type Kind = 'time' | 'string' | 'int' | 'decimal' | 'upper' | 'lower' | 'bool' | 'sessions';

interface ParamSpec {
  readonly schema: z.ZodType<string>;
  readonly kind: Kind;
  /** The OrderFlowConfig field this parameter overrides. */
  readonly field?: string;
  readonly description: string;
}

/** Every query parameter of the API. */
export const QUERY_PARAMS = {
  start_time: { schema: rfc3339, kind: 'time', description: 'Range start, RFC3339, inclusive' },
  end_time: { schema: rfc3339, kind: 'time', description: 'Range end, RFC3339, exclusive' },
  timeframe: {
    schema: timeframe,
    kind: 'string',
    field: 'timePerRow',
    description: 'TIME bar length: 1m, 5m, 15m, 1h, 4h, 1d (or any Ns/Nm/Nh/Nd)',
  },
  aggregation: {
    schema: oneOf(['TIME', 'VOLUME', 'TICK_COUNT'] as const),
    kind: 'upper',
    field: 'tickAggregationMethod',
    description: 'Bar aggregation method: TIME, VOLUME or TICK_COUNT',
  },
  volume_per_bar: {
    schema: decimal('base units'),
    kind: 'decimal',
    field: 'volumePerBar',
    description: 'VOLUME bar size in base units',
  },
  ticks_per_bar: {
    schema: int('trades'),
    kind: 'int',
    field: 'ticksPerBar',
    description: 'TICK_COUNT bar size in exchange trades',
  },
  price_tick_size: {
    schema: decimal('price'),
    kind: 'decimal',
    field: 'priceTickSize',
    description: "Row size in price units; a whole multiple of the instrument's tick size",
  },
  ticks_per_row: {
    schema: int('ticks'),
    kind: 'int',
    field: 'ticksPerRow',
    description: 'Row size in instrument ticks (ignored when price_tick_size is given)',
  },
  exchange: {
    schema: z.string().regex(/^[a-z0-9-]{1,32}$/, 'must be an exchange id such as binance or coinbase'),
    kind: 'string',
    description: "Only this exchange's instruments of a market",
  },
  imbalance_threshold: {
    schema: decimal('percent'),
    kind: 'decimal',
    field: 'imbalanceThreshold',
    description: 'Diagonal imbalance threshold in percent (300 = 3x)',
  },
  imbalance_min_volume: {
    schema: decimal('base units'),
    kind: 'decimal',
    field: 'imbalanceMinVolume',
    description: 'Minimum volume of the dominant cell',
  },
  imbalance_mode: {
    schema: oneOf(['diagonal', 'horizontal'] as const),
    kind: 'lower',
    field: 'imbalanceMode',
    description: 'diagonal (buy[r] vs sell[r-1]) or horizontal (same row)',
  },
  zero_policy: {
    schema: oneOf(['skip', 'one', 'infinite'] as const),
    kind: 'lower',
    field: 'zeroPolicy',
    description: 'Opposite cell missing or zero: skip, one (one lot) or infinite',
  },
  stack_count: {
    schema: int('rows'),
    kind: 'int',
    field: 'stackCount',
    description: 'Rows of a stacked imbalance',
  },
  format: {
    schema: oneOf(['flat', 'nested'] as const),
    kind: 'lower',
    description: 'flat (the spec: one entry per cell) or nested (bars with their cells)',
  },
  type: {
    schema: oneOf(['VPVR', 'VPSV'] as const),
    kind: 'upper',
    description: 'Profile type: VPVR (visible range) or VPSV (per session)',
  },
  value_area_percentage: {
    schema: decimal('percent'),
    kind: 'decimal',
    field: 'valueAreaPercentage',
    description: 'Value area target (default 70)',
  },
  value_area_method: {
    schema: oneOf(['cbot', 'single'] as const),
    kind: 'lower',
    field: 'valueAreaMethod',
    description: 'cbot (two rows at a time) or single',
  },
  hvn_threshold: {
    schema: decimal('x mean'),
    kind: 'decimal',
    field: 'hvnThreshold',
    description: 'High volume node threshold (x mean row volume)',
  },
  lvn_threshold: {
    schema: decimal('x mean'),
    kind: 'decimal',
    field: 'lvnThreshold',
    description: 'Low volume node threshold (x mean row volume)',
  },
  omit_empty: {
    schema: oneOf(['true', 'false'] as const),
    kind: 'bool',
    description: 'Leave zero-volume rows out of price_levels',
  },
  sessions: {
    schema: z.string().max(800).regex(SESSIONS, 'must be Name=HH:MM-HH:MM[,Name=HH:MM-HH:MM...] (UTC)'),
    kind: 'sessions',
    field: 'sessions',
    description: 'Named daily UTC session windows, e.g. Asia=00:00-08:00,US=13:30-20:00',
  },
  cvd_reset: {
    schema: oneOf(['none', 'session', 'day'] as const),
    kind: 'lower',
    field: 'cvdReset',
    description: 'Restart CVD at each session or UTC day',
  },
  delta_smoothing_period: {
    schema: int('bars'),
    kind: 'int',
    field: 'deltaSmoothingPeriod',
    description: 'EMA period of delta momentum',
  },
  swing_lookback: {
    schema: int('bars'),
    kind: 'int',
    field: 'swingLookback',
    description: 'Bars each side of a swing high/low',
  },
} as const satisfies Record<string, ParamSpec>;

export type QueryParamName = keyof typeof QUERY_PARAMS;

const RANGE = ['start_time', 'end_time', 'exchange'] as const;
const ROWS = ['price_tick_size', 'ticks_per_row'] as const;
const BARS = ['timeframe', 'aggregation', 'volume_per_bar', 'ticks_per_bar'] as const;
const IMBALANCE = [
  'imbalance_threshold',
  'imbalance_min_volume',
  'imbalance_mode',
  'zero_policy',
  'stack_count',
] as const;
const DELTA = ['cvd_reset', 'delta_smoothing_period', 'swing_lookback', 'sessions'] as const;

/** Parameters each analytics endpoint accepts. */
export const ENDPOINT_PARAMS = {
  footprint: [...RANGE, ...BARS, ...ROWS, ...IMBALANCE, 'format'],
  'volume-profile': [
    ...RANGE,
    ...ROWS,
    'type',
    'value_area_percentage',
    'value_area_method',
    'hvn_threshold',
    'lvn_threshold',
    'omit_empty',
    'sessions',
  ],
  delta: [...RANGE, ...BARS, ...ROWS, ...DELTA],
  metrics: [...RANGE, ...ROWS, ...IMBALANCE, 'sessions', 'timeframe'],
  imbalances: [...RANGE, ...BARS, ...ROWS, ...IMBALANCE],
  divergences: [...RANGE, ...BARS, ...ROWS, ...DELTA],
} as const satisfies Record<string, readonly QueryParamName[]>;

export type Endpoint = keyof typeof ENDPOINT_PARAMS;

/** The zod object validating one endpoint's query string (unknown parameters are refused). */
export function querySchema(endpoint: Endpoint): z.ZodObject {
  const shape: Record<string, z.ZodOptional<z.ZodType<string>>> = {};
  for (const name of ENDPOINT_PARAMS[endpoint]) {
    const spec: ParamSpec = QUERY_PARAMS[name];
    shape[name] = spec.schema.optional().describe(spec.description);
  }
  return z.object(shape).strict();
}

export const symbolParam = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9:_./-]*$/, 'must be a market (BTC) or exchange:SYMBOL (binance:BTCUSDT)');

export interface ParsedQuery {
  readonly values: Partial<Record<QueryParamName, string>>;
  /** OrderFlowConfig overrides from the parameters. */
  readonly config: Record<string, unknown>;
  readonly from?: number;
  readonly to?: number;
}

const schemas = new Map<Endpoint, z.ZodObject>();

function parseSessions(text: string): { name: string; start: string; end: string }[] {
  return text.split(',').map((part) => {
    const [name = '', window = ''] = part.split('=');
    const [start = '', end = ''] = window.split('-');
    return { name: name.trim(), start, end };
  });
}

/** Validates a raw query object; throws INVALID_PARAMETER naming the first bad parameter. */
export function parseQuery(endpoint: Endpoint, raw: unknown): ParsedQuery {
  let schema = schemas.get(endpoint);
  if (schema === undefined) {
    schema = querySchema(endpoint);
    schemas.set(endpoint, schema);
  }
  const r = schema.safeParse(raw ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => `'${k.slice(0, 40)}'`).join(', ');
      throw new ApiError(
        'INVALID_PARAMETER',
        `unknown query parameter ${keys}; ${endpoint} accepts: ${ENDPOINT_PARAMS[endpoint].join(', ')}`,
      );
    }
    const name = String(issue.path[0] ?? '(query)');
    const message = issue.code === 'invalid_type' ? 'must be given once, as text' : issue.message;
    throw new ApiError('INVALID_PARAMETER', `query parameter '${name}': ${message}`);
  }
  const values = r.data as Partial<Record<QueryParamName, string>>;
  const config: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values) as [QueryParamName, string | undefined][]) {
    if (value === undefined) continue;
    const spec: ParamSpec = QUERY_PARAMS[name];
    if (spec.field === undefined) continue;
    config[spec.field] =
      spec.kind === 'int'
        ? Number(value)
        : spec.kind === 'upper'
          ? value.toUpperCase()
          : spec.kind === 'lower'
            ? value.toLowerCase()
            : spec.kind === 'sessions'
              ? parseSessions(value)
              : value;
  }
  const from = values.start_time === undefined ? undefined : parseTime(values.start_time);
  const to = values.end_time === undefined ? undefined : parseTime(values.end_time);
  if (from !== undefined && to !== undefined && from >= to) {
    throw new ApiError(
      'INVALID_RANGE',
      `start_time ${values.start_time} must be before end_time ${values.end_time}`,
    );
  }
  return { values, config, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
}

/** Config field → query parameter, to name the parameter in config validation errors. */
export const PARAM_OF_FIELD: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(QUERY_PARAMS)
    .filter(([, s]) => 'field' in s)
    .map(([name, s]) => [(s as ParamSpec).field!, name]),
);
