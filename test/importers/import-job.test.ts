// File imports into the store: the original zips with their .CHECKSUM, header or not, ms or µs, batches of any
// size giving the same store, malformed rows reported with file line numbers, strict mode writing nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importTradeFile } from '../../src/importers/import-job.ts';
import { parseChecksum } from '../../src/importers/checksum.ts';
import { DuckDbTradeStore } from '../../src/store/duckdb-store.ts';
import { MemoryTradeStore } from '../../src/store/memory-store.ts';
import { checksumLine, spotRows, zipOne } from './fixtures.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'orderflow-imp-'));
const T0 = 1_704_067_200_000; // 2024-01-01T00:00:00Z in ms

async function memory(): Promise<MemoryTradeStore> {
  const s = new MemoryTradeStore();
  await s.open();
  return s;
}

test('the original zip with its .CHECKSUM imports; a wrong checksum aborts before anything is written', async () => {
  const dir = tmp();
  const csv = spotRows(100, 500, T0);
  const zip = zipOne('BTCUSDT-trades-2024-01-01.csv', csv);
  const path = join(dir, 'BTCUSDT-trades-2024-01-01.zip');
  writeFileSync(path, zip);
  writeFileSync(`${path}.CHECKSUM`, checksumLine(zip, 'BTCUSDT-trades-2024-01-01.zip'));
  const store = await memory();
  const r = await importTradeFile(store, path);
  assert.equal(r.checksum, 'verified');
  assert.equal(`${r.exchange}:${r.symbol}`, 'binance:BTCUSDT');
  assert.equal(r.inserted, 500);
  assert.deepEqual([r.firstId, r.lastId], [100, 599]);
  const [s] = await store.stats();
  assert.equal(s!.count, 500);

  const bad = join(dir, 'ETHUSDT-trades-2024-01-01.zip');
  writeFileSync(bad, zipOne('ETHUSDT-trades-2024-01-01.csv', spotRows(1, 10, T0)));
  writeFileSync(`${bad}.CHECKSUM`, checksumLine(zip, 'ETHUSDT-trades-2024-01-01.zip'));
  const other = await memory();
  await assert.rejects(
    importTradeFile(other, bad),
    (e: Error & { code?: string }) => e.code === 'CHECKSUM_MISMATCH',
  );
  assert.deepEqual(await other.listInstruments(), [], 'nothing written, not even the instrument');
  rmSync(dir, { recursive: true, force: true });
});

test('checksum lines: sha256sum format with one or two spaces, anything else refused', () => {
  const h = 'a'.repeat(64);
  assert.deepEqual(parseChecksum(`${h}  X.zip\n`), { sha256: h, name: 'X.zip' });
  assert.deepEqual(parseChecksum(`${h.toUpperCase()} *X.zip`), { sha256: h, name: 'X.zip' });
  assert.throws(() => parseChecksum('abc  X.zip'), /not a sha256/);
});

test('header or not, ms or µs: the same trades are stored', async () => {
  const dir = tmp();
  // USD-M with a header and ms; the same trades as a µs spot-layout file without header.
  const rows = [
    [7, '42000.1', '0.005', T0 + 1, 'true'],
    [8, '42000.2', '0.010', T0 + 2, 'false'],
    [9, '41999.9', '0.001', T0 + 60_001, 'true'],
  ] as const;
  const um = join(dir, 'BTCUSDT-um-trades-2024-01-01.csv');
  writeFileSync(
    um,
    'id,price,qty,quote_qty,time,is_buyer_maker\n' +
      rows.map((r) => `${r[0]},${r[1]},${r[2]},1,${r[3]},${r[4]}`).join('\n') +
      '\n',
  );
  const us = join(dir, 'plain.csv');
  writeFileSync(
    us,
    rows
      .map((r) => `${r[0]},${r[1]},${r[2]},1,${r[3] * 1000},${r[4] === 'true' ? 'True' : 'False'},True`)
      .join('\r\n'),
  );
  const a = await memory();
  const ra = await importTradeFile(a, um);
  assert.equal(`${ra.exchange}:${ra.symbol}`, 'binance-usdm:BTCUSDT');
  const b = await memory();
  const rb = await importTradeFile(b, us, { exchange: 'binance-usdm', symbol: 'BTCUSDT' });
  assert.equal(rb.inserted, 3);
  const ta = await a.readTrades('binance-usdm', 'BTCUSDT', 0, Number.MAX_SAFE_INTEGER);
  const tb = await b.readTrades('binance-usdm', 'BTCUSDT', 0, Number.MAX_SAFE_INTEGER);
  assert.deepEqual(ta, tb);
  // tick 0.1 and lot 0.001 (known): 42000.1 → 420001 ticks, 0.005 → 5 lots; m=true ⇒ the taker sold.
  assert.deepEqual(
    ta.map((t) => [t.id, t.ts, t.price, t.qty, t.side]),
    [
      [7, (T0 + 1) * 1000, 420001, 5, -1],
      [8, (T0 + 2) * 1000, 420002, 10, 1],
      [9, (T0 + 60_001) * 1000, 419999, 1, -1],
    ],
  );
  rmSync(dir, { recursive: true, force: true });
});

