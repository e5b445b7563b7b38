// One logical exchange connection: reconnects with exponential backoff and jitter, a liveness watchdog
// (connected but silent ⇒ reconnect), and planned reconnects (server notice, max lifetime) done
// make-before-break: the new socket is opened and subscribed before the old one is closed.

import WebSocket from 'ws';
import { micros, type UnixMicros } from '../../core/units.ts';

export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

export interface ConnectionOptions {
  readonly url: string;
  /** Sent in order right after the socket opens (Coinbase disconnects clients that do not subscribe in 5 s). */
  readonly subscribe: readonly string[];
  readonly backoff?: Partial<BackoffOptions>;
  /** No frame and no ping for this long ⇒ the socket is presumed dead and replaced. */
  readonly silenceMs?: number;
  /** Planned replacement before the exchange's own cut (Binance: 24 h). */
  readonly maxLifetimeMs?: number;
  /** Longest overlap of old and new socket when the new one never confirms. */
  readonly overlapMaxMs?: number;
  readonly handshakeTimeoutMs?: number;
  /** Application-level ping some exchanges require from the client (sent on every open socket). */
  readonly keepAlive?: { readonly text: string; readonly intervalMs: number };
  readonly random?: () => number;
}

export type ConnectionEvent =
  | { readonly type: 'connected'; readonly gen: number; readonly url: string }
  | { readonly type: 'disconnected'; readonly gen: number; readonly code: number; readonly reason: string }
  | { readonly type: 'reconnecting'; readonly attempt: number; readonly delayMs: number }
  | { readonly type: 'stalled'; readonly gen: number; readonly silentMs: number }
  | { readonly type: 'rollover'; readonly reason: string; readonly fromGen: number; readonly toGen: number }
  | { readonly type: 'rolloverDone'; readonly gen: number };

export interface ConnectionHandler {
  onMessage(text: string, recvTs: UnixMicros, gen: number): void;
  onEvent(e: ConnectionEvent): void;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2 };

/** Exponential backoff with "equal jitter": half the delay fixed, half random, so clients do not stampede. */
export function backoffDelay(attempt: number, b: BackoffOptions, random: () => number): number {
  const d = Math.min(b.maxMs, b.initialMs * b.factor ** attempt);
  return d / 2 + (random() * d) / 2;
}

/** Wall clock in µs with sub-ms resolution for receive stamps. */
export const nowMicros = (): UnixMicros =>
  micros(Math.round((performance.timeOrigin + performance.now()) * 1000));

interface Live {
  readonly gen: number;
  readonly ws: WebSocket;
  lastActivity: number;
  watchdog?: ReturnType<typeof setInterval>;
  keepAlive?: ReturnType<typeof setInterval>;
  lifetime?: ReturnType<typeof setTimeout>;
}

export class ReconnectingSocket {
  private current: Live | undefined;
  private pending: Live | undefined;
  private gen = 0;
  private attempt = 0;
  private stopped = true;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private overlapTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;

  constructor(
    private readonly opts: ConnectionOptions,
    private readonly handler: ConnectionHandler,
  ) {
    this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.random = opts.random ?? Math.random;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.current = this.open();
  }

