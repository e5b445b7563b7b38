// Typed REST client of the Order Flow Service (fetch-based, works in Node ≥ 20 and browsers): one method per
// endpoint, query parameters as the API names them, errors as OrderflowApiError with the server's code.

import type { IndicatorValues, SignalData } from './stream-client.ts';

export interface RangeQuery {
  start_time?: string;
  end_time?: string;
  exchange?: string;
  price_tick_size?: string | number;
  ticks_per_row?: number;
}
export interface BarQuery extends RangeQuery {
  timeframe?: string;
  aggregation?: 'TIME' | 'VOLUME' | 'TICK_COUNT';
  volume_per_bar?: string | number;
  ticks_per_bar?: number;
}
export interface ImbalanceQuery {
  imbalance_threshold?: string | number;
  imbalance_min_volume?: string | number;
  imbalance_mode?: 'diagonal' | 'horizontal';
  zero_policy?: 'skip' | 'one' | 'infinite';
  stack_count?: number;
}
export interface FootprintQuery extends BarQuery, ImbalanceQuery {
  format?: 'flat' | 'nested';
}
export interface ProfileQuery extends RangeQuery {
  type?: 'VPVR' | 'VPSV';
  value_area_percentage?: string | number;
  value_area_method?: 'cbot' | 'single';
  hvn_threshold?: string | number;
  lvn_threshold?: string | number;
  omit_empty?: boolean;
  sessions?: string;
}
export interface DeltaQuery extends BarQuery {
  cvd_reset?: 'none' | 'session' | 'day';
  delta_smoothing_period?: number;
  swing_lookback?: number;
  sessions?: string;
}
export interface MetricsQuery extends RangeQuery, ImbalanceQuery {
  sessions?: string;
  timeframe?: string;
}

export interface SignalsQuery {
  timeframe?: string;
  start_time?: string;
  end_time?: string;
  /** Comma-separated signal kinds, e.g. `absorption,stacked_imbalance`. */
  kinds?: string;
}
export interface SignalsData {
  symbol: string;
  timeframe: string;
  count: number;
  signals: SignalData[];
  [extra: string]: unknown;
}
export interface IndicatorsData {
  symbol: string;
  timeframe: string;
  indicators: string[];
  bars: { bar_start: string; values: IndicatorValues }[];
  [extra: string]: unknown;
}

export interface FootprintCell {
  price_level: number;
  buy_volume: number;
  sell_volume: number;
  total_volume: number;
  delta: number;
  is_imbalanced: boolean;
  is_point_of_control: boolean;
  start_time: string;
  end_time: string;
  buy_trades: number;
  sell_trades: number;
  imbalance_side: 'buy' | 'sell' | 'both' | null;
}
export interface FootprintData {
  symbol: string;
  timeframe: string;
  aggregation: string;
  row_size: number;
  bars: FootprintCell[];
  bar_stats: Record<string, unknown>[];
  stacked_imbalances: {
    side: 'buy' | 'sell';
    low: number;
    high: number;
    rows: number;
    bar_start: string;
    active: boolean;
  }[];
  source?: string;
  [extra: string]: unknown;
}
export interface PriceLevel {
  price: number;
  volume: number;
  buy_volume: number;
  sell_volume: number;
  delta: number;
  percentage: number;
  is_hvn: boolean;
  is_poc: boolean;
  is_value_area: boolean;
  is_lvn: boolean;
}
export interface ProfileData {
  symbol: string;
  profile_type: 'VPVR' | 'VPSV';
  profile: {
    point_of_control: number | null;
    value_area_high: number | null;
    value_area_low: number | null;
    total_volume: number;
  };
  price_levels: PriceLevel[];
  [extra: string]: unknown;
}
export interface DeltaData {
  symbol: string;
  delta_profile: {
    cumulative_delta: number;
    delta_momentum: number;
    buy_pressure: number;
    sell_pressure: number;
    is_divergent: boolean;
    is_exhausted: boolean;
  };
  divergences: Record<string, unknown>[];
  [extra: string]: unknown;
}
export interface MetricsData {
  symbol: string;
  current_price: number | null;
  cumulative_delta: number;
  session_delta: number;
  buy_pressure: number;
  sell_pressure: number;
  active_imbalances: number;
  liquidity_index: number | null;
  [extra: string]: unknown;
}

