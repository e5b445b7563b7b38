// Symbol (market or exchange:SYMBOL instrument), exchange filter, theme and colour-scheme pickers.

import { SCHEMES, type SchemeName, type ThemeName } from '../../lib/colours.ts';

export const DEFAULT_SYMBOLS = ['BTC', 'ETH'] as const;
export const DEFAULT_EXCHANGES = ['binance', 'binance-usdm', 'coinbase'] as const;

export function SymbolPicker(props: {
  readonly value: string;
  readonly onChange: (symbol: string) => void;
  readonly symbols?: readonly string[];
}) {
  const symbols = props.symbols ?? DEFAULT_SYMBOLS;
  return (
    <label className="of-picker">
      Symbol
      <select
        data-testid="symbol-picker"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      >
        {[...new Set([...symbols, props.value])].map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
    </label>
  );
}

/** `undefined` = every exchange of the market. */
export function ExchangePicker(props: {
  readonly value: string | undefined;
  readonly onChange: (exchange: string | undefined) => void;
  readonly exchanges?: readonly string[];
}) {
  const exchanges = props.exchanges ?? DEFAULT_EXCHANGES;
  return (
    <label className="of-picker">
      Exchange
      <select
        data-testid="exchange-picker"
        value={props.value ?? ''}
        onChange={(e) => props.onChange(e.target.value === '' ? undefined : e.target.value)}
      >
        <option value="">All</option>
        {exchanges.map((x) => (
          <option key={x} value={x}>
            {x}
          </option>
        ))}
      </select>
    </label>
  );
}

export function ThemePicker(props: { readonly value: ThemeName; readonly onChange: (t: ThemeName) => void }) {
  return (
    <button
      type="button"
      className="of-theme-toggle"
      data-testid="theme-toggle"
      onClick={() => props.onChange(props.value === 'dark' ? 'light' : 'dark')}
    >
      {props.value === 'dark' ? 'Light theme' : 'Dark theme'}
    </button>
  );
}

export function SchemePicker(props: {
  readonly value: SchemeName;
  readonly onChange: (s: SchemeName) => void;
}) {
  return (
    <label className="of-picker">
      Colours
      <select value={props.value} onChange={(e) => props.onChange(e.target.value as SchemeName)}>
        {Object.values(SCHEMES).map((s) => (
          <option key={s.name} value={s.name}>
            {s.label}
          </option>
        ))}
      </select>
    </label>
  );
}
