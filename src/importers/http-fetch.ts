// GET with retries for the importers' downloads: network errors, 429 and 5xx are retried with a growing delay;
// 404 is an answer (the file does not exist), any other status an error naming the URL.

import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ImportError } from './import-error.ts';

export interface RetryOptions {
  /** Attempts after the first (default 4). */
  readonly retries?: number;
  /** Delay before retry k is k × this (default 500 ms; tests pass 0). */
  readonly retryDelayMs?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

const pause = (ms: number): Promise<void> =>
  ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));

const retryable = (status: number): boolean => status === 429 || status === 408 || status >= 500;

/** The response of a GET (status 2xx or 404), after retrying what is worth retrying. */
export async function getWithRetry(url: string, o: RetryOptions = {}): Promise<Response> {
  const retries = o.retries ?? 4;
  let lastProblem = '';
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await pause(attempt * (o.retryDelayMs ?? 500));
    let res: Response;
    try {
      res = await fetch(url, { ...(o.headers === undefined ? {} : { headers: { ...o.headers } }) });
    } catch (e) {
      lastProblem = String(e);
      continue;
    }
    if (res.ok || res.status === 404) return res;
    await res.body?.cancel();
    lastProblem = `HTTP ${res.status}`;
    if (!retryable(res.status)) break;
  }
  throw new ImportError('DOWNLOAD_FAILED', `GET ${url} failed: ${lastProblem}`);
}

/**
 * Downloads url to `dest` through `dest.part` (renamed only when complete, so a killed download never leaves a
 * file that looks whole). Returns false on 404. A body cut short is retried like a network error.
 */
export async function downloadFile(url: string, dest: string, o: RetryOptions = {}): Promise<boolean> {
  const retries = o.retries ?? 4;
  const part = `${dest}.part`;
  for (let attempt = 0; ; attempt++) {
    const res = await getWithRetry(url, o);
    if (res.status === 404) {
      await res.body?.cancel();
      return false;
    }
    try {
      if (res.body === null) throw new Error('empty body');
      await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), createWriteStream(part));
      await rename(part, dest);
      return true;
    } catch (e) {
      await rm(part, { force: true });
      if (attempt >= retries) {
        throw new ImportError('DOWNLOAD_FAILED', `GET ${url}: ${String(e)}`, { cause: e });
      }
      await pause((attempt + 1) * (o.retryDelayMs ?? 500));
    }
  }
}
