// The footprint response body: the spec's flat list of cells (`bars`) plus bar summaries, stacked zones,
// naked POCs and absorptions as extra fields.

import type { AnalyticsParams } from '../core/params.ts';
import type { FootprintBar } from '../engines/footprint.ts';
import { BUY_FLAG, imbalanceFlags, SELL_FLAG, stackedImbalanceZones } from '../engines/imbalance.ts';
import { absorptions, exhaustionPrint, nakedPocs, unfinishedAuction } from '../engines/footprint-signals.ts';
import { success, type SuccessBody } from './envelope.ts';
import { unitsFor } from './units.ts';

export interface FootprintCellJson {
  price_level: number;
  buy_volume: number;
  sell_volume: number;
  total_volume: number;
  delta: number;
  is_imbalanced: boolean;
  is_point_of_control: boolean;
  start_time: string;
  end_time: string;
  buy_trades: number;
  sell_trades: number;
  imbalance_side: 'buy' | 'sell' | 'both' | null;
}

export interface FootprintRequestInfo {
  readonly symbol: string;
  readonly timeframe: string;
  readonly startTime?: number;
  readonly endTime?: number;
}

export function footprintBody(
  bars: readonly FootprintBar[],
  p: AnalyticsParams,
  req: FootprintRequestInfo,
): SuccessBody<Record<string, unknown>> {
  const u = unitsFor(p.scale, p.rowTicks);
  const cells: FootprintCellJson[] = [];
  const barStats: Record<string, unknown>[] = [];
  const allFlags: Uint8Array[] = [];
  for (const b of bars) {
    const flags = imbalanceFlags(b, p.imbalance);
    allFlags.push(flags);
    const start = u.time(b.start);
    const end = u.time(b.end);
    for (let i = 0; i < b.cells.length; i++) {
      const c = b.cells[i]!;
      const f = flags[i]!;
      const side = f & BUY_FLAG ? (f & SELL_FLAG ? 'both' : 'buy') : f & SELL_FLAG ? 'sell' : null;
      cells.push({
        price_level: u.rowPrice(c.row),
        buy_volume: u.qty(c.buy),
        sell_volume: u.qty(c.sell),
        total_volume: u.qty(c.buy + c.sell),
        delta: u.qty(c.buy - c.sell),
        is_imbalanced: side !== null,
        is_point_of_control: c.row === b.pocRow,
        start_time: start,
        end_time: end,
        buy_trades: c.buyTrades,
        sell_trades: c.sellTrades,
        imbalance_side: side,
      });
    }
    const ua = unfinishedAuction(b, p.unfinishedMinLots);
    const ex = exhaustionPrint(b, p.exhaustionRows, p.rowTicks);
    barStats.push({
      start_time: start,
      end_time: end,
      open: u.price(b.open),
      high: u.price(b.high),
      low: u.price(b.low),
      close: u.price(b.close),
      volume: u.qty(b.volume),
      buy_volume: u.qty(b.buy),
      sell_volume: u.qty(b.sell),
      delta: u.qty(b.delta),
      delta_pct: b.volume === 0 ? 0 : (b.delta / b.volume) * 100,
      min_delta: u.qty(b.minDelta),
      max_delta: u.qty(b.maxDelta),
      trades: b.trades,
      buy_trades: b.buyTrades,
      sell_trades: b.sellTrades,
      point_of_control: u.rowPrice(b.pocRow),
      complete: b.complete,
      unfinished_auction_high: ua.high,
      unfinished_auction_low: ua.low,
      exhaustion_high: ex.high,
      exhaustion_low: ex.low,
    });
  }
  const zones = p.imbalance.enabled ? stackedImbalanceZones(bars, p.imbalance, allFlags) : [];
  return success({
    symbol: req.symbol,
    timeframe: req.timeframe,
    aggregation: p.bars.aggregation,
    row_size: u.price(p.rowTicks),
    ...(req.startTime === undefined ? {} : { start_time: u.time(req.startTime) }),
    ...(req.endTime === undefined ? {} : { end_time: u.time(req.endTime) }),
    bars: cells,
    bar_stats: barStats,
    stacked_imbalances: zones.map((z) => ({
      side: z.side,
      low: u.rowPrice(z.lowRow),
      high: u.rowPrice(z.highRow),
      rows: z.rows,
      bar_start: u.time(z.barStart),
      active: z.active,
      touched_at: z.touchedAt === undefined ? null : u.time(z.touchedAt),
    })),
    naked_pocs: nakedPocs(bars).map((n) => ({
      bar_start: u.time(n.barStart),
      price: u.rowPrice(n.row),
      naked_until: n.nakedUntil === undefined ? null : u.time(n.nakedUntil),
    })),
    absorptions: absorptions(bars, p).map((a) => ({
      bar_start: u.time(a.barStart),
      price: u.rowPrice(a.row),
      side: a.side,
      volume: u.qty(a.volume),
    })),
  });
}
