/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- assertions on parsed JSON bodies */
// The config keys `signals`, `indicators` and `alerts`: validated strictly, and used by the service: configured
// indicator modules answer the indicators route (equal to a direct IndicatorRunner over the same bars), signal
// options narrow the signals route, and live signals of the alerted kinds are POSTed to the webhook.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseConfig } from '../../src/core/config.ts';
import { formatIncrement } from '../../src/core/decimal.ts';
import { resolveParams } from '../../src/core/params.ts';
import { formatTime } from '../../src/core/time.ts';
import type { Trade } from '../../src/core/trade.ts';
import { loadIndicators } from '../../src/indicators/indicator-config.ts';
import { indicatorsOverHistory } from '../../src/indicators/indicator-runner.ts';
import { closedBars } from '../../src/signals/closed-bars.ts';
import { detectSignals } from '../../src/signals/signal-engine.ts';
import { TradeSignalStream } from '../../src/signals/trade-signals.ts';
import { readTradeFile } from '../../src/sources/files/read-trade-file.ts';
import { DuckDbTradeStore } from '../../src/store/duckdb-store.ts';
import { OrderflowService } from '../../src/service/orderflow-service.ts';
import { requireData } from '../real-data.ts';
import { BTC_FILE, injectApp, ManualSource, type Fixture } from './fixture.ts';

const SYMBOL = 'binance:BTCUSDT';
const ROOT = resolve(import.meta.dirname, '../..');
const INDICATOR = { module: 'examples/absorption-ratio-indicator.ts', options: { period: 3 }, as: 'abs3' };

test('config: signals, indicators and alerts are optional, strict and checked', () => {
  const ok = parseConfig({
    signals: { kinds: ['absorption'], cooldownUs: { absorption: 60_000_000 }, nakedPocMinAgeBars: 4 },
    indicators: [INDICATOR],
    alerts: { webhookUrl: 'https://hooks.example/x', cooldownMs: 0, kinds: ['delta_divergence'] },
  });
  assert.deepEqual(ok.signals?.kinds, ['absorption']);
  assert.equal(ok.indicators?.[0]?.as, 'abs3');
  assert.equal(ok.alerts?.webhookUrl, 'https://hooks.example/x');
  const none = parseConfig({});
  assert.equal(none.signals, undefined);
  assert.equal(none.alerts, undefined);
  for (const bad of [
    { signals: { kinds: ['nope'] } },
    { signals: { extra: 1 } },
    { signals: { cooldownUs: { absorption: -1 } } },
    { indicators: [{ module: '' }] },
    { alerts: { webhookUrl: 'not a url' } },
    { alerts: { webhookUrl: 'ftp://x/y' } },
    { alerts: { webhookUrl: 'https://x/y', retries: 3 } },
  ]) {
    assert.throws(() => parseConfig(bad), /INVALID_CONFIG|invalid config/, JSON.stringify(bad));
  }
});

