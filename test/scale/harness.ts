// Test harness of the scale-out roles: recorded real trades, a unique stream/schema per test (removed afterwards),
// the single-process reference the distributed run must equal, a private nats-server, and a pausable TCP proxy.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Instrument } from '../../src/core/instrument.ts';
import type { Trade } from '../../src/core/trade.ts';
import { buildFootprint } from '../../src/engines/footprint.ts';
import { readTradeFile } from '../../src/sources/files/read-trade-file.ts';
import { ReplaySource } from '../../src/sources/replay.ts';
import { MemoryTradeStore } from '../../src/store/memory-store.ts';
import { PostgresTradeStore } from '../../src/store/postgres-store.ts';
import { footprintFromRollups } from '../../src/store/rollups.ts';
import { compareTradeOrder } from '../../src/store/trade-order.ts';
import { connectBus, instrumentsBucket, type Bus } from '../../src/scale/bus.ts';
import { parseScaleConfig, type ScaleConfig } from '../../src/scale/scale-config.ts';
import { params } from '../helpers.ts';
import { requireData } from '../real-data.ts';
import { NATS_SERVER_BIN, NATS_URL, PG_URL, uniqueName } from './services.ts';

export const BTC_STREAM =
  'binance/trade-stream/binance-spot_BTCUSDT_2024-08-08T2354Z_2024-08-09T0005Z.trade-stream.txt.gz';
export const ETH_STREAM =
  'binance/trade-stream/binance-spot_ETHUSDT_2024-08-08T2354Z_2024-08-09T0005Z.trade-stream.txt.gz';

export interface Recorded {
  readonly instrument: Instrument;
  readonly trades: readonly Trade[];
}

/** Recorded real trades of the shared data (undefined ⇒ the test was skipped). */
export async function recorded(t: TestContext, rel: string): Promise<Recorded | undefined> {
  const path = requireData(t, rel);
  if (path === undefined) return undefined;
  const r = await readTradeFile(path);
  return { instrument: r.instrument, trades: r.trades };
}

/** A replay of recorded trades, by default as fast as the collector takes them. */
export const replayOf = (
  sets: readonly Recorded[],
  batchMaxTrades = 500,
  speed: number | 'max' = 'max',
): ReplaySource =>
  new ReplaySource({
    inputs: sets.map((s) => ({ kind: 'trades' as const, instrument: s.instrument, trades: s.trades })),
    speed,
    batchMaxTrades,
  });

export interface Env {
  readonly config: ScaleConfig;
  readonly schema: string;
  store(poolSize?: number, url?: string): PostgresTradeStore;
  bus(name: string): Promise<Bus>;
  dispose(): Promise<void>;
}

/** A stream, subject prefix, KV bucket and schema of this test only; dispose deletes them all. */
export function scaleEnv(natsUrl = NATS_URL, workerCfg: Record<string, number> = {}): Env {
  const name = uniqueName('of_scale');
  const config = parseScaleConfig({
    nats: { servers: [natsUrl] },
    postgres: { url: PG_URL, schema: name },
    stream: { name: name.toUpperCase(), subjectPrefix: name },
    worker: { ackWaitMs: 2000, maxRetryMs: 200, batchMax: 500, ...workerCfg },
  });
  const buses: Bus[] = [];
  const stores: PostgresTradeStore[] = [];
  return {
    config,
    schema: name,
    store: (poolSize = 4, url = PG_URL) => {
      const s = new PostgresTradeStore({
        connectionString: url,
        schema: name,
        poolSize,
        connectTimeoutMs: 1000,
      });
      stores.push(s);
      return s;
    },
    bus: async (n) => {
      const b = await connectBus(config, n);
      buses.push(b);
      return b;
    },
    dispose: async () => {
      try {
        const admin = await connectBus(config, 'cleanup');
        await admin.jsm.streams.delete(config.stream.name).catch(() => false);
        await admin.jsm.streams.delete(`KV_${instrumentsBucket(config.stream.name)}`).catch(() => false);
        await admin.close();
      } catch {
        // a private nats-server already gone takes its streams with it
      }
      for (const b of buses) await b.close().catch(() => undefined);
      const s = new PostgresTradeStore({ connectionString: PG_URL, schema: name });
      await s.open();
      await s.dropSchema();
      await s.close();
      for (const st of stores) await st.close().catch(() => undefined);
    },
  };
}

