// A seeded stochastic market for offline demos and load tests: self-exciting (Hawkes) trade arrivals that come
// in bursts, heavy-tailed sizes rounded to the lot, prices on the tick grid that follow a shared fair value
// (random walk with jumps) through order-flow imbalance, momentum in aggressor sides, and contiguous trade ids
// per instrument. Every trade is simulated: instruments are named `sim-<exchange>` and the source kind says so.
//
// Model (per instrument i, times in µs):
// - arrivals: Hawkes intensity λ(t) = μ + Σ α·e^(−β(t−t_k)), branching ratio n = α/β < 1, so the long-run rate is
//   μ/(1−n); μ is set so the rates add up to the requested trades/s. Simulated exactly by Ogata thinning.
// - fair value F per base asset: geometric random walk (σ per √s) plus rare jumps, shared by every venue of the asset.
// - side: P(buy) = logistic(a·gap + b·momentum + c·previous side), gap = (F − price)/move size, so buyers lift a
//   price below fair value (mean reversion) and runs of one side persist (momentum, sweeps).
// - price: with probability pMove the taker walks the book 1 + Geometric ticks-steps in its own direction, so
//   price moves and aggressor sides are positively correlated; price never leaves the grid or drops below 1 tick.
// - size: lognormal notional (σ 1.4) with a 3 % Pareto tail (α 1.5), converted to whole lots (≥ 1).
// Determinism: one PRNG stream per instrument and per asset, events processed in global (time, instrument) order,
// so the trades depend only on the seed and parameters, never on how emission cuts them into batches.

import { unitsToNumber } from '../core/decimal.ts';
import { DEFAULT_MARKETS, InstrumentRegistry, type Instrument } from '../core/instrument.ts';
import type { Trade } from '../core/trade.ts';
import { lots, micros, ticks, type Side } from '../core/units.ts';
import { realClock, type ReplayClock } from './replay.ts';
import type { SourceEvent, TradeSource } from './source.ts';

/** sfc32 seeded through splitmix32: fast, 128-bit state, reproducible across platforms. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | undefined;
  constructor(seed: number) {
    let s = seed >>> 0;
    const mix = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < 12; i++) this.next();
  }
  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
  /** Uniform in (0, 1]: safe under log. */
  positive(): number {
    return 1 - this.next();
  }
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(this.positive()));
    const th = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(th);
    return r * Math.cos(th);
  }
  exponential(rate: number): number {
    return -Math.log(this.positive()) / rate;
  }
}

export interface SimulatedInstrument {
  readonly instrument: Instrument;
  /** Share of the total trade rate. Default: equal shares. */
  readonly weight?: number;
  /** Median trade notional in quote currency. Default 2000. */
  readonly medianNotional?: number;
}

export interface SimulatorOptions {
  readonly seed?: number;
  /** Instruments to simulate. Default: the default BTC and ETH markets as `sim-<exchange>` instruments. */
  readonly instruments?: readonly SimulatedInstrument[];
  /** Long-run total trades per second across instruments (e.g. 20_000 for load tests). Default 50. */
  readonly tradesPerSecond?: number;
  /** Starting fair value per base asset (quote units). Defaults: BTC 65000, ETH 3000, else 100. */
  readonly startPrice?: Readonly<Record<string, number>>;
  /** Simulated start time, µs. Default: the wall clock at start (rounded to the ms). */
  readonly startUs?: number;
  /** First trade id of every instrument. Default 1. */
  readonly firstId?: number;
  /** 'realtime' (× speed) follows the clock; 'max' produces as fast as possible. Default 'realtime'. */
  readonly pace?: 'realtime' | 'max';
  readonly speed?: number;
  /** Emission interval in realtime mode (ms) and simulated step in max mode (µs = ms·1000). Default 50. */
  readonly emitIntervalMs?: number;
  /** End after this much simulated time (µs) or this many trades: status 'ended'. Default: never. */
  readonly durationUs?: number;
  readonly maxTrades?: number;
  readonly clock?: ReplayClock;
  /** Hawkes branching ratio α/β in [0, 0.95]. Default 0.7. */
  readonly branching?: number;
  /** Hawkes decay β per second. Default 50 (bursts of ~20 ms). */
  readonly decayPerSecond?: number;
  /** Fair-value volatility per √second. Default 0.0005. */
  readonly volatility?: number;
  /** Jumps per simulated hour and their size (fraction of price, σ). Defaults 6 and 0.004. */
  readonly jumpsPerHour?: number;
  readonly jumpSize?: number;
}

