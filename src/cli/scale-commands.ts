// `orderflow collector`, `orderflow worker`, `orderflow gateway` and `orderflow serve --bus nats://… --store
// postgres://…`: the scale-out roles on NATS JetStream and PostgreSQL (docs/deploy.md). Call after registerServeCommand.

import type { Command } from 'commander';
import { configFromEnv, parseConfig } from '../core/config.ts';
import { createSource } from '../service/sources.ts';
import { parseServiceConfig, serviceConfigFromEnv } from '../service/service-config.ts';
import { PostgresTradeStore } from '../store/postgres-store.ts';
import { connectBus, parseShard } from '../scale/bus.ts';
import { ScaleCollector } from '../scale/collector-role.ts';
import { startGateway } from '../scale/gateway.ts';
import { startHealthEndpoint } from '../scale/health.ts';
import {
  mergeScaleInputs,
  redactUrl,
  scaleConfigFromEnv,
  type ScaleConfig,
  type ScaleConfigInput,
} from '../scale/scale-config.ts';
import { ScaleWorker } from '../scale/worker-role.ts';
import { readConfigFile } from './config-flags.ts';

type Flags = Record<string, unknown>;
const log = (msg: string): void => {
  process.stderr.write(`${new Date().toISOString()} ${msg}\n`);
};
const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
const intFlag = (v: unknown): number | undefined => (typeof v === 'string' ? Number(v) : undefined);

/** Config file `scale:` section, then ORDERFLOW_* env, then flags. */
export function scaleSettings(flags: Flags): ScaleConfig {
  const file = typeof flags.config === 'string' ? readConfigFile(flags.config) : {};
  const fromFile = (
    typeof file.scale === 'object' && file.scale !== null ? file.scale : {}
  ) as ScaleConfigInput;
  const f: Record<string, Record<string, unknown>> = { nats: {}, postgres: {}, stream: {}, worker: {} };
  const bus = flags.bus ?? flags.nats;
  if (typeof bus === 'string') f.nats!.servers = bus.split(',');
  if (typeof flags.store === 'string') f.postgres!.url = flags.store;
  if (typeof flags.schema === 'string') f.postgres!.schema = flags.schema;
  if (typeof flags.stream === 'string') f.stream!.name = flags.stream;
  if (typeof flags.prefix === 'string') f.stream!.subjectPrefix = flags.prefix;
  if (typeof flags.replicas === 'string') f.stream!.replicas = Number(flags.replicas);
  const ackWait = intFlag(flags.ackWait);
  const batch = intFlag(flags.batch);
  if (ackWait !== undefined) f.worker!.ackWaitMs = ackWait;
  if (batch !== undefined) f.worker!.batchMax = batch;
  return mergeScaleInputs(fromFile, scaleConfigFromEnv(process.env), f);
}

/** Stops on SIGINT/SIGTERM: the role finishes its current commit, hands back the rest and exits 0. */
function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down`);
    void stop().then(
      () => process.exit(0),
      (e: unknown) => {
        log(`shutdown failed: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
}

async function healthEndpoint(
  flags: Flags,
  health: Parameters<typeof startHealthEndpoint>[2],
  lag?: Parameters<typeof startHealthEndpoint>[3],
): Promise<(() => Promise<void>) | undefined> {
  if (typeof flags.healthPort !== 'string') return undefined;
  const host = typeof flags.healthHost === 'string' ? flags.healthHost : '127.0.0.1';
  const ep = await startHealthEndpoint(host, Number(flags.healthPort), health, lag);
  log(`health: http://${host}:${ep.port}/health, metrics: /metrics`);
  return ep.close;
}

async function runCollector(flags: Flags): Promise<void> {
  const scale = scaleSettings(flags);
  const spec = typeof flags.source === 'string' ? flags.source : 'live';
  const analytics = parseConfig(configFromEnv(process.env));
  const created = await createSource(spec, {
    log,
    ...(typeof flags.speed === 'string'
      ? { replaySpeed: flags.speed === 'max' ? 'max' : Number(flags.speed) }
      : {}),
    ...(analytics.markets === undefined ? {} : { markets: analytics.markets }),
  });
  const bus = await connectBus(scale, 'orderflow-collector');
  const collector = new ScaleCollector(bus, created.source, log);
  await collector.start();
  const closeHealth = await healthEndpoint(flags, () => collector.health());
  log(`collector: ${created.source.description} → ${scale.stream.name} on ${scale.nats.servers.join(',')}`);
  const stop = async (): Promise<void> => {
    await collector.stop();
    await closeHealth?.();
    await bus.close();
  };
  onShutdown(stop);
  if (created.source.kind === 'replay') {
    // A replay ends: exit once JetStream has acknowledged its last trade.
    await collector.sourceEnded;
    await collector.idle();
    log(`replay published: ${JSON.stringify(collector.health())}`);
    await stop();
  }
}

async function runWorker(flags: Flags): Promise<void> {
  const scale = scaleSettings(flags);
  const shards = (Array.isArray(flags.shard) ? (flags.shard as string[]) : []).map(parseShard);
  if (shards.length === 0) throw new Error('name at least one --shard EXCHANGE:SYMBOL (either may be *)');
  const store = new PostgresTradeStore({
    connectionString: scale.postgres.url,
    schema: scale.postgres.schema,
    poolSize: scale.postgres.poolSize,
  });
  const bus = await connectBus(scale, 'orderflow-worker');
  const progress = flags.progress === true;
  const worker = new ScaleWorker(bus, store, {
    shards,
    log,
    ...(progress ? { onCommit: (e) => process.stdout.write(`${JSON.stringify({ commit: e })}\n`) } : {}),
  });
  await worker.start();
  const closeHealth = await healthEndpoint(
    flags,
    () => worker.health(),
    () => worker.lag(),
  );
  log(
    `worker: shards ${shards.map((s) => `${s.exchange}:${s.symbol}`).join(', ')} → ${redactUrl(scale.postgres.url)}`,
  );
  if (progress) process.stdout.write(`${JSON.stringify({ started: true })}\n`);
  onShutdown(async () => {
    await worker.stop();
    await closeHealth?.();
    await bus.close();
  });
}

