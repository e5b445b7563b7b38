// The gateway role on a real port: REST answers from PostgreSQL equal the single-process service's over the same
// recorded trades, and the workers' NATS updates reach its live service exactly once per trade.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { ScaleCollector } from '../../src/scale/collector-role.ts';
import { startGateway } from '../../src/scale/gateway.ts';
import { ScaleWorker } from '../../src/scale/worker-role.ts';
import { BTC_FILE, injectApp, serviceFixture, settings } from '../api/fixture.ts';
import { BTC_STREAM, recorded, replayOf, scaleEnv, waitFor } from './harness.ts';
import { needServices } from './services.ts';

it('gateway: REST over PostgreSQL equals the single-process service; worker updates reach its live service once', async (t) => {
  if (!(await needServices(t, ['pg', 'nats']))) return;
  const btc = await recorded(t, BTC_STREAM);
  if (btc === undefined) return;
  const single = await serviceFixture(t, { files: [BTC_FILE] });
  if (single === undefined) return;
  const env = scaleEnv();
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-gw-'));
  try {
    // The schema must exist before the gateway lists its instruments.
    const pre = env.store();
    await pre.open();
    const gw = await startGateway({ scale: env.config, settings: settings(dir) });
    try {
      const worker = new ScaleWorker(await env.bus('worker'), env.store(), {
        shards: [{ exchange: 'binance', symbol: 'BTCUSDT' }],
      });
      await worker.start();
      const collector = new ScaleCollector(await env.bus('collector'), replayOf([btc]));
      await collector.start();
      await collector.sourceEnded;
      await collector.idle();
      const total = btc.trades.length;
      // Every committed trade arrives at the gateway's service as a live trade, once (duplicates would be written twice).
      await waitFor('updates at the gateway', () => gw.service.writer.written === total, 60_000);
      await gw.service.writer.flush();
      assert.equal(gw.service.writer.written, total);
      const api = await injectApp(single);
      try {
        for (const q of [
          'footprint/binance:BTCUSDT?timeframe=1m&start_time=2024-08-08T23:55:00Z&end_time=2024-08-09T00:05:00Z',
          'footprint/binance:BTCUSDT?timeframe=5m&start_time=2024-08-08T23:50:00Z&end_time=2024-08-09T00:10:00Z',
          'volume-profile/binance:BTCUSDT?type=VPVR&start_time=2024-08-08T23:55:00Z&end_time=2024-08-09T00:05:00Z',
          'delta/binance:BTCUSDT?start_time=2024-08-08T23:55:00Z&end_time=2024-08-09T00:05:00Z',
        ]) {
          const fromGateway = (await fetch(`${gw.server.url}/api/v1/orderflow/${q}`)).json() as Promise<{
            data: unknown;
          }>;
          const fromSingle = (await api.app.inject(`/api/v1/orderflow/${q}`)).json<{ data: unknown }>();
          assert.deepEqual((await fromGateway).data, fromSingle.data, q);
          if (q.startsWith('footprint')) {
            assert.ok((fromSingle.data as { bars: unknown[] }).bars.length >= 10, `${q}: bars to compare`);
          }
        }
      } finally {
        await api.close();
      }
      const health = (await (await fetch(`${gw.server.url}/health`)).json()) as { source: { kind: string } };
      assert.equal(health.source.kind, 'live');
      await collector.stop();
      await worker.stop();
    } finally {
      await gw.close();
      await pre.close();
    }
  } finally {
    await single.close();
    await env.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
