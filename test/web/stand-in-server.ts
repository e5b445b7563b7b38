// A stand-in for the order-flow service in the UI's browser tests and frame-time benchmark: the same REST paths
// and bodies (built by src/cli/analysis.ts, which the service uses too), the same WebSocket message format
// (footprint_update = {channel info, bar, bars} as src/service/stream-messages.ts), and web/dist served at `/`.
// Real trades from ../shared/data are replayed under the test's control (`advance`), so live updates are exact.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseConfig, type OrderFlowConfigInput } from '../../src/core/config.ts';
import { resolveParams, type AnalyticsParams } from '../../src/core/params.ts';
import { parseTime } from '../../src/core/time.ts';
import type { Trade } from '../../src/core/trade.ts';
import type { Scale } from '../../src/core/instrument.ts';
import type { PriceTicks, QtyLots, UnixMicros } from '../../src/core/units.ts';
import {
  deltaQuery,
  footprintBars,
  footprintQuery,
  metricsQuery,
  profileQuery,
  type QueryRange,
} from '../../src/cli/analysis.ts';
import { stackedImbalanceZones } from '../../src/engines/imbalance.ts';
import { readTradeFile } from '../../src/sources/files/read-trade-file.ts';
import { footprintBody } from '../../src/views/footprint-view.ts';
import { failure } from '../../src/views/envelope.ts';
import { unitsFor } from '../../src/views/units.ts';

export interface MarketFeed {
  readonly scale: Scale;
  /** Every trade of the recording, in time order. */
  readonly all: readonly Trade[];
  /** How many of them the service has "received" so far. */
  cursor: number;
}

interface ClientSub {
  readonly ws: WebSocket;
  readonly symbol: string;
  readonly config: OrderFlowConfigInput;
  readonly timeframe: string;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

/** REST/WS parameter → config field (the service's names). */
const PARAM_FIELDS: Record<string, { field: keyof OrderFlowConfigInput; int?: boolean }> = {
  timeframe: { field: 'timePerRow' },
  aggregation: { field: 'tickAggregationMethod' },
  ticks_per_row: { field: 'ticksPerRow', int: true },
  price_tick_size: { field: 'priceTickSize' },
  volume_per_bar: { field: 'volumePerBar' },
  ticks_per_bar: { field: 'ticksPerBar', int: true },
};

function configOf(q: Record<string, unknown>): OrderFlowConfigInput {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(q)) {
    const f = PARAM_FIELDS[k];
    if (f === undefined || v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string' && typeof v !== 'number') continue;
    out[f.field] = f.int ? Number(v) : String(v);
  }
  return out;
}

export class StandInServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly subs = new Set<ClientSub>();
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Benchmark load: footprint updates only, recomputing just the open TIME bar. */
  lite = false;
  /** Messages sent, by type (tests wait on them). */
  readonly sent = new Map<string, number>();

