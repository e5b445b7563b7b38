// A small REST client for the UI: the four spec endpoints, signals, indicators and health, unwrapping the success envelope and
// turning `{success:false,error}` bodies and network failures into ApiError with the service's code.

import type {
  ApiFailure,
  ApiSuccess,
  DeltaData,
  FootprintData,
  FootprintQuery,
  IndicatorsData,
  MetricsData,
  ProfileData,
  ProfileType,
  SignalsData,
} from './types.ts';

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

type Params = Readonly<Record<string, string | number | undefined>>;

/** Query string of the defined parameters, in a stable order so equal queries give equal URLs. */
export function queryString(params: Params): string {
  const parts = Object.entries(params)
    .filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

export class OrderflowApi {
  /** `baseUrl` is the service origin ('' = the page's own origin, as when the service serves the UI). */
  constructor(
    readonly baseUrl = '',
    private readonly fetchFn: typeof fetch = (...a) => fetch(...a),
  ) {}

  private async get<T>(path: string, params: Params, signal?: AbortSignal): Promise<T> {
    const url = `${this.baseUrl}${path}${queryString(params)}`;
    let res: Response;
    try {
      res = await this.fetchFn(url, signal ? { signal } : {});
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e;
      throw new ApiError('NETWORK', `cannot reach the service at ${url}`, 0, { cause: e });
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch (e) {
      throw new ApiError('BAD_RESPONSE', `${url} answered ${res.status} without JSON`, res.status, {
        cause: e,
      });
    }
    const b = body as Partial<ApiSuccess<T>> & Partial<ApiFailure>;
    if (b.success === true && b.data !== undefined) return b.data;
    const err = b.error;
    throw new ApiError(
      err?.code ?? `HTTP_${res.status}`,
      err?.message ?? `${url} answered ${res.status}`,
      res.status,
    );
  }

  footprint(symbol: string, q: FootprintQuery, signal?: AbortSignal): Promise<FootprintData> {
    return this.get(`/api/v1/orderflow/footprint/${encodeURIComponent(symbol)}`, { ...q }, signal);
  }

  volumeProfile(
    symbol: string,
    q: {
      type: ProfileType;
      start_time?: string;
      end_time?: string;
      ticks_per_row?: number;
      exchange?: string;
    },
    signal?: AbortSignal,
  ): Promise<ProfileData> {
    return this.get(
      `/api/v1/orderflow/volume-profile/${encodeURIComponent(symbol)}`,
      { ...q, omit_empty: 'true' },
      signal,
    );
  }

  delta(symbol: string, q: FootprintQuery, signal?: AbortSignal): Promise<DeltaData> {
    return this.get(`/api/v1/orderflow/delta/${encodeURIComponent(symbol)}`, { ...q }, signal);
  }

  metrics(symbol: string, q: { exchange?: string } = {}, signal?: AbortSignal): Promise<MetricsData> {
    return this.get(`/api/v1/orderflow/metrics/${encodeURIComponent(symbol)}`, q, signal);
  }

  signals(symbol: string, q: { timeframe?: string }, signal?: AbortSignal): Promise<SignalsData> {
    return this.get(`/api/v1/orderflow/signals/${encodeURIComponent(symbol)}`, { ...q }, signal);
  }

  indicators(symbol: string, q: { timeframe?: string }, signal?: AbortSignal): Promise<IndicatorsData> {
    return this.get(`/api/v1/orderflow/indicators/${encodeURIComponent(symbol)}`, { ...q }, signal);
  }

  /** `/health` is not enveloped; any JSON object is returned as is, for the status bar. */
  async health(signal?: AbortSignal): Promise<Record<string, unknown>> {
    const res = await this.fetchFn(`${this.baseUrl}/health`, signal ? { signal } : {});
    const body = (await res.json()) as unknown;
    return body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  }
}
