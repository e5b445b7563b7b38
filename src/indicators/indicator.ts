// The custom-indicator API: a user module defines an indicator with `defineIndicator`, combining engine outputs
// (the closed footprint bar, its delta and CVD, imbalance counts, signals) into named numbers per bar.

import type { AnalyticsParams } from '../core/params.ts';
import type { FootprintBar } from '../engines/footprint.ts';
import type { SignalEvent } from '../signals/signal-engine.ts';

/** One bar's values of an indicator: named numbers, booleans or null (not enough data yet). */
export type IndicatorOutput = Readonly<Record<string, number | boolean | null>>;

/** Engine outputs an indicator may ask for; only the requested ones are computed. */
export type IndicatorInput = 'footprint' | 'delta' | 'imbalances' | 'signals';

export interface IndicatorContext {
  /** The closed bar (cells, OHLC in ticks, volumes in lots). */
  readonly bar: FootprintBar;
  readonly params: AnalyticsParams;
  /** Bars before this one. */
  readonly index: number;
  /** CVD at the bar's close (lots; cvdReset applies); needs input 'delta'. */
  readonly cvd: number;
  /** delta / volume · 100, 0 without volume; needs input 'delta'. */
  readonly deltaPct: number;
  /** Cells with a buy / sell imbalance (ANALYTICS.md §2); needs input 'imbalances', else 0. */
  readonly buyImbalances: number;
  readonly sellImbalances: number;
  /** Signals completed by this bar; needs input 'signals', else empty. */
  readonly signals: readonly SignalEvent[];
  /** Instrument units, for outputs in price/quantity rather than ticks/lots. */
  price(ticks: number): number;
  qty(lots: number): number;
  /** This indicator's options from the config. */
  readonly options: Readonly<Record<string, unknown>>;
}

export interface IndicatorDefinition<S = unknown, O extends IndicatorOutput = IndicatorOutput> {
  /** Unique name: letters, digits, '_' and '-'. */
  readonly name: string;
  readonly description?: string;
  readonly inputs: readonly IndicatorInput[];
  /** Fresh state for a run (called once per run, live or over history). */
  init(options: Readonly<Record<string, unknown>>, params: AnalyticsParams): S;
  /** Values at a closed bar; may update `state`. Must be deterministic (no clock, no randomness). */
  onBar(ctx: IndicatorContext, state: S): O;
}

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const INPUTS: readonly IndicatorInput[] = ['footprint', 'delta', 'imbalances', 'signals'];

/** Checks and returns an indicator definition (throws TypeError naming the problem). */
export function defineIndicator<S, O extends IndicatorOutput>(
  def: IndicatorDefinition<S, O>,
): IndicatorDefinition<S, O> {
  if (!NAME.test(def.name))
    throw new TypeError(`indicator name ${JSON.stringify(def.name)} must match ${NAME}`);
  for (const i of def.inputs) {
    if (!INPUTS.includes(i)) throw new TypeError(`indicator ${def.name}: unknown input ${JSON.stringify(i)}`);
  }
  if (typeof def.init !== 'function' || typeof def.onBar !== 'function') {
    throw new TypeError(`indicator ${def.name}: init and onBar must be functions`);
  }
  return def;
}
