// Generic CSV import: column mappings, side conventions, time units, header detection, malformed rows with their
// lines, the tick rule when no side column exists, and strict mode writing nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importGenericCsv, parseColumnMapping } from '../../src/importers/generic-csv.ts';
import { MemoryTradeStore } from '../../src/store/memory-store.ts';

async function run(
  text: string,
  opts: Partial<Omit<Parameters<typeof importGenericCsv>[2], 'columns'>> & { columns: string },
) {
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-gcsv-'));
  const path = join(dir, 'trades.csv');
  writeFileSync(path, text);
  const store = new MemoryTradeStore();
  await store.open();
  try {
    const r = await importGenericCsv(store, path, {
      exchange: 'demo',
      symbol: 'XYZ',
      ...opts,
      columns: parseColumnMapping(opts.columns),
    });
    const trades = await store.readTrades('demo', 'XYZ', 0, Number.MAX_SAFE_INTEGER).catch(() => []);
    const inst = await store.getInstrument('demo', 'XYZ');
    return { r, trades, inst, path };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('column mappings: required fields, 0-based indexes, clear errors', () => {
  assert.deepEqual(parseColumnMapping('id=0,price=1,qty=2,time=4,side=5'), {
    id: 0,
    price: 1,
    qty: 2,
    time: 4,
    side: 5,
  });
  assert.deepEqual(parseColumnMapping('time=0, id=3, qty=2, price=1'), { id: 3, price: 1, qty: 2, time: 0 });
  assert.throws(() => parseColumnMapping('id=0,price=1,qty=2'), /needs time/);
  assert.throws(() => parseColumnMapping('id=0,price=1,qty=2,time=x'), /INDEX/);
  assert.throws(() => parseColumnMapping('id=0,cost=1,qty=2,time=3'), /cost/);
});

test('taker sides, ISO times, a header row, and the finest decimals of the file as grid', async () => {
  const { r, trades, inst } = await run(
    [
      'time;trade;px;size;aggressor',
      '2024-01-01T00:00:00.000001Z;a1;100.5;2;buy',
      '2024-01-01T00:00:01Z;a2;100.25;0.5;SELL',
      '2024-01-01T00:00:02Z;a3;100;1;b',
    ].join('\n'),
    { columns: 'time=0,id=1,price=2,qty=3,side=4', delimiter: ';', sideSemantics: 'taker', timeUnit: 'iso' },
  );
  assert.equal(r.inserted, 3);
  assert.equal(r.malformed, 0);
  // finest decimals used: price 2 (100.25), qty 1 (0.5) ⇒ tick 0.01, lot 0.1
  assert.deepEqual(r.scale, { tick: '0.01', lot: '0.1' });
  assert.equal(inst!.price.decimals, 2);
  assert.deepEqual(
    trades.map((t) => [t.id, t.ts, t.price, t.qty, t.side, t.sideSource]),
    [
      ['a1', 1_704_067_200_000_001, 10050, 20, 1, 'exchange'],
      ['a2', 1_704_067_201_000_000, 10025, 5, -1, 'exchange'],
      ['a3', 1_704_067_202_000_000, 10000, 10, 1, 'exchange'],
    ],
  );
});

test('buyer-maker flags and maker sides are the opposite of the taker; s, ms and µs times are exact', async () => {
  const bm = await run('1,10.0,1,1704067200.5,true\n2,10.1,1,1704067200.000001,false\n', {
    columns: 'id=0,price=1,qty=2,time=3,side=4',
    timeUnit: 's',
  });
  assert.deepEqual(
    bm.trades.map((t) => [t.ts, t.side]),
    [
      [1_704_067_200_000_001, 1],
      [1_704_067_200_500_000, -1],
    ],
  );
  const mk = await run('1,10,1,1704067200123,buy\n2,10,1,1704067200124,sell\n', {
    columns: 'id=0,price=1,qty=2,time=3,side=4',
    sideSemantics: 'maker',
    timeUnit: 'ms',
  });
  assert.deepEqual(
    mk.trades.map((t) => [t.ts, t.side]),
    [
      [1_704_067_200_123_000, -1],
      [1_704_067_200_124_000, 1],
    ],
  );
  const us = await run('1,10,1,1704067200123456,1\n', {
    columns: 'id=0,price=1,qty=2,time=3,side=4',
    sideSemantics: 'taker',
    timeUnit: 'us',
  });
  assert.equal(us.trades[0]!.ts, 1_704_067_200_123_456);
});

test('no side column: the tick rule (uptick buy, downtick sell, zero tick keeps the side), marked as such', async () => {
  const { trades } = await run(
    '1,10,1,1704067200000\n2,11,1,1704067200001\n3,11,1,1704067200002\n4,9,1,1704067200003\n5,9,1,1704067200004\n',
    {
      columns: 'id=0,price=1,qty=2,time=3',
    },
  );
  // first trade: buy (documented choice); 11 > 10 buy; 11 = 11 keeps buy; 9 < 11 sell; 9 = 9 keeps sell
  assert.deepEqual(
    trades.map((t) => t.side),
    [1, 1, 1, -1, -1],
  );
  assert.ok(trades.every((t) => t.sideSource === 'tick-rule'));
});

test('malformed rows are reported with line and value; --strict aborts naming the line and writes nothing', async () => {
  const text = [
    'id,price,qty,time,side',
    '1,10,1,1704067200000,true',
    '2,ten,1,1704067200001,true',
    '3,10,1',
    '4,10,1,1704067200003,maybe',
    '5,10,2,1704067200004,false',
  ].join('\n');
  const loose = await run(text, { columns: 'id=0,price=1,qty=2,time=3,side=4' });
  assert.equal(loose.r.inserted, 2);
  assert.deepEqual(
    loose.r.malformedExamples.map((m) => [m.line, m.field]),
    [
      [3, 'price'],
      [4, 'time'],
      [5, 'side'],
    ],
  );
  assert.match(loose.r.malformedExamples[0]!.reason, /"ten"/);
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-gcsv-'));
  const path = join(dir, 't.csv');
  writeFileSync(path, text);
  const store = new MemoryTradeStore();
  await store.open();
  await assert.rejects(
    importGenericCsv(store, path, {
      exchange: 'demo',
      symbol: 'XYZ',
      columns: parseColumnMapping('id=0,price=1,qty=2,time=3,side=4'),
      strict: true,
    }),
    (e: Error) => e.message.startsWith(`${path}:3:`),
  );
  assert.deepEqual(await store.listInstruments(), []);
  rmSync(dir, { recursive: true, force: true });
});
