// `orderflow import`: trade files (Binance dumps, recorded streams, or any CSV with --columns), the Binance
// daily-dump downloader and Coinbase REST into the store, with progress on stderr and a summary on stdout.

import { Command, Option } from 'commander';
import { OrderflowError } from '../core/errors.ts';
import { parseTime } from '../core/time.ts';
import {
  BINANCE_DUMP_KINDS,
  BINANCE_MARKETS,
  type BinanceDumpKind,
  type BinanceMarket,
} from '../importers/binance-dumps.ts';
import { downloadBinanceDumps } from '../importers/binance-download.ts';
import { importCoinbaseTrades } from '../importers/coinbase-rest.ts';
import {
  importGenericCsv,
  parseColumnMapping,
  type CsvTimeUnit,
  type SideSemantics,
} from '../importers/generic-csv.ts';
import { importTradeFile } from '../importers/import-job.ts';
import { importCoinbaseCapture, isCoinbaseCapture } from '../importers/capture-files.ts';
import { openTradeFile } from '../importers/file-stream.ts';
import type { MalformedRow } from '../sources/files/ingest-report.ts';
import { formatTime } from '../core/time.ts';
import { join } from 'node:path';
import { progressModeOf, progressOutput } from './progress-bar.ts';
import { addCommonFlags, dataDirOf, withStore, type Flags } from './store-flags.ts';
import { success } from '../views/envelope.ts';

type Runner = (action: (flags: Flags, args: string[]) => Promise<void>) => (...a: unknown[]) => Promise<void>;

const MAX_SHOWN = 5;

function malformedLines(file: string, rows: readonly MalformedRow[], total: number): string[] {
  const out = rows.slice(0, MAX_SHOWN).map((m) => `  ${file}:${m.line}: ${m.reason}`);
  if (total > MAX_SHOWN) out.push(`  … ${total - MAX_SHOWN} more malformed rows`);
  return out;
}

interface Summary {
  readonly file: string;
  readonly instrument: string;
  readonly parsed: number;
  readonly inserted: number;
  readonly duplicates: number;
  readonly malformed: number;
  readonly examples: readonly MalformedRow[];
  readonly extra?: Record<string, unknown>;
}

