// Binance WebSocket trade frames from files → raw trades: recorded streams (`<recv stamp> <combined-stream JSON>`
// per line), plain JSONL of raw or combined frames, and the `{"t":"recv","ts":…,"data":"<frame>"}` capture format.

import { bump } from './ingest-report.ts';
import { MAX_MS, MIN_MS, scanDecimal, scanned, shapeProblem, timeUnitOf, type RowSink } from './raw-trade.ts';

export type FrameKind = 'trade' | 'aggTrade';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Receive stamp → µs. Recorders wrote ns (2024) or µs (2023); the digit count tells which (ns ≥ 18 digits, µs
 * 15–17, ms 12–14). ns stamps exceed 2^53, so they are cut as text, never parsed as a whole number.
 */
export function stampToMicros(text: string): number {
  const len = text.length;
  if (len < 12 || len > 19) return -1;
  for (let i = 0; i < len; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
  }
  let us: number;
  if (len >= 18) us = Number(text.slice(0, len - 3));
  else if (len >= 15) us = Number(text);
  else us = Number(text) * 1000;
  return timeUnitOf(us) === 'us' ? us : -1;
}

/** Exchange a capture header names (cryptofeed's feed ids). */
const CAPTURE_EXCHANGES: Readonly<Record<string, string>> = {
  BINANCE: 'binance',
  BINANCE_FUTURES: 'binance-usdm',
  BINANCE_DELIVERY: 'binance-coinm',
  BINANCE_US: 'binance-us',
};

export interface FrameParserOptions {
  /** Lines start with a receive stamp and a space. */
  readonly stamped: boolean;
  /** Symbol to read (upper case); by default the symbol of the first trade frame. */
  readonly symbol?: string;
}

/** Parses frame lines of one file into a sink; keeps what it learned about the file (symbol, kind, venue hints). */
export class BinanceFrameParser {
  symbol: string | undefined;
  kind: FrameKind | undefined;
  /** The first accepted frame carried `X` (futures) / `M` (spot) fields. */
  sawExecType: boolean | undefined;
  sawBestMatch: boolean | undefined;
  /** Exchange named by a capture-format header line. */
  captureExchange: string | undefined;
  readonly nonTrade: Record<string, number> = {};
  readonly otherSymbol: Record<string, number> = {};
  readonly otherKind: Record<string, number> = {};

  constructor(
    private readonly sink: RowSink,
    private readonly opts: FrameParserOptions,
  ) {
    this.symbol = opts.symbol?.toUpperCase();
  }

