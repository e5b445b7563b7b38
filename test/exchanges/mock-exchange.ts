// Mock exchanges on 127.0.0.1 port 0 speaking the real protocols (Binance combined streams + REST, Coinbase
// Exchange feed + REST, Advanced Trade), replaying recorded frames as fast as the socket takes them, with fault
// injection keyed by tape position: dropped connections, stalls, dropped/duplicated/reordered/garbage/truncated
// frames, server shutdown notices, and REST 429/5xx.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export type Fault =
  | { readonly at: number; readonly kind: 'drop-connection'; readonly skip: number }
  | { readonly at: number; readonly kind: 'stall'; readonly skip: number }
  | { readonly at: number; readonly kind: 'drop-frames'; readonly count: number }
  | { readonly at: number; readonly kind: 'duplicate' }
  | { readonly at: number; readonly kind: 'swap' }
  | { readonly at: number; readonly kind: 'garbage'; readonly text: string }
  | { readonly at: number; readonly kind: 'truncate' }
  | { readonly at: number; readonly kind: 'server-shutdown'; readonly frame: string };

export interface RestRow {
  readonly id: number;
  readonly symbol: string;
  readonly row: Record<string, unknown>;
}

export interface MockProtocol {
  /** Reply to a client message; `subscribed` true once the client has asked for trades. */
  onClientMessage(msg: string): { replies: string[]; subscribed: boolean };
  /** Frames a (re)subscribing client gets first, given the trades published so far (Advanced Trade snapshot). */
  onSubscribe?: ((publishedRows: readonly RestRow[]) => string[]) | undefined;
  /** REST handler over the recorded trades; returns [status, body, headers]. */
  rest(url: URL, rows: readonly RestRow[]): [number, unknown, Record<string, string>];
}

export interface MockOptions {
  readonly tape: readonly string[];
  /** Trades of the tape (for REST and snapshots), with the tape index that publishes each. */
  readonly rows: readonly (RestRow & { readonly tapeIndex: number })[];
  readonly protocol: MockProtocol;
  readonly faults?: readonly Fault[];
  readonly restFaults?: readonly { readonly status: number; readonly retryAfter?: string }[];
  readonly pingIntervalMs?: number;
  /** New subscribers first get this many already-published frames again (overlap ⇒ duplicates). */
  readonly replayOnSubscribe?: number;
  /** Frames sent per event-loop turn. */
  readonly chunk?: number;
}

interface Client {
  readonly ws: WebSocket;
  subscribed: boolean;
  stalled: boolean;
}

export class MockExchange {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private pos = 0;
  private pumping = false;
  private readonly faults: Map<number, Fault>;
  private readonly restFaults: { status: number; retryAfter?: string }[];
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  /** Resolves when the whole tape has been played. */
  readonly finished: Promise<void>;
  private markFinished: () => void = () => {};
  private stopped = false;
  wsConnections = 0;
  restRequests: string[] = [];
  pongs = 0;

  constructor(private readonly opts: MockOptions) {
    this.finished = new Promise((r) => (this.markFinished = r));
    this.faults = new Map((opts.faults ?? []).map((f) => [f.at, f]));
    this.restFaults = [...(opts.restFaults ?? [])];
    this.http = createServer((req, res) => this.onHttp(req, res));
    this.wss = new WebSocketServer({ server: this.http });
    this.wss.on('connection', (ws) => this.onConnection(ws));
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.http.listen(0, '127.0.0.1', r));
    const every = this.opts.pingIntervalMs;
    if (every)
      this.pingTimer = setInterval(() => this.clients.forEach((c) => !c.stalled && c.ws.ping()), every);
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }
  get wsBase(): string {
    return `ws://127.0.0.1:${this.port}`;
  }
  get restBase(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get position(): number {
    return this.pos;
  }
  get done(): boolean {
    return this.pos >= this.opts.tape.length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pingTimer);
    for (const c of this.clients) c.ws.terminate();
    this.wss.close();
    this.http.closeAllConnections();
    await new Promise<void>((r) => this.http.close(() => r()));
  }

  private onConnection(ws: WebSocket): void {
    this.wsConnections++;
    const c: Client = { ws, subscribed: false, stalled: false };
    this.clients.add(c);
    ws.on('pong', () => this.pongs++);
    ws.on('close', () => this.clients.delete(c));
    ws.on('message', (data: Buffer) => {
      const { replies, subscribed } = this.opts.protocol.onClientMessage(data.toString('utf8'));
      for (const r of replies) ws.send(r);
      if (subscribed && !c.subscribed) {
        c.subscribed = true;
        const published = this.opts.rows.filter((r) => r.tapeIndex < this.pos);
        for (const f of this.opts.protocol.onSubscribe?.(published) ?? []) ws.send(f);
        const k = this.opts.replayOnSubscribe ?? 0;
        for (let i = Math.max(0, this.pos - k); i < this.pos; i++) ws.send(this.opts.tape[i]!);
        this.pump();
      }
    });
  }

  private live(): Client[] {
    return [...this.clients].filter((c) => c.subscribed && !c.stalled && c.ws.readyState === 1);
  }

  private send(text: string): void {
    for (const c of this.live()) c.ws.send(text);
  }

  /** Publishes the tape while someone listens; pauses when nobody does (the position is kept). */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    const step = (): void => {
      const chunk = this.opts.chunk ?? 64;
      for (let n = 0; n < chunk; n++) {
        if (this.pos >= this.opts.tape.length || this.live().length === 0) {
          if (this.pos >= this.opts.tape.length) this.markFinished();
          this.pumping = false;
          return;
        }
        this.publishAt();
      }
      setImmediate(step);
    };
    setImmediate(step);
  }

  private publishAt(): void {
    const tape = this.opts.tape;
    const i = this.pos;
    const f = this.faults.get(i);
    this.faults.delete(i);
    if (!f) {
      this.send(tape[i]!);
      this.pos++;
      return;
    }
    switch (f.kind) {
      case 'drop-connection':
        for (const c of this.live()) c.ws.terminate();
        this.pos += f.skip; // what traded while the client was away
        return;
      case 'stall':
        for (const c of this.live()) c.stalled = true; // open, silent, no pings
        this.pos += f.skip;
        return;
      case 'drop-frames':
        this.pos += f.count;
        return;
      case 'duplicate':
        this.send(tape[i]!);
        this.send(tape[i]!);
        this.pos++;
        return;
      case 'swap':
        if (i + 1 < tape.length) this.send(tape[i + 1]!);
        this.send(tape[i]!);
        this.pos += 2;
        return;
      case 'garbage':
        this.send(f.text);
        this.send(tape[i]!);
        this.pos++;
        return;
      case 'truncate':
        this.send(tape[i]!.slice(0, Math.floor(tape[i]!.length / 2)));
        this.pos++;
        return;
      case 'server-shutdown': {
        const old = this.live();
        this.send(f.frame);
        // Keep serving the old connection until a new one has subscribed, then cut it (as a real server would).
        const cut = (): void => {
          if (this.live().some((c) => !old.includes(c)))
            setTimeout(() => old.forEach((c) => c.ws.close(1001)), 20);
          else if (!this.stopped) setTimeout(cut, 5);
        };
        cut();
        this.send(tape[i]!);
        this.pos++;
        return;
      }
    }
  }

  private onHttp(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.restBase);
    this.restRequests.push(url.pathname + url.search);
    const fault = this.restFaults.shift();
    if (fault) {
      res.writeHead(fault.status, fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter });
      res.end('{"code":-1003,"msg":"Too many requests"}');
      return;
    }
    const [status, body, headers] = this.opts.protocol.rest(url, this.opts.rows);
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }
}

