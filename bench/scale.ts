// Scale-out benchmark on loopback: trades/s from a collector through JetStream and worker processes into PostgreSQL
// (1 worker holding both shards vs 2 workers, one shard each), and consumer lag under a paced 20,000 trades/s load.
// Workload: the recorded Binance BTCUSDT/ETHUSDT trades tiled with shifted ids and times (or a seeded random walk).

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { parseIncrement } from '../src/core/decimal.ts';
import type { Instrument } from '../src/core/instrument.ts';
import type { Trade } from '../src/core/trade.ts';
import { readTradeFile } from '../src/sources/files/read-trade-file.ts';
import type { SourceEvent, TradeSource } from '../src/sources/source.ts';
import { PostgresTradeStore } from '../src/store/postgres-store.ts';
import {
  connectBus,
  instrumentsBucket,
  lagOf,
  shardDurable,
  type Bus,
  type Shard,
} from '../src/scale/bus.ts';
import { ScaleCollector } from '../src/scale/collector-role.ts';
import { parseScaleConfig, type ScaleConfig } from '../src/scale/scale-config.ts';
import { hasSharedData, percentiles, randomWalk, SHARED_DATA, tile } from './workload.ts';

export interface ScaleBenchOptions {
  /** Trades per instrument in the throughput runs (two instruments). Default 100,000. */
  readonly tradesPerInstrument?: number;
  /** Paced load of the lag run. Default 20,000 trades/s for 10 s. */
  readonly loadPerSecond?: number;
  readonly loadSeconds?: number;
  readonly natsUrl?: string;
  readonly pgUrl?: string;
  /** Longest wait of one run before it is reported as unfinished. Default 180 s. */
  readonly timeoutMs?: number;
}

const STREAMS = [
  'binance/trade-stream/binance-spot_BTCUSDT_2024-08-08T2354Z_2024-08-09T0005Z.trade-stream.txt.gz',
  'binance/trade-stream/binance-spot_ETHUSDT_2024-08-08T2354Z_2024-08-09T0005Z.trade-stream.txt.gz',
];

interface Set {
  readonly instrument: Instrument;
  readonly trades: Trade[];
}

async function workload(n: number): Promise<{ sets: Set[]; source: string }> {
  if (hasSharedData()) {
    const sets: Set[] = [];
    for (const rel of STREAMS) {
      const r = await readTradeFile(SHARED_DATA + rel);
      sets.push({ instrument: r.instrument, trades: tile(r.trades, n) });
    }
    return { sets, source: 'recorded Binance spot BTCUSDT/ETHUSDT trades tiled with shifted ids and times' };
  }
  const inst = (symbol: string): Instrument => ({
    exchange: 'bench',
    symbol,
    kind: 'spot',
    base: symbol.slice(0, 3),
    quote: 'USDT',
    price: parseIncrement('0.01'),
    qty: parseIncrement('0.00001'),
    volumeUnit: 'base',
    source: 'config',
  });
  return {
    sets: ['BTCUSDT', 'ETHUSDT'].map((s, k) => ({
      instrument: inst(s),
      trades: randomWalk(n, 1_723_161_255_000_000, 35, 42 + k).map((t) => ({
        ...t,
        exchange: 'bench',
        symbol: s,
      })),
    })),
    source: 'seeded random walk (shared data missing)',
  };
}

/** Emits the trades of several instruments interleaved, `perTick` per instrument every `tickMs` (or all at once). */
class PacedSource implements TradeSource {
  readonly kind = 'replay' as const;
  readonly description = 'bench paced source';
  private timer: ReturnType<typeof setInterval> | undefined;
  constructor(
    private readonly sets: readonly Set[],
    private readonly perTick: number,
    private readonly tickMs: number,
  ) {}
  get instruments(): Instrument[] {
    return this.sets.map((s) => s.instrument);
  }
  start(sink: (e: SourceEvent) => void): Promise<void> {
    let i = 0;
    const max = Math.max(...this.sets.map((s) => s.trades.length));
    const tick = (): void => {
      for (const s of this.sets) {
        const trades = s.trades.slice(i, i + this.perTick);
        if (trades.length > 0) sink({ type: 'trades', instrument: s.instrument, trades });
      }
      i += this.perTick;
      if (i >= max) {
        clearInterval(this.timer);
        sink({ type: 'status', stream: 'bench', state: 'ended' });
      }
    };
    if (this.tickMs === 0) {
      while (i < max) tick();
    } else this.timer = setInterval(tick, this.tickMs);
    return Promise.resolve();
  }
  stop(): Promise<void> {
    clearInterval(this.timer);
    return Promise.resolve();
  }
  stats(): Record<string, unknown> {
    return {};
  }
}

