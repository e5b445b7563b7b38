// Downloads Binance's daily dumps (zip + .CHECKSUM) for a symbol and a date range from data.binance.vision (or a
// mirror) and imports each day: downloads go through a `.part` file, the checksum is verified before import, and a
// day already downloaded and verified is not fetched again.

import { existsSync, mkdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TradeStore } from '../store/port.ts';
import {
  BINANCE_MARKET_EXCHANGE,
  binanceDumpPath,
  daysBetween,
  DEFAULT_BINANCE_BASE_URL,
  type BinanceDumpKind,
  type BinanceMarket,
} from './binance-dumps.ts';
import { verifyChecksumBeside } from './checksum.ts';
import { downloadFile, getWithRetry, type RetryOptions } from './http-fetch.ts';
import { ImportError } from './import-error.ts';
import { importTradeFile, type ImportFileResult } from './import-job.ts';
import type { ProgressListener } from './progress.ts';

export interface BinanceDownloadOptions extends RetryOptions {
  readonly symbol: string;
  readonly market: BinanceMarket;
  readonly kind?: BinanceDumpKind;
  /** First and last day (YYYY-MM-DD or RFC3339), inclusive. */
  readonly from: string;
  readonly to: string;
  readonly baseUrl?: string;
  /** Where the zips are kept (mirrors the server's layout). */
  readonly downloadDir: string;
  /** Remove each zip after a successful import (default false: keep them as the raw archive). */
  readonly removeAfterImport?: boolean;
  readonly strict?: boolean;
  readonly onProgress?: ProgressListener;
  /** Called when a day starts (for messages). */
  readonly onDay?: (day: string, url: string) => void;
}

export interface BinanceDownloadResult {
  readonly imported: readonly ImportFileResult[];
  /** Days the server does not have (404), e.g. not published yet. */
  readonly missing: readonly string[];
  /** Days whose zip was already on disk and verified. */
  readonly reused: readonly string[];
}

/** Downloads and imports every day of the range; throws on the first day that cannot be fetched or verified. */
export async function downloadBinanceDumps(
  store: TradeStore,
  o: BinanceDownloadOptions,
): Promise<BinanceDownloadResult> {
  const kind = o.kind ?? 'trades';
  const base = (o.baseUrl ?? DEFAULT_BINANCE_BASE_URL).replace(/\/+$/, '');
  const exchange = BINANCE_MARKET_EXCHANGE[o.market];
  const symbol = o.symbol.toUpperCase();
  const imported: ImportFileResult[] = [];
  const missing: string[] = [];
  const reused: string[] = [];
  for (const day of daysBetween(o.from, o.to)) {
    const path = binanceDumpPath(o.market, kind, symbol, day);
    const url = `${base}${path}`;
    const dest = join(o.downloadDir, path.replace(/^\/data\//, ''));
    mkdirSync(dirname(dest), { recursive: true });
    o.onDay?.(day, url);
    let have = false;
    let verified: boolean;
    if (existsSync(dest) && existsSync(`${dest}.CHECKSUM`)) {
      try {
        have = (await verifyChecksumBeside(dest)) === 'verified';
      } catch {
        have = false;
      }
    }
    if (have) {
      reused.push(day);
      verified = true;
    } else {
      const got = await fetchVerified(url, dest, o);
      if (got === 'missing') {
        missing.push(day);
        continue;
      }
      verified = got === 'verified';
    }
    const r = await importTradeFile(store, dest, {
      exchange,
      symbol,
      verifyChecksum: false,
      ...(o.strict === undefined ? {} : { strict: o.strict }),
      ...(o.onProgress === undefined ? {} : { onProgress: o.onProgress }),
    });
    imported.push(verified ? { ...r, checksum: 'verified' } : r);
    if (o.removeAfterImport === true) await rm(dest, { force: true });
  }
  return { imported, missing, reused };
}

/** Fetches the checksum and the zip; a zip that does not match its checksum is fetched again (retries). */
async function fetchVerified(
  url: string,
  dest: string,
  o: BinanceDownloadOptions,
): Promise<'verified' | 'unverified' | 'missing'> {
  const sumRes = await getWithRetry(`${url}.CHECKSUM`, o);
  const checksum = sumRes.status === 404 ? undefined : await sumRes.text();
  if (checksum === undefined) await sumRes.body?.cancel();
  const retries = o.retries ?? 4;
  for (let attempt = 0; ; attempt++) {
    const got = await downloadFile(url, dest, o);
    if (!got) return 'missing';
    if (checksum === undefined) return 'unverified';
    await writeFile(`${dest}.CHECKSUM`, checksum);
    try {
      await verifyChecksumBeside(dest);
      return 'verified';
    } catch (e) {
      await rm(dest, { force: true });
      if (!(e instanceof ImportError) || attempt >= retries) throw e;
    }
  }
}
