// SimulatorSource: determinism from the seed and independence from emission batching, contiguous ids, the tick and
// lot grids, side/price-move correlation, bursts and heavy tails, the requested rate, pacing on a virtual clock.
// Statistics are recomputed here from the emitted trades with plain loops.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Trade } from '../../src/core/trade.ts';
import {
  defaultSimulatedInstruments,
  Prng,
  simulatedMarkets,
  SimulatorSource,
  type SimulatorOptions,
} from '../../src/sources/simulator.ts';
import type { SourceEvent } from '../../src/sources/source.ts';
import { InstrumentRegistry } from '../../src/core/instrument.ts';
import { resolveMarket } from '../../src/core/markets.ts';
import type { ReplayClock } from '../../src/sources/replay.ts';

const START = 1_800_000_000_000_000;

async function simulate(
  opts: SimulatorOptions,
): Promise<{ events: SourceEvent[]; byKey: Map<string, Trade[]>; src: SimulatorSource }> {
  const src = new SimulatorSource({ startUs: START, pace: 'max', ...opts });
  const events: SourceEvent[] = [];
  await src.start((e) => events.push(e));
  await src.done;
  const byKey = new Map<string, Trade[]>();
  for (const e of events)
    if (e.type === 'trades') {
      const k = `${e.instrument.exchange}:${e.instrument.symbol}`;
      byKey.set(k, [...(byKey.get(k) ?? []), ...e.trades]);
    }
  return { events, byKey, src };
}

