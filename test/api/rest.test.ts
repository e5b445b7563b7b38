/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call -- assertions on parsed JSON bodies */
// REST API over real Binance trades in a DuckDB store: contract (spec fields and types), equality with the
// CLI/engine bodies on the same trades, OpenAPI validity, and clear errors for bad input (fuzzed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { Validator } from '@seriousme/openapi-schema-validator';
import { parseConfig } from '../../src/core/config.ts';
import { resolveParams } from '../../src/core/params.ts';
import { formatTime } from '../../src/core/time.ts';
import type { Trade } from '../../src/core/trade.ts';
import { micros, ticks } from '../../src/core/units.ts';
import { deltaQuery, footprintQuery, metricsQuery, profileQuery } from '../../src/cli/analysis.ts';
import { storeFootprintQuery } from '../../src/query/store-queries.ts';
import { readTargetTrades, resolveTarget } from '../../src/query/targets.ts';
import {
  deltaDataSchema,
  errorBodySchema,
  footprintDataSchema,
  metricsDataSchema,
  profileDataSchema,
} from '../../src/api/response-schemas.ts';
import { buildOpenApi } from '../../src/api/openapi.ts';
import { nest } from '../../src/service/query-service.ts';
import { BTC_FILE, ETH_FILE, injectApp, serviceFixture } from './fixture.ts';

const SYMBOL = 'binance:BTCUSDT';

/** The spec's fields per endpoint, with their JSON types, written out from the spec text (not from our schemas). */
const SPEC_FIELDS = {
  footprintData: { symbol: 'string', timeframe: 'string', bars: 'object' },
  footprintCell: {
    price_level: 'number',
    buy_volume: 'number',
    sell_volume: 'number',
    total_volume: 'number',
    delta: 'number',
    is_imbalanced: 'boolean',
    is_point_of_control: 'boolean',
    start_time: 'string',
    end_time: 'string',
  },
  profileData: { symbol: 'string', profile_type: 'string', profile: 'object', price_levels: 'object' },
  profileSummary: {
    point_of_control: 'number',
    value_area_high: 'number',
    value_area_low: 'number',
    total_volume: 'number',
  },
  priceLevel: {
    price: 'number',
    volume: 'number',
    buy_volume: 'number',
    sell_volume: 'number',
    delta: 'number',
    percentage: 'number',
    is_hvn: 'boolean',
    is_poc: 'boolean',
    is_value_area: 'boolean',
  },
  deltaData: { symbol: 'string', delta_profile: 'object', divergences: 'object' },
  deltaProfile: {
    cumulative_delta: 'number',
    delta_momentum: 'number',
    buy_pressure: 'number',
    sell_pressure: 'number',
    is_divergent: 'boolean',
    is_exhausted: 'boolean',
  },
  metricsData: {
    symbol: 'string',
    current_price: 'number',
    cumulative_delta: 'number',
    session_delta: 'number',
    buy_pressure: 'number',
    sell_pressure: 'number',
    active_imbalances: 'number',
    liquidity_index: 'number',
  },
} as const;

function hasSpecFields(obj: unknown, spec: Record<string, string>, where: string): void {
  assert.ok(obj !== null && typeof obj === 'object', `${where} is an object`);
  for (const [k, type] of Object.entries(spec)) {
    const v: unknown = (obj as Record<string, unknown>)[k];
    assert.equal(typeof v, type, `${where}.${k} is a ${type} (got ${JSON.stringify(v)})`);
  }
}