  /** Closes everything; no reconnect afterwards. */
  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.overlapTimer);
    const socks = [this.current, this.pending].filter((l): l is Live => l !== undefined);
    this.current = this.pending = undefined;
    return Promise.all(socks.map((l) => this.close(l, 1000, 'stop'))).then(() => undefined);
  }

  /** Planned reconnect: open a new socket now, keep the old one until the new one delivers (see promote). */
  rollover(reason: string): void {
    if (this.stopped || this.pending || !this.current) return;
    const from = this.current.gen;
    this.pending = this.open();
    this.handler.onEvent({ type: 'rollover', reason, fromGen: from, toGen: this.pending.gen });
    this.overlapTimer = setTimeout(
      () => this.promote(this.pending?.gen ?? -1),
      this.opts.overlapMaxMs ?? 10_000,
    );
  }

  /** The new socket of a rollover delivered data: retire the old one. */
  promote(gen: number): void {
    const p = this.pending;
    if (!p || p.gen !== gen) return;
    clearTimeout(this.overlapTimer);
    const old = this.current;
    this.current = p;
    this.pending = undefined;
    if (old) void this.close(old, 1000, 'rollover');
    this.handler.onEvent({ type: 'rolloverDone', gen });
  }

  /** Generation of the socket being retired during a rollover, if any. */
  isPending(gen: number): boolean {
    return this.pending?.gen === gen;
  }

  private open(): Live {
    const gen = ++this.gen;
    const ws = new WebSocket(this.opts.url, {
      handshakeTimeout: this.opts.handshakeTimeoutMs ?? 10_000,
      perMessageDeflate: false,
    });
    const live: Live = { gen, ws, lastActivity: performance.now() };
    ws.on('open', () => {
      for (const m of this.opts.subscribe) ws.send(m);
      live.lastActivity = performance.now();
      this.armTimers(live);
      this.handler.onEvent({ type: 'connected', gen, url: this.opts.url });
    });
    ws.on('message', (data: WebSocket.RawData) => {
      const recvTs = nowMicros();
      live.lastActivity = performance.now();
      if (this.current === live) this.attempt = 0;
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data as ArrayBuffer).toString('utf8');
      this.handler.onMessage(text, recvTs, gen);
    });
    ws.on('ping', () => {
      live.lastActivity = performance.now(); // `ws` answers the pong itself
    });
    ws.on('error', () => {
      // 'close' follows every 'error'; reconnect is handled there.
    });
    ws.on('close', (code: number, reason: Buffer) => this.onClose(live, code, reason.toString('utf8')));
    return live;
  }

  private armTimers(live: Live): void {
    const silence = this.opts.silenceMs ?? 30_000;
    live.watchdog = setInterval(
      () => {
        const silent = performance.now() - live.lastActivity;
        if (silent < silence) return;
        this.handler.onEvent({ type: 'stalled', gen: live.gen, silentMs: Math.round(silent) });
        live.ws.terminate();
      },
      Math.max(5, Math.floor(silence / 4)),
    );
    const ka = this.opts.keepAlive;
    if (ka)
      live.keepAlive = setInterval(
        () => live.ws.readyState === WebSocket.OPEN && live.ws.send(ka.text),
        ka.intervalMs,
      );
    const life = this.opts.maxLifetimeMs;
    if (life !== undefined)
      live.lifetime = setTimeout(() => this.current === live && this.rollover('max-lifetime'), life);
  }

  private onClose(live: Live, code: number, reason: string): void {
    clearInterval(live.watchdog);
    clearInterval(live.keepAlive);
    clearTimeout(live.lifetime);
    this.handler.onEvent({ type: 'disconnected', gen: live.gen, code, reason });
    if (this.stopped) return;
    if (this.pending === live) {
      // The replacement failed: keep the old socket; the next planned trigger tries again.
      this.pending = undefined;
      clearTimeout(this.overlapTimer);
      return;
    }
    if (this.current !== live) return; // an old socket retired by a rollover
    if (this.pending) {
      // The old socket went away first (server shutdown): the replacement takes over at once.
      this.promote(this.pending.gen);
      return;
    }
    this.current = undefined;
    const delayMs = backoffDelay(this.attempt, this.backoff, this.random);
    this.attempt++;
    this.handler.onEvent({ type: 'reconnecting', attempt: this.attempt, delayMs });
    this.reconnectTimer = setTimeout(() => {
      if (!this.stopped) this.current = this.open();
    }, delayMs);
  }

  private close(live: Live, code: number, reason: string): Promise<void> {
    clearInterval(live.watchdog);
    clearInterval(live.keepAlive);
    clearTimeout(live.lifetime);
    const ws = live.ws;
    if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      ws.once('close', () => resolve());
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else {
        ws.close(code, reason);
        // A peer that never answers the close handshake is cut after a short grace.
        setTimeout(() => ws.terminate(), 1000).unref();
      }
    });
  }
}
