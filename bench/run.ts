// `npm run bench`: runs every benchmark in one process and prints one JSON object of figures.
// Trades are real Binance trades from ../shared/data tiled with shifted ids and times (the data set holds only
// ~20k contiguous trades), or a seeded random walk when the data is missing; the output says which.

import { benchEngines } from './engines.ts';

const results: Record<string, unknown> = {
  node: process.version,
  date: new Date().toISOString(),
};
results.engines = await benchEngines();
console.log(JSON.stringify(results, null, 2));
