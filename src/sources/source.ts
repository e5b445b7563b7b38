// The one interface the service consumes: anything that produces normalized trades over time (live exchange
// collectors, a replay of stored history or capture files, the market simulator).

import type { Instrument } from '../core/instrument.ts';
import type { Trade } from '../core/trade.ts';

export type SourceKind = 'live' | 'replay' | 'simulator';

export type SourceEvent =
  /** Trades of one instrument, in id order for live streams. `late`: a REST backfill of an earlier gap. */
  | {
      readonly type: 'trades';
      readonly instrument: Instrument;
      readonly trades: readonly Trade[];
      readonly late?: boolean;
    }
  /** A stream's connection state changed. */
  | {
      readonly type: 'status';
      readonly stream: string;
      readonly state: 'connecting' | 'connected' | 'disconnected' | 'stalled' | 'ended';
      readonly detail?: string;
    }
  /** A gap in trade ids was found / filled / could not be filled (recorded and exposed, never silent). */
  | {
      readonly type: 'gap';
      readonly stream: string;
      readonly from: number;
      readonly to: number;
      readonly state: 'found' | 'filled' | 'lost';
      readonly reason?: string;
    }
  /** A frame or row that could not be used, with its raw text (counted, never thrown). */
  | { readonly type: 'bad'; readonly stream: string; readonly reason: string; readonly raw: string };

export interface TradeSource {
  readonly kind: SourceKind;
  /** Human-readable, e.g. "live: binance BTCUSDT, coinbase BTC-USD", "replay ×10: FILE", "simulator". */
  readonly description: string;
  /** The instruments this source produces trades for. */
  readonly instruments: readonly Instrument[];
  /** Starts producing; events go to `sink` synchronously in production order. */
  start(sink: (e: SourceEvent) => void): Promise<void>;
  /** Stops producing and releases sockets/timers; resolves when nothing more will be emitted. */
  stop(): Promise<void>;
  /** Per-stream observability figures (trades/s, lag, reconnects, gaps, completeness). */
  stats(): Record<string, unknown>;
}
