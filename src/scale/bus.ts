// The NATS JetStream adapter of the scale-out roles: subjects, the trade wire format, the message id JetStream
// dedupes on, and creating the stream, the instruments bucket and the workers' durable consumers.
//
// Choices (docs/analytics-choices.md, "Scale-out"): one message per trade, so that JetStream's duplicate window
// can drop a redundant collector's copy trade by trade (collectors batch differently); Nats-Msg-Id is
// `exchange:symbol:id` exactly as DESIGN.md §6 says (an instrument never mixes the number 5 and the string "5");
// subject tokens keep [A-Za-z0-9_-/] and escape every other character as =HH (so '.', '*', '>' never split a token).

import {
  AckPolicy,
  connect,
  createInbox,
  headers,
  DeliverPolicy,
  nanos,
  StorageType,
  type ConsumerInfo,
  type JetStreamClient,
  type JetStreamManager,
  type KV,
  type NatsConnection,
  type Subscription,
} from 'nats';
import type { Instrument } from '../core/instrument.ts';
import type { Trade } from '../core/trade.ts';
import { lots, micros, ticks } from '../core/units.ts';
import type { ScaleConfig } from './scale-config.ts';

/** One subject token: everything but [A-Za-z0-9_-/] escaped as =HH per UTF-8 byte (also valid in KV keys). */
export const subjectToken = (s: string): string =>
  s.replace(/[^A-Za-z0-9_\-/]/gu, (c) =>
    [...new TextEncoder().encode(c)].map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );

export const tradeSubject = (prefix: string, exchange: string, symbol: string): string =>
  `${prefix}.trades.${subjectToken(exchange)}.${subjectToken(symbol)}`;
export const updateSubject = (prefix: string, exchange: string, symbol: string): string =>
  `${prefix}.updates.${subjectToken(exchange)}.${subjectToken(symbol)}`;
export const tradeMsgId = (t: Trade): string => `${t.exchange}:${t.symbol}:${t.id}`;

/** Key of an instrument in the KV bucket. */
export const instrumentKvKey = (exchange: string, symbol: string): string =>
  `${subjectToken(exchange)}.${subjectToken(symbol)}`;

/** Wire form of a trade: a JSON array, positionally [exchange, symbol, id, ts, price, qty, side, tickRule, count, recvTs]. */
type WireTrade = [
  string,
  string,
  number | string,
  number,
  number,
  number,
  number,
  0 | 1,
  number | null,
  number | null,
];

export const wireOf = (t: Trade): WireTrade => [
  t.exchange,
  t.symbol,
  t.id,
  t.ts,
  t.price,
  t.qty,
  t.side,
  t.sideSource === 'tick-rule' ? 1 : 0,
  t.count ?? null,
  t.recvTs ?? null,
];

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);

/** The trade of a wire array, or a reason it is not one. */
export function tradeOfWire(w: unknown): Trade | string {
  if (!Array.isArray(w) || w.length !== 10) return 'not a 10-element array';
  const [exchange, symbol, id, ts, price, qty, side, tickRule, count, recvTs] = w as unknown[];
  if (typeof exchange !== 'string' || typeof symbol !== 'string') return 'exchange/symbol must be strings';
  if (!isInt(id) && typeof id !== 'string') return 'id must be an integer or a string';
  if (!isInt(ts) || !isInt(price) || !isInt(qty)) return 'ts/price/qty must be integers';
  if (side !== 1 && side !== -1) return 'side must be 1 or -1';
  if (count !== null && !isInt(count)) return 'count must be an integer or null';
  if (recvTs !== null && !isInt(recvTs)) return 'recvTs must be an integer or null';
  return {
    exchange,
    symbol,
    id,
    ts: micros(ts),
    price: ticks(price),
    qty: lots(qty),
    side: side,
    sideSource: tickRule === 1 ? 'tick-rule' : 'exchange',
    ...(count === null ? {} : { count }),
    ...(recvTs === null ? {} : { recvTs: micros(recvTs) }),
  };
}