/** Binance combined-stream protocol: SUBSCRIBE → {"result":null,"id":…}; REST historicalTrades/aggTrades by fromId. */
export function binanceProtocol(): MockProtocol {
  return {
    onClientMessage(msg) {
      const m = JSON.parse(msg) as { method: string; id: number };
      if (m.method === 'SUBSCRIBE')
        return { replies: [JSON.stringify({ result: null, id: m.id })], subscribed: true };
      return {
        replies: [JSON.stringify({ error: { code: 2, msg: 'Invalid request' }, id: m.id })],
        subscribed: false,
      };
    },
    rest(url, rows) {
      const symbol = url.searchParams.get('symbol');
      const fromId = Number(url.searchParams.get('fromId'));
      const limit = Math.min(1000, Number(url.searchParams.get('limit') ?? 500));
      if (!/historicalTrades|aggTrades/.test(url.pathname) || !symbol)
        return [400, { code: -1100, msg: 'bad request' }, {}];
      const page = rows.filter((r) => r.symbol === symbol && r.id >= fromId).slice(0, limit);
      return [200, page.map((r) => r.row), { 'x-mbx-used-weight-1m': '25' }];
    },
  };
}

/** Coinbase Exchange feed: subscribe → `subscriptions`; REST /products/{id}/trades?after (newest first, CB-AFTER). */
export function coinbaseProtocol(kind: 'exchange' | 'advanced'): MockProtocol {
  return {
    onClientMessage(msg) {
      const m = JSON.parse(msg) as { type: string; channel?: string; channels?: string[] };
      if (m.type !== 'subscribe') return { replies: [], subscribed: false };
      if (kind === 'exchange')
        return {
          replies: [
            JSON.stringify({ type: 'subscriptions', channels: m.channels?.map((name) => ({ name })) }),
          ],
          subscribed: true,
        };
      return {
        replies: [
          JSON.stringify({
            channel: 'subscriptions',
            sequence_num: 0,
            events: [{ subscriptions: { [m.channel ?? '']: [] } }],
          }),
        ],
        subscribed: m.channel === 'market_trades',
      };
    },
    onSubscribe:
      kind === 'advanced'
        ? (published) => {
            // Advanced Trade sends the last trades of each product as a snapshot on every subscribe.
            const bySymbol = new Map<string, RestRow[]>();
            for (const r of published) bySymbol.set(r.symbol, [...(bySymbol.get(r.symbol) ?? []), r]);
            return [...bySymbol.values()].map((rs) =>
              JSON.stringify({
                channel: 'market_trades',
                sequence_num: 0,
                events: [
                  {
                    type: 'snapshot',
                    trades: rs
                      .slice(-100)
                      .reverse()
                      .map((r) => r.row),
                  },
                ],
              }),
            );
          }
        : undefined,
    rest(url, rows) {
      const m = /^\/products\/([^/]+)\/trades$/.exec(url.pathname);
      if (!m) return [404, { message: 'NotFound' }, {}];
      const symbol = decodeURIComponent(m[1]!);
      const after = Number(url.searchParams.get('after') ?? Infinity);
      const limit = Math.min(1000, Number(url.searchParams.get('limit') ?? 1000));
      const page = rows
        .filter((r) => r.symbol === symbol && r.id < after)
        .sort((a, b) => b.id - a.id)
        .slice(0, limit);
      const headers: Record<string, string> = {};
      if (page.length > 0) {
        headers['cb-before'] = String(page[0]!.id);
        headers['cb-after'] = String(page[page.length - 1]!.id);
      }
      return [200, page.map((r) => r.row), headers];
    },
  };
}
