// Writes feature rows to Parquet or CSV through DuckDB with a fixed, documented schema (docs/features.md):
// prices and volumes as decimals of the instrument (DOUBLE), counts as INTEGER/BIGINT, flags as BOOLEAN.

import { DuckDBInstance, type DuckDBAppender } from '@duckdb/node-api';
import { unitsToNumber } from '../core/decimal.ts';
import type { Scale } from '../core/instrument.ts';
import type { FeatureRow } from './feature-engine.ts';

export type FeatureFormat = 'parquet' | 'csv';

type ColumnType = 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'BOOLEAN';

export interface FeatureColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  readonly description: string;
  readonly value: (r: FeatureRow, s: Scale) => number | boolean | null;
}

const px = (t: number, s: Scale): number => unitsToNumber(t, s.price);
const qty = (l: number, s: Scale): number => unitsToNumber(l, s.qty);
const lotSize = (s: Scale): number => unitsToNumber(1, s.qty);

/** The feature columns in file order (labels follow as fwd_return_<k>). */
export const FEATURE_COLUMNS: readonly FeatureColumn[] = [
  {
    name: 'bar_start_us',
    type: 'BIGINT',
    nullable: false,
    description: 'bar start, µs since epoch UTC',
    value: (r) => r.barStart,
  },
  {
    name: 'bar_end_us',
    type: 'BIGINT',
    nullable: false,
    description: 'bar end, µs (TIME: start + timeframe; else last trade)',
    value: (r) => r.barEnd,
  },
  {
    name: 'open',
    type: 'DOUBLE',
    nullable: false,
    description: 'first trade price',
    value: (r, s) => px(r.open, s),
  },
  {
    name: 'high',
    type: 'DOUBLE',
    nullable: false,
    description: 'highest trade price',
    value: (r, s) => px(r.high, s),
  },
  {
    name: 'low',
    type: 'DOUBLE',
    nullable: false,
    description: 'lowest trade price',
    value: (r, s) => px(r.low, s),
  },
  {
    name: 'close',
    type: 'DOUBLE',
    nullable: false,
    description: 'last trade price',
    value: (r, s) => px(r.close, s),
  },
  {
    name: 'volume',
    type: 'DOUBLE',
    nullable: false,
    description: 'buy + sell volume (base units)',
    value: (r, s) => qty(r.volume, s),
  },
  {
    name: 'buy_volume',
    type: 'DOUBLE',
    nullable: false,
    description: 'taker-buy volume',
    value: (r, s) => qty(r.buyVolume, s),
  },
  {
    name: 'sell_volume',
    type: 'DOUBLE',
    nullable: false,
    description: 'taker-sell volume',
    value: (r, s) => qty(r.sellVolume, s),
  },
  {
    name: 'delta',
    type: 'DOUBLE',
    nullable: false,
    description: 'buy − sell volume',
    value: (r, s) => qty(r.delta, s),
  },
  {
    name: 'delta_pct',
    type: 'DOUBLE',
    nullable: false,
    description: 'delta / volume · 100 (0 without volume)',
    value: (r) => r.deltaPct,
  },
  {
    name: 'min_delta',
    type: 'DOUBLE',
    nullable: false,
    description: 'lowest running delta inside the bar',
    value: (r, s) => qty(r.minDelta, s),
  },
  {
    name: 'max_delta',
    type: 'DOUBLE',
    nullable: false,
    description: 'highest running delta inside the bar',
    value: (r, s) => qty(r.maxDelta, s),
  },
  { name: 'trades', type: 'BIGINT', nullable: false, description: 'exchange trades', value: (r) => r.trades },
  {
    name: 'buy_imbalances',
    type: 'INTEGER',
    nullable: false,
    description: 'cells with a buy imbalance',
    value: (r) => r.buyImbalances,
  },
  {
    name: 'sell_imbalances',
    type: 'INTEGER',
    nullable: false,
    description: 'cells with a sell imbalance',
    value: (r) => r.sellImbalances,
  },
  {
    name: 'stacked_buy_zones',
    type: 'INTEGER',
    nullable: false,
    description: 'stacked buy-imbalance zones formed in the bar',
    value: (r) => r.stackedBuyZones,
  },
  {
    name: 'stacked_sell_zones',
    type: 'INTEGER',
    nullable: false,
    description: 'stacked sell-imbalance zones formed in the bar',
    value: (r) => r.stackedSellZones,
  },
  {
    name: 'poc_price',
    type: 'DOUBLE',
    nullable: false,
    description: "bar POC row's price (low edge)",
    value: (r, s) => px(r.pocPrice, s),
  },
  {
    name: 'poc_position',
    type: 'DOUBLE',
    nullable: false,
    description: 'POC row within the bar range: 0 low … 1 high',
    value: (r) => r.pocPosition,
  },
  {
    name: 'va_position',
    type: 'DOUBLE',
    nullable: true,
    description: "close vs the session's developing value area: 0 VAL … 1 VAH",
    value: (r) => r.vaPosition,
  },
  {
    name: 'cvd',
    type: 'DOUBLE',
    nullable: false,
    description: 'cumulative delta at the bar close',
    value: (r, s) => qty(r.cvd, s),
  },
  {
    name: 'cvd_slope',
    type: 'DOUBLE',
    nullable: true,
    description: 'least-squares CVD slope per bar over slopeBars bars',
    value: (r, s) => (r.cvdSlope === null ? null : r.cvdSlope * lotSize(s)),
  },
  {
    name: 'absorption_buy_volume',
    type: 'DOUBLE',
    nullable: false,
    description: 'buy volume absorbed at a high, confirmed at this bar',
    value: (r, s) => qty(r.absorptionBuyVolume, s),
  },
  {
    name: 'absorption_sell_volume',
    type: 'DOUBLE',
    nullable: false,
    description: 'sell volume absorbed at a low, confirmed at this bar',
    value: (r, s) => qty(r.absorptionSellVolume, s),
  },
  {
    name: 'unfinished_high',
    type: 'BOOLEAN',
    nullable: false,
    description: 'unfinished auction at the high',
    value: (r) => r.unfinishedHigh,
  },
  {
    name: 'unfinished_low',
    type: 'BOOLEAN',
    nullable: false,
    description: 'unfinished auction at the low',
    value: (r) => r.unfinishedLow,
  },
  {
    name: 'liquidity_index',
    type: 'DOUBLE',
    nullable: true,
    description: 'liquidity index 0–100 at the bar close',
    value: (r) => r.liquidityIndex,
  },
  {
    name: 'bullish_signals',
    type: 'INTEGER',
    nullable: false,
    description: 'bullish signals completed by the bar',
    value: (r) => r.bullishSignals,
  },
  {
    name: 'bearish_signals',
    type: 'INTEGER',
    nullable: false,
    description: 'bearish signals completed by the bar',
    value: (r) => r.bearishSignals,
  },
];

