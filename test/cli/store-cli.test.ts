// The store from the command line: an import SIGKILLed mid-way and re-run stores every trade once, --strict
// writes nothing, --symbol answers exactly like --file, exports read back through DuckDB, stats --json.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbTradeStore } from '../../src/store/duckdb-store.ts';
import { requireData } from '../real-data.ts';

const run = promisify(execFile);
const BIN = new URL('../../bin/orderflow.js', import.meta.url).pathname;
const USDM = 'binance/csv/BTCUSDT-um-trades-DERIVED-2024-08-08T2354Z_2024-08-08T2359Z.csv';

async function cli(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(process.execPath, [BIN, ...args], { maxBuffer: 256 * 1024 * 1024 });
    return { ...r, code: 0 };
  } catch (e) {
    const x = e as { stdout: string; stderr: string; code: number };
    return { stdout: x.stdout, stderr: x.stderr, code: x.code };
  }
}

/** Starts an import and SIGKILLs it once `events` progress lines have appeared on its stderr. */
function importKilledAfter(
  args: string[],
  events: number,
): Promise<{ signal: NodeJS.Signals | null; seen: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let seen = 0;
    let buf = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('{"progress"') && ++seen === events) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ signal, seen }));
  });
}

const T0 = 1_704_067_200_000;
const N = 240_000;

/** A spot dump of N trades (ids 1..N, one every 10 ms) and the exact Σ qty in lots of 0.00001. */
function bigDump(dir: string): { path: string; lots: number } {
  const lines: string[] = [];
  let lots = 0;
  for (let i = 0; i < N; i++) {
    const q = 1 + (i % 97);
    lots += q;
    lines.push(
      `${i + 1},${(42_000 + (i % 500) / 100).toFixed(8)},${(q / 100_000).toFixed(8)},1,${T0 + i * 10},${i % 2 === 0 ? 'True' : 'False'},True`,
    );
  }
  const path = join(dir, 'BTCUSDT-trades-2024-01-01.csv');
  writeFileSync(path, lines.join('\n') + '\n');
  return { path, lots };
}