/** Waits for a condition re-checked every 25 ms, failing with `what` after timeoutMs. */
export async function waitFor(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The distributed run equals the single-process run: the same stored trades, the same minute rollups, and the
 * same footprints (from the rollups, and from the engine over the stored trades).
 */
export async function assertSameAsSingleProcess(
  pg: PostgresTradeStore,
  sets: readonly Recorded[],
): Promise<void> {
  for (const s of sets) {
    const ref = new MemoryTradeStore();
    await ref.open();
    await ref.upsertInstrument(s.instrument);
    await ref.insertTrades(s.instrument.exchange, s.instrument.symbol, s.trades);
    const { exchange, symbol } = s.instrument;
    const stored = await pg.readTrades(exchange, symbol, 0, Infinity);
    const expected = await ref.readTrades(exchange, symbol, 0, Infinity);
    assert.equal(stored.length, expected.length, `${exchange}:${symbol} trade count`);
    assert.deepEqual(stored, expected, `${exchange}:${symbol} trades`);
    const rollups = await pg.readMinuteRollups(exchange, symbol, 0, Infinity);
    assert.deepEqual(
      rollups,
      await ref.readMinuteRollups(exchange, symbol, 0, Infinity),
      `${exchange}:${symbol} rollups`,
    );
    const sorted = [...s.trades].sort(compareTradeOrder);
    for (const cfg of [
      { timePerRow: '1m', ticksPerRow: 10 },
      { timePerRow: '5m', ticksPerRow: 100 },
    ]) {
      const p = params(cfg, s.instrument);
      assert.deepEqual(
        footprintFromRollups(rollups, p),
        buildFootprint(sorted, p),
        `footprint ${JSON.stringify(cfg)}`,
      );
    }
    assert.deepEqual(await pg.getInstrument(exchange, symbol), s.instrument);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const canConnect = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = tcpConnect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

/** A private JetStream server on a random loopback port with its own store directory (restartable). */
export class PrivateNats {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'orderflow-nats-'));
  constructor(readonly port: number) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateNats> {
    const n = new PrivateNats(await freePort());
    await n.start();
    return n;
  }

  async start(): Promise<void> {
    this.child = spawn(
      NATS_SERVER_BIN,
      ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.dir],
      {
        stdio: 'ignore',
      },
    );
    await waitFor(`nats-server on ${this.port}`, () => canConnect(this.port), 10_000);
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (c === undefined || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
    this.child = undefined;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A loopback TCP proxy to `target` that can be taken down (every connection cut, new ones refused) and back up. */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private down = false;
  constructor(
    readonly port: number,
    private readonly target: number,
  ) {}

  static async start(target: number): Promise<TcpProxy> {
    const p = new TcpProxy(await freePort(), target);
    await p.listen();
    return p;
  }

  private listen(): Promise<void> {
    const server = createServer((client) => {
      if (this.down) {
        client.destroy();
        return;
      }
      const upstream = tcpConnect({ host: '127.0.0.1', port: this.target });
      this.sockets.add(client);
      this.sockets.add(upstream);
      const drop = (): void => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    this.server = server;
    return new Promise((resolve) => server.listen(this.port, '127.0.0.1', () => resolve()));
  }

  /** Cuts every connection and refuses new ones, as a crashed database server does. */
  takeDown(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  bringUp(): void {
    this.down = false;
  }

  close(): Promise<void> {
    this.takeDown();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