const sql = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** Writes the rows (labels for `horizons`) to `out`; returns the number of rows written. */
export async function exportFeatures(
  rows: readonly FeatureRow[],
  scale: Scale,
  horizons: readonly number[],
  out: string,
  format: FeatureFormat,
): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const labels = horizons.map((k) => `fwd_return_${k}`);
    const cols = [...FEATURE_COLUMNS.map((c) => `${c.name} ${c.type}`), ...labels.map((l) => `${l} DOUBLE`)];
    await conn.run(`CREATE TABLE features (${cols.join(', ')})`);
    const app: DuckDBAppender = await conn.createAppender('features');
    try {
      for (const r of rows) {
        for (const c of FEATURE_COLUMNS) {
          const v = c.value(r, scale);
          if (v === null) app.appendNull();
          else if (c.type === 'BOOLEAN') app.appendBoolean(v === true);
          else if (c.type === 'BIGINT') app.appendBigInt(BigInt(v));
          else if (c.type === 'INTEGER') app.appendInteger(v as number);
          else app.appendDouble(v as number);
        }
        for (const k of horizons) {
          const v = r.forwardReturns[k];
          if (v === null || v === undefined) app.appendNull();
          else app.appendDouble(v);
        }
        app.endRow();
      }
      app.flushSync();
    } finally {
      app.closeSync();
    }
    const opts = format === 'parquet' ? 'FORMAT PARQUET, COMPRESSION ZSTD' : 'FORMAT CSV, HEADER';
    await conn.run(
      `COPY (SELECT *, make_timestamp(bar_start_us) AS time FROM features ORDER BY bar_start_us) TO ${sql(out)} (${opts})`,
    );
    return rows.length;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
