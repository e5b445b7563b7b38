// The live side of the service: source trades go to the store writer and to every market they belong to; each
// market keeps its open minutes and the channels (bar settings) clients subscribed to, and publishes ticks at once
// and coalescible footprint/delta/imbalance updates on a fixed cadence, each serialized once.
//
// Choices (docs/analytics-choices.md, "Order Flow Service"): a minute is final MINUTE_GRACE_US after its end in
// trade time; later trades for it stay out of the live view (stored, so REST has them). A market's current minute
// is seeded from the store when the market is first subscribed. `imbalance_detected` fires when a zone first
// appears (open bar included) and is not retracted.

import { instrumentKey, type Instrument } from '../core/instrument.ts';
import type { OrderFlowConfig } from '../core/config.ts';
import { incrementRatio } from '../core/decimal.ts';
import type { AnalyticsParams } from '../core/params.ts';
import { US_PER_MINUTE, formatTimeframe } from '../core/time.ts';
import type { Trade } from '../core/trade.ts';
import { lots, ticks } from '../core/units.ts';
import { anchorStart } from '../engines/bars.ts';
import { StackedZoneTracker } from '../engines/imbalance.ts';
import type { MinuteRollup, TradeStore } from '../store/port.ts';
import { minuteOf, minuteRollupsFromTrades } from '../store/rollups.ts';
import { storeFootprintBars } from '../query/store-queries.ts';
import { readTargetTrades, rollupOnGrid, type QueryTarget } from '../query/targets.ts';
import type { SourceKind } from '../sources/source.ts';
import { ApiError } from '../api/errors.ts';
import { CountChannel, RETAINED_BARS, TimeChannel } from './live-channels.ts';
import { OpenMinute } from './open-minute.ts';
import type { StoreWriter } from './store-writer.ts';
import {
  deltaUpdateMessage,
  FootprintUpdates,
  type BarUpdate,
  imbalanceMessage,
  snapshotMessage,
  tickMessage,
  type ChannelInfo,
} from './stream-messages.ts';
import { configWith, memberKeys, paramsFor, targetFor } from './targeting.ts';
import type { IndicatorInstance } from '../indicators/indicator-runner.ts';
import { LiveSignalFeed } from '../signals/http.ts';
import type { SignalOptions } from '../signals/signal-engine.ts';
import { encodeIndicatorMessage, encodeSignalMessage, type SignalJson } from '../signals/signal-view.ts';
import { formatTime } from '../core/time.ts';
import { SpreadMonitor, type SpreadOptions } from '../cross/cross-exchange.ts';
import { encodeCrossMessage, encodeCrossUpdate, spreadOptionsFromConfig } from '../cross/http.ts';
import { LiveCrossFeed } from '../cross/live-cross-feed.ts';
import { unitsFor } from '../views/units.ts';

/** A minute is final once the market's trade time is this far past its end (cross-exchange reordering). */
export const MINUTE_GRACE_US = 2_000_000;
/** Finalized minutes a market keeps for channels that are still seeding. */
export const FINALIZED_KEEP = 120;
/** Cadence of footprint/delta/imbalance updates. */
export const UPDATE_INTERVAL_MS = 100;
/**
 * Bytes of updates a channel sends each subscriber per second, at most: a big open bar (thousands of rows, e.g.
 * BTC at one tick per row) is then restated less often than every UPDATE_INTERVAL_MS — its latest state, never
 * a stale one — instead of crowding the tick stream out of every client's socket.
 */
export const CHANNEL_UPDATE_BYTES_PER_S = 64 * 1024;
/** Least time between two `tick` flushes: bounds the message rate (and sends) under bursts. */
export const TICK_MIN_INTERVAL_MS = 5;
/**
 * A flush and the pause after it last this many times the flush's fan-out (serializing and writing to every
 * subscriber's socket), so handing ticks out takes at most half of the event loop however many clients listen:
 * the cost of a socket write is per message, so a big audience gets fewer, bigger batches instead of falling
 * behind. (Three times kept 500 clients' batches ~11 ms apart, for a p99 of ~30 ms from exchange frame to client.)
 */
