// Every real Binance trade file in ../shared/data parses cleanly, matches the README, and its footprint totals
// equal the exact decimal sums of the raw text (computed here with BigInt, independently of the parser).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { pow10 } from '../../src/core/decimal.ts';
import { FootprintEngine } from '../../src/engines/footprint.ts';
import { buildProfile } from '../../src/engines/profile.ts';
import { readTradeFile, type TradeFileResult } from '../../src/sources/files/read-trade-file.ts';
import { params } from '../helpers.ts';
import { requireData } from '../real-data.ts';

const CSV = 'binance/csv/';
const STREAM = 'binance/trade-stream/';
const Z = '.trade-stream.txt.gz';

/** README tables: trades per file, first/last trade time to the second (UTC). */
const STREAMS: Record<
  string,
  { trades: number; from: string; to: string; nonMarket?: Record<string, number> }
> = {
  'binance-spot_BTCUSDT_2024-08-08T2354Z_2024-08-09T0005Z': {
    trades: 19904,
    from: '2024-08-08T23:54:15',
    to: '2024-08-09T00:05:05',
  },
  'binance-spot_ETHUSDT_2024-08-08T2354Z_2024-08-09T0005Z': {
    trades: 14515,
    from: '2024-08-08T23:54:15',
    to: '2024-08-09T00:05:05',
  },
  'binance-spot_BTCUSDT_2023-04-04T2359Z_2023-04-05T0006Z': {
    trades: 3144,
    from: '2023-04-04T23:59:59',
    to: '2023-04-05T00:06:54',
  },
  'binance-usdm_BTCUSDT_2024-08-08T2354Z_2024-08-08T2359Z': {
    trades: 21313,
    from: '2024-08-08T23:54:16',
    to: '2024-08-08T23:59:59',
  },
  'binance-usdm_ETHUSDT_2024-08-08T2354Z_2024-08-09T0000Z': {
    trades: 14076,
    from: '2024-08-08T23:54:16',
    to: '2024-08-09T00:00:00',
  },
  'binance-usdm_BTCUSDT_2023-04-04T2358Z_2023-04-05T0006Z': {
    trades: 12935,
    from: '2023-04-04T23:58',
    to: '2023-04-05T00:06:59',
    nonMarket: { INSURANCE_FUND: 1 },
  },
};
/** DERIVED CSV → the stream file holding the same trades. */
const DERIVED: Record<string, string> = {
  'BTCUSDT-trades-DERIVED-2024-08-08T2354Z_2024-08-09T0005Z.csv':
    'binance-spot_BTCUSDT_2024-08-08T2354Z_2024-08-09T0005Z',
  'ETHUSDT-trades-DERIVED-2024-08-08T2354Z_2024-08-09T0005Z.csv':
    'binance-spot_ETHUSDT_2024-08-08T2354Z_2024-08-09T0005Z',
  'BTCUSDT-trades-DERIVED-2023-04-04T2359Z_2023-04-05T0006Z.csv':
    'binance-spot_BTCUSDT_2023-04-04T2359Z_2023-04-05T0006Z',
  'BTCUSDT-um-trades-DERIVED-2024-08-08T2354Z_2024-08-08T2359Z.csv':
    'binance-usdm_BTCUSDT_2024-08-08T2354Z_2024-08-08T2359Z',
  'ETHUSDT-um-trades-DERIVED-2024-08-08T2354Z_2024-08-09T0000Z.csv':
    'binance-usdm_ETHUSDT_2024-08-08T2354Z_2024-08-09T0000Z',
  'BTCUSDT-um-trades-DERIVED-2023-04-04T2358Z_2023-04-05T0006Z.csv':
    'binance-usdm_BTCUSDT_2023-04-04T2358Z_2023-04-05T0006Z',
};
/** The other CSV files: verbatim official rows (README). */
const OFFICIAL: Record<string, number> = {
  'BTCUSDT-trades-2021-01-03.official-slice.csv': 1830,
  'BTCUSDT-trades-2025-01-01.rows0-99.csv': 100,
  'BTCUSDT-um-trades-2026-09-16-minute-2000.official-slice.csv': 2325,
  'BTCUSDT-um-aggTrades-2026-09-17.minute1428.rows659155-659254.csv': 100,
};

const sec = (iso: string): number => Date.parse(`${iso}Z`) / 1000;
const noRecv = (r: TradeFileResult): unknown[] => r.trades.map(({ recvTs: _recvTs, ...t }) => t);

test('the shared data holds exactly the files this suite knows', (t) => {
  const csvDir = requireData(t, CSV);
  const streamDir = requireData(t, STREAM);
  if (csvDir === undefined || streamDir === undefined) return;
  assert.deepEqual(readdirSync(csvDir).sort(), [...Object.keys(DERIVED), ...Object.keys(OFFICIAL)].sort());
  assert.deepEqual(
    readdirSync(streamDir).sort(),
    Object.keys(STREAMS)
      .map((s) => s + Z)
      .sort(),
  );
});

