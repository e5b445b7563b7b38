// The worker role: one durable pull consumer per shard of symbols → trades (and the minute rollups, in the same
// transaction) into PostgreSQL → ack only after the commit → publish exactly the newly stored trades on NATS.
// A worker killed at any point loses nothing (unacked messages come back) and counts nothing twice (idempotent store).

import { Events, type ConsumerMessages, type JsMsg } from 'nats';
import { instrumentKey } from '../core/instrument.ts';
import type { Trade } from '../core/trade.ts';
import type { TradeStore } from '../store/port.ts';
import {
  decodeJson,
  encodeJson,
  ensureShardConsumer,
  ensureStream,
  fetchInstrument,
  lagOf,
  tradeOfWire,
  updateSubject,
  wireOf,
  type Bus,
  type ConsumerLag,
  type Shard,
  type TradeUpdate,
} from './bus.ts';

/** A store that tells which trades of a batch were new (PostgresTradeStore.insertNewTrades). */
export interface CommitStore extends TradeStore {
  insertNewTrades(exchange: string, symbol: string, trades: readonly Trade[]): Promise<Trade[]>;
}

export interface CommitEvent {
  readonly shard: string;
  readonly exchange: string;
  readonly symbol: string;
  /** Messages acked by this commit. */
  readonly messages: number;
  /** Trades stored for the first time. */
  readonly inserted: number;
  readonly redelivered: number;
}

export interface WorkerOptions {
  readonly shards: readonly Shard[];
  readonly log?: (msg: string) => void;
  /** Called after each commit and its acks (tests and progress output wait on it). */
  readonly onCommit?: (e: CommitEvent) => void;
}

export interface WorkerHealth {
  readonly role: 'worker';
  readonly status: 'ok' | 'degraded';
  readonly reason?: string;
  readonly store: string;
  readonly shards: readonly string[];
  readonly committedMessages: number;
  readonly insertedTrades: number;
  readonly duplicateTrades: number;
  readonly redelivered: number;
  readonly badMessages: number;
  readonly failedCommits: number;
  /** Messages received but not yet committed and acked. */
  readonly buffered: number;
  readonly lastCommitAt: string | null;
  readonly nats: 'connected' | 'disconnected';
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Group {
  readonly exchange: string;
  readonly symbol: string;
  readonly trades: Trade[];
  readonly msgs: JsMsg[];
}

class ShardRunner {
  private buf: JsMsg[] = [];
  private wake: (() => void) | undefined;
  private messages: ConsumerMessages | undefined;
  private loops: Promise<void>[] = [];
  running = false;

  constructor(
    readonly name: string,
    readonly durable: string,
    private readonly worker: ScaleWorker,
  ) {}

  get buffered(): number {
    return this.buf.length;
  }