const enc = new TextEncoder();
const dec = new TextDecoder();
export const encodeJson = (v: unknown): Uint8Array => enc.encode(JSON.stringify(v));
export const decodeJson = (b: Uint8Array): unknown => JSON.parse(dec.decode(b)) as unknown;

/** The update a worker publishes after a commit: exactly the trades that commit stored for the first time. */
export interface TradeUpdate {
  readonly exchange: string;
  readonly symbol: string;
  readonly trades: readonly WireTrade[];
}

export interface Bus {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly config: ScaleConfig;
  /** Stream subjects' prefix. */
  readonly prefix: string;
  readonly streamName: string;
  instruments(): Promise<KV>;
  close(): Promise<void>;
}

export const instrumentsBucket = (streamName: string): string => `${streamName}_instruments`;

/** Connects with endless reconnects: a restarting NATS node is an outage to ride out, not a crash. */
export async function connectBus(config: ScaleConfig, name: string): Promise<Bus> {
  const nc = await connect({
    servers: config.nats.servers,
    name: config.nats.name ?? name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    ...(config.nats.user === undefined ? {} : { user: config.nats.user }),
    ...(config.nats.password === undefined ? {} : { pass: config.nats.password }),
    ...(config.nats.token === undefined ? {} : { token: config.nats.token }),
  });
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  let kv: Promise<KV> | undefined;
  return {
    nc,
    js,
    jsm,
    config,
    prefix: config.stream.subjectPrefix,
    streamName: config.stream.name,
    instruments: () =>
      (kv ??= js.views.kv(instrumentsBucket(config.stream.name), {
        history: 1,
        replicas: config.stream.replicas,
      })),
    close: async () => {
      if (!nc.isClosed()) await nc.drain().catch(() => nc.close());
    },
  };
}

/** Creates the trade stream, or leaves an existing one as it is (its operator may have tuned it). */
export async function ensureStream(bus: Bus): Promise<void> {
  const s = bus.config.stream;
  try {
    await bus.jsm.streams.info(s.name);
    return;
  } catch {
    // not there yet
  }
  try {
    await bus.jsm.streams.add({
      name: s.name,
      subjects: [`${s.subjectPrefix}.trades.>`],
      storage: StorageType.File,
      duplicate_window: nanos(s.duplicateWindowMs),
      max_age: nanos(s.maxAgeMs),
      num_replicas: s.replicas,
    });
  } catch (e) {
    // Another role created it meanwhile.
    await bus.jsm.streams.info(s.name).catch(() => {
      throw e;
    });
  }
}

/** A shard: the instruments one durable consumer covers, as a subject filter (exchange and symbol may be `*`). */
export interface Shard {
  readonly exchange: string;
  readonly symbol: string;
}

export function parseShard(spec: string): Shard {
  const i = spec.indexOf(':');
  if (i <= 0 || i === spec.length - 1)
    throw new RangeError(`shard "${spec}" is not EXCHANGE:SYMBOL (either may be *)`);
  return { exchange: spec.slice(0, i), symbol: spec.slice(i + 1) };
}

export const shardFilter = (prefix: string, s: Shard): string =>
  `${prefix}.trades.${s.exchange === '*' ? '*' : subjectToken(s.exchange)}.${s.symbol === '*' ? '*' : subjectToken(s.symbol)}`;

/** Durable name of a shard's consumer: stable, so a restarted worker resumes where the last one acked. */
export const shardDurable = (s: Shard): string =>
  `worker_${[s.exchange, s.symbol].map((x) => (x === '*' ? 'ALL' : subjectToken(x).replace(/[^A-Za-z0-9_-]/g, '_'))).join('_')}`;

export async function ensureShardConsumer(bus: Bus, shard: Shard): Promise<string> {
  const durable = shardDurable(shard);
  const w = bus.config.worker;
  const cfg = {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: shardFilter(bus.prefix, shard),
    ack_wait: nanos(w.ackWaitMs),
    max_ack_pending: w.maxAckPending ?? 3 * w.batchMax,
  };
  try {
    await bus.jsm.consumers.info(bus.streamName, durable);
    await bus.jsm.consumers.update(bus.streamName, durable, {
      ack_wait: cfg.ack_wait,
      max_ack_pending: cfg.max_ack_pending,
    });
  } catch {
    await bus.jsm.consumers.add(bus.streamName, cfg).catch(async (e: unknown) => {
      await bus.jsm.consumers.info(bus.streamName, durable).catch(() => {
        throw e;
      });
    });
  }
  return durable;
}