async function configuredService(
  t: Parameters<typeof requireData>[0],
  config: unknown,
): Promise<{ f: Fixture; all: Trade[] } | undefined> {
  const path = requireData(t, BTC_FILE);
  if (path === undefined) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-sig-'));
  const store = new DuckDbTradeStore({ dataDir: dir });
  await store.open();
  const probe = await readTradeFile(path);
  await store.upsertInstrument(probe.instrument);
  const inst = (await store.getInstrument(probe.instrument.exchange, probe.instrument.symbol))!;
  const all = (
    await readTradeFile(path, { tickSize: formatIncrement(inst.price), lotSize: formatIncrement(inst.qty) })
  ).trades;
  const source = new ManualSource([inst]);
  const service = new OrderflowService({
    store,
    source,
    config: parseConfig(config),
    flushMs: 20,
    configDir: ROOT,
  });
  await service.start();
  return {
    all,
    f: {
      dir,
      store,
      imported: [],
      source,
      service,
      async close() {
        await service.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    },
  };
}

test('service: configured indicators and signal options drive the routes', async (t) => {
  const s = await configuredService(t, {
    signals: { kinds: ['absorption', 'unfinished_auction'] },
    indicators: [INDICATOR],
  });
  if (!s) return;
  const { f, all } = s;
  await f.store.insertTrades('binance', 'BTCUSDT', all);
  const api = await injectApp(f);
  try {
    assert.deepEqual(
      f.service.indicators.map((i) => i.as),
      ['abs3'],
    );
    const inst = (await f.store.getInstrument('binance', 'BTCUSDT'))!;
    const scale = { price: inst.price, qty: inst.qty, volumeUnit: inst.volumeUnit };
    const p = resolveParams(parseConfig({ timePerRow: '1m' }), scale, inst.qty);
    const bars = closedBars(all, p);
    const opts = { kinds: ['absorption', 'unfinished_auction'] as const };
    // An indicator sees the signals its bar completed (emitted when that bar closed, whichever bar they are
    // about): the batch detector over the bars up to and including it, minus those up to the bar before.
    const upTo = bars.map((_, i) => detectSignals(bars.slice(0, i + 1), p, opts).length);
    const all2 = detectSignals(bars, p, opts);
    const expected = indicatorsOverHistory(bars, await loadIndicators([INDICATOR], ROOT), p, (_b, i) =>
      all2.slice(i === 0 ? 0 : upTo[i - 1], upTo[i]),
    );

    const res = await api.app.inject({
      url: `/api/v1/orderflow/indicators/${SYMBOL}?timeframe=1m&start_time=2024-08-08T23:00:00Z`,
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json().data;
    assert.deepEqual(body.indicators, ['abs3']);
    assert.deepEqual(
      body.bars,
      JSON.parse(
        JSON.stringify(expected.map((r) => ({ bar_start: formatTime(r.barStart), values: r.values }))),
      ),
    );

    const sig = await api.app.inject({
      url: `/api/v1/orderflow/signals/${SYMBOL}?timeframe=1m&start_time=2024-08-08T23:00:00Z`,
    });
    const got = sig.json<{ data: { signals: { kind: string }[] } }>().data.signals;
    assert.ok(got.length > 0);
    for (const x of got)
      assert.ok((opts.kinds as readonly string[]).includes(x.kind), `only configured kinds (${x.kind})`);
    assert.equal(sig.json().data.count, detectSignals(bars, p, opts).length);
  } finally {
    await api.close();
    await f.close();
  }
});

test('service: live signals of the alerted kinds are POSTed to the configured webhook', async (t) => {
  const hits: { type: string; data: { kind: string; symbol: string; time: string } }[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      hits.push(JSON.parse(data) as (typeof hits)[number]);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  try {
    const probe = await configuredService(t, {});
    if (!probe) return;
    const inst = (await probe.f.store.getInstrument('binance', 'BTCUSDT'))!;
    const p = resolveParams(
      parseConfig({ timePerRow: '1m' }),
      { price: inst.price, qty: inst.qty, volumeUnit: inst.volumeUnit },
      inst.qty,
    );
    // Live: bars close on the next bar's first trade, so the stream without flush is what the service sees.
    const live = new TradeSignalStream(p).applyBatch(probe.all);
    await probe.f.close();
    const kind = live[0]?.kind;
    assert.ok(kind !== undefined, 'the file yields live signals');
    const expected = live.filter((e) => e.kind === kind);

    const s = (await configuredService(t, { alerts: { webhookUrl: url, cooldownMs: 0, kinds: [kind] } }))!;
    try {
      assert.ok(s.f.service.alerter !== undefined);
      await s.f.service.hub.subscribe({ symbol: SYMBOL, config: { timePerRow: '1m' } });
      for (let i = 0; i < s.all.length; i += 500) s.f.source.push(inst, s.all.slice(i, i + 500));
      for (let i = 0; i < 1000 && hits.length < expected.length; i++)
        await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(hits.length, expected.length);
      for (const h of hits) {
        assert.equal(h.type, 'signal');
        assert.equal(h.data.kind, kind);
        assert.equal(h.data.symbol, SYMBOL);
      }
      assert.deepEqual(hits.map((h) => h.data.time).sort(), expected.map((e) => formatTime(e.time)).sort());
    } finally {
      await s.f.close();
    }
  } finally {
    server.close();
  }
});
