// `orderflow stats` (what the store holds: symbols, ranges, counts, gaps in trade ids) and `orderflow export`
// (ticks, footprint bars or cells to Parquet, CSV or JSON lines).

import { Command, Option } from 'commander';
import { OrderflowError } from '../core/errors.ts';
import { formatTime } from '../core/time.ts';
import { exportRows, exportTicks, EXPORT_FORMATS, EXPORT_WHATS, type ExportFormat } from '../query/export.ts';
import { storeFootprintQuery } from '../query/store-queries.ts';
import type { InstrumentStats } from '../store/port.ts';
import { success } from '../views/envelope.ts';
import { addQueryFlags, configFromFlags } from './config-flags.ts';
import { progressModeOf, progressOutput } from './progress-bar.ts';
import { renderTable } from './render-table.ts';
import {
  addCommonFlags,
  addDataDirFlag,
  addRangeFlags,
  dataDirOf,
  storeQueryOf,
  withStore,
  type Flags,
} from './store-flags.ts';
import { ProgressTracker } from '../importers/progress.ts';

type Runner = (action: (flags: Flags, args: string[]) => Promise<void>) => (...a: unknown[]) => Promise<void>;

const timeOrNull = (t: number | null): string | null => (t === null ? null : formatTime(t));

/** The stats body: one entry per stored instrument. */
export function statsJson(dataDir: string, stats: readonly InstrumentStats[]): Record<string, unknown> {
  return {
    data_dir: dataDir,
    instruments: stats.map((s) => ({
      symbol: `${s.exchange}:${s.symbol}`,
      exchange: s.exchange,
      exchange_symbol: s.symbol,
      rows: s.count,
      trades: s.trades,
      first_time: timeOrNull(s.firstTs),
      last_time: timeOrNull(s.lastTs),
      min_id: s.minId,
      max_id: s.maxId,
      string_ids: s.stringIds,
      id_gaps: {
        count: s.idGaps.count,
        missing: s.idGaps.missing,
        ranges: s.idGaps.ranges.map((r) => ({ from: r.from, to: r.to })),
      },
    })),
  };
}

export function registerStoreCommands(program: Command, run: Runner): void {
  addCommonFlags(
    program.command('stats').description('what the store holds: symbols, ranges, counts, id gaps'),
  )
    .option('--gaps <n>', 'gap ranges listed per instrument', '10')
    .action(
      run(async (flags) => {
        const n = Number(flags.gaps);
        if (!Number.isInteger(n) || n < 0)
          throw new OrderflowError('INVALID_CONFIG', `--gaps ${String(flags.gaps)} is not a count`);
        await withStore(flags, async (store) => {
          const stats = await store.stats({ maxGapRanges: n });
          const body = statsJson(dataDirOf(flags), stats);
          if (flags.json === true) {
            process.stdout.write(JSON.stringify(success(body)) + '\n');
            return;
          }
          const rows = stats.map((s) => [
            `${s.exchange}:${s.symbol}`,
            String(s.count),
            String(s.trades),
            timeOrNull(s.firstTs) ?? '-',
            timeOrNull(s.lastTs) ?? '-',
            s.minId === null ? '-' : `${s.minId}…${s.maxId}`,
            s.idGaps.count === 0 ? '0' : `${s.idGaps.count} (${s.idGaps.missing} ids)`,
          ]);
          const lines = [
            `store: ${dataDirOf(flags)}`,
            renderTable(['instrument', 'rows', 'trades', 'first', 'last', 'ids', 'id gaps'], rows),
          ];
          for (const s of stats) {
            for (const g of s.idGaps.ranges) {
              lines.push(
                `  ${s.exchange}:${s.symbol} missing ids ${g.from === g.to ? g.from : `${g.from}…${g.to}`}`,
              );
            }
          }
          process.stdout.write(lines.join('\n') + '\n');
        });
      }),
    );

  addRangeFlags(
    addDataDirFlag(
      addQueryFlags(
        program
          .command('export')
          .description('export ticks, footprint bars or cells (Parquet, CSV, JSON lines)'),
      ),
    ),
  )
    .addOption(
      new Option('--format <f>', 'parquet | csv | jsonl').choices([...EXPORT_FORMATS]).default('parquet'),
    )
    .addOption(new Option('--what <w>', 'ticks | bars | cells').choices([...EXPORT_WHATS]).default('ticks'))
    .requiredOption('--out <path>', 'output file')
    .addOption(new Option('--progress [mode]', 'progress on stderr: bar, json lines, or off'))
    .action(
      run(async (flags) => {
        const cfg = configFromFlags(flags);
        const format = flags.format as ExportFormat;
        const out = String(flags.out);
        const progress = progressOutput(progressModeOf(flags.progress));
        try {
          await withStore(flags, async (store) => {
            const q = await storeQueryOf(store, flags, cfg);
            let rows: number;
            if (flags.what === 'ticks') {
              const tracker = new ProgressTracker('export', out, progress.listener);
              rows = await exportTicks(
                store,
                q.target,
                q.range.from ?? 0,
                q.range.to ?? Number.MAX_SAFE_INTEGER,
                out,
                format,
                (n) => tracker.emit(n, n, 0),
              );
            } else {
              const { body } = await storeFootprintQuery(store, q.target, q.timeframe, q.params, q.range);
              const data = body.data as {
                bars: Record<string, unknown>[];
                bar_stats: Record<string, unknown>[];
              };
              const list = flags.what === 'bars' ? data.bar_stats : data.bars;
              const symbol = q.target.label;
              rows = await exportRows(
                list.map((r) => ({ symbol, ...r })),
                out,
                format,
              );
            }
            progress.done();
            const result = { out, format, what: flags.what, symbol: q.target.label, rows };
            process.stdout.write(
              flags.json === true
                ? JSON.stringify(success(result)) + '\n'
                : `${rows} ${String(flags.what)} written to ${out} (${format})\n`,
            );
          });
        } finally {
          progress.done();
        }
      }),
    );
}
