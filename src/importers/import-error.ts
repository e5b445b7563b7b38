// The importers' error codes: stable codes the CLI maps to exit status 2 and to the JSON error body.

export type ImportErrorCode =
  | 'CHECKSUM_MISMATCH'
  | 'BAD_CHECKSUM_FILE'
  | 'DOWNLOAD_FAILED'
  | 'NOT_FOUND'
  | 'SCALE_CONFLICT'
  | 'INVALID_MAPPING'
  | 'INVALID_TRADE'
  | 'UNKNOWN_SYMBOL';

export class ImportError extends Error {
  readonly code: ImportErrorCode;
  constructor(code: ImportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImportError';
    this.code = code;
  }
}
