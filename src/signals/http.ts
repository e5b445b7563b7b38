// REST routes and the live feed for signals and custom indicators. The service registers the routes with
// `registerSignalRoutes(app, deps)` and feeds live trades to a `LiveSignalFeed`, which calls back with each
// signal (for WebSocket `signal` messages and webhook alerts) and each bar's indicator values.

import type { FastifyInstance } from 'fastify';
import type { AnalyticsParams } from '../core/params.ts';
import { parseTime } from '../core/time.ts';
import type { Trade } from '../core/trade.ts';
import type { FootprintBar } from '../engines/footprint.ts';
import type { IndicatorOutput } from '../indicators/indicator.ts';
import { IndicatorRunner, type IndicatorInstance } from '../indicators/indicator-runner.ts';
import { failure, success } from '../views/envelope.ts';
import { unitsFor } from '../views/units.ts';
import { closedBars } from './closed-bars.ts';
import { SIGNAL_KINDS, SignalEngine, type SignalKind, type SignalOptions } from './signal-engine.ts';
import { signalJson, type SignalJson } from './signal-view.ts';
import { TradeSignalStream } from './trade-signals.ts';

export interface SignalQuery {
  readonly timeframe?: string;
  /** µs, inclusive. */
  readonly from?: number;
  /** µs, exclusive. */
  readonly to?: number;
}

export interface LoadedTrades {
  /** Time-ordered trades of the range (for VOLUME/TICK_COUNT bars: from the daily anchor before it). */
  readonly trades: readonly Trade[];
  readonly params: AnalyticsParams;
  /** Symbol label of the body (`exchange:SYMBOL` or the market). */
  readonly symbol: string;
  readonly timeframe: string;
}

export interface SignalRouteDeps {
  /** Resolves the symbol and reads its trades (store or live buffer); throw OrderflowError for bad input. */
  load(symbol: string, q: SignalQuery): Promise<LoadedTrades>;
  readonly signalOptions?: SignalOptions;
  readonly indicators?: readonly IndicatorInstance[];
}

export interface SignalsBody {
  readonly symbol: string;
  readonly timeframe: string;
  readonly count: number;
  readonly signals: readonly SignalJson[];
}

/** Signals over history: the body of GET /api/v1/orderflow/signals/{symbol}. */
export function signalsBody(l: LoadedTrades, options: SignalOptions, q: SignalQuery): SignalsBody {
  const u = unitsFor(l.params.scale, l.params.rowTicks);
  const bars = closedBars(l.trades, l.params);
  const engine = new SignalEngine(l.params, options);
  const signals: SignalJson[] = [];
  for (const b of bars) {
    for (const e of engine.update(b)) {
      if (q.from !== undefined && b.start < q.from) continue;
      signals.push(signalJson(l.symbol, e, u));
    }
  }
  return { symbol: l.symbol, timeframe: l.timeframe, count: signals.length, signals };
}

/** Indicator values per bar over history: the body of GET /api/v1/orderflow/indicators/{symbol}. */
export function indicatorsBody(
  l: LoadedTrades,
  instances: readonly IndicatorInstance[],
  options: SignalOptions,
  q: SignalQuery,
): {
  symbol: string;
  timeframe: string;
  indicators: string[];
  bars: { bar_start: string; values: Record<string, IndicatorOutput> }[];
} {
  const u = unitsFor(l.params.scale, l.params.rowTicks);
  const runner = new IndicatorRunner(instances, l.params);
  const engine = new SignalEngine(l.params, options);
  const bars = closedBars(l.trades, l.params)
    .map((b) => ({ b, values: runner.update(b, engine.update(b)) }))
    .filter((x) => q.from === undefined || x.b.start >= q.from)
    .map((x) => ({ bar_start: u.time(x.b.start), values: x.values }));
  return { symbol: l.symbol, timeframe: l.timeframe, indicators: runner.names, bars };
}

