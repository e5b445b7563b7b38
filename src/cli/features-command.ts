// `orderflow features`: per-bar feature matrices (docs/features.md) with optional forward-return labels, from the
// store (--symbol, --from, --to) or a trade file (--file), written to Parquet or CSV.

import type { Command } from 'commander';
import { OrderflowError } from '../core/errors.ts';
import { addForwardReturns, FeatureEngine, type FeatureRow } from '../features/feature-engine.ts';
import { exportFeatures, type FeatureFormat } from '../features/feature-export.ts';
import { runAction, withTradeInput } from './backtest-command.ts';
import { addQueryFlags } from './config-flags.ts';
import { addDataDirFlag, addRangeFlags } from './store-flags.ts';

function horizonsOf(text: unknown): number[] {
  if (typeof text !== 'string' || text === '') return [];
  return text.split(',').map((h) => {
    const k = Number(h.trim());
    if (!Number.isInteger(k) || k < 1)
      throw new OrderflowError('INVALID_CONFIG', `--horizons ${text}: whole bars ≥ 1`);
    return k;
  });
}

export function registerFeatures(program: Command): Command {
  const cmd = program.command('features').description('export per-bar feature matrices (Parquet/CSV) for ML');
  addRangeFlags(addDataDirFlag(addQueryFlags(cmd)))
    .requiredOption('--out <path>', 'output file (.parquet or .csv)')
    .option('--format <format>', 'parquet | csv (default: from the --out extension)')
    .option('--horizons <k,...>', 'forward-return labels, in bars (e.g. 1,5,10)')
    .option('--slope-bars <n>', 'bars in the CVD slope', '10')
    .action(
      runAction(async (flags) => {
        const out = String(flags.out);
        const format: FeatureFormat =
          flags.format === 'csv' || flags.format === 'parquet'
            ? flags.format
            : /\.csv$/i.test(out)
              ? 'csv'
              : 'parquet';
        const horizons = horizonsOf(flags.horizons);
        await withTradeInput(flags, async (trades, params, symbol) => {
          const engine = new FeatureEngine(params, { slopeBars: Number(flags.slopeBars) });
          const rows: FeatureRow[] = [];
          if (Symbol.asyncIterator in trades) {
            for await (const batch of trades) rows.push(...engine.applyBatch(batch));
          } else rows.push(...engine.applyBatch(trades));
          const last = engine.flush();
          if (last !== undefined) rows.push(last);
          const n = await exportFeatures(
            addForwardReturns(rows, horizons),
            params.scale,
            horizons,
            out,
            format,
          );
          const body = { success: true, data: { symbol, rows: n, out, format, horizons } };
          process.stdout.write(
            flags.json === true ? JSON.stringify(body) + '\n' : `${n} feature rows of ${symbol} → ${out}\n`,
          );
        });
      }),
    );
  return cmd;
}
