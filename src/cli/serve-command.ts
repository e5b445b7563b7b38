// `orderflow serve` (the Order Flow Service: REST + WebSocket on port 8090) and `orderflow keys` (API keys: add
// prints a key once and stores only its hash; list; revoke).

import { dirname } from 'node:path';
import type { Command } from 'commander';
import { configFromEnv, parseConfig } from '../core/config.ts';
import { DuckDbTradeStore } from '../store/duckdb-store.ts';
import { ApiKeyStore, type KeyScope } from '../api/api-keys.ts';
import { keysPath, startServer, StartRefused } from '../api/app.ts';
import { OrderflowService } from '../service/orderflow-service.ts';
import { parseServiceConfig, serviceConfigFromEnv, type ServiceConfig } from '../service/service-config.ts';
import { createSource } from '../service/sources.ts';
import { readConfigFile } from './config-flags.ts';

type Flags = Record<string, unknown>;
/** How often the service checks whether its health changed, to log it. */
const HEALTH_LOG_MS = 10_000;
const log = (msg: string): void => {
  process.stderr.write(`${new Date().toISOString()} ${msg}\n`);
};

function serviceSettings(flags: Flags, file: Record<string, unknown>): ServiceConfig {
  const fromFile = (typeof file.service === 'object' && file.service !== null ? file.service : {}) as Record<
    string,
    unknown
  >;
  const f: Record<string, unknown> = {};
  if (typeof flags.port === 'string') f.port = /^\d+$/.test(flags.port) ? Number(flags.port) : flags.port;
  if (typeof flags.host === 'string') f.host = flags.host;
  if (typeof flags.dataDir === 'string') f.dataDir = flags.dataDir;
  if (typeof flags.source === 'string') f.source = flags.source;
  if (typeof flags.speed === 'string') f.replaySpeed = flags.speed === 'max' ? 'max' : Number(flags.speed);
  if (typeof flags.keysFile === 'string') f.keysFile = flags.keysFile;
  if (typeof flags.auditLog === 'string') f.auditLog = flags.auditLog;
  if (typeof flags.webDir === 'string') f.webDir = flags.webDir;
  if (typeof flags.tlsCert === 'string' || typeof flags.tlsKey === 'string')
    f.tls = { cert: flags.tlsCert, key: flags.tlsKey };
  if (Array.isArray(flags.corsOrigin)) f.corsOrigins = flags.corsOrigin;
  return parseServiceConfig({ ...fromFile, ...serviceConfigFromEnv(process.env), ...f });
}

