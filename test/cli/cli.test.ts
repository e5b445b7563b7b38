// The CLI end to end: --json bodies checked against an independent exact recomputation from the raw file text,
// the readable output, and bad input.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireData } from '../real-data.ts';

const run = promisify(execFile);
const BIN = new URL('../../bin/orderflow.js', import.meta.url).pathname;
const SPOT = 'binance/csv/BTCUSDT-trades-DERIVED-2024-08-08T2354Z_2024-08-09T0005Z.csv';
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

/** Decimal text → BigInt scaled by 10^8, written independently of the code under test. */
function scaled(text: string | number): bigint {
  // A JSON number's shortest text is its exact decimal (≤ 15 significant digits); exponents only for tiny values.
  const s = typeof text === 'number' ? (/e/i.test(String(text)) ? text.toFixed(12) : String(text)) : text;
  const neg = s.startsWith('-');
  const [i = '0', f = ''] = (neg ? s.slice(1) : s).split('.');
  const v = BigInt(i + f.padEnd(8, '0').slice(0, 8));
  return neg ? -v : v;
}

interface RawRow {
  id: number;
  price: string;
  qty: string;
  timeMs: number;
  sellerInitiated: boolean;
}

function rawRows(path: string): RawRow[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => /^\d/.test(l))
    .map((l) => {
      const f = l.split(',');
      return {
        id: Number(f[0]),
        price: f[1]!,
        qty: f[2]!,
        timeMs: Number(f[4]),
        sellerInitiated: /^true$/i.test(f[5]!),
      };
    });
}

test('footprint --json: the spec fields, and every bar equals the exact decimal sums of the raw rows', async (t) => {
  const path = requireData(t, SPOT);
  if (!path) return;
  const { stdout, code } = await cli([
    'footprint',
    '--file',
    path,
    '--timeframe',
    '1m',
    '--price-tick-size',
    '10',
    '--json',
  ]);
  assert.equal(code, 0);
  const body = JSON.parse(stdout) as {
    success: boolean;
    data: { symbol: string; timeframe: string; bars: Record<string, unknown>[] };
  };
  assert.equal(body.success, true);
  assert.equal(body.data.timeframe, '1m');
  const expectBuy = new Map<string, bigint>();
  const expectSell = new Map<string, bigint>();
  for (const r of rawRows(path)) {
    const start = new Date(Math.floor(r.timeMs / 60_000) * 60_000).toISOString().replace('.000Z', 'Z');
    const row = Math.floor(Number(r.price.split('.')[0]) / 10) * 10;
    const key = `${start}|${row}`;
    const m = r.sellerInitiated ? expectSell : expectBuy;
    m.set(key, (m.get(key) ?? 0n) + scaled(r.qty));
  }
  const keys = new Set([...expectBuy.keys(), ...expectSell.keys()]);
  assert.equal(body.data.bars.length, keys.size, 'one cell per traded (minute, row)');
  const pocPerBar = new Map<string, number>();
  for (const c of body.data.bars) {
    for (const [f, type] of Object.entries({
      price_level: 'number',
      buy_volume: 'number',
      sell_volume: 'number',
      total_volume: 'number',
      delta: 'number',
      is_imbalanced: 'boolean',
      is_point_of_control: 'boolean',
      start_time: 'string',
      end_time: 'string',
    })) {
      assert.equal(typeof c[f], type, f);
    }
    const key = `${String(c.start_time)}|${String(c.price_level)}`;
    assert.equal(scaled(c.buy_volume as number), expectBuy.get(key) ?? 0n, `buy ${key}`);
    assert.equal(scaled(c.sell_volume as number), expectSell.get(key) ?? 0n, `sell ${key}`);
    assert.equal(scaled(c.total_volume as number), (expectBuy.get(key) ?? 0n) + (expectSell.get(key) ?? 0n));
    assert.equal(scaled(c.delta as number), (expectBuy.get(key) ?? 0n) - (expectSell.get(key) ?? 0n));
    if (c.is_point_of_control)
      pocPerBar.set(String(c.start_time), (pocPerBar.get(String(c.start_time)) ?? 0) + 1);
  }
  assert.ok(
    [...pocPerBar.values()].every((n) => n === 1),
    'exactly one POC cell per bar',
  );
});

test('profile --json: levels sum exactly to the raw total; POC, value area and percentages hold', async (t) => {
  const path = requireData(t, USDM);
  if (!path) return;
  const { stdout, code } = await cli([
    'profile',
    '--file',
    path,
    '--type',
    'VPVR',
    '--price-tick-size',
    '5',
    '--json',
  ]);
  assert.equal(code, 0);
  const d = (
    JSON.parse(stdout) as {
      data: {
        profile_type: string;
        profile: Record<string, number>;
        price_levels: Record<string, number | boolean>[];
      };
    }
  ).data;
  assert.equal(d.profile_type, 'VPVR');
  const rows = rawRows(path);
  const total = rows.reduce((s, r) => s + scaled(r.qty), 0n);
  assert.equal(scaled(d.profile.total_volume!), total);
  assert.equal(
    d.price_levels.reduce((s, l) => s + scaled(l.volume as number), 0n),
    total,
  );
  const poc = d.price_levels.find((l) => l.is_poc)!;
  assert.equal(poc.price, d.profile.point_of_control);
  assert.ok(d.price_levels.every((l) => (l.volume as number) <= (poc.volume as number)));
  const va = d.price_levels.filter((l) => l.is_value_area);
  const vaVol = va.reduce((s, l) => s + scaled(l.volume as number), 0n);
  assert.ok(vaVol * 100n >= total * 70n, 'value area covers at least 70 %');
  assert.equal(Math.min(...va.map((l) => l.price as number)), d.profile.value_area_low);
  assert.equal(Math.max(...va.map((l) => l.price as number)), d.profile.value_area_high);
  const pctSum = d.price_levels.reduce((s, l) => s + (l.percentage as number), 0);
  assert.ok(Math.abs(pctSum - 100) < 1e-9);
});

