// The HTTP side of the service: a fastify app with the REST routes, the WebSocket upgrade, authentication, rate
// limits, audit, CORS, size limits and TLS; `startServer` refuses an exposed address without API keys.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cors from '@fastify/cors';
import type { OrderflowService } from '../service/orderflow-service.ts';
import { isLoopback, type ServiceConfig } from '../service/service-config.ts';
import { failure, success } from '../views/envelope.ts';
import { ApiKeyStore } from './api-keys.ts';
import { AuditLog } from './audit-log.ts';
import { Authenticator } from './auth.ts';
import { API_ERRORS, ApiError, toApiError, type ApiErrorCode } from './errors.ts';
import { registerSignalRoutes } from '../signals/http.ts';
import { registerCrossRoutes, spreadOptionsFromConfig } from '../cross/http.ts';
import { crossLoader, signalLoader } from '../service/signal-loaders.ts';
import { chooseEncoding, EncodedBodies } from './encoded-body.ts';
import { buildOpenApi } from './openapi.ts';
import { prometheusText } from './prometheus.ts';
import { RateLimiter } from './rate-limiter.ts';
import { ENDPOINT_PARAMS, symbolParam, type Endpoint } from './schemas.ts';
import { placeholderPage, WebUi } from './web-ui.ts';
import { WsStreamer, WS_PATH } from './ws-streamer.ts';
import { formatTime } from '../core/time.ts';

const JSON_TYPE = 'application/json; charset=utf-8';
/** ETags of bodies: keyed by the body Buffer itself, so they go when the cache drops it. */
const etags = new WeakMap<Buffer, string>();
function etagOf(body: Buffer): string {
  let e = etags.get(body);
  if (e === undefined) {
    e = `"${createHash('sha1').update(body).digest('base64url')}"`;
    etags.set(body, e);
  }
  return e;
}
/**
 * Request URLs whose answer is a cached body of a closed range, so a repeat skips parsing and resolving the query:
 * it is served while the response cache still holds that body and no pending store write falls in its range.
 */
const URL_MEMO_ENTRIES = 4096;

/** Paths anyone may read, with or without a key (load balancers, the UI's static files). */
const isPublic = (path: string): boolean =>
  path === '/health' || (!path.startsWith('/api/') && path !== '/metrics');

export interface ApiOptions {
  readonly settings: ServiceConfig;
  /** Defaults to a store at settings.keysFile / <dataDir>/api-keys.json. */
  readonly keys?: ApiKeyStore;
  readonly audit?: AuditLog;
  readonly log?: (msg: string) => void;
  /** Rate limiter clock (tests). */
  readonly now?: () => number;
}

export interface ApiApp {
  readonly app: FastifyInstance;
  readonly streamer: WsStreamer;
  readonly auth: Authenticator;
  readonly audit: AuditLog;
  close(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    apiKeyId?: string;
  }
}

export const keysPath = (s: ServiceConfig): string => s.keysFile ?? join(s.dataDir, 'api-keys.json');
export const auditPath = (s: ServiceConfig): string | undefined =>
  s.auditLog === 'off' ? undefined : (s.auditLog ?? join(s.dataDir, 'audit.jsonl'));