for (const [name, want] of Object.entries(STREAMS)) {
  test(`trade stream ${name}: clean, contiguous, as in the README, same trades as its DERIVED CSV`, async (t) => {
    const path = requireData(t, STREAM + name + Z);
    if (path === undefined) return;
    const r = await readTradeFile(path);
    const rep = r.report;
    assert.equal(rep.malformed, 0, JSON.stringify(rep.malformedExamples.slice(0, 3)));
    assert.equal(rep.rowsRead, want.trades);
    assert.equal(rep.tradesAccepted, want.trades);
    assert.equal(rep.duplicates, 0);
    assert.equal(rep.outOfOrder, 0);
    assert.deepEqual(rep.idGaps, { gaps: 0, missingIds: 0, ranges: [] });
    assert.equal(rep.lastId! - rep.firstId! + 1, want.trades, 'contiguous ids');
    assert.deepEqual(rep.nonMarket, want.nonMarket ?? {});
    assert.equal(rep.scaleSource, 'known');
    const first = Math.floor(rep.firstTs! / 1e6);
    const last = Math.floor(rep.lastTs! / 1e6);
    assert.ok(first >= sec(want.from) && first < sec(want.from) + 60, `first trade ${first} vs ${want.from}`);
    assert.ok(last <= sec(want.to) && last > sec(want.to) - 60, `last trade ${last} vs ${want.to}`);
    assert.ok(r.trades.every((x) => x.recvTs !== undefined));
    const csvName = Object.keys(DERIVED).find((k) => DERIVED[k] === name)!;
    const csvPath = requireData(t, CSV + csvName);
    if (csvPath === undefined) return;
    const csv = await readTradeFile(csvPath);
    assert.deepEqual(csv.instrument, r.instrument);
    assert.deepEqual(noRecv(csv), noRecv(r), 'the CSV and the stream give identical trades');
  });
}

for (const [name, rows] of Object.entries(OFFICIAL)) {
  test(`official dump rows ${name}: clean and complete`, async (t) => {
    const path = requireData(t, CSV + name);
    if (path === undefined) return;
    const r = await readTradeFile(path);
    assert.equal(r.report.malformed, 0);
    assert.equal(r.report.tradesAccepted, rows);
    assert.equal(r.report.duplicates, 0);
    // independent recount of id holes from the raw text (the USD-M trade ids in the dump skip a few)
    const ids = readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => /^\d/.test(l))
      .map((l) => Number(l.split(',')[0]));
    let holes = 0;
    for (let i = 1; i < ids.length; i++) holes += ids[i]! - ids[i - 1]! - 1;
    assert.equal(r.report.idGaps.missingIds, holes);
    assert.equal(r.report.lastId! - r.report.firstId! + 1, rows + holes);
  });
}

test('official slices: the spot µs switch, the USD-M gaps and the aggTrades counts are as documented', async (t) => {
  const us = requireData(t, CSV + 'BTCUSDT-trades-2025-01-01.rows0-99.csv');
  const um = requireData(t, CSV + 'BTCUSDT-um-trades-2026-09-16-minute-2000.official-slice.csv');
  const agg = requireData(t, CSV + 'BTCUSDT-um-aggTrades-2026-09-17.minute1428.rows659155-659254.csv');
  if (us === undefined || um === undefined || agg === undefined) return;
  const a = await readTradeFile(us);
  assert.equal(a.report.timeUnit, 'us');
  assert.equal(a.trades[0]!.ts, 1735689600010866); // first row's time column, already µs
  const b = await readTradeFile(um);
  assert.equal(b.report.exchange, 'binance-usdm');
  assert.equal(b.report.idGaps.gaps, 9);
  const c = await readTradeFile(agg);
  // Σ (last_trade_id − first_trade_id + 1) over the raw rows
  const raw = readFileSync(agg, 'utf8')
    .split('\n')
    .filter((l) => /^\d/.test(l))
    .map((l) => l.split(','));
  const count = raw.reduce((s, f) => s + Number(f[4]) - Number(f[3]) + 1, 0);
  assert.equal(c.report.exchangeTrades, count);
  assert.deepEqual(
    c.trades.map((x) => x.count),
    raw.map((f) => Number(f[4]) - Number(f[3]) + 1),
  );
});

// ---- footprint totals against BigInt sums of the raw text ----

const DEC = 12; // every qty here has ≤ 12 decimals
function big(text: string): bigint {
  const [i, f = ''] = text.split('.');
  return BigInt(i! + f.padEnd(DEC, '0').slice(0, DEC));
}

interface RawPrint {
  readonly price: string;
  readonly qty: string;
  readonly timeUs: bigint;
  readonly buyerIsMaker: boolean;
}