/** Consumer lag: messages of the stream not yet delivered, and delivered but not yet acked (not yet committed). */
export interface ConsumerLag {
  readonly consumer: string;
  readonly pending: number;
  readonly ackPending: number;
  readonly redelivered: number;
  readonly deliveredSeq: number;
  readonly ackFloorSeq: number;
}

export const lagOf = (ci: ConsumerInfo): ConsumerLag => ({
  consumer: ci.name,
  pending: ci.num_pending,
  ackPending: ci.num_ack_pending,
  redelivered: ci.num_redelivered,
  deliveredSeq: ci.delivered.stream_seq,
  ackFloorSeq: ci.ack_floor.stream_seq,
});

export async function publishInstrument(bus: Bus, i: Instrument): Promise<void> {
  const kv = await bus.instruments();
  await kv.put(instrumentKvKey(i.exchange, i.symbol), encodeJson(i));
}

export async function fetchInstrument(
  bus: Bus,
  exchange: string,
  symbol: string,
): Promise<Instrument | undefined> {
  const kv = await bus.instruments();
  const e = await kv.get(instrumentKvKey(exchange, symbol));
  if (e === null || e.length === 0) return undefined;
  return decodeJson(e.value) as Instrument;
}

interface PendingAck {
  readonly resolve: (r: { duplicate: boolean }) => void;
  readonly reject: (e: Error) => void;
  readonly sentAt: number;
}

/**
 * Pipelined JetStream publishing: plain publishes with a Nats-Msg-Id header and a reply subject under one inbox,
 * the PubAcks matched by token. Several times the rate of awaiting js.publish per message (one request each).
 */
export class AsyncJetStreamPublisher {
  private readonly inbox = createInbox();
  private readonly sub: Subscription;
  private readonly pending = new Map<string, PendingAck>();
  private readonly sweep: ReturnType<typeof setInterval>;
  private next = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs = 5000,
  ) {
    this.sub = nc.subscribe(`${this.inbox}.*`, {
      callback: (_err, m) => {
        const token = m.subject.slice(this.inbox.length + 1);
        const p = this.pending.get(token);
        if (p === undefined) return;
        this.pending.delete(token);
        if (m.data.length === 0) {
          p.reject(new Error(`no JetStream stream took the message (status ${m.headers?.code ?? '?'})`));
          return;
        }
        try {
          const ack = decodeJson(m.data) as { duplicate?: boolean; error?: { description?: string } };
          if (ack.error !== undefined)
            p.reject(new Error(`JetStream refused: ${ack.error.description ?? 'error'}`));
          else p.resolve({ duplicate: ack.duplicate === true });
        } catch (e) {
          p.reject(e as Error);
        }
      },
    });
    // An ack lost with a dropped connection would leave its publish waiting forever: time it out, retry it.
    this.sweep = setInterval(
      () => {
        const limit = Date.now() - this.timeoutMs;
        for (const [token, p] of this.pending) {
          if (p.sentAt > limit) break; // insertion order = send order
          this.pending.delete(token);
          p.reject(new Error(`no PubAck within ${this.timeoutMs} ms`));
        }
      },
      Math.min(1000, this.timeoutMs),
    );
    this.sweep.unref();
  }

  publish(subject: string, data: Uint8Array, msgID: string): Promise<{ duplicate: boolean }> {
    return new Promise((resolve, reject) => {
      const token = String(this.next++);
      const h = headers();
      h.set('Nats-Msg-Id', msgID);
      try {
        this.nc.publish(subject, data, { reply: `${this.inbox}.${token}`, headers: h });
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      this.pending.set(token, { resolve, reject, sentAt: Date.now() });
    });
  }

  close(): void {
    clearInterval(this.sweep);
    this.sub.unsubscribe();
    for (const p of this.pending.values()) p.reject(new Error('publisher closed'));
    this.pending.clear();
  }
}
