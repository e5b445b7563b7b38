// Token buckets per API key and per client address: a request passes only when both its buckets hold a token.
// The bucket table has a named budget; idle buckets (full again) are evicted first, so memory stays bounded.

/** Buckets kept at most (per kind). */
export const MAX_BUCKETS = 100_000;

export interface RateSpec {
  readonly perSecond: number;
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly spec: RateSpec,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get size(): number {
    return this.buckets.size;
  }

  private refill(b: Bucket, t: number): void {
    b.tokens = Math.min(this.spec.burst, b.tokens + ((t - b.at) / 1000) * this.spec.perSecond);
    b.at = t;
  }

  /** Takes a token; returns 0 when granted, else the ms until one is available. */
  take(key: string): number {
    const t = this.now();
    let b = this.buckets.get(key);
    if (b === undefined) {
      if (this.buckets.size >= MAX_BUCKETS) this.evict(t);
      b = { tokens: this.spec.burst, at: t };
      this.buckets.set(key, b);
    } else {
      this.refill(b, t);
      // Most recently used last: eviction scans from the oldest.
      this.buckets.delete(key);
      this.buckets.set(key, b);
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    // The epsilon keeps float noise (0.998 tokens = 1.000000000000001 ms) from adding a millisecond.
    return Math.max(1, Math.ceil(((1 - b.tokens) / this.spec.perSecond) * 1000 - 1e-9));
  }

  private evict(t: number): void {
    let removed = 0;
    for (const [k, b] of this.buckets) {
      this.refill(b, t);
      if (b.tokens >= this.spec.burst || removed === 0) {
        this.buckets.delete(k);
        removed++;
      }
      if (removed >= 1024 || this.buckets.size < MAX_BUCKETS) break;
    }
  }
}

export class RateLimiter {
  readonly perKey: TokenBuckets;
  readonly perIp: TokenBuckets;
  limited = 0;

  constructor(spec: { perKey: RateSpec; perIp: RateSpec }, now?: () => number) {
    this.perKey = new TokenBuckets(spec.perKey, now);
    this.perIp = new TokenBuckets(spec.perIp, now);
  }

  /** 0 when allowed, else ms to wait. Both buckets are charged, so neither a key nor an address can exceed its rate. */
  check(ip: string, keyId: string | undefined): number {
    const a = this.perIp.take(ip);
    const b = keyId === undefined ? 0 : this.perKey.take(keyId);
    const wait = Math.max(a, b);
    if (wait > 0) this.limited++;
    return wait;
  }
}
