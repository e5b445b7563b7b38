// The terminal page: pickers and theme on top, footprint beside the volume profile, delta pane below, metrics
// and alerts on the side, connection status at the bottom. Initial settings can come from the URL.

import { useEffect, useState } from 'react';
import type { Aggregation } from './api/types.ts';
import { OrderflowProvider } from './components/context.tsx';
import { AlertsList } from './components/OrderFlow/AlertsList.tsx';
import { DeltaPane } from './components/OrderFlow/DeltaPane.tsx';
import { FootprintChart } from './components/OrderFlow/FootprintChart.tsx';
import { IndicatorsPanel } from './components/OrderFlow/IndicatorsPanel.tsx';
import { MetricsPanel } from './components/OrderFlow/MetricsPanel.tsx';
import { ExchangePicker, SchemePicker, SymbolPicker, ThemePicker } from './components/OrderFlow/Pickers.tsx';
import { StatusBar } from './components/OrderFlow/StatusBar.tsx';
import { VolumeProfile } from './components/OrderFlow/VolumeProfile.tsx';
import type { SchemeName, ThemeName } from './lib/colours.ts';

export interface AppSettings {
  readonly symbol: string;
  readonly timeframe: string;
  readonly aggregation: Aggregation;
  /** Footprint row size in ticks (`ticks_per_row`) or in price (`row_size`); neither = the market's default. */
  readonly ticksPerRow: number | undefined;
  readonly rowSize: string | undefined;
  readonly theme: ThemeName;
  readonly scheme: SchemeName;
  readonly barSpacing: number | undefined;
  readonly footprintHeight: number;
  readonly compact: boolean;
}

export function settingsFromUrl(search: string): AppSettings {
  const q = new URLSearchParams(search);
  const num = (k: string): number | undefined => {
    const v = Number(q.get(k));
    return q.has(k) && Number.isFinite(v) && v > 0 ? v : undefined;
  };
  const agg = q.get('aggregation');
  return {
    symbol: q.get('symbol') ?? 'BTC',
    timeframe: q.get('timeframe') ?? '1m',
    aggregation: agg === 'VOLUME' || agg === 'TICK_COUNT' ? agg : 'TIME',
    ticksPerRow: num('ticks_per_row'),
    rowSize: q.get('row_size') ?? undefined,
    theme: q.get('theme') === 'light' ? 'light' : 'dark',
    scheme: q.get('scheme') === 'colorblind' ? 'colorblind' : q.get('scheme') === 'mono' ? 'mono' : 'classic',
    barSpacing: num('bar_spacing'),
    footprintHeight: num('height') ?? 560,
    compact: q.get('compact') === '1',
  };
}

export function App({ initial }: { readonly initial: AppSettings }) {
  const [symbol, setSymbol] = useState(initial.symbol);
  const [exchange, setExchange] = useState<string | undefined>(undefined);
  const [theme, setTheme] = useState<ThemeName>(initial.theme);
  const [scheme, setScheme] = useState<SchemeName>(initial.scheme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  return (
    <OrderflowProvider theme={theme} scheme={scheme} exchange={exchange}>
      <div className={`of-root of-theme-${theme} of-terminal${initial.compact ? ' of-compact' : ''}`}>
        <header className="of-header">
          <span className="of-brand">orderflow</span>
          <SymbolPicker value={symbol} onChange={setSymbol} />
          <ExchangePicker value={exchange} onChange={setExchange} />
          <SchemePicker value={scheme} onChange={setScheme} />
          <ThemePicker value={theme} onChange={setTheme} />
        </header>
        <main className="of-grid">
          <FootprintChart
            key={symbol}
            chartId="main"
            symbol={symbol}
            timeframe={initial.timeframe}
            aggregation={initial.aggregation}
            {...(initial.ticksPerRow === undefined ? {} : { ticksPerRow: initial.ticksPerRow })}
            {...(initial.rowSize === undefined ? {} : { rowSize: initial.rowSize })}
            scheme={scheme}
            height={initial.footprintHeight}
            {...(initial.barSpacing === undefined ? {} : { barSpacing: initial.barSpacing })}
            className="of-area-footprint"
          />
          {!initial.compact && (
            <>
              <VolumeProfile
                symbol={symbol}
                profileType="VPVR"
                ticksPerRow={initial.ticksPerRow ?? 1}
                className="of-area-profile"
                height={initial.footprintHeight}
              />
              <DeltaPane symbol={symbol} timeframe={initial.timeframe} className="of-area-delta" />
              <div className="of-area-side">
                <MetricsPanel symbol={symbol} />
                <IndicatorsPanel symbol={symbol} timeframe={initial.timeframe} />
                <AlertsList symbol={symbol} timeframe={initial.timeframe} />
              </div>
            </>
          )}
        </main>
        <StatusBar className="of-area-status" />
      </div>
    </OrderflowProvider>
  );
}