const DEFAULT_START_PRICE: Readonly<Record<string, number>> = { BTC: 65_000, ETH: 3_000 };
const SIM_PREFIX = 'sim-';

/** The default BTC/ETH market instruments as simulated copies (`sim-binance:BTCUSDT`, …). */
export function defaultSimulatedInstruments(registry = new InstrumentRegistry()): SimulatedInstrument[] {
  const out: SimulatedInstrument[] = [];
  for (const keys of Object.values(DEFAULT_MARKETS))
    for (const k of keys) {
      const colon = k.indexOf(':');
      const i = registry.get(k.slice(0, colon), k.slice(colon + 1));
      if (i) out.push({ instrument: { ...i, exchange: SIM_PREFIX + i.exchange, source: 'config' } });
    }
  return out;
}

/** Market definitions over the simulated instruments, e.g. BTC = sim-binance:BTCUSDT + sim-coinbase:BTC-USD. */
export function simulatedMarkets(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, keys] of Object.entries(DEFAULT_MARKETS)) out[name] = keys.map((k) => SIM_PREFIX + k);
  return out;
}

interface AssetState {
  readonly rng: Prng;
  fair: number;
  lastUs: number;
}

interface InstState {
  readonly inst: Instrument;
  readonly rng: Prng;
  readonly asset: AssetState;
  readonly mu: number; // per µs
  readonly alpha: number; // per µs
  readonly beta: number; // per µs
  readonly tick: number;
  readonly lot: number;
  readonly moveTicks: number;
  readonly logMedianNotional: number;
  /** Hawkes excitation above μ at `tUs`. */
  excitation: number;
  tUs: number;
  /** Next accepted arrival, µs (float). */
  nextUs: number;
  price: number;
  nextId: number;
  momentum: number;
  lastSide: Side;
  emitted: number;
}

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));

export class SimulatorSource implements TradeSource {
  readonly kind = 'simulator' as const;
  readonly description: string;
  readonly instruments: readonly Instrument[];
  private readonly states: InstState[];
  private readonly clock: ReplayClock;
  private readonly abort = new AbortController();
  private readonly stepUs: number;
  private startUs = 0;
  private simUs = 0;
  private total = 0;
  private running: Promise<void> | undefined;
  private stopped = false;
  private state: 'idle' | 'running' | 'ended' | 'stopped' = 'idle';