export class OrderflowApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'OrderflowApiError';
  }
}

export interface ClientOptions {
  /** e.g. http://localhost:8090 */
  readonly baseUrl: string;
  readonly apiKey?: string;
  readonly fetch?: typeof fetch;
}

export class OrderflowClient {
  private readonly base: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly o: ClientOptions) {
    this.base = o.baseUrl.replace(/\/+$/, '');
    this.fetchFn = o.fetch ?? fetch;
  }

  /** GET a path with query parameters; returns `data` of a success body, throws OrderflowApiError otherwise. */
  async get<T>(path: string, query: object = {}): Promise<T> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) qs.set(k, String(v));
    const url = `${this.base}${path}${qs.size > 0 ? `?${qs.toString()}` : ''}`;
    const res = await this.fetchFn(url, {
      headers: this.o.apiKey === undefined ? {} : { authorization: `Bearer ${this.o.apiKey}` },
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new OrderflowApiError(res.status, 'INVALID_RESPONSE', `${url}: not JSON (HTTP ${res.status})`);
    }
    const b = body as { success?: boolean; data?: T; error?: { code: string; message: string } };
    if (!res.ok || b.success !== true) {
      throw new OrderflowApiError(
        res.status,
        b.error?.code ?? 'HTTP_ERROR',
        b.error?.message ?? `HTTP ${res.status}`,
      );
    }
    return b.data as T;
  }

  private sym(s: string): string {
    return encodeURIComponent(s);
  }

  footprint(symbol: string, q: FootprintQuery = {}): Promise<FootprintData> {
    return this.get(`/api/v1/orderflow/footprint/${this.sym(symbol)}`, q);
  }
  volumeProfile(symbol: string, q: ProfileQuery = {}): Promise<ProfileData> {
    return this.get(`/api/v1/orderflow/volume-profile/${this.sym(symbol)}`, q);
  }
  delta(symbol: string, q: DeltaQuery = {}): Promise<DeltaData> {
    return this.get(`/api/v1/orderflow/delta/${this.sym(symbol)}`, q);
  }
  metrics(symbol: string, q: MetricsQuery = {}): Promise<MetricsData> {
    return this.get(`/api/v1/orderflow/metrics/${this.sym(symbol)}`, q);
  }
  imbalances(symbol: string, q: BarQuery & ImbalanceQuery = {}): Promise<Record<string, unknown>> {
    return this.get(`/api/v1/orderflow/imbalances/${this.sym(symbol)}`, q);
  }
  divergences(symbol: string, q: DeltaQuery = {}): Promise<Record<string, unknown>> {
    return this.get(`/api/v1/orderflow/divergences/${this.sym(symbol)}`, q);
  }
  signals(symbol: string, q: SignalsQuery = {}): Promise<SignalsData> {
    return this.get(`/api/v1/orderflow/signals/${this.sym(symbol)}`, q);
  }
  indicators(symbol: string, q: Omit<SignalsQuery, 'kinds'> = {}): Promise<IndicatorsData> {
    return this.get(`/api/v1/orderflow/indicators/${this.sym(symbol)}`, q);
  }
  symbols(): Promise<Record<string, unknown>> {
    return this.get('/api/v1/orderflow/symbols');
  }
  completeness(): Promise<Record<string, unknown>> {
    return this.get('/api/v1/orderflow/completeness');
  }
  async health(): Promise<Record<string, unknown>> {
    const res = await this.fetchFn(`${this.base}/health`);
    return (await res.json()) as Record<string, unknown>;
  }
}