test('an import SIGKILLed at any point and re-run ends with every trade stored exactly once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-kill-'));
  try {
    const { path, lots } = bigDump(dir);
    const data = join(dir, 'data');
    const args = ['import', path, '--data-dir', data, '--progress=json', '--batch-bytes', '400000'];
    const first = await importKilledAfter(args, 1);
    assert.equal(first.signal, 'SIGKILL');
    const second = await importKilledAfter(args, 6);
    assert.equal(second.signal, 'SIGKILL');
    const done = await cli([...args.slice(0, 4), '--json']);
    assert.equal(done.code, 0, done.stderr);
    const body = JSON.parse(done.stdout) as { data: { inserted: number; duplicates: number } };
    assert.equal(body.data.inserted + body.data.duplicates, N);
    // the kills landed mid-way: the killed runs left committed batches, and the last run still had work to do
    assert.ok(body.data.duplicates > 0 && body.data.inserted > 0, JSON.stringify(body.data));

    const store = new DuckDbTradeStore({ dataDir: data });
    await store.open();
    try {
      const [s] = await store.stats();
      assert.equal(s!.count, N);
      assert.deepEqual([s!.minId, s!.maxId, s!.idGaps.count], [1, N, 0]);
      // the rollups were written in the same transactions: their volume is counted once too
      const rollups = await store.readMinuteRollups('binance', 'BTCUSDT', 0, Number.MAX_SAFE_INTEGER);
      assert.equal(
        rollups.reduce((v, r) => v + r.buy + r.sell, 0),
        lots,
      );
      assert.equal(
        rollups.reduce((v, r) => v + r.buyTrades + r.sellTrades, 0),
        N,
      );
    } finally {
      await store.close();
    }
    const again = await cli([...args.slice(0, 4), '--json']);
    assert.equal((JSON.parse(again.stdout) as { data: { inserted: number } }).data.inserted, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--strict: a malformed row anywhere aborts with file and line, and nothing is written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-strict-'));
  try {
    const path = join(dir, 'BTCUSDT-trades-2024-01-01.csv');
    const rows = Array.from(
      { length: 5000 },
      (_, i) => `${i + 1},42000.00000000,0.00100000,1,${T0 + i},True,True`,
    );
    rows[4321] = `4322,42000.00000000,0.00100000,1,not-a-time,True,True`;
    writeFileSync(path, rows.join('\n') + '\n');
    const data = join(dir, 'data');
    const r = await cli(['import', path, '--data-dir', data, '--strict', '--json', '--batch-bytes', '20000']);
    assert.equal(r.code, 2);
    const err = JSON.parse(r.stdout) as { success: boolean; error: { code: string; message: string } };
    assert.equal(err.success, false);
    assert.equal(err.error.code, 'INVALID_TRADE');
    assert.ok(err.error.message.includes(`${path}:4322`), err.error.message);
    const stats = JSON.parse((await cli(['stats', '--data-dir', data, '--json'])).stdout) as {
      data: { instruments: unknown[] };
    };
    assert.deepEqual(stats.data.instruments, []);
    // without --strict: the row is reported with its line, the rest is stored
    const loose = await cli(['import', path, '--data-dir', data]);
    assert.equal(loose.code, 0);
    assert.match(loose.stdout, /4999 new/);
    assert.match(
      loose.stdout,
      new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:4322: time "not-a-time"`),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--symbol over the store prints exactly the --file bodies; stats --json says what is stored', async (t) => {
  const file = requireData(t, USDM);
  if (!file) return;
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-sym-'));
  try {
    const data = join(dir, 'data');
    assert.equal((await cli(['import', file, '--data-dir', data])).code, 0);
    const range = ['--from', '2024-08-08T23:55:10.5Z', '--to', '2024-08-08T23:59:00Z'];
    for (const q of [
      ['footprint', '--price-tick-size', '5'],
      ['footprint', '--aggregation', 'VOLUME', '--volume-per-bar', '20'],
      ['profile', '--type', 'VPSV'],
      ['delta', '--timeframe', '2m'],
      ['metrics'],
    ]) {
      const viaFile = await cli([...q, '--file', file, '--json', ...range]);
      const viaStore = await cli([
        ...q,
        '--symbol',
        'binance-usdm:BTCUSDT',
        '--data-dir',
        data,
        '--json',
        ...range,
      ]);
      assert.equal(viaStore.code, 0, viaStore.stdout);
      assert.deepEqual(JSON.parse(viaStore.stdout), JSON.parse(viaFile.stdout), q.join(' '));
    }
    const stats = JSON.parse((await cli(['stats', '--data-dir', data, '--json'])).stdout) as {
      data: {
        instruments: { symbol: string; rows: number; min_id: number; max_id: number; first_time: string }[];
      };
    };
    assert.deepEqual(
      stats.data.instruments.map((i) => [i.symbol, i.rows, i.min_id, i.max_id, i.first_time]),
      [['binance-usdm:BTCUSDT', 21313, 5266583935, 5266605247, '2024-08-08T23:54:16.322Z']],
    );
    const missing = await cli(['delta', '--symbol', 'kraken:XBT/USD', '--data-dir', data, '--json']);
    assert.equal(missing.code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('export: ticks to Parquet, CSV and JSON lines read back through DuckDB equal the store; bars equal the footprint body', async (t) => {
  const file = requireData(t, USDM);
  if (!file) return;
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-exp-'));
  try {
    const data = join(dir, 'data');
    assert.equal((await cli(['import', file, '--data-dir', data])).code, 0);
    const store = new DuckDbTradeStore({ dataDir: data });
    await store.open();
    const trades = await store.readTrades('binance-usdm', 'BTCUSDT', 0, Number.MAX_SAFE_INTEGER);
    await store.close();
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      for (const [format, reader] of [
        ['parquet', 'read_parquet'],
        ['csv', 'read_csv'],
        ['jsonl', 'read_json'],
      ] as const) {
        const out = join(dir, `ticks.${format}`);
        const r = await cli([
          'export',
          '--symbol',
          'binance-usdm:BTCUSDT',
          '--data-dir',
          data,
          '--format',
          format,
          '--what',
          'ticks',
          '--out',
          out,
          '--json',
        ]);
        assert.equal(r.code, 0, r.stdout);
        const rows = (
          await conn.runAndReadAll(
            `SELECT id::DOUBLE, ts_us::DOUBLE, price_ticks::DOUBLE, qty_lots::DOUBLE, side::INTEGER, price::DOUBLE, qty::DOUBLE FROM ${reader}('${out}') ORDER BY ts_us, id`,
          )
        ).getRows();
        assert.equal(rows.length, trades.length, format);
        rows.forEach((row, i) => {
          const tr = trades[i]!;
          assert.deepEqual(row.slice(0, 5), [tr.id, tr.ts, tr.price, tr.qty, tr.side], `${format} row ${i}`);
          // decimal columns: tick 0.1, lot 0.001
          assert.equal(row[5], Number((tr.price / 10).toFixed(1)));
          assert.equal(row[6], Number((tr.qty / 1000).toFixed(3)));
        });
      }
      const out = join(dir, 'bars.parquet');
      const r = await cli([
        'export',
        '--symbol',
        'binance-usdm:BTCUSDT',
        '--data-dir',
        data,
        '--what',
        'bars',
        '--out',
        out,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const fp = JSON.parse(
        (await cli(['footprint', '--symbol', 'binance-usdm:BTCUSDT', '--data-dir', data, '--json'])).stdout,
      ) as {
        data: { bar_stats: { start_time: string; volume: number; delta: number; trades: number }[] };
      };
      const back = (
        await conn.runAndReadAll(
          `SELECT start_time, volume, delta, trades::DOUBLE FROM read_parquet('${out}') ORDER BY start_time`,
        )
      ).getRows();
      assert.deepEqual(
        back,
        fp.data.bar_stats.map((b) => [b.start_time, b.volume, b.delta, b.trades]),
      );
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('import binance: the downloader from the command line against a loopback mirror', async () => {
  const { zipOne, checksumLine, serve } = await import('../importers/fixtures.ts');
  const csv =
    'id,price,qty,quote_qty,time,is_buyer_maker\n1,42000.1,0.005,1,1704067200001,true\n2,42000.2,0.010,1,1704067200002,false\n';
  const zip = zipOne('BTCUSDT-trades-2024-01-01.csv', csv);
  const path = '/data/futures/um/daily/trades/BTCUSDT/BTCUSDT-trades-2024-01-01.zip';
  const server = await serve((req, res) => {
    if (req.url === path) res.writeHead(200).end(zip);
    else if (req.url === `${path}.CHECKSUM`)
      res.writeHead(200).end(checksumLine(zip, 'BTCUSDT-trades-2024-01-01.zip'));
    else res.writeHead(404).end();
  });
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-dlcli-'));
  try {
    const args = [
      'import',
      'binance',
      '--symbol',
      'BTCUSDT',
      '--market',
      'usdm',
      '--from',
      '2024-01-01',
      '--to',
      '2024-01-02',
    ];
    const r = await cli([...args, '--base-url', server.url, '--data-dir', dir, '--json', '--retries', '0']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const body = JSON.parse(r.stdout) as {
      data: { files: { instrument: string; inserted: number; checksum: string }[]; missing_days: string[] };
    };
    assert.deepEqual(
      body.data.files.map((f) => [f.instrument, f.inserted, f.checksum]),
      [['binance-usdm:BTCUSDT', 2, 'verified']],
    );
    assert.deepEqual(body.data.missing_days, ['2024-01-02']);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
