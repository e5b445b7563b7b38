// Settings of the running service (network, security, storage, source), validated by zod and layered:
// defaults ← the config file's `service:` section ← ORDERFLOW_* environment ← command-line flags.

import { z } from 'zod';
import { OrderflowError } from '../core/errors.ts';

const rate = z.object({
  /** Tokens added per second. */
  perSecond: z.number().positive().max(1_000_000),
  /** Bucket size: the largest burst. */
  burst: z.number().int().positive().max(1_000_000),
});

export const serviceConfigSchema = z
  .object({
    port: z.number().int().min(0).max(65535).default(8090),
    /** Loopback by default: binding elsewhere requires API keys. */
    host: z.string().min(1).default('127.0.0.1'),
    dataDir: z.string().min(1).default('./data'),
    /** live | simulator | replay:PATH[,PATH...] */
    source: z
      .string()
      .regex(/^(live|simulator|replay:.+)$/, 'must be live, simulator or replay:PATH')
      .default('live'),
    /** Replay pace: 1 = real time, 10 = ten times faster, "max". */
    replaySpeed: z.union([z.number().positive(), z.literal('max')]).default(1),
    tls: z
      .object({ cert: z.string().min(1), key: z.string().min(1) })
      .strict()
      .optional(),
    /** Hashed API keys (default <dataDir>/api-keys.json). */
    keysFile: z.string().min(1).optional(),
    /** Append-only JSONL audit log (default <dataDir>/audit.jsonl); "off" disables it. */
    auditLog: z.string().min(1).optional(),
    /** Origins allowed by CORS ("*" for any); empty = same origin only. */
    corsOrigins: z.array(z.string().min(1)).default([]),
    rateLimit: z
      .object({
        perKey: rate.default({ perSecond: 100, burst: 200 }),
        perIp: rate.default({ perSecond: 50, burst: 100 }),
      })
      .strict()
      .default({ perKey: { perSecond: 100, burst: 200 }, perIp: { perSecond: 50, burst: 100 } }),
    /** Largest request body, bytes. */
    bodyLimit: z.number().int().min(0).max(1_048_576).default(16_384),
    /** Longest request URL, bytes. */
    maxUrlLength: z.number().int().min(64).max(65_536).default(4096),
    /** Built web UI served at / when it exists. */
    webDir: z.string().min(1).default('web/dist'),
    /** Interval of batched live writes to the store, ms. */
    flushMs: z.number().int().min(10).max(60_000).default(250),
    /** Take the client address from X-Forwarded-For (only behind a trusted proxy). */
    trustProxy: z.boolean().default(false),
  })
  .strict();

export type ServiceConfigInput = z.input<typeof serviceConfigSchema>;
export type ServiceConfig = z.output<typeof serviceConfigSchema>;

export function parseServiceConfig(input: unknown): ServiceConfig {
  const r = serviceConfigSchema.safeParse(input ?? {});
  if (!r.success) {
    const lines = r.error.issues.map((i) => `service.${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new OrderflowError('INVALID_CONFIG', `invalid service config:\n  ${lines.join('\n  ')}`);
  }
  return r.data;
}

/** ORDERFLOW_PORT, ORDERFLOW_HOST, ORDERFLOW_DATA_DIR, ORDERFLOW_SOURCE, ORDERFLOW_TLS_CERT/_KEY, ORDERFLOW_CORS_ORIGINS. */
export function serviceConfigFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const v = (k: string): string | undefined => (env[k] === undefined || env[k] === '' ? undefined : env[k]);
  const port = v('ORDERFLOW_PORT');
  if (port !== undefined) out.port = /^\d+$/.test(port) ? Number(port) : port;
  if (v('ORDERFLOW_HOST') !== undefined) out.host = v('ORDERFLOW_HOST');
  if (v('ORDERFLOW_DATA_DIR') !== undefined) out.dataDir = v('ORDERFLOW_DATA_DIR');
  if (v('ORDERFLOW_SOURCE') !== undefined) out.source = v('ORDERFLOW_SOURCE');
  if (v('ORDERFLOW_KEYS_FILE') !== undefined) out.keysFile = v('ORDERFLOW_KEYS_FILE');
  if (v('ORDERFLOW_AUDIT_LOG') !== undefined) out.auditLog = v('ORDERFLOW_AUDIT_LOG');
  const cert = v('ORDERFLOW_TLS_CERT');
  const key = v('ORDERFLOW_TLS_KEY');
  if (cert !== undefined || key !== undefined) out.tls = { cert, key };
  const cors = v('ORDERFLOW_CORS_ORIGINS');
  if (cors !== undefined)
    out.corsOrigins = cors
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return out;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/i;
export const isLoopback = (host: string): boolean => LOOPBACK.test(host);
