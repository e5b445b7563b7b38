// Test fixtures of the service: a source the test drives by hand, a DuckDB store holding real Binance trades,
// and the service + API built on them (inject() or a real port 0).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Instrument } from '../../src/core/instrument.ts';
import type { Trade } from '../../src/core/trade.ts';
import { formatIncrement } from '../../src/core/decimal.ts';
import { readTradeFile } from '../../src/sources/files/read-trade-file.ts';
import { importTradeFile, type ImportFileResult } from '../../src/importers/import-job.ts';
import { DuckDbTradeStore } from '../../src/store/duckdb-store.ts';
import type { SourceEvent, SourceKind, TradeSource } from '../../src/sources/source.ts';
import { ApiKeyStore } from '../../src/api/api-keys.ts';
import { AuditLog } from '../../src/api/audit-log.ts';
import { buildApp, startServer, type ApiApp, type RunningServer } from '../../src/api/app.ts';
import { OrderflowService } from '../../src/service/orderflow-service.ts';
import { parseServiceConfig, type ServiceConfigInput } from '../../src/service/service-config.ts';
import { requireData } from '../real-data.ts';

export const BTC_FILE = 'binance/csv/BTCUSDT-trades-DERIVED-2024-08-08T2354Z_2024-08-09T0005Z.csv';
export const ETH_FILE = 'binance/csv/ETHUSDT-trades-DERIVED-2024-08-08T2354Z_2024-08-09T0005Z.csv';

/** A source whose trades the test pushes. */
export class ManualSource implements TradeSource {
  readonly description: string;
  private sink: ((e: SourceEvent) => void) | undefined;
  constructor(
    readonly instruments: readonly Instrument[] = [],
    readonly kind: SourceKind = 'live',
  ) {
    this.description = `manual (${kind})`;
  }
  start(sink: (e: SourceEvent) => void): Promise<void> {
    this.sink = sink;
    return Promise.resolve();
  }
  stop(): Promise<void> {
    this.sink = undefined;
    return Promise.resolve();
  }
  stats(): Record<string, unknown> {
    return {};
  }
  push(instrument: Instrument, trades: readonly Trade[]): void {
    this.sink?.({ type: 'trades', instrument, trades });
  }
  emit(e: SourceEvent): void {
    this.sink?.(e);
  }
}

export interface Fixture {
  readonly dir: string;
  readonly store: DuckDbTradeStore;
  readonly imported: ImportFileResult[];
  readonly source: ManualSource;
  readonly service: OrderflowService;
  close(): Promise<void>;
}

/** A service over a temp DuckDB store; `files` (shared data paths) are imported first. Undefined when data is missing. */
export async function serviceFixture(
  t: TestContext,
  o: { files?: readonly string[]; kind?: SourceKind; instruments?: readonly Instrument[] } = {},
): Promise<Fixture | undefined> {
  const paths: string[] = [];
  for (const f of o.files ?? []) {
    const p = requireData(t, f);
    if (p === undefined) return undefined;
    paths.push(p);
  }
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-svc-'));
  const store = new DuckDbTradeStore({ dataDir: dir });
  await store.open();
  const imported: ImportFileResult[] = [];
  for (const p of paths) imported.push(await importTradeFile(store, p));
  const source = new ManualSource(o.instruments ?? [], o.kind ?? 'live');
  const service = new OrderflowService({ store, source, flushMs: 20 });
  await service.start();
  return {
    dir,
    store,
    imported,
    source,
    service,
    async close() {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function settings(dir: string, extra: ServiceConfigInput = {}) {
  return parseServiceConfig({
    port: 0,
    dataDir: dir,
    webDir: join(dir, 'no-web'),
    rateLimit: { perKey: { perSecond: 1e6, burst: 1e6 }, perIp: { perSecond: 1e6, burst: 1e6 } },
    ...extra,
  });
}

export async function injectApp(
  f: Fixture,
  extra: ServiceConfigInput = {},
  keys?: ApiKeyStore,
  now?: () => number,
): Promise<ApiApp> {
  const s = settings(f.dir, extra);
  return buildApp(f.service, {
    settings: s,
    keys: keys ?? new ApiKeyStore(),
    audit: new AuditLog(s.auditLog === 'off' ? undefined : join(f.dir, 'audit.jsonl')),
    ...(now === undefined ? {} : { now }),
  });
}

export async function listen(
  f: Fixture,
  extra: ServiceConfigInput = {},
  keys?: ApiKeyStore,
): Promise<RunningServer> {
  const s = settings(f.dir, extra);
  return startServer(f.service, {
    settings: s,
    keys: keys ?? new ApiKeyStore(),
    audit: new AuditLog(join(f.dir, 'audit.jsonl')),
  });
}

/** A real file's instrument, registered in the fixture's store, and the file's trades on the grid stored for it. */
export async function storedGridTrades(
  f: Fixture,
  path: string,
): Promise<{ inst: Instrument; all: Trade[] }> {
  const probe = await readTradeFile(path);
  await f.store.upsertInstrument(probe.instrument);
  const inst = (await f.store.getInstrument(probe.instrument.exchange, probe.instrument.symbol))!;
  const all = (
    await readTradeFile(path, { tickSize: formatIncrement(inst.price), lotSize: formatIncrement(inst.qty) })
  ).trades;
  return { inst, all };
}