test('contract: each spec endpoint returns exactly the spec fields with their types, over real data', async (t) => {
  const f = await serviceFixture(t, { files: [BTC_FILE] });
  if (!f) return;
  const api = await injectApp(f);
  try {
    const range = 'start_time=2024-08-08T23:55:00Z&end_time=2024-08-09T00:05:00Z';
    const fp = await api.app.inject(`/api/v1/orderflow/footprint/${SYMBOL}?timeframe=1m&${range}`);
    assert.equal(fp.statusCode, 200);
    assert.match(String(fp.headers['content-type']), /application\/json/);
    const fpBody = fp.json();
    assert.equal(fpBody.success, true);
    hasSpecFields(fpBody.data, SPEC_FIELDS.footprintData, 'footprint.data');
    assert.ok(fpBody.data.bars.length > 0);
    for (const c of fpBody.data.bars) hasSpecFields(c, SPEC_FIELDS.footprintCell, 'footprint cell');
    assert.equal(fpBody.data.timeframe, '1m');
    assert.ok(footprintDataSchema.safeParse(fpBody.data).success);

    const vp = (await api.app.inject(`/api/v1/orderflow/volume-profile/${SYMBOL}?type=VPVR&${range}`)).json();
    hasSpecFields(vp.data, SPEC_FIELDS.profileData, 'profile.data');
    hasSpecFields(vp.data.profile, SPEC_FIELDS.profileSummary, 'profile.profile');
    assert.equal(vp.data.profile_type, 'VPVR');
    for (const l of vp.data.price_levels) hasSpecFields(l, SPEC_FIELDS.priceLevel, 'price level');
    assert.ok(profileDataSchema.safeParse(vp.data).success);

    const d = (await api.app.inject(`/api/v1/orderflow/delta/${SYMBOL}?${range}`)).json();
    hasSpecFields(d.data, SPEC_FIELDS.deltaData, 'delta.data');
    hasSpecFields(d.data.delta_profile, SPEC_FIELDS.deltaProfile, 'delta_profile');
    assert.ok(Array.isArray(d.data.divergences));
    assert.ok(deltaDataSchema.safeParse(d.data).success);

    const m = (await api.app.inject(`/api/v1/orderflow/metrics/${SYMBOL}`)).json();
    hasSpecFields(m.data, SPEC_FIELDS.metricsData, 'metrics.data');
    assert.ok(metricsDataSchema.safeParse(m.data).success);
    // Pressure is a split of 100 (spec example 65.5 / 34.5).
    assert.ok(Math.abs(m.data.buy_pressure + m.data.sell_pressure - 100) < 1e-9);
    // A live source marks nothing.
    assert.equal(m.data.source, undefined);
  } finally {
    await api.close();
    await f.close();
  }
});

