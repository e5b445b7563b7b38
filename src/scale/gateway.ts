// The gateway role: the single-process API/WS service (src/service, src/api) run statelessly over the PostgreSQL
// store and the workers' NATS updates. Several gateways can run side by side; none writes: the workers own the store.

import type { Subscription } from 'nats';
import { defaultConfig, type OrderFlowConfig } from '../core/config.ts';
import { instrumentKey, type Instrument } from '../core/instrument.ts';
import type { Trade } from '../core/trade.ts';
import { startServer, type RunningServer } from '../api/app.ts';
import { OrderflowService } from '../service/orderflow-service.ts';
import type { ServiceConfig } from '../service/service-config.ts';
import type { SourceEvent, TradeSource } from '../sources/source.ts';
import type { InsertResult, TradeStore } from '../store/port.ts';
import { PostgresTradeStore } from '../store/postgres-store.ts';
import { connectBus, decodeJson, fetchInstrument, tradeOfWire, type Bus, type TradeUpdate } from './bus.ts';
import type { ScaleConfig } from './scale-config.ts';

/**
 * The store as a gateway sees it: reads go to PostgreSQL; writes are no-ops, because every trade the gateway hears
 * of was committed by a worker before it was published. (The service's writer still "writes" them, which is what
 * invalidates its query cache at the right time.)
 */
export class CommittedTradesStore implements TradeStore {
  constructor(readonly inner: TradeStore) {}
  open(): Promise<void> {
    return this.inner.open();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  upsertInstrument(): Promise<void> {
    return Promise.resolve();
  }
  getInstrument(exchange: string, symbol: string): Promise<Instrument | undefined> {
    return this.inner.getInstrument(exchange, symbol);
  }
  listInstruments(): Promise<Instrument[]> {
    return this.inner.listInstruments();
  }
  insertTrades(_exchange: string, _symbol: string, trades: readonly Trade[]): Promise<InsertResult> {
    return Promise.resolve({ inserted: trades.length, duplicates: 0 });
  }
  readTrades(exchange: string, symbol: string, fromUs: number, toUs: number): Promise<Trade[]> {
    return this.inner.readTrades(exchange, symbol, fromUs, toUs);
  }
  iterateTrades(
    exchange: string,
    symbol: string,
    fromUs: number,
    toUs: number,
    batchSize?: number,
  ): AsyncIterable<Trade[]> {
    return this.inner.iterateTrades(exchange, symbol, fromUs, toUs, batchSize);
  }
  readMinuteRollups(exchange: string, symbol: string, fromUs: number, toUs: number, rowTicks?: number) {
    return this.inner.readMinuteRollups(exchange, symbol, fromUs, toUs, rowTicks);
  }
  stats(options?: Parameters<TradeStore['stats']>[0]) {
    return this.inner.stats(options);
  }
}

/** The workers' update subjects as a TradeSource: exactly the committed, first-time-stored trades, in commit order. */
export class NatsUpdateSource implements TradeSource {
  readonly kind = 'live' as const;
  readonly description: string;
  private sub: Subscription | undefined;
  private readonly instrumentOf = new Map<string, Promise<Instrument | undefined>>();
  private chain: Promise<void> = Promise.resolve();
  private received = 0;
  private unknown = 0;

  constructor(
    private readonly bus: Bus,
    readonly instruments: readonly Instrument[],
  ) {
    this.description = `nats updates ${bus.prefix}.updates.> on ${bus.config.nats.servers.join(',')}`;
    for (const i of instruments)
      this.instrumentOf.set(instrumentKey(i.exchange, i.symbol), Promise.resolve(i));
  }

  start(sink: (e: SourceEvent) => void): Promise<void> {
    this.sub = this.bus.nc.subscribe(`${this.bus.prefix}.updates.>`, {
      callback: (err, msg) => {
        if (err !== null) return;
        let u: TradeUpdate;
        try {
          u = decodeJson(msg.data) as TradeUpdate;
        } catch (e) {
          sink({ type: 'bad', stream: msg.subject, reason: (e as Error).message, raw: '' });
          return;
        }
        const key = instrumentKey(u.exchange, u.symbol);
        let inst = this.instrumentOf.get(key);
        if (inst === undefined) {
          inst = fetchInstrument(this.bus, u.exchange, u.symbol).catch(() => undefined);
          this.instrumentOf.set(key, inst);
        }
        const p = inst;
        // One chain keeps the commit order even while a new instrument's scale is looked up.
        this.chain = this.chain
          .then(async () => {
            const i = await p;
            const trades = u.trades.map(tradeOfWire).filter((t): t is Trade => typeof t !== 'string');
            this.received += trades.length;
            if (i === undefined) {
              this.unknown += trades.length;
              return;
            }
            sink({ type: 'trades', instrument: i, trades });
          })
          .catch(() => undefined);
      },
    });
    sink({ type: 'status', stream: 'nats', state: 'connected' });
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.sub?.unsubscribe();
    await this.chain;
  }

  stats(): Record<string, unknown> {
    return { received: this.received, unknownInstrument: this.unknown };
  }
}

export interface GatewayOptions {
  readonly scale: ScaleConfig;
  readonly settings: ServiceConfig;
  readonly config?: OrderFlowConfig;
  readonly log?: (msg: string) => void;
}

export interface RunningGateway {
  readonly service: OrderflowService;
  readonly server: RunningServer;
  readonly bus: Bus;
  readonly store: PostgresTradeStore;
  close(): Promise<void>;
}

/** Starts the service's REST/WS API over PostgreSQL (read-only) and the NATS update feed. */
export async function startGateway(o: GatewayOptions): Promise<RunningGateway> {
  const log = o.log ?? (() => {});
  const store = new PostgresTradeStore({
    connectionString: o.scale.postgres.url,
    schema: o.scale.postgres.schema,
    poolSize: o.scale.postgres.poolSize,
    readOnly: true,
  });
  const bus = await connectBus(o.scale, 'orderflow-gateway');
  await store.open();
  const instruments = await store.listInstruments();
  await store.close();
  const source = new NatsUpdateSource(bus, instruments);
  const service = new OrderflowService({
    store: new CommittedTradesStore(store),
    source,
    config: o.config ?? defaultConfig(),
    log,
  });
  await service.start();
  const server = await startServer(service, { settings: o.settings, log });
  return {
    service,
    server,
    bus,
    store,
    close: async () => {
      await server.close();
      await service.stop();
      await bus.close();
    },
  };
}
