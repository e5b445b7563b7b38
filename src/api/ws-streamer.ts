// The WebSocket streamer at /ws/orderflow: subscriptions to live channels, one serialized buffer per update sent
// to every subscriber, and a byte budget per client (STYLE.md 5): past COALESCE_AT_BYTES a client gets only the
// latest footprint/delta state per bar/channel and no ticks; past its hard budget, or congested for too long,
// it is closed with a reason. Bad frames get `error` messages; control floods are rate limited.

import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { z } from 'zod';
import type { LiveHub, Publisher, Subscription } from '../service/live-hub.ts';
import { encode, sourceMark, type BarUpdate } from '../service/stream-messages.ts';
import type { SourceKind } from '../sources/source.ts';
import type { AuditLog } from './audit-log.ts';
import type { Authenticator } from './auth.ts';
import { toApiError } from './errors.ts';
import { TokenBuckets } from './rate-limiter.ts';
import { framed, rawSocketOf, writeFramed, type Framed } from './ws-frame.ts';
import { QUERY_PARAMS } from './schemas.ts';

export const WS_PATH = '/ws/orderflow';
/** Frames above this are refused by the protocol layer (close 1009). */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Control messages above this get an `error` message. */
export const MAX_MESSAGE_BYTES = 4096;
/** Above this many unsent bytes a client is congested: updates coalesce, ticks are dropped. */
export const COALESCE_AT_BYTES = 256 * 1024;
/** A congested client is resumed once its unsent bytes fall below this. */
export const RESUME_AT_BYTES = 64 * 1024;
/** Unsent bytes beyond which a client is closed. */
export const CLIENT_BUFFER_BUDGET = 4 * 1024 * 1024;
/** Coalesced messages, and their bytes, held per congested client before it is closed. */
export const MAX_PENDING_MESSAGES = 512;
export const PENDING_BUDGET_BYTES = 1024 * 1024;
/** A client congested this long is closed. */
export const SLOW_CLIENT_GRACE_MS = 15_000;
export const MAX_SUBSCRIPTIONS_PER_CLIENT = 16;
/** Bars per client whose last update is remembered (the next one may then carry only the changed cells). */
export const TRACKED_BARS_PER_CLIENT = 4 * MAX_SUBSCRIPTIONS_PER_CLIENT;
export const MAX_CLIENTS = 10_000;
/** Control messages per client: burst and sustained rate; after FLOOD_CLOSE_AFTER refusals the client is closed. */
export const CONTROL_BURST = 20;
export const CONTROL_PER_SECOND = 10;
export const FLOOD_CLOSE_AFTER = 100;
export const HEARTBEAT_MS = 15_000;
/**
 * A message bigger than this reaches its subscribers over several turns of the event loop, SPREAD_BYTES_PER_TURN
 * at a time: restating a big bar to hundreds of clients is hundreds of MB of socket writes, and done at once it
 * would hold every tick batch behind it. Later messages of the same topic queue behind it (order per topic kept).
 * Tick batches are never spread (they are the latency-critical stream, bounded by TICK_BATCH_MAX trades).
 */
export const SPREAD_ABOVE_BYTES = 64 * 1024;
export const SPREAD_BYTES_PER_TURN = 2 * 1024 * 1024;
export const DRAIN_CHECK_MS = 25;

/** Close codes (4000–4999 are the application's). */
export const CLOSE_SLOW_CONSUMER = 4008;
export const CLOSE_POLICY = 1008;
export const CLOSE_GOING_AWAY = 1001;

const subscribeData = z
  .object({
    channel: z.literal('orderflow'),
    symbol: z.string().min(1).max(64),
    timeframe: QUERY_PARAMS.timeframe.schema.optional(),
    aggregation: QUERY_PARAMS.aggregation.schema.optional(),
    price_tick_size: z.union([z.number().positive(), QUERY_PARAMS.price_tick_size.schema]).optional(),
    exchange: QUERY_PARAMS.exchange.schema.optional(),
    volume_per_bar: z.union([z.number().positive(), QUERY_PARAMS.volume_per_bar.schema]).optional(),
    ticks_per_bar: z.number().int().positive().max(1e9).optional(),
    /** `cells` (default): a bar's updates after the first carry only its changed cells; `bars`: every cell. */
    footprint_updates: z.enum(['cells', 'bars']).optional(),
  })
  .strict();
