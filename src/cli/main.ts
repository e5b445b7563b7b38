// The `orderflow` command line: footprint | profile | delta | metrics over trade files (the store comes next).

import { Command, Option } from 'commander';
import { OrderflowError } from '../core/errors.ts';
import type { Instrument } from '../core/instrument.ts';
import { resolveParams, type AnalyticsParams } from '../core/params.ts';
import { parseTime } from '../core/time.ts';
import type { Trade } from '../core/trade.ts';
import { cellImbalances } from '../engines/imbalance.ts';
import { readTradeFile } from '../sources/files/read-trade-file.ts';
import { failure } from '../views/envelope.ts';
import { deltaQuery, footprintQuery, metricsQuery, profileQuery, type QueryRange } from './analysis.ts';
import { addQueryFlags, configFromFlags } from './config-flags.ts';
import { renderFootprintGrid } from './render-footprint.ts';
import { paint } from './render-table.ts';
import { renderDelta, renderMetrics, renderProfile } from './render-reports.ts';
import { formatIngestSummary } from './ingest-summary.ts';

type Flags = Record<string, unknown>;

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
    throw new OrderflowError(
      'INVALID_CONFIG',
      'give --file PATH (querying the store with --symbol comes with the store)',
    );
  }
  const cfg = configFromFlags(flags);
  const file = await readTradeFile(flags.file, {
    strict: flags.strict === true,
    ...(typeof flags.tickSize === 'string' ? { tickSize: flags.tickSize } : {}),
    ...(typeof flags.lotSize === 'string' ? { lotSize: flags.lotSize } : {}),
  });
  const summary = formatIngestSummary(file.report);
  if (summary) process.stderr.write(summary + '\n');
  const params = resolveParams(cfg, file.instrument, file.instrument.qty);
  const range: QueryRange = {
    ...(typeof flags.startTime === 'string' ? { from: parseTime(flags.startTime) } : {}),
    ...(typeof flags.endTime === 'string' ? { to: parseTime(flags.endTime) } : {}),
  };
  return {
    trades: file.trades,
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

function run(action: (flags: Flags) => Promise<void>): (flags: Flags) => Promise<void> {
  return async (flags) => {
    try {
      await action(flags);
    } catch (e) {
      const sysCode = (e as { code?: unknown }).code;
      const ioError = sysCode === 'ENOENT' || sysCode === 'EACCES' || sysCode === 'EISDIR';
      const code = e instanceof OrderflowError ? e.code : ioError ? 'FILE_NOT_READABLE' : 'INTERNAL_ERROR';
      const message = e instanceof Error ? e.message : String(e);
      if (flags.json === true) process.stdout.write(JSON.stringify(failure(code, message)) + '\n');
      else
        process.stderr.write(`${paint('red', 'error', process.stderr.isTTY === true)} ${code}: ${message}\n`);
      process.exitCode = e instanceof OrderflowError || ioError ? 2 : 1;
    }
  };
}

export function buildProgram(): Command {
  const program = new Command('orderflow')
    .description('Exact order-flow analytics on crypto tick data')
    .showHelpAfterError();

  addQueryFlags(
    program.command('footprint').description('footprint bars: bid × ask volume per price row'),
  ).action(
    run(async (flags) => {
      const l = await load(flags);
      const { bars, body } = footprintQuery(l.symbol, l.timeframe, l.trades, l.params, l.range);
      print(flags, body, () => {
        const imb = new Map(bars.map((b) => [b.start, cellImbalances(b, l.params.imbalance)]));
        return renderFootprintGrid(bars, {
          scale: l.params.scale,
          rowTicks: l.params.rowTicks,
          color: flags.color !== false,
          maxWidth: process.stdout.columns ?? 160,
          imbalance: (b, row) => {
            const f = imb.get(b.start)?.find((x) => x.row === row);
            if (!f) return undefined;
            return f.buyImbalance ? (f.sellImbalance ? 'both' : 'buy') : f.sellImbalance ? 'sell' : undefined;
          },
        });
      });
    }),
  );

  addQueryFlags(
    program.command('profile').description('volume profile: POC, value area, HVN/LVN, inefficiencies'),
  )
    .addOption(new Option('--type <type>', 'VPVR | VPSV').choices(['VPVR', 'VPSV']).default('VPVR'))
    .option('--omit-empty', 'leave zero-volume rows out of price_levels')
    .action(
      run(async (flags) => {
        const l = await load(flags);
        const type = flags.type === 'VPSV' ? 'VPSV' : 'VPVR';
        const { body } = profileQuery(l.symbol, type, l.trades, l.params, l.range, flags.omitEmpty === true);
        print(flags, body, () => renderProfile(body.data, flags.color !== false));
      }),
    );

  addQueryFlags(
    program.command('delta').description('delta analysis: CVD, momentum, pressure, divergences'),
  ).action(
    run(async (flags) => {
      const l = await load(flags);
      const { body } = deltaQuery(l.symbol, l.timeframe, l.trades, l.params, l.range);
      print(flags, body, () => renderDelta(body.data, flags.color !== false));
    }),
  );

  addQueryFlags(program.command('metrics').description('real-time metrics as of the last trade')).action(
    run(async (flags) => {
      const l = await load(flags);
      const { body } = metricsQuery(l.symbol, l.trades, l.params, l.range);
      print(flags, body, () => renderMetrics(body.data));
    }),
  );
  return program;
}

await buildProgram().parseAsync(process.argv);