  constructor(private readonly opts: SimulatorOptions = {}) {
    const seed = opts.seed ?? 1;
    const sims = opts.instruments ?? defaultSimulatedInstruments();
    if (sims.length === 0) throw new Error('the simulator needs at least one instrument');
    const rate = opts.tradesPerSecond ?? 50;
    if (!(rate > 0)) throw new Error('tradesPerSecond must be > 0');
    const n = opts.branching ?? 0.7;
    if (!(n >= 0 && n <= 0.95)) throw new Error('branching must be in [0, 0.95]');
    const beta = (opts.decayPerSecond ?? 50) / 1e6;
    const weights = sims.map((s) => s.weight ?? 1);
    const wsum = weights.reduce((a, b) => a + b, 0);
    const assets = new Map<string, AssetState>();
    const prices = { ...DEFAULT_START_PRICE, ...opts.startPrice };
    this.instruments = sims.map((s) => s.instrument);
    this.states = sims.map((s, k) => {
      const inst = s.instrument;
      let asset = assets.get(inst.base);
      if (!asset) {
        asset = {
          rng: new Prng(seed * 7919 + 104729 * (assets.size + 1)),
          fair: prices[inst.base] ?? 100,
          lastUs: NaN,
        };
        assets.set(inst.base, asset);
      }
      const tick = unitsToNumber(1, inst.price);
      const lot = unitsToNumber(1, inst.qty);
      const ratePerUs = (rate * weights[k]!) / wsum / 1e6;
      return {
        inst,
        rng: new Prng(seed * 31337 + 7 * (k + 1)),
        asset,
        mu: ratePerUs * (1 - n),
        alpha: n * beta,
        beta,
        tick,
        lot,
        // One book step ≈ 0.2 bp of price, at least one tick.
        moveTicks: Math.max(1, Math.round((asset.fair * 0.00002) / tick)),
        logMedianNotional: Math.log(s.medianNotional ?? 2000),
        excitation: 0,
        tUs: 0,
        nextUs: NaN,
        price: Math.max(1, Math.round(asset.fair / tick)),
        nextId: opts.firstId ?? 1,
        momentum: 0,
        lastSide: 1,
        emitted: 0,
      };
    });
    this.clock = opts.clock ?? realClock;
    this.stepUs = (opts.emitIntervalMs ?? 50) * 1000;
    const pace =
      opts.pace === 'max'
        ? 'max speed'
        : `real time${opts.speed && opts.speed !== 1 ? ` ×${opts.speed}` : ''}`;
    this.description = `simulator (simulated data, seed ${seed}, ${rate} trades/s, ${pace}): ${this.instruments
      .map((i) => `${i.exchange}:${i.symbol}`)
      .join(', ')}`;
  }

