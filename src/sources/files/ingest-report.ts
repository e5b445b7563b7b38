// What reading a trade file found: every row is accounted for (accepted, malformed, duplicate or skipped),
// with line numbers and values for the bad ones. `strict` turns the first malformed row into an error.

import { OrderflowError } from '../../core/errors.ts';

/** A row that could not become a trade. `reason` names the field and quotes the bad value. */
export interface MalformedRow {
  readonly line: number;
  readonly field: string;
  readonly value: string;
  readonly reason: string;
}

export interface DuplicateRow {
  readonly line: number;
  readonly id: number;
  /** Line of the occurrence that was kept. */
  readonly firstLine: number;
}

/** Missing ids `from`..`to`, both inclusive. */
export interface IdRange {
  readonly from: number;
  readonly to: number;
}

export type ScaleSource = 'known' | 'inferred' | 'forced';

export interface IngestReport {
  readonly file: string;
  readonly format: string;
  readonly exchange: string;
  readonly symbol: string;
  /** Where exchange and symbol came from. */
  readonly instrumentFrom: 'file-name' | 'frames' | 'options' | 'layout';
  /** Known instrument increments, inferred from the decimals the file uses, or forced by options. */
  readonly scaleSource: ScaleSource;
  /** Why that scale (e.g. which value did not fit the known increments). */
  readonly scaleNote: string;
  /** Unit of the file's time column (dumps) or of `T` (frames: always ms). */
  readonly timeUnit: 'ms' | 'us' | 'none';
  /** Physical lines, including header and blank lines. */
  readonly lines: number;
  readonly headerRows: number;
  readonly blankLines: number;
  /** Non-blank, non-header lines: tradesAccepted + malformed + duplicates + all skipped rows. */
  readonly rowsRead: number;
  readonly tradesAccepted: number;
  /** Σ count over accepted trades (an aggTrade stands for several exchange trades). */
  readonly exchangeTrades: number;
  readonly malformed: number;
  readonly malformedByField: Readonly<Record<string, number>>;
  /** The first MAX_EXAMPLES malformed rows, in line order. */
  readonly malformedExamples: readonly MalformedRow[];
  /** Rows whose id was already accepted earlier in the file: the first is kept, these are dropped. */
  readonly duplicates: number;
  readonly duplicateExamples: readonly DuplicateRow[];
  /** Accepted rows whose time is earlier than a previous accepted row's (output is re-sorted by time). */
  readonly outOfOrder: number;
  /** Accepted rows whose id is lower than a previous accepted row's. */
  readonly idOutOfOrder: number;
  /** Holes in the accepted ids (sorted): how many holes, how many ids are missing, the first MAX_GAP_RANGES. */
  readonly idGaps: {
    readonly gaps: number;
    readonly missingIds: number;
    readonly ranges: readonly IdRange[];
  };
  /** Accepted USD-M/COIN-M prints whose `X` execution type is not MARKET (kept, counted by type). */
  readonly nonMarket: Readonly<Record<string, number>>;
  readonly skipped: {
    /** Frames that are not trades (depth, bookTicker, subscription replies), by event type. */
    readonly nonTrade: Readonly<Record<string, number>>;
    /** Trade frames of another symbol than the one read. */
    readonly otherSymbol: Readonly<Record<string, number>>;
    /** `aggTrade` frames in a `trade` file or the reverse (the first trade frame decides). */
    readonly otherKind: Readonly<Record<string, number>>;
  };
  readonly firstId?: number;
  readonly lastId?: number;
  readonly firstTs?: number;
  readonly lastTs?: number;
}

export const MAX_EXAMPLES = 100;
export const MAX_GAP_RANGES = 20;
const MAX_VALUE_CHARS = 200;

const clip = (s: string): string => (s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS)}…` : s);

/** Counts bad rows as they are found; in strict mode the first one throws. */
export class MalformedLog {
  count = 0;
  readonly byField: Record<string, number> = {};
  readonly examples: MalformedRow[] = [];

  constructor(
    readonly file: string,
    readonly strict: boolean,
  ) {}

  add(line: number, field: string, value: string, problem: string): void {
    const row: MalformedRow = {
      line,
      field,
      value: clip(value),
      reason: `${field} ${JSON.stringify(clip(value))} ${problem}`,
    };
    if (this.strict) {
      throw new OrderflowError('INVALID_TRADE', `${this.file}:${line}: ${row.reason}`, { cause: row });
    }
    this.count++;
    this.byField[field] = (this.byField[field] ?? 0) + 1;
    if (this.examples.length < MAX_EXAMPLES) this.examples.push(row);
  }

  /** Examples in line order (rows failing at the scale step are found after the parse step). */
  sortedExamples(): MalformedRow[] {
    return [...this.examples].sort((a, b) => a.line - b.line).slice(0, MAX_EXAMPLES);
  }
}

export const bump = (m: Record<string, number>, key: string, by = 1): void => {
  m[key] = (m[key] ?? 0) + by;
};