describe('SimulatorSource', () => {
  it('determinism: the same seed gives the same trades whatever the emission step; another seed differs', async () => {
    const a = await simulate({ seed: 42, tradesPerSecond: 2000, durationUs: 2_000_000 });
    const b = await simulate({ seed: 42, tradesPerSecond: 2000, durationUs: 2_000_000, emitIntervalMs: 7 });
    const c = await simulate({ seed: 43, tradesPerSecond: 2000, durationUs: 2_000_000 });
    assert.deepEqual([...a.byKey], [...b.byKey]);
    assert.notDeepEqual([...a.byKey], [...c.byKey]);
    assert.ok([...a.byKey.values()].every((t) => t.length > 100));
  });

  it('default instruments are simulated copies of the BTC/ETH markets; ids contiguous; prices and sizes on the grids', async () => {
    const { byKey, events, src } = await simulate({ seed: 7, tradesPerSecond: 5000, durationUs: 1_000_000 });
    assert.deepEqual([...byKey.keys()].sort(), [
      'sim-binance:BTCUSDT',
      'sim-binance:ETHUSDT',
      'sim-coinbase:BTC-USD',
      'sim-coinbase:ETH-USD',
    ]);
    for (const [k, trades] of byKey) {
      trades.forEach((t, i) => {
        assert.equal(t.id, i + 1, k);
        assert.ok(Number.isSafeInteger(t.price) && t.price >= 1);
        assert.ok(Number.isSafeInteger(t.qty) && t.qty >= 1);
        assert.ok(t.ts >= START && t.ts < START + 1_000_000);
        if (i > 0) assert.ok(t.ts >= trades[i - 1]!.ts, 'time order');
      });
    }
    assert.match(src.description, /simulated/);
    assert.equal(src.kind, 'simulator');
    assert.equal(src.stats()['simulated'], true);
    assert.deepEqual(events.at(-1), {
      type: 'status',
      stream: 'simulator',
      state: 'ended',
      detail: `${src.stats()['trades'] as number} simulated trades`,
    });
    // BTC 65000 on Binance's 0.01 tick ⇒ about 6.5 million ticks at the start.
    const first = byKey.get('sim-binance:BTCUSDT')![0]!;
    assert.ok(Math.abs(first.price - 6_500_000) < 65_000);
  });

  it('the simulated markets resolve against a registry holding the simulated instruments', () => {
    const reg = new InstrumentRegistry(false);
    for (const s of defaultSimulatedInstruments()) reg.set(s.instrument);
    const m = resolveMarket('BTC', reg, simulatedMarkets());
    assert.deepEqual(
      m.instruments.map((i) => i.exchange),
      ['sim-binance', 'sim-coinbase'],
    );
  });

  it('aggressor sides correlate positively with price moves (Pearson on side × Δprice)', async () => {
    const { byKey } = await simulate({ seed: 3, tradesPerSecond: 4000, durationUs: 3_000_000 });
    const trades = byKey.get('sim-binance:BTCUSDT')!;
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 1; i < trades.length; i++) {
      xs.push(trades[i]!.side);
      ys.push(trades[i]!.price - trades[i - 1]!.price);
    }
    const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    const mx = mean(xs);
    const my = mean(ys);
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < xs.length; i++) {
      sxy += (xs[i]! - mx) * (ys[i]! - my);
      sxx += (xs[i]! - mx) ** 2;
      syy += (ys[i]! - my) ** 2;
    }
    const corr = sxy / Math.sqrt(sxx * syy);
    assert.ok(corr > 0.3, `corr ${corr}`);
    // Both sides occur in fair measure.
    const buys = xs.filter((x) => x === 1).length / xs.length;
    assert.ok(buys > 0.3 && buys < 0.7, `buy share ${buys}`);
  });

  it('bursts (counts over-dispersed vs Poisson) and heavy-tailed sizes', async () => {
    const { byKey } = await simulate({
      seed: 11,
      tradesPerSecond: 2000,
      durationUs: 20_000_000,
      instruments: defaultSimulatedInstruments().slice(0, 1),
    });
    const trades = [...byKey.values()][0]!;
    const bins = new Array<number>(200).fill(0); // 100 ms windows (5 decay times of the 50/s kernel)
    for (const t of trades) bins[Math.floor((t.ts - START) / 100_000)]!++;
    const m = bins.reduce((a, b) => a + b, 0) / bins.length;
    const v = bins.reduce((a, b) => a + (b - m) ** 2, 0) / bins.length;
    assert.ok(v / m > 3, `index of dispersion ${v / m}`); // Poisson would be 1
    const sizes = trades.map((t) => t.qty).sort((a, b) => a - b);
    const median = sizes[Math.floor(sizes.length / 2)]!;
    assert.ok(sizes.at(-1)! > 50 * median, `max/median ${sizes.at(-1)! / median}`);
  });

  it('the requested rate: 20,000 trades/s over 10 simulated seconds within 5 %', async () => {
    const { src } = await simulate({
      seed: 5,
      tradesPerSecond: 20_000,
      durationUs: 10_000_000,
      emitIntervalMs: 100,
    });
    const n = src.stats()['trades'] as number;
    assert.ok(Math.abs(n / 200_000 - 1) < 0.05, `${n} trades`);
  });

  it('maxTrades ends the run at exactly that many trades', async () => {
    const { src } = await simulate({ seed: 1, tradesPerSecond: 1000, maxTrades: 1234 });
    assert.equal(src.stats()['trades'], 1234);
  });

  it('realtime pace follows the injected clock: 1 s of clock ⇒ trades up to 1 s of simulated time', async () => {
    let t = 0;
    let stopAfter = 20; // 20 × 50 ms = 1 s
    const holder: { src?: SimulatorSource } = {};
    const clock: ReplayClock = {
      now: () => t,
      sleep: async (ms) => {
        t += ms;
        if (--stopAfter === 0) void holder.src?.stop();
        await Promise.resolve();
      },
    };
    const src = new SimulatorSource({ seed: 9, tradesPerSecond: 1000, startUs: START, clock });
    holder.src = src;
    const trades: Trade[] = [];
    const states: string[] = [];
    await src.start((e) =>
      e.type === 'trades' ? trades.push(...e.trades) : e.type === 'status' && states.push(e.state),
    );
    await src.done;
    assert.deepEqual(states, ['connected', 'disconnected']);
    assert.ok(trades.every((x) => x.ts < START + 1_000_000));
    assert.ok(trades.length > 400 && trades.length < 2000, `${trades.length}`);
  });

  it('Prng: reproducible, uniform in [0, 1)', () => {
    const a = new Prng(1);
    const b = new Prng(1);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = a.next();
      assert.equal(x, b.next());
      assert.ok(x >= 0 && x < 1);
      sum += x;
    }
    assert.ok(Math.abs(sum / 10_000 - 0.5) < 0.02);
  });
});