export const TICK_FANOUT_PERIOD_FACTOR = 2;
/** ... but flushes are never further apart than this: the most batching adds to a trade's latency. */
export const TICK_MAX_INTERVAL_MS = 40;
/** Trades a market holds for its next `tick` message; beyond that they are dropped from the stream (counted). */
export const TICK_BATCH_MAX = 20_000;
export const MAX_MARKETS = 64;
export const MAX_CHANNELS = 256;

const HIGHEST = Number.MAX_SAFE_INTEGER;

/** Where serialized messages go: a topic per market (ticks) and per channel (bars, delta, zones). */
export interface Publisher {
  /** `coalesceKey`: a newer message with the same key replaces an unsent older one for slow clients. */
  publish(topic: string, payload: Buffer, coalesceKey?: string): void;
  /** A bar's update: its changed cells to subscribers that got the bar's previous update, the full bar to others. */
  publishBar(topic: string, coalesceKey: string, update: BarUpdate): void;
}

export interface SubscribeRequest {
  readonly symbol: string;
  readonly exchange?: string;
  /** OrderFlowConfig overrides (timePerRow, tickAggregationMethod, priceTickSize, ...). */
  readonly config: Record<string, unknown>;
}

export interface Subscription {
  readonly channelKey: string;
  readonly tickTopic: string;
  readonly channelTopic: string;
  readonly info: ChannelInfo;
}

interface ChannelState {
  readonly key: string;
  readonly info: ChannelInfo;
  readonly params: AnalyticsParams;
  readonly live: TimeChannel | CountChannel;
  readonly zones: StackedZoneTracker;
  readonly reported: Set<string>;
  subscribers: number;
  seeding: boolean;
  buffered: Trade[];
  ready: Promise<void>;
  snapshot: Buffer | undefined;
  /** clockMs() before which the channel's next updates wait (CHANNEL_UPDATE_BYTES_PER_S). */
  nextUpdateAt: number;
  /** Closed bars → signals (and custom indicator values) of this channel's bar settings, fed every live trade. */
  readonly signals: LiveSignalFeed;
  /** Multi-venue TIME channels: each closed bar's per-venue flow (`cross_update`). */
  readonly cross: ((t: Trade) => void) | undefined;
  /** What the channel last published of its recent bars (footprint updates carry the changed cells). */
  readonly barUpdates: FootprintUpdates;
}

const tradeKey = (t: Trade): string => `${t.exchange}:${t.symbol}:${t.id}`;

class MarketLive {
  readonly open = new Map<number, OpenMinute>();
  readonly finalized: MinuteRollup[] = [];
  lastFinal = -Infinity;
  maxTs = -Infinity;
  readonly channels = new Map<string, ChannelState>();
  pendingTicks: Trade[] = [];
  ticksDropped = 0;
  lateDropped = 0;
  offGrid = 0;
  dirty = false;
  warming = true;
  buffered: Trade[] = [];
  ready: Promise<void> = Promise.resolve();
  private readonly factors = new Map<string, { price: number; qty: number } | null>();
  /** Markets of several venues watch their cross-venue spread (live `arbitrage_opportunity` messages). */
  spread: SpreadMonitor | undefined;

  constructor(
    readonly key: string,
    readonly target: QueryTarget,
    readonly tickParams: AnalyticsParams,
  ) {}

  /** Trades of one instrument put on the market grid (trades that do not fit are counted and left out). */
  onGrid(instrument: Instrument, trades: readonly Trade[]): Trade[] {
    const k = instrumentKey(instrument.exchange, instrument.symbol);
    let f = this.factors.get(k);
    if (f === undefined) {
      const price = incrementRatio(instrument.price, this.target.scale.price);
      const qty = incrementRatio(instrument.qty, this.target.scale.qty);
      f = price === undefined || qty === undefined ? null : { price, qty };
      this.factors.set(k, f);
    }
    if (f === null) {
      this.offGrid += trades.length;
      return [];
    }
    if (f.price === 1 && f.qty === 1) return trades as Trade[];
    const { price, qty } = f;
    return trades.map((t) => ({ ...t, price: ticks(t.price * price), qty: lots(t.qty * qty) }));
  }

