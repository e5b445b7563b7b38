// `orderflow backtest STRATEGY`: replays stored history (--symbol, --from, --to) or a trade file (--file) through the
// engines and a strategy module, with fees, slippage and latency; prints the summary (or --json the report) and
// writes the equity-curve report as a self-contained HTML file (--out).

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { runBacktest, type BacktestOptions } from '../backtest/backtester.ts';
import { backtestHtml } from '../backtest/report-html.ts';
import type { Strategy, StrategyFactory } from '../backtest/strategy.ts';
import { OrderflowError } from '../core/errors.ts';
import { resolveParams, type AnalyticsParams } from '../core/params.ts';
import { formatTime } from '../core/time.ts';
import type { Trade } from '../core/trade.ts';
import { loadIndicators } from '../indicators/indicator-config.ts';
import { readTargetTrades } from '../query/targets.ts';
import { readTradeFile } from '../sources/files/read-trade-file.ts';
import { failure } from '../views/envelope.ts';
import { addQueryFlags, configFromFlags } from './config-flags.ts';
import {
  addDataDirFlag,
  addRangeFlags,
  rangeOf,
  storeQueryOf,
  withStore,
  type Flags,
} from './store-flags.ts';

/** Trades of --file or --symbol (store) for the range, with the params of their grid. */
export async function withTradeInput<T>(
  flags: Flags,
  fn: (
    trades: Iterable<Trade> | AsyncIterable<readonly Trade[]>,
    params: AnalyticsParams,
    symbol: string,
  ) => Promise<T>,
): Promise<T> {
  const cfg = configFromFlags(flags);
  const range = rangeOf(flags);
  const from = range.from ?? 0;
  const to = range.to ?? Number.MAX_SAFE_INTEGER;
  if (typeof flags.file === 'string') {
    if (typeof flags.symbol === 'string')
      throw new OrderflowError('INVALID_CONFIG', 'give --file PATH or --symbol S, not both');
    const file = await readTradeFile(flags.file, {
      ...(typeof flags.tickSize === 'string' ? { tickSize: flags.tickSize } : {}),
      ...(typeof flags.lotSize === 'string' ? { lotSize: flags.lotSize } : {}),
    });
    const params = resolveParams(cfg, file.instrument, file.instrument.qty);
    const trades = file.trades.filter((t) => t.ts >= from && t.ts < to);
    return fn(trades, params, `${file.instrument.exchange}:${file.instrument.symbol}`);
  }
  return withStore(flags, async (store) => {
    const q = await storeQueryOf(store, flags, cfg);
    const only = q.target.members.length === 1 ? q.target.members[0]! : undefined;
    const trades =
      only !== undefined
        ? store.iterateTrades(only.instrument.exchange, only.instrument.symbol, from, to)
        : await readTargetTrades(store, q.target, from, to);
    return fn(trades, q.params, q.target.label);
  });
}

/** Wraps an action: errors become the JSON error body (--json) or one stderr line; exit 2 for bad input. */
export function runAction(
  action: (flags: Flags, args: string[]) => Promise<void>,
): (...a: unknown[]) => Promise<void> {
  return async (...a) => {
    const flags = (a[a.length - 2] ?? {}) as Flags;
    const args = a.slice(0, -2).filter((x): x is string => typeof x === 'string');
    try {
      await action(flags, args);
    } catch (e) {
      const known = e instanceof OrderflowError || (typeof e === 'object' && e !== null && 'code' in e);
      const code = known ? String((e as { code: unknown }).code) : 'INTERNAL_ERROR';
      const message = e instanceof Error ? e.message : String(e);
      if (flags.json === true) process.stdout.write(JSON.stringify(failure(code, message)) + '\n');
      else process.stderr.write(`error ${code}: ${message}\n`);
      process.exitCode = known ? 2 : 1;
    }
  };
}

/** key=value options for the strategy; numbers and booleans are parsed. */
function strategyOptions(pairs: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of Array.isArray(pairs) ? (pairs as string[]) : []) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new OrderflowError('INVALID_CONFIG', `--option ${p}: expected key=value`);
    const v = p.slice(eq + 1);
    out[p.slice(0, eq)] = /^-?\d+(\.\d+)?$/.test(v)
      ? Number(v)
      : v === 'true'
        ? true
        : v === 'false'
          ? false
          : v;
  }
  return out;
}