test('delta and metrics --json: CVD equals Σ buy − Σ sell of the raw rows; current price is the last trade', async (t) => {
  const path = requireData(t, USDM);
  if (!path) return;
  const rows = rawRows(path);
  const cvd = rows.reduce((s, r) => s + (r.sellerInitiated ? -scaled(r.qty) : scaled(r.qty)), 0n);
  const delta = JSON.parse((await cli(['delta', '--file', path, '--json'])).stdout) as {
    data: { delta_profile: Record<string, unknown> };
  };
  assert.equal(scaled(delta.data.delta_profile.cumulative_delta as number), cvd);
  for (const f of ['delta_momentum', 'buy_pressure', 'sell_pressure'])
    assert.equal(typeof delta.data.delta_profile[f], 'number');
  for (const f of ['is_divergent', 'is_exhausted'])
    assert.equal(typeof delta.data.delta_profile[f], 'boolean');
  const metrics = JSON.parse((await cli(['metrics', '--file', path, '--json'])).stdout) as {
    data: Record<string, unknown>;
  };
  const last = rows.reduce((a, b) => (b.timeMs > a.timeMs || (b.timeMs === a.timeMs && b.id > a.id) ? b : a));
  assert.equal(metrics.data.current_price, Number(last.price));
  // The file stays within one UTC day, so the day's CVD is the file's.
  assert.equal(scaled(metrics.data.cumulative_delta as number), cvd);
  for (const f of [
    'session_delta',
    'buy_pressure',
    'sell_pressure',
    'active_imbalances',
    'liquidity_index',
  ]) {
    assert.equal(typeof metrics.data[f], 'number', f);
  }
});

test('readable footprint grid shows bid × ask cells and bar summaries', async (t) => {
  const path = requireData(t, SPOT);
  if (!path) return;
  const { stdout, code } = await cli(['footprint', '--file', path, '--price-tick-size', '10', '--no-color']);
  assert.equal(code, 0);
  assert.match(stdout, /\d+(\.\d+)? × \d+(\.\d+)?/);
  assert.match(stdout, /^\s*delta%/m);
});

test('malformed rows are reported with line and value; --strict aborts naming them; bad flags are clear errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-cli-'));
  const file = join(dir, 'BTCUSDT-trades-2024-01-01.csv');
  writeFileSync(
    file,
    [
      '1,100.00000000,1.00000000,100.00000000,1704067200000,True,True',
      '2,abc,1.00000000,100.00000000,1704067200001,True,True',
      '3,100.00000000,-5,100.00000000,1704067200002,False,True',
      '4,101.00000000,2.00000000,202.00000000,1704067200003,False,True',
      '',
    ].join('\n'),
  );
  const ok = await cli(['delta', '--file', file, '--json']);
  assert.equal(ok.code, 0);
  assert.match(ok.stderr, /line 2/);
  assert.match(ok.stderr, /abc/);
  assert.match(ok.stderr, /line 3/);
  const body = JSON.parse(ok.stdout) as { data: { delta_profile: { cumulative_delta: number } } };
  assert.equal(body.data.delta_profile.cumulative_delta, 1, 'only the two good rows count: −1 + 2');

  const strict = await cli(['delta', '--file', file, '--json', '--strict']);
  assert.equal(strict.code, 2);
  const err = JSON.parse(strict.stdout) as { success: boolean; error: { code: string; message: string } };
  assert.equal(err.success, false);
  assert.match(err.error.message, /BTCUSDT-trades-2024-01-01\.csv:2: price "abc"/);

  const badFlag = await cli(['footprint', '--file', file, '--timeframe', '7x', '--json']);
  assert.equal(badFlag.code, 2);
  assert.match((JSON.parse(badFlag.stdout) as { error: { message: string } }).error.message, /timePerRow/);
  const badRow = await cli(['footprint', '--file', file, '--price-tick-size', '0.003', '--json']);
  assert.equal((JSON.parse(badRow.stdout) as { error: { code: string } }).error.code, 'INVALID_ROW_SIZE');
});

test('--volume-unit quote: the profile total equals the exact Σ price·qty of the raw rows', async (t) => {
  const path = requireData(t, USDM);
  if (!path) return;
  const { stdout, code } = await cli([
    'profile',
    '--file',
    path,
    '--volume-unit',
    'quote',
    '--price-tick-size',
    '50',
    '--json',
  ]);
  assert.equal(code, 0);
  const d = (
    JSON.parse(stdout) as { data: { profile: { total_volume: number }; price_levels: { volume: number }[] } }
  ).data;
  // independent: price × qty in BigInt, each scaled by 10^8 ⇒ product scaled by 10^16, brought back to 10^8
  const want = rawRows(path).reduce((s, r) => s + scaled(r.price) * scaled(r.qty), 0n) / 10n ** 8n;
  assert.equal(scaled(String(d.profile.total_volume)), want);
});