/** Raw prints straight from the file text: no shared code with the parser. */
function rawPrints(path: string): RawPrint[] {
  const text = path.endsWith('.gz')
    ? gunzipSync(readFileSync(path)).toString('utf8')
    : readFileSync(path, 'utf8');
  const out: RawPrint[] = [];
  for (const line of text.split('\n')) {
    if (line.includes('{')) {
      const q = /"q":"([^"]+)"/.exec(line)![1]!;
      const price = /"p":"([^"]+)"/.exec(line)![1]!;
      const T = /"T":(\d+)/.exec(line)![1]!;
      const m = /"m":(true|false)/.exec(line)![1]!;
      out.push({ price, qty: q, timeUs: BigInt(T) * 1000n, buyerIsMaker: m === 'true' });
    } else if (/^\d/.test(line)) {
      const f = line.split(',');
      const agg = f.length === 7 && /^\d+$/.test(f[5]!);
      const time = f[agg ? 5 : 4]!;
      const flag = f[agg ? 6 : 5]!.toLowerCase();
      out.push({
        price: f[1]!,
        qty: f[2]!,
        timeUs: BigInt(time) * (time.length >= 16 ? 1n : 1000n),
        buyerIsMaker: flag === 'true',
      });
    }
  }
  return out;
}

const allFiles = [
  ...Object.keys(DERIVED).map((f) => CSV + f),
  ...Object.keys(OFFICIAL).map((f) => CSV + f),
  ...Object.keys(STREAMS).map((f) => STREAM + f + Z),
];

for (const rel of allFiles) {
  test(`footprint of ${rel.split('/').pop()}: per-minute buy, sell and volume equal the raw decimal sums`, async (t) => {
    const path = requireData(t, rel);
    if (path === undefined) return;
    const r = await readTradeFile(path);
    const engine = new FootprintEngine(
      params({ tickAggregationMethod: 'TIME', timePerRow: '1m' }, r.instrument),
    );
    engine.applyBatch(r.trades);
    const bars = engine.getBars();
    // expected: per minute, Σ raw qty split by the raw flag (buyer maker ⇒ taker sold ⇒ sell)
    const want = new Map<bigint, { buy: bigint; sell: bigint }>();
    for (const p of rawPrints(path)) {
      const minute = p.timeUs / 60_000_000n;
      const e = want.get(minute) ?? { buy: 0n, sell: 0n };
      if (p.buyerIsMaker) e.sell += big(p.qty);
      else e.buy += big(p.qty);
      want.set(minute, e);
    }
    const lot = r.instrument.qty;
    const toBig = (lots: number): bigint =>
      BigInt(lots) * BigInt(lot.mantissa) * BigInt(pow10(DEC - lot.decimals));
    assert.equal(bars.length, want.size);
    for (const bar of bars) {
      const w = want.get(BigInt(bar.start) / 60_000_000n);
      assert.ok(w, `bar ${bar.start} has raw trades`);
      const cellBuy = bar.cells.reduce((s, c) => s + c.buy, 0);
      const cellSell = bar.cells.reduce((s, c) => s + c.sell, 0);
      assert.equal(toBig(cellBuy), w.buy, `Σ cell buy, bar ${bar.start}`);
      assert.equal(toBig(cellSell), w.sell, `Σ cell sell, bar ${bar.start}`);
      assert.equal(toBig(bar.buy), w.buy);
      assert.equal(toBig(bar.sell), w.sell);
      assert.equal(toBig(bar.volume), w.buy + w.sell, `volume, bar ${bar.start}`);
    }
  });
}

// ---- volume profile totals against BigInt sums of the raw text ----

for (const rel of allFiles) {
  test(`profile of ${rel.split('/').pop()}: every level's buy and sell equal the raw decimal sums of its price rows`, async (t) => {
    const path = requireData(t, rel);
    if (path === undefined) return;
    const r = await readTradeFile(path);
    // rows 5 ticks wide: several prices share a row, and rows without trades sit inside the range
    const p = params({ ticksPerRow: 5 }, r.instrument);
    const profile = buildProfile(r.trades, p);
    const tick = r.instrument.price;
    const rowSize = BigInt(tick.mantissa) * BigInt(pow10(DEC - tick.decimals)) * 5n;
    const want = new Map<bigint, { buy: bigint; sell: bigint }>();
    let total = 0n;
    for (const pr of rawPrints(path)) {
      const row = big(pr.price) / rowSize;
      const e = want.get(row) ?? { buy: 0n, sell: 0n };
      if (pr.buyerIsMaker) e.sell += big(pr.qty);
      else e.buy += big(pr.qty);
      want.set(row, e);
      total += big(pr.qty);
    }
    const lot = r.instrument.qty;
    const toBig = (lots: number): bigint =>
      BigInt(lots) * BigInt(lot.mantissa) * BigInt(pow10(DEC - lot.decimals));
    assert.equal(toBig(profile.totalVolume), total, 'profile total');
    const rows = [...want.keys()];
    const lo = rows.reduce((a, b) => (b < a ? b : a));
    const hi = rows.reduce((a, b) => (b > a ? b : a));
    assert.equal(
      profile.levels.length,
      Number(hi - lo) + 1,
      'dense rows from the lowest to the highest traded row',
    );
    for (const level of profile.levels) {
      const w = want.get(BigInt(level.row)) ?? { buy: 0n, sell: 0n };
      assert.equal(toBig(level.buy), w.buy, `buy at row ${level.row}`);
      assert.equal(toBig(level.sell), w.sell, `sell at row ${level.row}`);
    }
  });
}
