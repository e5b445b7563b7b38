// Replay of stored history (a TradeStore) or trade/capture files as a TradeSource: at real pace, N× speed or as
// fast as possible, several instruments merged in time order. Deterministic: the events depend only on the inputs.
//
// Choices: pacing uses the recorded receive stamps when every trade of the replay has one (that is how the
// market was seen live), else trade time; a key that goes backwards (receive stamps of merged streams) never
// makes the clock go back. One `trades` event holds consecutive trades of one instrument with the same pacing
// key (all due at the same instant); at max speed, up to `batchMaxTrades` consecutive trades of one instrument.
// Merge order at equal keys: the order of the inputs. Bad rows of files are emitted as `bad` events (the
// examples the ingest report kept) before the first trade. The end emits status 'ended'; stop() emits
// 'disconnected' (detail "stopped") instead.

import type { Instrument } from '../core/instrument.ts';
import type { Trade } from '../core/trade.ts';
import type { TradeStore } from '../store/port.ts';
import { readTradeFile, type ReadTradeFileOptions } from './files/read-trade-file.ts';
import type { SourceEvent, TradeSource } from './source.ts';

/** Time as the replay sees it (ms); tests inject a virtual clock, production uses the monotonic one. */
export interface ReplayClock {
  now(): number;
  /** Resolves after `ms` or as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const realClock: ReplayClock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    }),
};

export type ReplayInput =
  /** Trades already in memory (sorted by time), e.g. a file read beforehand. */
  | {
      readonly kind: 'trades';
      readonly instrument: Instrument;
      readonly trades: readonly Trade[];
      readonly label?: string;
    }
  /** Stored history of one instrument, fromUs ≤ ts < toUs, read in batches. */
  | {
      readonly kind: 'store';
      readonly store: TradeStore;
      readonly instrument: Instrument;
      readonly fromUs: number;
      readonly toUs: number;
      readonly batchSize?: number;
    };

export type ReplaySpeed = number | 'max';
export type ReplayPacing = 'auto' | 'trade-time' | 'receive-time';

export interface ReplayOptions {
  readonly inputs: readonly ReplayInput[];
  /** 1 = real pace, 10 = ten times faster, 'max' = as fast as the consumer takes them. Default 1. */
  readonly speed?: ReplaySpeed;
  readonly pacing?: ReplayPacing;
  readonly clock?: ReplayClock;
  /** Largest `trades` event at max speed (and the yield interval to the event loop). Default 1000. */
  readonly batchMaxTrades?: number;
  /** Stream name in status events. Default "replay". */
  readonly stream?: string;
  /** Rows a file could not use, emitted as `bad` events at start. */
  readonly bad?: readonly { readonly stream: string; readonly reason: string; readonly raw: string }[];
  readonly description?: string;
}

interface Cursor {
  readonly index: number;
  readonly instrument: Instrument;
  readonly batches: AsyncIterator<readonly Trade[]>;
  buf: readonly Trade[];
  pos: number;
  done: boolean;
  emitted: number;
}

async function* once(trades: readonly Trade[]): AsyncGenerator<readonly Trade[]> {
  await Promise.resolve();
  yield trades;
}

function batchesOf(input: ReplayInput): AsyncIterator<readonly Trade[]> {
  if (input.kind === 'trades') return once(input.trades);
  const { store, instrument: i, fromUs, toUs, batchSize } = input;
  return store.iterateTrades(i.exchange, i.symbol, fromUs, toUs, batchSize)[Symbol.asyncIterator]();
}

const speedLabel = (s: ReplaySpeed): string => (s === 'max' ? 'max speed' : `×${s}`);

export class ReplaySource implements TradeSource {
  readonly kind = 'replay' as const;
  readonly description: string;
  readonly instruments: readonly Instrument[];
  private readonly speed: ReplaySpeed;
  private readonly clock: ReplayClock;
  private readonly stream: string;
  private readonly abort = new AbortController();
  private cursors: Cursor[] = [];
  private running: Promise<void> | undefined;
  private stopped = false;
  private useRecv = false;
  private emittedTrades = 0;
  private emittedEvents = 0;
  private lastKey: number | undefined;
  private firstKey: number | undefined;
  private behindMs = 0;
  private state: 'idle' | 'running' | 'ended' | 'stopped' = 'idle';

