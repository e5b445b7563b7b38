// Trade file layouts, detection, exact decimal scanning, containers and chunking invariance.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { detectFormat, nameHintOf } from '../../src/sources/files/detect-format.ts';
import { scanDecimal, scanned, Shape, unitsOf } from '../../src/sources/files/raw-trade.ts';
import {
  parseTradeText,
  readTradeFile,
  TradeFileParser,
  type TradeFileResult,
} from '../../src/sources/files/read-trade-file.ts';

/** Independent reading of a plain decimal: BigInt of its digits scaled to `decimals`, or undefined. */
function bigUnits(text: string, decimals: number): bigint | undefined {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) return undefined;
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > decimals) return undefined;
  return BigInt((m[1] || '0') + frac.padEnd(decimals, '0'));
}

test('scanDecimal keeps the exact value as significant digits and decimals (vs BigInt)', () => {
  const decimalText = fc
    .tuple(fc.stringMatching(/^\d{1,10}$/), fc.option(fc.stringMatching(/^\d{0,12}$/), { nil: undefined }))
    .map(([i, f]) => (f === undefined ? i : `${i}.${f}`));
  fc.assert(
    fc.property(decimalText, fc.integer({ min: 0, max: 3 }), (text, extraDecimals) => {
      const code = scanDecimal(text, 0, text.length);
      const exact = bigUnits(text, 12)!;
      if (exact === 0n) return code === Shape.Zero;
      const sig = (text.split('.')[1] ?? '').replace(/0+$/, '').length;
      if (bigUnits(text, sig)! > BigInt(Number.MAX_SAFE_INTEGER)) return code === Shape.TooManyDigits;
      assert.equal(code, sig);
      assert.equal(BigInt(scanned.m) * 10n ** BigInt(12 - scanned.d), exact);
      // on a grid with at least that many decimals the units are the BigInt value
      const d = sig + extraDecimals;
      const want = bigUnits(text, d)!;
      const got = unitsOf(scanned.m, scanned.d, 1, d);
      if (want > BigInt(Number.MAX_SAFE_INTEGER))
        assert.ok(Number.isNaN(got), 'above 2^53: not exact, refused');
      else assert.equal(BigInt(got), want);
      return true;
    }),
  );
});

test('scanDecimal: hand-worked values and rejections', () => {
  assert.equal(scanDecimal('61837.63000000', 0, 14), 2);
  assert.deepEqual({ ...scanned }, { m: 6183763, d: 2 }); // 61837.63 = 6183763 · 10^-2
  assert.equal(scanDecimal('76043.5', 0, 7), 1);
  assert.equal(scanned.m, 760435);
  assert.equal(scanDecimal('0.00100', 0, 7), 3);
  assert.equal(scanned.m, 1);
  // "76043.5" and "76043.50" are the same 760435 ticks of 0.1
  scanDecimal('76043.50', 0, 8);
  assert.equal(unitsOf(scanned.m, scanned.d, 1, 1), 760435);
  // a tick of 0.5 (mantissa 5, decimals 1): 12.5 → 25 ticks, 12.3 is off the grid
  scanDecimal('12.5', 0, 4);
  assert.equal(unitsOf(scanned.m, scanned.d, 5, 1), 25);
  scanDecimal('12.3', 0, 4);
  assert.ok(Number.isNaN(unitsOf(scanned.m, scanned.d, 5, 1)));
  for (const [t, code] of [
    ['', Shape.Empty],
    ['-1', Shape.Negative],
    ['abc', Shape.NotDecimal],
    ['1e5', Shape.NotDecimal],
    ['NaN', Shape.NotFinite],
    ['Infinity', Shape.NotFinite],
    ['0', Shape.Zero],
    ['0.000', Shape.Zero],
    ['.', Shape.NotDecimal],
    ['1.2.3', Shape.NotDecimal],
    [' 1', Shape.NotDecimal],
    ['0.0000000000001', Shape.TooManyDecimals],
    ['99999999999999999999', Shape.TooManyDigits],
  ] as const) {
    assert.equal(scanDecimal(t, 0, t.length), code, t);
  }
});

