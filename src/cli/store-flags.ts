// Flags and helpers every store-backed command shares: the data directory, opening the store for one command,
// the query range (--from/--start-time, --to/--end-time) and the symbol resolved against the config's markets.

import type { Command } from 'commander';
import type { OrderFlowConfig } from '../core/config.ts';
import { OrderflowError } from '../core/errors.ts';
import { resolveParams, type AnalyticsParams } from '../core/params.ts';
import { parseTime } from '../core/time.ts';
import { DuckDbTradeStore } from '../store/duckdb-store.ts';
import type { TradeStore } from '../store/port.ts';
import { resolveTarget, type QueryTarget } from '../query/targets.ts';
import type { QueryRange } from './analysis.ts';

export type Flags = Record<string, unknown>;

export const DEFAULT_DATA_DIR = './data';

/** --data-dir, else ORDERFLOW_DATA_DIR, else ./data. */
export const dataDirOf = (flags: Flags): string =>
  typeof flags.dataDir === 'string' ? flags.dataDir : (process.env.ORDERFLOW_DATA_DIR ?? DEFAULT_DATA_DIR);

export function addDataDirFlag(cmd: Command): Command {
  return cmd.option('--data-dir <dir>', `directory of the tick store (default ${DEFAULT_DATA_DIR})`);
}

/** The flags of commands that do not take the query flags (import, stats, export). */
export function addCommonFlags(cmd: Command): Command {
  return addDataDirFlag(cmd)
    .option('--config <file>', 'JSON or YAML config file (OrderFlowConfig fields, camelCase)')
    .option('--json', 'print the result as one JSON body');
}

export function addRangeFlags(cmd: Command): Command {
  return cmd
    .option('--symbol <symbol>', 'query the store: exchange:SYMBOL (e.g. binance:BTCUSDT) or a market (BTC)')
    .option('--from <rfc3339>', 'range start (inclusive); same as --start-time')
    .option('--to <rfc3339>', 'range end (exclusive); same as --end-time');
}

function oneOf(flags: Flags, a: string, b: string): string | undefined {
  const x = flags[a];
  const y = flags[b];
  if (typeof x === 'string' && typeof y === 'string' && x !== y) {
    throw new OrderflowError(
      'INVALID_CONFIG',
      `give --${a} or --${b.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}, not both`,
    );
  }
  return typeof x === 'string' ? x : typeof y === 'string' ? y : undefined;
}

export function rangeOf(flags: Flags): QueryRange {
  const from = oneOf(flags, 'from', 'startTime');
  const to = oneOf(flags, 'to', 'endTime');
  const r: QueryRange = {
    ...(from === undefined ? {} : { from: parseTime(from) }),
    ...(to === undefined ? {} : { to: parseTime(to) }),
  };
  if (r.from !== undefined && r.to !== undefined && r.to <= r.from) {
    throw new OrderflowError('OUT_OF_RANGE', `the range end ${to} is not after its start ${from}`);
  }
  return r;
}

/** Opens the DuckDB store of the data directory for the duration of fn. */
export async function withStore<T>(flags: Flags, fn: (store: TradeStore) => Promise<T>): Promise<T> {
  const store = new DuckDbTradeStore({ dataDir: dataDirOf(flags) });
  await store.open();
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export interface StoreQuery {
  readonly store: TradeStore;
  readonly target: QueryTarget;
  readonly params: AnalyticsParams;
  readonly range: QueryRange;
  readonly timeframe: string;
}

export async function storeQueryOf(
  store: TradeStore,
  flags: Flags,
  cfg: OrderFlowConfig,
): Promise<StoreQuery> {
  if (typeof flags.symbol !== 'string')
    throw new OrderflowError('INVALID_CONFIG', 'give --symbol S or --file PATH');
  if (cfg.volumeUnit === 'quote') {
    // Rollups hold base quantities; quote volume needs each trade's price, so it is computed from files for now.
    throw new OrderflowError(
      'INVALID_CONFIG',
      'volume unit quote is supported with --file queries; the store serves base volume',
    );
  }
  const target = await resolveTarget(store, flags.symbol, cfg.markets ?? {});
  const params = resolveParams(cfg, target.scale, target.qtyStep);
  return { store, target, params, range: rangeOf(flags), timeframe: cfg.timePerRow };
}
