// Live cross-exchange over the service: a two-venue market's `cross_update` messages equal `venueFlow` over the
// same trades for every closed bar (and an independent per-venue sum), over the hub and over a real WebSocket; the
// config's `cross` fees, threshold and staleness drive the live `arbitrage_opportunity` messages.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { parseConfig, configFromEnv, type OrderFlowConfigInput } from '../../src/core/config.ts';
import { inferInstrument, type Instrument } from '../../src/core/instrument.ts';
import { resolveParams } from '../../src/core/params.ts';
import { parseTime } from '../../src/core/time.ts';
import type { Trade } from '../../src/core/trade.ts';
import { lots, micros, ticks, type Side } from '../../src/core/units.ts';
import { SpreadMonitor, venueFlow } from '../../src/cross/cross-exchange.ts';
import { crossBarJson, encodeCrossMessage, spreadOptionsFromConfig } from '../../src/cross/http.ts';
import { resolveTarget } from '../../src/query/targets.ts';
import { OrderflowService } from '../../src/service/orderflow-service.ts';
import { DuckDbTradeStore } from '../../src/store/duckdb-store.ts';
import { unitsFor } from '../../src/views/units.ts';
import type { ArbitrageOpportunityData, CrossUpdateData } from '../../src/client/stream-client.ts';
import { listen, ManualSource, type Fixture } from './fixture.ts';

interface Msg {
  type: string;
  data: unknown;
}
const parse = (b: Buffer | string): Msg => JSON.parse(b.toString()) as Msg;
const json = <T>(x: unknown): T => JSON.parse(JSON.stringify(x)) as T;

const SCALE = {
  price: { mantissa: 1, decimals: 2 },
  qty: { mantissa: 1, decimals: 5 },
  volumeUnit: 'base' as const,
};
const BN = inferInstrument('binance', 'BTCUSDT', SCALE);
const CB = inferInstrument('coinbase', 'BTC-USD', SCALE);
const BN_KEY = 'binance:BTCUSDT';
const CB_KEY = 'coinbase:BTC-USD';
const T0 = parseTime('2024-08-09T00:00:00Z');