test('file names announce exchange and symbol', () => {
  assert.deepEqual(nameHintOf('/x/BTCUSDT-trades-2024-01-01.csv'), { symbol: 'BTCUSDT', kind: 'trades' });
  assert.deepEqual(nameHintOf('BTCUSDT-um-trades-2024-01-01.csv'), {
    symbol: 'BTCUSDT',
    exchange: 'binance-usdm',
    kind: 'trades',
  });
  assert.deepEqual(nameHintOf('BTCUSDT-um-aggTrades-2026-09-17.csv')?.kind, 'aggTrades');
  assert.equal(nameHintOf('BTCUSD_PERP-cm-trades-2024-01-01.csv')?.exchange, 'binance-coinm');
  assert.equal(nameHintOf('BTCUSD_PERP-trades-2024-01-01.csv')?.exchange, 'binance-coinm');
  assert.equal(
    nameHintOf('data/futures/um/daily/trades/BTCUSDT/BTCUSDT-trades-2024-01-01.zip')?.exchange,
    'binance-usdm',
  );
  assert.equal(
    nameHintOf('data/spot/daily/trades/BTCUSDT/BTCUSDT-trades-2024-01-01.zip')?.exchange,
    'binance',
  );
  assert.deepEqual(nameHintOf('binance-spot_ETHUSDT_2024-08-08T2354Z_2024-08-09T0005Z.trade-stream.txt.gz'), {
    symbol: 'ETHUSDT',
    exchange: 'binance',
    kind: 'stream',
  });
  assert.equal(nameHintOf('binance-usdm_BTCUSDT_2024-08-08T2354Z.gz')?.exchange, 'binance-usdm');
  assert.equal(nameHintOf('trades.csv'), undefined);
});

test('detectFormat tells every layout from its first lines', () => {
  const d = (lines: string[], name = 'x.csv'): string => detectFormat(name, lines).format;
  assert.equal(d(['1,100.0,1.0,100.0,1700000000000,True,True']), 'binance-trades-csv');
  assert.equal(d(['1,100.0,1.0,100.0,1700000000000,true']), 'binance-futures-trades-csv');
  assert.equal(
    d(['id,price,qty,quote_qty,time,is_buyer_maker', '1,1,1,1,1700000000000,true']),
    'binance-futures-trades-csv',
  );
  assert.equal(d(['1,100.0,1.0,5,7,1700000000000,false']), 'binance-futures-agg-trades-csv');
  assert.equal(
    d(['agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker']),
    'binance-futures-agg-trades-csv',
  );
  assert.equal(d(['1,100.0,1.0,5,7,1700000000000,True,True']), 'binance-spot-agg-trades-csv');
  assert.equal(d(['\uFEFF', '  ', '1700000000000000 {"stream":"a"}']), 'binance-trade-stream');
  assert.equal(d(['{"stream":"btcusdt@trade","data":{}}']), 'binance-frames-jsonl');
  // one garbled leading row does not hide the layout
  assert.equal(d(['garbage', '1,100.0,1.0,100.0,1700000000000,True,True']), 'binance-trades-csv');
  assert.equal(detectFormat('x.csv', ['id,price,qty,quote_qty,time,is_buyer_maker']).hasHeader, true);
});

test('aggTrades: count = last − first + 1, id = the agg id, with or without header; spot aggTrades too', () => {
  const futures = [
    'agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker',
    '100,76988.7,0.037,8089233297,8089233297,1789655280294,false',
    '101,76988.7,0.096,8089233298,8089233301,1789655280447,true',
  ];
  const a = parseTradeText(futures.join('\n'), 'BTCUSDT-um-aggTrades-2026-09-17.csv');
  assert.equal(a.report.headerRows, 1);
  assert.deepEqual(
    a.trades.map((t) => [t.id, t.count, t.side, t.price, t.qty]),
    // tick 0.1, lot 0.001: 76988.7 → 769887; 0.037 → 37; 8089233301 − 8089233298 + 1 = 4
    [
      [100, 1, 1, 769887, 37],
      [101, 4, -1, 769887, 96],
    ],
  );
  assert.equal(a.report.exchangeTrades, 5);
  const headerless = parseTradeText(futures.slice(1).join('\n'), 'BTCUSDT-um-aggTrades-2026-09-17.csv');
  assert.deepEqual(headerless.trades, a.trades);
  const spot = parseTradeText(
    '7,100.00,1.00000,10,12,1700000000000,True,True\n',
    'BTCUSDT-aggTrades-2023-11-14.csv',
  );
  assert.equal(spot.report.exchange, 'binance');
  assert.equal(spot.trades[0]!.count, 3);
  const bad = parseTradeText(
    '7,100.00,1.00000,12,10,1700000000000,True,True\n',
    'BTCUSDT-aggTrades-2023-11-14.csv',
  );
  assert.equal(bad.report.malformedExamples[0]!.reason, 'lastTradeId "10" is below firstTradeId 12');
});