async function serve(flags: Flags): Promise<void> {
  const file = typeof flags.config === 'string' ? readConfigFile(flags.config) : {};
  const settings = serviceSettings(flags, file);
  const { service: _s, ...analyticsFile } = file;
  const analytics = parseConfig({ ...analyticsFile, ...configFromEnv(process.env) });
  const created = await createSource(settings.source, {
    replaySpeed: settings.replaySpeed,
    log,
    ...(analytics.markets === undefined ? {} : { markets: analytics.markets }),
  });
  const config =
    created.markets === undefined
      ? analytics
      : { ...analytics, markets: { ...created.markets, ...(analytics.markets ?? {}) } };
  // Simulated or replayed trades never go into the real history: they get an in-memory store unless a
  // --data-dir is named explicitly.
  const ephemeral = created.source.kind !== 'live' && typeof flags.dataDir !== 'string';
  const store = new DuckDbTradeStore(ephemeral ? { path: ':memory:' } : { dataDir: settings.dataDir });
  const service = new OrderflowService({
    store,
    source: created.source,
    config,
    flushMs: settings.flushMs,
    log,
    // Indicator module paths in the config file are relative to the file, not to the working directory.
    ...(typeof flags.config === 'string' ? { configDir: dirname(flags.config) } : {}),
  });
  let server;
  try {
    await service.start();
    server = await startServer(service, { settings, log });
  } catch (e) {
    await service.stop().catch(() => undefined);
    if (e instanceof StartRefused) {
      log(e.message);
      process.exitCode = 2;
      return;
    }
    throw e;
  }
  log(
    `orderflow service on ${server.url} (WebSocket ${server.wsUrl}); source: ${created.source.description}`,
  );
  log(
    `store: ${ephemeral ? 'in memory (simulated/replayed data is not kept)' : store.path}; API keys: ${server.auth.required ? 'required' : 'none configured (loopback only)'}`,
  );
  // Say in the log when the service's health changes (e.g. no exchange reachable: stored history only).
  let lastHealth = '';
  const reportHealth = (): void => {
    const h = service.health();
    const text = `${String(h.status)}${typeof h.reason === 'string' ? ` — ${h.reason}` : ''}`;
    if (text !== lastHealth) log(`health: ${text}`);
    lastHealth = text;
  };
  reportHealth();
  setInterval(reportHealth, HEALTH_LOG_MS).unref();
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down`);
    void (async () => {
      await server.close();
      await service.stop();
      process.exit(0);
    })();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the Order Flow Service: REST API and WebSocket stream (default port 8090)')
    .option('--port <n>', 'port (default 8090; 0 = any free port)')
    .option('--host <h>', 'address to bind (default 127.0.0.1; others need API keys)')
    .option('--source <s>', 'live | simulator | replay:PATH[,PATH...]')
    .option('--speed <x>', 'replay speed: 1 = real time, 10, max')
    .option('--data-dir <dir>', 'store directory (default ./data)')
    .option('--config <file>', 'JSON or YAML config: OrderFlowConfig fields plus a `service:` section')
    .option('--tls-cert <file>', 'PEM certificate: serve HTTPS and WSS')
    .option('--tls-key <file>', 'PEM private key of the certificate')
    .option('--cors-origin <origin>', 'allow this origin (repeatable; * for any)', collect)
    .option('--keys-file <file>', 'API key file (default <data-dir>/api-keys.json)')
    .option('--audit-log <file>', 'audit log (default <data-dir>/audit.jsonl; off to disable)')
    .option('--web-dir <dir>', 'built web UI to serve at / (default web/dist)')
    .action(async (flags: Flags) => {
      try {
        await serve(flags);
      } catch (e) {
        log(`error: ${e instanceof Error ? e.message : String(e)}`);
        process.exitCode = 2;
      }
    });

  const keys = program.command('keys').description('API keys of the service (stored hashed)');
  const keyFile = (flags: Flags): string =>
    keysPath(
      parseServiceConfig({
        ...serviceConfigFromEnv(process.env),
        ...(typeof flags.dataDir === 'string' ? { dataDir: flags.dataDir } : {}),
        ...(typeof flags.keysFile === 'string' ? { keysFile: flags.keysFile } : {}),
      }),
    );
  keys
    .command('add')
    .description('create a key: printed once, only its hash is stored')
    .requiredOption('--name <name>', 'who or what the key is for')
    .option('--scopes <list>', 'rest,stream (default both)', 'rest,stream')
    .option('--data-dir <dir>', 'data directory (default ./data)')
    .option('--keys-file <file>', 'key file')
    .action((flags: Flags) => {
      const scopes = String(flags.scopes)
        .split(',')
        .map((x) => x.trim())
        .filter((x): x is KeyScope => x === 'rest' || x === 'stream');
      const store = new ApiKeyStore(keyFile(flags));
      const { key, record } = store.add(String(flags.name), scopes);
      process.stdout.write(`${key}\n`);
      process.stderr.write(
        `key ${record.id} (${record.name}, ${record.scopes.join('+')}) stored hashed in ${store.path}; it is not shown again\n`,
      );
    });
  keys
    .command('list')
    .description('list keys (ids, names, scopes; never the keys)')
    .option('--data-dir <dir>', 'data directory (default ./data)')
    .option('--keys-file <file>', 'key file')
    .action((flags: Flags) => {
      for (const k of new ApiKeyStore(keyFile(flags)).list()) {
        process.stdout.write(
          `${k.id}\t${k.name}\t${k.scopes.join(',')}\t${k.created}${k.revoked === undefined ? '' : `\trevoked ${k.revoked}`}\n`,
        );
      }
    });
  keys
    .command('revoke <id>')
    .description('revoke a key by id')
    .option('--data-dir <dir>', 'data directory (default ./data)')
    .option('--keys-file <file>', 'key file')
    .action((id: string, flags: Flags) => {
      const ok = new ApiKeyStore(keyFile(flags)).revoke(id);
      process.stderr.write(ok ? `key ${id} revoked\n` : `no active key ${id}\n`);
      if (!ok) process.exitCode = 2;
    });
}