/** A service with its own config over a temp store holding the two BTC instruments. */
async function crossFixture(t: TestContext, config: OrderFlowConfigInput = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-cross-'));
  const store = new DuckDbTradeStore({ dataDir: dir });
  await store.open();
  await store.upsertInstrument(BN);
  await store.upsertInstrument(CB);
  const source = new ManualSource([], 'live');
  const service = new OrderflowService({
    store,
    source,
    flushMs: 20,
    config: parseConfig(config),
    indicators: [],
  });
  await service.start();
  const f: Fixture = {
    dir,
    store,
    imported: [],
    source,
    service,
    async close() {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  t.after(() => f.close());
  return f;
}

const mk = (i: Instrument, id: number, dtMs: number, price: number, qty = 100, side: Side = 1): Trade => ({
  exchange: i.exchange,
  symbol: i.symbol,
  id,
  ts: micros(T0 + dtMs * 1000),
  price: ticks(price),
  qty: lots(qty),
  side,
  sideSource: 'exchange',
});

/** Deterministic two-venue tape over ~4.5 minutes (LCG), time-ordered; Coinbase skips the third minute. */
function tape(): [Instrument, Trade][] {
  let s = 12345;
  const rnd = (n: number): number => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((s / 2 ** 31) * n);
  };
  const out: [Instrument, Trade][] = [];
  const ids = new Map<Instrument, number>();
  for (let ms = 0; ms < 270_000; ms += 250 + rnd(500)) {
    const i = rnd(2) === 0 ? BN : CB;
    if (i === CB && ms >= 120_000 && ms < 180_000) continue;
    const id = (ids.get(i) ?? 0) + 1;
    ids.set(i, id);
    out.push([i, mk(i, id, ms, 6_000_000 + rnd(40) - 20, 1 + rnd(5000), rnd(3) === 0 ? -1 : 1)]);
  }
  return out;
}

/** Captures everything the hub publishes on one topic, parsed. */
function capture(f: Fixture, topic: string): Msg[] {
  const got: Msg[] = [];
  f.service.setPublisher({
    publish(tp, payload) {
      if (tp === topic) got.push(parse(payload));
    },
    publishBar(tp, _key, u) {
      if (tp === topic) got.push(parse(u.full()));
    },
  });
  return got;
}

test('config: the optional `cross` key is strict; spreadOptionsFromConfig maps fees, threshold, staleness (ms→µs)', () => {
  assert.equal(parseConfig({}).cross, undefined);
  const c = parseConfig({ cross: { takerFeeBps: { [BN_KEY]: 1 }, minNetBps: 0.5, maxStalenessMs: 250 } });
  assert.deepEqual(spreadOptionsFromConfig(c.cross), {
    takerBps: { [BN_KEY]: 1 },
    minNetBps: 0.5,
    maxStalenessUs: 250_000,
  });
  assert.deepEqual(spreadOptionsFromConfig(parseConfig({ cross: {} }).cross), {});
  assert.deepEqual(spreadOptionsFromConfig(undefined), {});
  for (const bad of [
    { cross: { takerFee: {} } },
    { cross: { takerFeeBps: { [BN_KEY]: -1 } } },
    { cross: { maxStalenessMs: 1.5 } },
    { cross: { minNetBps: 'x' } },
  ])
    assert.throws(() => parseConfig(bad), /cross/);
  assert.deepEqual(configFromEnv({ ORDERFLOW_CROSS: '{"minNetBps":2}' }), { cross: { minNetBps: 2 } });
});

test('hub: `cross_update` per closed 1m bar equals venueFlow over the same trades (and a plain per-venue sum)', async (t) => {
  const f = await crossFixture(t);
  const sub = await f.service.hub.subscribe({ symbol: 'BTC', config: { timePerRow: '1m' } });
  const got = capture(f, sub.channelTopic);
  const seq = tape();
  for (const [i, x] of seq) f.source.push(i, [x]);

  const updates = got.filter((m) => m.type === 'cross_update').map((m) => m.data as CrossUpdateData);
  const target = await resolveTarget(f.store, 'BTC');
  const p = resolveParams(parseConfig({ timePerRow: '1m' }), target.scale, target.qtyStep);
  const u = unitsFor(p.scale, p.rowTicks);
  const byVenue: Record<string, Trade[]> = {
    [BN_KEY]: seq.filter(([i]) => i === BN).map(([, x]) => x),
    [CB_KEY]: seq.filter(([i]) => i === CB).map(([, x]) => x),
  };
  const bars = venueFlow(byVenue, p);
  // Trades span minutes 0…4; minute 4 is still open (no later trade), so 4 bars are closed.
  assert.equal(bars.length, 5);
  const expected = bars.slice(0, -1).map((b) => ({
    symbol: 'BTC',
    timeframe: '1m',
    venues: [BN_KEY, CB_KEY],
    bar: json<CrossUpdateData['bar']>(crossBarJson(b, u)),
  }));
  assert.deepEqual(updates, expected);
  assert.equal(f.service.hub.publishedCrossUpdates, 4);

  let empty = 0;
  // Independently: per bar and venue, plain sums of the raw trades (qty in lots of 1e-5).
  for (const m of updates) {
    const start = parseTime(m.bar.bar_start);
    for (const v of [BN_KEY, CB_KEY]) {
      const ts = byVenue[v]!.filter((x) => x.ts >= start && x.ts < start + 60_000_000);
      const buy = ts.filter((x) => x.side === 1).reduce((a, x) => a + x.qty, 0);
      const sell = ts.filter((x) => x.side === -1).reduce((a, x) => a + x.qty, 0);
      const got = m.bar.venues[v]!;
      assert.equal(Math.round(got.buy_volume * 1e5), buy);
      assert.equal(Math.round(got.sell_volume * 1e5), sell);
      assert.equal(Math.round(got.volume * 1e5), buy + sell);
      assert.equal(Math.round(got.delta * 1e5), buy - sell);
      assert.equal(got.trades, ts.length);
      if (ts.length === 0) {
        empty++;
        // Coinbase skips minute 2: zeros, no close, neutral pressure (the REST cross body's empty venue).
        assert.equal(v, CB_KEY);
        assert.equal(m.bar.bar_start, '2024-08-09T00:02:00Z');
        assert.deepEqual([got.close, got.buy_pressure], [null, 50]);
      }
    }
  }

  assert.equal(empty, 1, 'the empty-venue case was exercised');

  // A trade of a closed bar arriving late changes nothing already sent and closes nothing.
  f.source.push(BN, [mk(BN, 10_000, 30_000, 6_000_000)]);
  assert.equal(got.filter((m) => m.type === 'cross_update').length, 4);
});

test('hub: single-venue markets and non-TIME channels send no `cross_update`', async (t) => {
  const f = await crossFixture(t);
  const single = await f.service.hub.subscribe({ symbol: BN_KEY, config: { timePerRow: '1m' } });
  const vol = await f.service.hub.subscribe({
    symbol: 'BTC',
    config: { tickAggregationMethod: 'TICK_COUNT', ticksPerBar: 10 },
  });
  const got: string[] = [];
  f.service.setPublisher({
    publish(tp, payload) {
      if (tp === single.channelTopic || tp === vol.channelTopic) got.push(parse(payload).type);
    },
    publishBar(tp, _key, u) {
      if (tp === single.channelTopic || tp === vol.channelTopic) got.push(parse(u.full()).type);
    },
  });
  for (const [i, x] of tape()) f.source.push(i, [x]);
  f.service.hub.publishUpdates();
  assert.ok(got.length > 0, 'the channels do publish');
  assert.ok(!got.includes('cross_update'));
  assert.equal(f.service.hub.publishedCrossUpdates, 0);
});

test('config `cross` fees, threshold and staleness change the live arbitrage net bps', async (t) => {
  const cross = { takerFeeBps: { [BN_KEY]: 1, [CB_KEY]: 1.5 }, minNetBps: 0.5, maxStalenessMs: 500 };
  const f = await crossFixture(t, { cross });
  const sub = await f.service.hub.subscribe({ symbol: 'BTC', config: { timePerRow: '1m' } });
  const got = capture(f, sub.tickTopic);
  // Binance 60000.00; Coinbase 60030.00 100 ms later: gross = 30/60000 = 5 bps, net = 5 − 1 − 1.5 = 2.5 > 0.5
  // ⇒ opens (buy Binance, sell Coinbase). Coinbase 60012.00: gross 2 bps, net −0.5 ⇒ closes (without fees it
  // would stay open: 2 > 0). Binance 59970.00 at 800 ms: gross (60012 − 59970)/59970 ≈ 7.0 bps, but Coinbase's
  // price is 600 ms old > 500 ms ⇒ nothing.
  const seq: [Instrument, Trade][] = [
    [BN, mk(BN, 1, 0, 6_000_000)],
    [CB, mk(CB, 1, 100, 6_003_000)],
    [CB, mk(CB, 2, 200, 6_001_200)],
    [BN, mk(BN, 2, 800, 5_997_000)],
  ];
  for (const [i, x] of seq) f.source.push(i, [x]);
  const arb = got
    .filter((m) => m.type === 'arbitrage_opportunity')
    .map((m) => m.data as ArbitrageOpportunityData);
  assert.equal(arb.length, 2);
  const open = arb[0]!;
  const closed = arb[1]!;
  assert.deepEqual([open.buy_venue, open.sell_venue, open.end], [BN_KEY, CB_KEY, null]);
  assert.ok(Math.abs(open.max_gross_bps - 5) < 1e-9);
  assert.ok(Math.abs(open.max_net_bps - 2.5) < 1e-9);
  assert.equal(parseTime(closed.end ?? ''), T0 + 200_000);
  assert.ok(Math.abs(closed.max_net_bps - 2.5) < 1e-9);

  // The same messages as a SpreadMonitor with those options; a fee-less one opens at net 5 and stays open, and
  // one without the staleness limit also opens on the last trade.
  const u = unitsFor(SCALE, 1);
  const run = (m: SpreadMonitor) =>
    seq.flatMap(([, x]) =>
      m.apply(x).map((o) => parse(encodeCrossMessage('BTC', o, u)).data as ArbitrageOpportunityData),
    );
  const venueOf = (x: Trade): string => `${x.exchange}:${x.symbol}`;
  assert.deepEqual(
    arb,
    run(new SpreadMonitor(spreadOptionsFromConfig(parseConfig({ cross }).cross), venueOf)),
  );
  const free = run(new SpreadMonitor({}, venueOf));
  assert.equal(free.length, 1);
  assert.ok(Math.abs(free[0]!.max_net_bps - 5) < 1e-9);
  const noStale = run(new SpreadMonitor({ takerBps: cross.takerFeeBps, minNetBps: 0.5 }, venueOf));
  assert.equal(noStale.length, 3);
});

/** Waits (on the event loop, bounded) until a condition holds. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(cond(), 'condition reached');
}

test('WebSocket: a subscriber of a two-venue market receives the `cross_update` messages of closed bars', async (t) => {
  const f = await crossFixture(t);
  const server = await listen(f);
  const ws = new WebSocket(server.wsUrl);
  t.after(async () => {
    ws.close();
    await server.close();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const got: CrossUpdateData[] = [];
  const subscribed = new Promise<void>((resolve) => {
    ws.on('message', (d: Buffer) => {
      const m = parse(d);
      if (m.type === 'subscribed') resolve();
      if (m.type === 'cross_update') got.push(m.data as CrossUpdateData);
    });
  });
  ws.send(
    JSON.stringify({ type: 'subscribe', data: { channel: 'orderflow', symbol: 'BTC', timeframe: '1m' } }),
  );
  await subscribed;
  const seq = tape();
  for (const [i, x] of seq) f.source.push(i, [x]);
  await until(() => got.length >= 4);
  const target = await resolveTarget(f.store, 'BTC');
  const p = resolveParams(parseConfig({ timePerRow: '1m' }), target.scale, target.qtyStep);
  const bars = venueFlow(
    {
      [BN_KEY]: seq.filter(([i]) => i === BN).map(([, x]) => x),
      [CB_KEY]: seq.filter(([i]) => i === CB).map(([, x]) => x),
    },
    p,
  ).slice(0, -1);
  const u = unitsFor(p.scale, p.rowTicks);
  assert.deepEqual(
    got.map((m) => m.bar),
    bars.map((b) => json<CrossUpdateData['bar']>(crossBarJson(b, u))),
  );
});
