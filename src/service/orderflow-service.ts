// The Order Flow Service: one source → store writer + live hub, the REST query service over the store, and the
// figures /health and /metrics report. The API layer (src/api) sits on top of it.

import { instrumentKey } from '../core/instrument.ts';
import { defaultConfig, type OrderFlowConfig } from '../core/config.ts';
import { DEFAULT_MARKETS } from '../core/instrument.ts';
import type { TradeStore } from '../store/port.ts';
import type { IndicatorInstance } from '../indicators/indicator-runner.ts';
import { loadIndicators } from '../indicators/indicator-config.ts';
import type { SignalOptions } from '../signals/signal-engine.ts';
import type { SignalJson } from '../signals/signal-view.ts';
import { WebhookAlerter } from '../signals/webhook-alerts.ts';
import type { SourceEvent, TradeSource } from '../sources/source.ts';
import { LiveHub, type Publisher } from './live-hub.ts';
import type { BarUpdate } from './stream-messages.ts';
import { QueryService } from './query-service.ts';
import { SourceMonitor } from './source-monitor.ts';
import { StoreWriter, DEFAULT_FLUSH_MS } from './store-writer.ts';

export interface OrderflowServiceOptions {
  readonly store: TradeStore;
  readonly source: TradeSource;
  readonly config?: OrderFlowConfig;
  readonly flushMs?: number;
  readonly log?: (msg: string) => void;
  /** Custom indicators; without them, start() loads config.indicators (module paths relative to configDir). */
  readonly indicators?: readonly IndicatorInstance[];
  /** Directory of the config file (default: the working directory). */
  readonly configDir?: string;
  /** Overrides config.alerts (tests). */
  readonly alerter?: WebhookAlerter;
}

/** Forwards hub messages to whoever streams them (the WebSocket streamer, once the API is up). */
class PublisherRelay implements Publisher {
  target: Publisher | undefined;
  publish(topic: string, payload: Buffer, coalesceKey?: string): void {
    this.target?.publish(topic, payload, coalesceKey);
  }
  publishBar(topic: string, coalesceKey: string, update: BarUpdate): void {
    this.target?.publishBar(topic, coalesceKey, update);
  }
}

export class OrderflowService {
  readonly store: TradeStore;
  readonly source: TradeSource;
  readonly config: OrderFlowConfig;
  readonly markets: Readonly<Record<string, readonly string[]>>;
  readonly writer: StoreWriter;
  readonly hub: LiveHub;
  readonly queries: QueryService;
  readonly monitor: SourceMonitor;
  readonly signalOptions: SignalOptions | undefined;
  private indicatorList: readonly IndicatorInstance[];
  private readonly configDir: string | undefined;
  readonly alerter: WebhookAlerter | undefined;
  readonly startedAt = Date.now();
  private readonly relay = new PublisherRelay();
  private readonly lastTs = new Map<string, number>();
  private readonly log: (msg: string) => void;
  sourceError: string | undefined;
  private running = false;

  constructor(o: OrderflowServiceOptions) {
    this.store = o.store;
    this.source = o.source;
    this.config = o.config ?? defaultConfig();
    this.markets = { ...DEFAULT_MARKETS, ...(this.config.markets ?? {}) };
    this.log = o.log ?? (() => {});
    // Zod's optional keys may hold undefined; SignalOptions (exact optional types) may not.
    this.signalOptions =
      this.config.signals === undefined
        ? undefined
        : Object.fromEntries(Object.entries(this.config.signals).filter(([, v]) => v !== undefined));
    this.indicatorList = o.indicators ?? [];
    this.configDir = o.indicators === undefined ? (o.configDir ?? '.') : undefined;
    const a = this.config.alerts;
    this.alerter =
      o.alerter ??
      (a === undefined
        ? undefined
        : new WebhookAlerter({
            url: a.webhookUrl,
            ...(a.headers === undefined ? {} : { headers: a.headers }),
            ...(a.cooldownMs === undefined ? {} : { cooldownMs: a.cooldownMs }),
            ...(a.maxAttempts === undefined ? {} : { maxAttempts: a.maxAttempts }),
            ...(a.timeoutMs === undefined ? {} : { timeoutMs: a.timeoutMs }),
          }));
    const alertKinds = a?.kinds === undefined ? undefined : new Set<string>(a.kinds);
    this.writer = new StoreWriter(
      o.store,
      (key, minTs, maxTs) => {
        this.queries.invalidate(key, minTs);
        if (maxTs > (this.lastTs.get(key) ?? -Infinity)) this.lastTs.set(key, maxTs);
      },
      o.flushMs ?? DEFAULT_FLUSH_MS,
      this.log,
    );
    this.queries = new QueryService({
      store: o.store,
      writer: this.writer,
      config: this.config,
      markets: this.markets,
      sourceKind: o.source.kind,
      lastTradeTs: (k) => this.lastTs.get(k),
    });
    this.hub = new LiveHub({
      store: o.store,
      writer: this.writer,
      config: this.config,
      markets: this.markets,
      sourceKind: o.source.kind,
      publisher: this.relay,
      ...(this.signalOptions === undefined ? {} : { signalOptions: this.signalOptions }),
      indicators: () => this.indicatorList,
      onSignal: (sig: SignalJson) => {
        if (this.alerter === undefined || (alertKinds !== undefined && !alertKinds.has(sig.kind))) return;
        this.alerter.send(sig).catch((e: unknown) => this.log(`webhook alert failed: ${String(e)}`));
      },
    });
    this.monitor = new SourceMonitor(o.source, this.log);
  }

