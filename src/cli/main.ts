// The `orderflow` command line: footprint | profile | delta | metrics over trade files (--file) or the tick store
// (--symbol), import into the store, stats and export.

import { Command, Option } from 'commander';
import { OrderflowError } from '../core/errors.ts';
import type { Instrument } from '../core/instrument.ts';
import { resolveParams, type AnalyticsParams } from '../core/params.ts';
import { toQuoteVolume } from '../core/volume-unit.ts';
import type { Trade } from '../core/trade.ts';
import type { FootprintBar } from '../engines/footprint.ts';
import { cellImbalances } from '../engines/imbalance.ts';
import { readTradeFile } from '../sources/files/read-trade-file.ts';
import { failure } from '../views/envelope.ts';
import { deltaQuery, footprintQuery, metricsQuery, profileQuery, type QueryRange } from './analysis.ts';
import { addQueryFlags, configFromFlags } from './config-flags.ts';
import { renderFootprintGrid } from './render-footprint.ts';
import { paint } from './render-table.ts';
import { renderDelta, renderMetrics, renderProfile } from './render-reports.ts';
import { formatIngestSummary } from './ingest-summary.ts';
import { ImportError } from '../importers/import-error.ts';
import { StoreError } from '../store/port.ts';
import {
  storeDeltaQuery,
  storeFootprintQuery,
  storeMetricsQuery,
  storeProfileQuery,
} from '../query/store-queries.ts';
import { registerImport } from './import-command.ts';
import { registerStoreCommands } from './store-commands.ts';
import { registerServeCommand } from './serve-command.ts';
import { registerScaleCommands } from './scale-commands.ts';
import { registerBacktest } from './backtest-command.ts';
import { registerFeatures } from './features-command.ts';
import {
  addDataDirFlag,
  addRangeFlags,
  rangeOf,
  storeQueryOf,
  withStore,
  type StoreQuery,
} from './store-flags.ts';

type Flags = Record<string, unknown>;

/** A query command's input: a trade file, or the store when --symbol is given. */
function fromStore(flags: Flags): boolean {
  if (typeof flags.symbol === 'string' && typeof flags.file === 'string') {
    throw new OrderflowError('INVALID_CONFIG', 'give --file PATH or --symbol S, not both');
  }
  return typeof flags.symbol === 'string';
}

async function withStoreQuery(flags: Flags, fn: (q: StoreQuery) => Promise<void>): Promise<void> {
  const cfg = configFromFlags(flags);
  await withStore(flags, async (store) => fn(await storeQueryOf(store, flags, cfg)));
}

const queryFlags = (cmd: Command): Command => addRangeFlags(addDataDirFlag(addQueryFlags(cmd)));

interface Loaded {
  trades: Trade[];
  instrument: Instrument;
  params: AnalyticsParams;
  range: QueryRange;
  symbol: string;
  timeframe: string;
}

async function load(flags: Flags): Promise<Loaded> {
  if (typeof flags.file !== 'string') {
    throw new OrderflowError('INVALID_CONFIG', 'give --file PATH (a trade file) or --symbol S (the store)');
  }
  const cfg = configFromFlags(flags);
  const file = await readTradeFile(flags.file, {
    strict: flags.strict === true,
    ...(typeof flags.tickSize === 'string' ? { tickSize: flags.tickSize } : {}),
    ...(typeof flags.lotSize === 'string' ? { lotSize: flags.lotSize } : {}),
  });
  const summary = formatIngestSummary(file.report);
  if (summary) process.stderr.write(summary + '\n');
  // volume_unit=quote: every quantity becomes its exact quote value before the engines see it.
  const quote = cfg.volumeUnit === 'quote' ? toQuoteVolume(file.trades, file.instrument) : undefined;
  const params = quote
    ? resolveParams(cfg, quote.scale)
    : resolveParams(cfg, file.instrument, file.instrument.qty);
  const range: QueryRange = rangeOf(flags);
  return {
    trades: quote ? quote.trades : file.trades,
    instrument: file.instrument,
    params,
    range,
    symbol: `${file.instrument.exchange}:${file.instrument.symbol}`,
    timeframe: cfg.timePerRow,
  };
}

const print = (flags: Flags, body: unknown, text: () => string): void => {
  process.stdout.write(flags.json === true ? JSON.stringify(body) + '\n' : text() + '\n');
};

/**
 * Wraps a command action: commander passes (...arguments, options, command); errors become the JSON error body
 * (with --json) or one line on stderr, and exit status 2 for bad input, 1 for internal errors.
 */