  get done(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  async start(sink: (e: SourceEvent) => void): Promise<void> {
    if (this.state !== 'idle') throw new Error('a simulator starts once');
    this.state = 'running';
    this.startUs = this.opts.startUs ?? Math.round(Date.now()) * 1000;
    this.simUs = this.startUs;
    for (const s of this.states) {
      s.tUs = this.startUs;
      s.asset.lastUs = this.startUs;
      s.nextUs = this.drawNext(s);
    }
    sink({ type: 'status', stream: 'simulator', state: 'connected', detail: this.description });
    this.running = this.loop(sink);
    await Promise.resolve();
  }

  async stop(): Promise<void> {
    if (this.state === 'idle') this.state = 'stopped';
    this.stopped = true;
    this.abort.abort();
    await this.running;
  }

  stats(): Record<string, unknown> {
    const simSeconds = (this.simUs - this.startUs) / 1e6;
    return {
      kind: this.kind,
      simulated: true,
      state: this.state,
      trades: this.total,
      simulatedSeconds: simSeconds,
      tradesPerSimulatedSecond: simSeconds > 0 ? this.total / simSeconds : 0,
      perInstrument: Object.fromEntries(
        this.states.map((s) => [`${s.inst.exchange}:${s.inst.symbol}`, s.emitted]),
      ),
    };
  }

  /** Trades of every instrument with ts < untilUs, in global time order, grouped per instrument for emission. */
  private generateUntil(untilUs: number, limit = Infinity): Map<InstState, Trade[]> {
    const out = new Map<InstState, Trade[]>();
    for (;;) {
      if (this.total >= limit) break;
      let s: InstState | undefined;
      for (const x of this.states) if (x.nextUs < untilUs && (s === undefined || x.nextUs < s.nextUs)) s = x;
      if (!s) break;
      const t = this.trade(s, s.nextUs);
      s.nextUs = this.drawNext(s);
      let list = out.get(s);
      if (!list) out.set(s, (list = []));
      list.push(t);
      this.total++;
      s.emitted++;
    }
    this.simUs = Math.max(
      this.simUs,
      Math.min(untilUs, this.opts.durationUs === undefined ? Infinity : this.startUs + this.opts.durationUs),
    );
    return out;
  }

  /** Ogata thinning from the last arrival: the intensity only decays between arrivals, so λ(now) bounds it. */
  private drawNext(s: InstState): number {
    let t = s.tUs;
    let exc = s.excitation;
    for (;;) {
      const bound = s.mu + exc;
      const w = s.rng.exponential(bound);
      t += w;
      exc *= Math.exp(-s.beta * w);
      if (s.rng.next() * bound <= s.mu + exc) {
        s.tUs = t;
        s.excitation = exc + s.alpha;
        return t;
      }
    }
  }

  private fairAt(a: AssetState, us: number): number {
    const dt = (us - a.lastUs) / 1e6;
    if (dt > 0) {
      const vol = this.opts.volatility ?? 0.0005;
      a.fair *= Math.exp(vol * Math.sqrt(dt) * a.rng.normal() - 0.5 * vol * vol * dt);
      const jumpRate = (this.opts.jumpsPerHour ?? 6) / 3600;
      if (a.rng.next() < jumpRate * dt)
        a.fair *= Math.exp((this.opts.jumpSize ?? 0.004) * a.rng.normal() * 2);
      a.lastUs = us;
    }
    return a.fair;
  }

  private trade(s: InstState, atUs: number): Trade {
    const r = s.rng;
    const fair = this.fairAt(s.asset, atUs);
    const gap = (fair / s.tick - s.price) / s.moveTicks;
    const pBuy = logistic(0.35 * Math.max(-20, Math.min(20, gap)) + 1.2 * s.momentum + 0.6 * s.lastSide);
    const side: Side = r.next() < pBuy ? 1 : -1;
    let move = 0;
    if (r.next() < 0.35) {
      let steps = 1;
      while (r.next() < 0.45 && steps < 50) steps++;
      move = side * steps * s.moveTicks;
    }
    s.price = Math.max(1, s.price + move);
    s.momentum = 0.9 * s.momentum + 0.1 * Math.sign(move);
    s.lastSide = side;
    let notional = Math.exp(s.logMedianNotional + 1.4 * r.normal());
    if (r.next() < 0.03) notional *= Math.pow(r.positive(), -1 / 1.5); // Pareto tail: whales
    const qty = Math.max(1, Math.round(notional / (s.price * s.tick) / s.lot));
    return {
      exchange: s.inst.exchange,
      symbol: s.inst.symbol,
      id: s.nextId++,
      ts: micros(Math.floor(atUs)),
      price: ticks(s.price),
      qty: lots(qty),
      side,
      sideSource: 'exchange',
    };
  }

  private emit(sink: (e: SourceEvent) => void, batch: Map<InstState, Trade[]>): void {
    for (const s of this.states) {
      const trades = batch.get(s);
      if (trades && trades.length > 0) sink({ type: 'trades', instrument: s.inst, trades });
    }
  }

  private finished(): boolean {
    const o = this.opts;
    return (
      (o.maxTrades !== undefined && this.total >= o.maxTrades) ||
      (o.durationUs !== undefined && this.simUs >= this.startUs + o.durationUs)
    );
  }

  private async loop(sink: (e: SourceEvent) => void): Promise<void> {
    const endUs = this.opts.durationUs === undefined ? Infinity : this.startUs + this.opts.durationUs;
    const limit = this.opts.maxTrades ?? Infinity;
    const speed = this.opts.speed ?? 1;
    const startMs = this.clock.now();
    while (!this.stopped && !this.finished()) {
      let until: number;
      if (this.opts.pace === 'max') until = this.simUs + this.stepUs;
      else {
        await this.clock.sleep(this.stepUs / 1000, this.abort.signal);
        if (this.stopped) break;
        until = this.startUs + (this.clock.now() - startMs) * 1000 * speed;
      }
      this.emit(sink, this.generateUntil(Math.min(until, endUs), limit));
      if (this.opts.pace === 'max') await new Promise<void>((r) => setImmediate(r));
    }
    if (this.stopped) {
      this.state = 'stopped';
      sink({ type: 'status', stream: 'simulator', state: 'disconnected', detail: 'stopped' });
    } else {
      this.state = 'ended';
      sink({ type: 'status', stream: 'simulator', state: 'ended', detail: `${this.total} simulated trades` });
    }
  }
}