  /** The custom indicators the signal routes and live channels compute (loaded by start()). */
  get indicators(): readonly IndicatorInstance[] {
    return this.indicatorList;
  }

  setPublisher(p: Publisher | undefined): void {
    this.relay.target = p;
  }

  get sourceKind(): TradeSource['kind'] {
    return this.source.kind;
  }

  /** Opens the store, registers the source's instruments and starts the source (a failing source is logged). */
  async start(): Promise<void> {
    if (this.running) return;
    // A bad indicator module is a config mistake: refuse to start rather than serve without it.
    if (this.configDir !== undefined && (this.config.indicators?.length ?? 0) > 0) {
      this.indicatorList = await loadIndicators(this.config.indicators, this.configDir);
    }
    await this.store.open();
    for (const i of this.source.instruments) {
      try {
        await this.writer.register(i);
      } catch (e) {
        this.log(`instrument ${i.exchange}:${i.symbol} not registered: ${(e as Error).message}`);
      }
    }
    for (const s of await this.store.stats({ maxGapRanges: 0 })) {
      if (s.lastTs !== null) this.lastTs.set(instrumentKey(s.exchange, s.symbol), s.lastTs);
    }
    this.writer.start();
    this.hub.start();
    this.running = true;
    try {
      await this.source.start((e) => this.onEvent(e));
      this.log(`source: ${this.source.description}`);
    } catch (e) {
      this.sourceError = e instanceof Error ? e.message : String(e);
      this.log(
        `source ${this.source.description} failed to start: ${this.sourceError}; serving stored history only`,
      );
    }
  }

  private onEvent(e: SourceEvent): void {
    this.monitor.observe(e);
    if (e.type !== 'trades' || e.trades.length === 0) return;
    this.writer.enqueue(e.instrument, e.trades);
    this.hub.onTrades(e.instrument, e.trades);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    try {
      await this.source.stop();
    } catch (e) {
      this.log(`source stop failed: ${(e as Error).message}`);
    }
    this.hub.stop();
    await this.writer.stop();
    await this.store.close();
  }

  health(): Record<string, unknown> {
    const s =
      this.sourceError === undefined
        ? this.monitor.status()
        : { status: 'degraded' as const, reason: `source failed: ${this.sourceError}` };
    return {
      status: s.status,
      ...(s.reason === undefined ? {} : { reason: s.reason }),
      source: {
        kind: this.source.kind,
        description: this.source.description,
        streams: this.monitor.toJSON(),
      },
      store: {
        queued_writes: this.writer.queuedTrades,
        written: this.writer.written,
        write_failures: this.writer.failures,
        dropped: this.writer.dropped,
        ...(this.writer.lastError === undefined ? {} : { last_error: this.writer.lastError }),
      },
      live: this.hub.counts,
      uptime_s: Math.round((Date.now() - this.startedAt) / 1000),
    };
  }

  /** Latest trade time per instrument as the service knows it (store + live writes). */
  lastTradeTimes(): ReadonlyMap<string, number> {
    return this.lastTs;
  }
}