export async function buildApp(service: OrderflowService, o: ApiOptions): Promise<ApiApp> {
  const s = o.settings;
  const keys = o.keys ?? new ApiKeyStore(keysPath(s));
  const audit = o.audit ?? new AuditLog(auditPath(s));
  const auth = new Authenticator(keys, new RateLimiter(s.rateLimit, o.now));
  const app = Fastify({
    logger: false,
    bodyLimit: s.bodyLimit,
    routerOptions: { maxParamLength: 200 },
    trustProxy: s.trustProxy,
    ...(s.tls === undefined
      ? {}
      : { https: { cert: readFileSync(s.tls.cert), key: readFileSync(s.tls.key) } }),
  });
  const ui = new WebUi(s.webDir);
  const encoded = new EncodedBodies();
  const urlMemo = new Map<string, Buffer>();
  const cache = service.queries.cache;
  /** A body from the URL memo when it still stands, else from the query service (memoized for closed ranges). */
  const answer = async (endpoint: Endpoint, symbol: string, url: string, query: unknown): Promise<Buffer> => {
    const memo = urlMemo.get(url);
    if (memo !== undefined) {
      const e = cache.entryOf(memo);
      if (e !== undefined && !service.writer.hasPending(e.instruments, e.readTo)) {
        cache.touch(memo);
        return memo;
      }
      urlMemo.delete(url);
    }
    const body = await service.queries.run(endpoint, symbol, query);
    // Only closed ranges: an open one's answer moves with every new trade, whatever the cache holds.
    if (Number.isFinite(cache.entryOf(body)?.readTo ?? Infinity)) {
      if (urlMemo.size >= URL_MEMO_ENTRIES) urlMemo.clear();
      urlMemo.set(url, body);
    }
    return body;
  };
  const counters = { requests: new Map<number, number>() };

  if (s.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: s.corsOrigins.includes('*') ? true : s.corsOrigins,
      methods: ['GET', 'HEAD', 'OPTIONS'],
      allowedHeaders: ['Authorization', 'X-API-Key', 'Content-Type'],
      maxAge: 600,
    });
  }

  const sendError = (reply: FastifyReply, e: ApiError): FastifyReply => {
    for (const [k, v] of Object.entries(e.headers)) void reply.header(k, v);
    return reply
      .code(e.status)
      .type(JSON_TYPE)
      .send(JSON.stringify(failure(e.code, e.message)));
  };

  app.addHook('onRequest', async (req, reply) => {
    if (req.raw.method === 'OPTIONS') return;
    if ((req.raw.url ?? '').length > s.maxUrlLength) {
      return sendError(
        reply,
        new ApiError('URI_TOO_LONG', `request URLs are at most ${s.maxUrlLength} bytes`),
      );
    }
    const path = (req.raw.url ?? '/').split('?')[0]!;
    if (isPublic(path)) return;
    const v = auth.check(req.headers, undefined, req.ip, 'rest');
    if (v.keyId !== undefined) req.apiKeyId = v.keyId;
    if (!v.ok) return sendError(reply, v.error);
  });

  app.addHook('onResponse', async (req, reply) => {
    counters.requests.set(reply.statusCode, (counters.requests.get(reply.statusCode) ?? 0) + 1);
    audit.record({
      time: new Date().toISOString(),
      ip: req.ip,
      key: req.apiKeyId ?? null,
      action: `${req.method} ${(req.raw.url ?? '').slice(0, 512)}`,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 100) / 100,
    });
  });

  app.setErrorHandler((err, _req, reply) => {
    const e = err as { statusCode?: number; code?: string; message?: string };
    if (err instanceof ApiError) return sendError(reply, err);
    if (e.statusCode === 413)
      return sendError(
        reply,
        new ApiError('PAYLOAD_TOO_LARGE', `request bodies are at most ${s.bodyLimit} bytes`),
      );
    if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
      return sendError(reply, new ApiError('INVALID_PARAMETER', e.message ?? 'bad request'));
    }
    const api = toApiError(err);
    if (api.code === 'INTERNAL_ERROR')
      o.log?.(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return sendError(reply, api);
  });

  app.setNotFoundHandler((req, reply) =>
    sendError(
      reply,
      new ApiError('NOT_FOUND', `no route ${req.method} ${(req.raw.url ?? '').split('?')[0]?.slice(0, 200)}`),
    ),
  );

  for (const endpoint of Object.keys(ENDPOINT_PARAMS) as Endpoint[]) {
    app.get(
      `/api/v1/orderflow/${endpoint}/:symbol`,
      async (req: FastifyRequest<{ Params: { symbol: string } }>, reply) => {
        const sym = symbolParam.safeParse(req.params.symbol);
        if (!sym.success)
          throw new ApiError('INVALID_PARAMETER', `path parameter 'symbol': ${sym.error.issues[0]!.message}`);
        const body = await answer(endpoint, sym.data, req.raw.url ?? '', req.query);
        const etag = etagOf(body);
        void reply.type(JSON_TYPE).header('vary', 'accept-encoding').header('etag', etag);
        // A client polling an unchanged range revalidates for the price of a header.
        if (req.headers['if-none-match'] === etag) return reply.code(304).send();
        const accept = req.headers['accept-encoding'];
        const encoding = chooseEncoding(typeof accept === 'string' ? accept : undefined, body.length);
        if (encoding === 'identity') return reply.send(body);
        const effort = service.queries.cache.holds(body) ? 'reused' : 'once';
        const sent = await encoded.get(body, encoding, effort);
        return reply.header('content-encoding', encoding).send(sent);
      },
    );
  }

  // Signals, indicators and cross-exchange: their modules answer errors themselves; this scope puts those answers
  // on the service's catalogue (codes and statuses of src/api/errors.ts, no internal details).
  await app.register((scope, _opts, done) => {
    scope.addHook('preSerialization', async (_req, reply, payload: unknown) => {
      const p = payload as { success?: unknown; error?: { code?: unknown; message?: unknown } } | null;
      if (p === null || typeof p !== 'object' || p.success !== false || p.error === undefined) return payload;
      const raw = String(p.error.code);
      const code: ApiErrorCode =
        raw in API_ERRORS
          ? (raw as ApiErrorCode)
          : reply.statusCode === 500
            ? 'INTERNAL_ERROR'
            : 'INVALID_PARAMETER';
      if (code === 'INTERNAL_ERROR') o.log?.(`internal error: ${String(p.error.message)}`);
      void reply.code(API_ERRORS[code]);
      return failure(code, code === 'INTERNAL_ERROR' ? 'internal error' : String(p.error.message));
    });
    const load = signalLoader(service);
    registerSignalRoutes(scope, {
      load: async (sym, q) => {
        try {
          return await load(sym, q);
        } catch (e) {
          throw toApiError(e);
        }
      },
      ...(service.signalOptions === undefined ? {} : { signalOptions: service.signalOptions }),
      // Read per request: the service loads its indicators when it starts.
      get indicators() {
        return service.indicators;
      },
    });
    const cross = crossLoader(service);
    registerCrossRoutes(scope, {
      // The same fee/staleness settings as the live spread monitor (config `cross`).
      spread: spreadOptionsFromConfig(service.config.cross),
      load: async (m, q) => {
        try {
          return await cross(m, q);
        } catch (e) {
          throw toApiError(e);
        }
      },
    });
    done();
  });

  app.get('/api/v1/orderflow/symbols', async () => {
    const stats = await service.store.stats({ maxGapRanges: 0 });
    const held = new Set(stats.map((x) => `${x.exchange}:${x.symbol}`));
    return success({
      markets: Object.entries(service.markets).map(([name, members]) => ({
        symbol: name,
        instruments: members,
        stored: members.filter((m) => held.has(m)),
      })),
      instruments: stats.map((x) => ({
        symbol: `${x.exchange}:${x.symbol}`,
        exchange: x.exchange,
        exchange_symbol: x.symbol,
        trades: x.trades,
        first_time: x.firstTs === null ? null : formatTime(x.firstTs),
        last_time: x.lastTs === null ? null : formatTime(x.lastTs),
      })),
      ...(service.sourceKind === 'live' ? {} : { source: service.sourceKind }),
    });
  });

  app.get('/api/v1/orderflow/completeness', async () => {
    const stats = await service.store.stats({ maxGapRanges: 20 });
    return success({
      stored: stats.map((x) => ({
        symbol: `${x.exchange}:${x.symbol}`,
        trades: x.trades,
        min_id: x.minId,
        max_id: x.maxId,
        missing_ids: x.idGaps.missing,
        gap_ranges: x.idGaps.count,
        first_gaps: x.idGaps.ranges,
        completeness:
          x.minId === null || x.maxId === null ? null : 1 - x.idGaps.missing / (x.maxId - x.minId + 1),
      })),
      live: service.monitor.toJSON(),
      source_stats: service.source.stats(),
      ...(service.sourceKind === 'live' ? {} : { source: service.sourceKind }),
    });
  });

  app.get('/health', async (_req, reply) => {
    const h = service.health();
    return reply.code(200).send({ ...h, auth_required: auth.required, ws_clients: streamer.clientCount });
  });

  const openapi = JSON.stringify(buildOpenApi());
  app.get('/api/v1/openapi.json', async (_req, reply) => reply.type(JSON_TYPE).send(openapi));

  app.get('/metrics', async (_req, reply) =>
    reply
      .type('text/plain; version=0.0.4')
      .send(prometheusText(service, streamer, auth, audit, counters.requests)),
  );

  app.get('/*', async (req, reply) => {
    const f = ui.file(req.raw.url ?? '/');
    if (f !== undefined) return reply.type(f.type).send(f.body);
    const path = (req.raw.url ?? '/').split('?')[0];
    if (path === '/' || path === '/index.html')
      return reply.type('text/html; charset=utf-8').send(placeholderPage(service.sourceKind));
    throw new ApiError('NOT_FOUND', `no route GET ${path?.slice(0, 200)}`);
  });

  const clientIp = (req: IncomingMessage): string => {
    if (s.trustProxy) {
      const f = req.headers['x-forwarded-for'];
      const first = (Array.isArray(f) ? f[0] : f)?.split(',')[0]?.trim();
      if (first) return first;
    }
    return req.socket.remoteAddress ?? 'unknown';
  };
  const streamer = new WsStreamer({
    hub: service.hub,
    sourceKind: service.sourceKind,
    auth,
    audit,
    clientIp,
    ...(o.log === undefined ? {} : { log: o.log }),
  });
  service.setPublisher(streamer);
  app.server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    streamer.handleUpgrade(req, socket, head);
  });

  return {
    app,
    streamer,
    auth,
    audit,
    async close() {
      service.setPublisher(undefined);
      await streamer.close();
      await app.close();
      await audit.close();
    },
  };
}

