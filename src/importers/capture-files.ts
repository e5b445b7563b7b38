// Imports recorded Coinbase WebSocket captures (Exchange `matches` NDJSON, or Advanced Trade `market_trades` in the
// recorder's {"t":"recv","ts","data"} envelopes) through the live feed mappers, streaming, one writer per product.
// Binance captures are trade files: importTradeFile reads them.

import { InstrumentRegistry } from '../core/instrument.ts';
import type { Trade } from '../core/trade.ts';
import { micros, type UnixMicros } from '../core/units.ts';
import { createCoinbaseAdvancedMapper } from '../sources/exchanges/mappers/coinbase-advanced.ts';
import { createCoinbaseMapper } from '../sources/exchanges/mappers/coinbase.ts';
import type { FeedMapper } from '../sources/exchanges/types.ts';
import type { TradeStore } from '../store/port.ts';
import { openTradeFile } from './file-stream.ts';
import { InstrumentWriter } from './instrument-writer.ts';
import { ProgressTracker, type ProgressListener } from './progress.ts';

export interface CaptureImportOptions {
  readonly registry?: InstrumentRegistry;
  readonly batchBytes?: number;
  readonly onProgress?: ProgressListener;
}

export interface CaptureImportResult {
  readonly file: string;
  readonly frames: number;
  /** Trade prints seen (snapshots replayed on subscribe included; the store dedupes them). */
  readonly trades: number;
  readonly inserted: number;
  readonly duplicates: number;
  /** Frames the mappers could not read, with their line. */
  readonly bad: number;
  readonly badExamples: readonly { readonly line: number; readonly reason: string }[];
  readonly instruments: readonly string[];
}

/** Whether a first line looks like a Coinbase capture (a raw frame or a recorder envelope of one). */
export function isCoinbaseCapture(firstLine: string): boolean {
  return (
    /"exchange"\s*:\s*"COINBASE"/.test(firstLine) ||
    /^\{"type":"(subscriptions|match|last_match|snapshot|l2update|heartbeat|ticker)"/.test(firstLine)
  );
}

interface Frame {
  readonly raw: string;
  readonly recvTs: UnixMicros | undefined;
}

/** A line as a frame: the recorder's received frames are unwrapped; its other records are skipped. */
function frameOf(line: string): Frame | undefined {
  if (!line.startsWith('{"t":')) return { raw: line, recvTs: undefined };
  const env = JSON.parse(line) as { t?: unknown; ts?: unknown; data?: unknown };
  if (env.t !== 'recv' || typeof env.data !== 'string') return undefined;
  return { raw: env.data, recvTs: typeof env.ts === 'number' ? micros(Math.round(env.ts * 1e6)) : undefined };
}

export async function importCoinbaseCapture(
  store: TradeStore,
  path: string,
  o: CaptureImportOptions = {},
): Promise<CaptureImportResult> {
  const registry = o.registry ?? new InstrumentRegistry();
  const matches = createCoinbaseMapper({ registry });
  const advanced = createCoinbaseAdvancedMapper({ registry });
  const file = await openTradeFile(path);
  const tracker = new ProgressTracker('import', path, o.onProgress, file.size);
  const writers = new Map<string, InstrumentWriter>();
  const badExamples: { line: number; reason: string }[] = [];
  let frames = 0;
  let trades = 0;
  let bad = 0;
  for await (const b of file.batches(o.batchBytes)) {
    const bySymbol = new Map<string, Trade[]>();
    const lines = b.text.split('\n');
    for (let k = 0; k < lines.length; k++) {
      const line = lines[k]!.replace(/\r$/, '');
      if (line.trim() === '') continue;
      let frame: Frame | undefined;
      try {
        frame = frameOf(line);
      } catch {
        frame = { raw: line, recvTs: undefined };
      }
      if (frame === undefined) continue;
      frames++;
      const mapper: FeedMapper = frame.raw.includes('"channel"') ? advanced : matches;
      for (const e of mapper.map(frame.raw, frame.recvTs ?? micros(0))) {
        if (e.kind === 'bad') {
          bad++;
          if (badExamples.length < 100) badExamples.push({ line: b.lineOffset + k + 1, reason: e.reason });
        } else if (e.kind === 'trades') {
          let list = bySymbol.get(e.symbol);
          if (list === undefined) bySymbol.set(e.symbol, (list = []));
          for (const t of e.trades) {
            // without a recorded receive time there is none to keep
            if (frame.recvTs === undefined) {
              const { recvTs: _drop, ...rest } = t;
              list.push(rest);
            } else list.push(t);
          }
        }
      }
    }
    for (const [symbol, list] of bySymbol) {
      const inst = registry.get('coinbase', symbol);
      if (inst === undefined) continue;
      let w = writers.get(symbol);
      if (w === undefined) writers.set(symbol, (w = new InstrumentWriter(store, 'coinbase', symbol)));
      trades += list.length;
      await w.write(list, inst);
    }
    const inserted = [...writers.values()].reduce((s, w) => s + w.counts.inserted, 0);
    tracker.emit(b.bytesRead, trades, inserted);
  }
  const sum = (f: (w: InstrumentWriter) => number): number =>
    [...writers.values()].reduce((s, w) => s + f(w), 0);
  return {
    file: path,
    frames,
    trades,
    inserted: sum((w) => w.counts.inserted),
    duplicates: sum((w) => w.counts.duplicates),
    bad,
    badExamples,
    instruments: [...writers.keys()].sort().map((s) => `coinbase:${s}`),
  };
}