  constructor(private readonly opts: ReplayOptions) {
    if (opts.inputs.length === 0) throw new Error('replay needs at least one input');
    const speed = opts.speed ?? 1;
    if (speed !== 'max' && !(speed > 0 && Number.isFinite(speed)))
      throw new Error(`replay speed ${speed} must be > 0`);
    this.speed = speed;
    this.clock = opts.clock ?? realClock;
    this.stream = opts.stream ?? 'replay';
    this.instruments = opts.inputs.map((i) => i.instrument);
    const names = opts.inputs.map((i) =>
      i.kind === 'trades'
        ? (i.label ?? `${i.instrument.exchange}:${i.instrument.symbol}`)
        : `store ${i.instrument.exchange}:${i.instrument.symbol}`,
    );
    this.description = opts.description ?? `replay ${speedLabel(speed)}: ${names.join(', ')}`;
  }

  /** Reads trade/capture files (any format readTradeFile knows) and replays them merged. */
  static async fromFiles(
    paths: readonly string[],
    opts: Omit<ReplayOptions, 'inputs' | 'bad'> & { readonly file?: ReadTradeFileOptions } = {},
  ): Promise<ReplaySource> {
    const inputs: ReplayInput[] = [];
    const bad: { stream: string; reason: string; raw: string }[] = [];
    for (const p of paths) {
      const r = await readTradeFile(p, opts.file);
      inputs.push({ kind: 'trades', instrument: r.instrument, trades: r.trades, label: p });
      for (const m of r.report.malformedExamples)
        bad.push({ stream: p, reason: `line ${m.line}: ${m.field} ${m.reason}`, raw: m.value });
    }
    return new ReplaySource({
      ...opts,
      inputs,
      bad,
      description: opts.description ?? `replay ${speedLabel(opts.speed ?? 1)}: ${paths.join(', ')}`,
    });
  }

