// The Binance dump downloader against a loopback server laid out like data.binance.vision: spot, USD-M and COIN-M,
// trades and aggTrades, checksums verified, a corrupt download and a 500 retried, a missing day reported, re-runs
// reuse verified zips and store nothing twice.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binanceDumpPath, daysBetween } from '../../src/importers/binance-dumps.ts';
import { downloadBinanceDumps } from '../../src/importers/binance-download.ts';
import { MemoryTradeStore } from '../../src/store/memory-store.ts';
import { checksumLine, serve, spotRows, zipOne } from './fixtures.ts';

const T0 = 1_704_067_200_000; // 2024-01-01 ms

test('URL layout of data.binance.vision and inclusive day ranges', () => {
  assert.equal(
    binanceDumpPath('spot', 'trades', 'btcusdt', '2024-01-01'),
    '/data/spot/daily/trades/BTCUSDT/BTCUSDT-trades-2024-01-01.zip',
  );
  assert.equal(
    binanceDumpPath('usdm', 'aggTrades', 'BTCUSDT', '2024-01-31'),
    '/data/futures/um/daily/aggTrades/BTCUSDT/BTCUSDT-aggTrades-2024-01-31.zip',
  );
  assert.equal(
    binanceDumpPath('coinm', 'trades', 'BTCUSD_PERP', '2024-02-29'),
    '/data/futures/cm/daily/trades/BTCUSD_PERP/BTCUSD_PERP-trades-2024-02-29.zip',
  );
  assert.deepEqual(daysBetween('2024-02-28', '2024-03-01'), ['2024-02-28', '2024-02-29', '2024-03-01']);
  assert.throws(() => daysBetween('2024-01-02', '2024-01-01'), /before/);
});

test('downloads, verifies and imports each day; retries; reports missing days; re-runs store nothing twice', async () => {
  const files = new Map<string, Buffer>();
  const put = (path: string, csvName: string, csv: string): number => {
    const zip = zipOne(csvName, csv);
    files.set(path, zip);
    files.set(`${path}.CHECKSUM`, Buffer.from(checksumLine(zip, path.slice(path.lastIndexOf('/') + 1))));
    return csv.trimEnd().split('\n').length;
  };
  const spot1 = binanceDumpPath('spot', 'trades', 'BTCUSDT', '2024-01-01');
  const spot2 = binanceDumpPath('spot', 'trades', 'BTCUSDT', '2024-01-02');
  put(spot1, 'BTCUSDT-trades-2024-01-01.csv', spotRows(1, 400, T0));
  put(spot2, 'BTCUSDT-trades-2024-01-02.csv', spotRows(401, 300, T0 + 86_400_000));
  const um = binanceDumpPath('usdm', 'aggTrades', 'BTCUSDT', '2024-01-01');
  put(
    um,
    'BTCUSDT-aggTrades-2024-01-01.csv',
    'agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker\n' +
      '5,42000.1,0.010,100,102,1704067200001,true\n6,42000.2,0.020,103,103,1704067200002,false\n',
  );
  const cm = binanceDumpPath('coinm', 'trades', 'BTCUSD_PERP', '2024-01-01');
  put(
    cm,
    'BTCUSD_PERP-trades-2024-01-01.csv',
    'id,price,qty,base_qty,time,is_buyer_maker\n9,42000.1,3,0.00714,1704067200001,false\n',
  );

  const requests: string[] = [];
  const failOnce = new Set([spot2]);
  const corruptOnce = new Set([spot1]);
  const server = await serve((req, res) => {
    const path = req.url ?? '';
    requests.push(path);
    if (failOnce.delete(path)) {
      res.writeHead(500).end('try again');
      return;
    }
    const body = files.get(path);
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    if (corruptOnce.delete(path)) {
      const bad = Buffer.from(body);
      bad[bad.length - 30] = (bad[bad.length - 30]! + 1) % 256;
      res.writeHead(200).end(bad);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/zip' }).end(body);
  });
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-dl-'));
  const store = new MemoryTradeStore();
  await store.open();
  try {
    const common = { baseUrl: server.url, downloadDir: dir, retryDelayMs: 0 };
    const spot = await downloadBinanceDumps(store, {
      ...common,
      symbol: 'btcusdt',
      market: 'spot',
      from: '2024-01-01',
      to: '2024-01-03',
    });
    assert.deepEqual(spot.missing, ['2024-01-03']);
    assert.deepEqual(
      spot.imported.map((r) => [r.checksum, r.inserted]),
      [
        ['verified', 400],
        ['verified', 300],
      ],
    );
    assert.equal(requests.filter((r) => r === spot1).length, 2, 'the corrupt zip was fetched again');
    assert.equal(requests.filter((r) => r === spot2).length, 2, 'the 500 was retried');

    const agg = await downloadBinanceDumps(store, {
      ...common,
      symbol: 'BTCUSDT',
      market: 'usdm',
      kind: 'aggTrades',
      from: '2024-01-01',
      to: '2024-01-01',
    });
    assert.equal(`${agg.imported[0]!.exchange}:${agg.imported[0]!.symbol}`, 'binance-usdm:BTCUSDT@agg');
    const coin = await downloadBinanceDumps(store, {
      ...common,
      symbol: 'BTCUSD_PERP',
      market: 'coinm',
      from: '2024-01-01',
      to: '2024-01-01',
    });
    assert.equal(`${coin.imported[0]!.exchange}:${coin.imported[0]!.symbol}`, 'binance-coinm:BTCUSD_PERP');

    const stats = await store.stats();
    assert.deepEqual(
      stats.map((s) => [`${s.exchange}:${s.symbol}`, s.count, s.trades]),
      [
        ['binance:BTCUSDT', 700, 700],
        ['binance-coinm:BTCUSD_PERP', 1, 1],
        ['binance-usdm:BTCUSDT@agg', 2, 4],
      ],
    );
    const inst = await store.getInstrument('binance-coinm', 'BTCUSD_PERP');
    assert.equal(inst!.volumeUnit, 'contracts');

    // Re-run: verified zips on disk are reused, nothing new is stored.
    const zipsBefore = requests.filter((r) => r.endsWith('.zip')).length;
    const again = await downloadBinanceDumps(store, {
      ...common,
      symbol: 'BTCUSDT',
      market: 'spot',
      from: '2024-01-01',
      to: '2024-01-02',
    });
    assert.deepEqual(again.reused, ['2024-01-01', '2024-01-02']);
    assert.deepEqual(
      again.imported.map((r) => r.inserted),
      [0, 0],
    );
    assert.equal(requests.filter((r) => r.endsWith('.zip')).length, zipsBefore);
    assert.deepEqual(await store.stats(), stats);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a server that keeps failing ends in DOWNLOAD_FAILED naming the URL', async () => {
  const server = await serve((_req, res) => res.writeHead(503).end());
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-dl-'));
  const store = new MemoryTradeStore();
  await store.open();
  try {
    await assert.rejects(
      downloadBinanceDumps(store, {
        baseUrl: server.url,
        downloadDir: dir,
        retryDelayMs: 0,
        retries: 2,
        symbol: 'BTCUSDT',
        market: 'spot',
        from: '2024-01-01',
        to: '2024-01-01',
      }),
      (e: Error & { code?: string }) =>
        e.code === 'DOWNLOAD_FAILED' && e.message.includes('BTCUSDT-trades-2024-01-01.zip'),
    );
    assert.deepEqual(await store.listInstruments(), []);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
