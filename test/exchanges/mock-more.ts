// Mock protocols for Bybit v5, OKX v5, Kraken v2 and Bitstamp on top of MockExchange (loopback WebSocket + REST):
// their subscribe replies, their application-level ping → pong, Kraken's trade snapshot on subscribe and OKX's
// history-trades REST paging. Each protocol counts the client pings it answered.

import type { MockProtocol, RestRow } from './mock-exchange.ts';

export interface CountingProtocol extends MockProtocol {
  /** Application-level pings the client sent (and the mock answered). */
  readonly pings: () => number;
}

function parse(msg: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(msg) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const notFound = (): [number, unknown, Record<string, string>] => [404, { error: 'not found' }, {}];

/** Bybit: {"op":"subscribe","args":[…]} → success ack; {"op":"ping"} → {"ret_msg":"pong","op":"ping"}. */
export function bybitProtocol(): CountingProtocol {
  let pings = 0;
  return {
    pings: () => pings,
    onClientMessage(msg) {
      const m = parse(msg);
      const reqId = (m?.['req_id'] as string | undefined) ?? '';
      if (m?.['op'] === 'ping') {
        pings++;
        return {
          replies: [
            JSON.stringify({ success: true, ret_msg: 'pong', conn_id: 'mock', req_id: reqId, op: 'ping' }),
          ],
          subscribed: false,
        };
      }
      if (m?.['op'] === 'subscribe') {
        const args = (m['args'] as string[] | undefined) ?? [];
        return {
          replies: [
            JSON.stringify({ success: true, ret_msg: '', conn_id: 'mock', req_id: reqId, op: 'subscribe' }),
          ],
          subscribed: args.some((a) => a.startsWith('publicTrade.')),
        };
      }
      return {
        replies: [JSON.stringify({ success: false, ret_msg: 'error:request not supported', op: m?.['op'] })],
        subscribed: false,
      };
    },
    rest: notFound,
  };
}

/** OKX: text "ping" → "pong"; subscribe → one ack per arg; REST history-trades by `after` (newest first, ≤ 100). */
export function okxProtocol(): CountingProtocol {
  let pings = 0;
  return {
    pings: () => pings,
    onClientMessage(msg) {
      if (msg === 'ping') {
        pings++;
        return { replies: ['pong'], subscribed: false };
      }
      const m = parse(msg);
      if (m?.['op'] !== 'subscribe')
        return {
          replies: [JSON.stringify({ event: 'error', code: '60012', msg: `Invalid request: ${msg}` })],
          subscribed: false,
        };
      const args = (m['args'] as Record<string, string>[] | undefined) ?? [];
      return {
        replies: args.map((arg) => JSON.stringify({ id: m['id'], event: 'subscribe', arg, connId: 'mock' })),
        subscribed: args.some((a) => a['channel'] === 'trades-all' || a['channel'] === 'trades'),
      };
    },
    rest(url, rows) {
      if (url.pathname !== '/api/v5/market/history-trades') return notFound();
      const instId = url.searchParams.get('instId');
      const after = Number(url.searchParams.get('after') ?? Infinity);
      const limit = Math.min(100, Number(url.searchParams.get('limit') ?? 100));
      const page = rows
        .filter((r) => r.symbol === instId && r.id < after)
        .sort((a, b) => b.id - a.id)
        .slice(0, limit);
      return [200, { code: '0', msg: '', data: page.map((r) => r.row) }, {}];
    },
  };
}

/** Kraken v2: subscribe → ack, then the last 50 published trades per symbol as a `snapshot`; ping → pong. */
export function krakenProtocol(): CountingProtocol {
  let pings = 0;
  return {
    pings: () => pings,
    onClientMessage(msg) {
      const m = parse(msg);
      if (m?.['method'] === 'ping') {
        pings++;
        return {
          replies: [
            JSON.stringify({
              method: 'pong',
              req_id: m['req_id'],
              time_in: '2026-07-07T23:00:00.000000Z',
              time_out: '2026-07-07T23:00:00.000001Z',
            }),
          ],
          subscribed: false,
        };
      }
      if (m?.['method'] === 'subscribe') {
        const params = (m['params'] as { channel?: string; symbol?: string[] } | undefined) ?? {};
        return {
          replies: (params.symbol ?? []).map((symbol) =>
            JSON.stringify({
              method: 'subscribe',
              result: { channel: params.channel, snapshot: true, symbol },
              success: true,
              req_id: m['req_id'],
            }),
          ),
          subscribed: params.channel === 'trade',
        };
      }
      return {
        replies: [JSON.stringify({ error: 'Unsupported method', success: false })],
        subscribed: false,
      };
    },
    onSubscribe(published: readonly RestRow[]) {
      const bySymbol = new Map<string, RestRow[]>();
      for (const r of published) bySymbol.set(r.symbol, [...(bySymbol.get(r.symbol) ?? []), r]);
      // Rows keep the trade object's literal text (`raw`): JSON numbers such as 0.00005100 must not be re-printed.
      return [...bySymbol.values()].map(
        (rs) =>
          `{"channel":"trade","type":"snapshot","data":[${rs
            .slice(-50)
            .map((r) => String(r.row['raw']))
            .join(',')}]}`,
      );
    },
    rest: notFound,
  };
}

/** Bitstamp: bts:subscribe → bts:subscription_succeeded; bts:heartbeat → heartbeat success. */
export function bitstampProtocol(): CountingProtocol {
  let pings = 0;
  return {
    pings: () => pings,
    onClientMessage(msg) {
      const m = parse(msg);
      if (m?.['event'] === 'bts:heartbeat') {
        pings++;
        return {
          replies: [JSON.stringify({ event: 'bts:heartbeat', channel: '', data: { status: 'success' } })],
          subscribed: false,
        };
      }
      if (m?.['event'] === 'bts:subscribe') {
        const channel = ((m['data'] as { channel?: string } | undefined) ?? {}).channel ?? '';
        return {
          replies: [JSON.stringify({ event: 'bts:subscription_succeeded', channel, data: {} })],
          subscribed: channel.startsWith('live_trades_'),
        };
      }
      return {
        replies: [
          JSON.stringify({ event: 'bts:error', channel: '', data: { code: null, message: 'Bad request' } }),
        ],
        subscribed: false,
      };
    },
    rest: notFound,
  };
}