test('results over the API equal the CLI/engine bodies on the same stored trades', async (t) => {
  const f = await serviceFixture(t, { files: [BTC_FILE] });
  if (!f) return;
  const api = await injectApp(f);
  try {
    const target = await resolveTarget(f.store, SYMBOL);
    const from = Date.UTC(2024, 7, 8, 23, 55, 30) * 1000;
    const to = Date.UTC(2024, 7, 9, 0, 4, 10) * 1000;
    const trades = await readTargetTrades(f.store, target, 0, Number.MAX_SAFE_INTEGER);
    const range = `start_time=${formatTime(from)}&end_time=${formatTime(to)}`;
    const cases: { q: string; cfg: Record<string, unknown> }[] = [
      { q: 'timeframe=1m', cfg: { timePerRow: '1m' } },
      { q: 'timeframe=5m&price_tick_size=5', cfg: { timePerRow: '5m', priceTickSize: '5' } },
      {
        q: 'aggregation=VOLUME&volume_per_bar=2',
        cfg: { tickAggregationMethod: 'VOLUME', volumePerBar: '2' },
      },
      {
        q: 'aggregation=tick_count&ticks_per_bar=500&imbalance_threshold=200',
        cfg: { tickAggregationMethod: 'TICK_COUNT', ticksPerBar: 500, imbalanceThreshold: '200' },
      },
    ];
    for (const c of cases) {
      const p = resolveParams(parseConfig(c.cfg), target.scale, target.qtyStep);
      const r = { from, to };
      const tf = (c.cfg.timePerRow as string | undefined) ?? '1m';
      const got = (await api.app.inject(`/api/v1/orderflow/footprint/${SYMBOL}?${c.q}&${range}`)).json();
      assert.deepEqual(
        got,
        JSON.parse(JSON.stringify(footprintQuery(SYMBOL, tf, trades, p, r).body)),
        `footprint ${c.q}`,
      );
      const gotDelta = (
        await api.app.inject(
          `/api/v1/orderflow/delta/${SYMBOL}?${c.q.replace(/&imbalance_threshold=\d+/, '')}&${range}`,
        )
      ).json();
      const pd = resolveParams(
        parseConfig({ ...c.cfg, imbalanceThreshold: '300' }),
        target.scale,
        target.qtyStep,
      );
      assert.deepEqual(
        gotDelta,
        JSON.parse(JSON.stringify(deltaQuery(SYMBOL, tf, trades, pd, r).body)),
        `delta ${c.q}`,
      );
    }
    const p = resolveParams(parseConfig({}), target.scale, target.qtyStep);
    for (const type of ['VPVR', 'VPSV'] as const) {
      const got = (
        await api.app.inject(`/api/v1/orderflow/volume-profile/${SYMBOL}?type=${type}&${range}`)
      ).json();
      assert.deepEqual(
        got,
        JSON.parse(JSON.stringify(profileQuery(SYMBOL, type, trades, p, { from, to }).body)),
        type,
      );
    }
    const m = (await api.app.inject(`/api/v1/orderflow/metrics/${SYMBOL}?end_time=${formatTime(to)}`)).json();
    assert.deepEqual(m, JSON.parse(JSON.stringify(metricsQuery(SYMBOL, trades, p, { to }).body)));
    // format=nested holds the same cells, grouped under their bars.
    const flat = (await api.app.inject(`/api/v1/orderflow/footprint/${SYMBOL}?timeframe=1m&${range}`)).json();
    const nested = (
      await api.app.inject(`/api/v1/orderflow/footprint/${SYMBOL}?timeframe=1m&format=nested&${range}`)
    ).json();
    const cells = nested.data.bars.flatMap((b: { start_time: string; end_time: string; cells: object[] }) =>
      b.cells.map((c) => ({ ...c, start_time: b.start_time, end_time: b.end_time })),
    );
    assert.equal(cells.length, flat.data.bars.length);
    assert.deepEqual(
      cells.map((c: Record<string, unknown>) => JSON.stringify(Object.entries(c).sort())),
      flat.data.bars.map((c: Record<string, unknown>) => JSON.stringify(Object.entries(c).sort())),
    );
    assert.deepEqual(nested, JSON.parse(JSON.stringify(nest(flat))));
    // gzip for clients that accept it (same bytes once inflated); ETag revalidation answers 304 without a body.
    const url = `/api/v1/orderflow/footprint/${SYMBOL}?timeframe=1m&${range}`;
    const plain = await api.app.inject(url);
    const gz = await api.app.inject({ url, headers: { 'accept-encoding': 'gzip, deflate' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.rawPayload).toString(), plain.body);
    // What browsers send: brotli wins; a refused coding (q=0) is never used.
    const br = await api.app.inject({ url, headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(brotliDecompressSync(br.rawPayload).toString(), plain.body);
    assert.ok(br.rawPayload.length < gz.rawPayload.length, 'brotli is smaller than gzip');
    const noBr = await api.app.inject({ url, headers: { 'accept-encoding': 'br;q=0, gzip' } });
    assert.equal(noBr.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(noBr.rawPayload).toString(), plain.body);
    const etag = String(plain.headers.etag);
    assert.match(etag, /^"[\w-]+"$/);
    const again = await api.app.inject({ url, headers: { 'if-none-match': etag } });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
  } finally {
    await api.close();
    await f.close();
  }
});

/** The last stored trade of SYMBOL, and a buy 30 s after it at its price + 100 ticks (a live trade to push). */
async function lastAndLiveTrade(store: Parameters<typeof resolveTarget>[0]) {
  const target = await resolveTarget(store, SYMBOL);
  const inst = target.members[0]!.instrument;
  const last = (await readTargetTrades(store, target, 0, Number.MAX_SAFE_INTEGER)).at(-1)!;
  const live: Trade = {
    ...last,
    id: Number(last.id) + 1_000_000,
    ts: micros(last.ts + 30_000_000),
    price: ticks(last.price + 100),
    side: 1,
  };
  return { inst, last, live };
}

test('live trades are visible at once: the store is flushed before a query and cached bodies are dropped', async (t) => {
  const f = await serviceFixture(t, { files: [BTC_FILE] });
  if (!f) return;
  const api = await injectApp(f);
  try {
    const { inst, live } = await lastAndLiveTrade(f.store);
    const url = `/api/v1/orderflow/footprint/${SYMBOL}?timeframe=1m`;
    const before = (await api.app.inject(url)).json();
    assert.deepEqual((await api.app.inject(url)).json(), before, 'second request served the same body');
    assert.ok(f.service.queries.cache.hits >= 1);
    f.source.push(inst, [live]);
    const after = (await api.app.inject(url)).json();
    const lastBar = after.data.bar_stats.at(-1);
    assert.equal(lastBar.close, before.data.bar_stats.at(-1).close + 1, 'close moved by 100 ticks of 0.01');
  } finally {
    await api.close();
    await f.close();
  }
});

test('a repeated closed-range URL is answered from its cached body, until a live trade falls in the range', async (t) => {
  const f = await serviceFixture(t, { files: [BTC_FILE] });
  if (!f) return;
  const api = await injectApp(f);
  try {
    const { inst, last, live } = await lastAndLiveTrade(f.store);
    const end = formatTime(Math.ceil((last.ts + 3_600_000_000) / 3_600_000_000) * 3_600_000_000);
    const url = `/api/v1/orderflow/footprint/${SYMBOL}?timeframe=1m&start_time=2024-08-08T00:00:00Z&end_time=${end}`;
    const first = await api.app.inject(url);
    const computed = f.service.queries.queries;
    const hits = f.service.queries.cache.hits;
    const again = await api.app.inject(url);
    assert.equal(again.body, first.body);
    assert.equal(again.headers.etag, first.headers.etag);
    assert.equal(f.service.queries.queries, computed, 'not computed again');
    assert.equal(f.service.queries.cache.hits, hits + 1, 'counted as a cache hit');
    // A live trade inside the range, still pending in the store writer: the next answer includes it.
    f.source.push(inst, [live]);
    const after = (await api.app.inject(url)).json();
    assert.equal(
      after.data.bar_stats.at(-1).close,
      first.json().data.bar_stats.at(-1).close + 1,
      'close moved by 100 ticks of 0.01',
    );
    assert.equal(f.service.queries.queries, computed + 1);
    assert.deepEqual((await api.app.inject(url)).json(), after, 'and that answer is reused in turn');
    assert.equal(f.service.queries.queries, computed + 1);
  } finally {
    await api.close();
    await f.close();
  }
});

test('OpenAPI: the generated document is a valid OpenAPI 3.1 document and lists every endpoint and parameter', async () => {
  const doc = buildOpenApi();
  const v = new Validator();
  const r = await v.validate(doc);
  assert.equal(r.valid, true, JSON.stringify(r.errors));
  const paths = Object.keys(doc.paths as object);
  for (const p of ['footprint', 'volume-profile', 'delta', 'metrics'])
    assert.ok(paths.includes(`/api/v1/orderflow/${p}/{symbol}`));
  const fpParams = (doc.paths as Record<string, { get: { parameters: { name: string }[] } }>)[
    '/api/v1/orderflow/footprint/{symbol}'
  ]!.get.parameters.map((p) => p.name);
  for (const n of ['timeframe', 'start_time', 'end_time', 'aggregation']) assert.ok(fpParams.includes(n), n);
});

test('errors: bad parameters are 400 naming the parameter, unknown symbols 404, always the error envelope', async (t) => {
  const f = await serviceFixture(t, { files: [BTC_FILE] });
  if (!f) return;
  const api = await injectApp(f);
  try {
    const expect = async (url: string, status: number, code: string, mention?: string) => {
      const r = await api.app.inject(url);
      assert.equal(r.statusCode, status, `${url}: ${r.body}`);
      const b = r.json();
      assert.ok(errorBodySchema.safeParse(b).success, r.body);
      assert.equal(b.error.code, code);
      if (mention !== undefined)
        assert.ok(b.error.message.includes(mention), `${b.error.message} mentions ${mention}`);
    };
    await expect('/api/v1/orderflow/footprint/NOPE', 404, 'UNKNOWN_SYMBOL');
    await expect('/api/v1/orderflow/footprint/kraken:BTCUSDT', 404, 'UNKNOWN_SYMBOL');
    await expect(`/api/v1/orderflow/footprint/${SYMBOL}?timeframe=2x`, 400, 'INVALID_PARAMETER', 'timeframe');
    await expect(
      `/api/v1/orderflow/footprint/${SYMBOL}?aggregation=HOURLY`,
      400,
      'INVALID_PARAMETER',
      'aggregation',
    );
    await expect(
      `/api/v1/orderflow/footprint/${SYMBOL}?start_time=yesterday`,
      400,
      'INVALID_PARAMETER',
      'start_time',
    );
    await expect(
      `/api/v1/orderflow/footprint/${SYMBOL}?start_time=2024-08-09T00:00:00Z&end_time=2024-08-08T00:00:00Z`,
      400,
      'INVALID_RANGE',
      'start_time',
    );
    await expect(
      `/api/v1/orderflow/footprint/${SYMBOL}?price_tick_size=0.005`,
      400,
      'INVALID_ROW_SIZE',
      'price_tick_size',
    );
    await expect(
      `/api/v1/orderflow/footprint/${SYMBOL}?timeframe=1m&timeframe=5m`,
      400,
      'INVALID_PARAMETER',
      'timeframe',
    );
    await expect(`/api/v1/orderflow/footprint/${SYMBOL}?bogus=1`, 400, 'INVALID_PARAMETER', 'bogus');
    await expect(`/api/v1/orderflow/volume-profile/${SYMBOL}?type=TPO`, 400, 'INVALID_PARAMETER', 'type');
    await expect(
      `/api/v1/orderflow/footprint/${SYMBOL}?timeframe=1s&start_time=2024-01-01T00:00:00Z&end_time=2024-08-01T00:00:00Z`,
      400,
      'RANGE_TOO_LARGE',
    );
    await expect(`/api/v1/orderflow/delta/${SYMBOL}?stack_count=3`, 400, 'INVALID_PARAMETER', 'stack_count');
    await expect(
      `/api/v1/orderflow/footprint/${SYMBOL}?stack_count=1`,
      400,
      'INVALID_PARAMETER',
      'stack_count',
    );
    await expect('/api/v1/orderflow/nothing/BTC', 404, 'NOT_FOUND');
    await expect(`/api/v1/orderflow/footprint/${'x'.repeat(300)}`, 404, 'NOT_FOUND');
    await expect(
      `/api/v1/orderflow/footprint/${SYMBOL}?timeframe=1m&x=${'a'.repeat(5000)}`,
      414,
      'URI_TOO_LONG',
    );
  } finally {
    await api.close();
    await f.close();
  }
});

test('fuzz: random query strings and symbols never crash the API and always answer with an envelope', async (t) => {
  const f = await serviceFixture(t, { files: [ETH_FILE] });
  if (!f) return;
  const api = await injectApp(f);
  const names = [
    'timeframe',
    'aggregation',
    'start_time',
    'end_time',
    'price_tick_size',
    'ticks_per_row',
    'type',
    'format',
    'exchange',
    'stack_count',
    'volume_per_bar',
    'ticks_per_bar',
    'sessions',
    'zero_policy',
    'junk',
  ];
  const values = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.constantFrom(
      '1m',
      '5m',
      '0m',
      '1h',
      'VOLUME',
      'TICK_COUNT',
      'TIME',
      '0',
      '1',
      '-1',
      '0.01',
      '1e9',
      'nested',
      'VPSV',
      '2024-08-08T23:59:00Z',
      'binance',
      'A=00:00-08:00',
      'NaN',
      '%00',
      '../../etc',
    ),
  );
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('footprint', 'volume-profile', 'delta', 'metrics', 'imbalances', 'divergences'),
        fc.oneof(
          fc.constantFrom('ETH', 'binance:ETHUSDT', 'BTC', 'binance:ETHUSDT@x'),
          fc.string({ minLength: 1, maxLength: 12 }),
        ),
        fc.array(fc.tuple(fc.constantFrom(...names), values), { maxLength: 5 }),
        async (endpoint, symbol, params) => {
          const qs = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
          const r = await api.app.inject(`/api/v1/orderflow/${endpoint}/${encodeURIComponent(symbol)}?${qs}`);
          assert.ok([200, 400, 404].includes(r.statusCode), `${r.statusCode} ${r.body.slice(0, 300)}`);
          const b = r.json();
          if (r.statusCode === 200) assert.equal(b.success, true);
          else assert.ok(errorBodySchema.safeParse(b).success, r.body);
        },
      ),
      { numRuns: 150 },
    );
  } finally {
    await api.close();
    await f.close();
  }
});

