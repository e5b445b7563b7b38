// What the service knows about its source's streams, from the source's own events: connection state, gaps and
// bad frames per stream, and whether any exchange is reachable at all (for /health and the log).

import type { SourceEvent, TradeSource } from '../sources/source.ts';

export interface StreamHealth {
  state: 'connecting' | 'connected' | 'disconnected' | 'stalled' | 'ended';
  detail?: string;
  since: string;
  trades: number;
  gapsFound: number;
  gapsFilled: number;
  gapsLost: number;
  badFrames: number;
  lastTradeAt?: string;
}

export class SourceMonitor {
  readonly streams = new Map<string, StreamHealth>();
  trades = 0;
  badFrames = 0;

  constructor(
    readonly source: TradeSource,
    private readonly log: (msg: string) => void = () => {},
  ) {}

  private stream(name: string): StreamHealth {
    let s = this.streams.get(name);
    if (s === undefined) {
      s = {
        state: 'connecting',
        since: new Date().toISOString(),
        trades: 0,
        gapsFound: 0,
        gapsFilled: 0,
        gapsLost: 0,
        badFrames: 0,
      };
      this.streams.set(name, s);
    }
    return s;
  }

  observe(e: SourceEvent): void {
    switch (e.type) {
      case 'trades': {
        const s = this.stream(`${e.instrument.exchange}:${e.instrument.symbol}`);
        s.trades += e.trades.length;
        this.trades += e.trades.length;
        if (s.state !== 'connected' && s.state !== 'ended') s.state = 'connected';
        s.lastTradeAt = new Date().toISOString();
        return;
      }
      case 'status': {
        const s = this.stream(e.stream);
        if (s.state !== e.state) {
          this.log(`source ${e.stream}: ${e.state}${e.detail === undefined ? '' : ` (${e.detail})`}`);
          s.since = new Date().toISOString();
        }
        s.state = e.state;
        if (e.detail === undefined) delete s.detail;
        else s.detail = e.detail;
        return;
      }
      case 'gap': {
        const s = this.stream(e.stream);
        if (e.state === 'found') s.gapsFound++;
        else if (e.state === 'filled') s.gapsFilled++;
        else {
          s.gapsLost++;
          this.log(
            `source ${e.stream}: trades ${e.from}..${e.to} lost${e.reason === undefined ? '' : ` (${e.reason})`}`,
          );
        }
        return;
      }
      case 'bad':
        this.stream(e.stream).badFrames++;
        this.badFrames++;
        return;
    }
  }

  /** 'ok' when some stream is connected (or the source is not live), 'degraded' otherwise. */
  status(): { status: 'ok' | 'degraded'; reason?: string } {
    if (this.source.kind !== 'live') return { status: 'ok' };
    const states = [...this.streams.values()].map((s) => s.state);
    if (states.includes('connected')) {
      const down = [...this.streams].filter(([, s]) => s.state !== 'connected').map(([n]) => n);
      return down.length === 0
        ? { status: 'ok' }
        : { status: 'degraded', reason: `not connected: ${down.join(', ')}` };
    }
    return {
      status: 'degraded',
      reason: 'no exchange reachable: serving stored history only',
    };
  }

  toJSON(): Record<string, unknown> {
    return Object.fromEntries(this.streams);
  }
}
