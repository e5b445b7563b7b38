// Measures the tick rule against Binance's true aggressor flags on every real trade file in ../shared/data and
// writes the table to docs/classification.md. Run: node --import tsx scripts/measure-tick-rule.ts [--check]
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readTradeFile } from '../src/sources/files/read-trade-file.ts';
import { measureTickRule, type TickRuleMeasure } from '../src/sources/files/tick-rule-measure.ts';

const DATA = new URL('../../shared/data/binance/csv/', import.meta.url);
const DOC = new URL('../docs/classification.md', import.meta.url);
const pct = (x: number): string => `${(100 * x).toFixed(2)} %`;

interface Row {
  readonly file: string;
  readonly instrument: string;
  readonly aggTrades: boolean;
  readonly m: TickRuleMeasure;
}

async function main(): Promise<void> {
  const dir = fileURLToPath(DATA);
  const rows: Row[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.csv')) continue;
    const r = await readTradeFile(dir + f);
    rows.push({
      file: f,
      instrument: `${r.instrument.exchange}:${r.instrument.symbol}`,
      aggTrades: r.format.format.includes('agg'),
      m: measureTickRule(r.trades, r.instrument),
    });
  }
  const pooled = rows.filter((r) => !r.aggTrades);
  const n = pooled.reduce((s, r) => s + r.m.trades, 0);
  const agree = pooled.reduce((s, r) => s + r.m.agree, 0);
  const notional = pooled.reduce((s, r) => s + r.m.notional, 0);
  const agreeNotional = pooled.reduce((s, r) => s + r.m.agreeNotional, 0);
  const table = rows
    .map(
      (r) =>
        `| ${r.file} | ${r.instrument}${r.aggTrades ? ' (aggTrades)' : ''} | ${r.m.trades} | ${r.m.agree} | ${pct(r.m.byCount)} | ${pct(r.m.byVolume)} |`,
    )
    .join('\n');
  const doc = `# Trade classification

Every trade carries the aggressor side and how it was found (\`sideSource\`):

- **exchange** — the venue's own flag. Binance \`m\` / \`isBuyerMaker\` / \`is_buyer_maker\` true ⇒ the buyer was
  the maker ⇒ the taker SOLD (side −1); Coinbase Exchange \`side\` is the maker's side (the opposite); Bybit
  \`S\`, OKX \`side\`, Kraken v2 \`side\` are the taker's side. Every file reader in \`src/sources/files/\` uses
  the exchange flag: Binance dumps and recorded streams always have it.
- **tick-rule** — only where a feed has no flag: uptick ⇒ buy, downtick ⇒ sell, zero tick ⇒ the previous
  side; the very first trade (no previous price) counts as a buy (\`TickRule\` in \`src/core/classify.ts\`).

## How good is the tick rule? Measured on real Binance trades

The tick rule run over each file in time order, compared with Binance's true flag. *By count*: share of prints
it classifies right. *By volume*: share of the base volume (Σ qty) of those prints. The overall figures pool
every trades file (aggTrades excluded: one aggTrade is already one taker order at one price, a different
unit); the overall by-volume figure weights by quote notional (price × qty) so that BTC and ETH can be pooled.
The recorded trade streams in \`binance/trade-stream/\` hold exactly the same trades as the \`DERIVED\` CSVs
(a real-data test checks this), so they are not listed twice.

Regenerate with:

\`\`\`
node --import tsx scripts/measure-tick-rule.ts
\`\`\`

| file | instrument | prints | agree | by count | by volume |
|---|---|---:|---:|---:|---:|
${table}

**Overall (${pooled.length} trades files, ${n} trades): ${pct(agree / n)} by count, ${pct(agreeNotional / notional)} by quote volume.**

The tick rule is therefore a fallback only: every reader here uses the exchange's flag, and every trade
records which method decided its side.
`;
  if (process.argv.includes('--check')) {
    const current = readFileSync(DOC, 'utf8');
    if (current !== doc) {
      console.error(
        'docs/classification.md is out of date: run node --import tsx scripts/measure-tick-rule.ts',
      );
      process.exit(1);
    }
    console.log('docs/classification.md is up to date');
    return;
  }
  writeFileSync(DOC, doc);
  console.log(table);
  console.log(
    `overall: ${pct(agree / n)} by count, ${pct(agreeNotional / notional)} by quote volume over ${n} trades`,
  );
}

await main();