  parseLine(line: string, lineNo: number): void {
    const sink = this.sink;
    let recvTs: number | undefined;
    let text = line;
    if (this.opts.stamped) {
      const sp = line.indexOf(' ');
      if (sp < 0) {
        sink.malformed(lineNo, 'row', line, 'is not "<receive stamp> <JSON frame>"');
        return;
      }
      const stamp = line.slice(0, sp);
      recvTs = stampToMicros(stamp);
      if (recvTs < 0) {
        sink.malformed(lineNo, 'stamp', stamp, 'is not a receive time in ns, µs or ms between 2000 and 2100');
        return;
      }
      text = line.slice(sp + 1);
    }
    const parsed = parseJson(text);
    if (!isObject(parsed)) {
      sink.malformed(
        lineNo,
        'json',
        text,
        parsed === undefined ? 'is not valid JSON' : 'is not a JSON object',
      );
      return;
    }
    let obj: Json = parsed;
    if (typeof obj.t === 'string' && !('e' in obj)) {
      // capture format: {"t":"header"|"http"|"connect"|"send"|"recv", "ts": seconds, "data": "<raw frame>"}
      if (obj.t === 'header') {
        if (typeof obj.exchange === 'string')
          this.captureExchange = CAPTURE_EXCHANGES[obj.exchange] ?? obj.exchange;
        bump(this.nonTrade, 'capture-header');
        return;
      }
      if (obj.t !== 'recv') {
        bump(this.nonTrade, `capture-${obj.t}`);
        return;
      }
      if (typeof obj.ts === 'number' && Number.isFinite(obj.ts)) {
        const us = Math.round(obj.ts * 1e6);
        if (timeUnitOf(us) === 'us') recvTs = us;
      }
      const inner = typeof obj.data === 'string' ? parseJson(obj.data) : undefined;
      if (!isObject(inner)) {
        // arrays and scalars are other feeds' frames; unparsable text is a bad row
        if (inner === undefined) sink.malformed(lineNo, 'data', String(obj.data), 'is not valid JSON');
        else bump(this.nonTrade, 'other');
        return;
      }
      obj = inner;
    }
    const frame = isObject(obj.data) && typeof obj.stream === 'string' ? obj.data : obj;
    const e = frame.e;
    if (e !== 'trade' && e !== 'aggTrade') {
      bump(this.nonTrade, typeof e === 'string' ? e : 'other');
      return;
    }
    const s = frame.s;
    if (typeof s !== 'string' || s === '') {
      sink.malformed(lineNo, 's', JSON.stringify(s) ?? 'undefined', 'is not a symbol');
      return;
    }
    const sym = s.toUpperCase();
    if (this.symbol === undefined) this.symbol = sym;
    else if (sym !== this.symbol) {
      bump(this.otherSymbol, sym);
      return;
    }
    if (this.kind === undefined) this.kind = e;
    else if (e !== this.kind) {
      bump(this.otherKind, e);
      return;
    }
    const idKey = e === 'trade' ? 't' : 'a';
    const id = frame[idKey];
    if (!isUint(id)) {
      sink.malformed(lineNo, idKey, show(id), 'is not a trade id (a non-negative integer below 2^53)');
      return;
    }
    const p = frame.p;
    if (typeof p !== 'string') {
      sink.malformed(lineNo, 'p', show(p), 'is not a decimal string');
      return;
    }
    const pd = scanDecimal(p, 0, p.length);
    if (pd < 0) {
      sink.malformed(lineNo, 'p', p, shapeProblem(pd));
      return;
    }
    const priceM = scanned.m;
    const q = frame.q;
    if (typeof q !== 'string') {
      sink.malformed(lineNo, 'q', show(q), 'is not a decimal string');
      return;
    }
    const qd = scanDecimal(q, 0, q.length);
    if (qd < 0) {
      sink.malformed(lineNo, 'q', q, shapeProblem(qd));
      return;
    }
    const qtyM = scanned.m;
    let count = 1;
    if (e === 'aggTrade') {
      const f = frame.f;
      const l = frame.l;
      if (!isUint(f)) {
        sink.malformed(lineNo, 'f', show(f), 'is not a trade id (a non-negative integer below 2^53)');
        return;
      }
      if (!isUint(l) || l < f) {
        sink.malformed(
          lineNo,
          'l',
          show(l),
          isUint(l) ? `is below f ${f}` : 'is not a trade id (a non-negative integer below 2^53)',
        );
        return;
      }
      count = l - f + 1;
    }
    const T = frame.T;
    if (!isUint(T) || T < MIN_MS || T >= MAX_MS) {
      sink.malformed(lineNo, 'T', show(T), 'is not an epoch time in ms between 2000 and 2100');
      return;
    }
    const m = frame.m;
    if (typeof m !== 'boolean') {
      sink.malformed(lineNo, 'm', show(m), 'is not a side flag (true/false)');
      return;
    }
    const X = frame.X;
    if (X !== undefined && typeof X !== 'string') {
      sink.malformed(lineNo, 'X', show(X), 'is not an execution type');
      return;
    }
    if (this.sawExecType === undefined) {
      this.sawExecType = X !== undefined;
      this.sawBestMatch = 'M' in frame;
    }
    sink.timeUnit = 'ms';
    sink.rows.push(lineNo, id, priceM, pd, qtyM, qd, T * 1000, m, count, recvTs ?? NaN, X);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const isUint = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const show = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? 'undefined'));