const controlMessage = z.object({
  type: z.enum(['subscribe', 'unsubscribe', 'ping']),
  data: z.unknown().optional(),
});
type SubscribeData = z.infer<typeof subscribeData>;

const signature = (d: SubscribeData): string =>
  JSON.stringify([
    d.symbol,
    d.exchange ?? null,
    d.timeframe ?? null,
    d.aggregation?.toUpperCase() ?? null,
    d.price_tick_size === undefined ? null : String(d.price_tick_size),
    d.volume_per_bar === undefined ? null : String(d.volume_per_bar),
    d.ticks_per_bar ?? null,
  ]);

function configOf(d: SubscribeData): Record<string, unknown> {
  return {
    ...(d.timeframe === undefined ? {} : { timePerRow: d.timeframe }),
    ...(d.aggregation === undefined ? {} : { tickAggregationMethod: d.aggregation.toUpperCase() }),
    ...(d.price_tick_size === undefined ? {} : { priceTickSize: String(d.price_tick_size) }),
    ...(d.volume_per_bar === undefined ? {} : { volumePerBar: String(d.volume_per_bar) }),
    ...(d.ticks_per_bar === undefined ? {} : { ticksPerBar: d.ticks_per_bar }),
  };
}

/** One connection: its subscriptions, control-message bucket and byte budget (exported for tests). */
export class StreamClient {
  readonly subs = new Map<string, Subscription>();
  readonly pendingSubs = new Set<string>();
  readonly control = new TokenBuckets({ perSecond: CONTROL_PER_SECOND, burst: CONTROL_BURST });
  refused = 0;
  congestedSince: number | undefined;
  readonly pending = new Map<string, Framed>();
  private pendingBytes = 0;
  ticksDropped = 0;
  alive = true;
  closed = false;
  private seq = 0;
  /** Per bar (`topic|fp:start`), the update this client was last handed. */
  private readonly barSeqs = new Map<string, number>();
  /** Channel topics whose bar updates this client wants in full (`footprint_updates: "bars"`). */
  readonly fullBarTopics = new Set<string>();
  /** Where published frames are written directly (undefined: through `ws.send`). */
  private readonly socket: Socket | undefined;
  private corked = false;

  constructor(
    readonly ws: WebSocket,
    readonly ip: string,
    readonly keyId: string | null,
  ) {
    this.socket = rawSocketOf(ws);
  }

