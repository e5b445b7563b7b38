// Rebuilds whole bars from `footprint_update` messages: after a bar's first (full) update, the service sends only
// the cells that changed, with `seq` and `base_seq` to chain them. Shared by the typed client and the web UI, so
// their listeners always see every cell of the bar.

/** One cell as the service sends it (the REST footprint cell format); cells are keyed by `price_level`. */
export interface FootprintCellJson {
  readonly price_level: number;
  readonly [field: string]: unknown;
}

export interface FootprintUpdateData {
  readonly symbol: string;
  readonly timeframe: string;
  readonly aggregation?: string;
  readonly price_tick_size?: number;
  readonly exchange?: string;
  /** `bar`: every cell of the bar; `cells`: those that changed since update `base_seq` (absent: `bar`). */
  readonly update?: 'bar' | 'cells';
  readonly seq?: number;
  readonly base_seq?: number;
  readonly bar: {
    readonly start_time: string;
    readonly complete?: boolean;
    readonly [field: string]: unknown;
  };
  readonly bars: readonly FootprintCellJson[];
  readonly [field: string]: unknown;
}

/** A `cells` update whose base this client never got: the bar stays as it was until its next full update. */
export class FootprintUpdateGap extends Error {
  override readonly name = 'FootprintUpdateGap';
}

/** Open bars remembered per channel (the service tracks fewer). */
const BARS_PER_CHANNEL = 8;

interface BarState {
  seq: number | undefined;
  readonly cells: Map<number, FootprintCellJson>;
}

const channelKey = (d: FootprintUpdateData): string =>
  JSON.stringify([
    d.symbol,
    d.exchange ?? null,
    d.timeframe,
    d.aggregation ?? null,
    d.price_tick_size ?? null,
  ]);

export class FootprintUpdateAssembler {
  private readonly channels = new Map<string, Map<string, BarState>>();

  /**
   * The update as a full one: `bars` holds every cell of the bar (ascending price), `update` is `bar`. Throws
   * FootprintUpdateGap for `cells` that do not follow the bar's last update.
   */
  apply(d: FootprintUpdateData): FootprintUpdateData {
    const key = channelKey(d);
    let bars = this.channels.get(key);
    if (bars === undefined) this.channels.set(key, (bars = new Map<string, BarState>()));
    const barKey = d.bar.start_time;
    let state = bars.get(barKey);
    bars.delete(barKey);
    if (d.update === 'cells') {
      if (state === undefined || state.seq === undefined || state.seq !== d.base_seq)
        throw new FootprintUpdateGap(
          `footprint_update ${String(d.seq)} of ${d.symbol} ${barKey} follows update ${String(d.base_seq)}, ` +
            `which this client ${state === undefined ? 'never got' : `did not get (it has ${String(state.seq)})`}`,
        );
    } else state = { seq: undefined, cells: new Map() };
    for (const c of d.bars) state.cells.set(c.price_level, c);
    state.seq = d.seq;
    if (d.bar.complete !== true) bars.set(barKey, state);
    for (const k of bars.keys()) {
      if (bars.size <= BARS_PER_CHANNEL) break;
      bars.delete(k);
    }
    if (d.update !== 'cells') return d;
    const cells = [...state.cells.values()].sort((a, b) => a.price_level - b.price_level);
    const { base_seq: _base, ...rest } = d;
    return { ...rest, update: 'bar', bars: cells };
  }

  /** Forgets every bar (e.g. after a reconnect: the service then starts each bar with a full update). */
  reset(): void {
    this.channels.clear();
  }
}
