// Settings of the scale-out roles (collector, worker, gateway): where NATS and PostgreSQL are, with credentials,
// and the stream's names and budgets. From a config file's `scale:` section, then ORDERFLOW_* env, then flags.

import { z } from 'zod';

const natsSchema = z
  .object({
    /** One or more servers of the cluster; the client fails over between them. */
    servers: z.array(z.string().min(1)).min(1).default(['nats://127.0.0.1:4222']),
    user: z.string().optional(),
    password: z.string().optional(),
    token: z.string().optional(),
    /** Client name shown by the server's monitoring. */
    name: z.string().optional(),
  })
  .strict();

const postgresSchema = z
  .object({
    /** postgres://user:password@host:port/db; the password may also come from PGPASSWORD. */
    url: z.string().min(1).default('postgres://postgres@127.0.0.1:5432/orderflow'),
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/)
      .default('orderflow'),
    poolSize: z.number().int().min(1).max(100).default(8),
  })
  .strict();

const streamSchema = z
  .object({
    /** JetStream stream of normalized trades. */
    name: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .default('ORDERFLOW_TRADES'),
    /** Subjects are <prefix>.trades.<exchange>.<symbol> and <prefix>.updates.<exchange>.<symbol>. */
    subjectPrefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/)
      .default('orderflow'),
    /** JetStream drops a message whose Nats-Msg-Id it saw within this window (redundant collectors). */
    duplicateWindowMs: z.number().int().min(1000).default(120_000),
    /** How long trades stay in the stream (a worker started later can still catch up within it). */
    maxAgeMs: z
      .number()
      .int()
      .min(60_000)
      .default(7 * 24 * 3_600_000),
    /** Stream replicas: 3 on a 3-node cluster. */
    replicas: z.number().int().min(1).max(5).default(1),
  })
  .strict();

const workerSchema = z
  .object({
    /** Largest batch committed in one transaction per instrument. */
    batchMax: z.number().int().min(1).default(2000),
    /**
     * Unacked messages a consumer may have outstanding: the worker's in-memory budget per shard (default 3 ×
     * batchMax). JetStream stops delivering at it; kept small so no message waits in the worker near ack_wait.
     */
    maxAckPending: z.number().int().min(1).optional(),
    /** After this long without an ack JetStream redelivers (a killed worker's messages come back then). */
    ackWaitMs: z.number().int().min(500).default(30_000),
    /** Longest pause between retries of a failed commit. */
    maxRetryMs: z.number().int().min(10).default(5_000),
  })
  .strict();

export const scaleConfigSchema = z
  .object({
    nats: natsSchema.default(natsSchema.parse({})),
    postgres: postgresSchema.default(postgresSchema.parse({})),
    stream: streamSchema.default(streamSchema.parse({})),
    worker: workerSchema.default(workerSchema.parse({})),
  })
  .strict();

export type ScaleConfig = z.infer<typeof scaleConfigSchema>;
export type ScaleConfigInput = z.input<typeof scaleConfigSchema>;

export function parseScaleConfig(input: unknown = {}): ScaleConfig {
  return scaleConfigSchema.parse(input);
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * ORDERFLOW_NATS_URL (comma-separated servers), ORDERFLOW_NATS_USER / _PASSWORD / _TOKEN, ORDERFLOW_PG_URL,
 * ORDERFLOW_PG_SCHEMA, ORDERFLOW_STREAM, ORDERFLOW_SUBJECT_PREFIX: the secrets stay out of unit files and argv.
 */
export function scaleConfigFromEnv(env: Env): ScaleConfigInput {
  const nats: Record<string, unknown> = {};
  if (env.ORDERFLOW_NATS_URL) nats.servers = env.ORDERFLOW_NATS_URL.split(',').map((s) => s.trim());
  if (env.ORDERFLOW_NATS_USER) nats.user = env.ORDERFLOW_NATS_USER;
  if (env.ORDERFLOW_NATS_PASSWORD) nats.password = env.ORDERFLOW_NATS_PASSWORD;
  if (env.ORDERFLOW_NATS_TOKEN) nats.token = env.ORDERFLOW_NATS_TOKEN;
  const postgres: Record<string, unknown> = {};
  if (env.ORDERFLOW_PG_URL) postgres.url = env.ORDERFLOW_PG_URL;
  if (env.ORDERFLOW_PG_SCHEMA) postgres.schema = env.ORDERFLOW_PG_SCHEMA;
  const stream: Record<string, unknown> = {};
  if (env.ORDERFLOW_STREAM) stream.name = env.ORDERFLOW_STREAM;
  if (env.ORDERFLOW_SUBJECT_PREFIX) stream.subjectPrefix = env.ORDERFLOW_SUBJECT_PREFIX;
  return { nats, postgres, stream };
}

/** Section-wise merge: later inputs win field by field. */
export function mergeScaleInputs(...inputs: readonly ScaleConfigInput[]): ScaleConfig {
  const out: Record<string, Record<string, unknown>> = {};
  for (const input of inputs) {
    for (const [k, v] of Object.entries(input)) {
      if (typeof v === 'object' && v !== null) out[k] = { ...(out[k] ?? {}), ...v };
    }
  }
  return parseScaleConfig(out);
}

/** A URL without its password, for logs and health. */
export const redactUrl = (url: string): string => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
