// Who may call the API: with any key configured every request (but /health) needs a valid key with the right
// scope; then each request is charged to its key's and its address's rate buckets.

import type { ApiKeyStore, KeyScope } from './api-keys.ts';
import { presentedKey } from './api-keys.ts';
import { ApiError } from './errors.ts';
import type { RateLimiter } from './rate-limiter.ts';

export type AuthVerdict =
  | { readonly ok: true; readonly keyId?: string }
  | { readonly ok: false; readonly error: ApiError; readonly keyId?: string };

export class Authenticator {
  constructor(
    readonly keys: ApiKeyStore,
    readonly limiter: RateLimiter,
  ) {}

  /** Keys are required as soon as one exists. */
  get required(): boolean {
    return this.keys.activeCount > 0;
  }

  check(
    headers: Readonly<Record<string, string | string[] | undefined>>,
    token: string | null | undefined,
    ip: string,
    scope: KeyScope,
  ): AuthVerdict {
    const presented = presentedKey(headers, token);
    let keyId: string | undefined;
    if (presented !== undefined) {
      const rec = this.keys.verify(presented);
      if (rec === undefined) {
        return {
          ok: false,
          error: new ApiError('INVALID_API_KEY', 'the API key is not valid (unknown or revoked)', {
            headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
          }),
        };
      }
      keyId = rec.id;
      if (!rec.scopes.includes(scope)) {
        return {
          ok: false,
          keyId,
          error: new ApiError(
            'FORBIDDEN',
            `this API key may not use ${scope === 'rest' ? 'the REST API' : 'the stream'}`,
          ),
        };
      }
    } else if (this.required) {
      return {
        ok: false,
        error: new ApiError(
          'AUTH_REQUIRED',
          'an API key is required: Authorization: Bearer KEY or X-API-Key: KEY (WebSocket: also ?token=KEY)',
          {
            headers: { 'www-authenticate': 'Bearer' },
          },
        ),
      };
    }
    const wait = this.limiter.check(ip, keyId);
    if (wait > 0) {
      return {
        ok: false,
        ...(keyId === undefined ? {} : { keyId }),
        error: new ApiError('RATE_LIMITED', `rate limit exceeded; retry in ${wait} ms`, {
          headers: { 'retry-after': String(Math.max(1, Math.ceil(wait / 1000))) },
        }),
      };
    }
    return keyId === undefined ? { ok: true } : { ok: true, keyId };
  }
}
