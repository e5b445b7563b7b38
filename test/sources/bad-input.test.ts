// Garbage in trade files is counted with line numbers and values, never crashes and is never dropped silently.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OrderflowError } from '../../src/core/errors.ts';
import type { IngestReport } from '../../src/sources/files/ingest-report.ts';
import { parseTradeText } from '../../src/sources/files/read-trade-file.ts';

const SPOT = 'BTCUSDT-trades-2023-11-14.csv'; // binance:BTCUSDT, known tick 0.01, lot 0.00001

// Spot layout: id,price,qty,quoteQty,time(ms),isBuyerMaker,isBestMatch. 1700000000000 ms = 2023-11-14T22:13:20Z.
const LINES = [
  /* 1 */ '1,100.00,0.50000,50.0,1700000000000,True,True',
  /* 2 */ '2,100.01,0.1,10,1700000000001,False,True',
  /* 3 */ '3,abc,0.1,10,1700000000002,True,True',
  /* 4 */ '4,NaN,0.1,10,1700000000002,True,True',
  /* 5 */ '5,-1,0.1,10,1700000000002,True,True',
  /* 6 */ '6,1e5,0.1,10,1700000000002,True,True',
  /* 7 */ '7,,0.1,10,1700000000002,True,True',
  /* 8 */ '8,100,0.1,10,1700000000003,maybe,True',
  /* 9 */ '9,100,0.1,10',
  /* 10 */ '10,99999999999999999999,0.1,10,1700000000003,True,True',
  /* 11 */ '11,100,0,0,1700000000003,True,True',
  /* 12 */ 'x12,100,0.1,10,1700000000003,True,True',
  /* 13 */ '13,100,0.1,10,notatime,True,True',
  /* 14 */ '2,100.02,0.2,20,1700000000004,True,True',
  /* 15 */ '15,100,0.1,10,1699999999000,True,True',
  /* 16 */ '16,100,0.1,10,1700000000005000,True,True',
  /* 17 */ '17,99999999999999,0.1,10,1700000000006,True,True',
  /* 18 */ '18,100,0.1,10,1700000000006,True,True,extra',
];
const TEXT = LINES.join('\n') + '\n\n\n';

