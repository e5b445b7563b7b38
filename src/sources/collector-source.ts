// Live exchange collectors as one TradeSource: maps each collector's events (trades, connection state, gaps, bad
// frames) onto SourceEvent, so the service consumes live data exactly like a replay or the simulator.
//
// Choices: connection events use the feed id as `stream` (one socket per collector); gaps use
// "exchange:SYMBOL" (gaps are per instrument). A REST backfill is `late: true`. A reconnect attempt or a planned
// rollover is status 'connecting' (detail says which), a finished rollover 'connected'. Exchange errors have no
// SourceEvent of their own: they are `bad` events whose reason starts with "exchange error". Trades of a symbol
// the registry does not know cannot be labelled and become `bad` events (never silently dropped).

import { instrumentKey, type Instrument, type InstrumentRegistry } from '../core/instrument.ts';
import type { CollectorEvent, ExchangeCollector } from './exchanges/collector.ts';
import type { SourceEvent, TradeSource } from './source.ts';

export class CollectorSource implements TradeSource {
  readonly kind = 'live' as const;
  readonly description: string;
  readonly instruments: readonly Instrument[];
  private readonly offs: (() => void)[] = [];
  private readonly byKey = new Map<string, Instrument>();
  private started = false;

  constructor(
    private readonly collectors: readonly ExchangeCollector[],
    private readonly registry: InstrumentRegistry,
    symbols: readonly (readonly string[])[],
  ) {
    if (collectors.length === 0) throw new Error('a live source needs at least one collector');
    if (symbols.length !== collectors.length) throw new Error('one symbol list per collector');
    const insts: Instrument[] = [];
    collectors.forEach((c, k) => {
      for (const s of symbols[k]!) {
        const i = registry.get(c.feed.exchange, s);
        if (!i) throw new Error(`unknown instrument ${instrumentKey(c.feed.exchange, s)}`);
        this.byKey.set(instrumentKey(i.exchange, i.symbol), i);
        insts.push(i);
      }
    });
    this.instruments = insts;
    this.description = `live: ${collectors.map((c, k) => `${c.feed.exchange} ${symbols[k]!.join(', ')}`).join('; ')}`;
  }

  async start(sink: (e: SourceEvent) => void): Promise<void> {
    if (this.started) throw new Error('a live source starts once');
    this.started = true;
    for (const c of this.collectors) {
      this.offs.push(c.on((e) => this.forward(c, e, sink)));
      c.start();
    }
    await Promise.resolve();
  }

  async stop(): Promise<void> {
    await Promise.all(this.collectors.map((c) => c.stop()));
    for (const off of this.offs.splice(0)) off();
  }

  stats(): Record<string, unknown> {
    return Object.fromEntries(this.collectors.map((c) => [c.feed.id, c.stats()]));
  }

  /** One collector event → SourceEvents (the mapping itself is the pure `toSourceEvents`). */
  private forward(c: ExchangeCollector, e: CollectorEvent, sink: (e: SourceEvent) => void): void {
    for (const s of toSourceEvents(
      c.feed.id,
      c.feed.exchange,
      e,
      (sym) => this.byKey.get(instrumentKey(c.feed.exchange, sym)) ?? this.registry.get(c.feed.exchange, sym),
    ))
      sink(s);
  }
}

/** CollectorEvent → SourceEvent(s): the adapter's whole contract, pure. */
export function toSourceEvents(
  feedId: string,
  exchange: string,
  e: CollectorEvent,
  instrumentOf: (symbol: string) => Instrument | undefined,
): SourceEvent[] {
  const stream = feedId;
  const symStream = (symbol: string): string => instrumentKey(exchange, symbol);
  switch (e.type) {
    case 'trades': {
      const instrument = instrumentOf(e.symbol);
      if (!instrument)
        return [
          {
            type: 'bad',
            stream,
            reason: `trades of unknown instrument ${symStream(e.symbol)}`,
            raw: JSON.stringify(e.trades.map((t) => t.id)),
          },
        ];
      return [
        { type: 'trades', instrument, trades: e.trades, ...(e.source === 'rest' ? { late: true } : {}) },
      ];
    }
    case 'connected':
      return [{ type: 'status', stream, state: 'connected', detail: `${e.url} (connection ${e.gen})` }];
    case 'disconnected':
      return [
        {
          type: 'status',
          stream,
          state: 'disconnected',
          detail: `code ${e.code}${e.reason ? ` ${e.reason}` : ''}`,
        },
      ];
    case 'reconnecting':
      return [
        {
          type: 'status',
          stream,
          state: 'connecting',
          detail: `reconnect attempt ${e.attempt} in ${Math.round(e.delayMs)} ms`,
        },
      ];
    case 'stalled':
      return [{ type: 'status', stream, state: 'stalled', detail: `silent for ${e.silentMs} ms` }];
    case 'rollover':
      return [{ type: 'status', stream, state: 'connecting', detail: `rollover (${e.reason})` }];
    case 'rolloverDone':
      return [{ type: 'status', stream, state: 'connected', detail: `rollover done (connection ${e.gen})` }];
    case 'gap':
      return [{ type: 'gap', stream: symStream(e.symbol), from: e.from, to: e.to, state: 'found' }];
    case 'gapFilled':
      return [{ type: 'gap', stream: symStream(e.symbol), from: e.from, to: e.to, state: 'filled' }];
    case 'gapLost':
      return [
        { type: 'gap', stream: symStream(e.symbol), from: e.from, to: e.to, state: 'lost', reason: e.reason },
      ];
    case 'badFrame':
      return [{ type: 'bad', stream, reason: e.reason, raw: e.raw }];
    case 'exchangeError':
      return [{ type: 'bad', stream, reason: `exchange error: ${e.message}`, raw: e.message }];
    case 'overflow':
      return [{ type: 'bad', stream, reason: `consumer overflow: ${e.dropped} events dropped`, raw: '' }];
  }
}