  send(buf: Buffer): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(buf, { binary: false });
  }

  /**
   * Holds this turn's writes to go out together (true when it was not held yet): everything published to a client
   * in one turn of the event loop — a tick batch, footprint and delta updates — costs one socket write.
   */
  cork(): boolean {
    if (this.corked || this.socket === undefined) return false;
    this.socket.cork();
    this.corked = true;
    return true;
  }

  uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket?.uncork();
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.pending.clear();
    this.pendingBytes = 0;
    this.ws.close(code, reason);
    // A client that does not read cannot complete the closing handshake: do not wait for it.
    setTimeout(() => this.ws.terminate(), 1000).unref();
  }

  /** Sends or, when congested, coalesces (keyed messages) or drops (ticks) an update. */
  deliver(m: Framed, coalesceKey: string | undefined, isTick: boolean): void {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return;
    const queued = this.ws.bufferedAmount;
    const size = m.frame.length;
    if (queued + size > CLIENT_BUFFER_BUDGET) {
      this.close(CLOSE_SLOW_CONSUMER, `slow consumer: over ${CLIENT_BUFFER_BUDGET} unsent bytes`);
      return;
    }
    if (this.congestedSince === undefined && queued <= COALESCE_AT_BYTES) {
      writeFramed(this.ws, this.socket, m);
      return;
    }
    this.congestedSince ??= Date.now();
    if (isTick) {
      this.ticksDropped++;
      return;
    }
    const key = coalesceKey ?? `once:${this.seq++}`;
    const old = this.pending.get(key);
    if (old !== undefined) this.pendingBytes -= old.frame.length;
    this.pending.delete(key);
    this.pending.set(key, m);
    this.pendingBytes += size;
    if (this.pending.size > MAX_PENDING_MESSAGES || this.pendingBytes > PENDING_BUDGET_BYTES) {
      this.close(CLOSE_SLOW_CONSUMER, 'slow consumer: too many updates pending');
    }
  }

  /**
   * A bar's update: only its changed cells when this client was handed the bar's previous update and keeps up;
   * otherwise the full bar (also what a congested client's queue holds, so coalescing never loses a change).
   * Returns the bytes handed over.
   */
  deliverBar(key: string, topic: string, u: FramedBar): number {
    if (this.closed) return 0;
    const had = this.barSeqs.get(key);
    this.barSeqs.delete(key);
    this.barSeqs.set(key, u.seq);
    if (this.barSeqs.size > TRACKED_BARS_PER_CLIENT) this.barSeqs.delete(this.barSeqs.keys().next().value!);
    const keepsUp = this.congestedSince === undefined && this.ws.bufferedAmount <= COALESCE_AT_BYTES;
    const m =
      u.cells !== undefined &&
      had !== undefined &&
      had === u.base &&
      keepsUp &&
      !this.fullBarTopics.has(topic)
        ? u.cells
        : u.full();
    this.deliver(m, key, false);
    return m.frame.length;
  }

  /** Forgets the bars of a topic left: after a new subscription their first update is a full one. */
  forgetBars(topic: string): void {
    for (const k of this.barSeqs.keys()) if (k.startsWith(`${topic}|`)) this.barSeqs.delete(k);
    this.fullBarTopics.delete(topic);
  }

  /** Resumes a congested client that drained; closes one congested for too long. */
  drain(now: number): void {
    if (this.congestedSince === undefined || this.closed) return;
    if (this.ws.bufferedAmount > RESUME_AT_BYTES) {
      if (now - this.congestedSince > SLOW_CLIENT_GRACE_MS) {
        this.close(CLOSE_SLOW_CONSUMER, `slow consumer: congested for over ${SLOW_CLIENT_GRACE_MS / 1000} s`);
      }
      return;
    }
    this.congestedSince = undefined;
    if (this.ticksDropped > 0) {
      this.send(
        encode('notice', {
          code: 'TICKS_DROPPED',
          dropped_messages: this.ticksDropped,
          message: 'tick messages were dropped while this client was not reading fast enough',
        }),
      );
      this.ticksDropped = 0;
    }
    for (const m of this.pending.values()) writeFramed(this.ws, this.socket, m);
    this.pending.clear();
    this.pendingBytes = 0;
  }
}

export interface StreamerOptions {
  readonly hub: LiveHub;
  readonly sourceKind: SourceKind;
  readonly auth: Authenticator;
  readonly audit: AuditLog;
  readonly clientIp: (req: IncomingMessage) => string;
  readonly log?: (msg: string) => void;
}

/** A bar update framed once per form: the changed cells, and the full bar on first use. */
interface FramedBar {
  readonly seq: number;
  readonly base: number | undefined;
  readonly cells: Framed | undefined;
  readonly full: () => Framed;
}

interface SpreadJob {
  /** Hands the message to one subscriber; returns the bytes handed over. */
  readonly deliverTo: (c: StreamClient) => number;
  readonly clients: readonly StreamClient[];
  next: number;
}

export class WsStreamer implements Publisher {
  readonly wss: WebSocketServer;
  private readonly clients = new Set<StreamClient>();
  private readonly topics = new Map<string, Set<StreamClient>>();
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private readonly heartbeatBase: Record<string, unknown>;
  messagesPublished = 0;
  /** Time spent handing published messages to subscribers (what a bigger audience costs). */
  readonly fanout = { messages: 0, deliveries: 0, bytes: 0, tickBytes: 0, writes: 0, ms: 0, maxFlushMs: 0 };
  private corked: StreamClient[] = [];
  private flushQueued = false;
  /** Per topic, messages still being spread (first) or queued behind one, with the subscribers they go to. */
  private readonly spreading = new Map<string, SpreadJob[]>();
  private pumpQueued = false;
  /** Turns that handed out part of a spread message. */
  spreadTurns = 0;
  closedSlow = 0;
  errorsSent = 0;

