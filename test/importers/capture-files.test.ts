// Recorded Coinbase captures into the store: every distinct (product, trade id) of the capture's trade frames is
// stored once, with the maker side turned into the taker side; re-import stores nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { importCoinbaseCapture, isCoinbaseCapture } from '../../src/importers/capture-files.ts';
import { MemoryTradeStore } from '../../src/store/memory-store.ts';
import { requireData } from '../real-data.ts';

interface Print {
  product: string;
  id: number;
  makerSide: string;
}

/** Independent reading: Exchange `match`/`last_match` frames, or Advanced Trade `market_trades` events. */
function prints(path: string): Print[] {
  const out: Print[] = [];
  for (const line of gunzipSync(readFileSync(path)).toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    let msg = JSON.parse(line) as Record<string, unknown>;
    if (msg.t !== undefined) {
      if (msg.t !== 'recv' || typeof msg.data !== 'string') continue;
      msg = JSON.parse(msg.data) as Record<string, unknown>;
    }
    if (msg.type === 'match' || msg.type === 'last_match') {
      out.push({
        product: msg.product_id as string,
        id: Number(msg.trade_id),
        makerSide: msg.side as string,
      });
    }
    if (msg.channel === 'market_trades') {
      for (const e of msg.events as { trades: { product_id: string; trade_id: string; side: string }[] }[]) {
        for (const t of e.trades)
          out.push({ product: t.product_id, id: Number(t.trade_id), makerSide: t.side });
      }
    }
  }
  return out;
}

for (const name of ['exchange-ws-matches-l2-btc-eth.ndjson.gz', 'advanced-trade-ws.jsonl.gz']) {
  test(`coinbase capture ${name}: every print stored once, taker side = opposite of the maker's`, async (t) => {
    const path = requireData(t, `coinbase/${name}`);
    if (!path) return;
    const expected = new Map<string, Print>();
    for (const p of prints(path))
      if (!expected.has(`${p.product}|${p.id}`)) expected.set(`${p.product}|${p.id}`, p);
    assert.ok(expected.size > 100);
    assert.ok(isCoinbaseCapture(gunzipSync(readFileSync(path)).toString('utf8').split('\n')[0]!));
    const store = new MemoryTradeStore();
    await store.open();
    const r = await importCoinbaseCapture(store, path, { batchBytes: 50_000 });
    assert.equal(r.inserted, expected.size);
    assert.equal(r.bad, 0);
    for (const product of ['BTC-USD', 'ETH-USD']) {
      const stored = await store.readTrades('coinbase', product, 0, Number.MAX_SAFE_INTEGER);
      const want = [...expected.values()].filter((p) => p.product === product);
      assert.equal(stored.length, want.length, product);
      for (const s of stored) {
        const p = expected.get(`${product}|${String(s.id)}`)!;
        assert.equal(s.side, p.makerSide.toLowerCase() === 'sell' ? 1 : -1, `${product} ${String(s.id)}`);
      }
    }
    const again = await importCoinbaseCapture(store, path);
    assert.equal(again.inserted, 0);
  });
}