test('demo sources mark every response; symbols, completeness, health, metrics and the placeholder page answer', async (t) => {
  const f = await serviceFixture(t, { files: [ETH_FILE], kind: 'simulator' });
  if (!f) return;
  const api = await injectApp(f);
  try {
    const m = (await api.app.inject('/api/v1/orderflow/metrics/binance:ETHUSDT')).json();
    assert.equal(m.data.source, 'simulator');
    const fp = (await api.app.inject('/api/v1/orderflow/footprint/ETH')).json();
    assert.equal(fp.data.source, 'simulator');
    assert.equal(fp.data.symbol, 'ETH');
    const syms = (await api.app.inject('/api/v1/orderflow/symbols')).json();
    assert.ok(syms.data.markets.some((x: { symbol: string }) => x.symbol === 'BTC'));
    assert.equal(syms.data.instruments[0].symbol, 'binance:ETHUSDT');
    assert.equal(syms.data.instruments[0].trades, f.imported[0]!.inserted);
    const comp = (await api.app.inject('/api/v1/orderflow/completeness')).json();
    assert.equal(comp.data.stored[0].missing_ids, 0, 'the file has contiguous ids');
    assert.equal(comp.data.stored[0].completeness, 1);
    const h = await api.app.inject('/health');
    assert.equal(h.statusCode, 200);
    assert.equal(h.json().status, 'ok');
    const prom = await api.app.inject('/metrics');
    assert.match(prom.body, /^orderflow_http_requests_total\{status="200"\} \d+$/m);
    const page = await api.app.inject('/');
    assert.match(page.body, /simulator/);
    assert.match(String(page.headers['content-type']), /text\/html/);
  } finally {
    await api.close();
    await f.close();
  }
});

