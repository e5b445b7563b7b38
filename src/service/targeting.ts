// Resolving what a request is about (market or instrument, optional exchange filter) and the exact analytics
// parameters for it, shared by the REST queries and the WebSocket channels so both see the same grid.

import { parseConfig, type OrderFlowConfig } from '../core/config.ts';
import { instrumentKey } from '../core/instrument.ts';
import { OrderflowError } from '../core/errors.ts';
import { resolveParams, type AnalyticsParams } from '../core/params.ts';
import type { TradeStore } from '../store/port.ts';
import { resolveTarget, type QueryTarget } from '../query/targets.ts';
import { ApiError } from '../api/errors.ts';
import { PARAM_OF_FIELD } from '../api/schemas.ts';

/** The target of a symbol, narrowed to one exchange's instruments when `exchange` is given. */
export async function targetFor(
  store: TradeStore,
  symbol: string,
  markets: Readonly<Record<string, readonly string[]>>,
  exchange?: string,
): Promise<QueryTarget> {
  // resolveTarget looks markets up with obj[symbol]: names like "toString" would hit Object.prototype.
  if (symbol in Object.prototype)
    throw new ApiError('UNKNOWN_SYMBOL', `${symbol} is neither a stored instrument nor a market`);
  let target: QueryTarget;
  try {
    target = await resolveTarget(store, symbol, markets);
  } catch (e) {
    if (e instanceof OrderflowError) throw new ApiError('UNKNOWN_SYMBOL', e.message, { cause: e });
    throw e;
  }
  if (exchange === undefined) return target;
  const members = target.members.filter((m) => m.instrument.exchange === exchange);
  if (members.length === 0) {
    throw new ApiError(
      'UNKNOWN_SYMBOL',
      `${symbol} has no instrument on exchange ${exchange} (it has: ${target.members.map((m) => instrumentKey(m.instrument.exchange, m.instrument.symbol)).join(', ')})`,
    );
  }
  // The market grid stays: factors are exact either way, and results keep the market's precision.
  return { ...target, members };
}

export const memberKeys = (t: QueryTarget): string[] =>
  t.members.map((m) => instrumentKey(m.instrument.exchange, m.instrument.symbol));

/** The service's analytics config with a request's overrides; config errors name the query parameter. */
export function configWith(base: OrderFlowConfig, overrides: Record<string, unknown>): OrderFlowConfig {
  if (Object.keys(overrides).length === 0) return base;
  try {
    return parseConfig({ ...base, ...overrides });
  } catch (e) {
    if (e instanceof OrderflowError) {
      const m = /^\s*([A-Za-z]+)[.:]/m.exec(e.message.split('\n')[1] ?? '');
      const field = m?.[1];
      const param = field === undefined ? undefined : PARAM_OF_FIELD[field];
      const detail = e.message.split('\n').slice(1).join('; ').trim();
      throw new ApiError(
        'INVALID_PARAMETER',
        param === undefined ? detail : `query parameter '${param}': ${detail}`,
        { cause: e },
      );
    }
    throw e;
  }
}

export function paramsFor(cfg: OrderFlowConfig, target: QueryTarget): AnalyticsParams {
  try {
    return resolveParams(cfg, target.scale, target.qtyStep);
  } catch (e) {
    if (e instanceof OrderflowError && e.code === 'INVALID_ROW_SIZE') {
      throw new ApiError('INVALID_ROW_SIZE', `query parameter 'price_tick_size': ${e.message}`, { cause: e });
    }
    throw e;
  }
}