function queryOf(raw: Record<string, unknown>): SignalQuery & { kinds?: SignalKind[] } {
  const str = (k: string): string | undefined => (typeof raw[k] === 'string' ? raw[k] : undefined);
  const from = str('start_time');
  const to = str('end_time');
  const tf = str('timeframe');
  const kindsText = str('kinds');
  let kinds: SignalKind[] | undefined;
  if (kindsText !== undefined) {
    kinds = kindsText.split(',').map((k) => k.trim()) as SignalKind[];
    const bad = kinds.filter((k) => !SIGNAL_KINDS.includes(k));
    if (bad.length > 0)
      throw Object.assign(
        new Error(`unknown signal kind(s) ${bad.join(', ')}; known: ${SIGNAL_KINDS.join(', ')}`),
        { code: 'INVALID_PARAMETER' },
      );
  }
  return {
    ...(tf === undefined ? {} : { timeframe: tf }),
    ...(from === undefined ? {} : { from: parseTime(from) }),
    ...(to === undefined ? {} : { to: parseTime(to) }),
    ...(kinds === undefined ? {} : { kinds }),
  };
}

const errorCode = (e: unknown): string =>
  typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
    ? e.code
    : 'INTERNAL_ERROR';

/** GET /api/v1/orderflow/signals/:symbol and GET /api/v1/orderflow/indicators/:symbol. */
export function registerSignalRoutes(app: FastifyInstance, deps: SignalRouteDeps): void {
  const handle = async (
    symbol: string,
    raw: Record<string, unknown>,
    reply: { code(n: number): unknown },
    body: (l: LoadedTrades, q: SignalQuery & { kinds?: SignalKind[] }) => unknown,
  ): Promise<unknown> => {
    try {
      const q = queryOf(raw);
      return success(body(await deps.load(symbol, q), q));
    } catch (e) {
      const code = errorCode(e);
      reply.code(code === 'INTERNAL_ERROR' ? 500 : code === 'NOT_FOUND' ? 404 : 400);
      return failure(code, (e as Error).message);
    }
  };
  app.get<{ Params: { symbol: string }; Querystring: Record<string, unknown> }>(
    '/api/v1/orderflow/signals/:symbol',
    async (req, reply) =>
      handle(req.params.symbol, req.query, reply, (l, q) =>
        signalsBody(l, { ...deps.signalOptions, ...(q.kinds === undefined ? {} : { kinds: q.kinds }) }, q),
      ),
  );
  app.get<{ Params: { symbol: string }; Querystring: Record<string, unknown> }>(
    '/api/v1/orderflow/indicators/:symbol',
    async (req, reply) =>
      handle(req.params.symbol, req.query, reply, (l, q) =>
        indicatorsBody(l, deps.indicators ?? [], deps.signalOptions ?? {}, q),
      ),
  );
}

/**
 * Live: feed a symbol's trades as they arrive; `onSignal` gets each signal as JSON (send it as the WS message
 * `encodeSignalMessage(s)` and to a WebhookAlerter), `onIndicators` each closed bar's indicator values.
 */
export class LiveSignalFeed {
  private readonly stream: TradeSignalStream;
  private readonly runner: IndicatorRunner | undefined;

  constructor(
    readonly symbol: string,
    params: AnalyticsParams,
    options: SignalOptions,
    indicators: readonly IndicatorInstance[],
    private readonly onSignal: (s: SignalJson) => void,
    private readonly onIndicators?: (bar: FootprintBar, values: Record<string, IndicatorOutput>) => void,
  ) {
    this.stream = new TradeSignalStream(params, options);
    this.runner = indicators.length > 0 ? new IndicatorRunner(indicators, params) : undefined;
    const u = unitsFor(params.scale, params.rowTicks);
    this.stream.onBar = (bar, signals) => {
      for (const s of signals) this.onSignal(signalJson(this.symbol, s, u));
      if (this.runner !== undefined) this.onIndicators?.(bar, this.runner.update(bar, signals));
    };
  }

  apply(t: Trade): void {
    this.stream.apply(t);
  }
}
