// Benchmark workloads: real trades tiled to any size, or a seeded random walk when the data is missing.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Trade } from '../src/core/trade.ts';
import { lots, micros, ticks } from '../src/core/units.ts';

export const SHARED_DATA = fileURLToPath(new URL('../../shared/data/', import.meta.url));

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random walk of n trades from `startUs`, ~ `perSecond` trades/s, price in 0.01 ticks around 60,000. */
export function randomWalk(n: number, startUs: number, perSecond = 35, seed = 42): Trade[] {
  const r = rng(seed);
  const out: Trade[] = new Array<Trade>(n);
  let price = 6_000_000;
  let ts = startUs;
  const meanGap = 1_000_000 / perSecond;
  for (let i = 0; i < n; i++) {
    ts += Math.floor(-Math.log(1 - r()) * meanGap);
    price += Math.round((r() - 0.5) * 6);
    const side = r() < 0.5 ? 1 : -1;
    out[i] = {
      exchange: 'bench',
      symbol: 'BTCUSDT',
      id: i + 1,
      ts: micros(ts),
      price: ticks(price),
      qty: lots(1 + Math.floor(-Math.log(1 - r()) * 2000)),
      side,
      sideSource: 'exchange',
    };
  }
  return out;
}

/** Repeats `base` (sorted, contiguous) until n trades, shifting ids and times so the result stays ordered. */
export function tile(base: readonly Trade[], n: number): Trade[] {
  if (base.length === 0) throw new Error('nothing to tile');
  const span = base[base.length - 1]!.ts - base[0]!.ts + 1000;
  const out = new Array<Trade>(n);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(i / base.length);
    const t = base[i % base.length]!;
    out[i] = { ...t, id: i + 1, ts: micros(t.ts + k * span) };
  }
  return out;
}

export const hasSharedData = (): boolean => existsSync(SHARED_DATA);

/** p50/p99 helper over samples (ms). */
export function percentiles(samples: number[]): { p50: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99) };
}
