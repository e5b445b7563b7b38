// A live collector for one feed and a set of symbols: never loses, never double counts. Per stream it delivers
// every trade id once and in id order, backfills gaps over REST, records what cannot be filled, and keeps the
// stream's figures. Disconnects, gaps and bad frames are events (listener and async iterator), not log lines.

import type { InstrumentRegistry } from '../../core/instrument.ts';
import type { Trade } from '../../core/trade.ts';
import type { UnixMicros } from '../../core/units.ts';
import { ReconnectingSocket, type ConnectionEvent, type ConnectionOptions } from './connection.ts';
import { FEEDS, type FeedDefinition, type FeedId } from './feeds.ts';
import { hasMetadata, loadInstrumentMetadata, type MetadataResult } from './instrument-metadata.ts';
import { RestClient, type RestClientOptions, type RestStats } from './rest-client.ts';
import { DedupeWindow, DEFAULT_BUFFER_BUDGET, StreamSequencer, type LostRange } from './sequencer.ts';
import type { FeedEvent, FeedMapper } from './types.ts';

export interface CollectorOptions {
  readonly feed: FeedId | FeedDefinition;
  /** Exchange symbols, e.g. ["BTCUSDT"] or ["BTC-USD"]. */
  readonly symbols: readonly string[];
  readonly registry: InstrumentRegistry;
  readonly wsBase?: string;
  readonly restBase?: string;
  readonly connection?: Partial<Omit<ConnectionOptions, 'url' | 'subscribe'>>;
  readonly rest?: Partial<RestClientOptions>;
  /** How long a missing id may stay missing before REST is asked (reordered frames arrive meanwhile). */
  readonly reorderGraceMs?: number;
  readonly bufferBudget?: number;
  /** Events the async iterator may hold for a slow consumer before it ends with an `overflow` event. */
  readonly iteratorBudget?: number;
  /** Bad frames are logged here with their raw text (default: console.warn, throttled by the caller). */
  readonly log?: (message: string, raw?: string) => void;
}

export type CollectorEvent =
  | {
      readonly type: 'trades';
      readonly symbol: string;
      readonly trades: readonly Trade[];
      readonly source: 'ws' | 'rest';
    }
  | ConnectionEvent
  | { readonly type: 'gap'; readonly symbol: string; readonly from: number; readonly to: number }
  | {
      readonly type: 'gapFilled';
      readonly symbol: string;
      readonly from: number;
      readonly to: number;
      readonly filled: number;
    }
  | {
      readonly type: 'gapLost';
      readonly symbol: string;
      readonly from: number;
      readonly to: number;
      readonly reason: string;
    }
  | { readonly type: 'badFrame'; readonly reason: string; readonly raw: string }
  | { readonly type: 'exchangeError'; readonly message: string }
  | { readonly type: 'overflow'; readonly dropped: number };

export interface StreamStats {
  readonly exchange: string;
  readonly symbol: string;
  readonly delivered: number;
  readonly duplicates: number;
  readonly lost: number;
  readonly recovered: number;
  readonly completeness: number;
  readonly buffered: number;
  readonly gapsFound: number;
  readonly gapsFilled: number;
  readonly gapsLost: number;
  readonly backfilled: number;
  /** Trades per second over the last 10 s of receive time. */
  readonly tradesPerSecond: number;
  /** Exchange trade time → local receive time, ms, over the last samples. */
  readonly lagMs: { readonly p50: number; readonly p99: number; readonly samples: number };
  readonly lostRanges: readonly LostRange[];
  readonly lastTradeId: number | undefined;
}

export interface CollectorStats {
  readonly feed: string;
  readonly reconnects: number;
  readonly stalls: number;
  readonly rollovers: number;
  readonly badFrames: number;
  readonly exchangeErrors: number;
  /** Jumps of a connection-wide message counter (Advanced Trade sequence_num). */
  readonly messageGaps: number;
  /** Frame receipt → trades handed to listeners, µs (p50/p99). */
  readonly addedLatencyUs: { readonly p50: number; readonly p99: number };
  readonly rest: RestStats;
  readonly streams: Readonly<Record<string, StreamStats>>;
}

/** What this collector supports beyond the first feeds (other modules feature-test on it). */
export const COLLECTOR_FEATURES = { uniqueIds: true, keepAlive: true } as const;

const LAG_SAMPLES = 4096;
/** Ids remembered per stream of a feed without contiguous ids. */
const UNIQUE_DEDUPE_WINDOW = 100_000;
const RATE_WINDOW_S = 10;

