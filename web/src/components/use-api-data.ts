// Loads one REST resource for a component: loading / error / data states, abort on change, optional polling.

import { useCallback, useEffect, useRef, useState } from 'react';

export interface ApiState<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  readonly loading: boolean;
  /** Re-fetches now (e.g. after a live update that the model could not merge). */
  readonly reload: () => void;
}

export function useApiData<T>(
  key: string,
  load: (signal: AbortSignal) => Promise<T>,
  pollMs?: number,
): ApiState<T> {
  const [state, setState] = useState<{
    data: T | undefined;
    error: Error | undefined;
    loading: boolean;
    key: string;
  }>({ data: undefined, error: undefined, loading: true, key });
  const [nonce, setNonce] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true, key, ...(s.key === key ? {} : { data: undefined }) }));
    loadRef.current(ctl.signal).then(
      (data) => {
        if (!ctl.signal.aborted) setState({ data, error: undefined, loading: false, key });
      },
      (e: unknown) => {
        if (!ctl.signal.aborted)
          setState((s) => ({
            ...s,
            error: e instanceof Error ? e : new Error(String(e)),
            loading: false,
            key,
          }));
      },
    );
    return () => ctl.abort();
  }, [key, nonce]);
  useEffect(() => {
    if (pollMs === undefined) return;
    const t = setInterval(() => setNonce((n) => n + 1), pollMs);
    return () => clearInterval(t);
  }, [pollMs, key]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