interface Run {
  readonly config: ScaleConfig;
  readonly bus: Bus;
  readonly children: ChildProcess[];
  dispose(): Promise<void>;
}

async function run(natsUrl: string, pgUrl: string): Promise<Run> {
  const name = `of_bench_${randomBytes(4).toString('hex')}`;
  const config = parseScaleConfig({
    nats: { servers: [natsUrl] },
    postgres: { url: pgUrl, schema: name },
    stream: { name: name.toUpperCase(), subjectPrefix: name },
    worker: { batchMax: 5000 },
  });
  const bus = await connectBus(config, 'bench');
  const children: ChildProcess[] = [];
  return {
    config,
    bus,
    children,
    dispose: async () => {
      for (const c of children) {
        if (c.exitCode === null && c.signalCode === null) {
          c.kill('SIGTERM');
          await once(c, 'exit');
        }
      }
      await bus.jsm.streams.delete(config.stream.name).catch(() => false);
      await bus.jsm.streams.delete(`KV_${instrumentsBucket(config.stream.name)}`).catch(() => false);
      await bus.close();
      const s = new PostgresTradeStore({ connectionString: pgUrl, schema: name });
      await s.open();
      await s.dropSchema();
      await s.close();
    },
  };
}

const CLI = fileURLToPath(new URL('../test/scale/scale-cli.ts', import.meta.url));

/** A worker process; resolves once it is consuming. */
async function startWorker(r: Run, shards: readonly Shard[]): Promise<void> {
  const c = r.config;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      CLI,
      'worker',
      '--nats',
      c.nats.servers.join(','),
      '--store',
      c.postgres.url,
      '--schema',
      c.postgres.schema,
      '--stream',
      c.stream.name,
      '--prefix',
      c.stream.subjectPrefix,
      '--batch',
      String(c.worker.batchMax),
      '--progress',
      ...shards.flatMap((s) => ['--shard', `${s.exchange}:${s.symbol}`]),
    ],
    { stdio: ['ignore', 'pipe', process.env.BENCH_WORKER_STDERR ? 'inherit' : 'ignore'] },
  );
  r.children.push(child);
  let buf = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      buf += d.toString();
      if (!buf.includes('"started"')) return;
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      resolve();
    };
    const onExit = (code: number | null): void => reject(new Error(`worker exited with ${code}`));
    child.stdout.on('data', onData);
    child.once('exit', onExit);
  });
  // Progress lines are not needed here: drain them.
  child.stdout.resume();
}

