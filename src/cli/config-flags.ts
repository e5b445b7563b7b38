// Query flags shared by the CLI commands, layered over the config file and the environment.

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Command } from 'commander';
import { configFromEnv, parseConfig, type OrderFlowConfig } from '../core/config.ts';
import { OrderflowError } from '../core/errors.ts';

/** Flag → config field. Flags mirror the REST query parameters. */
const FLAG_FIELDS: Record<string, { field: string; kind: 'string' | 'int' | 'decimal' }> = {
  timeframe: { field: 'timePerRow', kind: 'string' },
  aggregation: { field: 'tickAggregationMethod', kind: 'string' },
  volumePerBar: { field: 'volumePerBar', kind: 'decimal' },
  ticksPerBar: { field: 'ticksPerBar', kind: 'int' },
  priceTickSize: { field: 'priceTickSize', kind: 'decimal' },
  ticksPerRow: { field: 'ticksPerRow', kind: 'int' },
  imbalanceThreshold: { field: 'imbalanceThreshold', kind: 'decimal' },
  imbalanceMinVolume: { field: 'imbalanceMinVolume', kind: 'decimal' },
  imbalanceMode: { field: 'imbalanceMode', kind: 'string' },
  zeroPolicy: { field: 'zeroPolicy', kind: 'string' },
  stackCount: { field: 'stackCount', kind: 'int' },
  valueAreaPercentage: { field: 'valueAreaPercentage', kind: 'decimal' },
  valueAreaMethod: { field: 'valueAreaMethod', kind: 'string' },
  cvdReset: { field: 'cvdReset', kind: 'string' },
  deltaSmoothingPeriod: { field: 'deltaSmoothingPeriod', kind: 'int' },
  volumeUnit: { field: 'volumeUnit', kind: 'string' },
};

export function addQueryFlags(cmd: Command): Command {
  return cmd
    .option('--file <path>', 'Binance dump CSV/zip or recorded trade-stream file')
    .option('--config <file>', 'JSON or YAML config file (OrderFlowConfig fields, camelCase)')
    .option('--json', 'print exactly the JSON body of the matching REST endpoint')
    .option('--strict', 'abort on the first malformed row')
    .option('--start-time <rfc3339>', 'range start (inclusive)')
    .option('--end-time <rfc3339>', 'range end (exclusive)')
    .option('--timeframe <tf>', 'bar timeframe: 1m, 5m, 15m, 1h, 4h, 1d or Ns/Nm/Nh/Nd')
    .option('--aggregation <method>', 'TIME | VOLUME | TICK_COUNT')
    .option('--volume-per-bar <v>', 'VOLUME bar size in base units')
    .option('--ticks-per-bar <n>', 'TICK_COUNT bar size in trades')
    .option('--price-tick-size <p>', 'row size in price units (a multiple of the tick size)')
    .option('--ticks-per-row <n>', 'row size in ticks')
    .option('--tick-size <p>', "the instrument's price increment (else known or inferred)")
    .option('--lot-size <q>', "the instrument's quantity increment (else known or inferred)")
    .option('--imbalance-threshold <pct>', 'diagonal imbalance threshold in percent (300 = 3x)')
    .option('--imbalance-min-volume <v>', 'minimum volume of an imbalanced cell')
    .option('--imbalance-mode <mode>', 'diagonal | horizontal')
    .option('--zero-policy <policy>', 'skip | one | infinite')
    .option('--stack-count <n>', 'rows for a stacked imbalance')
    .option('--value-area-percentage <pct>', 'value area target (default 70)')
    .option('--value-area-method <m>', 'cbot | single')
    .option('--cvd-reset <mode>', 'none | session | day')
    .option('--delta-smoothing-period <n>', 'EMA period of delta momentum')
    .option('--volume-unit <unit>', 'base | quote (Σ price·qty)')
    .option('--no-color', 'plain text output');
}

/** A JSON or YAML config file (by extension; YAML is a superset of JSON). */
export function readConfigFile(path: string): Record<string, unknown> {
  const text = readFileSync(path, 'utf8');
  const json = /\.json$/i.test(path);
  let parsed: unknown;
  try {
    parsed = json ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new OrderflowError(
      'INVALID_CONFIG',
      `config file ${path} is not valid ${json ? 'JSON' : 'YAML'}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new OrderflowError(
      'INVALID_CONFIG',
      `config file ${path} must hold an object of OrderFlowConfig fields`,
    );
  }
  return parsed as Record<string, unknown>;
}

/** defaults ← config file ← ORDERFLOW_* environment ← flags. */
export function configFromFlags(flags: Record<string, unknown>): OrderFlowConfig {
  const base: Record<string, unknown> = {
    ...(typeof flags.config === 'string' ? readConfigFile(flags.config) : {}),
    ...configFromEnv(process.env),
  };
  for (const [flag, { field, kind }] of Object.entries(FLAG_FIELDS)) {
    const v = flags[flag];
    if (typeof v !== 'string') continue;
    base[field] =
      kind === 'int'
        ? /^\d+$/.test(v)
          ? Number(v)
          : v
        : kind === 'string' && field === 'tickAggregationMethod'
          ? v.toUpperCase()
          : v;
  }
  try {
    return parseConfig(base);
  } catch (e) {
    // Name the flag next to the config field so the user sees what to fix.
    if (e instanceof OrderflowError) {
      let msg = e.message;
      for (const [flag, { field }] of Object.entries(FLAG_FIELDS)) {
        const kebab = flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
        msg = msg.replace(new RegExp(`^(\\s*)${field}:`, 'm'), `$1${field} (--${kebab}):`);
      }
      throw new OrderflowError(e.code, msg, { cause: e });
    }
    throw e;
  }
}
