// Independent readers of the shared real data for the importer tests: Binance dump CSV and recorded trade-stream
// rows parsed with plain string splitting and BigInt decimals, never with the code under test.

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export interface RawTrade {
  readonly id: number;
  readonly price: string;
  readonly qty: string;
  readonly timeUs: number;
  readonly sellerInitiated: boolean;
  /** Exchange trades the row stands for (aggTrades: last − first + 1). */
  readonly count: number;
}

/** Decimal text → BigInt scaled by 10^12. */
export function scaled(text: string | number): bigint {
  const s = typeof text === 'number' ? (Number.isInteger(text) ? String(text) : text.toFixed(12)) : text;
  const neg = s.startsWith('-');
  const [i = '0', f = ''] = (neg ? s.slice(1) : s).split('.');
  const v = BigInt(i + f.padEnd(12, '0').slice(0, 12));
  return neg ? -v : v;
}

const toUs = (t: number): number => (t >= 1e14 ? t : t * 1000);

export function rawCsvTrades(path: string): RawTrade[] {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''));
  const agg = /aggTrades/.test(path);
  return lines
    .filter((l) => /^\d/.test(l))
    .map((l) => {
      const f = l.split(',');
      if (agg) {
        return {
          id: Number(f[0]),
          price: f[1]!,
          qty: f[2]!,
          timeUs: toUs(Number(f[5])),
          sellerInitiated: /^true$/i.test(f[6]!),
          count: Number(f[4]) - Number(f[3]) + 1,
        };
      }
      return {
        id: Number(f[0]),
        price: f[1]!,
        qty: f[2]!,
        timeUs: toUs(Number(f[4])),
        sellerInitiated: /^true$/i.test(f[5]!),
        count: 1,
      };
    });
}

export function rawStreamTrades(path: string): RawTrade[] {
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  const out: RawTrade[] = [];
  for (const line of text.split('\n')) {
    const brace = line.indexOf('{');
    if (brace < 0) continue;
    const msg = JSON.parse(line.slice(brace)) as { data?: Record<string, unknown> } & Record<string, unknown>;
    const d = msg.data ?? msg;
    if (d.e !== 'trade') continue;
    out.push({
      id: d.t as number,
      price: d.p as string,
      qty: d.q as string,
      timeUs: (d.T as number) * 1000,
      sellerInitiated: d.m === true,
      count: 1,
    });
  }
  return out;
}

/** Unique by id (the first occurrence wins), as the store keeps them. */
export function uniqueById(rows: readonly RawTrade[]): RawTrade[] {
  const seen = new Set<number>();
  return rows.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
}
