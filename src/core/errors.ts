// Typed errors with stable codes, used inside the core; boundaries turn them into values or HTTP errors.

export type ErrorCode =
  | 'INVALID_DECIMAL'
  | 'NOT_A_MULTIPLE'
  | 'OUT_OF_RANGE'
  | 'INVALID_TIME'
  | 'INVALID_TIMEFRAME'
  | 'INVALID_CONFIG'
  | 'INVALID_ROW_SIZE'
  | 'INVALID_SIDE'
  | 'INVALID_TRADE'
  | 'UNKNOWN_FORMAT'
  | 'OVERFLOW'
  | 'LATE_TRADE';

export class OrderflowError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OrderflowError';
    this.code = code;
  }
}

/** Errors as values at boundaries: parsers return this instead of throwing on bad rows. */
export type Result<T, E = OrderflowError> = { ok: true; value: T } | { ok: false; error: E };
export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });
