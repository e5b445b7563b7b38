// The backtest and features CLI commands in-process (commander): a real-data file through the example strategy
// (JSON body equal to runBacktest, HTML written) and a feature export read back; bad input gives an error body.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Command } from 'commander';
import { DuckDBInstance } from '@duckdb/node-api';
import { runBacktest } from '../../src/backtest/backtester.ts';
import { registerBacktest } from '../../src/cli/backtest-command.ts';
import { registerFeatures } from '../../src/cli/features-command.ts';
import { buildFootprint } from '../../src/engines/footprint.ts';
import { readTradeFile } from '../../src/sources/files/read-trade-file.ts';
import strategyExample from '../../examples/imbalance-reversal-strategy.ts';
import { params } from '../helpers.ts';
import { requireData } from '../real-data.ts';

async function cli(args: string[]): Promise<string> {
  const program = new Command('orderflow').exitOverride();
  registerBacktest(program);
  registerFeatures(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  // Only our strings: the test runner itself reports to its parent through stdout with binary frames.
  process.stdout.write = (chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk !== 'string') return write(chunk, ...rest);
    out += chunk;
    return true;
  };
  try {
    await program.parseAsync(['node', 'orderflow', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return out;
}

const FILE = 'binance/csv/BTCUSDT-um-trades-DERIVED-2024-08-08T2354Z_2024-08-08T2359Z.csv';

test('orderflow backtest --file --json equals runBacktest and writes the HTML report', async (t) => {
  const path = requireData(t, FILE);
  if (path === undefined) return;
  const dir = mkdtempSync(join(tmpdir(), 'of-cli-bt-'));
  try {
    const html = join(dir, 'r.html');
    const out = await cli([
      'backtest',
      'examples/imbalance-reversal-strategy.ts',
      '--file',
      path,
      '--timeframe',
      '15s',
      '--price-tick-size',
      '1',
      '--taker-bps',
      '4',
      '--latency-ms',
      '20',
      '--slippage-ticks',
      '1',
      '--option',
      'size=10',
      '--option',
      'holdBars=2',
      '--json',
      '--out',
      html,
    ]);
    const body = JSON.parse(out) as { success: boolean; data: Record<string, unknown> };
    assert.equal(body.success, true);
    const file = await readTradeFile(path);
    const p = params({ timePerRow: '15s', priceTickSize: '1' }, file.instrument);
    const exp = await runBacktest(file.trades, p, strategyExample({ size: 10, holdBars: 2 }), {
      takerBps: '4',
      latencyUs: 20_000,
      slippageTicks: 1,
    });
    const { symbol, ...rest } = body.data;
    assert.equal(symbol, 'binance-usdm:BTCUSDT');
    assert.deepEqual(rest, JSON.parse(JSON.stringify(exp)));
    assert.match(readFileSync(html, 'utf8'), /<polyline/);
    const bad = await cli(['backtest', 'examples/missing.ts', '--file', path, '--json']);
    assert.equal((JSON.parse(bad) as { error: { code: string } }).error.code, 'INVALID_CONFIG');
    process.exitCode = 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('orderflow features --file --out x.csv --horizons writes one row per bar', async (t) => {
  const path = requireData(t, FILE);
  if (path === undefined) return;
  const dir = mkdtempSync(join(tmpdir(), 'of-cli-feat-'));
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const csv = join(dir, 'f.csv');
    const out = await cli([
      'features',
      '--file',
      path,
      '--timeframe',
      '30s',
      '--out',
      csv,
      '--horizons',
      '1,3',
      '--json',
    ]);
    const body = JSON.parse(out) as { data: { rows: number; format: string } };
    const file = await readTradeFile(path);
    const bars = buildFootprint(file.trades, params({ timePerRow: '30s' }, file.instrument));
    assert.equal(body.data.rows, bars.length);
    assert.equal(body.data.format, 'csv');
    assert.ok(existsSync(csv));
    const r = await conn.runAndReadAll(
      `SELECT count(*) AS n, count(fwd_return_3) AS k FROM read_csv_auto('${csv}')`,
    );
    const row = r.getRowObjectsJson()[0]!;
    assert.equal(Number(row.n), bars.length);
    assert.equal(Number(row.k), bars.length - 3);
  } finally {
    conn.closeSync();
    db.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
});