  constructor(
    readonly markets: Map<string, MarketFeed>,
    private readonly webDir: string,
  ) {
    this.http = createServer((req, res) => {
      this.route(req, res).catch((e: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify(failure('INTERNAL', e instanceof Error ? e.message : String(e))));
      });
    });
    this.wss = new WebSocketServer({ server: this.http, path: '/ws/orderflow' });
    this.wss.on('connection', (ws) => this.onConnection(ws));
  }

  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.http.listen(port, '127.0.0.1', resolve));
    const a = this.http.address();
    if (a === null || typeof a === 'string') throw new Error('no address');
    return `http://127.0.0.1:${a.port}`;
  }

  async close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
    await new Promise<void>((r) => this.http.close(() => r()));
  }

  visible(symbol: string): readonly Trade[] {
    const m = this.market(symbol);
    return m.all.slice(0, m.cursor);
  }

  private market(symbol: string): MarketFeed {
    const m = this.markets.get(symbol.toUpperCase());
    if (m === undefined)
      throw Object.assign(new Error(`unknown symbol '${symbol}'`), { code: 'UNKNOWN_SYMBOL' });
    return m;
  }

  params(symbol: string, cfg: OrderFlowConfigInput): AnalyticsParams {
    const m = this.market(symbol);
    return resolveParams(parseConfig({ ...cfg, symbol }), m.scale);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const m = /^\/api\/v1\/orderflow\/(footprint|volume-profile|delta|metrics)\/([^/]+)$/.exec(url.pathname);
    if (m !== null) {
      const [, endpoint, rawSymbol] = m as unknown as [string, string, string];
      const symbol = decodeURIComponent(rawSymbol);
      const q = Object.fromEntries(url.searchParams);
      try {
        json(200, this.answer(endpoint, symbol, q));
      } catch (e) {
        const code = (e as { code?: string }).code ?? 'INVALID_PARAMETER';
        json(
          code === 'UNKNOWN_SYMBOL' ? 404 : 400,
          failure(code, e instanceof Error ? e.message : String(e)),
        );
      }
      return;
    }
    if (url.pathname === '/health') {
      json(200, {
        status: 'ok',
        source: 'replay',
        completeness: { 'binance:BTCUSDT': { status: 'complete', gaps: 0 } },
      });
      return;
    }
    await this.serveStatic(url.pathname, res);
  }

  /** The REST body of an endpoint, from the trades received so far. */
  answer(endpoint: string, symbol: string, q: Record<string, string>): unknown {
    const trades = this.visible(symbol);
    const p = this.params(symbol, configOf(q));
    const range: QueryRange = {
      ...(q.start_time ? { from: parseTime(q.start_time) } : {}),
      ...(q.end_time ? { to: parseTime(q.end_time) } : {}),
    };
    const timeframe = q.timeframe ?? '1m';
    switch (endpoint) {
      case 'footprint':
        return footprintQuery(symbol, timeframe, trades, p, range).body;
      case 'volume-profile':
        return profileQuery(
          symbol,
          q.type === 'VPSV' ? 'VPSV' : 'VPVR',
          trades,
          p,
          range,
          q.omit_empty === 'true',
        ).body;
      case 'delta':
        return deltaQuery(symbol, timeframe, trades, p, range).body;
      default:
        return metricsQuery(symbol, trades, p, range).body;
    }
  }

  private async serveStatic(path: string, res: ServerResponse): Promise<void> {
    const rel = normalize(path === '/' ? '/index.html' : path).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = await readFile(join(this.webDir, rel));
      res.writeHead(200, { 'content-type': MIME[extname(rel)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  }

  private onConnection(ws: WebSocket): void {
    ws.on('message', (raw: Buffer) => {
      let msg: { type?: string; data?: Record<string, unknown> };
      try {
        msg = JSON.parse(raw.toString('utf8')) as typeof msg;
      } catch {
        this.send(ws, 'error', { code: 'BAD_MESSAGE', message: 'not JSON' });
        return;
      }
      const d = msg.data ?? {};
      const symbol = typeof d.symbol === 'string' ? d.symbol : 'BTC';
      const config = configOf(d);
      if (msg.type === 'subscribe') {
        try {
          this.params(symbol, config);
        } catch (e) {
          this.send(ws, 'error', {
            code: 'INVALID_PARAMETER',
            message: e instanceof Error ? e.message : String(e),
          });
          return;
        }
        this.subs.add({
          ws,
          symbol,
          config,
          timeframe: typeof d.timeframe === 'string' ? d.timeframe : '1m',
        });
        this.send(ws, 'subscribed', { channel: 'orderflow', symbol });
      } else if (msg.type === 'unsubscribe') {
        for (const s of this.subs)
          if (s.ws === ws && s.symbol === symbol && sameConfig(s.config, config)) this.subs.delete(s);
      }
    });
    ws.on('close', () => {
      for (const s of this.subs) if (s.ws === ws) this.subs.delete(s);
    });
  }

  private send(ws: WebSocket, type: string, data: unknown): void {
    this.sent.set(type, (this.sent.get(type) ?? 0) + 1);
    ws.send(JSON.stringify({ type, data }));
  }

  get subscriptions(): number {
    return this.subs.size;
  }

  /**
   * The service receives the next `n` trades of a market: every subscription gets a footprint_update for each
   * bar that changed (in the service's format), imbalance_detected for new stacked zones and a delta_update.
   */
  advance(symbol: string, n: number): number {
    const m = this.market(symbol);
    const before = m.all.slice(0, m.cursor);
    m.cursor = Math.min(m.all.length, m.cursor + n);
    const after = m.all.slice(0, m.cursor);
    for (const s of this.subs) {
      if (s.symbol.toUpperCase() !== symbol.toUpperCase()) continue;
      const p = this.params(symbol, s.config);
      const u = unitsFor(p.scale, p.rowTicks);
      // Lite TIME channels: only bars from the one holding the previous last trade can change.
      const last = before[before.length - 1];
      const from =
        this.lite && p.bars.aggregation === 'TIME' && last !== undefined
          ? Math.floor(last.ts / p.bars.timeframeUs) * p.bars.timeframeUs
          : undefined;
      const win = (ts: readonly Trade[]) => (from === undefined ? ts : ts.filter((t) => t.ts >= from));
      const old = new Map(
        footprintBars(win(before), p, {}).map((b) => [b.start, `${b.volume}|${b.trades}`] as const),
      );
      const bars = footprintBars(win(after), p, {});
      const info = {
        channel: 'orderflow',
        symbol,
        timeframe: s.timeframe,
        aggregation: p.bars.aggregation,
        price_tick_size: u.price(p.rowTicks),
        source: 'replay',
      };
      for (const b of bars) {
        if (old.get(b.start) === `${b.volume}|${b.trades}`) continue;
        const body = footprintBody([b], p, { symbol, timeframe: s.timeframe }).data as {
          bars: unknown[];
          bar_stats: unknown[];
        };
        this.send(s.ws, 'footprint_update', { ...info, bar: body.bar_stats[0], bars: body.bars });
      }
      if (this.lite) continue;
      const seen = new Set(
        stackedImbalanceZones(footprintBars(before, p, {}), p.imbalance).map(
          (z) => `${z.barStart}|${z.lowRow}|${z.side}`,
        ),
      );
      for (const z of stackedImbalanceZones(bars, p.imbalance)) {
        if (seen.has(`${z.barStart}|${z.lowRow}|${z.side}`)) continue;
        this.send(s.ws, 'imbalance_detected', {
          ...info,
          zone: {
            side: z.side,
            low: u.rowPrice(z.lowRow),
            high: u.rowPrice(z.highRow),
            rows: z.rows,
            bar_start: u.time(z.barStart),
            active: z.active,
          },
        });
      }
      const delta = deltaQuery(symbol, s.timeframe, after, p, {}).body.data as { delta_profile: unknown };
      this.send(s.ws, 'delta_update', { ...info, delta_profile: delta.delta_profile });
    }
    return m.cursor;
  }

  /** Streams `perSecond` advances of `tradesPerUpdate` trades (the benchmark's live load). */
  startUpdates(symbol: string, perSecond: number, tradesPerUpdate: number): void {
    this.timer = setInterval(() => this.advance(symbol, tradesPerUpdate), 1000 / perSecond);
  }
}

const sameConfig = (a: OrderFlowConfigInput, b: OrderFlowConfigInput): boolean =>
  JSON.stringify(a) === JSON.stringify(b);

/** A market fed by a real recording: the first `initialFraction` of its trades are history, the rest replays. */
export async function recordedMarket(path: string, initialFraction: number): Promise<MarketFeed> {
  const f = await readTradeFile(path);
  return { scale: f.instrument, all: f.trades, cursor: Math.floor(f.trades.length * initialFraction) };
}

/**
 * A synthetic market for the frame-time benchmark: `bars` one-minute bars, each trading both sides at every one
 * of `rows` consecutive prices (a random walk moves the block), so every bar has `rows` cells. Deterministic.
 */
export function syntheticMarket(
  scale: Scale,
  bars: number,
  rows: number,
  startUs: number,
  extraBars = 60,
): MarketFeed {
  const all: Trade[] = [];
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  let base = 6_000_000;
  let id = 1;
  for (let b = 0; b < bars + extraBars; b++) {
    base += Math.round((rnd() - 0.5) * 10);
    const t0 = startUs + b * 60_000_000;
    for (let r = 0; r < rows; r++) {
      for (const side of [1, -1] as const) {
        all.push({
          exchange: 'synthetic',
          symbol: 'BENCH',
          id: id++,
          ts: (t0 + r * 1000 + (side === 1 ? 0 : 500)) as UnixMicros,
          price: (base + r) as PriceTicks,
          qty: (1 + Math.floor(rnd() * 5000)) as QtyLots,
          side,
          sideSource: 'exchange',
        });
      }
    }
  }
  return { scale, all, cursor: bars * rows * 2 };
}