async function runGateway(flags: Flags): Promise<void> {
  const scale = scaleSettings(flags);
  const file = typeof flags.config === 'string' ? readConfigFile(flags.config) : {};
  const fromFile = (typeof file.service === 'object' && file.service !== null ? file.service : {}) as Record<
    string,
    unknown
  >;
  const settings = parseServiceConfig({
    ...fromFile,
    ...serviceConfigFromEnv(process.env),
    ...(typeof flags.port === 'string' ? { port: Number(flags.port) } : {}),
    ...(typeof flags.host === 'string' ? { host: flags.host } : {}),
    ...(typeof flags.dataDir === 'string' ? { dataDir: flags.dataDir } : {}),
  });
  const { service: _s, scale: _c, ...analyticsFile } = file;
  const gw = await startGateway({
    scale,
    settings,
    config: parseConfig({ ...analyticsFile, ...configFromEnv(process.env) }),
    log,
  });
  log(
    `gateway on ${gw.server.url} (WebSocket ${gw.server.wsUrl}) over ${redactUrl(scale.postgres.url)} and ${scale.nats.servers.join(',')}`,
  );
  onShutdown(() => gw.close());
}

const fail = (e: unknown): void => {
  log(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 2;
};

function busFlags(cmd: Command): Command {
  return cmd
    .option(
      '--nats <urls>',
      'NATS servers, comma-separated (env ORDERFLOW_NATS_URL; credentials: ORDERFLOW_NATS_USER/_PASSWORD/_TOKEN)',
    )
    .option('--stream <name>', 'JetStream stream (default ORDERFLOW_TRADES)')
    .option('--prefix <p>', 'subject prefix (default orderflow)')
    .option('--replicas <n>', 'stream replicas when creating it (3 on a 3-node cluster)')
    .option('--config <file>', 'JSON or YAML config with a `scale:` section (nats, postgres, stream, worker)')
    .option('--health-port <n>', 'serve /health and /metrics on this port')
    .option('--health-host <h>', 'address of the health endpoint (default 127.0.0.1)');
}

export function registerScaleCommands(program: Command): void {
  busFlags(
    program
      .command('collector')
      .description('scale-out collector: a source (live connectors, replay, simulator) → NATS JetStream'),
  )
    .option('--source <s>', 'live | simulator | replay:PATH[,PATH...] (default live)')
    .option('--speed <x>', 'replay speed: 1, 10, max')
    .action((flags: Flags) => runCollector(flags).catch(fail));

  busFlags(
    program
      .command('worker')
      .description('scale-out worker: durable JetStream consumers per shard → PostgreSQL, ack after commit'),
  )
    .option(
      '--shard <exchange:symbol>',
      'instruments of one durable consumer (repeatable; * for all)',
      collect,
    )
    .option('--store <url>', 'postgres://user:password@host:port/db (env ORDERFLOW_PG_URL)')
    .option('--schema <name>', 'PostgreSQL schema (default orderflow)')
    .option('--ack-wait <ms>', 'JetStream redelivers unacked messages after this long (default 30000)')
    .option('--batch <n>', 'largest commit (default 2000 trades)')
    .option('--progress', 'print one JSON line per commit on stdout')
    .action((flags: Flags) => runWorker(flags).catch(fail));

  const gatewayFlags = (cmd: Command): Command =>
    busFlags(cmd)
      .option('--store <url>', 'postgres://… (env ORDERFLOW_PG_URL)')
      .option('--schema <name>', 'PostgreSQL schema (default orderflow)')
      .option('--port <n>', 'port (default 8090)')
      .option('--host <h>', 'address to bind (default 127.0.0.1; others need API keys)')
      .option('--data-dir <dir>', 'directory of the API key file and audit log');
  gatewayFlags(
    program
      .command('gateway')
      .description("stateless API/WS gateway: queries PostgreSQL, fans out the workers' NATS updates"),
  ).action((flags: Flags) => runGateway(flags).catch(fail));

  // `serve --bus … --store …` runs the gateway instead of the single-process service; without them, serve is unchanged.
  const serve = program.commands.find((c) => c.name() === 'serve');
  if (serve !== undefined) {
    serve
      .option('--bus <urls>', "scale-out gateway: NATS servers of the workers' updates (with --store)")
      .option('--store <url>', 'scale-out gateway: postgres://… written by the workers')
      .option('--schema <name>', 'scale-out gateway: PostgreSQL schema (default orderflow)');
    serve.hook('preAction', async (cmd) => {
      const flags = cmd.opts<Flags>();
      if (flags.bus === undefined && flags.store === undefined) return;
      if (typeof flags.bus !== 'string' || typeof flags.store !== 'string') {
        fail(new Error('serve needs both --bus nats://… and --store postgres://… for the scale-out gateway'));
        process.exit(2);
      }
      try {
        await runGateway(flags);
      } catch (e) {
        fail(e);
        process.exit(2);
      }
      // The gateway runs until a signal; the single-process action must not start beside it.
      await new Promise<never>(() => undefined);
    });
  }
}