  start(): void {
    this.running = true;
    this.loops = [this.pullLoop(), this.commitLoop()];
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** consume() keeps pulls open and survives reconnects; if it ends anyway, pull again. */
  private async pullLoop(): Promise<void> {
    const bus = this.worker.bus;
    let attempt = 0;
    while (this.running) {
      try {
        const consumer = await bus.js.consumers.get(bus.streamName, this.durable);
        const msgs = await consumer.consume({ max_messages: bus.config.worker.batchMax });
        this.messages = msgs;
        if (!this.running) msgs.stop();
        for await (const m of msgs) {
          attempt = 0;
          this.buf.push(m);
          this.notify();
        }
      } catch (e) {
        this.worker.noteError(`consumer ${this.durable}: ${(e as Error).message}`);
      }
      if (this.running) await sleep(Math.min(2000, 100 * 2 ** attempt++));
    }
  }

  private async commitLoop(): Promise<void> {
    const max = this.worker.bus.config.worker.batchMax;
    while (this.running) {
      if (this.buf.length === 0) {
        await new Promise<void>((r) => (this.wake = r));
        continue;
      }
      const take = this.buf.splice(0, max);
      await this.worker.commit(this.name, take);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.messages?.stop();
    this.notify();
    await Promise.all(this.loops);
    // Hand the buffered messages back at once rather than after ack_wait.
    for (const m of this.buf.splice(0)) m.nak();
  }
}

export class ScaleWorker {
  private readonly runners: ShardRunner[] = [];
  private readonly known = new Set<string>();
  private committedMessages = 0;
  private insertedTrades = 0;
  private duplicateTrades = 0;
  private redelivered = 0;
  private badMessages = 0;
  private failedCommits = 0;
  private failing: string | undefined;
  private lastCommitAt: number | null = null;
  private natsUp = true;
  private readonly log: (msg: string) => void;

  constructor(
    readonly bus: Bus,
    readonly store: CommitStore,
    private readonly options: WorkerOptions,
  ) {
    this.log = options.log ?? (() => {});
  }

  async start(): Promise<void> {
    await this.store.open();
    await ensureStream(this.bus);
    void this.watchStatus();
    for (const shard of this.options.shards) {
      const durable = await ensureShardConsumer(this.bus, shard);
      const r = new ShardRunner(`${shard.exchange}:${shard.symbol}`, durable, this);
      this.runners.push(r);
      r.start();
    }
  }

  private async watchStatus(): Promise<void> {
    for await (const s of this.bus.nc.status()) {
      if (s.type === Events.Disconnect) this.natsUp = false;
      if (s.type === Events.Reconnect) this.natsUp = true;
    }
  }

  noteError(msg: string): void {
    this.log(msg);
  }

  /** Commits the messages instrument by instrument; each instrument's messages are acked right after its commit. */
  async commit(shard: string, msgs: readonly JsMsg[]): Promise<void> {
    const groups = new Map<string, Group>();
    for (const m of msgs) {
      let t: Trade | string;
      try {
        t = tradeOfWire(decodeJson(m.data));
      } catch (e) {
        t = (e as Error).message;
      }
      if (typeof t === 'string') {
        // Never redelivered: a malformed message would come back forever.
        this.badMessages++;
        this.log(`bad message ${m.subject} #${m.seq}: ${t}`);
        m.term();
        continue;
      }
      const key = instrumentKey(t.exchange, t.symbol);
      let g = groups.get(key);
      if (g === undefined)
        groups.set(key, (g = { exchange: t.exchange, symbol: t.symbol, trades: [], msgs: [] }));
      g.trades.push(t);
      g.msgs.push(m);
    }
    const runner = this.runners.find((r) => r.name === shard);
    for (const g of groups.values()) {
      const fresh = await this.persist(g, () => runner?.running ?? false);
      if (fresh === undefined) return; // stopping: the messages come back to whoever consumes next
      for (const m of g.msgs) m.ack();
      const redelivered = g.msgs.filter((m) => m.redelivered).length;
      this.committedMessages += g.msgs.length;
      this.insertedTrades += fresh.length;
      this.duplicateTrades += g.trades.length - fresh.length;
      this.redelivered += redelivered;
      this.lastCommitAt = Date.now();
      if (fresh.length > 0) {
        const update: TradeUpdate = { exchange: g.exchange, symbol: g.symbol, trades: fresh.map(wireOf) };
        this.bus.nc.publish(updateSubject(this.bus.prefix, g.exchange, g.symbol), encodeJson(update));
      }
      this.options.onCommit?.({
        shard,
        exchange: g.exchange,
        symbol: g.symbol,
        messages: g.msgs.length,
        inserted: fresh.length,
        redelivered,
      });
    }
  }

  /** Retries until the store takes the batch (or the worker stops), keeping the messages ours meanwhile. */
  private async persist(g: Group, running: () => boolean): Promise<Trade[] | undefined> {
    const maxRetry = this.bus.config.worker.maxRetryMs;
    for (let attempt = 0; running(); attempt++) {
      try {
        await this.ensureInstrument(g.exchange, g.symbol);
        const fresh = await this.store.insertNewTrades(g.exchange, g.symbol, g.trades);
        if (this.failing !== undefined) this.log(`store back: ${g.exchange}:${g.symbol} committed`);
        this.failing = undefined;
        return fresh;
      } catch (e) {
        this.failedCommits++;
        const msg = `commit of ${g.trades.length} trades of ${g.exchange}:${g.symbol} failed: ${(e as Error).message}`;
        if (this.failing === undefined) this.log(msg);
        this.failing = msg;
        // Tell JetStream we are still on them, so ack_wait does not hand them to another worker meanwhile.
        for (const m of g.msgs) m.working();
        await sleep(Math.min(maxRetry, 50 * 2 ** Math.min(attempt, 10)));
      }
    }
    return undefined;
  }

  private async ensureInstrument(exchange: string, symbol: string): Promise<void> {
    const key = instrumentKey(exchange, symbol);
    if (this.known.has(key)) return;
    const stored = await this.store.getInstrument(exchange, symbol);
    if (stored === undefined) {
      const i = await fetchInstrument(this.bus, exchange, symbol);
      if (i === undefined)
        throw new Error(`instrument ${key} is neither stored nor announced by a collector`);
      await this.store.upsertInstrument(i);
    }
    this.known.add(key);
  }

  async lag(): Promise<ConsumerLag[]> {
    const out: ConsumerLag[] = [];
    for (const r of this.runners)
      out.push(lagOf(await this.bus.jsm.consumers.info(this.bus.streamName, r.durable)));
    return out;
  }

  health(): WorkerHealth {
    const status = this.failing !== undefined || !this.natsUp ? 'degraded' : 'ok';
    return {
      role: 'worker',
      status,
      ...(this.failing !== undefined
        ? { reason: this.failing }
        : !this.natsUp
          ? { reason: 'NATS disconnected' }
          : {}),
      store: 'description' in this.store ? String(this.store.description) : 'store',
      shards: this.runners.map((r) => r.name),
      committedMessages: this.committedMessages,
      insertedTrades: this.insertedTrades,
      duplicateTrades: this.duplicateTrades,
      redelivered: this.redelivered,
      badMessages: this.badMessages,
      failedCommits: this.failedCommits,
      buffered: this.runners.reduce((s, r) => s + r.buffered, 0),
      lastCommitAt: this.lastCommitAt === null ? null : new Date(this.lastCommitAt).toISOString(),
      nats: this.natsUp ? 'connected' : 'disconnected',
    };
  }

  async stop(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
    await this.store.close();
  }
}