test('spot dumps from 2025 are in µs, earlier ones in ms: both become µs', () => {
  const ms = parseTradeText(
    '1,93576.00,0.00136,1,1735689600010,True,True\n',
    'BTCUSDT-trades-2024-12-31.csv',
  );
  const us = parseTradeText(
    '1,93576.00,0.00136,1,1735689600010866,True,True\n',
    'BTCUSDT-trades-2025-01-01.csv',
  );
  assert.equal(ms.report.timeUnit, 'ms');
  assert.equal(us.report.timeUnit, 'us');
  assert.equal(ms.trades[0]!.ts, 1735689600010000);
  assert.equal(us.trades[0]!.ts, 1735689600010866);
});

test('JSONL of raw frames: symbol from the frames, spot vs futures from their fields, symbol selection', () => {
  const f = (s: string, t: number, extra: Record<string, unknown>): string =>
    JSON.stringify({
      stream: `${s.toLowerCase()}@trade`,
      data: { e: 'trade', E: 1, s, t, p: '10.5', q: '1', T: 1700000000000 + t, m: false, ...extra },
    });
  const lines = [
    f('ETHUSDT', 1, { M: true }),
    f('BTCUSDT', 2, { M: true }),
    '{"stream":"x@depth","data":{"e":"depthUpdate"}}',
    f('ETHUSDT', 3, { M: true }),
  ];
  const eth = parseTradeText(lines.join('\n'), 'live.ndjson');
  assert.equal(eth.report.symbol, 'ETHUSDT');
  assert.equal(eth.report.exchange, 'binance');
  assert.equal(eth.report.instrumentFrom, 'frames');
  assert.deepEqual(eth.report.skipped.otherSymbol, { BTCUSDT: 1 });
  assert.deepEqual(eth.report.skipped.nonTrade, { depthUpdate: 1 });
  assert.deepEqual(
    eth.trades.map((t) => t.id),
    [1, 3],
  );
  const btc = parseTradeText(lines.join('\n'), 'live.ndjson', { symbol: 'btcusdt' });
  assert.deepEqual(
    btc.trades.map((t) => [t.id, t.symbol, t.side]),
    [[2, 'BTCUSDT', 1]],
  );
  const fut = parseTradeText(f('BTCUSDT', 1, { X: 'MARKET' }), 'live.ndjson');
  assert.equal(fut.report.exchange, 'binance-usdm');
  // capture format: {"t":"recv","ts":seconds,"data":"<frame>"}
  const capture = [
    JSON.stringify({ t: 'header', exchange: 'BINANCE_FUTURES' }),
    JSON.stringify({
      t: 'recv',
      ts: 1700000000.25,
      data: JSON.stringify({
        stream: 'x@aggTrade',
        data: {
          e: 'aggTrade',
          s: 'SUSHIUSDT',
          a: 9,
          f: 3,
          l: 5,
          p: '7.611',
          q: '6',
          T: 1700000000000,
          m: true,
        },
      }),
    }),
  ];
  const cap = parseTradeText(capture.join('\n'), 'BINANCE_FUTURES.jsonl');
  assert.equal(cap.report.exchange, 'binance-usdm');
  assert.deepEqual(
    cap.trades.map((t) => [t.id, t.count, t.recvTs, t.side]),
    [[9, 3, 1700000000250000, -1]],
  );
  assert.throws(
    () =>
      parseTradeText(lines.join('\n'), 'BTCUSDT-um-trades-x.csv', {
        symbol: 'ETHUSDT',
        format: 'binance-frames-jsonl',
      }),
    /file name says symbol BTCUSDT/,
  );
});

/** A minimal single-entry zip (deflate), as data.binance.vision serves. */
function zipOf(name: string, data: Buffer): Buffer {
  const comp = deflateRawSync(data);
  const nameBuf = Buffer.from(name);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(comp.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBuf.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(comp.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBuf.length, 28);
  central.writeUInt32LE(0, 42);
  const cdOffset = local.length + nameBuf.length + comp.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBuf.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, nameBuf, comp, central, nameBuf, end]);
}