/** Fixed-size ring of numbers for percentiles without unbounded growth. */
class Ring {
  private readonly buf: Float64Array;
  private n = 0;
  constructor(size: number) {
    this.buf = new Float64Array(size);
  }
  push(v: number): void {
    this.buf[this.n++ % this.buf.length] = v;
  }
  percentiles(): { p50: number; p99: number; samples: number } {
    const k = Math.min(this.n, this.buf.length);
    if (k === 0) return { p50: NaN, p99: NaN, samples: 0 };
    const s = Array.from(this.buf.subarray(0, k)).sort((a, b) => a - b);
    const at = (q: number): number => s[Math.min(k - 1, Math.floor(q * k))]!;
    return { p50: at(0.5), p99: at(0.99), samples: k };
  }
}

class StreamState {
  readonly seq: StreamSequencer;
  gapsFound = 0;
  gapsFilled = 0;
  gapsLost = 0;
  backfilled = 0;
  readonly lag = new Ring(LAG_SAMPLES);
  readonly secondBuckets = new Float64Array(RATE_WINDOW_S);
  readonly bucketSecond = new Float64Array(RATE_WINDOW_S).fill(-1);
  graceTimer: ReturnType<typeof setTimeout> | undefined;
  backfilling = false;
  /** Set for feeds with ids: 'unique' (no sequencing). */
  readonly dedupe: DedupeWindow | undefined;
  uniqueDelivered = 0;
  uniqueDuplicates = 0;
  constructor(
    readonly symbol: string,
    budget: number,
    unique: boolean,
  ) {
    this.seq = new StreamSequencer(budget);
    this.dedupe = unique ? new DedupeWindow(UNIQUE_DEDUPE_WINDOW) : undefined;
  }
  countRate(recvTs: number, n: number): void {
    const sec = Math.floor(recvTs / 1e6);
    const i = sec % RATE_WINDOW_S;
    if (this.bucketSecond[i] !== sec) {
      this.bucketSecond[i] = sec;
      this.secondBuckets[i] = 0;
    }
    this.secondBuckets[i]! += n;
  }
  rate(nowUs: number): number {
    const sec = Math.floor(nowUs / 1e6);
    let sum = 0;
    for (let i = 0; i < RATE_WINDOW_S; i++)
      if (sec - this.bucketSecond[i]! < RATE_WINDOW_S) sum += this.secondBuckets[i]!;
    return sum / RATE_WINDOW_S;
  }
}

export class ExchangeCollector {
  readonly feed: FeedDefinition;
  private readonly mapper: FeedMapper;
  private readonly conn: ReconnectingSocket;
  private readonly rest: RestClient;
  private readonly streams = new Map<string, StreamState>();
  private readonly listeners = new Set<(e: CollectorEvent) => void>();
  private readonly abort = new AbortController();
  private readonly addedLatency = new Ring(LAG_SAMPLES);
  private readonly lastSeq = new Map<number, number>();
  private reconnects = 0;
  private stalls = 0;
  private rollovers = 0;
  private badFrames = 0;
  private exchangeErrors = 0;
  private messageGaps = 0;
  private running = false;

  constructor(private readonly opts: CollectorOptions) {
    this.feed = typeof opts.feed === 'string' ? FEEDS[opts.feed] : opts.feed;
    this.mapper = this.feed.createMapper(opts.registry);
    const unique = this.feed.ids === 'unique';
    for (const s of opts.symbols)
      this.streams.set(s, new StreamState(s, opts.bufferBudget ?? DEFAULT_BUFFER_BUDGET, unique));
    const wsBase = opts.wsBase ?? this.feed.defaultWsBase;
    this.conn = new ReconnectingSocket(
      {
        silenceMs: this.feed.silenceMs,
        ...(this.feed.maxLifetimeMs === undefined ? {} : { maxLifetimeMs: this.feed.maxLifetimeMs }),
        ...(this.feed.keepAlive === undefined ? {} : { keepAlive: this.feed.keepAlive }),
        ...opts.connection,
        url: this.feed.url(wsBase, opts.symbols),
        subscribe: this.feed.subscribe(opts.symbols),
      },
      { onMessage: (t, r, g) => this.onFrame(t, r, g), onEvent: (e) => this.onConnection(e) },
    );
    this.rest = new RestClient({
      ...this.feed.rest,
      ...opts.rest,
      baseUrl: opts.restBase ?? this.feed.defaultRestBase,
    });
  }