  /** Resolves when the replay has ended or been stopped (tests and the CLI wait on it). */
  get done(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  async start(sink: (e: SourceEvent) => void): Promise<void> {
    if (this.state !== 'idle') throw new Error('a replay starts once');
    this.state = 'running';
    this.cursors = this.opts.inputs.map((input, index) => ({
      index,
      instrument: input.instrument,
      batches: batchesOf(input),
      buf: [],
      pos: 0,
      done: false,
      emitted: 0,
    }));
    for (const c of this.cursors) await this.fill(c);
    const pacing = this.opts.pacing ?? 'auto';
    this.useRecv =
      pacing === 'receive-time' ||
      (pacing === 'auto' &&
        this.opts.inputs.every(
          (i) => i.kind === 'trades' && i.trades.length > 0 && i.trades.every((t) => t.recvTs !== undefined),
        ));
    sink({ type: 'status', stream: this.stream, state: 'connected', detail: this.description });
    for (const b of this.opts.bad ?? []) sink({ type: 'bad', ...b });
    this.running = this.pump(sink);
  }

  async stop(): Promise<void> {
    if (this.state === 'idle') this.state = 'stopped';
    this.stopped = true;
    this.abort.abort();
    await this.running;
  }

  stats(): Record<string, unknown> {
    return {
      kind: this.kind,
      state: this.state,
      speed: this.speed,
      pacing: this.useRecv ? 'receive-time' : 'trade-time',
      trades: this.emittedTrades,
      events: this.emittedEvents,
      /** Replay position: the last pacing key emitted, µs. */
      positionUs: this.lastKey ?? null,
      /** Market time covered so far, µs. */
      elapsedMarketUs:
        this.lastKey === undefined || this.firstKey === undefined ? 0 : this.lastKey - this.firstKey,
      /** How far emission lags the schedule (a slow consumer), ms. */
      behindMs: this.behindMs,
      perInstrument: Object.fromEntries(
        this.cursors.map((c) => [`${c.instrument.exchange}:${c.instrument.symbol}`, c.emitted]),
      ),
    };
  }

  private key(t: Trade): number {
    return this.useRecv && t.recvTs !== undefined ? t.recvTs : t.ts;
  }

  private async fill(c: Cursor): Promise<void> {
    while (!c.done && c.pos >= c.buf.length) {
      const r = await c.batches.next();
      if (r.done) c.done = true;
      else {
        c.buf = r.value;
        c.pos = 0;
      }
    }
  }

  /** The cursor whose next trade comes first (ties: input order). */
  private nextCursor(): Cursor | undefined {
    let best: Cursor | undefined;
    let bestKey = Infinity;
    for (const c of this.cursors) {
      if (c.pos >= c.buf.length) continue;
      const k = this.key(c.buf[c.pos]!);
      if (k < bestKey) {
        best = c;
        bestKey = k;
      }
    }
    return best;
  }

  private async pump(sink: (e: SourceEvent) => void): Promise<void> {
    const max = this.opts.batchMaxTrades ?? 1000;
    const startMs = this.clock.now();
    let sinceYield = 0;
    try {
      for (;;) {
        if (this.stopped) break;
        const c = this.nextCursor();
        if (!c) break;
        const first = c.buf[c.pos]!;
        let k = this.key(first);
        if (this.lastKey !== undefined && k < this.lastKey) k = this.lastKey; // never back in time
        this.firstKey ??= k;
        if (this.speed !== 'max') {
          const due = startMs + (k - this.firstKey) / 1000 / this.speed;
          const wait = due - this.clock.now();
          if (wait > 0) await this.clock.sleep(wait, this.abort.signal);
          else this.behindMs = -wait;
          if (this.stopped) break;
        }
        // Consecutive trades of this instrument that are due together, bounded by the other inputs' next trade.
        const other = this.otherNextKey(c);
        const batch: Trade[] = [];
        while (c.pos < c.buf.length && batch.length < max) {
          const t = c.buf[c.pos]!;
          const tk = Math.max(this.key(t), k);
          if (this.speed === 'max' ? tk > other || (tk === other && this.otherFirst(c, tk)) : tk !== k) break;
          batch.push(t);
          c.pos++;
        }
        this.lastKey = Math.max(k, this.key(batch[batch.length - 1]!));
        c.emitted += batch.length;
        this.emittedTrades += batch.length;
        this.emittedEvents++;
        sink({ type: 'trades', instrument: c.instrument, trades: batch });
        await this.fill(c);
        sinceYield += batch.length;
        if (sinceYield >= max) {
          sinceYield = 0;
          await new Promise<void>((r) => setImmediate(r)); // stay stoppable at max speed
        }
      }
    } finally {
      for (const c of this.cursors) if (!c.done) void c.batches.return?.();
    }
    if (this.stopped) {
      this.state = 'stopped';
      sink({ type: 'status', stream: this.stream, state: 'disconnected', detail: 'stopped' });
    } else {
      this.state = 'ended';
      sink({ type: 'status', stream: this.stream, state: 'ended', detail: `${this.emittedTrades} trades` });
    }
  }

  private otherNextKey(c: Cursor): number {
    let min = Infinity;
    for (const o of this.cursors)
      if (o !== c && o.pos < o.buf.length) min = Math.min(min, this.key(o.buf[o.pos]!));
    return min;
  }

  /** At an equal key, an earlier input goes first. */
  private otherFirst(c: Cursor, k: number): boolean {
    return this.cursors.some(
      (o) => o !== c && o.index < c.index && o.pos < o.buf.length && this.key(o.buf[o.pos]!) === k,
    );
  }
}
