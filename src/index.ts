// The library API: the pure core, the engines, the response views and the file readers.
export * from './core/units.ts';
export * from './core/errors.ts';
export * from './core/decimal.ts';
export * from './core/time.ts';
export * from './core/trade.ts';
export * from './core/classify.ts';
export * from './core/instrument.ts';
export * from './core/config.ts';
export * from './core/ratio.ts';
export * from './core/params.ts';
export * from './core/markets.ts';
export * from './core/volume-unit.ts';
export * from './engines/bars.ts';
export * from './engines/footprint.ts';
export * from './engines/imbalance.ts';
export * from './engines/footprint-signals.ts';
export * from './engines/profile.ts';
export * from './engines/value-area.ts';
export * from './engines/volume-nodes.ts';
export * from './engines/sessions.ts';
export * from './engines/delta.ts';
export * from './engines/divergence.ts';
export * from './engines/metrics.ts';
export * from './views/envelope.ts';
export * from './views/footprint-view.ts';
export * from './views/profile-view.ts';
export * from './views/delta-view.ts';
export * from './views/metrics-view.ts';
export {
  footprintQuery,
  profileQuery,
  deltaQuery,
  metricsQuery,
  footprintBars,
  type QueryRange,
} from './cli/analysis.ts';
export {
  readTradeFile,
  parseTradeText,
  type TradeFileResult,
  type ReadTradeFileOptions,
} from './sources/files/read-trade-file.ts';
export * from './store/port.ts';
export { MemoryTradeStore } from './store/memory-store.ts';
export { DuckDbTradeStore } from './store/duckdb-store.ts';
export { footprintFromRollups } from './store/rollups.ts';
export * from './sources/source.ts';
export { ReplaySource } from './sources/replay.ts';
export { SimulatorSource } from './sources/simulator.ts';
export * as client from './client/index.ts';
export { OrderflowClient, OrderflowApiError, OrderflowStream } from './client/index.ts';
export { PostgresTradeStore } from './store/postgres-store.ts';
export { ScaleCollector } from './scale/collector-role.ts';
export { ScaleWorker } from './scale/worker-role.ts';
export { startGateway } from './scale/gateway.ts';
export { parseScaleConfig } from './scale/scale-config.ts';
export * from './signals/signal-engine.ts';
export { defineIndicator, type IndicatorDefinition, type IndicatorContext } from './indicators/indicator.ts';
export { defineStrategy, type Strategy } from './backtest/strategy.ts';
export { runBacktest, Backtester } from './backtest/backtester.ts';
export { featureRows, FeatureEngine } from './features/feature-engine.ts';
export { FEATURE_COLUMNS, exportFeatures } from './features/feature-export.ts';
export { venueFlow, cvdLeadLag, SpreadMonitor } from './cross/cross-exchange.ts';
export { LiveCrossFeed } from './cross/live-cross-feed.ts';
