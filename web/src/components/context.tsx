// The shared context of the order-flow components: REST client, WebSocket stream, theme, colour scheme and
// exchange filter. Components work without a provider (same-origin service, dark theme).

import { createContext, useContext, useEffect, useMemo, type ReactNode } from 'react';
import { OrderflowApi } from '../api/client.ts';
import { defaultStreamUrl, OrderflowStream } from '../api/stream.ts';
import { SCHEMES, THEMES, type Scheme, type SchemeName, type Theme, type ThemeName } from '../lib/colours.ts';

export interface OrderflowContextValue {
  readonly api: OrderflowApi;
  readonly stream: OrderflowStream;
  readonly theme: Theme;
  readonly scheme: Scheme;
  /** Exchange filter passed to every query; undefined = all exchanges of the market. */
  readonly exchange: string | undefined;
}

const Ctx = createContext<OrderflowContextValue | null>(null);

let fallback: OrderflowContextValue | null = null;
function defaultContext(): OrderflowContextValue {
  fallback ??= {
    api: new OrderflowApi(''),
    stream: new OrderflowStream(defaultStreamUrl(window.location)),
    theme: THEMES.dark,
    scheme: SCHEMES.classic,
    exchange: undefined,
  };
  return fallback;
}

export function useOrderflow(): OrderflowContextValue {
  return useContext(Ctx) ?? defaultContext();
}

export interface OrderflowProviderProps {
  /** Service origin, e.g. "http://localhost:8090"; '' (default) = the page's origin. */
  readonly baseUrl?: string;
  /** WebSocket URL; default derived from baseUrl or the page's origin. */
  readonly wsUrl?: string;
  readonly theme?: ThemeName;
  readonly scheme?: SchemeName;
  readonly exchange?: string | undefined;
  readonly children?: ReactNode;
}

export function OrderflowProvider(props: OrderflowProviderProps) {
  const { baseUrl = '', wsUrl, theme = 'dark', scheme = 'classic', exchange, children } = props;
  const api = useMemo(() => new OrderflowApi(baseUrl), [baseUrl]);
  const url =
    wsUrl ?? (baseUrl === '' ? defaultStreamUrl(window.location) : defaultStreamUrl(new URL(baseUrl)));
  const stream = useMemo(() => new OrderflowStream(url), [url]);
  useEffect(() => () => stream.close(), [stream]);
  const value = useMemo(
    () => ({ api, stream, theme: THEMES[theme], scheme: SCHEMES[scheme], exchange }),
    [api, stream, theme, scheme, exchange],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}
