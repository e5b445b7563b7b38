// Alert delivery of signals to a webhook: JSON POST with a timeout, retries with exponential backoff (Retry-After
// honoured), a cooldown per symbol, kind and direction, and a bounded number of deliveries in flight.
//
// Choices: retried on network errors, timeouts, 429 and 5xx; any other status is final. The cooldown runs on the
// alerter's clock (wall time by default, injectable), independent of the engines' event-time cooldowns. Beyond
// `maxInFlight` concurrent deliveries a new alert is dropped and counted, so a dead endpoint cannot grow memory.

import type { SignalJson } from './signal-view.ts';

export interface WebhookOptions {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Attempts in all, the first included (default 5). */
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly timeoutMs?: number;
  /** Same symbol + kind + direction within this many ms after a delivered alert is suppressed (default 60 000). */
  readonly cooldownMs?: number;
  readonly maxInFlight?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly fetch?: typeof fetch;
}

export type DeliveryOutcome = 'delivered' | 'failed' | 'suppressed' | 'dropped';

export interface DeliveryResult {
  readonly outcome: DeliveryOutcome;
  readonly attempts: number;
  readonly status?: number;
  readonly error?: string;
}

export interface AlertStats {
  delivered: number;
  failed: number;
  suppressed: number;
  dropped: number;
  retries: number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const retryable = (status: number): boolean => status === 429 || status >= 500;

export class WebhookAlerter {
  readonly stats: AlertStats = { delivered: 0, failed: 0, suppressed: 0, dropped: 0, retries: 0 };
  private readonly last = new Map<string, number>();
  private inFlight = 0;

  constructor(readonly options: WebhookOptions) {
    new URL(options.url); // fail fast on a malformed URL
  }

  /** Delivers one signal (cooldown first); resolves when delivered, given up or skipped. Never rejects. */
  async send(signal: SignalJson): Promise<DeliveryResult> {
    const o = this.options;
    const now = (o.now ?? Date.now)();
    const key = `${signal.symbol}|${signal.kind}|${signal.direction}`;
    const last = this.last.get(key);
    if (last !== undefined && now - last < (o.cooldownMs ?? 60_000)) {
      this.stats.suppressed++;
      return { outcome: 'suppressed', attempts: 0 };
    }
    if (this.inFlight >= (o.maxInFlight ?? 100)) {
      this.stats.dropped++;
      return { outcome: 'dropped', attempts: 0 };
    }
    this.last.set(key, now);
    this.inFlight++;
    try {
      return await this.deliver(JSON.stringify({ type: 'signal', data: signal }));
    } finally {
      this.inFlight--;
    }
  }

  private async deliver(body: string): Promise<DeliveryResult> {
    const o = this.options;
    const max = o.maxAttempts ?? 5;
    const doFetch = o.fetch ?? fetch;
    const sleep = o.sleep ?? defaultSleep;
    let status: number | undefined;
    let error: string | undefined;
    let attempts = 0;
    for (let attempt = 1; attempt <= max; attempt++) {
      attempts = attempt;
      let retryAfterMs: number | undefined;
      try {
        const res = await doFetch(o.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...o.headers },
          body,
          signal: AbortSignal.timeout(o.timeoutMs ?? 5_000),
        });
        status = res.status;
        error = undefined;
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          this.stats.delivered++;
          return { outcome: 'delivered', attempts: attempt, status };
        }
        if (!retryable(res.status)) break;
        const ra = Number(res.headers.get('retry-after'));
        if (Number.isFinite(ra) && ra > 0) retryAfterMs = ra * 1000;
      } catch (err) {
        status = undefined;
        error = (err as Error).message;
      }
      if (attempt < max) {
        this.stats.retries++;
        const backoff = Math.min((o.baseDelayMs ?? 500) * 2 ** (attempt - 1), o.maxDelayMs ?? 30_000);
        await sleep(Math.max(backoff, retryAfterMs ?? 0));
      }
    }
    this.stats.failed++;
    return {
      outcome: 'failed',
      attempts,
      ...(status === undefined ? {} : { status }),
      ...(error === undefined ? {} : { error }),
    };
  }
}
