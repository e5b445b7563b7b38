// Health and metrics of the collector and worker roles: a tiny HTTP endpoint (/health JSON, /metrics Prometheus
// text) for probes and scrapers, and the consumer-lag figures of the workers' durable consumers.

import { createServer, type Server } from 'node:http';
import type { ConsumerLag } from './bus.ts';

export interface RoleHealth {
  readonly role: string;
  readonly status: 'ok' | 'degraded' | 'failed';
}

export interface HealthEndpoint {
  readonly port: number;
  readonly close: () => Promise<void>;
}

const metricName = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Numeric fields of the role's health, and per-consumer lag, in Prometheus text format. */
export function prometheusText(h: RoleHealth, lag: readonly ConsumerLag[] = []): string {
  const lines: string[] = [];
  const prefix = `orderflow_${h.role}`;
  lines.push(
    `# TYPE ${prefix}_up gauge`,
    `${prefix}_up{status="${h.status}"} ${h.status === 'failed' ? 0 : 1}`,
  );
  for (const [k, v] of Object.entries(h)) {
    if (typeof v === 'number' && Number.isFinite(v)) lines.push(`${prefix}_${metricName(k)} ${v}`);
  }
  const gauges: [string, (l: ConsumerLag) => number, string][] = [
    ['pending', (l) => l.pending, 'stream messages not yet delivered to the consumer'],
    ['ack_pending', (l) => l.ackPending, 'delivered, not yet committed and acked'],
    ['redelivered', (l) => l.redelivered, 'messages delivered more than once'],
    ['ack_floor_seq', (l) => l.ackFloorSeq, 'stream sequence below which everything is acked'],
  ];
  for (const [name, f, help] of gauges) {
    if (lag.length === 0) break;
    lines.push(`# HELP orderflow_consumer_${name} ${help}`, `# TYPE orderflow_consumer_${name} gauge`);
    for (const l of lag) lines.push(`orderflow_consumer_${name}{consumer="${l.consumer}"} ${f(l)}`);
  }
  return lines.join('\n') + '\n';
}

/** Serves /health (200 unless failed, then 503) and /metrics on host:port (port 0 = any free port). */
export function startHealthEndpoint(
  host: string,
  port: number,
  health: () => RoleHealth,
  lag: () => Promise<readonly ConsumerLag[]> = () => Promise.resolve([]),
): Promise<HealthEndpoint> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const h = health();
      if (req.url === '/health') {
        let consumers: readonly ConsumerLag[] = [];
        try {
          consumers = await lag();
        } catch {
          // lag is best effort while NATS is away; the status says so already
        }
        res.writeHead(h.status === 'failed' ? 503 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ...h, consumers }));
      } else if (req.url === '/metrics') {
        const l = await lag().catch(() => []);
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(prometheusText(h, l));
      } else {
        res.writeHead(404).end();
      }
    })();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const a = server.address();
      resolve({
        port: typeof a === 'object' && a !== null ? a.port : port,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}
