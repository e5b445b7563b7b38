// The API's error catalogue: every error a client can get has a stable code and HTTP status (fastify's FST_ERR_*
// style), and every boundary turns core/store errors into one of these.

import { OrderflowError } from '../core/errors.ts';
import { StoreError } from '../store/port.ts';

export const API_ERRORS = {
  INVALID_PARAMETER: 400,
  INVALID_RANGE: 400,
  RANGE_TOO_LARGE: 400,
  INVALID_ROW_SIZE: 400,
  UNKNOWN_SYMBOL: 404,
  NOT_FOUND: 404,
  AUTH_REQUIRED: 401,
  INVALID_API_KEY: 401,
  FORBIDDEN: 403,
  URI_TOO_LONG: 414,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  /** Extra response headers (Retry-After, WWW-Authenticate). */
  readonly headers: Readonly<Record<string, string>>;
  constructor(
    code: ApiErrorCode,
    message: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = API_ERRORS[code];
    this.headers = options?.headers ?? {};
  }
}

/** Maps anything thrown while answering a request to an ApiError (internal details are not leaked). */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof OrderflowError) {
    switch (e.code) {
      case 'INVALID_TIME':
      case 'INVALID_TIMEFRAME':
      case 'INVALID_DECIMAL':
      case 'NOT_A_MULTIPLE':
      case 'OUT_OF_RANGE':
      case 'INVALID_CONFIG':
        return new ApiError('INVALID_PARAMETER', e.message, { cause: e });
      case 'INVALID_ROW_SIZE':
        return new ApiError('INVALID_ROW_SIZE', e.message, { cause: e });
      default:
        return new ApiError('INTERNAL_ERROR', e.message, { cause: e });
    }
  }
  if (e instanceof StoreError) {
    if (e.code === 'UNKNOWN_INSTRUMENT') return new ApiError('UNKNOWN_SYMBOL', e.message, { cause: e });
    if (e.code === 'STORE_CLOSED')
      return new ApiError('SERVICE_UNAVAILABLE', 'the store is closed', { cause: e });
  }
  return new ApiError('INTERNAL_ERROR', 'internal error', { cause: e });
}
