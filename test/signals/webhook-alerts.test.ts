// Webhook alerts against a real local HTTP server (port 0): retries with backoff on 5xx/429/network errors, no
// retry on other 4xx, Retry-After, cooldowns, the in-flight budget. Sleeps are injected and recorded, never waited.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebhookAlerter } from '../../src/signals/webhook-alerts.ts';
import type { SignalJson } from '../../src/signals/signal-view.ts';

const SIGNAL: SignalJson = {
  symbol: 'BTC',
  kind: 'absorption',
  direction: 'bullish',
  time: '2024-08-09T00:01:00Z',
  bar_start: '2024-08-09T00:00:00Z',
  price: 61000,
  evidence: { side: 'sell', price: 61000, volume: 3.5 },
};

interface Hit {
  body: unknown;
  headers: IncomingMessage['headers'];
}

async function serve(
  handler: (n: number, req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; hits: Hit[]; server: Server }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      hits.push({ body: JSON.parse(data) as unknown, headers: req.headers });
      handler(hits.length, req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, hits, server };
}
const close = (s: Server): Promise<void> => new Promise((r) => s.close(() => r()));

test('retries 5xx with exponential backoff, then delivers the JSON signal', async () => {
  const { url, hits, server } = await serve((n, _req, res) => {
    res.statusCode = n < 3 ? (n === 1 ? 503 : 500) : 200;
    res.end();
  });
  const sleeps: number[] = [];
  const a = new WebhookAlerter({
    url,
    baseDelayMs: 100,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    headers: { 'x-key': 'k' },
  });
  try {
    const r = await a.send(SIGNAL);
    assert.deepEqual(r, { outcome: 'delivered', attempts: 3, status: 200 });
    assert.deepEqual(sleeps, [100, 200]);
    assert.equal(hits.length, 3);
    assert.deepEqual(hits[2]!.body, { type: 'signal', data: SIGNAL });
    assert.equal(hits[2]!.headers['x-key'], 'k');
    assert.equal(hits[2]!.headers['content-type'], 'application/json');
    assert.deepEqual(a.stats, { delivered: 1, failed: 0, suppressed: 0, dropped: 0, retries: 2 });
  } finally {
    await close(server);
  }
});

test('a 4xx other than 429 is final; 429 honours Retry-After; attempts are capped', async () => {
  const { url, server } = await serve((n, req, res) => {
    if (req.url === '/hook?bad') res.statusCode = 400;
    else {
      res.statusCode = 429;
      res.setHeader('retry-after', '2');
    }
    res.end();
  });
  const sleeps: number[] = [];
  const sleep = (ms: number): Promise<void> => {
    sleeps.push(ms);
    return Promise.resolve();
  };
  try {
    const bad = new WebhookAlerter({ url: `${url}?bad`, sleep });
    assert.deepEqual(await bad.send(SIGNAL), { outcome: 'failed', attempts: 1, status: 400 });
    const limited = new WebhookAlerter({ url, sleep, maxAttempts: 3, baseDelayMs: 10 });
    assert.deepEqual(await limited.send(SIGNAL), { outcome: 'failed', attempts: 3, status: 429 });
    assert.deepEqual(sleeps, [2000, 2000]);
  } finally {
    await close(server);
  }
});

test('network errors are retried and reported', async () => {
  const { url, server } = await serve((_n, _req, res) => res.end());
  await close(server); // nothing listens on the port any more
  const sleeps: number[] = [];
  const a = new WebhookAlerter({
    url,
    maxAttempts: 2,
    baseDelayMs: 7,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
  });
  const r = await a.send(SIGNAL);
  assert.equal(r.outcome, 'failed');
  assert.equal(r.attempts, 2);
  assert.ok(r.error !== undefined && r.status === undefined);
  assert.deepEqual(sleeps, [7]);
});

test('cooldown per symbol, kind and direction on the alerter clock', async () => {
  const { url, hits, server } = await serve((_n, _req, res) => res.end());
  let now = 1_000_000;
  const a = new WebhookAlerter({ url, cooldownMs: 60_000, now: () => now });
  try {
    assert.equal((await a.send(SIGNAL)).outcome, 'delivered');
    now += 59_999;
    assert.equal((await a.send(SIGNAL)).outcome, 'suppressed');
    assert.equal((await a.send({ ...SIGNAL, direction: 'bearish' })).outcome, 'delivered');
    assert.equal((await a.send({ ...SIGNAL, symbol: 'ETH' })).outcome, 'delivered');
    now += 1;
    assert.equal((await a.send(SIGNAL)).outcome, 'delivered');
    assert.equal(hits.length, 4);
    assert.equal(a.stats.suppressed, 1);
  } finally {
    await close(server);
  }
});

test('deliveries beyond maxInFlight are dropped, not queued', async () => {
  const held: ServerResponse[] = [];
  let arrived: () => void = () => undefined;
  const both = new Promise<void>((r) => (arrived = r));
  const { url, server } = await serve((n, _req, res) => {
    held.push(res);
    if (n === 2) arrived();
  });
  const a = new WebhookAlerter({ url, maxInFlight: 2, cooldownMs: 0 });
  try {
    const p1 = a.send(SIGNAL);
    const p2 = a.send({ ...SIGNAL, kind: 'delta_exhaustion' });
    assert.equal((await a.send({ ...SIGNAL, kind: 'naked_poc_test' })).outcome, 'dropped');
    await both;
    for (const r of held) r.end();
    assert.deepEqual([(await p1).outcome, (await p2).outcome], ['delivered', 'delivered']);
    assert.equal(a.stats.dropped, 1);
  } finally {
    await close(server);
  }
});
