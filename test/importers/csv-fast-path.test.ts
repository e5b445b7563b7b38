// The DuckDB fast path of file imports gives exactly the JS path's store: every real Binance dump (CSV and zip)
// imported both ways compares equal table by table, row by row; re-imports and half-stored files store each
// trade once; irregular files fall back to the JS path and still give its answer (malformed rows, --strict).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  importTradeFile,
  type ImportFileOptions,
  type ImportFileResult,
} from '../../src/importers/import-job.ts';
import { DuckDbTradeStore } from '../../src/store/duckdb-store.ts';
import { requireData } from '../real-data.ts';
import { spotRows, zipOne } from './fixtures.ts';

const TABLES = ['instruments', 'cell_grids', 'trades', 'minute_cells', 'minute_bars'];
const T0 = 1_704_067_200_000; // 2024-01-01T00:00:00Z in ms

/** Every row of the store's tables, in a fixed order (the store must be closed). */
async function tablesOf(dir: string): Promise<Record<string, unknown[][]>> {
  const instance = await DuckDBInstance.create(join(dir, 'orderflow.duckdb'), { access_mode: 'READ_ONLY' });
  const conn = await instance.connect();
  try {
    const out: Record<string, unknown[][]> = {};
    for (const t of TABLES) out[t] = (await conn.runAndReadAll(`SELECT * FROM ${t} ORDER BY ALL`)).getRows();
    return out;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** A DuckDB store in its own directory, with the files imported one after the other. */
async function importAll(
  paths: readonly string[],
  o: ImportFileOptions | ((path: string) => ImportFileOptions),
): Promise<{ dir: string; results: ImportFileResult[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-fast-'));
  const store = new DuckDbTradeStore({ dataDir: dir });
  await store.open();
  const results: ImportFileResult[] = [];
  try {
    for (const p of paths) results.push(await importTradeFile(store, p, typeof o === 'function' ? o(p) : o));
  } finally {
    await store.close();
  }
  return { dir, results };
}

/** What both paths must agree on (timing and batching differ by design). */
const comparable = (r: ImportFileResult): Omit<ImportFileResult, 'elapsedMs' | 'batches'> => {
  const { elapsedMs: _e, batches: _b, ...rest } = r;
  return rest;
};

async function assertSameStores(a: string, b: string, what: string): Promise<void> {
  const [ta, tb] = [await tablesOf(a), await tablesOf(b)];
  for (const t of TABLES) {
    assert.equal(tb[t]!.length, ta[t]!.length, `${what}: ${t} row count`);
    assert.deepEqual(tb[t], ta[t], `${what}: ${t}`);
  }
}

test('every real dump, CSV or zip: the DuckDB path stores exactly what the JS path stores; re-import stores nothing', async (t) => {
  const csvDir = requireData(t, 'binance/csv');
  if (!csvDir) return;
  const names = readdirSync(csvDir).sort();
  const csvs = names.map((n) => join(csvDir, n));
  const zipDir = mkdtempSync(join(tmpdir(), 'orderflow-fast-zip-'));
  const zips = names.map((n) => {
    const path = join(zipDir, n.replace(/\.csv$/, '.zip'));
    writeFileSync(path, zipOne(n, readFileSync(join(csvDir, n))));
    return path;
  });
  const dirs: string[] = [zipDir];
  try {
    // DuckDB must take every file but the 2021 one (its sizes are off BTCUSDT's known lot, so the JS path
    // infers a finer grid): 'duckdb' throws when the fast path refuses a file
    const engine = (p: string): ImportFileOptions => ({
      engine: p.includes('2021-01-03') ? 'auto' : 'duckdb',
    });
    const js = await importAll(csvs, { engine: 'js' });
    const fast = await importAll(csvs, engine);
    const zipped = await importAll(zips, engine);
    dirs.push(js.dir, fast.dir, zipped.dir);
    names.forEach((n, i) => {
      const ref = comparable(js.results[i]!);
      assert.deepEqual(comparable(fast.results[i]!), ref, n);
      assert.deepEqual({ ...comparable(zipped.results[i]!), file: ref.file }, ref, `${n} zipped`);
    });
    await assertSameStores(js.dir, fast.dir, 'csv');
    await assertSameStores(js.dir, zipped.dir, 'zip');

    // again, into the same store: nothing new
    const store = new DuckDbTradeStore({ dataDir: fast.dir });
    await store.open();
    try {
      for (const p of csvs.filter((p) => !p.includes('2021-01-03'))) {
        const r = await importTradeFile(store, p, { engine: 'duckdb' });
        assert.equal(r.inserted, 0, p);
        assert.equal(r.duplicates, r.tradesParsed, p);
      }
    } finally {
      await store.close();
    }
    await assertSameStores(js.dir, fast.dir, 're-import');
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

test('a file half stored already: each trade stored once, rollups equal to a one-shot import', async (t) => {
  const path = requireData(t, 'binance/csv/BTCUSDT-trades-DERIVED-2024-08-08T2354Z_2024-08-09T0005Z.csv');
  if (!path) return;
  const work = mkdtempSync(join(tmpdir(), 'orderflow-fast-half-'));
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  // the middle half: overlaps the start of the file's minutes and ends mid-minute
  const half = join(work, 'BTCUSDT-trades-2024-08-08.csv');
  writeFileSync(half, lines.slice(5_000, 12_345).join('\n') + '\n');
  const oneShot = await importAll([path], { engine: 'js' });
  const halfFirst = await importAll([half], { engine: 'js' });
  try {
    const store = new DuckDbTradeStore({ dataDir: halfFirst.dir });
    await store.open();
    let r: ImportFileResult;
    try {
      r = await importTradeFile(store, path, { engine: 'duckdb' });
    } finally {
      await store.close();
    }
    assert.equal(r.duplicates, 12_345 - 5_000);
    assert.equal(r.inserted, lines.length - (12_345 - 5_000));
    await assertSameStores(oneShot.dir, halfFirst.dir, 'half stored first');
  } finally {
    for (const d of [work, oneShot.dir, halfFirst.dir]) rmSync(d, { recursive: true, force: true });
  }
});

/** Spot dump lines (ms, no header) with one row replaced. */
function variant(row: number, line: string | ((l: string) => string)): string {
  const lines = spotRows(1, 400, T0).trimEnd().split('\n');
  lines[row] = typeof line === 'string' ? line : line(lines[row]!);
  return lines.join('\n') + '\n';
}

const IRREGULAR: Readonly<Record<string, string>> = {
  'negative size': variant(100, '101,40000.00000000,-0.001,1,1704067225000,True,True'),
  'zero price': variant(100, '101,0.00000000,0.00100000,1,1704067225000,True,True'),
  'price off the tick': variant(100, '101,40000.00100000,0.00100000,1,1704067225000,True,True'),
  'size off the lot': variant(100, '101,40000.00000000,0.00100100,1,1704067225000,True,True'),
  'unknown side flag': variant(100, '101,40000.00000000,0.00100000,1,1704067225000,Maybe,True'),
  'unknown best-match flag': variant(100, '101,40000.00000000,0.00100000,1,1704067225000,True,1'),
  'signed id': variant(100, '+101,40000.00000000,0.00100000,1,1704067225000,True,True'),
  'spaces around a price': variant(100, '101, 40000.00000000,0.00100000,1,1704067225000,True,True'),
  'exponent size': variant(100, '101,40000.00000000,1e-3,1,1704067225000,True,True'),
  'hex time': variant(100, '101,40000.00000000,0.00100000,1,0x18CC251F8E8,True,True'),
  'time in µs in an ms file': variant(100, '101,40000.00000000,0.00100000,1,1704067225000000,True,True'),
  'too few columns': variant(100, '101,40000.00000000,0.00100000'),
  'repeated header': variant(100, 'id,price,qty,quoteQty,time,isBuyerMaker,isBestMatch'),
  'blank line of spaces': variant(100, '   '),
  'quoted field': variant(100, '"101",40000.00000000,0.00100000,1,1704067225000,True,True'),
  // DuckDB's typed reads accept these, some to another value: the line grammar must refuse them first
  'fractional id': variant(100, '101.4,40000.00000000,0.00100000,1,1704067225000,True,True'),
  'fractional time': variant(100, '101,40000.00000000,0.00100000,1,1704067225000.4,True,True'),
  'decimals past the tick that round onto it': variant(
    100,
    '101,40000.004,0.00100000,1,1704067225000,True,True',
  ),
  'decimals past the lot that round onto it': variant(
    100,
    '101,40000.00,0.001000001,1,1704067225000,True,True',
  ),
  'digit separators': variant(100, '101,40_000.00000000,0.00100000,1,1704067225000,True,True'),
  'size without a leading digit': variant(100, '101,40000.00000000,.001,1,1704067225000,True,True'),
  'side flag as a letter': variant(100, '101,40000.00000000,0.00100000,1,1704067225000,t,True'),
  'empty line': variant(100, ''),
  'tab in a line': variant(100, '101,40000.00000000,0.00100000,1\t,1704067225000,True,True'),
  'duplicate id': variant(100, (l) => l.replace(/^101,/, '100,')),
  'ids out of order': variant(100, (l) => l.replace(/^101,/, '99,')),
  'time going back': variant(100, (l) => l.replace(/,1704067225000,/, ',1704067000000,')),
};

test('irregular files fall back to the JS path and give its result: malformed rows with their lines, same store', async () => {
  const work = mkdtempSync(join(tmpdir(), 'orderflow-fast-odd-'));
  try {
    for (const [what, text] of Object.entries(IRREGULAR)) {
      const path = join(work, 'BTCUSDT-trades-2024-01-01.csv');
      writeFileSync(path, text);
      const js = await importAll([path], { engine: 'js' });
      const auto = await importAll([path], {});
      try {
        assert.deepEqual(comparable(auto.results[0]!), comparable(js.results[0]!), what);
        await assertSameStores(js.dir, auto.dir, what);
        const store = new DuckDbTradeStore({ path: ':memory:' });
        await store.open();
        try {
          await assert.rejects(
            importTradeFile(store, path, { engine: 'duckdb' }),
            /DuckDB cannot import/,
            what,
          );
          assert.deepEqual(await store.listInstruments(), [], `${what}: the refused fast path wrote nothing`);
        } finally {
          await store.close();
        }
      } finally {
        rmSync(js.dir, { recursive: true, force: true });
        rmSync(auto.dir, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('--strict: a bad row aborts with its file and line and nothing is written; a clean file goes through DuckDB', async () => {
  const work = mkdtempSync(join(tmpdir(), 'orderflow-fast-strict-'));
  try {
    const path = join(work, 'BTCUSDT-trades-2024-01-01.csv');
    writeFileSync(path, IRREGULAR['negative size']!);
    const store = new DuckDbTradeStore({ dataDir: work });
    await store.open();
    try {
      await assert.rejects(
        importTradeFile(store, path, { strict: true }),
        (e: Error) => e.message.includes(`${path}:101`) && /negative/.test(e.message),
      );
      assert.deepEqual(await store.listInstruments(), []);
      writeFileSync(path, spotRows(1, 400, T0));
      const r = await importTradeFile(store, path, { strict: true, engine: 'duckdb' });
      assert.equal(r.inserted, 400);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('CRLF line ends, a header row and a BOM: the DuckDB path reads them as the JS path does', async () => {
  const work = mkdtempSync(join(tmpdir(), 'orderflow-fast-crlf-'));
  try {
    const path = join(work, 'BTCUSDT-um-trades-2024-01-01.csv');
    const rows = Array.from(
      { length: 300 },
      (_, i) =>
        `${1000 + i},${(42_000 + (i % 13) / 10).toFixed(1)},${((1 + (i % 7)) / 1000).toFixed(3)},1,${T0 + i * 700},${i % 2 === 0}`,
    );
    writeFileSync(path, '\uFEFFid,price,qty,quote_qty,time,is_buyer_maker\r\n' + rows.join('\r\n') + '\r\n');
    const js = await importAll([path], { engine: 'js' });
    const fast = await importAll([path], { engine: 'duckdb' });
    try {
      assert.deepEqual(comparable(fast.results[0]!), comparable(js.results[0]!));
      assert.equal(fast.results[0]!.inserted, 300);
      await assertSameStores(js.dir, fast.dir, 'crlf');
    } finally {
      rmSync(js.dir, { recursive: true, force: true });
      rmSync(fast.dir, { recursive: true, force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test("a gzipped dump goes through DuckDB too, with the JS path's result", async () => {
  const work = mkdtempSync(join(tmpdir(), 'orderflow-fast-gz-'));
  try {
    const path = join(work, 'BTCUSDT-trades-2024-01-01.csv.gz');
    writeFileSync(path, gzipSync(spotRows(1, 500, T0)));
    const js = await importAll([path], { engine: 'js' });
    const fast = await importAll([path], { engine: 'duckdb' });
    try {
      assert.deepEqual(comparable(fast.results[0]!), comparable(js.results[0]!));
      assert.equal(fast.results[0]!.inserted, 500);
      await assertSameStores(js.dir, fast.dir, 'gzip');
    } finally {
      rmSync(js.dir, { recursive: true, force: true });
      rmSync(fast.dir, { recursive: true, force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

const BIN = new URL('../../bin/orderflow.js', import.meta.url).pathname;

/**
 * Runs the CLI; with `killAt`, SIGKILLs it at that progress line (the DuckDB path reports its start, then the
 * file read: the second line comes inside its transaction, before the rollups and the commit).
 */
function cli(args: string[], killAt?: number): Promise<{ signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    let seen = 0;
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      seen += c.split('{"progress"').length - 1;
      if (killAt !== undefined && seen >= killAt) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ signal, stdout }));
  });
}

test('a DuckDB-path import SIGKILLed mid-way stores nothing (one transaction); the re-run stores every trade once', async () => {
  const work = mkdtempSync(join(tmpdir(), 'orderflow-fast-kill-'));
  try {
    const n = 300_000;
    const path = join(work, 'BTCUSDT-trades-2024-01-01.csv');
    writeFileSync(path, spotRows(1, n, T0));
    const data = join(work, 'data');
    const args = ['import', path, '--data-dir', data, '--progress=json'];
    const killed = await cli(args, 2);
    assert.equal(killed.signal, 'SIGKILL');
    const store = new DuckDbTradeStore({ dataDir: data });
    await store.open();
    assert.deepEqual(await store.stats(), [], 'the killed transaction left no trade');
    await store.close();
    const done = await cli([...args, '--json']);
    const body = JSON.parse(done.stdout) as { data: { inserted: number; duplicates: number } };
    assert.deepEqual([body.data.inserted, body.data.duplicates], [n, 0]);
    const again = JSON.parse((await cli([...args, '--json'])).stdout) as {
      data: { inserted: number };
    };
    assert.equal(again.data.inserted, 0);
    const ref = await importAll([path], { engine: 'js' });
    try {
      await assertSameStores(ref.dir, data, 'killed, then re-run');
    } finally {
      rmSync(ref.dir, { recursive: true, force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
