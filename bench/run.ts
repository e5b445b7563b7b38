// `npm run bench`: runs every benchmark in one process and prints one JSON object of figures.
// Workloads are real Binance trades from ../shared/data tiled with shifted ids and times (the data set holds only
// ~20k contiguous trades), or a seeded random walk when the data is missing; each section says which.

import { benchEngines } from './engines.ts';
import { benchExchanges } from './exchanges.ts';
import { benchNormalizeMore } from './normalize-more.ts';
import { benchStore } from './store.ts';
import { benchStoreQueries } from './store-queries.ts';
import { benchImportCsv } from './import-csv.ts';
import { benchUiFrameTime } from './ui-frame-time.ts';
import { benchService } from './service.ts';
import { benchScale } from './scale.ts';
import { benchBacktest } from './backtest.ts';

const only = process.argv[2];
const sections: Record<string, () => Promise<Record<string, unknown>>> = {
  engines: benchEngines,
  store: () => benchStore(),
  store_queries: () => benchStoreQueries(),
  import_csv: () => benchImportCsv(3_200_000, 3, true),
  exchanges: benchExchanges,
  exchanges_more: benchNormalizeMore,
  ui_frame_time: benchUiFrameTime,
  service: () => benchService(),
  scale: () => benchScale(),
  backtest: () => benchBacktest(),
};
const results: Record<string, unknown> = {
  node: process.version,
  cpus: (await import('node:os')).cpus().length,
};
for (const [name, run] of Object.entries(sections)) {
  if (only && only !== name) continue;
  results[name] = await run();
}
console.log(JSON.stringify(results, null, 2));
