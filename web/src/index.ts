// Library entry: the order-flow components, their provider and the pure drawing/layout helpers, for users'
// own React apps (see docs/ui.md). Import 'web/src/styles.css' once for the default look.

export { OrderflowProvider, useOrderflow, type OrderflowProviderProps } from './components/context.tsx';
export {
  FootprintChart,
  type FootprintChartProps,
  TIMEFRAMES,
  DISPLAY_MODES,
} from './components/OrderFlow/FootprintChart.tsx';
export { VolumeProfile, type VolumeProfileProps } from './components/OrderFlow/VolumeProfile.tsx';
export { DeltaPane, type DeltaPaneProps } from './components/OrderFlow/DeltaPane.tsx';
export { MetricsPanel } from './components/OrderFlow/MetricsPanel.tsx';
export { AlertsList, alertOf, signalAlert, type Alert } from './components/OrderFlow/AlertsList.tsx';
export { IndicatorsPanel } from './components/OrderFlow/IndicatorsPanel.tsx';
export { latestIndicators, type LatestIndicators } from './lib/latest-indicators.ts';
export { signalKey, evidenceSummary, mergeNewestFirst } from './lib/signal-alerts.ts';
export { StatusBar } from './components/OrderFlow/StatusBar.tsx';
export { SymbolPicker, ExchangePicker, ThemePicker, SchemePicker } from './components/OrderFlow/Pickers.tsx';
export { App, settingsFromUrl, type AppSettings } from './App.tsx';
export { OrderflowApi, ApiError, queryString } from './api/client.ts';
export { OrderflowStream, defaultStreamUrl, type Subscription, type StreamStats } from './api/stream.ts';
export type * from './api/types.ts';
export {
  THEMES,
  SCHEMES,
  cellStyle,
  type Theme,
  type Scheme,
  type ThemeName,
  type SchemeName,
  type DisplayMode,
} from './lib/colours.ts';
export { buildModel, mergeUpdate, type FootprintModel } from './lib/footprint-model.ts';
export {
  drawFootprint,
  describeFrame,
  chartLayout,
  hitTest,
  type Ctx2D,
  type FrameDescription,
} from './lib/footprint-draw.ts';
export * as viewport from './lib/viewport.ts';
