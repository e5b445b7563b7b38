// Columnar, time-ordered log of the trades an engine has seen. Late trades are inserted where they belong,
// so path-dependent results (open/close, running delta extremes, count/volume bar boundaries) can be rebuilt
// exactly and incremental results equal batch ones. Canonical order: (ts, numeric trade id); trades with string
// ids (UUIDs) tie-break in arrival order.

import type { Trade } from '../core/trade.ts';

export class TradeLog {
  ts = new Float64Array(1024);
  price = new Float64Array(1024);
  /** side · qty in lots. */
  signedQty = new Float64Array(1024);
  count = new Uint32Array(1024);
  /** Tie-break key within equal ts: the numeric trade id, or +Infinity (arrival order) for string ids. */
  seq = new Float64Array(1024);
  length = 0;

  get lastTs(): number {
    return this.length === 0 ? -Infinity : this.ts[this.length - 1]!;
  }

  /** Whether t sorts at or after the last trade, so it can be appended. */
  isInOrder(t: Trade): boolean {
    const n = this.length;
    if (n === 0) return true;
    const lt = this.ts[n - 1]!;
    return t.ts > lt || (t.ts === lt && seqKey(t) >= this.seq[n - 1]!);
  }

  /** Makes room for n trades in total at once: batch callers avoid repeated doubling (each a full GC). */
  reserve(n: number): void {
    if (n > this.ts.length) this.grow(n);
  }

  private grow(min = 0): void {
    const cap = Math.max(this.ts.length * 2, min);
    const ts = new Float64Array(cap);
    ts.set(this.ts);
    this.ts = ts;
    const price = new Float64Array(cap);
    price.set(this.price);
    this.price = price;
    const q = new Float64Array(cap);
    q.set(this.signedQty);
    this.signedQty = q;
    const c = new Uint32Array(cap);
    c.set(this.count);
    this.count = c;
    const k = new Float64Array(cap);
    k.set(this.seq);
    this.seq = k;
  }

  push(t: Trade): number {
    if (this.length === this.ts.length) this.grow();
    const i = this.length++;
    this.ts[i] = t.ts;
    this.price[i] = t.price;
    this.signedQty[i] = t.side * t.qty;
    this.count[i] = t.count ?? 1;
    this.seq[i] = seqKey(t);
    return i;
  }

  /** Inserts at its place in (ts, seq) order, after equal keys; returns the index. */
  insert(t: Trade): number {
    const key = seqKey(t);
    let pos = this.upperBound(t.ts);
    while (pos > 0 && this.ts[pos - 1] === t.ts && this.seq[pos - 1]! > key) pos--;
    if (pos === this.length) return this.push(t);
    if (this.length === this.ts.length) this.grow();
    this.ts.copyWithin(pos + 1, pos, this.length);
    this.price.copyWithin(pos + 1, pos, this.length);
    this.signedQty.copyWithin(pos + 1, pos, this.length);
    this.count.copyWithin(pos + 1, pos, this.length);
    this.seq.copyWithin(pos + 1, pos, this.length);
    this.length++;
    this.ts[pos] = t.ts;
    this.price[pos] = t.price;
    this.signedQty[pos] = t.side * t.qty;
    this.count[pos] = t.count ?? 1;
    this.seq[pos] = key;
    return pos;
  }

  /** First index whose ts > x. */
  upperBound(x: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose ts ≥ x. */
  lowerBound(x: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** The tie-break key of a trade within equal timestamps. */
export const seqKey = (t: Trade): number => (typeof t.id === 'number' ? t.id : Infinity);

/** Canonical trade order used by every batch function: ts, then numeric id; stable otherwise. */
export function compareTrades(a: Trade, b: Trade): number {
  return a.ts - b.ts || seqKey(a) - seqKey(b) || 0;
}
