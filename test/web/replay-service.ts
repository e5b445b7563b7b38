// The real order-flow service (OrderflowService + startServer on port 0, web/dist at `/`) fed by a ReplaySource of
// real trade files, paced by a clock the test moves: `releaseUntil(fraction)` lets the replay emit the recording up
// to that point and resolves once the replay is parked on the next trade (or ended), so nothing races the checks.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyStore } from '../../src/api/api-keys.ts';
import { AuditLog } from '../../src/api/audit-log.ts';
import { startServer, type RunningServer } from '../../src/api/app.ts';
import type { IndicatorInstance } from '../../src/indicators/indicator-runner.ts';
import { OrderflowService } from '../../src/service/orderflow-service.ts';
import { parseServiceConfig } from '../../src/service/service-config.ts';
import type { Trade } from '../../src/core/trade.ts';
import { readTradeFile } from '../../src/sources/files/read-trade-file.ts';
import { ReplaySource, type ReplayClock, type ReplayInput } from '../../src/sources/replay.ts';
import { DuckDbTradeStore } from '../../src/store/duckdb-store.ts';

/** A replay clock that only moves when the test says so; it reports when the replay waits beyond "now". */
export class GateClock implements ReplayClock {
  private t = 0;
  private waiters: { at: number; resolve: () => void }[] = [];
  private parked: (() => void)[] = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const w = { at: this.t + ms, resolve };
      this.waiters.push(w);
      signal.addEventListener('abort', () => resolve(), { once: true });
      // The replay emitted everything due and now waits for a later trade.
      for (const p of this.parked.splice(0)) p();
    });
  }

  /** Moves time to `t` (ms) and wakes the replay when its next trade is due; false when nothing was due. */
  advanceTo(t: number): boolean {
    this.t = Math.max(this.t, t);
    const due = this.waiters.filter((w) => w.at <= this.t);
    this.waiters = this.waiters.filter((w) => w.at > this.t);
    for (const w of due) w.resolve();
    return due.length > 0;
  }

  /** Resolves at the replay's next sleep: it has emitted every trade due so far. */
  nextPark(): Promise<void> {
    return new Promise((r) => this.parked.push(r));
  }
}

export interface ReplayService {
  readonly server: RunningServer;
  readonly service: OrderflowService;
  readonly source: ReplaySource;
  readonly base: string;
  /** Every replayed trade per `exchange:SYMBOL`, in time order. */
  readonly trades: ReadonlyMap<string, readonly Trade[]>;
  /** Lets the replay emit every trade whose pacing key lies in the first `fraction` of the recording. */
  releaseUntil(fraction: number): Promise<void>;
  close(): Promise<void>;
}

/** Starts the service over an in-memory store, replaying `paths` (merged) under a GateClock; `o.indicators` are custom indicators. */
export async function startReplayService(
  paths: readonly string[],
  webDir: string,
  o: { readonly indicators?: readonly IndicatorInstance[] } = {},
): Promise<ReplayService> {
  const inputs: ReplayInput[] = [];
  const trades = new Map<string, readonly Trade[]>();
  for (const p of paths) {
    const f = await readTradeFile(p);
    inputs.push({ kind: 'trades', instrument: f.instrument, trades: f.trades, label: p });
    trades.set(`${f.instrument.exchange}:${f.instrument.symbol}`, f.trades);
  }
  const all = inputs.flatMap((i) => (i.kind === 'trades' ? i.trades : []));
  // The replay's own pacing key: receive stamps when every trade has one, else trade time.
  const useRecv = all.every((t) => t.recvTs !== undefined);
  const keys = all.map((t) => (useRecv ? t.recvTs! : t.ts));
  const firstKey = Math.min(...keys);
  const lastKey = Math.max(...keys);

  const clock = new GateClock();
  const source = new ReplaySource({ inputs, speed: 1, clock });
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-ui-'));
  const store = new DuckDbTradeStore({ path: ':memory:' });
  const service = new OrderflowService({
    store,
    source,
    flushMs: 20,
    ...(o.indicators === undefined ? {} : { indicators: o.indicators }),
  });
  const firstPark = clock.nextPark();
  await service.start();
  await Promise.race([firstPark, source.done]);
  const settings = parseServiceConfig({
    port: 0,
    dataDir: dir,
    webDir,
    auditLog: 'off',
    rateLimit: { perKey: { perSecond: 1e6, burst: 1e6 }, perIp: { perSecond: 1e6, burst: 1e6 } },
  });
  const server = await startServer(service, {
    settings,
    keys: new ApiKeyStore(),
    audit: new AuditLog(undefined),
  });

  return {
    server,
    service,
    source,
    base: server.url,
    trades,
    async releaseUntil(fraction: number) {
      const parked = clock.nextPark();
      if (!clock.advanceTo((fraction * (lastKey - firstKey)) / 1000)) return;
      // fraction 1 lets the last trade out and the replay ends instead of parking.
      await Promise.race([parked, source.done]);
    },
    async close() {
      await server.app.close();
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
