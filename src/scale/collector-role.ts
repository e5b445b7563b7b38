// The collector role: any TradeSource (live connectors, replay, simulator) → one JetStream message per trade with
// Nats-Msg-Id `exchange:symbol:id`, so the stream drops the copies of redundant collectors. Publishes are pipelined
// and retried with the same id until JetStream acknowledges them: a NATS restart delays trades, never loses them.

import { Events } from 'nats';
import type { Instrument } from '../core/instrument.ts';
import { instrumentKey } from '../core/instrument.ts';
import type { Trade } from '../core/trade.ts';
import type { SourceEvent, TradeSource } from '../sources/source.ts';
import {
  AsyncJetStreamPublisher,
  encodeJson,
  ensureStream,
  publishInstrument,
  tradeMsgId,
  tradeSubject,
  wireOf,
  type Bus,
} from './bus.ts';

/** Publishes awaiting their PubAck at once: enough to fill loopback/LAN round trips. */
export const COLLECTOR_MAX_IN_FLIGHT = 2048;
/**
 * Trades accepted from the source but not yet acknowledged by JetStream. Past it the collector fails (stops its
 * source, health "failed"): buffering without bound would only hide an outage, and the supervisor restarting it
 * (with a redundant collector covering meanwhile, and the connectors' REST backfill) loses nothing.
 */
export const COLLECTOR_MAX_QUEUED = 1_000_000;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2000;

interface Outgoing {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly msgID: string;
  attempts: number;
}

export interface CollectorHealth {
  readonly role: 'collector';
  readonly status: 'ok' | 'degraded' | 'failed';
  readonly reason?: string;
  readonly source: string;
  readonly received: number;
  readonly published: number;
  /** Acknowledged by JetStream as a duplicate (another collector, or a retry, got there first). */
  readonly duplicates: number;
  readonly retries: number;
  readonly queued: number;
  readonly inFlight: number;
  readonly nats: 'connected' | 'disconnected';
}

export class ScaleCollector {
  private readonly queue: Outgoing[] = [];
  private head = 0;
  private inFlight = 0;
  private received = 0;
  private published = 0;
  private duplicates = 0;
  private retries = 0;
  private failure: string | undefined;
  private lastError: string | undefined;
  private running = false;
  private readonly announced = new Map<string, Promise<void>>();
  private idleWaiters: (() => void)[] = [];
  private natsUp = true;
  private awaitingAnnounce = 0;
  private endSource: () => void = () => {};
  /** Resolves when a finite source (a replay) has emitted its last trade. */
  readonly sourceEnded: Promise<void> = new Promise((r) => (this.endSource = r));

  constructor(
    private readonly bus: Bus,
    private readonly source: TradeSource,
    private readonly log: (msg: string) => void = () => {},
  ) {}

  private publisher: AsyncJetStreamPublisher | undefined;

  async start(): Promise<void> {
    await ensureStream(this.bus);
    this.publisher = new AsyncJetStreamPublisher(this.bus.nc);
    this.running = true;
    void this.watchStatus();
    for (const i of this.source.instruments) await this.announce(i);
    await this.source.start((e) => this.onEvent(e));
  }

  private async watchStatus(): Promise<void> {
    for await (const s of this.bus.nc.status()) {
      if (s.type === Events.Disconnect) this.natsUp = false;
      if (s.type === Events.Reconnect) this.natsUp = true;
    }
  }

  /** Instruments go to the KV bucket before their first trade, so a worker can always find the scale. */
  private announce(i: Instrument): Promise<void> {
    const key = instrumentKey(i.exchange, i.symbol);
    let p = this.announced.get(key);
    if (p === undefined) {
      p = this.retrying(() => publishInstrument(this.bus, i), `instrument ${key}`);
      this.announced.set(key, p);
    }
    return p;
  }

  private async retrying(fn: () => Promise<void>, what: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (!this.running) throw e;
        this.lastError = `${what}: ${(e as Error).message}`;
        await new Promise((r) => setTimeout(r, Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** attempt)));
      }
    }
  }

  private onEvent(e: SourceEvent): void {
    if (e.type === 'status' && e.state === 'ended') this.endSource();
    if (e.type !== 'trades' || this.failure !== undefined) return;
    this.received += e.trades.length;
    this.awaitingAnnounce += e.trades.length;
    // Per instrument the callbacks run in registration order: trades keep the source's order.
    void this.announce(e.instrument).then(
      () => {
        this.awaitingAnnounce -= e.trades.length;
        for (const t of e.trades) this.enqueue(t);
        if (this.queued > COLLECTOR_MAX_QUEUED) {
          this.fail(`more than ${COLLECTOR_MAX_QUEUED} trades await JetStream: NATS is not taking them`);
          return;
        }
        this.pump();
      },
      () => undefined,
    );
  }

  private enqueue(t: Trade): void {
    this.queue.push({
      subject: tradeSubject(this.bus.prefix, t.exchange, t.symbol),
      data: encodeJson(wireOf(t)),
      msgID: tradeMsgId(t),
      attempts: 0,
    });
  }

  private get queued(): number {
    return this.queue.length - this.head + this.inFlight + this.awaitingAnnounce;
  }

  private pump(): void {
    while (this.running && this.inFlight < COLLECTOR_MAX_IN_FLIGHT && this.head < this.queue.length) {
      const m = this.queue[this.head++]!;
      this.send(m);
    }
    // Compact the consumed prefix now and then instead of shifting per message.
    if (this.head > 65_536 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.queued === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private send(m: Outgoing): void {
    this.inFlight++;
    this.publisher!.publish(m.subject, m.data, m.msgID).then(
      (ack) => {
        this.inFlight--;
        if (ack.duplicate) this.duplicates++;
        else this.published++;
        this.pump();
      },
      (e: unknown) => {
        this.retries++;
        this.lastError = (e as Error).message;
        if (!this.running) {
          this.inFlight--;
          return;
        }
        // Same msgID on retry: if the first attempt did land, JetStream reports the retry as a duplicate. The
        // message stays counted in flight while it waits, so idle() cannot resolve early.
        const wait = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** m.attempts++);
        setTimeout(() => {
          this.inFlight--;
          this.send(m);
        }, wait);
      },
    );
  }

  private fail(reason: string): void {
    this.failure = reason;
    this.log(`collector failed: ${reason}`);
    void this.source.stop();
  }

  /** Resolves once every trade received so far is acknowledged by JetStream. */
  idle(): Promise<void> {
    if (this.queued === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    await this.source.stop();
    this.running = false;
    this.publisher?.close();
  }

  health(): CollectorHealth {
    const stuck = !this.natsUp || (this.retries > 0 && this.queued > COLLECTOR_MAX_IN_FLIGHT);
    const status = this.failure !== undefined ? 'failed' : stuck ? 'degraded' : 'ok';
    const reason =
      this.failure ??
      (status === 'degraded' ? (this.natsUp ? this.lastError : 'NATS disconnected') : undefined);
    return {
      role: 'collector',
      status,
      ...(reason === undefined ? {} : { reason }),
      source: this.source.description,
      received: this.received,
      published: this.published,
      duplicates: this.duplicates,
      retries: this.retries,
      queued: this.queued,
      inFlight: this.inFlight,
      nats: this.natsUp ? 'connected' : 'disconnected',
    };
  }
}