/** Loads a strategy module: its default export is a StrategyFactory (or a Strategy object). */
export async function loadStrategy(path: string, options: Record<string, unknown>): Promise<Strategy> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (e) {
    throw new OrderflowError('INVALID_CONFIG', `strategy module ${path} could not be loaded: ${String(e)}`);
  }
  const d = mod.default;
  if (typeof d === 'function') return (d as StrategyFactory)(options);
  if (typeof d === 'object' && d !== null && 'onBar' in d && 'name' in d) return d as Strategy;
  throw new OrderflowError(
    'INVALID_CONFIG',
    `strategy module ${path} must export default defineStrategy(...)`,
  );
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function registerBacktest(program: Command): Command {
  const cmd = program
    .command('backtest <strategy>')
    .description(
      'replay history through the engines and a strategy module; fees, slippage, latency; HTML report',
    );
  addRangeFlags(addDataDirFlag(addQueryFlags(cmd)))
    .option('--taker-bps <bps>', 'fee of market-order fills, basis points', '0')
    .option('--maker-bps <bps>', 'fee of limit-order fills, basis points', '0')
    .option('--slippage-ticks <n>', 'market-order slippage in ticks', '0')
    .option('--slippage-bps <bps>', 'market-order slippage in bps of price (rounded up to ticks)', '0')
    .option('--latency-ms <ms>', 'delay between decision and order activation, ms (µs precision)', '0')
    .option('--limit-fill <mode>', 'through | touch', 'through')
    .option('--capital <quote>', 'initial capital for returns and drawdown %', '10000')
    .option('--option <key=value>', 'strategy option (repeatable)', collect)
    .option('--indicator <module>', 'custom indicator module (repeatable)', collect)
    .option('--out <file.html>', 'write the HTML report (equity curve, drawdown, round trips)')
    .action(
      runAction(async (flags, [strategyPath]) => {
        const strategy = await loadStrategy(strategyPath!, strategyOptions(flags.option));
        const indicators = await loadIndicators(
          (Array.isArray(flags.indicator) ? (flags.indicator as string[]) : []).map((m) => ({ module: m })),
          process.cwd(),
        );
        const latencyUs = Math.round(Number(flags.latencyMs) * 1000);
        const opts: BacktestOptions = {
          takerBps: String(flags.takerBps),
          makerBps: String(flags.makerBps),
          slippageTicks: Number(flags.slippageTicks),
          slippageBps: String(flags.slippageBps),
          latencyUs,
          limitFill: flags.limitFill === 'touch' ? 'touch' : 'through',
          initialCapital: Number(flags.capital),
          indicators,
        };
        await withTradeInput(flags, async (trades, params, symbol) => {
          const result = await runBacktest(trades, params, strategy, opts);
          if (typeof flags.out === 'string')
            writeFileSync(flags.out, backtestHtml(result, { symbol, params }));
          if (flags.json === true) {
            process.stdout.write(JSON.stringify({ success: true, data: { symbol, ...result } }) + '\n');
            return;
          }
          const s = result.stats;
          const lines = [
            `backtest ${result.strategy} on ${symbol}` +
              (result.from === null ? '' : ` ${formatTime(result.from)} → ${formatTime(result.to!)}`),
            `trades ${s.trades}  bars ${s.bars}  signals ${s.signals}  fills ${s.fills}  round trips ${s.roundTrips}`,
            `net PnL ${s.netPnl.toFixed(4)}  fees ${s.fees.toFixed(4)}  return ${s.totalReturnPct.toFixed(3)} %`,
            `max drawdown ${s.maxDrawdown.toFixed(4)} (${s.maxDrawdownPct.toFixed(3)} %)  sharpe-like ${s.sharpeLike?.toFixed(2) ?? '–'}` +
              `  win rate ${s.winRatePct?.toFixed(1) ?? '–'} %`,
          ];
          if (typeof flags.out === 'string') lines.push(`report: ${flags.out}`);
          process.stdout.write(lines.join('\n') + '\n');
        });
      }),
    );
  return cmd;
}
