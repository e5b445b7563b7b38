// Loads the recorded real exchange frames from ../shared/data for the collector tests (never copied into the repo).
// Missing data: fail under CI, skip with a message elsewhere (same rule as test/real-data.ts's requireData).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const SHARED_DATA = new URL('../../../shared/data/', import.meta.url).pathname;

/** undefined when the data is present; else a skip message (or throws under CI). */
export function dataMissing(rel: string): string | undefined {
  if (existsSync(join(SHARED_DATA, rel))) return undefined;
  const msg = `shared data ${rel} not found under ${SHARED_DATA}`;
  if (process.env['CI']) throw new Error(msg);
  return msg;
}

function readText(rel: string): string {
  const buf = readFileSync(join(SHARED_DATA, rel));
  return (rel.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l.length > 0);

export const BINANCE_FILES = {
  spotBtc2023:
    'binance/trade-stream/binance-spot_BTCUSDT_2023-04-04T2359Z_2023-04-05T0006Z.trade-stream.txt.gz',
  spotBtc2024:
    'binance/trade-stream/binance-spot_BTCUSDT_2024-08-08T2354Z_2024-08-09T0005Z.trade-stream.txt.gz',
  spotEth2024:
    'binance/trade-stream/binance-spot_ETHUSDT_2024-08-08T2354Z_2024-08-09T0005Z.trade-stream.txt.gz',
  usdmBtc2023:
    'binance/trade-stream/binance-usdm_BTCUSDT_2023-04-04T2358Z_2023-04-05T0006Z.trade-stream.txt.gz',
  usdmBtc2024:
    'binance/trade-stream/binance-usdm_BTCUSDT_2024-08-08T2354Z_2024-08-08T2359Z.trade-stream.txt.gz',
  usdmEth2024:
    'binance/trade-stream/binance-usdm_ETHUSDT_2024-08-08T2354Z_2024-08-09T0000Z.trade-stream.txt.gz',
} as const;

export const COINBASE_EXCHANGE_FILE = 'coinbase/exchange-ws-matches-l2-btc-eth.ndjson.gz';
export const COINBASE_ADVANCED_FILE = 'coinbase/advanced-trade-ws.jsonl.gz';

/** Binance trade-stream file: `<receive stamp> <frame>` per line → the frames exactly as received. */
export function binanceFrames(rel: string): string[] {
  return lines(readText(rel)).map((l) => l.slice(l.indexOf(' ') + 1));
}

/** Coinbase Exchange ndjson: one raw frame per line. */
export const coinbaseExchangeFrames = (): string[] => lines(readText(COINBASE_EXCHANGE_FILE));

export interface CaptureLine {
  readonly t: string;
  readonly ts?: number;
  readonly url?: string;
  readonly data?: string;
}

/** Capture format (line 1 header; then {t, ts, data}) → all lines. */
export function captureLines(rel: string): CaptureLine[] {
  return lines(readText(rel)).map((l) => JSON.parse(l) as CaptureLine);
}

/** The raw frames the client received in a capture file. */
export const capturedFrames = (rel: string): string[] =>
  captureLines(rel)
    .filter((l) => l.t === 'recv' && typeof l.data === 'string')
    .map((l) => l.data as string);
