// Prometheus text exposition of the service's figures: requests, stream clients and messages, source trades and
// streams, store writes, response cache and process memory.

import type { OrderflowService } from '../service/orderflow-service.ts';
import type { AuditLog } from './audit-log.ts';
import type { Authenticator } from './auth.ts';
import type { WsStreamer } from './ws-streamer.ts';

const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function prometheusText(
  service: OrderflowService,
  streamer: WsStreamer,
  auth: Authenticator,
  audit: AuditLog,
  requests: ReadonlyMap<number, number>,
): string {
  const lines: string[] = [];
  const metric = (
    name: string,
    type: 'counter' | 'gauge',
    help: string,
    samples: [Record<string, string>, number][],
  ): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of samples) {
      const l = Object.entries(labels)
        .map(([k, x]) => `${k}="${esc(x)}"`)
        .join(',');
      lines.push(`${name}${l ? `{${l}}` : ''} ${Number.isFinite(v) ? v : 0}`);
    }
  };
  metric(
    'orderflow_http_requests_total',
    'counter',
    'HTTP responses by status',
    [...requests].map(([s, n]) => [{ status: String(s) }, n]),
  );
  metric('orderflow_rate_limited_total', 'counter', 'Requests refused by the rate limiter', [
    [{}, auth.limiter.limited],
  ]);
  metric('orderflow_ws_clients', 'gauge', 'Connected WebSocket clients', [[{}, streamer.clientCount]]);
  metric(
    'orderflow_ws_messages_published_total',
    'counter',
    'Stream messages published (each serialized once)',
    [[{}, streamer.messagesPublished]],
  );
  metric('orderflow_ws_slow_clients_closed_total', 'counter', 'Clients closed for not keeping up', [
    [{}, streamer.closedSlow],
  ]);
  metric('orderflow_source_trades_total', 'counter', 'Trades received from the source', [
    [{}, service.monitor.trades],
  ]);
  metric('orderflow_source_bad_frames_total', 'counter', 'Frames or rows the source could not use', [
    [{}, service.monitor.badFrames],
  ]);
  metric(
    'orderflow_stream_connected',
    'gauge',
    '1 when a source stream is connected',
    [...service.monitor.streams].map(([name, st]) => [{ stream: name }, st.state === 'connected' ? 1 : 0]),
  );
  metric(
    'orderflow_stream_gaps_lost_total',
    'counter',
    'Trade id ranges that could not be recovered',
    [...service.monitor.streams].map(([name, st]) => [{ stream: name }, st.gapsLost]),
  );
  metric('orderflow_store_written_total', 'counter', 'Trades written to the store', [
    [{}, service.writer.written],
  ]);
  metric('orderflow_store_queue', 'gauge', 'Trades waiting for the store', [
    [{}, service.writer.queuedTrades],
  ]);
  metric('orderflow_store_write_failures_total', 'counter', 'Failed store writes', [
    [{}, service.writer.failures],
  ]);
  metric('orderflow_cache_hits_total', 'counter', 'REST responses served from the cache', [
    [{}, service.queries.cache.hits],
  ]);
  metric('orderflow_cache_misses_total', 'counter', 'REST responses computed', [
    [{}, service.queries.cache.misses],
  ]);
  metric('orderflow_cache_bytes', 'gauge', 'Bytes of cached responses', [
    [{}, service.queries.cache.byteSize],
  ]);
  metric('orderflow_audit_dropped_total', 'counter', 'Audit lines dropped (disk backlog)', [
    [{}, audit.dropped],
  ]);
  const mem = process.memoryUsage();
  metric('orderflow_process_resident_bytes', 'gauge', 'Resident set size', [[{}, mem.rss]]);
  metric('orderflow_process_heap_used_bytes', 'gauge', 'V8 heap used', [[{}, mem.heapUsed]]);
  return lines.join('\n') + '\n';
}
