// The OpenAPI 3.1 document, generated from the zod schemas that validate the requests (schemas.ts) and describe
// the responses (response-schemas.ts), so the document cannot drift from what the server does.

import { z } from 'zod';
import { API_ERRORS } from './errors.ts';
import { ENDPOINT_PARAMS, QUERY_PARAMS, symbolParam, type Endpoint } from './schemas.ts';
import {
  deltaDataSchema,
  errorBodySchema,
  footprintDataSchema,
  metricsDataSchema,
  profileDataSchema,
  successOf,
} from './response-schemas.ts';

const json = (schema: z.ZodType): Record<string, unknown> =>
  z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' });
const inputJson = (schema: z.ZodType): Record<string, unknown> => {
  const s = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete s.$schema;
  return s;
};
const strip = (s: Record<string, unknown>): Record<string, unknown> => {
  delete s.$schema;
  return s;
};

const ENDPOINT_DOCS: Record<Endpoint, { summary: string; data?: z.ZodType }> = {
  footprint: { summary: 'Footprint cells (bar × price row) of a range', data: footprintDataSchema },
  'volume-profile': {
    summary: 'Volume profile (VPVR or VPSV) with POC, value area, HVN/LVN',
    data: profileDataSchema,
  },
  delta: {
    summary: 'Delta analysis: CVD, momentum, pressure, divergences, exhaustion',
    data: deltaDataSchema,
  },
  metrics: { summary: 'Real-time metrics as of the latest trade', data: metricsDataSchema },
  imbalances: { summary: 'Stacked imbalance zones of a range (active until touched)' },
  divergences: { summary: 'Bar- and swing-level delta divergences of a range' },
};

function errorResponses(codes: (keyof typeof API_ERRORS)[]): Record<string, unknown> {
  const byStatus = new Map<number, string[]>();
  for (const c of codes) {
    const s = API_ERRORS[c];
    byStatus.set(s, [...(byStatus.get(s) ?? []), c]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, cs]) => [
      String(status),
      {
        description: cs.join(', '),
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    ]),
  );
}

export function buildOpenApi(serverUrl?: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const common = errorResponses([
    'INVALID_PARAMETER',
    'UNKNOWN_SYMBOL',
    'AUTH_REQUIRED',
    'FORBIDDEN',
    'RATE_LIMITED',
    'INTERNAL_ERROR',
  ]);
  for (const endpoint of Object.keys(ENDPOINT_PARAMS) as Endpoint[]) {
    const doc = ENDPOINT_DOCS[endpoint];
    const parameters = [
      {
        name: 'symbol',
        in: 'path',
        required: true,
        description: 'A market (BTC, ETH) or one instrument (binance:BTCUSDT)',
        schema: inputJson(symbolParam),
      },
      ...ENDPOINT_PARAMS[endpoint].map((name) => ({
        name,
        in: 'query',
        required: false,
        description: QUERY_PARAMS[name].description,
        schema: inputJson(QUERY_PARAMS[name].schema),
      })),
    ];
    const schema = doc.data === undefined ? { type: 'object' } : strip(json(successOf(doc.data)));
    paths[`/api/v1/orderflow/${endpoint}/{symbol}`] = {
      get: {
        operationId: endpoint.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()),
        summary: doc.summary,
        parameters,
        responses: { '200': { description: 'OK', content: { 'application/json': { schema } } }, ...common },
      },
    };
  }
  const simple = (summary: string, extra: Record<string, unknown> = {}) => ({
    get: { summary, responses: { '200': { description: 'OK' }, ...extra } },
  });
  paths['/api/v1/orderflow/symbols'] = simple('Markets and stored instruments with their ranges', common);
  paths['/api/v1/orderflow/completeness'] = simple(
    'Data completeness per stream: stored id gaps and live stream figures',
    common,
  );
  // Signals, indicators and cross-exchange (src/signals/http.ts, src/cross/http.ts validate their own queries).
  const q = (name: string, description: string, schema: Record<string, unknown> = { type: 'string' }) => ({
    name,
    in: 'query',
    required: false,
    description,
    schema,
  });
  const range = [
    q('timeframe', 'Bar timeframe (1m, 5m, 15s, …); default the config timePerRow'),
    q('start_time', 'RFC3339, inclusive; default: the last 100 bars up to the latest trade'),
    q('end_time', 'RFC3339, exclusive; default: the latest trade'),
  ];
  const extraRoute = (id: string, path: string, summary: string, name: string, extra: object[]) => {
    paths[path] = {
      get: {
        operationId: id,
        summary,
        parameters: [
          {
            name,
            in: 'path',
            required: true,
            description: 'A market or one instrument',
            schema: { type: 'string' },
          },
          ...range,
          ...extra,
        ],
        responses: { '200': { description: 'OK' }, ...common },
      },
    };
  };
  extraRoute(
    'signals',
    '/api/v1/orderflow/signals/{symbol}',
    'Signals (stacked imbalance, absorption, divergence, exhaustion, unfinished auction, naked POC test, value-area breakout) of closed bars',
    'symbol',
    [q('kinds', 'Comma-separated signal kinds to keep')],
  );
  extraRoute(
    'indicators',
    '/api/v1/orderflow/indicators/{symbol}',
    'Values of the configured custom indicators per closed bar',
    'symbol',
    [],
  );
  extraRoute(
    'cross',
    '/api/v1/orderflow/cross/{market}',
    'Per-venue bars side by side, CVD lead-lag between venues, arbitrage opportunities net of fees',
    'market',
    [
      q('max_lag', 'Largest lead/lag in bars (0…500, default 5)', {
        type: 'integer',
        minimum: 0,
        maximum: 500,
      }),
      q('min_net_bps', 'Opportunities with a net spread above this, bps', { type: 'number' }),
    ],
  );
  paths['/health'] = simple('Service health: source streams, store writes, live channels');
  paths['/metrics'] = {
    get: {
      summary: 'Prometheus metrics',
      responses: { '200': { description: 'OK', content: { 'text/plain': { schema: { type: 'string' } } } } },
    },
  };
  paths['/api/v1/openapi.json'] = simple('This document');
  return {
    openapi: '3.1.0',
    info: {
      title: 'orderflow — Order Flow Service',
      version: '1',
      description:
        'Footprints, volume profiles, delta and metrics from exact tick data. Errors: {"success":false,"error":{"code","message"}}. ' +
        'WebSocket: ws(s)://HOST/ws/orderflow, see docs/api.md.',
    },
    ...(serverUrl === undefined ? {} : { servers: [{ url: serverUrl }] }),
    components: {
      schemas: { Error: strip(json(errorBodySchema)) },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
    },
    security: [{}, { bearer: [] }, { apiKey: [] }],
    paths,
  };
}
