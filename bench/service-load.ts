// The service benchmark's load generator (a worker thread, so it does not share the service's event loop): a
// mock Binance combined-stream server replaying real @trade frames at a fixed rate, the WebSocket clients
// (probes time frame sent → `tick` received), idle clients that never read, and a keep-alive REST load.

import { readFileSync } from 'node:fs';
import { createServer, Agent, request, type IncomingMessage } from 'node:http';
import { connect as tcpConnect, type AddressInfo, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { gunzipSync } from 'node:zlib';
import { WebSocketServer, WebSocket } from 'ws';

interface Cmd {
  readonly cmd: string;
  readonly [k: string]: unknown;
}
const port = parentPort!;
const data = workerData as { tradeStreamFile: string };
const now = (): number => performance.timeOrigin + performance.now();

// --- the recorded frames, as templates (ids and times are rewritten on send) ---
const templates = gunzipSync(readFileSync(data.tradeStreamFile))
  .toString('utf8')
  .split('\n')
  .filter((l) => l.includes('@trade'))
  .map((l) => JSON.parse(l.slice(l.indexOf(' ') + 1)) as { stream: string; data: Record<string, unknown> });

// --- mock exchange: /stream WebSocket + REST that has nothing to backfill ---
const http = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
});
const wss = new WebSocketServer({ server: http, path: '/stream' });
let feedSocket: WebSocket | undefined;
wss.on('connection', (ws) => {
  ws.on('message', (m: Buffer) => {
    const msg = JSON.parse(m.toString()) as { id?: number; method?: string };
    if (msg.method === 'SUBSCRIBE') {
      ws.send(JSON.stringify({ result: null, id: msg.id ?? 1 }));
      feedSocket = ws;
    }
  });
});
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));

/**
 * Send times by trade id, and the latencies measured, in preallocated arrays: a Map of 100,000 entries and arrays
 * of 500,000 boxed numbers per run made the generator's own garbage collections stall it (and every latency it
 * measured at that moment) by up to 100 ms.
 */
class Samples {
  private data = new Float64Array(1 << 16);
  length = 0;
  push(x: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = x;
  }
  at(i: number): number {
    return this.data[i]!;
  }
  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }
}
let nextId = 5_000_000_000;
/** Send time of id firstFedId + i, at i. */
let firstFedId = nextId;
const sentAt = new Samples();
const latencies = new Samples();
const worstOfBatch = new Samples();

/** Sends `rate` trades/s for `seconds`, one frame per trade, paced in 1 ms steps. */
async function feed(rate: number, seconds: number): Promise<number> {
  const ws = feedSocket;
  if (ws === undefined) throw new Error('the service did not subscribe to the mock exchange');
  const start = performance.now();
  const total = Math.round(rate * seconds);
  let sent = 0;
  let k = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
    for (; sent < due; sent++) {
      const tpl = templates[k++ % templates.length]!;
      const id = nextId++;
      const t = Date.now();
      const frame = JSON.stringify({ stream: tpl.stream, data: { ...tpl.data, E: t, T: t, t: id } });
      sentAt.push(now());
      ws.send(frame);
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return sent;
}

// --- stream clients ---
const clients: { terminate(): void }[] = [];

/** A masked client text frame (payload < 126 bytes), as RFC 6455 requires of clients. */
function clientFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const out = Buffer.alloc(6 + payload.length);
  out[0] = 0x81;
  out[1] = 0x80 | payload.length;
  mask.copy(out, 2);
  for (let i = 0; i < payload.length; i++) out[6 + i] = payload[i]! ^ mask[i % 4]!;
  return out;
}

/**
 * A client that only drains its socket (no frame decoding): the load generator's cost per message stays tiny, so
 * the measured latency is the service's, not the generator's. `idle` clients stop reading after the snapshot.
 */