function report(flags: Flags, summaries: readonly Summary[], extra: Record<string, unknown> = {}): void {
  const totals = {
    trades: summaries.reduce((s, x) => s + x.parsed, 0),
    inserted: summaries.reduce((s, x) => s + x.inserted, 0),
    duplicates: summaries.reduce((s, x) => s + x.duplicates, 0),
    malformed: summaries.reduce((s, x) => s + x.malformed, 0),
  };
  if (flags.json === true) {
    const files = summaries.map((s) => ({
      file: s.file,
      instrument: s.instrument,
      trades: s.parsed,
      inserted: s.inserted,
      duplicates: s.duplicates,
      malformed: s.malformed,
      malformed_rows: s.examples.map((m) => ({
        line: m.line,
        field: m.field,
        value: m.value,
        reason: m.reason,
      })),
      ...s.extra,
    }));
    process.stdout.write(
      JSON.stringify(success({ data_dir: dataDirOf(flags), files, ...totals, ...extra })) + '\n',
    );
    return;
  }
  const lines: string[] = [];
  for (const s of summaries) {
    lines.push(
      `${s.file}: ${s.instrument}, ${s.parsed} trades, ${s.inserted} new, ${s.duplicates} already stored` +
        (s.malformed > 0 ? `, ${s.malformed} malformed rows` : ''),
    );
    lines.push(...malformedLines(s.file, s.examples, s.malformed));
  }
  lines.push(
    `total: ${totals.trades} trades, ${totals.inserted} new, ${totals.duplicates} already stored, ${totals.malformed} malformed`,
  );
  for (const [k, v] of Object.entries(extra))
    lines.push(`${k}: ${Array.isArray(v) ? v.join(', ') || '-' : String(v)}`);
  process.stdout.write(lines.join('\n') + '\n');
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function retryOptions(flags: Flags): { retries?: number } {
  const r = str(flags.retries);
  if (r === undefined) return {};
  if (!/^\d+$/.test(r)) throw new OrderflowError('INVALID_CONFIG', `--retries ${r} is not a count`);
  return { retries: Number(r) };
}

async function importFiles(flags: Flags, paths: string[]): Promise<void> {
  if (paths.length === 0)
    throw new OrderflowError(
      'INVALID_CONFIG',
      'give the files to import (or: import binance | import coinbase)',
    );
  const progress = progressOutput(progressModeOf(flags.progress));
  const columns = str(flags.columns);
  const bb = str(flags.batchBytes);
  if (bb !== undefined && !/^\d+$/.test(bb))
    throw new OrderflowError('INVALID_CONFIG', `--batch-bytes ${bb} is not a size`);
  const batch = bb === undefined ? {} : { batchBytes: Number(bb) };
  try {
    await withStore(flags, async (store) => {
      const summaries: Summary[] = [];
      for (const path of paths) {
        if (columns !== undefined) {
          const exchange = str(flags.exchange);
          const symbol = str(flags.symbol);
          if (exchange === undefined || symbol === undefined) {
            throw new OrderflowError('INVALID_CONFIG', '--columns needs --exchange and --symbol');
          }
          const r = await importGenericCsv(store, path, {
            exchange,
            symbol,
            columns: parseColumnMapping(columns),
            ...(str(flags.sideSemantics) === undefined
              ? {}
              : { sideSemantics: str(flags.sideSemantics) as SideSemantics }),
            ...(str(flags.timeUnit) === undefined ? {} : { timeUnit: str(flags.timeUnit) as CsvTimeUnit }),
            ...(str(flags.delimiter) === undefined ? {} : { delimiter: str(flags.delimiter)! }),
            ...(str(flags.tickSize) === undefined ? {} : { tickSize: str(flags.tickSize)! }),
            ...(str(flags.lotSize) === undefined ? {} : { lotSize: str(flags.lotSize)! }),
            strict: flags.strict === true,
            ...batch,
            ...(progress.listener === undefined ? {} : { onProgress: progress.listener }),
          });
          progress.done();
          summaries.push({
            file: path,
            instrument: `${r.exchange}:${r.symbol}`,
            parsed: r.tradesParsed,
            inserted: r.inserted,
            duplicates: r.duplicates,
            malformed: r.malformed,
            examples: r.malformedExamples,
          });
          continue;
        }
        if (isCoinbaseCapture(await firstLine(path))) {
          const c = await importCoinbaseCapture(store, path, {
            ...batch,
            ...(progress.listener === undefined ? {} : { onProgress: progress.listener }),
          });
          progress.done();
          summaries.push({
            file: path,
            instrument: c.instruments.join(', '),
            parsed: c.trades,
            inserted: c.inserted,
            duplicates: c.duplicates,
            malformed: c.bad,
            examples: c.badExamples.map((b) => ({
              line: b.line,
              field: 'frame',
              value: '',
              reason: b.reason,
            })),
            extra: { format: 'coinbase-capture', frames: c.frames },
          });
          continue;
        }
        const r = await importTradeFile(store, path, {
          ...(str(flags.exchange) === undefined ? {} : { exchange: str(flags.exchange)! }),
          ...(str(flags.symbol) === undefined ? {} : { symbol: str(flags.symbol)! }),
          ...(str(flags.tickSize) === undefined ? {} : { tickSize: str(flags.tickSize)! }),
          ...(str(flags.lotSize) === undefined ? {} : { lotSize: str(flags.lotSize)! }),
          strict: flags.strict === true,
          verifyChecksum: flags.checksum !== false,
          ...batch,
          ...(progress.listener === undefined ? {} : { onProgress: progress.listener }),
        });
        progress.done();
        summaries.push({
          file: path,
          instrument: `${r.exchange}:${r.symbol}`,
          parsed: r.tradesParsed,
          inserted: r.inserted,
          duplicates: r.duplicates,
          malformed: r.malformed,
          examples: r.malformedExamples,
          extra: {
            format: r.format,
            checksum: r.checksum,
            tick: r.scale.tick,
            lot: r.scale.lot,
            ...(r.firstTs === undefined ? {} : { first_time: formatTime(r.firstTs) }),
            ...(r.lastTs === undefined ? {} : { last_time: formatTime(r.lastTs) }),
            ...(r.firstId === undefined ? {} : { first_id: r.firstId, last_id: r.lastId }),
          },
        });
      }
      report(flags, summaries);
    });
  } finally {
    progress.done();
  }
}

async function firstLine(path: string): Promise<string> {
  const f = await openTradeFile(path);
  for await (const b of f.batches(64 * 1024)) return b.text.slice(0, b.text.indexOf('\n') >>> 0);
  return '';
}

function addImportFlags(cmd: Command): Command {
  return addCommonFlags(cmd).addOption(
    new Option('--progress [mode]', 'progress on stderr: bar (default on a terminal), json lines, or off'),
  );
}

export function registerImport(program: Command, run: Runner): void {
  const cmd = addImportFlags(
    program
      .command('import')
      .description('import trade files into the store; or: import binance | import coinbase')
      .argument('[paths...]', 'Binance dump CSV/zip, recorded trade stream, or any CSV with --columns'),
  )
    .option('--exchange <id>', 'exchange id (inferred from official Binance file names)')
    .option('--symbol <symbol>', "the exchange's symbol (inferred from official Binance file names)")
    .option('--strict', 'validate the whole file first; any malformed row aborts without writing anything')
    .option('--tick-size <p>', "the instrument's price increment (else known or inferred)")
    .option('--lot-size <q>', "the instrument's quantity increment (else known or inferred)")
    .option('--no-checksum', 'do not verify FILE.CHECKSUM even when it exists')
    .option('--columns <map>', 'generic CSV: id=0,price=1,qty=2,time=4,side=5 (0-based)')
    .addOption(
      new Option('--side-semantics <s>', 'generic CSV side column').choices([
        'buyer-maker',
        'taker',
        'maker',
      ]),
    )
    .addOption(new Option('--time-unit <u>', 'generic CSV time column').choices(['ms', 'us', 's', 'iso']))
    .option('--delimiter <c>', 'generic CSV delimiter (default ,)')
    .option('--batch-bytes <n>', 'text parsed and stored per transaction (default 16777216)')
    .action(run((flags, args) => importFiles(flags, args)));

  addImportFlags(
    cmd.command('binance').description('download Binance daily dumps (data.binance.vision) and import them'),
  )
    .requiredOption('--symbol <symbol>', 'e.g. BTCUSDT')
    .addOption(
      new Option('--market <m>', 'spot | usdm | coinm').choices([...BINANCE_MARKETS]).default('spot'),
    )
    .addOption(
      new Option('--kind <k>', 'trades | aggTrades').choices([...BINANCE_DUMP_KINDS]).default('trades'),
    )
    .requiredOption('--from <date>', 'first day (YYYY-MM-DD)')
    .requiredOption('--to <date>', 'last day, inclusive (YYYY-MM-DD)')
    .option('--base-url <url>', 'mirror of data.binance.vision')
    .option('--download-dir <dir>', 'where the zips are kept (default DATA_DIR/downloads/binance)')
    .option('--remove-zips', 'delete each zip once imported')
    .option('--retries <n>', 'retries per request (default 4)')
    .option('--strict', 'validate each file first; a malformed row aborts')
    .action(
      run(async (flags) => {
        const progress = progressOutput(progressModeOf(flags.progress));
        try {
          await withStore(flags, async (store) => {
            const r = await downloadBinanceDumps(store, {
              symbol: str(flags.symbol)!,
              market: str(flags.market) as BinanceMarket,
              kind: str(flags.kind) as BinanceDumpKind,
              from: str(flags.from)!,
              to: str(flags.to)!,
              downloadDir: str(flags.downloadDir) ?? join(dataDirOf(flags), 'downloads', 'binance'),
              ...(str(flags.baseUrl) === undefined ? {} : { baseUrl: str(flags.baseUrl)! }),
              ...retryOptions(flags),
              removeAfterImport: flags.removeZips === true,
              strict: flags.strict === true,
              ...(progress.listener === undefined ? {} : { onProgress: progress.listener }),
            });
            progress.done();
            report(
              flags,
              r.imported.map((x) => ({
                file: x.file,
                instrument: `${x.exchange}:${x.symbol}`,
                parsed: x.tradesParsed,
                inserted: x.inserted,
                duplicates: x.duplicates,
                malformed: x.malformed,
                examples: x.malformedExamples,
                extra: { checksum: x.checksum },
              })),
              { missing_days: r.missing, reused_days: r.reused },
            );
          });
        } finally {
          progress.done();
        }
      }),
    );

  addImportFlags(
    cmd.command('coinbase').description('import Coinbase Exchange trades through its REST pagination'),
  )
    .requiredOption('--product <id>', 'e.g. BTC-USD')
    .requiredOption('--from <rfc3339>', 'range start (inclusive)')
    .option('--to <rfc3339>', 'range end (exclusive; default now)')
    .option('--base-url <url>', 'REST base (default https://api.exchange.coinbase.com)')
    .option('--tick-size <p>', 'quote_increment when the product is not known')
    .option('--lot-size <q>', 'base_increment when the product is not known')
    .option('--retries <n>', 'retries per request (default 4)')
    .action(
      run(async (flags) => {
        const progress = progressOutput(progressModeOf(flags.progress));
        try {
          await withStore(flags, async (store) => {
            const to = str(flags.to);
            const r = await importCoinbaseTrades(store, {
              product: str(flags.product)!,
              from: parseTime(str(flags.from)!),
              // the CLI may read the clock: "until now" is the natural open end of a download
              to: to === undefined ? Date.now() * 1000 + 1 : parseTime(to),
              ...(str(flags.baseUrl) === undefined ? {} : { baseUrl: str(flags.baseUrl)! }),
              ...(str(flags.tickSize) === undefined ? {} : { tickSize: str(flags.tickSize)! }),
              ...(str(flags.lotSize) === undefined ? {} : { lotSize: str(flags.lotSize)! }),
              ...retryOptions(flags),
              ...(progress.listener === undefined ? {} : { onProgress: progress.listener }),
            });
            progress.done();
            report(flags, [
              {
                file: `coinbase REST ${r.symbol}`,
                instrument: `coinbase:${r.symbol}`,
                parsed: r.trades,
                inserted: r.inserted,
                duplicates: r.duplicates,
                malformed: r.malformed,
                examples: [],
                extra: { pages: r.pages },
              },
            ]);
          });
        } finally {
          progress.done();
        }
      }),
    );
}