function run(action: (flags: Flags, args: string[]) => Promise<void>): (...a: unknown[]) => Promise<void> {
  return async (...a) => {
    const flags = (a[a.length - 2] ?? {}) as Flags;
    const args = a
      .slice(0, -2)
      .flatMap((x) => (Array.isArray(x) ? x.map(String) : typeof x === 'string' ? [x] : []));
    try {
      await action(flags, args);
    } catch (e) {
      const sysCode = (e as { code?: unknown }).code;
      const ioError = sysCode === 'ENOENT' || sysCode === 'EACCES' || sysCode === 'EISDIR';
      const known = e instanceof OrderflowError || e instanceof ImportError || e instanceof StoreError;
      const code = known ? e.code : ioError ? 'FILE_NOT_READABLE' : 'INTERNAL_ERROR';
      const message = e instanceof Error ? e.message : String(e);
      if (flags.json === true) process.stdout.write(JSON.stringify(failure(code, message)) + '\n');
      else
        process.stderr.write(`${paint('red', 'error', process.stderr.isTTY === true)} ${code}: ${message}\n`);
      process.exitCode = known || ioError ? 2 : 1;
    }
  };
}

export function buildProgram(): Command {
  const program = new Command('orderflow')
    .description('Exact order-flow analytics on crypto tick data')
    .showHelpAfterError()
    .enablePositionalOptions();

  queryFlags(
    program.command('footprint').description('footprint bars: bid × ask volume per price row'),
  ).action(
    run(async (flags) => {
      const show = (bars: FootprintBar[], params: AnalyticsParams, body: unknown): void =>
        print(flags, body, () => {
          const imb = new Map(bars.map((b) => [b.start, cellImbalances(b, params.imbalance)]));
          return renderFootprintGrid(bars, {
            scale: params.scale,
            rowTicks: params.rowTicks,
            color: flags.color !== false,
            maxWidth: process.stdout.columns ?? 160,
            imbalance: (b, row) => {
              const f = imb.get(b.start)?.find((x) => x.row === row);
              if (!f) return undefined;
              return f.buyImbalance
                ? f.sellImbalance
                  ? 'both'
                  : 'buy'
                : f.sellImbalance
                  ? 'sell'
                  : undefined;
            },
          });
        });
      if (fromStore(flags)) {
        await withStoreQuery(flags, async (q) => {
          const { bars, body } = await storeFootprintQuery(q.store, q.target, q.timeframe, q.params, q.range);
          show(bars, q.params, body);
        });
        return;
      }
      const l = await load(flags);
      const { bars, body } = footprintQuery(l.symbol, l.timeframe, l.trades, l.params, l.range);
      show(bars, l.params, body);
    }),
  );

  queryFlags(
    program.command('profile').description('volume profile: POC, value area, HVN/LVN, inefficiencies'),
  )
    .addOption(new Option('--type <type>', 'VPVR | VPSV').choices(['VPVR', 'VPSV']).default('VPVR'))
    .option('--omit-empty', 'leave zero-volume rows out of price_levels')
    .action(
      run(async (flags) => {
        const type = flags.type === 'VPSV' ? 'VPSV' : 'VPVR';
        if (fromStore(flags)) {
          await withStoreQuery(flags, async (q) => {
            const { body } = await storeProfileQuery(
              q.store,
              q.target,
              type,
              q.params,
              q.range,
              flags.omitEmpty === true,
            );
            print(flags, body, () => renderProfile(body.data, flags.color !== false));
          });
          return;
        }
        const l = await load(flags);
        const { body } = profileQuery(l.symbol, type, l.trades, l.params, l.range, flags.omitEmpty === true);
        print(flags, body, () => renderProfile(body.data, flags.color !== false));
      }),
    );

  queryFlags(
    program.command('delta').description('delta analysis: CVD, momentum, pressure, divergences'),
  ).action(
    run(async (flags) => {
      if (fromStore(flags)) {
        await withStoreQuery(flags, async (q) => {
          const { body } = await storeDeltaQuery(q.store, q.target, q.timeframe, q.params, q.range);
          print(flags, body, () => renderDelta(body.data, flags.color !== false));
        });
        return;
      }
      const l = await load(flags);
      const { body } = deltaQuery(l.symbol, l.timeframe, l.trades, l.params, l.range);
      print(flags, body, () => renderDelta(body.data, flags.color !== false));
    }),
  );

  queryFlags(program.command('metrics').description('real-time metrics as of the last trade')).action(
    run(async (flags) => {
      if (fromStore(flags)) {
        await withStoreQuery(flags, async (q) => {
          const { body } = await storeMetricsQuery(q.store, q.target, q.params, q.range);
          print(flags, body, () => renderMetrics(body.data));
        });
        return;
      }
      const l = await load(flags);
      const { body } = metricsQuery(l.symbol, l.trades, l.params, l.range);
      print(flags, body, () => renderMetrics(body.data));
    }),
  );
  registerImport(program, run);
  registerStoreCommands(program, run);
  registerServeCommand(program);
  registerScaleCommands(program);
  registerBacktest(program);
  registerFeatures(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