  /**
   * Reads the symbols' increments from the exchange into the registry (before start, so the first trades are put on
   * the exchange's grid). Undefined for exchanges without a metadata parser; on failure or after timeoutMs the
   * registry's cached rows stay in use and the result says why.
   */
  async refreshInstruments(timeoutMs = 5000): Promise<MetadataResult | undefined> {
    const exchange = this.feed.exchange;
    if (!hasMetadata(exchange)) return undefined;
    return loadInstrumentMetadata(
      this.rest,
      exchange,
      this.opts.symbols,
      this.opts.registry,
      AbortSignal.timeout(timeoutMs),
    );
  }

  start(): void {
    this.running = true;
    this.conn.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    for (const s of this.streams.values()) clearTimeout(s.graceTimer);
    await this.conn.stop();
  }

  /** Subscribes a listener; returns the unsubscribe function. Listeners must not throw. */
  on(listener: (e: CollectorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Async iterator over events; ends on stop, or with `overflow` when the consumer falls behind its budget. */
  async *events(): AsyncGenerator<CollectorEvent> {
    const budget = this.opts.iteratorBudget ?? 100_000;
    const queue: CollectorEvent[] = [];
    let wake: (() => void) | undefined;
    let overflowed = false;
    const off = this.on((e) => {
      if (overflowed) return;
      if (queue.length >= budget) {
        overflowed = true;
        queue.push({ type: 'overflow', dropped: 1 });
      } else queue.push(e);
      wake?.();
    });
    try {
      for (;;) {
        while (queue.length > 0) {
          const e = queue.shift()!;
          yield e;
          if (e.type === 'overflow') return;
        }
        if (!this.running) return;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    } finally {
      off();
    }
  }

  stats(): CollectorStats {
    const nowUs = (performance.timeOrigin + performance.now()) * 1000;
    const streams: Record<string, StreamStats> = {};
    for (const s of this.streams.values()) {
      const lag = s.lag.percentiles();
      streams[s.symbol] = {
        exchange: this.feed.exchange,
        symbol: s.symbol,
        delivered: s.seq.delivered + s.uniqueDelivered,
        duplicates: s.seq.duplicates + s.uniqueDuplicates,
        lost: s.seq.lost,
        recovered: s.seq.recovered,
        // Unique-id feeds cannot see losses: their figure only counts what the sequencer could check (1).
        completeness: s.seq.completeness(),
        buffered: s.seq.buffered,
        gapsFound: s.gapsFound,
        gapsFilled: s.gapsFilled,
        gapsLost: s.gapsLost,
        backfilled: s.backfilled,
        tradesPerSecond: s.rate(nowUs),
        lagMs: { p50: lag.p50 / 1000, p99: lag.p99 / 1000, samples: lag.samples },
        lostRanges: [...s.seq.lostRanges],
        lastTradeId: s.dedupe || s.seq.next === undefined ? undefined : s.seq.next - 1,
      };
    }
    const added = this.addedLatency.percentiles();
    return {
      feed: this.feed.id,
      reconnects: this.reconnects,
      stalls: this.stalls,
      rollovers: this.rollovers,
      badFrames: this.badFrames,
      exchangeErrors: this.exchangeErrors,
      messageGaps: this.messageGaps,
      addedLatencyUs: { p50: added.p50, p99: added.p99 },
      rest: { ...this.rest.stats, waits: [...this.rest.stats.waits] },
      streams,
    };
  }

  private emit(e: CollectorEvent): void {
    for (const l of this.listeners) l(e);
  }

  private onConnection(e: ConnectionEvent): void {
    if (e.type === 'reconnecting') this.reconnects++;
    else if (e.type === 'stalled') this.stalls++;
    else if (e.type === 'rollover') this.rollovers++;
    this.emit(e);
  }

  /** Hot path: one frame → mapper → sequencer → listeners. */
  onFrame(text: string, recvTs: UnixMicros, gen: number): void {
    const events = this.mapper.map(text, recvTs);
    for (const ev of events) this.onFeedEvent(ev, recvTs, gen);
  }

  private onFeedEvent(ev: FeedEvent, recvTs: UnixMicros, gen: number): void {
    switch (ev.kind) {
      case 'trades': {
        const s = this.streams.get(ev.symbol);
        if (!s) return; // a symbol we did not ask for
        if (this.conn.isPending(gen)) this.conn.promote(gen);
        if (!ev.snapshot) for (const t of ev.trades) s.lag.push(recvTs - t.ts);
        if (s.dedupe) {
          const fresh = ev.trades.filter((t) => s.dedupe!.add(t.id));
          s.uniqueDelivered += fresh.length;
          s.uniqueDuplicates += ev.trades.length - fresh.length;
          this.deliver(s, fresh, 'ws', recvTs);
          return;
        }
        this.deliver(s, s.seq.offer(ev.trades), 'ws', recvTs);
        this.checkGap(s);
        return;
      }
      case 'heartbeat': {
        if (ev.symbol === undefined || typeof ev.lastTradeId !== 'number') return;
        const s = this.streams.get(ev.symbol);
        if (!s) return;
        s.seq.noteLatest(ev.lastTradeId);
        this.checkGap(s);
        return;
      }
      case 'sequence': {
        const prev = this.lastSeq.get(gen);
        if (prev !== undefined && ev.seq !== prev + 1) this.messageGaps++;
        this.lastSeq.set(gen, ev.seq);
        return;
      }
      case 'serverShutdown':
        this.conn.rollover('serverShutdown');
        return;
      case 'exchangeError':
        this.exchangeErrors++;
        this.emit({ type: 'exchangeError', message: ev.message });
        return;
      case 'bad':
        this.badFrame(ev.reason, ev.raw);
        return;
      case 'subscribed':
      case 'ignored':
        return;
    }
  }

  private badFrame(reason: string, raw: string): void {
    this.badFrames++;
    (this.opts.log ?? ((m, r) => console.warn(m, r)))(`${this.feed.id}: bad frame (${reason})`, raw);
    this.emit({ type: 'badFrame', reason, raw });
  }

  private deliver(s: StreamState, trades: Trade[], source: 'ws' | 'rest', recvTs: number): void {
    if (trades.length === 0) return;
    s.countRate(recvTs, trades.length);
    this.emit({ type: 'trades', symbol: s.symbol, trades, source });
    if (source === 'ws') this.addedLatency.push((performance.timeOrigin + performance.now()) * 1000 - recvTs);
  }

  private checkGap(s: StreamState): void {
    if (s.graceTimer !== undefined || s.backfilling || !s.seq.hasGap() || !this.running) return;
    s.graceTimer = setTimeout(() => {
      s.graceTimer = undefined;
      void this.backfill(s);
    }, this.opts.reorderGraceMs ?? 250);
  }

  private async backfill(s: StreamState): Promise<void> {
    const g = s.seq.gap();
    if (!g || !this.running) return;
    s.backfilling = true;
    s.gapsFound++;
    this.emit({ type: 'gap', symbol: s.symbol, from: g.from, to: g.to });
    let reason: string | undefined;
    try {
      const inst = this.opts.registry.get(this.feed.exchange, s.symbol);
      if (!this.feed.backfill) reason = 'no REST backfill for this feed';
      else if (!inst) reason = `unknown instrument ${this.feed.exchange}:${s.symbol}`;
      else {
        const trades = await this.feed.backfill({
          rest: this.rest,
          instrument: inst,
          from: g.from,
          to: g.to,
          signal: this.abort.signal,
          onBadRow: (r, raw) => this.badFrame(`REST row: ${r}`, raw),
        });
        if (!this.running) return;
        const needed = new Set<number>();
        for (const t of trades) if (s.seq.needs(t.id as number)) needed.add(t.id as number);
        s.backfilled += needed.size;
        this.deliver(s, s.seq.offer(trades), 'rest', (performance.timeOrigin + performance.now()) * 1000);
        reason = 'not served by REST';
      }
    } catch (e) {
      if (!this.running) return;
      reason = `REST failed: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      s.backfilling = false;
    }
    if (s.seq.next !== undefined && s.seq.next <= g.to) {
      const lostBefore = s.seq.lost;
      this.deliver(
        s,
        s.seq.giveUp(g.to, reason),
        'rest',
        (performance.timeOrigin + performance.now()) * 1000,
      );
      if (s.seq.lost > lostBefore) {
        s.gapsLost++;
        this.emit({ type: 'gapLost', symbol: s.symbol, from: g.from, to: g.to, reason });
      } else s.gapsFilled++;
    } else {
      s.gapsFilled++;
      this.emit({ type: 'gapFilled', symbol: s.symbol, from: g.from, to: g.to, filled: g.to - g.from + 1 });
    }
    this.checkGap(s);
  }
}