export class StartRefused extends Error {
  override readonly name = 'StartRefused';
}

export interface RunningServer extends ApiApp {
  readonly url: string;
  readonly wsUrl: string;
  readonly port: number;
}

/** Builds the app and listens; refuses a non-loopback address while no API key exists. */
export async function startServer(service: OrderflowService, o: ApiOptions): Promise<RunningServer> {
  const s = o.settings;
  const keys = o.keys ?? new ApiKeyStore(keysPath(s));
  if (!isLoopback(s.host) && keys.activeCount === 0) {
    throw new StartRefused(
      `refusing to listen on ${s.host}: it is reachable from other machines and no API key exists. ` +
        `Create one with \`orderflow keys add --name NAME\` (keys file ${keysPath(s)}), or bind 127.0.0.1.`,
    );
  }
  const api = await buildApp(service, { ...o, keys });
  await api.app.listen({ port: s.port, host: s.host });
  const addr = api.app.server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : s.port;
  const host = s.host.includes(':') ? `[${s.host}]` : s.host;
  const tls = s.tls !== undefined;
  return {
    ...api,
    port,
    url: `${tls ? 'https' : 'http'}://${host}:${port}`,
    wsUrl: `${tls ? 'wss' : 'ws'}://${host}:${port}${WS_PATH}`,
  };
}
