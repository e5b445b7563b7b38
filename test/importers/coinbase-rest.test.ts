// Coinbase REST import against a loopback mock speaking the Exchange API's pagination: newest first, the next
// (older) page through `after=` and the CB-AFTER header; `side` is the maker's, so the taker is the opposite.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importCoinbaseTrades } from '../../src/importers/coinbase-rest.ts';
import { MemoryTradeStore } from '../../src/store/memory-store.ts';
import { serve } from './fixtures.ts';

interface Row {
  trade_id: number;
  price: string;
  size: string;
  side: string;
  time: string;
}

const T0 = Date.UTC(2024, 0, 1);
/** 2500 trades, one per second, ids 1..2500. */
const ALL: Row[] = Array.from({ length: 2500 }, (_, i) => ({
  trade_id: i + 1,
  price: (42_000 + (i % 50) / 100).toFixed(2),
  size: (0.0001 * (1 + (i % 7))).toFixed(8),
  side: i % 4 === 0 ? 'buy' : 'sell',
  time: new Date(T0 + i * 1000).toISOString().replace('Z', '123Z'),
}));

async function mock(rows: readonly Row[]) {
  const asked: string[] = [];
  const server = await serve((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    asked.push(url.search);
    const m = /^\/products\/([^/]+)\/trades$/.exec(url.pathname);
    if (m === null || m[1] !== 'BTC-USD') {
      res.writeHead(404).end(JSON.stringify({ message: 'NotFound' }));
      return;
    }
    const limit = Number(url.searchParams.get('limit') ?? 100);
    const after = url.searchParams.get('after');
    // newest first: ids below `after`
    const older = rows
      .filter((r) => after === null || r.trade_id < Number(after))
      .sort((a, b) => b.trade_id - a.trade_id);
    const page = older.slice(0, limit);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const last = page[page.length - 1];
    if (last !== undefined) headers['cb-after'] = String(last.trade_id);
    res.writeHead(200, headers).end(JSON.stringify(page));
  });
  return { ...server, asked };
}

test('pages back through CB-AFTER until the range start; maker side ⇒ opposite taker side; re-run stores nothing twice', async () => {
  const m = await mock(ALL);
  const store = new MemoryTradeStore();
  await store.open();
  try {
    // [trade 601, trade 2200): ts from T0+600 s to T0+2199 s (+123 µs each)
    const from = (T0 + 600_000) * 1000;
    const to = (T0 + 2_199_000) * 1000 + 124;
    const r = await importCoinbaseTrades(store, {
      product: 'BTC-USD',
      from,
      to,
      baseUrl: m.url,
      retryDelayMs: 0,
    });
    assert.equal(r.trades, 1600);
    assert.equal(r.inserted, 1600);
    assert.equal(r.pages, 2, 'ids 2500..1501, then 1500..501 (which passes the start)');
    assert.deepEqual(m.asked, ['?limit=1000', '?limit=1000&after=1501']);
    const trades = await store.readTrades('coinbase', 'BTC-USD', 0, Number.MAX_SAFE_INTEGER);
    assert.equal(trades[0]!.id, 601);
    assert.equal(trades[trades.length - 1]!.id, 2200);
    for (const t of trades) {
      const row = ALL[(t.id as number) - 1]!;
      assert.equal(t.side, row.side === 'sell' ? 1 : -1, 'a resting sell lifted ⇒ the taker bought');
      assert.equal(t.ts, (T0 + ((t.id as number) - 1) * 1000) * 1000 + 123);
      // tick 0.01, lot 1e-8 (known coinbase:BTC-USD)
      assert.equal(t.price, Math.round(Number(row.price) * 100));
      assert.equal(t.qty, Math.round(Number(row.size) * 1e8));
    }
    const again = await importCoinbaseTrades(store, {
      product: 'BTC-USD',
      from,
      to,
      baseUrl: m.url,
      retryDelayMs: 0,
    });
    assert.equal(again.inserted, 0);
    assert.equal(again.duplicates, 1600);
  } finally {
    await m.close();
  }
});

test('unknown products need increments; a 404 product is a clear error', async () => {
  const m = await mock(ALL);
  const store = new MemoryTradeStore();
  await store.open();
  try {
    await assert.rejects(
      importCoinbaseTrades(store, { product: 'DOGE-EUR', from: 0, to: 1, baseUrl: m.url }),
      /tick-size/,
    );
    await assert.rejects(
      importCoinbaseTrades(store, {
        product: 'DOGE-EUR',
        from: 0,
        to: 1,
        baseUrl: m.url,
        tickSize: '0.0001',
        lotSize: '0.1',
        retryDelayMs: 0,
      }),
      (e: Error & { code?: string }) => e.code === 'NOT_FOUND',
    );
  } finally {
    await m.close();
  }
});
