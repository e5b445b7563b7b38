// The published tick-rule figure: measureTickRule on a real file equals a recomputation straight from the raw
// text (prices compared as BigInt decimals, the rule re-implemented here), and docs/classification.md is current.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readTradeFile } from '../../src/sources/files/read-trade-file.ts';
import { measureTickRule } from '../../src/sources/files/tick-rule-measure.ts';
import { trade } from '../helpers.ts';
import { requireData } from '../real-data.ts';

const FILE = 'binance/csv/BTCUSDT-trades-DERIVED-2023-04-04T2359Z_2023-04-05T0006Z.csv';
const big = (s: string): bigint => {
  const [i, f = ''] = s.split('.');
  return BigInt(i! + f.padEnd(12, '0').slice(0, 12));
};

test('tick-rule agreement on a real file equals an independent recomputation', async (t) => {
  const path = requireData(t, FILE);
  if (path === undefined) return;
  // independent: rows in file order (time order here), uptick buy, downtick sell, zero tick repeats, first = buy
  let prev: bigint | undefined;
  let ruleBuy = true;
  let n = 0;
  let agree = 0;
  let vol = 0n;
  let agreeVol = 0n;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    const f = line.split(',');
    const price = big(f[1]!);
    if (prev !== undefined && price > prev) ruleBuy = true;
    else if (prev !== undefined && price < prev) ruleBuy = false;
    prev = price;
    const trueBuy = f[5] === 'False'; // isBuyerMaker False ⇒ the taker bought
    n++;
    vol += big(f[2]!);
    if (ruleBuy === trueBuy) {
      agree++;
      agreeVol += big(f[2]!);
    }
  }
  const r = await readTradeFile(path);
  const m = measureTickRule(r.trades, r.instrument);
  assert.equal(m.trades, n);
  assert.equal(m.agree, agree);
  const lotTo12 = BigInt(10 ** (12 - r.instrument.qty.decimals) * r.instrument.qty.mantissa);
  assert.equal(BigInt(m.volumeLots) * lotTo12, vol);
  assert.equal(BigInt(m.agreeLots) * lotTo12, agreeVol);
  assert.equal(m.byCount, agree / n);
  // the figure is published: the doc's row for this file carries the same numbers
  const doc = readFileSync(new URL('../../docs/classification.md', import.meta.url), 'utf8');
  const name = FILE.split('/').pop()!;
  const row = doc.split('\n').find((l) => l.startsWith(`| ${name} |`));
  assert.ok(row, 'docs/classification.md lists the file');
  assert.match(row, new RegExp(`\\| ${n} \\| ${agree} \\| ${((100 * agree) / n).toFixed(2)} % \\|`));
});

test('tick rule: hand-worked sequence (first trade buy, zero tick repeats, volume weighting)', () => {
  // prices 10, 10, 9, 9, 11 → rule: buy (first), buy (zero tick), sell, sell (zero tick), buy
  // true sides:            buy, sell,          sell, buy,              buy  → agree on #1, #3, #5
  // qty: 1, 2, 3, 4, 5 → agreeing volume 1 + 3 + 5 = 9 of 15
  const sides = [1, -1, -1, 1, 1] as const;
  const trades = [10, 10, 9, 9, 11].map((price, i) => trade(i, price, i + 1, sides[i]!));
  const m = measureTickRule(trades, {
    price: { mantissa: 1, decimals: 0 },
    qty: { mantissa: 1, decimals: 0 },
    volumeUnit: 'base',
  });
  assert.equal(m.agree, 3);
  assert.equal(m.agreeLots, 9);
  assert.equal(m.volumeLots, 15);
  assert.equal(m.byVolume, 9 / 15);
  // notional: Σ price·qty = 10 + 20 + 27 + 36 + 55 = 148; agreeing 10 + 27 + 55 = 92
  assert.equal(m.notional, 148);
  assert.equal(m.agreeNotional, 92);
  assert.ok(
    Number.isNaN(
      measureTickRule([], {
        price: { mantissa: 1, decimals: 0 },
        qty: { mantissa: 1, decimals: 0 },
        volumeUnit: 'base',
      }).byCount,
    ),
  );
});
