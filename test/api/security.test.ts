/* eslint-disable @typescript-eslint/no-unsafe-member-access -- assertions on parsed JSON bodies */
// Security of the service: API keys (hashed, Bearer / X-API-Key / ?token=), scopes, per-key and per-IP rate limits,
// the append-only audit log, TLS (HTTPS + WSS with a self-signed certificate), the refusal to expose the service
// without keys, CORS and size limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { ApiKeyStore, presentedKey } from '../../src/api/api-keys.ts';
import { TokenBuckets, RateLimiter } from '../../src/api/rate-limiter.ts';
import { StartRefused } from '../../src/api/app.ts';
import { ETH_FILE, injectApp, listen, serviceFixture } from './fixture.ts';

test('API keys: only the SHA-256 is stored; the key verifies, a wrong or revoked key does not', async (t) => {
  const f = await serviceFixture(t);
  if (!f) return;
  try {
    const path = join(f.dir, 'keys.json');
    const keys = new ApiKeyStore(path);
    const { key, record } = keys.add('alice');
    const file = readFileSync(path, 'utf8');
    assert.ok(!file.includes(key), 'the key text is not in the file');
    assert.ok(file.includes(record.sha256));
    const again = new ApiKeyStore(path);
    assert.equal(again.verify(key)?.id, record.id);
    assert.equal(again.verify(key + 'x'), undefined);
    assert.equal(again.verify(''), undefined);
    assert.ok(again.revoke(record.id));
    assert.equal(new ApiKeyStore(path).verify(key), undefined);
    assert.equal(presentedKey({ authorization: 'Bearer abc' }), 'abc');
    assert.equal(presentedKey({ 'x-api-key': 'def' }), 'def');
    assert.equal(presentedKey({}, 'tok'), 'tok');
    assert.equal(presentedKey({ authorization: 'Basic abc' }), undefined);
  } finally {
    await f.close();
  }
});

test('auth: with a key configured, requests need it (401), a wrong key is 401, a key without the scope 403; /health stays open', async (t) => {
  const f = await serviceFixture(t, { files: [ETH_FILE] });
  if (!f) return;
  const keys = new ApiKeyStore();
  const { key } = keys.add('rest-client', ['rest']);
  const { key: streamOnly } = keys.add('stream-client', ['stream']);
  const api = await injectApp(f, {}, keys);
  try {
    const url = '/api/v1/orderflow/metrics/ETH';
    const none = await api.app.inject(url);
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().error.code, 'AUTH_REQUIRED');
    assert.equal(none.headers['www-authenticate'], 'Bearer');
    const wrong = await api.app.inject({ url, headers: { authorization: 'Bearer ofk_nope' } });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().error.code, 'INVALID_API_KEY');
    const scope = await api.app.inject({ url, headers: { 'x-api-key': streamOnly } });
    assert.equal(scope.statusCode, 403);
    assert.equal(scope.json().error.code, 'FORBIDDEN');
    assert.equal(
      (await api.app.inject({ url, headers: { authorization: `Bearer ${key}` } })).statusCode,
      200,
    );
    assert.equal((await api.app.inject({ url, headers: { 'x-api-key': key } })).statusCode, 200);
    assert.equal((await api.app.inject('/health')).statusCode, 200);
    assert.equal((await api.app.inject('/metrics')).statusCode, 401, 'Prometheus figures need a key too');
  } finally {
    await api.close();
    await f.close();
  }
});

test('rate limits: token buckets refill at their rate; per-IP and per-key both apply; 429 with Retry-After', async (t) => {
  // Hand-worked bucket: burst 3, 2 tokens/s. t=0: three takes pass, the 4th waits (1−0)/2 s = 500 ms.
  let now = 0;
  const b = new TokenBuckets({ perSecond: 2, burst: 3 }, () => now);
  assert.deepEqual([b.take('a'), b.take('a'), b.take('a')], [0, 0, 0]);
  assert.equal(b.take('a'), 500);
  now = 499;
  assert.equal(b.take('a'), 1, '0.998 tokens: 1 ms short');
  now = 1000;
  assert.equal(b.take('a'), 0);
  assert.equal(b.take('b'), 0, 'another key has its own bucket');
  const lim = new RateLimiter(
    { perKey: { perSecond: 1, burst: 2 }, perIp: { perSecond: 1, burst: 3 } },
    () => now,
  );
  assert.equal(lim.check('1.1.1.1', 'k'), 0);
  assert.equal(lim.check('2.2.2.2', 'k'), 0);
  assert.ok(lim.check('3.3.3.3', 'k') > 0, 'the key is over its rate from any address');
  // 1.1.1.1 has spent 1 of its 3: two more pass, the next is refused.
  assert.equal(lim.check('1.1.1.1', undefined), 0);
  assert.equal(lim.check('1.1.1.1', undefined), 0);
  assert.ok(lim.check('1.1.1.1', undefined) > 0, 'the address is over its rate');

  const f = await serviceFixture(t, { files: [ETH_FILE] });
  if (!f) return;
  let clock = 0;
  const api = await injectApp(
    f,
    { rateLimit: { perKey: { perSecond: 5, burst: 5 }, perIp: { perSecond: 1, burst: 2 } } },
    undefined,
    () => clock,
  );
  try {
    const url = '/api/v1/orderflow/metrics/ETH';
    assert.equal((await api.app.inject(url)).statusCode, 200);
    assert.equal((await api.app.inject(url)).statusCode, 200);
    const limited = await api.app.inject(url);
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().error.code, 'RATE_LIMITED');
    assert.equal(limited.headers['retry-after'], '1');
    assert.equal(
      (await api.app.inject({ url, remoteAddress: '10.0.0.9' })).statusCode,
      200,
      'another address is not limited',
    );
    clock = 1000;
    assert.equal((await api.app.inject(url)).statusCode, 200, 'a token came back after 1 s');
  } finally {
    await api.close();
    await f.close();
  }
});

