// What a store query is about: one stored instrument (`exchange:SYMBOL`) or a market (a configured set of
// instruments summed on their finest common grid), and reading its trades merged onto that grid.
//
// Choices: a market uses the instruments of its definition that the store holds (a market with none stored is an
// error); its scale is `marketScale` of those; one lot of the imbalance zero policy is one lot of the market grid.
// Trades of several instruments are merged in (ts, numeric id) order, and, at equal keys, in the order the market
// lists its instruments: that merged list is what "the engines fed the same trades" means for a market.

import { incrementRatio } from '../core/decimal.ts';
import { OrderflowError } from '../core/errors.ts';
import { DEFAULT_MARKETS, marketScale, type Instrument, type Scale } from '../core/instrument.ts';
import type { Increment } from '../core/decimal.ts';
import type { Trade } from '../core/trade.ts';
import { lots, ticks } from '../core/units.ts';
import { seqKey } from '../engines/trade-log.ts';
import type { MinuteRollup, TradeStore } from '../store/port.ts';

export interface TargetMember {
  readonly instrument: Instrument;
  /** Market ticks per instrument tick, market lots per instrument lot. */
  readonly priceFactor: number;
  readonly qtyFactor: number;
}

export interface QueryTarget {
  /** The symbol as the response body names it: `exchange:SYMBOL`, or the market name. */
  readonly label: string;
  readonly members: readonly TargetMember[];
  readonly scale: Scale;
  /** The quantity increment of one instrument lot on `scale` (imbalance zero policy "one"). */
  readonly qtyStep: Increment;
}

function memberOf(instrument: Instrument, scale: Scale): TargetMember {
  const priceFactor = incrementRatio(instrument.price, scale.price);
  const qtyFactor = incrementRatio(instrument.qty, scale.qty);
  if (priceFactor === undefined || qtyFactor === undefined) {
    throw new OrderflowError(
      'INVALID_CONFIG',
      `${instrument.exchange}:${instrument.symbol} does not fit the market grid`,
    );
  }
  return { instrument, priceFactor, qtyFactor };
}

/**
 * Resolves `--symbol`: `exchange:SYMBOL` of a stored instrument, a market name from `markets` (config) or the
 * default markets, or a bare symbol held by exactly one stored exchange.
 */
export async function resolveTarget(
  store: TradeStore,
  symbol: string,
  markets: Readonly<Record<string, readonly string[]>> = {},
): Promise<QueryTarget> {
  const stored = await store.listInstruments();
  const key = (i: Instrument): string => `${i.exchange}:${i.symbol}`;
  const byKey = new Map(stored.map((i) => [key(i), i]));
  const single = (i: Instrument): QueryTarget => ({
    label: key(i),
    members: [{ instrument: i, priceFactor: 1, qtyFactor: 1 }],
    scale: { price: i.price, qty: i.qty, volumeUnit: i.volumeUnit },
    qtyStep: i.qty,
  });
  const direct = byKey.get(symbol);
  if (direct !== undefined) return single(direct);
  // Own keys only: a symbol such as "toString" must not reach Object.prototype.
  const definition = Object.hasOwn(markets, symbol)
    ? markets[symbol]
    : Object.hasOwn(DEFAULT_MARKETS, symbol)
      ? DEFAULT_MARKETS[symbol]
      : undefined;
  if (definition !== undefined) {
    const held = definition.map((k) => byKey.get(k)).filter((i): i is Instrument => i !== undefined);
    if (held.length === 0) {
      throw new OrderflowError(
        'INVALID_CONFIG',
        `market ${symbol} (${definition.join(', ')}): none of its instruments is in the store`,
      );
    }
    if (held.length === 1) return { ...single(held[0]!), label: symbol };
    const scale = marketScale(held);
    return { label: symbol, members: held.map((i) => memberOf(i, scale)), scale, qtyStep: scale.qty };
  }
  if (symbol.includes(':')) {
    throw new OrderflowError('INVALID_CONFIG', `${symbol} is not in the store (see orderflow stats)`);
  }
  const bare = stored.filter((i) => i.symbol.toUpperCase() === symbol.toUpperCase());
  if (bare.length === 1) return single(bare[0]!);
  if (bare.length > 1) {
    throw new OrderflowError(
      'INVALID_CONFIG',
      `symbol ${symbol} is stored for several exchanges (${bare.map(key).join(', ')}): name one`,
    );
  }
  throw new OrderflowError(
    'INVALID_CONFIG',
    `${symbol} is neither a stored instrument nor a market (stored: ${stored.map(key).join(', ') || 'nothing'})`,
  );
}

const onGrid = (t: Trade, m: TargetMember): Trade =>
  m.priceFactor === 1 && m.qtyFactor === 1
    ? t
    : { ...t, price: ticks(t.price * m.priceFactor), qty: lots(t.qty * m.qtyFactor) };

/** The target's trades with fromUs ≤ ts < toUs on its grid, merged as the module header says. */
export async function readTargetTrades(
  store: TradeStore,
  target: QueryTarget,
  fromUs: number,
  toUs: number,
): Promise<Trade[]> {
  const lists = await Promise.all(
    target.members.map(async (m) =>
      (await store.readTrades(m.instrument.exchange, m.instrument.symbol, fromUs, toUs)).map((t) =>
        onGrid(t, m),
      ),
    ),
  );
  if (lists.length === 1) return lists[0]!;
  const out: Trade[] = [];
  const at = lists.map(() => 0);
  for (;;) {
    let best = -1;
    for (let k = 0; k < lists.length; k++) {
      const t = lists[k]![at[k]!];
      if (t === undefined) continue;
      const b = best < 0 ? undefined : lists[best]![at[best]!]!;
      if (b === undefined || t.ts < b.ts || (t.ts === b.ts && seqKey(t) < seqKey(b))) best = k;
    }
    if (best < 0) return out;
    out.push(lists[best]![at[best]!]!);
    at[best] = at[best]! + 1;
  }
}

/** A rollup put on the target grid (cells re-keyed by the market tick). */
export function rollupOnGrid(r: MinuteRollup, m: TargetMember): MinuteRollup {
  const pf = m.priceFactor;
  const qf = m.qtyFactor;
  if (pf === 1 && qf === 1) return r;
  return {
    ...r,
    open: r.open * pf,
    high: r.high * pf,
    low: r.low * pf,
    close: r.close * pf,
    buy: r.buy * qf,
    sell: r.sell * qf,
    minDelta: r.minDelta * qf,
    maxDelta: r.maxDelta * qf,
    cells: r.cells.map((c) => ({ ...c, tick: c.tick * pf, buy: c.buy * qf, sell: c.sell * qf })),
  };
}
