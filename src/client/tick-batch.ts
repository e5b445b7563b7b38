// The `tick` message's columnar batch (layout `columns/1`, docs/api.md) and its decoder into one object per trade.
// Pure (no Node or DOM imports): the typed client and the web UI share it.

/** The `data` of a `tick` message as sent. */
export interface TickBatch {
  readonly symbol: string;
  readonly source?: string;
  readonly format: string;
  readonly count: number;
  /** RFC3339 time of the first trade (readability only: `time_us` is exact). */
  readonly start_time: string | null;
  /** Exact decimal text of one price tick and one quantity lot. */
  readonly price_increment: string;
  readonly qty_increment: string;
  /** [exchange, exchange symbol] of the venues in the batch. */
  readonly venues: readonly (readonly [string, string])[];
  /** Index into `venues` per trade; absent when the batch has one venue. */
  readonly venue?: readonly number[];
  /** Columns holding differences from the previous entry (the first entry is absolute). */
  readonly delta_coded: readonly string[];
  readonly id: readonly (number | string)[];
  readonly time_us: readonly number[];
  readonly price_ticks: readonly number[];
  readonly qty_lots: readonly number[];
  /** One letter per trade: `b` the taker bought, `s` the taker sold. */
  readonly side: string;
}

/** One trade of a decoded batch. */
export interface StreamTrade {
  exchange: string;
  symbol: string;
  id: number | string;
  /** Trade time, µs since the epoch (UTC). */
  time_us: number;
  /** Exact price and quantity as decimal text. */
  price_text: string;
  qty_text: string;
  /** The double nearest the exact decimal (what REST bodies carry). */
  price: number;
  qty: number;
  /** Integer price ticks and quantity lots of the batch's increments. */
  price_ticks: number;
  qty_lots: number;
  side: 'buy' | 'sell';
}

/** Version of the batch layout; a decoder refuses layouts it does not know. */
export const TICK_FORMAT = 'columns/1';

export class TickBatchError extends Error {
  override readonly name = 'TickBatchError';
  constructor(
    readonly code: 'UNKNOWN_TICK_FORMAT' | 'MALFORMED_TICK_BATCH',
    message: string,
  ) {
    super(message);
  }
}

interface Increment {
  readonly mantissa: number;
  readonly decimals: number;
}

function parseIncrement(text: string): Increment {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (m === null) throw new TickBatchError('MALFORMED_TICK_BATCH', `increment ${JSON.stringify(text)}`);
  const decimals = m[2]?.length ?? 0;
  const mantissa = Number(m[1]! + (m[2] ?? ''));
  if (!Number.isSafeInteger(mantissa) || mantissa <= 0)
    throw new TickBatchError('MALFORMED_TICK_BATCH', `increment ${JSON.stringify(text)}`);
  return { mantissa, decimals };
}

/** units × increment as exact decimal text (no float multiply). */
function decimalText(units: number, inc: Increment): string {
  const v = units * inc.mantissa;
  if (!Number.isSafeInteger(v))
    throw new TickBatchError('MALFORMED_TICK_BATCH', `${units} units overflow 2^53`);
  const neg = v < 0;
  let digits = String(neg ? -v : v);
  if (inc.decimals === 0) return (neg ? '-' : '') + digits;
  if (digits.length <= inc.decimals) digits = '0'.repeat(inc.decimals - digits.length + 1) + digits;
  const cut = digits.length - inc.decimals;
  return `${neg ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}

/** Running sums of a delta-coded column (its first entry is absolute). */
function undelta(col: readonly number[]): number[] {
  const out = new Array<number>(col.length);
  let v = 0;
  for (let i = 0; i < col.length; i++) {
    v = i === 0 ? col[0]! : v + col[i]!;
    out[i] = v;
  }
  return out;
}

/** The trades of a `tick` batch, in the order they were sent. */
export function decodeTickBatch(b: TickBatch): StreamTrade[] {
  if (b.format !== TICK_FORMAT)
    throw new TickBatchError('UNKNOWN_TICK_FORMAT', `tick format ${JSON.stringify(b.format)}`);
  const n = b.count;
  const cols = [b.id, b.time_us, b.price_ticks, b.qty_lots, b.side];
  if (cols.some((c) => c.length !== n) || (b.venue !== undefined && b.venue.length !== n))
    throw new TickBatchError('MALFORMED_TICK_BATCH', `columns of a batch of ${n} differ in length`);
  const coded = new Set(b.delta_coded);
  const ids = coded.has('id') ? undelta(b.id as readonly number[]) : b.id;
  const times = coded.has('time_us') ? undelta(b.time_us) : b.time_us;
  const prices = coded.has('price_ticks') ? undelta(b.price_ticks) : b.price_ticks;
  const pInc = parseIncrement(b.price_increment);
  const qInc = parseIncrement(b.qty_increment);
  const out: StreamTrade[] = [];
  for (let i = 0; i < n; i++) {
    const venue = b.venues[b.venue?.[i] ?? 0];
    if (venue === undefined) throw new TickBatchError('MALFORMED_TICK_BATCH', `trade ${i} has no venue`);
    const price_text = decimalText(prices[i]!, pInc);
    const qty_text = decimalText(b.qty_lots[i]!, qInc);
    out.push({
      exchange: venue[0],
      symbol: venue[1],
      id: ids[i]!,
      time_us: times[i]!,
      price_text,
      qty_text,
      // Parsing the exact text gives the correctly rounded double.
      price: Number(price_text),
      qty: Number(qty_text),
      price_ticks: prices[i]!,
      qty_lots: b.qty_lots[i]!,
      side: b.side[i] === 'b' ? 'buy' : 'sell',
    });
  }
  return out;
}