test('plain, gzip and zip files read identically (detected by magic bytes)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-files-'));
  try {
    const text = Buffer.from(
      '\uFEFF1,100.00,0.5,50,1700000000000,True,True\r\n2,100.01,0.1,10,1700000000001,False,True\r\n',
    );
    const name = 'BTCUSDT-trades-2023-11-14';
    writeFileSync(join(dir, `${name}.csv`), text);
    writeFileSync(join(dir, `${name}.csv.gz`), gzipSync(text));
    writeFileSync(join(dir, `${name}.zip`), zipOf(`${name}.csv`, text));
    writeFileSync(join(dir, 'download.zip'), zipOf(`${name}.csv`, text));
    const plain = await readTradeFile(join(dir, `${name}.csv`));
    assert.equal(plain.trades.length, 2);
    for (const f of [`${name}.csv.gz`, `${name}.zip`, 'download.zip']) {
      const r = await readTradeFile(join(dir, f));
      assert.deepEqual(r.trades, plain.trades, f);
      assert.equal(r.report.symbol, 'BTCUSDT', f);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Rows from a small grammar: mostly valid, some garbage, ids sometimes repeated or going back.
const row = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .record({
        id: fc.integer({ min: 1, max: 40 }),
        p: fc.stringMatching(/^[1-9]\d{0,4}(\.\d{1,2})?$/),
        q: fc.stringMatching(/^0\.\d{1,5}$|^[1-9]$/),
        t: fc.integer({ min: 0, max: 5000 }),
        m: fc.boolean(),
      })
      .map((r) => `${r.id},${r.p},${r.q},1,${1700000000000 + r.t},${r.m ? 'True' : 'False'},True`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      'x,1,1,1,1,True,True',
      '3,abc,1,1,1700000000000,True,True',
      '4,1,1,1,1700000000000,maybe,True',
      '5,1,1',
    ),
  },
);

test('property: any cut of the text into chunks (also inside CRLF) gives the same result as the whole', () => {
  fc.assert(
    fc.property(
      fc.array(row, { maxLength: 40 }),
      fc.boolean(),
      fc.array(fc.nat(), { maxLength: 6 }),
      (rows, crlf, cutsRaw) => {
        const text = rows.join(crlf ? '\r\n' : '\n');
        const name = 'BTCUSDT-trades-2023-11-14.csv';
        let whole: TradeFileResult;
        try {
          whole = parseTradeText(text, name);
        } catch {
          return true; // nothing recognizable in the first lines: detection refuses, chunking is moot
        }
        const cuts = [...new Set(cutsRaw.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const p = new TradeFileParser(name, whole.format);
        let at = 0;
        for (const c of [...cuts, text.length]) {
          p.push(text.slice(at, c));
          at = c;
        }
        const chunked = p.end();
        assert.deepEqual(chunked, whole);
        return true;
      },
    ),
  );
});

test('property: accepted trades equal an independent reading of the rows (first id wins, stable time order)', () => {
  fc.assert(
    fc.property(fc.array(row, { minLength: 1, maxLength: 40 }), (rows) => {
      let r: TradeFileResult;
      try {
        r = parseTradeText(rows.join('\n'), 'BTCUSDT-trades-2023-11-14.csv', {
          tickSize: '0.01',
          lotSize: '0.00001',
        });
      } catch {
        return true;
      }
      const seen = new Set<number>();
      const expected: { id: number; ts: number; price: number; qty: number; side: number }[] = [];
      for (const line of rows) {
        const f = line.split(',');
        if (f.length !== 7 || !/^\d+$/.test(f[0]!) || !/^(True|False)$/.test(f[5]!)) continue;
        const price = bigUnits(f[1]!, 2);
        const qty = bigUnits(f[2]!, 5);
        if (price === undefined || qty === undefined || price === 0n || qty === 0n) continue;
        const id = Number(f[0]);
        if (seen.has(id)) continue;
        seen.add(id);
        expected.push({
          id,
          ts: Number(f[4]) * 1000,
          price: Number(price),
          qty: Number(qty),
          side: f[5] === 'True' ? -1 : 1,
        });
      }
      expected.sort((a, b) => a.ts - b.ts); // Array.prototype.sort is stable
      assert.deepEqual(
        r.trades.map((t) => ({ id: t.id, ts: t.ts, price: t.price, qty: t.qty, side: t.side })),
        expected,
      );
      return true;
    }),
  );
});
