// Runs custom indicators over closed bars, live (one bar at a time) or over history (`indicatorsOverHistory`),
// computing only the engine outputs the indicators asked for. Pure: the same bars give the same values.

import { unitsToNumber } from '../core/decimal.ts';
import type { AnalyticsParams } from '../core/params.ts';
import { cvdSegmentStart } from '../engines/delta.ts';
import type { FootprintBar } from '../engines/footprint.ts';
import { cellImbalances } from '../engines/imbalance.ts';
import type { SignalEvent } from '../signals/signal-engine.ts';
import type { IndicatorContext, IndicatorDefinition, IndicatorOutput } from './indicator.ts';

/** An indicator with its options, as the config registers it. */
export interface IndicatorInstance {
  readonly definition: IndicatorDefinition;
  readonly options?: Readonly<Record<string, unknown>>;
  /** Name the values are reported under (default: the definition's name). */
  readonly as?: string;
}

export interface IndicatorRow {
  readonly barStart: number;
  readonly values: Readonly<Record<string, IndicatorOutput>>;
}

interface Running {
  readonly name: string;
  readonly def: IndicatorDefinition<unknown>;
  readonly state: unknown;
  readonly options: Readonly<Record<string, unknown>>;
}

const EMPTY: readonly SignalEvent[] = [];

export class IndicatorRunner {
  private readonly running: Running[];
  private readonly needImbalances: boolean;
  private index = 0;
  private cvd = 0;
  private segment: number | null = null;

  constructor(
    instances: readonly IndicatorInstance[],
    readonly params: AnalyticsParams,
  ) {
    const names = new Set<string>();
    this.running = instances.map((inst) => {
      const def = inst.definition;
      const name = inst.as ?? def.name;
      if (names.has(name)) throw new TypeError(`indicator name ${name} is registered twice (use "as")`);
      names.add(name);
      const options = inst.options ?? {};
      return { name, def, options, state: def.init(options, params) };
    });
    this.needImbalances = this.running.some((r) => r.def.inputs.includes('imbalances'));
  }

  get names(): string[] {
    return this.running.map((r) => r.name);
  }

  /** Values of every indicator at the next closed bar (oldest first). */
  update(bar: FootprintBar, signals: readonly SignalEvent[] = EMPTY): Record<string, IndicatorOutput> {
    const p = this.params;
    const seg = cvdSegmentStart(bar.start, p);
    if (this.index > 0 && seg !== this.segment) this.cvd = 0;
    this.segment = seg;
    this.cvd += bar.delta;
    let buyImb = 0;
    let sellImb = 0;
    if (this.needImbalances) {
      for (const f of cellImbalances(bar, p.imbalance)) {
        if (f.buyImbalance) buyImb++;
        if (f.sellImbalance) sellImb++;
      }
    }
    const out: Record<string, IndicatorOutput> = {};
    for (const r of this.running) {
      const ctx: IndicatorContext = {
        bar,
        params: p,
        index: this.index,
        cvd: this.cvd,
        deltaPct: bar.volume === 0 ? 0 : (bar.delta / bar.volume) * 100,
        buyImbalances: buyImb,
        sellImbalances: sellImb,
        signals: r.def.inputs.includes('signals') ? signals : EMPTY,
        price: (t) => unitsToNumber(t, p.scale.price),
        qty: (l) => unitsToNumber(l, p.scale.qty),
        options: r.options,
      };
      out[r.name] = r.def.onBar(ctx, r.state);
    }
    this.index++;
    return out;
  }
}

/** Batch form: every indicator over closed bars (oldest first), with the signals of each bar if given. */
export function indicatorsOverHistory(
  bars: readonly FootprintBar[],
  instances: readonly IndicatorInstance[],
  params: AnalyticsParams,
  signalsByBar?: (bar: FootprintBar, index: number) => readonly SignalEvent[],
): IndicatorRow[] {
  const runner = new IndicatorRunner(instances, params);
  return bars.map((bar, i) => ({
    barStart: bar.start,
    values: runner.update(bar, signalsByBar?.(bar, i) ?? EMPTY),
  }));
}