test('batches of any size give the same store and the same malformed lines (file line numbers)', async () => {
  const dir = tmp();
  const good = spotRows(1, 300, T0).split('\n');
  // line 50: bad price; line 123: too few columns; line 201: a time in µs in an ms file
  good[49] = '50,abc,0.001,1,1704067212250,True,True';
  good[122] = '123,40000.0,0.001';
  good[200] = `201,40000.00000000,0.00100000,1,${(T0 + 50_000) * 1000},True,True`;
  const path = join(dir, 'BTCUSDT-trades-2024-01-01.csv');
  writeFileSync(path, good.join('\n'));
  const whole = await memory();
  const ref = await importTradeFile(whole, path);
  assert.equal(ref.malformed, 3);
  assert.deepEqual(
    ref.malformedExamples.map((m) => m.line),
    [50, 123, 201],
  );
  assert.equal(ref.inserted, 297);
  const refTrades = await whole.readTrades('binance', 'BTCUSDT', 0, Number.MAX_SAFE_INTEGER);
  const refRollups = await whole.readMinuteRollups('binance', 'BTCUSDT', 0, Number.MAX_SAFE_INTEGER);
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 60, max: 30_000 }), async (batchBytes) => {
      const s = await memory();
      const r = await importTradeFile(s, path, { batchBytes });
      assert.deepEqual(
        r.malformedExamples.map((m) => m.line),
        [50, 123, 201],
      );
      assert.equal(r.inserted, 297);
      assert.deepEqual(await s.readTrades('binance', 'BTCUSDT', 0, Number.MAX_SAFE_INTEGER), refTrades);
      assert.deepEqual(
        await s.readMinuteRollups('binance', 'BTCUSDT', 0, Number.MAX_SAFE_INTEGER),
        refRollups,
      );
    }),
    { numRuns: 15 },
  );
  rmSync(dir, { recursive: true, force: true });
});

test('--strict validates the whole file first: a bad last row aborts with file:line and nothing is stored (DuckDB)', async () => {
  const dir = tmp();
  const lines = spotRows(1, 2_000, T0).trimEnd().split('\n');
  lines.push('2001,40000.00000000,-1,1,1704067700000,True,True');
  const path = join(dir, 'BTCUSDT-trades-2024-01-01.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  const store = new DuckDbTradeStore({ dataDir: dir });
  await store.open();
  try {
    await assert.rejects(
      importTradeFile(store, path, { strict: true, batchBytes: 4_096 }),
      (e: Error) => e.message.includes(`${path}:2001`) && /negative/.test(e.message),
    );
    assert.deepEqual(await store.stats(), [], 'no instrument, no trade');
    // without --strict the good rows go in and the bad one is reported
    const r = await importTradeFile(store, path, { batchBytes: 4_096 });
    assert.equal(r.inserted, 2_000);
    assert.deepEqual(
      r.malformedExamples.map((m) => m.line),
      [2001],
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a finer grid than the stored one is refused once the instrument has trades', async () => {
  const dir = tmp();
  const coarse = join(dir, 'BTCUSDT-trades-2024-01-01.csv');
  writeFileSync(coarse, spotRows(1, 5, T0));
  const fine = join(dir, 'BTCUSDT-trades-2024-01-02.csv');
  writeFileSync(fine, `10,40000.00000000,0.00000100,1,${T0 + 86_400_000},True,True\n`);
  const store = await memory();
  await importTradeFile(store, coarse);
  await assert.rejects(
    importTradeFile(store, fine),
    (e: Error & { code?: string }) => e.code === 'SCALE_CONFLICT',
  );
  // the other order works: the finer grid first, the coarser data is put on it exactly
  const other = await memory();
  await importTradeFile(other, fine);
  const r = await importTradeFile(other, coarse);
  assert.equal(r.inserted, 5);
  const [t] = await other.readTrades('binance', 'BTCUSDT', 0, T0 * 1000 + 1);
  assert.equal(t!.qty, 1000, '0.001 on a 0.000001 grid is 1000 lots');
  rmSync(dir, { recursive: true, force: true });
});