async function lagOfAll(
  bus: Bus,
  shards: readonly Shard[],
): Promise<{ pending: number; ackPending: number }> {
  let pending = 0;
  let ackPending = 0;
  for (const s of shards) {
    const l = lagOf(await bus.jsm.consumers.info(bus.streamName, shardDurable(s)));
    pending += l.pending;
    ackPending += l.ackPending;
  }
  return { pending, ackPending };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function drainedAll(
  r: Run,
  shards: readonly Shard[],
  total: number,
  t0: number,
  timeoutMs: number,
): Promise<void> {
  for (;;) {
    const s = await r.bus.jsm.streams.info(r.bus.streamName);
    const l = await lagOfAll(r.bus, shards);
    if (s.state.messages === total && l.pending === 0 && l.ackPending === 0) return;
    if (performance.now() - t0 > timeoutMs) throw new Error(`not drained within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/**
 * End to end: workers running, one collector publishes everything as fast as it can; timed until every message is
 * committed and acked. Then the workers' own rate: a second stream filled first, workers started on the backlog.
 */
async function throughput(
  sets: readonly Set[],
  workers: number,
  o: Required<Pick<ScaleBenchOptions, 'natsUrl' | 'pgUrl' | 'timeoutMs'>>,
): Promise<Record<string, unknown>> {
  const shards = sets.map((s) => ({ exchange: s.instrument.exchange, symbol: s.instrument.symbol }));
  const total = sets.reduce((n, s) => n + s.trades.length, 0);
  const startWorkers = async (r: Run): Promise<void> => {
    if (workers === 1) await startWorker(r, shards);
    else for (const s of shards) await startWorker(r, [s]);
  };
  const out: Record<string, unknown> = { workers, trades: total };
  let r = await run(o.natsUrl, o.pgUrl);
  try {
    await startWorkers(r);
    const collector = new ScaleCollector(r.bus, new PacedSource(sets, 2000, 0));
    const t0 = performance.now();
    await collector.start();
    await collector.sourceEnded;
    await collector.idle();
    const published = performance.now() - t0;
    await drainedAll(r, shards, total, t0, o.timeoutMs);
    const ms = performance.now() - t0;
    await collector.stop();
    out.end_to_end_trades_per_s = Math.round(total / (ms / 1000));
    out.end_to_end_seconds = Math.round(ms) / 1000;
    out.collector_publish_trades_per_s_meanwhile = Math.round(total / (published / 1000));
  } finally {
    await r.dispose();
  }
  r = await run(o.natsUrl, o.pgUrl);
  try {
    const collector = new ScaleCollector(r.bus, new PacedSource(sets, 2000, 0));
    let t0 = performance.now();
    await collector.start();
    await collector.sourceEnded;
    await collector.idle();
    out.collector_publish_alone_trades_per_s = Math.round(total / ((performance.now() - t0) / 1000));
    await collector.stop();
    // From the moment the workers are consuming (process start-up excluded).
    await startWorkers(r);
    t0 = performance.now();
    await drainedAll(r, shards, total, t0, o.timeoutMs);
    out.workers_drain_backlog_trades_per_s = Math.round(total / ((performance.now() - t0) / 1000));
  } finally {
    await r.dispose();
  }
  return out;
}

/** A paced load for loadSeconds; consumer lag (messages not yet committed) sampled every 100 ms. */
async function lagUnderLoad(
  sets: readonly Set[],
  perSecond: number,
  seconds: number,
  o: Required<Pick<ScaleBenchOptions, 'natsUrl' | 'pgUrl' | 'timeoutMs'>>,
): Promise<Record<string, unknown>> {
  const r = await run(o.natsUrl, o.pgUrl);
  try {
    const shards = sets.map((s) => ({ exchange: s.instrument.exchange, symbol: s.instrument.symbol }));
    await startWorker(r, shards);
    const tickMs = 50;
    const perTick = Math.round((perSecond * tickMs) / 1000 / sets.length);
    const n = Math.round((perSecond * seconds) / sets.length);
    const load = sets.map((s) => ({ instrument: s.instrument, trades: s.trades.slice(0, n) }));
    const total = load.reduce((k, s) => k + s.trades.length, 0);
    const collector = new ScaleCollector(r.bus, new PacedSource(load, perTick, tickMs));
    const samples: number[] = [];
    const t0 = performance.now();
    await collector.start();
    let ended = false;
    void collector.sourceEnded.then(() => (ended = true));
    while (!ended) {
      const l = await lagOfAll(r.bus, shards);
      samples.push(l.pending + l.ackPending);
      await sleep(100);
    }
    const loadMs = performance.now() - t0;
    await collector.idle();
    await drainedAll(r, shards, total, t0, o.timeoutMs);
    const drainMs = performance.now() - t0 - loadMs;
    await collector.stop();
    const p = percentiles([...samples]);
    return {
      offered_trades_per_s: perSecond,
      achieved_offered_trades_per_s: Math.round(total / (loadMs / 1000)),
      trades: total,
      workers: 1,
      consumer_lag_messages: { p50: p.p50, p99: p.p99, max: Math.max(...samples), samples: samples.length },
      drained_ms_after_load_end: Math.round(drainMs),
    };
  } finally {
    await r.dispose();
  }
}

export async function benchScale(options: ScaleBenchOptions = {}): Promise<Record<string, unknown>> {
  const o = {
    natsUrl: options.natsUrl ?? process.env.ORDERFLOW_NATS_URL ?? 'nats://127.0.0.1:4222',
    pgUrl: options.pgUrl ?? process.env.ORDERFLOW_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    timeoutMs: options.timeoutMs ?? 180_000,
  };
  const { sets, source } = await workload(options.tradesPerInstrument ?? 100_000);
  // Shared machines: the load says how far the figures can be trusted.
  const { loadavg, cpus } = await import('node:os');
  const before = loadavg()[0];
  const out = {
    workload: source,
    cpus: cpus().length,
    topology:
      'loopback: 1 nats-server (JetStream, file storage), 1 PostgreSQL 15, collector in this process, workers as child processes',
    one_worker: await throughput(sets, 1, o),
    two_workers: await throughput(sets, 2, o),
    lag_under_load: await lagUnderLoad(sets, options.loadPerSecond ?? 20_000, options.loadSeconds ?? 10, o),
  };
  return { ...out, load_average_1m: { before, after: loadavg()[0] } };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = Number(process.argv[2] ?? 100_000);
  console.log(JSON.stringify(await benchScale({ tradesPerInstrument: n }), null, 2));
}
