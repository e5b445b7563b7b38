// JSON shapes of the REST bodies (built by src/views/*.ts) and of the WebSocket messages, as the UI reads them.
// Only the fields the UI uses are required; everything else the service adds is tolerated.

export type Aggregation = 'TIME' | 'VOLUME' | 'TICK_COUNT';
export type ProfileType = 'VPVR' | 'VPSV';
export type ImbalanceSide = 'buy' | 'sell' | 'both' | null;

export interface ApiSuccess<T> {
  readonly success: true;
  readonly data: T;
}
export interface ApiFailure {
  readonly success: false;
  readonly error: { readonly code: string; readonly message: string };
}

/** One footprint cell (bar × row): the spec's `bars[]` item. */
export interface FootprintCellJson {
  readonly price_level: number;
  readonly buy_volume: number;
  readonly sell_volume: number;
  readonly total_volume: number;
  readonly delta: number;
  readonly is_imbalanced: boolean;
  readonly is_point_of_control: boolean;
  readonly start_time: string;
  readonly end_time: string;
  readonly buy_trades?: number;
  readonly sell_trades?: number;
  readonly imbalance_side?: ImbalanceSide;
}

export interface BarStatJson {
  readonly start_time: string;
  readonly end_time: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly buy_volume: number;
  readonly sell_volume: number;
  readonly delta: number;
  readonly delta_pct: number;
  readonly min_delta?: number;
  readonly max_delta?: number;
  readonly trades?: number;
  readonly point_of_control: number;
  readonly complete?: boolean;
}

export interface StackedZoneJson {
  readonly side: 'buy' | 'sell';
  readonly low: number;
  readonly high: number;
  readonly rows: number;
  readonly bar_start: string;
  readonly active: boolean;
  readonly touched_at: string | null;
}

export interface NakedPocJson {
  readonly bar_start: string;
  readonly price: number;
  readonly naked_until: string | null;
}

export interface AbsorptionJson {
  readonly bar_start: string;
  readonly price: number;
  readonly side: string;
  readonly volume: number;
}

export interface FootprintData {
  readonly symbol: string;
  readonly timeframe: string;
  readonly aggregation?: Aggregation;
  readonly row_size?: number;
  readonly bars: readonly FootprintCellJson[];
  readonly bar_stats?: readonly BarStatJson[];
  readonly stacked_imbalances?: readonly StackedZoneJson[];
  readonly naked_pocs?: readonly NakedPocJson[];
  readonly absorptions?: readonly AbsorptionJson[];
}

export interface ProfileSummaryJson {
  readonly point_of_control: number | null;
  readonly value_area_high: number | null;
  readonly value_area_low: number | null;
  readonly total_volume: number;
  readonly buy_volume?: number;
  readonly sell_volume?: number;
  readonly delta?: number;
  readonly high_price?: number | null;
  readonly low_price?: number | null;
}

export interface ProfileLevelJson {
  readonly price: number;
  readonly volume: number;
  readonly buy_volume: number;
  readonly sell_volume: number;
  readonly delta: number;
  readonly percentage: number;
  readonly is_hvn: boolean;
  readonly is_poc: boolean;
  readonly is_value_area: boolean;
  readonly is_lvn?: boolean;
}

export interface ProfileData {
  readonly symbol: string;
  readonly profile_type: ProfileType;
  readonly row_size?: number;
  readonly profile: ProfileSummaryJson;
  readonly price_levels: readonly ProfileLevelJson[];
  readonly hvn_prices?: readonly number[];
  readonly lvn_prices?: readonly number[];
  readonly support_levels?: readonly number[];
  readonly resistance_levels?: readonly number[];
  readonly sessions?: readonly {
    readonly name: string;
    readonly start_time: string;
    readonly end_time: string;
    readonly profile: ProfileSummaryJson;
  }[];
}

export interface DeltaBarJson {
  readonly start_time: string;
  readonly end_time: string;
  readonly delta: number;
  readonly volume: number;
  readonly delta_pct?: number;
  readonly cvd_open: number;
  readonly cvd_high: number;
  readonly cvd_low: number;
  readonly cvd_close: number;
  readonly momentum?: number;
}

export type DivergenceJson =
  | { readonly kind: 'bar'; readonly direction: string; readonly bar_start: string }
  | {
      readonly kind: 'swing';
      readonly direction: string;
      readonly first: { readonly time: string; readonly price: number; readonly cvd: number };
      readonly second: { readonly time: string; readonly price: number; readonly cvd: number };
    };

export interface DeltaData {
  readonly symbol: string;
  readonly timeframe?: string;
  readonly delta_profile: {
    readonly cumulative_delta: number;
    readonly delta_momentum: number;
    readonly delta_acceleration?: number;
    readonly buy_pressure: number;
    readonly sell_pressure: number;
    readonly is_divergent: boolean;
    readonly is_exhausted: boolean;
  };
  readonly divergences: readonly DivergenceJson[];
  readonly bars?: readonly DeltaBarJson[];
}

export interface MetricsData {
  readonly symbol: string;
  readonly current_price: number | null;
  readonly cumulative_delta: number;
  readonly session_delta: number;
  readonly buy_pressure: number;
  readonly sell_pressure: number;
  readonly active_imbalances: number;
  readonly liquidity_index: number | null;
  readonly timestamp?: string | null;
}

/** Query parameters the UI sends (snake_case like the REST API). */
export interface FootprintQuery {
  readonly timeframe: string;
  readonly aggregation?: Aggregation;
  readonly ticks_per_row?: number;
  /** Row size in price units (decimal text); the service prefers it over ticks_per_row. */
  readonly price_tick_size?: string;
  readonly volume_per_bar?: string;
  readonly ticks_per_bar?: number;
  readonly start_time?: string;
  readonly end_time?: string;
  readonly exchange?: string;
}

/** A detected signal, as GET /signals lists it and the `signal` message sends it. */
export interface SignalJson {
  readonly symbol: string;
  readonly kind: string;
  readonly direction: string;
  readonly time: string;
  readonly bar_start: string;
  readonly price: number;
  readonly evidence: Readonly<Record<string, unknown>>;
}

export interface SignalsData {
  readonly symbol: string;
  readonly timeframe: string;
  readonly count: number;
  readonly signals: readonly SignalJson[];
}

/** Custom indicator outputs of one bar: indicator name → output name → value. */
export type IndicatorValues = Readonly<Record<string, Readonly<Record<string, number | boolean | null>>>>;

export interface IndicatorsData {
  readonly symbol: string;
  readonly timeframe: string;
  readonly indicators: readonly string[];
  readonly bars: readonly { readonly bar_start: string; readonly values: IndicatorValues }[];
}

export interface StreamMessage {
  readonly type: string;
  readonly data?: unknown;
  readonly symbol?: string;
  readonly error?: { readonly code?: string; readonly message?: string };
}