function drainClient(url: string, idle: boolean): Promise<{ terminate(): void }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const sock: Socket = tcpConnect(Number(u.port), u.hostname);
    let phase: 'handshake' | 'subscribed' | 'ready' = 'handshake';
    let got = 0;
    sock.on('error', reject);
    sock.on('connect', () => {
      sock.write(
        `GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    sock.on('data', (d: Buffer) => {
      if (phase === 'handshake') {
        if (!d.includes('\r\n\r\n')) return;
        phase = 'subscribed';
        sock.write(
          clientFrame(
            JSON.stringify({
              type: 'subscribe',
              data: { channel: 'orderflow', symbol: 'BTC', timeframe: '1m' },
            }),
          ),
        );
        return;
      }
      got += d.length;
      if (phase === 'subscribed' && got > 0) {
        phase = 'ready';
        if (idle) sock.pause();
        resolve({ terminate: () => sock.destroy() });
      }
    });
  });
}
function connect(url: string, probe: boolean, idle: boolean): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('error', reject);
    ws.on('open', () => {
      ws.send(
        JSON.stringify({ type: 'subscribe', data: { channel: 'orderflow', symbol: 'BTC', timeframe: '1m' } }),
      );
    });
    let ready = false;
    ws.on('message', (d: Buffer) => {
      if (!ready) {
        if (d.includes('"type":"snapshot"')) {
          ready = true;
          if (idle) ws.pause();
          resolve(ws);
        }
        return;
      }
      if (!probe || !d.subarray(0, 16).includes('"tick"')) return;
      const t = now();
      const ids = tickIds(d);
      // Every trade's latency (the goal's measure), and the batch's first trade apart: it was sent first, so its
      // latency is the batch's worst.
      ids.forEach((id, k) => {
        const i = id - firstFedId;
        if (!(i >= 0 && i < sentAt.length)) return;
        const s = sentAt.at(i);
        latencies.push(t - s);
        if (k === 0) worstOfBatch.push(t - s);
      });
    });
  });
}

/** The trade ids of a `tick` batch (`columns/1`: the id column, delta-coded when `delta_coded` names it). */
function tickIds(d: Buffer): number[] {
  const b = (JSON.parse(d.toString('utf8')) as { data: { id: unknown[]; delta_coded?: string[] } }).data;
  const ids = b.id.map(Number);
  if (b.delta_coded?.includes('id') === true) for (let i = 1; i < ids.length; i++) ids[i]! += ids[i - 1]!;
  return ids;
}

// --- REST load: keep-alive requests, `concurrency` in flight, for `seconds` ---
async function restLoad(
  url: string,
  seconds: number,
  concurrency: number,
  acceptEncoding: string | undefined,
  etag: string | undefined,
): Promise<Record<string, number>> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const end = performance.now() + seconds * 1000;
  let ok = 0;
  let failed = 0;
  let bytes = 0;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const headers: Record<string, string> = {};
      if (acceptEncoding !== undefined) headers['accept-encoding'] = acceptEncoding;
      if (etag !== undefined) headers['if-none-match'] = etag;
      const req = request(url, { agent, headers }, (res: IncomingMessage) => {
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => {
          if (res.statusCode === 200 || res.statusCode === 304) ok++;
          else failed++;
          resolve();
        });
      });
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end();
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) await one();
    }),
  );
  const s = (performance.now() - t0) / 1000;
  agent.destroy();
  return {
    requests: ok,
    failed,
    seconds: s,
    req_per_s: ok / s,
    mb_per_s: bytes / s / 1e6,
    bytes_per_response: ok > 0 ? bytes / ok : 0,
  };
}

port.on('message', (c: Cmd) => {
  void (async () => {
    try {
      switch (c.cmd) {
        case 'clients': {
          const n = c.n as number;
          const probes = c.probes as number;
          const batch: Promise<{ terminate(): void }>[] = [];
          // Probes spread over the connection order (the middle of each n/probes slice): the service writes to its
          // clients in that order, so probes that connected first would see only the start of every fan-out.
          const probeAt = new Set(
            Array.from({ length: probes }, (_, k) => Math.floor(((k + 0.5) * n) / probes)),
          );
          for (let i = 0; i < n; i++) {
            batch.push(
              probeAt.has(i)
                ? connect(c.url as string, true, false)
                : drainClient(c.url as string, c.idle === true),
            );
            if (batch.length === 50) clients.push(...(await Promise.all(batch.splice(0))));
          }
          clients.push(...(await Promise.all(batch)));
          port.postMessage({ done: 'clients', connected: clients.length });
          break;
        }
        case 'feed': {
          latencies.length = 0;
          worstOfBatch.length = 0;
          sentAt.length = 0;
          firstFedId = nextId;
          const lag = monitorEventLoopDelay({ resolution: 1 });
          lag.enable();
          const sent = await feed(c.rate as number, c.seconds as number);
          // Let the last ticks arrive (bounded).
          const until = performance.now() + 500;
          while (performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
          lag.disable();
          const dist = (xs: Samples): Record<string, number> => {
            const s = xs.sorted();
            const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
            return { samples: s.length, p50_ms: at(0.5), p99_ms: at(0.99), max_ms: s[s.length - 1] ?? NaN };
          };
          const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
          port.postMessage({
            done: 'feed',
            sent,
            ...dist(latencies),
            worst_of_batch: dist(worstOfBatch),
            // the generator's own stalls add to every latency it measures
            generator_event_loop_delay_ms: { p99: ms(lag.percentile(99)), max: ms(lag.max) },
          });
          break;
        }
        case 'rest':
          port.postMessage({
            done: 'rest',
            ...(await restLoad(
              c.url as string,
              c.seconds as number,
              c.concurrency as number,
              // `gzip: true` asks for gzip only; `accept` sends any Accept-Encoding (e.g. a browser's).
              (c.accept as string | undefined) ?? (c.gzip === true ? 'gzip' : undefined),
              c.etag as string | undefined,
            )),
          });
          break;
        case 'drop-clients':
          for (const ws of clients.splice(0)) ws.terminate();
          port.postMessage({ done: 'drop-clients' });
          break;
        case 'close':
          for (const ws of clients) ws.terminate();
          wss.close();
          http.close();
          port.postMessage({ done: 'close' });
          break;
      }
    } catch (e) {
      port.postMessage({ error: e instanceof Error ? e.message : String(e) });
    }
  })();
});
port.postMessage({ done: 'ready', mockPort: (http.address() as AddressInfo).port });
