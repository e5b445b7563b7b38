// REST client rate-limit rules: Retry-After forms, Binance used-weight budget, request spacing, retry budget.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { parseRetryAfter, RestClient, RestError } from '../../src/sources/exchanges/rest-client.ts';

async function withServer(
  handler: (n: number) => [number, Record<string, string>],
  body: (c: string) => Promise<void>,
): Promise<void> {
  let n = 0;
  const server = createServer((_req, res) => {
    const [status, headers] = handler(n++);
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end('[]');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.close();
  }
}

describe('RestClient', () => {
  it('Retry-After: seconds, HTTP date, absent', () => {
    assert.equal(parseRetryAfter('3', 0), 3000);
    assert.equal(parseRetryAfter('0', 0), 0);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6_000);
    assert.equal(parseRetryAfter(null, 0), undefined);
    assert.equal(parseRetryAfter('soon', 0), undefined);
  });

  it('waits for the next minute when the used-weight header says the budget is spent', async () => {
    let clock = 120_000 + 10_000; // 10 s into a minute
    const waits: number[] = [];
    await withServer(
      () => [200, { 'x-mbx-used-weight-1m': '5990' }],
      async (base) => {
        const c = new RestClient({
          baseUrl: base,
          weightLimitPerMinute: 6000,
          usedWeightHeader: 'x-mbx-used-weight-1m',
          now: () => clock,
          sleep: (ms) => {
            waits.push(ms);
            clock += ms;
            return Promise.resolve();
          },
        });
        await c.getJson('x', {}, 25); // server reports 5990 used
        await c.getJson('x', {}, 25); // 5990 + 25 > 6000 ⇒ wait the 50 s left in the minute
        assert.deepEqual(waits, [50_000]);
        assert.equal(c.stats.weightWaits, 1);
      },
    );
  });

  it('spaces requests by minIntervalMs (Coinbase 10/s)', async () => {
    let clock = 0;
    const waits: number[] = [];
    await withServer(
      () => [200, {}],
      async (base) => {
        const c = new RestClient({
          baseUrl: base,
          minIntervalMs: 100,
          now: () => clock,
          sleep: (ms) => {
            waits.push(ms);
            clock += ms;
            return Promise.resolve();
          },
        });
        await c.getJson('a');
        await c.getJson('a');
        clock += 30;
        await c.getJson('a');
        assert.deepEqual(waits, [100, 70]);
      },
    );
  });

  it('gives up after the retry budget with a RestError carrying the status; 4xx is not retried', async () => {
    await withServer(
      (n) => [n < 10 ? 503 : 200, {}],
      async (base) => {
        const c = new RestClient({ baseUrl: base, maxRetries: 2, sleep: () => Promise.resolve() });
        await assert.rejects(c.getJson('x'), (e: unknown) => e instanceof RestError && e.status === 503);
        assert.equal(c.stats.requests, 3);
      },
    );
    await withServer(
      () => [400, {}],
      async (base) => {
        const c = new RestClient({ baseUrl: base, sleep: () => Promise.resolve() });
        await assert.rejects(c.getJson('x'), (e: unknown) => e instanceof RestError && e.status === 400);
        assert.equal(c.stats.requests, 1);
      },
    );
  });
});