const EXPECTED_BAD: readonly (readonly [number, string, string, RegExp])[] = [
  [3, 'price', 'abc', /not a plain decimal/],
  [4, 'price', 'NaN', /not finite/],
  [5, 'price', '-1', /negative/],
  [6, 'price', '1e5', /not a plain decimal/],
  [7, 'price', '', /empty/],
  [8, 'isBuyerMaker', 'maybe', /side flag/],
  [9, 'row', '9,100,0.1,10', /has 4 columns, expected 7/],
  [10, 'price', '99999999999999999999', /absurd/],
  [11, 'qty', '0', /zero/],
  [12, 'id', 'x12', /not a trade id/],
  [13, 'time', 'notatime', /not an epoch time/],
  [16, 'time', '1700000000005000', /is in us but this file's times are in ms/],
  // 14 digits at tick 0.01 are 1e16 ticks: above 2^53, found when the scale is applied
  [17, 'price', '99999999999999', /absurd: more than 2\^53 ticks of 0.01/],
  [18, 'row', LINES[17]!, /has 8 columns, expected 7/],
];

function checkAccounting(r: IngestReport): void {
  const skipped = [r.skipped.nonTrade, r.skipped.otherSymbol, r.skipped.otherKind]
    .flatMap((m) => Object.values(m))
    .reduce((a, b) => a + b, 0);
  assert.equal(
    r.rowsRead,
    r.tradesAccepted + r.malformed + r.duplicates + skipped,
    'every row accounted for',
  );
  assert.equal(r.lines, r.rowsRead + r.headerRows + r.blankLines);
}

test('every kind of malformed row is counted with its line, field, value and reason', () => {
  const { trades, report } = parseTradeText(TEXT, SPOT);
  assert.equal(report.lines, 20); // 18 rows + 2 blank lines (the final newline ends line 20)
  assert.equal(report.blankLines, 2);
  assert.equal(report.rowsRead, 18);
  assert.equal(report.malformed, EXPECTED_BAD.length);
  assert.equal(report.malformedExamples.length, EXPECTED_BAD.length);
  report.malformedExamples.forEach((m, i) => {
    const [line, field, value, why] = EXPECTED_BAD[i]!;
    assert.equal(m.line, line);
    assert.equal(m.field, field, `line ${line}`);
    assert.equal(m.value, value, `line ${line}`);
    assert.match(m.reason, why, `line ${line}: ${m.reason}`);
    assert.ok(m.reason.startsWith(`${field} ${JSON.stringify(value)}`), 'the reason names field and value');
  });
  assert.equal(report.malformedByField.price, 7); // lines 3, 4, 5, 6, 7, 10, 17
  // kept: ids 1, 2, 15; line 14 repeats id 2 (the first one is kept); line 15 goes back in time
  assert.deepEqual(
    trades.map((t) => t.id),
    [15, 1, 2],
  );
  assert.equal(report.duplicates, 1);
  assert.deepEqual(report.duplicateExamples, [{ line: 14, id: 2, firstLine: 2 }]);
  assert.equal(trades.find((t) => t.id === 2)!.price, 10001, 'the first id 2 (100.01) is the one kept');
  assert.equal(report.outOfOrder, 1);
  assert.equal(report.idOutOfOrder, 0);
  // accepted ids 1, 2, 15 → ids 3..14 missing: one gap of 12
  assert.deepEqual(report.idGaps, { gaps: 1, missingIds: 12, ranges: [{ from: 3, to: 14 }] });
  assert.equal(report.scaleSource, 'known');
  checkAccounting(report);
});

test('CRLF line endings, a BOM and trailing blank lines change nothing', () => {
  const plain = parseTradeText(TEXT, SPOT);
  const crlf = parseTradeText('\uFEFF' + TEXT.replace(/\n/g, '\r\n') + '\r\n  \r\n', SPOT);
  assert.deepEqual(crlf.trades, plain.trades);
  assert.deepEqual(crlf.report.malformedExamples, plain.report.malformedExamples);
  assert.equal(crlf.report.blankLines, plain.report.blankLines + 2);
  const noFinalNewline = parseTradeText(LINES.join('\n'), SPOT);
  assert.deepEqual(noFinalNewline.trades, plain.trades);
  assert.equal(noFinalNewline.report.lines, 18);
});

test('strict mode throws at the first bad row, naming file, line and value', () => {
  assert.throws(
    () => parseTradeText(TEXT, SPOT, { strict: true }),
    (e: unknown) => {
      assert.ok(e instanceof OrderflowError);
      assert.equal(e.code, 'INVALID_TRADE');
      assert.equal(e.message, `${SPOT}:3: price "abc" is not a plain decimal number`);
      return true;
    },
  );
  // rows that are only bad at the chosen scale are reported when the scale is applied
  assert.throws(
    () => parseTradeText(LINES[0] + '\n' + LINES[16], SPOT, { strict: true }),
    /BTCUSDT-trades-2023-11-14\.csv:2: price "99999999999999" is absurd/,
  );
  // clean input passes strict mode
  assert.equal(parseTradeText(LINES.slice(0, 2).join('\n'), SPOT, { strict: true }).trades.length, 2);
});

test('a value off the known grid switches to inferred increments; a forced tick reports it instead', () => {
  const text = '1,100.00,0.5,50,1700000000000,True,True\n2,100.005,0.5,50,1700000000001,False,True\n';
  const inferred = parseTradeText(text, SPOT);
  assert.equal(inferred.report.scaleSource, 'inferred');
  assert.match(inferred.report.scaleNote, /price 100\.005 \(line 2\) is off the known tick 0\.01/);
  assert.equal(inferred.instrument.source, 'inferred');
  // 3 decimals used ⇒ tick 0.001: 100.00 → 100000 ticks, 100.005 → 100005
  assert.deepEqual(
    inferred.trades.map((t) => t.price),
    [100000, 100005],
  );
  const forced = parseTradeText(text, SPOT, { tickSize: '0.01' });
  assert.equal(forced.report.scaleSource, 'forced');
  assert.equal(forced.report.malformed, 1);
  assert.deepEqual(forced.report.malformedExamples[0], {
    line: 2,
    field: 'price',
    value: '100.005',
    reason: 'price "100.005" is not a multiple of the tick 0.01',
  });
});

test('ids: a lower id that is new counts as id-out-of-order, not duplicate', () => {
  const text = [
    '5,1,1,1,1700000000000,True,True',
    '3,1,1,1,1700000000001,True,True',
    '5,1,1,1,1700000000002,True,True',
  ];
  const { report, trades } = parseTradeText(text.join('\n'), SPOT);
  assert.equal(report.idOutOfOrder, 1);
  assert.equal(report.duplicates, 1);
  assert.deepEqual(report.duplicateExamples, [{ line: 3, id: 5, firstLine: 1 }]);
  assert.deepEqual(
    trades.map((t) => t.id),
    [5, 3],
  );
  assert.deepEqual(report.idGaps, { gaps: 1, missingIds: 1, ranges: [{ from: 4, to: 4 }] });
});

test('at most 100 examples are kept while every bad row is counted', () => {
  const rows = Array.from({ length: 250 }, (_, i) => `${i},bad,1,1,1700000000000,True,True`);
  const { report } = parseTradeText(rows.join('\n'), SPOT);
  assert.equal(report.malformed, 250);
  assert.equal(report.malformedExamples.length, 100);
  assert.equal(report.malformedExamples[99]!.line, 100);
});

test('recorded stream frames: bad stamps, JSON, fields, other symbols and kinds are all accounted for', () => {
  const frame = (d: Record<string, unknown>): string =>
    JSON.stringify({
      stream: 'btcusdt@trade',
      data: { e: 'trade', E: 1, s: 'BTCUSDT', t: 1, p: '1.5', q: '2', T: 1700000000000, m: true, ...d },
    });
  const lines = [
    /* 1 */ `1700000000000123456 ${frame({ t: 10 })}`,
    /* 2 */ `garbage ${frame({ t: 11 })}`,
    /* 3 */ `1700000000000123 {"stream":`,
    /* 4 */ `1700000000000123 ${frame({ t: 12, m: 'yes' })}`,
    /* 5 */ `1700000000000123 ${frame({ t: 13, p: 1.5 })}`,
    /* 6 */ `1700000000000123 ${frame({ t: 14, s: 'ETHUSDT' })}`,
    /* 7 */ `1700000000000123 ${JSON.stringify({ stream: 'btcusdt@depth', data: { e: 'depthUpdate', s: 'BTCUSDT' } })}`,
    /* 8 */ `1700000000000123 ${JSON.stringify({ stream: 'btcusdt@aggTrade', data: { e: 'aggTrade', s: 'BTCUSDT', a: 1 } })}`,
    /* 9 */ `1700000000000123 ${frame({ t: 15, T: 5 })}`,
    /* 10 */ `1700000000000123 ${frame({ t: 16, q: '-2' })}`,
    /* 11 */ `1700000000000123 ${frame({ t: 17, X: 'INSURANCE_FUND' })}`,
    /* 12 */ `1700000000000 ${frame({ t: 18, X: 'MARKET' })}`,
    /* 13 */ `noSpace`,
  ];
  const { trades, report } = parseTradeText(
    lines.join('\n'),
    'binance-usdm_BTCUSDT_2023-11-14T2213Z.trade-stream.txt',
  );
  assert.deepEqual(
    report.malformedExamples.map((m) => [m.line, m.field]),
    [
      [2, 'stamp'],
      [3, 'json'],
      [4, 'm'],
      [5, 'p'],
      [9, 'T'],
      [10, 'q'],
      [13, 'row'],
    ],
  );
  assert.deepEqual(report.skipped, {
    nonTrade: { depthUpdate: 1 },
    otherSymbol: { ETHUSDT: 1 },
    otherKind: { aggTrade: 1 },
  });
  assert.deepEqual(report.nonMarket, { INSURANCE_FUND: 1 });
  assert.deepEqual(
    trades.map((t) => [t.id, t.recvTs]),
    [
      // ns stamp cut to µs; µs kept; ms stamp ×1000
      [10, 1700000000000123],
      [17, 1700000000000123],
      [18, 1700000000000000],
    ],
  );
  assert.equal(trades[0]!.ts, 1700000000000000);
  assert.equal(trades[0]!.side, -1);
  checkAccounting(report);
});

test('files that are no known format fail with UNKNOWN_FORMAT; a CSV without a symbol asks for one', () => {
  assert.throws(() => parseTradeText('hello world\n', 'x.csv'), /UNKNOWN_FORMAT|not a Binance trades/);
  assert.throws(
    () => parseTradeText('', 'x.csv'),
    (e: unknown) => e instanceof OrderflowError && e.code === 'UNKNOWN_FORMAT',
  );
  assert.throws(
    () => parseTradeText('1,1,1,1,1700000000000,true\n', 'x.csv'),
    (e: unknown) => e instanceof OrderflowError && e.code === 'INVALID_CONFIG',
  );
  const ok = parseTradeText('1,1,1,1,1700000000000,true\n', 'x.csv', { symbol: 'BTCUSDT' });
  assert.equal(ok.report.exchange, 'binance-usdm', 'a 6-column trades file is a futures dump');
  assert.equal(ok.report.instrumentFrom, 'layout');
});
