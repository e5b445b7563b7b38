// The volume-profile response body: the spec's `profile` summary and `price_levels`, plus HVN/LVN, support and
// resistance, inefficiencies and (VPSV) every session's profile with a comparison.

import type { AnalyticsParams } from '../core/params.ts';
import type { Profile } from '../engines/profile.ts';
import type { SessionProfile } from '../engines/sessions.ts';
import { success, type SuccessBody } from './envelope.ts';
import { unitsFor, type Units } from './units.ts';

export type ProfileType = 'VPVR' | 'VPSV';

export interface ProfileRequestInfo {
  readonly symbol: string;
  readonly type: ProfileType;
  readonly startTime?: number;
  readonly endTime?: number;
  /** Drop zero-volume rows from price_levels (the computation stays dense). */
  readonly omitEmpty?: boolean;
}

const priceOrNull = (u: Units, row: number | null): number | null => (row === null ? null : u.rowPrice(row));

function summary(pr: Profile, u: Units, p: AnalyticsParams): Record<string, unknown> {
  return {
    point_of_control: priceOrNull(u, pr.pocRow),
    value_area_high: priceOrNull(u, pr.vahRow),
    value_area_low: priceOrNull(u, pr.valRow),
    total_volume: u.qty(pr.totalVolume),
    buy_volume: u.qty(pr.buy),
    sell_volume: u.qty(pr.sell),
    delta: u.qty(pr.delta),
    value_area_volume: u.qty(pr.valueAreaVolume),
    value_area_method: p.valueArea.method,
    high_price: priceOrNull(u, pr.highRow),
    low_price: priceOrNull(u, pr.lowRow),
  };
}

function levels(pr: Profile, u: Units, omitEmpty: boolean): Record<string, unknown>[] {
  return pr.levels
    .filter((l) => !omitEmpty || l.volume > 0)
    .map((l) => ({
      price: u.rowPrice(l.row),
      volume: u.qty(l.volume),
      buy_volume: u.qty(l.buy),
      sell_volume: u.qty(l.sell),
      delta: u.qty(l.delta),
      percentage: l.percentage,
      is_hvn: l.isHvn,
      is_poc: l.isPoc,
      is_value_area: l.isValueArea,
      is_lvn: l.isLvn,
      buy_trades: l.buyTrades,
      sell_trades: l.sellTrades,
    }));
}

function extras(pr: Profile, u: Units, lastPrice: number | undefined): Record<string, unknown> {
  // HVNs are where price was accepted (support below the last price, resistance above); LVNs are edges price
  // tends to move through quickly.
  const hvn = pr.hvnRows.map((r) => u.rowPrice(r));
  return {
    hvn_prices: hvn,
    lvn_prices: pr.lvnRows.map((r) => u.rowPrice(r)),
    support_levels: lastPrice === undefined ? [] : hvn.filter((x) => x <= lastPrice).reverse(),
    resistance_levels: lastPrice === undefined ? [] : hvn.filter((x) => x > lastPrice),
    inefficiencies: pr.inefficiencies.map((i) =>
      i.kind === 'one_sided'
        ? {
            kind: i.kind,
            low: u.rowPrice(i.lowRow),
            high: u.rowPrice(i.highRow),
            bar_start: u.time(i.barStart),
          }
        : { kind: i.kind, low: u.rowPrice(i.lowRow), high: u.rowPrice(i.highRow) },
    ),
  };
}

/**
 * VPVR: `profile` is the whole range. VPSV: `profile`/`price_levels` are the latest session's (the current
 * session) and `sessions` holds every session's profile and levels.
 */
export function profileBody(
  req: ProfileRequestInfo,
  p: AnalyticsParams,
  range: Profile,
  sessions: readonly SessionProfile[] | undefined,
  lastPrice?: number,
): SuccessBody<Record<string, unknown>> {
  const u = unitsFor(p.scale, p.rowTicks);
  const omit = req.omitEmpty ?? false;
  const last = lastPrice === undefined ? undefined : u.price(lastPrice);
  const main =
    req.type === 'VPSV' && sessions && sessions.length > 0 ? sessions[sessions.length - 1]!.profile : range;
  return success({
    symbol: req.symbol,
    profile_type: req.type,
    ...(req.startTime === undefined ? {} : { start_time: u.time(req.startTime) }),
    ...(req.endTime === undefined ? {} : { end_time: u.time(req.endTime) }),
    row_size: u.price(p.rowTicks),
    value_area_percentage: (p.valueArea.fraction.num / p.valueArea.fraction.den) * 100,
    profile: summary(main, u, p),
    price_levels: levels(main, u, omit),
    ...extras(main, u, last),
    ...(req.type === 'VPSV' && sessions
      ? {
          sessions: sessions.map((s) => ({
            name: s.name,
            start_time: u.time(s.start),
            end_time: u.time(s.end),
            profile: summary(s.profile, u, p),
            price_levels: levels(s.profile, u, omit),
          })),
        }
      : {}),
  });
}
