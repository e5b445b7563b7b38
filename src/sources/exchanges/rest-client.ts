// A small REST client for backfill and metadata that obeys the exchanges' rate limits: a request-rate floor,
// Binance's used-weight header budget, 429/418 Retry-After, and 5xx/network retries with backoff and jitter.

export interface RestClientOptions {
  readonly baseUrl: string;
  /** Extra headers on every request (e.g. X-MBX-APIKEY, X-MBX-TIME-UNIT). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Minimum spacing between requests (Coinbase public REST: 10/s ⇒ 100 ms). */
  readonly minIntervalMs?: number;
  /** Binance REQUEST_WEIGHT per minute; the client waits for the next minute rather than cross it. */
  readonly weightLimitPerMinute?: number;
  /** Header carrying the weight used in the current minute. */
  readonly usedWeightHeader?: string;
  readonly maxRetries?: number;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** Used when a 429 has no Retry-After. */
  readonly defaultRetryAfterMs?: number;
  readonly timeoutMs?: number;
  /** Injectable for tests: waits (the default is a timer) and the clock. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly now?: () => number;
  readonly random?: () => number;
}

export interface RestResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Headers;
}

export class RestError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RestError';
  }
}

export interface RestStats {
  requests: number;
  retries: number;
  rateLimited: number;
  serverErrors: number;
  weightWaits: number;
  /** Every wait the client chose, ms (bounded to the last 100), so tests can check Retry-After was obeyed. */
  readonly waits: number[];
}

export const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new RestError('aborted', undefined));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new RestError('aborted', undefined));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export class RestClient {
  readonly stats: RestStats = {
    requests: 0,
    retries: 0,
    rateLimited: 0,
    serverErrors: 0,
    weightWaits: 0,
    waits: [],
  };
  private nextAllowedAt = 0;
  private usedWeight = 0;
  private weightMinute = -1;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly opts: RestClientOptions) {
    this.sleep = opts.sleep ?? defaultSleep;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
  }

  /** GET base + path with query; JSON body. Throws RestError after the retry budget or on a 4xx. */
  async getJson(
    path: string,
    query: Readonly<Record<string, string | number>> = {},
    weight = 1,
    signal?: AbortSignal,
  ): Promise<RestResponse> {
    const url = new URL(path, this.opts.baseUrl.endsWith('/') ? this.opts.baseUrl : this.opts.baseUrl + '/');
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
    const maxRetries = this.opts.maxRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      await this.pace(weight, signal);
      this.stats.requests++;
      let res: Response;
      try {
        res = await fetch(url, {
          headers: { accept: 'application/json', ...this.opts.headers },
          signal: signal
            ? AbortSignal.any([signal, AbortSignal.timeout(this.opts.timeoutMs ?? 10_000)])
            : AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
        });
      } catch (e) {
        if (signal?.aborted) throw new RestError('aborted', undefined, { cause: e });
        if (attempt >= maxRetries)
          throw new RestError(`GET ${url.pathname}: ${String(e)}`, undefined, { cause: e });
        await this.wait(this.backoff(attempt), signal);
        this.stats.retries++;
        continue;
      }
      this.noteWeight(res.headers);
      if (res.status === 429 || res.status === 418) {
        this.stats.rateLimited++;
        await res.body?.cancel();
        if (attempt >= maxRetries) throw new RestError(`GET ${url.pathname}: HTTP ${res.status}`, res.status);
        const ra = parseRetryAfter(res.headers.get('retry-after'), this.now());
        await this.wait(ra ?? this.opts.defaultRetryAfterMs ?? 1000, signal);
        this.stats.retries++;
        continue;
      }
      if (res.status >= 500) {
        this.stats.serverErrors++;
        await res.body?.cancel();
        if (attempt >= maxRetries) throw new RestError(`GET ${url.pathname}: HTTP ${res.status}`, res.status);
        await this.wait(this.backoff(attempt), signal);
        this.stats.retries++;
        continue;
      }
      const text = await res.text();
      if (res.status >= 400)
        throw new RestError(`GET ${url.pathname}: HTTP ${res.status} ${text.slice(0, 200)}`, res.status);
      let body: unknown;
      try {
        body = JSON.parse(text) as unknown;
      } catch (e) {
        throw new RestError(`GET ${url.pathname}: body is not JSON`, res.status, { cause: e });
      }
      return { status: res.status, body, headers: res.headers };
    }
  }

  private backoff(attempt: number): number {
    const base = this.opts.retryBaseMs ?? 250;
    const cap = this.opts.retryMaxMs ?? 30_000;
    const d = Math.min(cap, base * 2 ** attempt);
    return d / 2 + (this.random() * d) / 2;
  }

  private async wait(ms: number, signal?: AbortSignal): Promise<void> {
    this.stats.waits.push(ms);
    if (this.stats.waits.length > 100) this.stats.waits.shift();
    await this.sleep(ms, signal);
  }

  private async pace(weight: number, signal?: AbortSignal): Promise<void> {
    const limit = this.opts.weightLimitPerMinute;
    if (limit !== undefined) {
      const now = this.now();
      const minute = Math.floor(now / 60_000);
      if (minute !== this.weightMinute) {
        this.weightMinute = minute;
        this.usedWeight = 0;
      }
      if (this.usedWeight + weight > limit) {
        this.stats.weightWaits++;
        await this.wait((minute + 1) * 60_000 - now, signal);
        this.weightMinute = minute + 1;
        this.usedWeight = 0;
      }
      this.usedWeight += weight;
    }
    const min = this.opts.minIntervalMs ?? 0;
    if (min > 0) {
      const now = this.now();
      if (now < this.nextAllowedAt) await this.wait(this.nextAllowedAt - now, signal);
      this.nextAllowedAt = Math.max(now, this.nextAllowedAt) + min;
    }
  }

  private noteWeight(headers: Headers): void {
    const name = this.opts.usedWeightHeader;
    if (!name) return;
    const v = Number(headers.get(name));
    // The server's count is the truth (other processes on the same IP spend the same budget).
    if (Number.isFinite(v) && v > 0) this.usedWeight = Math.max(this.usedWeight, v);
  }
}

/** Retry-After as seconds or an HTTP date → ms; undefined when absent or unreadable. */
export function parseRetryAfter(v: string | null, now: number): number | undefined {
  if (v === null || v.trim() === '') return undefined;
  const s = Number(v);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
