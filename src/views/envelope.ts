// Response envelopes of the REST API, shared by the CLI's --json so both print the same bodies.

export interface SuccessBody<T> {
  readonly success: true;
  readonly data: T;
}
export interface ErrorBody {
  readonly success: false;
  readonly error: { readonly code: string; readonly message: string };
}

export const success = <T>(data: T): SuccessBody<T> => ({ success: true, data });
export const failure = (code: string, message: string): ErrorBody => ({
  success: false,
  error: { code, message },
});