  constructor(private readonly o: StreamerOptions) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
    this.heartbeatBase = sourceMark(o.sourceKind);
    this.timers.push(setInterval(() => this.drainAll(), DRAIN_CHECK_MS));
    this.timers.push(setInterval(() => this.heartbeat(), HEARTBEAT_MS));
    for (const t of this.timers) t.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Handles an HTTP upgrade: path, authentication and admission, then the WebSocket handshake. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: number, code: string, message: string): void => {
      const body = JSON.stringify({ success: false, error: { code, message } });
      socket.end(
        `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : status === 429 ? 'Too Many Requests' : 'Service Unavailable'}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    };
    const ip = this.o.clientIp(req);
    if (url.pathname !== WS_PATH)
      return refuse(404, 'NOT_FOUND', `no WebSocket at ${url.pathname}; use ${WS_PATH}`);
    const verdict = this.o.auth.check(req.headers, url.searchParams.get('token'), ip, 'stream');
    if (!verdict.ok) {
      this.o.audit.record({
        time: new Date().toISOString(),
        ip,
        key: verdict.keyId ?? null,
        action: 'ws connect',
        status: verdict.error.status,
      });
      return refuse(verdict.error.status, verdict.error.code, verdict.error.message);
    }
    if (this.clients.size >= MAX_CLIENTS)
      return refuse(503, 'SERVICE_UNAVAILABLE', 'too many stream clients');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, ip, verdict.keyId ?? null));
  }

  private onConnection(ws: WebSocket, ip: string, keyId: string | null): void {
    const c = new StreamClient(ws, ip, keyId);
    this.clients.add(c);
    this.o.audit.record({
      time: new Date().toISOString(),
      ip,
      key: keyId,
      action: 'ws connect',
      status: 101,
    });
    ws.on('pong', () => {
      c.alive = true;
    });
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(c, data, isBinary));
    ws.on('error', () => {
      // Protocol errors (oversized or malformed frames) close the socket; 'close' does the clean-up.
    });
    ws.on('close', () => this.onClose(c));
  }

  private error(c: StreamClient, code: string, message: string): void {
    this.errorsSent++;
    c.send(encode('error', { code, message }));
  }

  private onMessage(c: StreamClient, data: RawData, isBinary: boolean): void {
    if (c.closed) return;
    if (c.control.take('c') > 0) {
      c.refused++;
      if (c.refused >= FLOOD_CLOSE_AFTER) c.close(CLOSE_POLICY, 'control message flood');
      else
        this.error(
          c,
          'RATE_LIMITED',
          `at most ${CONTROL_PER_SECOND} control messages per second (burst ${CONTROL_BURST})`,
        );
      return;
    }
    const size = Array.isArray(data) ? data.reduce((s, b) => s + b.length, 0) : data.byteLength;
    if (isBinary) return this.error(c, 'BINARY_NOT_SUPPORTED', 'send JSON text messages');
    if (size > MAX_MESSAGE_BYTES)
      return this.error(c, 'MESSAGE_TOO_LARGE', `messages are at most ${MAX_MESSAGE_BYTES} bytes`);
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.from(data as ArrayBuffer).toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return this.error(c, 'INVALID_JSON', 'the message is not JSON');
    }
    const msg = controlMessage.safeParse(parsed);
    if (!msg.success) {
      return this.error(
        c,
        'INVALID_MESSAGE',
        'expected {"type":"subscribe"|"unsubscribe"|"ping","data":{...}}',
      );
    }
    if (msg.data.type === 'ping')
      return c.send(encode('heartbeat', { time: new Date().toISOString(), ...this.heartbeatBase }));
    const d = subscribeData.safeParse(msg.data.data);
    if (!d.success) {
      const i = d.error.issues[0]!;
      const field = i.path.join('.') || 'data';
      return this.error(
        c,
        'INVALID_PARAMETER',
        `'${field}': ${i.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.join(', ')}` : i.message}`,
      );
    }
    if (msg.data.type === 'subscribe') void this.subscribe(c, d.data);
    else this.unsubscribe(c, d.data);
  }

  private audit(c: StreamClient, action: string, status: number | string): void {
    this.o.audit.record({ time: new Date().toISOString(), ip: c.ip, key: c.keyId, action, status });
  }

  private async subscribe(c: StreamClient, d: SubscribeData): Promise<void> {
    const sig = signature(d);
    const what =
      `ws subscribe ${d.symbol}${d.exchange === undefined ? '' : `@${d.exchange}`} ${d.aggregation ?? ''}${d.timeframe ?? ''}`.trim();
    if (c.subs.has(sig) || c.pendingSubs.has(sig)) {
      this.audit(c, what, 'ALREADY_SUBSCRIBED');
      return this.error(c, 'ALREADY_SUBSCRIBED', `already subscribed to ${d.symbol} with these settings`);
    }
    if (c.subs.size + c.pendingSubs.size >= MAX_SUBSCRIPTIONS_PER_CLIENT) {
      this.audit(c, what, 'TOO_MANY_SUBSCRIPTIONS');
      return this.error(
        c,
        'TOO_MANY_SUBSCRIPTIONS',
        `at most ${MAX_SUBSCRIPTIONS_PER_CLIENT} subscriptions per connection`,
      );
    }
    c.pendingSubs.add(sig);
    let sub: Subscription;
    try {
      sub = await this.o.hub.subscribe({
        symbol: d.symbol,
        ...(d.exchange === undefined ? {} : { exchange: d.exchange }),
        config: configOf(d),
      });
    } catch (e) {
      c.pendingSubs.delete(sig);
      const err = toApiError(e);
      this.audit(c, what, err.code);
      return this.error(c, err.code, err.message);
    } finally {
      c.pendingSubs.delete(sig);
    }
    if (c.closed) {
      this.o.hub.release(sub.channelKey);
      return;
    }
    c.subs.set(sig, sub);
    this.join(c, sub.tickTopic);
    this.join(c, sub.channelTopic);
    if (d.footprint_updates === 'bars') c.fullBarTopics.add(sub.channelTopic);
    this.audit(c, what, 'ok');
    c.send(encode('subscribed', { ...sub.info, ...this.heartbeatBase }));
    const snap = this.o.hub.snapshot(sub.channelKey);
    if (snap !== undefined) c.send(snap);
  }

  private unsubscribe(c: StreamClient, d: SubscribeData): void {
    const sig = signature(d);
    const sub = c.subs.get(sig);
    this.audit(c, `ws unsubscribe ${d.symbol}`, sub === undefined ? 'NOT_SUBSCRIBED' : 'ok');
    if (sub === undefined)
      return this.error(c, 'NOT_SUBSCRIBED', `no subscription to ${d.symbol} with these settings`);
    this.drop(c, sig, sub);
    c.send(encode('unsubscribed', { ...sub.info }));
  }

  private drop(c: StreamClient, sig: string, sub: Subscription): void {
    c.subs.delete(sig);
    if (![...c.subs.values()].some((s) => s.tickTopic === sub.tickTopic)) this.leave(c, sub.tickTopic);
    if (![...c.subs.values()].some((s) => s.channelTopic === sub.channelTopic))
      this.leave(c, sub.channelTopic);
    this.o.hub.release(sub.channelKey);
  }

  private join(c: StreamClient, topic: string): void {
    let set = this.topics.get(topic);
    if (set === undefined) this.topics.set(topic, (set = new Set()));
    set.add(c);
  }

  private leave(c: StreamClient, topic: string): void {
    c.forgetBars(topic);
    const set = this.topics.get(topic);
    set?.delete(c);
    if (set?.size === 0) this.topics.delete(topic);
  }

  private onClose(c: StreamClient): void {
    if (!this.clients.delete(c)) return;
    if (c.closed && c.congestedSince !== undefined) this.closedSlow++;
    c.closed = true;
    for (const [sig, sub] of [...c.subs]) this.drop(c, sig, sub);
    this.audit(c, 'ws close', 'ok');
  }

  /** Publisher: the same frame to every subscriber of the topic, written when this turn's publishing is done. */
  publish(topic: string, payload: Buffer, coalesceKey?: string): void {
    const isTick = topic.startsWith('tick:');
    const key = coalesceKey === undefined ? undefined : `${topic}|${coalesceKey}`;
    const m = framed(payload);
    this.fanOut(topic, m.frame.length, isTick, (c) => {
      c.deliver(m, key, isTick);
      return m.frame.length;
    });
  }

  /** Publisher: a bar's changed cells to subscribers that hold its previous update, the full bar to the others. */
  publishBar(topic: string, coalesceKey: string, u: BarUpdate): void {
    const key = `${topic}|${coalesceKey}`;
    let full: Framed | undefined;
    const bar: FramedBar = {
      seq: u.seq,
      base: u.base,
      cells: u.cells === undefined ? undefined : framed(u.cells),
      full: () => (full ??= framed(u.full())),
    };
    // spread by the size most subscribers get
    const size = (bar.cells ?? bar.full()).frame.length;
    this.fanOut(topic, size, false, (c) => c.deliverBar(key, topic, bar));
  }

  /**
   * Hands a message of `size` bytes to every subscriber of the topic: at once (written at the end of this turn), or
   * spread over turns when it is big or the topic already has a message being spread (order per topic kept).
   */
  private fanOut(topic: string, size: number, isTick: boolean, deliverTo: (c: StreamClient) => number): void {
    const set = this.topics.get(topic);
    if (set === undefined) return;
    const t0 = performance.now();
    this.messagesPublished++;
    const queue = this.spreading.get(topic);
    // Never ticks: a late batch grows big, and spreading it would put the next batches behind it.
    if (queue !== undefined || (size > SPREAD_ABOVE_BYTES && !isTick)) {
      const job: SpreadJob = { deliverTo, clients: [...set], next: 0 };
      if (queue === undefined) this.spreading.set(topic, [job]);
      else queue.push(job);
      if (!this.pumpQueued) {
        this.pumpQueued = true;
        setImmediate(this.pump);
      }
    } else {
      let bytes = 0;
      for (const c of set) {
        if (c.cork()) this.corked.push(c);
        bytes += deliverTo(c);
      }
      this.fanout.bytes += bytes;
      if (isTick) this.fanout.tickBytes += bytes;
      if (this.corked.length > 0 && !this.flushQueued) {
        this.flushQueued = true;
        process.nextTick(this.flush);
      }
    }
    this.fanout.messages++;
    this.fanout.deliveries += set.size;
    this.fanout.ms += performance.now() - t0;
  }

  /** One turn of spreading: up to SPREAD_BYTES_PER_TURN (at least one delivery), topics taken in turn. */
  private readonly pump = (): void => {
    const t0 = performance.now();
    this.pumpQueued = false;
    this.spreadTurns++;
    let budget = SPREAD_BYTES_PER_TURN;
    let progressed = true;
    while (budget > 0 && progressed) {
      progressed = false;
      for (const [topic, queue] of this.spreading) {
        const job = queue[0]!;
        const c = job.clients[job.next++];
        if (c !== undefined) {
          if (c.cork()) this.corked.push(c);
          const bytes = job.deliverTo(c);
          this.fanout.bytes += bytes;
          budget -= Math.max(1, bytes);
          progressed = true;
        }
        if (job.next >= job.clients.length) {
          queue.shift();
          if (queue.length === 0) this.spreading.delete(topic);
          progressed = true;
        }
        if (budget <= 0) break;
      }
    }
    this.fanout.ms += performance.now() - t0;
    this.flush();
    if (this.spreading.size > 0 && !this.pumpQueued) {
      this.pumpQueued = true;
      setImmediate(this.pump);
    }
  };

  /** The socket writes of this turn's publishing: one per client that got something. */
  private readonly flush = (): void => {
    const t0 = performance.now();
    this.flushQueued = false;
    const corked = this.corked;
    this.corked = [];
    for (const c of corked) c.uncork();
    const ms = performance.now() - t0;
    this.fanout.ms += ms;
    this.fanout.writes += corked.length;
    if (ms > this.fanout.maxFlushMs) this.fanout.maxFlushMs = ms;
  };

  private drainAll(): void {
    const now = Date.now();
    for (const c of this.clients) c.drain(now);
  }

  private heartbeat(): void {
    const m = framed(encode('heartbeat', { time: new Date().toISOString(), ...this.heartbeatBase }));
    for (const c of this.clients) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.deliver(m, 'heartbeat', false);
      if (c.ws.readyState === WebSocket.OPEN) c.ws.ping();
    }
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.spreading.clear();
    for (const c of this.clients) c.close(CLOSE_GOING_AWAY, 'server shutting down');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