test('a live source that reaches no exchange: /health says so and stored history is still served', async (t) => {
  const f = await serviceFixture(t, { files: [ETH_FILE] });
  if (!f) return;
  const api = await injectApp(f);
  try {
    f.source.emit({
      type: 'status',
      stream: 'binance-spot-trade',
      state: 'disconnected',
      detail: 'ECONNREFUSED',
    });
    const h = (await api.app.inject('/health')).json();
    assert.equal(h.status, 'degraded');
    assert.match(h.reason, /no exchange reachable/);
    const fp = await api.app.inject('/api/v1/orderflow/footprint/ETH?timeframe=5m');
    assert.equal(fp.statusCode, 200);
    assert.ok(fp.json().data.bars.length > 0);
  } finally {
    await api.close();
    await f.close();
  }
});

test('store footprint query and the API agree for the ETH market (market name resolves to its stored instrument)', async (t) => {
  const f = await serviceFixture(t, { files: [ETH_FILE] });
  if (!f) return;
  const api = await injectApp(f);
  try {
    const target = await resolveTarget(f.store, 'ETH');
    const p = resolveParams(parseConfig({ timePerRow: '15m' }), target.scale, target.qtyStep);
    const { body } = await storeFootprintQuery(f.store, target, '15m', p, {
      from: Date.UTC(2024, 7, 8, 23, 45) * 1000,
      to: Date.UTC(2024, 7, 9, 0, 15) * 1000,
    });
    const got = (
      await api.app.inject(
        '/api/v1/orderflow/footprint/ETH?timeframe=15m&start_time=2024-08-08T23:45:00Z&end_time=2024-08-09T00:15:00Z',
      )
    ).json();
    assert.deepEqual(got, JSON.parse(JSON.stringify(body)));
  } finally {
    await api.close();
    await f.close();
  }
});
