// Real data into the DuckDB store: every Binance dump CSV and recorded trade stream of ../shared/data is imported;
// counts, id ranges and footprints equal an independent reading of the files, and re-importing changes nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/core/config.ts';
import { resolveParams } from '../../src/core/params.ts';
import { importTradeFile } from '../../src/importers/import-job.ts';
import { resolveTarget } from '../../src/query/targets.ts';
import { storeFootprintQuery } from '../../src/query/store-queries.ts';
import { DuckDbTradeStore } from '../../src/store/duckdb-store.ts';
import { requireData } from '../real-data.ts';
import { rawCsvTrades, rawStreamTrades, scaled, uniqueById, type RawTrade } from './raw-files.ts';

/** Instrument a file belongs to, from its name alone (the official naming). */
function instrumentOfName(name: string): string {
  const stream = /^binance-(spot|usdm)_([A-Z]+)_/.exec(name);
  if (stream) return `${stream[1] === 'spot' ? 'binance' : 'binance-usdm'}:${stream[2]}`;
  const dump = /^([A-Z]+)-(um-)?(trades|aggTrades)-/.exec(name)!;
  return `${dump[2] ? 'binance-usdm' : 'binance'}:${dump[1]}${dump[3] === 'aggTrades' ? '@agg' : ''}`;
}

const minuteLabel = (us: number): string =>
  new Date(Math.floor(us / 60_000_000) * 60_000).toISOString().replace('.000Z', 'Z');

test('every real dump and trade stream imports exactly; footprints match the files; re-import changes nothing', async (t) => {
  const csvDir = requireData(t, 'binance/csv');
  const streamDir = requireData(t, 'binance/trade-stream');
  if (!csvDir || !streamDir) return;
  const files = [
    ...readdirSync(csvDir)
      .sort()
      .map((f) => join(csvDir, f)),
    ...readdirSync(streamDir)
      .sort()
      .map((f) => join(streamDir, f)),
  ];
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-real-'));
  const store = new DuckDbTradeStore({ dataDir: dir });
  await store.open();
  try {
    const expected = new Map<string, Map<number, RawTrade>>();
    const rawOf = new Map<string, RawTrade[]>();
    for (const path of files) {
      const name = path.slice(path.lastIndexOf('/') + 1);
      const raw = name.endsWith('.gz') ? rawStreamTrades(path) : rawCsvTrades(path);
      rawOf.set(path, raw);
      const key = instrumentOfName(name);
      let ids = expected.get(key);
      if (ids === undefined) expected.set(key, (ids = new Map<number, RawTrade>()));
      const unique = uniqueById(raw);
      const fresh = unique.filter((r) => !ids.has(r.id)).length;
      for (const r of unique) ids.set(r.id, r);

      const r = await importTradeFile(store, path);
      assert.equal(`${r.exchange}:${r.symbol}`, key, name);
      assert.equal(r.tradesParsed, raw.length, `${name}: every row is a trade`);
      assert.equal(r.malformed, 0, name);
      assert.equal(r.inserted, fresh, `${name}: new trades`);
      assert.equal(r.inserted + r.duplicates, raw.length, name);
      assert.equal(r.firstId, Math.min(...raw.map((x) => x.id)), name);
      assert.equal(r.lastId, Math.max(...raw.map((x) => x.id)), name);
    }

    const stats = await store.stats({ maxGapRanges: 100 });
    assert.deepEqual(stats.map((s) => `${s.exchange}:${s.symbol}`).sort(), [...expected.keys()].sort());
    for (const s of stats) {
      const rows = [...expected.get(`${s.exchange}:${s.symbol}`)!.values()];
      const ids = rows.map((r) => r.id).sort((a, b) => a - b);
      assert.equal(s.count, rows.length, `${s.exchange}:${s.symbol} count`);
      assert.equal(
        s.trades,
        rows.reduce((n, r) => n + r.count, 0),
        'exchange trades (aggTrades count theirs)',
      );
      assert.equal(s.minId, ids[0]);
      assert.equal(s.maxId, ids[ids.length - 1]);
      assert.equal(s.firstTs, Math.min(...rows.map((r) => r.timeUs)));
      assert.equal(s.lastTs, Math.max(...rows.map((r) => r.timeUs)));
      let missing = 0;
      for (let i = 1; i < ids.length; i++) missing += ids[i]! - ids[i - 1]! - 1;
      assert.equal(s.idGaps.missing, missing, 'gaps in the ids');
    }

    // Footprints of each file's range (1m bars, rows of 10) equal the exact decimal sums of its raw rows.
    const cfg = parseConfig({ priceTickSize: '10' });
    for (const path of files) {
      const raw = uniqueById(rawOf.get(path)!);
      const target = await resolveTarget(store, instrumentOfName(path.slice(path.lastIndexOf('/') + 1)));
      const p = resolveParams(cfg, target.scale, target.qtyStep);
      const from = Math.min(...raw.map((r) => r.timeUs));
      const to = Math.max(...raw.map((r) => r.timeUs)) + 1;
      const { body } = await storeFootprintQuery(store, target, '1m', p, { from, to });
      const buy = new Map<string, bigint>();
      const sell = new Map<string, bigint>();
      for (const r of raw) {
        const key = `${minuteLabel(r.timeUs)}|${Math.floor(Number(r.price.split('.')[0]) / 10) * 10}`;
        const m = r.sellerInitiated ? sell : buy;
        m.set(key, (m.get(key) ?? 0n) + scaled(r.qty));
      }
      const cells = (
        body.data as {
          bars: { start_time: string; price_level: number; buy_volume: number; sell_volume: number }[];
        }
      ).bars;
      assert.equal(
        cells.length,
        new Set([...buy.keys(), ...sell.keys()]).size,
        `${path}: one cell per traded (minute, row)`,
      );
      for (const c of cells) {
        const key = `${c.start_time}|${c.price_level}`;
        assert.equal(scaled(c.buy_volume), buy.get(key) ?? 0n, `${path} buy ${key}`);
        assert.equal(scaled(c.sell_volume), sell.get(key) ?? 0n, `${path} sell ${key}`);
      }
    }

    // Re-import: nothing new, stats unchanged.
    for (const path of files) {
      const r = await importTradeFile(store, path);
      assert.equal(r.inserted, 0, path);
      assert.equal(r.duplicates, r.tradesParsed, path);
    }
    assert.deepEqual(await store.stats({ maxGapRanges: 100 }), stats);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