test('audit log: one JSON line per request (who, what, when, status), appended across restarts', async (t) => {
  const f = await serviceFixture(t, { files: [ETH_FILE] });
  if (!f) return;
  const keys = new ApiKeyStore();
  const { key, record } = keys.add('auditor');
  try {
    for (let run = 0; run < 2; run++) {
      const api = await injectApp(f, {}, keys);
      await api.app.inject({
        url: '/api/v1/orderflow/metrics/ETH',
        headers: { authorization: `Bearer ${key}` },
      });
      await api.app.inject('/api/v1/orderflow/metrics/ETH');
      await api.close();
    }
    const lines = readFileSync(join(f.dir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 4, 'both runs appended');
    assert.deepEqual(
      lines.map((l) => [l.key, l.status, l.action]),
      [
        [record.id, 200, 'GET /api/v1/orderflow/metrics/ETH'],
        [null, 401, 'GET /api/v1/orderflow/metrics/ETH'],
        [record.id, 200, 'GET /api/v1/orderflow/metrics/ETH'],
        [null, 401, 'GET /api/v1/orderflow/metrics/ETH'],
      ],
    );
    for (const l of lines) {
      assert.ok(!Number.isNaN(Date.parse(String(l.time))));
      assert.equal(typeof l.ip, 'string');
    }
    assert.ok(!readFileSync(join(f.dir, 'audit.jsonl'), 'utf8').includes(key), 'keys never reach the log');
  } finally {
    await f.close();
  }
});

test('binding a non-loopback address without any API key is refused with a clear message', async (t) => {
  const f = await serviceFixture(t);
  if (!f) return;
  try {
    await assert.rejects(
      listen(f, { host: '0.0.0.0' }),
      (e: unknown) =>
        e instanceof StartRefused && /no API key exists/.test(e.message) && /keys add/.test(e.message),
    );
    const keys = new ApiKeyStore();
    keys.add('ops');
    const s = await listen(f, { host: '0.0.0.0' }, keys);
    assert.ok(s.port > 0);
    await s.close();
  } finally {
    await f.close();
  }
});

test('CORS: configured origins get the headers, others do not; no origins configured ⇒ no CORS headers', async (t) => {
  const f = await serviceFixture(t, { files: [ETH_FILE] });
  if (!f) return;
  const open = await injectApp(f);
  const api = await injectApp(f, { corsOrigins: ['https://ui.example'] });
  try {
    const ok = await api.app.inject({
      url: '/api/v1/orderflow/metrics/ETH',
      headers: { origin: 'https://ui.example' },
    });
    assert.equal(ok.headers['access-control-allow-origin'], 'https://ui.example');
    const other = await api.app.inject({
      url: '/api/v1/orderflow/metrics/ETH',
      headers: { origin: 'https://evil.example' },
    });
    assert.equal(other.headers['access-control-allow-origin'], undefined);
    const pre = await api.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/orderflow/metrics/ETH',
      headers: { origin: 'https://ui.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(pre.statusCode, 204);
    const none = await open.app.inject({
      url: '/api/v1/orderflow/metrics/ETH',
      headers: { origin: 'https://ui.example' },
    });
    assert.equal(none.headers['access-control-allow-origin'], undefined);
    const big = await api.app.inject({
      method: 'POST',
      url: '/api/v1/orderflow/metrics/ETH',
      payload: 'x'.repeat(20_000),
      headers: { 'content-type': 'text/plain' },
    });
    assert.ok([404, 413].includes(big.statusCode), `oversized bodies are refused (${big.statusCode})`);
  } finally {
    await open.close();
    await api.close();
    await f.close();
  }
});

test('TLS: HTTPS and WSS from a configured certificate (self-signed, made with openssl here)', async (t) => {
  const f = await serviceFixture(t, { files: [ETH_FILE] });
  if (!f) return;
  const cert = join(f.dir, 'cert.pem');
  const key = join(f.dir, 'key.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
  } catch {
    t.skip('openssl not available');
    await f.close();
    return;
  }
  assert.ok(existsSync(cert));
  const s = await listen(f, { tls: { cert, key } });
  try {
    assert.match(s.url, /^https:/);
    assert.match(s.wsUrl, /^wss:/);
    const ca = readFileSync(cert);
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(`${s.url}/api/v1/orderflow/metrics/ETH`, { ca }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal((JSON.parse(body) as { success: boolean }).success, true);
    const ws = new WebSocket(s.wsUrl, { ca });
    const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ type: 'ping' })));
      ws.on('message', (d: Buffer) => resolve(JSON.parse(d.toString()) as Record<string, unknown>));
      ws.on('error', reject);
    });
    assert.equal(first.type, 'heartbeat');
    ws.close();
    // A client that does not trust the certificate is refused by TLS.
    await assert.rejects(
      new Promise((resolve, reject) => {
        const req = request(`${s.url}/health`, {}, resolve);
        req.on('error', reject);
        req.end();
      }),
    );
  } finally {
    await s.close();
    await f.close();
  }
});