  openRollups(): MinuteRollup[] {
    return [...this.open.values()].sort((a, b) => a.minute - b.minute).map((m) => m.rollup());
  }

  /** The earliest minute not final yet. */
  firstOpenMinute(fallbackNow: number): number {
    let first = Infinity;
    for (const m of this.open.keys()) if (m < first) first = m;
    if (first !== Infinity) return first;
    if (this.lastFinal !== -Infinity) return this.lastFinal + US_PER_MINUTE;
    return minuteOf(fallbackNow) + US_PER_MINUTE;
  }

  ingest(trades: readonly Trade[], withTicks: boolean): void {
    if (trades.length === 0) return;
    if (this.warming) {
      for (const t of trades) this.buffered.push(t);
      return;
    }
    for (const t of trades) {
      const m = minuteOf(t.ts);
      if (m <= this.lastFinal) this.lateDropped++;
      else {
        let om = this.open.get(m);
        if (om === undefined) this.open.set(m, (om = new OpenMinute(m)));
        om.add(t);
      }
      if (t.ts > this.maxTs) this.maxTs = t.ts;
    }
    if (withTicks) {
      if (this.pendingTicks.length + trades.length > TICK_BATCH_MAX) this.ticksDropped += trades.length;
      else for (const t of trades) this.pendingTicks.push(t);
    }
    for (const ch of this.channels.values()) {
      for (const t of trades) ch.signals.apply(t);
      if (ch.cross !== undefined) for (const t of trades) ch.cross(t);
      if (ch.live instanceof CountChannel) {
        if (ch.seeding) for (const t of trades) ch.buffered.push(t);
        else ch.live.add(trades);
      } else ch.live.touch();
    }
    this.dirty = true;
    this.finalizeMinutes();
  }

  private finalizeMinutes(): void {
    const due = [...this.open.keys()]
      .filter((m) => m + US_PER_MINUTE + MINUTE_GRACE_US <= this.maxTs)
      .sort((a, b) => a - b);
    for (const m of due) {
      const r = this.open.get(m)!.rollup();
      this.open.delete(m);
      this.lastFinal = m;
      this.finalized.push(r);
      if (this.finalized.length > FINALIZED_KEEP) this.finalized.shift();
      for (const ch of this.channels.values()) {
        if (ch.live instanceof TimeChannel && !ch.seeding) ch.live.minuteFinalized(r);
      }
    }
  }
}

export interface LiveHubOptions {
  readonly store: TradeStore;
  readonly writer: StoreWriter;
  readonly config: OrderFlowConfig;
  readonly markets: Readonly<Record<string, readonly string[]>>;
  readonly sourceKind: SourceKind;
  readonly publisher: Publisher;
  /** Wall clock, µs (only where no trade time exists yet). */
  readonly nowUs?: () => number;
  readonly signalOptions?: SignalOptions;
  /** Read when a channel is created (the service loads them at start). */
  readonly indicators?: () => readonly IndicatorInstance[];
  /** Options of the live cross-venue spread monitor of multi-venue markets (default: the config's `cross`). */
  readonly spread?: SpreadOptions;
  /** Every live signal of every channel, after it is published (webhook alerts). */
  readonly onSignal?: (s: SignalJson) => void;
}

export class LiveHub {
  private readonly markets = new Map<string, MarketLive>();
  private readonly pendingMarkets = new Map<string, Promise<MarketLive>>();
  private readonly byInstrument = new Map<string, Set<MarketLive>>();
  private readonly channelIndex = new Map<string, { market: MarketLive; ch: ChannelState }>();
  private tickScheduled = false;
  private lastTickFlush = 0;
  /** Wall time of the last flush's fan-out, socket writes included (ms). */
  private lastFanoutMs = 0;
  /** Footprint/delta updates wait for the pending tick flush, so both reach a client in one socket write. */
  private updatesDue = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly nowUs: () => number;
  /** Monotonic ms of the update pacing (replaceable in tests). */
  clockMs: () => number = () => performance.now();
  publishedUpdates = 0;
  publishedTicks = 0;
  publishedSignals = 0;
  publishedCrossUpdates = 0;

  constructor(private readonly o: LiveHubOptions) {
    this.nowUs = o.nowUs ?? (() => Date.now() * 1000);
  }

  start(): void {
    this.timer ??= setInterval(() => {
      if (this.tickScheduled) this.updatesDue = true;
      else this.publishUpdates();
    }, UPDATE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  get counts(): { markets: number; channels: number } {
    return { markets: this.markets.size, channels: this.channelIndex.size };
  }

  stats(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const m of this.markets.values()) {
      out[m.key] = {
        channels: m.channels.size,
        open_minutes: m.open.size,
        ticks_dropped: m.ticksDropped,
        late_trades_outside_live_window: m.lateDropped,
        off_grid_trades: m.offGrid,
      };
    }
    return out;
  }

  /** Trades of one instrument from the source (already enqueued for the store by the caller). */
  onTrades(instrument: Instrument, trades: readonly Trade[]): void {
    const markets = this.byInstrument.get(instrumentKey(instrument.exchange, instrument.symbol));
    if (markets === undefined) return;
    for (const m of markets) {
      const onGrid = m.onGrid(instrument, trades);
      m.ingest(onGrid, true);
      if (m.spread !== undefined) {
        const u = unitsFor(m.tickParams.scale, 1);
        for (const t of onGrid) {
          for (const o of m.spread.apply(t))
            this.o.publisher.publish(`tick:${m.key}`, encodeCrossMessage(m.target.label, o, u));
        }
      }
    }
    this.scheduleTicks();
  }

  private scheduleTicks(): void {
    if (this.tickScheduled) return;
    this.tickScheduled = true;
    // End of this turn of the event loop (everything that arrived together goes out as one batch), and no sooner
    // than the period the last fan-out asks for.
    const period = Math.min(
      TICK_MAX_INTERVAL_MS,
      Math.max(TICK_MIN_INTERVAL_MS, TICK_FANOUT_PERIOD_FACTOR * this.lastFanoutMs),
    );
    const wait = this.lastTickFlush + period - performance.now();
    const run = (): void => {
      this.tickScheduled = false;
      const t0 = performance.now();
      this.lastTickFlush = t0;
      for (const m of this.markets.values()) {
        if (m.pendingTicks.length === 0) continue;
        const trades = m.pendingTicks;
        m.pendingTicks = [];
        this.o.publisher.publish(
          `tick:${m.key}`,
          tickMessage(m.target.label, trades, m.tickParams, this.o.sourceKind),
        );
        this.publishedTicks++;
      }
      if (this.updatesDue) {
        this.updatesDue = false;
        this.publishUpdates();
      }
      // Queued after the publisher's own end-of-turn writes, so this measures them too.
      process.nextTick(() => {
        this.lastFanoutMs = performance.now() - t0;
      });
    };
    if (wait > 0) setTimeout(run, wait);
    else setImmediate(run);
  }

  private lastTs(target: QueryTarget, fallback: number): number {
    const m = this.markets.get(target.label);
    return m !== undefined && m.maxTs !== -Infinity ? m.maxTs : fallback;
  }

  private async market(target: QueryTarget, key: string): Promise<MarketLive> {
    const have = this.markets.get(key);
    if (have !== undefined) {
      await have.ready;
      return have;
    }
    const pending = this.pendingMarkets.get(key);
    if (pending !== undefined) return pending;
    if (this.markets.size >= MAX_MARKETS) {
      throw new ApiError('SERVICE_UNAVAILABLE', `the stream serves at most ${MAX_MARKETS} markets at once`);
    }
    const p = this.createMarket(target, key);
    this.pendingMarkets.set(key, p);
    try {
      return await p;
    } finally {
      this.pendingMarkets.delete(key);
    }
  }

  private async createMarket(target: QueryTarget, key: string): Promise<MarketLive> {
    const m = new MarketLive(key, target, paramsFor(this.o.config, target));
    if (target.members.length > 1)
      m.spread = new SpreadMonitor(this.o.spread ?? spreadOptionsFromConfig(this.o.config.cross), (t) =>
        instrumentKey(t.exchange, t.symbol),
      );
    this.markets.set(key, m);
    for (const k of memberKeys(target)) {
      let set = this.byInstrument.get(k);
      if (set === undefined) this.byInstrument.set(k, (set = new Set()));
      set.add(m);
    }
    // The current minute so far comes from the store; trades arriving meanwhile wait in m.buffered.
    const warm = (async () => {
      await this.o.writer.flush();
      const stats = await this.o.store.stats({ maxGapRanges: 0 });
      const keys = new Set(memberKeys(target));
      const last = Math.max(
        -Infinity,
        ...stats
          .filter((s) => keys.has(`${s.exchange}:${s.symbol}`) && s.lastTs !== null)
          .map((s) => s.lastTs!),
      );
      const from = last === -Infinity ? minuteOf(this.nowUs()) : minuteOf(last) - US_PER_MINUTE;
      const stored = await readTargetTrades(this.o.store, target, from, HIGHEST);
      const seen = new Set(stored.map(tradeKey));
      const buffered = m.buffered;
      m.buffered = [];
      m.warming = false;
      m.ingest(stored, false);
      m.ingest(
        buffered.filter((t) => !seen.has(tradeKey(t))),
        false,
      );
    })();
    m.ready = warm;
    try {
      await warm;
    } catch (e) {
      this.dropMarket(m);
      throw e;
    }
    return m;
  }

  private dropMarket(m: MarketLive): void {
    this.markets.delete(m.key);
    for (const k of memberKeys(m.target)) {
      const set = this.byInstrument.get(k);
      set?.delete(m);
      if (set?.size === 0) this.byInstrument.delete(k);
    }
  }

  /** A channel's signal feed: each signal and indicator update is serialized once for the channel's topic. */
  private signalFeed(symbol: string, topic: string, p: AnalyticsParams): LiveSignalFeed {
    return new LiveSignalFeed(
      symbol,
      p,
      this.o.signalOptions ?? {},
      this.o.indicators?.() ?? [],
      (sig) => {
        this.o.publisher.publish(topic, encodeSignalMessage(sig));
        this.publishedSignals++;
        this.o.onSignal?.(sig);
      },
      (bar, values) =>
        this.o.publisher.publish(topic, encodeIndicatorMessage(symbol, formatTime(bar.start), values)),
    );
  }

  /** A channel's per-venue flow: each closed bar is serialized once as `cross_update` for the channel's topic. */
  private crossFeed(
    target: QueryTarget,
    timeframe: string,
    topic: string,
    p: AnalyticsParams,
  ): (t: Trade) => void {
    const venues = memberKeys(target);
    const u = unitsFor(p.scale, p.rowTicks);
    const feed = new LiveCrossFeed(venues, p, (t) => instrumentKey(t.exchange, t.symbol));
    return (t) => {
      const bar = feed.apply(t);
      if (bar === undefined) return;
      this.o.publisher.publish(topic, encodeCrossUpdate(target.label, timeframe, venues, bar, u));
      this.publishedCrossUpdates++;
    };
  }

  /** Resolves (and seeds, once) the channel of a request and counts one more subscriber. */
  async subscribe(req: SubscribeRequest): Promise<Subscription> {
    const target = await targetFor(this.o.store, req.symbol, this.o.markets, req.exchange);
    const cfg = configWith(this.o.config, req.config);
    const p = paramsFor(cfg, target);
    const marketKey = req.exchange === undefined ? target.label : `${target.label}@${req.exchange}`;
    const size =
      p.bars.aggregation === 'TIME'
        ? `${p.bars.timeframeUs}`
        : p.bars.aggregation === 'VOLUME'
          ? `${p.bars.volumePerBarLots}`
          : `${p.bars.ticksPerBar}`;
    const key = `${marketKey}|${p.bars.aggregation}|${size}|${p.rowTicks}`;
    const market = await this.market(target, marketKey);
    let ch = market.channels.get(key);
    if (ch === undefined) {
      if (this.channelIndex.size >= MAX_CHANNELS) {
        throw new ApiError(
          'SERVICE_UNAVAILABLE',
          `the stream serves at most ${MAX_CHANNELS} channels at once`,
        );
      }
      if (p.bars.aggregation === 'TIME' && p.bars.timeframeUs % US_PER_MINUTE !== 0) {
        throw new ApiError(
          'INVALID_PARAMETER',
          "'timeframe': live TIME bars must be a whole number of minutes",
        );
      }
      const info: ChannelInfo = {
        channel: 'orderflow',
        symbol: target.label,
        timeframe: p.bars.aggregation === 'TIME' ? formatTimeframe(p.bars.timeframeUs) : cfg.timePerRow,
        aggregation: p.bars.aggregation,
        price_tick_size: (p.rowTicks * target.scale.price.mantissa) / 10 ** target.scale.price.decimals,
        ...(req.exchange === undefined ? {} : { exchange: req.exchange }),
      };
      const live = p.bars.aggregation === 'TIME' ? new TimeChannel(key, p) : new CountChannel(key, p);
      const state: ChannelState = {
        key,
        info,
        params: p,
        live,
        zones: new StackedZoneTracker(p.imbalance),
        reported: new Set(),
        subscribers: 0,
        seeding: true,
        buffered: [],
        ready: Promise.resolve(),
        snapshot: undefined,
        nextUpdateAt: 0,
        signals: this.signalFeed(target.label, `ch:${key}`, p),
        cross:
          target.members.length > 1 && p.bars.aggregation === 'TIME'
            ? this.crossFeed(target, info.timeframe, `ch:${key}`, p)
            : undefined,
        barUpdates: new FootprintUpdates(),
      };
      market.channels.set(key, state);
      this.channelIndex.set(key, { market, ch: state });
      state.ready = this.seed(market, state).catch((e: unknown) => {
        market.channels.delete(key);
        this.channelIndex.delete(key);
        throw e;
      });
      ch = state;
    }
    ch.subscribers++;
    try {
      await ch.ready;
    } catch (e) {
      ch.subscribers--;
      throw e;
    }
    return { channelKey: key, tickTopic: `tick:${marketKey}`, channelTopic: `ch:${key}`, info: ch.info };
  }

  private async seed(market: MarketLive, ch: ChannelState): Promise<void> {
    const p = ch.params;
    const target = market.target;
    await this.o.writer.flush();
    const now = this.lastTs(target, this.nowUs());
    if (ch.live instanceof TimeChannel) {
      const tf = p.bars.timeframeUs;
      const f = market.firstOpenMinute(now);
      const fBar = Math.floor(f / tf) * tf;
      const openBar = Math.floor(Math.max(f - 1, now) / tf) * tf;
      const windowStart = Math.max(0, openBar - (RETAINED_BARS - 1) * tf);
      const closed =
        windowStart < fBar
          ? await storeFootprintBars(this.o.store, target, p, { from: windowStart, to: fBar })
          : [];
      const rollups = fBar < f ? await this.targetRollups(target, fBar, f) : [];
      ch.live.seedClosed(closed);
      for (const r of rollups) ch.live.minuteFinalized(r);
      for (const r of market.finalized) if (r.minute >= f) ch.live.minuteFinalized(r);
    } else {
      const trades = await readTargetTrades(this.o.store, target, anchorStart(now, p.bars.anchorUs), HIGHEST);
      const seen = new Set(trades.map(tradeKey));
      ch.live.add(trades);
      ch.live.add(ch.buffered.filter((t) => !seen.has(tradeKey(t))));
      ch.buffered = [];
    }
    ch.seeding = false;
    const open = market.openRollups();
    for (const b of ch.live.bars(open)) ch.zones.update(b);
    for (const z of ch.zones.activeZones()) ch.reported.add(`${z.barStart}|${z.side}|${z.lowRow}`);
    ch.live.takeChanged(open);
  }

  /** Minute rollups of the target on its grid, exact for markets of several instruments (built from ticks). */
  private async targetRollups(target: QueryTarget, from: number, to: number): Promise<MinuteRollup[]> {
    if (target.members.length === 1) {
      const m = target.members[0]!;
      const rs = await this.o.store.readMinuteRollups(m.instrument.exchange, m.instrument.symbol, from, to);
      return rs.map((r) => rollupOnGrid(r, m));
    }
    return minuteRollupsFromTrades(await readTargetTrades(this.o.store, target, from, to));
  }

  /** The channel's current state as a `snapshot` message (cached until the next update). */
  snapshot(channelKey: string): Buffer | undefined {
    const at = this.channelIndex.get(channelKey);
    if (at === undefined) return undefined;
    const { market, ch } = at;
    ch.snapshot ??= snapshotMessage(
      ch.info,
      ch.live.bars(market.openRollups()),
      ch.params,
      this.o.sourceKind,
    );
    return ch.snapshot;
  }

  release(channelKey: string): void {
    const at = this.channelIndex.get(channelKey);
    if (at === undefined) return;
    const { market, ch } = at;
    if (--ch.subscribers > 0) return;
    market.channels.delete(channelKey);
    this.channelIndex.delete(channelKey);
    if (market.channels.size === 0) this.dropMarket(market);
  }

  /** Publishes changed bars, new stacked zones and the delta state of every channel; called on the cadence. */
  publishUpdates(): void {
    const now = this.clockMs();
    for (const m of this.markets.values()) {
      if (m.warming) continue;
      const open = m.openRollups();
      for (const ch of m.channels.values()) {
        // Changes accumulate in the channel until its byte pacing lets the next update out.
        if (ch.seeding || now < ch.nextUpdateAt) continue;
        const changed = ch.live.takeChanged(open);
        if (changed.length === 0) continue;
        ch.snapshot = undefined;
        const topic = `ch:${ch.key}`;
        const kind = this.o.sourceKind;
        let bytes = 0;
        const send = (payload: Buffer, coalesceKey?: string): void => {
          bytes += payload.length;
          this.o.publisher.publish(topic, payload, coalesceKey);
        };
        for (const bar of changed) {
          const u = ch.barUpdates.next(ch.info, bar, ch.params, kind);
          // paced by what subscribers that keep up get
          bytes += (u.cells ?? u.full()).length;
          this.o.publisher.publishBar(topic, `fp:${bar.start}`, u);
          if (!ch.params.imbalance.enabled) continue;
          for (const z of ch.zones.update(bar)) {
            const zk = `${z.barStart}|${z.side}|${z.lowRow}`;
            if (ch.reported.has(zk)) continue;
            ch.reported.add(zk);
            send(imbalanceMessage(ch.info, z, ch.params, kind));
          }
        }
        const bars = ch.live.bars(open);
        const oldest = bars[0]?.start;
        if (oldest !== undefined) {
          ch.zones.dropBefore(oldest);
          if (ch.reported.size > 4 * RETAINED_BARS) {
            for (const k of ch.reported) if (Number(k.split('|')[0]) < oldest) ch.reported.delete(k);
          }
        }
        send(deltaUpdateMessage(ch.info, bars, ch.params, kind), 'delta');
        this.publishedUpdates++;
        const pace = (bytes / CHANNEL_UPDATE_BYTES_PER_S) * 1000;
        ch.nextUpdateAt = pace > UPDATE_INTERVAL_MS ? now + pace : 0;
      }
      m.dirty = false;
    }
  }
}
