// TradeStore on an embedded DuckDB file (<dataDir>/orderflow.duckdb): compressed columnar trades plus minute × tick
// rollups kept on ingest. Writes are serialized and set-based: appender → staging → one anti-join insert → rollups.

import { instrumentFromRow, instrumentRow, minuteBarFromRow, statsFromRows } from './stats-rows.ts';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  DOUBLE,
  DuckDBDataChunk,
  DuckDBInstance,
  INTEGER,
  VARCHAR,
  type DuckDBConnection,
  type DuckDBMaterializedResult,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { Instrument } from '../core/instrument.ts';
import { instrumentKey } from '../core/instrument.ts';
import type { Trade, TradeId } from '../core/trade.ts';
import { US_PER_DAY, US_PER_MINUTE } from '../core/time.ts';
import type { ProfileRow } from '../engines/profile.ts';
import type { OneSidedRun } from '../engines/volume-nodes.ts';
import { lots, micros, ticks, type Side } from '../core/units.ts';
import {
  BAR_COLUMNS,
  CREATE_TABLES,
  SCHEMA_VERSION,
  intLiteral,
  minuteBarsOf,
  minuteCellsOf,
  cellTicksFor,
  floorDiv,
  orderKey,
  ORDER_KEY,
  MINUTE,
} from './duckdb-schema.ts';
import {
  checkRowTicks,
  DEFAULT_ITERATE_BATCH,
  DEFAULT_MAX_GAP_RANGES,
  StoreError,
  type InsertResult,
  type InstrumentStats,
  type MinuteRollup,
  type RollupCell,
  type StatsOptions,
  type TradeStore,
} from './port.ts';
import { checkBarUs, type RollupAggregates } from './rollup-aggregates.ts';
import {
  csvLinesSql,
  csvTradesSql,
  REFUSED_SIDE,
  type CsvImportResult,
  type CsvImportSpec,
} from './duckdb-csv-import.ts';
import { planChunks, RollupCache } from './rollup-cache.ts';
import { minuteOf } from './rollups.ts';
import { checkTrade, compareTradeOrder, idKey } from './trade-order.ts';

export interface DuckDbStoreOptions {
  /** Directory holding orderflow.duckdb (default ./data). */
  readonly dataDir?: string;
  /** Explicit database file, or ':memory:'; overrides dataDir. */
  readonly path?: string;
  /** DuckDB settings passed at start-up (e.g. { threads: '4', memory_limit: '2GB' }). */
  readonly settings?: Record<string, string>;
}

export const DATABASE_FILE = 'orderflow.duckdb';

/** The appender's chunk size: DuckDB's standard vector size. */
const CHUNK_ROWS = 2048;

interface StageColumn {
  readonly name: string;
  /** Integers travel as DOUBLE (exact below 2^53): the appender's BIGINT vectors would need a BigInt per value. */
  readonly stageType: string;
  readonly type: DuckDBType;
  readonly storedType: string;
  /** SQL for the column when the batch does not stage it. */
  readonly absent: string;
  readonly needed: (b: CanonicalBatch) => boolean;
  readonly value: (t: Trade, seq: number) => number | string | null;
}

const always = (): boolean => true;
const STAGE_COLUMNS: readonly StageColumn[] = [
  {
    name: 'seq',
    stageType: 'INTEGER',
    type: INTEGER,
    storedType: 'INTEGER',
    absent: '',
    needed: always,
    value: (_, i) => i,
  },
  {
    name: 'ts',
    stageType: 'DOUBLE',
    type: DOUBLE,
    storedType: 'BIGINT',
    absent: '',
    needed: always,
    value: (t) => t.ts,
  },
  {
    name: 'id_num',
    stageType: 'DOUBLE',
    type: DOUBLE,
    storedType: 'BIGINT',
    absent: 'NULL::BIGINT',
    needed: (b) => b.minId <= b.maxId,
    value: (t) => (typeof t.id === 'number' ? t.id : null),
  },
  {
    name: 'id_str',
    stageType: 'VARCHAR',
    type: VARCHAR,
    storedType: 'VARCHAR',
    absent: 'NULL::VARCHAR',
    needed: (b) => b.stringIds > 0,
    value: (t) => (typeof t.id === 'string' ? t.id : null),
  },
  {
    name: 'price',
    stageType: 'DOUBLE',
    type: DOUBLE,
    storedType: 'BIGINT',
    absent: '',
    needed: always,
    value: (t) => t.price,
  },
  {
    name: 'qty',
    stageType: 'DOUBLE',
    type: DOUBLE,
    storedType: 'BIGINT',
    absent: '',
    needed: always,
    value: (t) => t.qty,
  },
  {
    name: 'side',
    stageType: 'INTEGER',
    type: INTEGER,
    storedType: 'TINYINT',
    absent: '',
    needed: always,
    value: (t) => t.side,
  },
  {
    name: 'side_source',
    stageType: 'INTEGER',
    type: INTEGER,
    storedType: 'TINYINT',
    absent: '0::TINYINT',
    needed: (b) => b.tickRule,
    value: (t) => (t.sideSource === 'tick-rule' ? 1 : 0),
  },
  {
    name: 'cnt',
    stageType: 'INTEGER',
    type: INTEGER,
    storedType: 'INTEGER',
    absent: 'NULL::INTEGER',
    needed: (b) => b.counts,
    value: (t) => t.count ?? null,
  },
  {
    name: 'recv_ts',
    stageType: 'DOUBLE',
    type: DOUBLE,
    storedType: 'BIGINT',
    absent: 'NULL::BIGINT',
    needed: (b) => b.recvTimes,
    value: (t) => t.recvTs ?? null,
  },
];
const NB_STAGE_COLUMNS =
  'minute DOUBLE, open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, first_ts DOUBLE, first_id_num DOUBLE, ' +
  'first_id_str VARCHAR, last_ts DOUBLE, last_id_num DOUBLE, last_id_str VARCHAR, buy DOUBLE, sell DOUBLE, ' +
  'buy_trades DOUBLE, sell_trades DOUBLE, min_delta DOUBLE, max_delta DOUBLE';
const NB_STAGE_TYPES = [
  ...[DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, VARCHAR],
  ...[DOUBLE, DOUBLE, VARCHAR, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE],
];

/** One trade of a pass in canonical order (count: 1, or the trades an aggregate trade stands for). */
type AddTrade = (ts: number, id: TradeId, price: number, qty: number, side: number, count: number) => void;

/** A minute bar as a row of NB_STAGE_COLUMNS. */
type BarRow = (number | string | null)[];

/**
 * Minute bar statistics of trades in canonical order, computed in one pass: `fill` hands every trade to `add`, in
 * order; undefined when it resolves false.
 */
async function minuteBarRows(
  fill: (add: AddTrade) => boolean | Promise<boolean>,
): Promise<BarRow[] | undefined> {
  const bars: BarRow[] = [];
  let minute = NaN;
  let open = 0;
  let high = 0;
  let low = 0;
  let close = 0;
  let firstTs = 0;
  let firstId: TradeId = 0;
  let lastTs = 0;
  let lastId: TradeId = 0;
  let buy = 0;
  let sell = 0;
  let buyTrades = 0;
  let sellTrades = 0;
  let minDelta = Infinity;
  let maxDelta = -Infinity;
  const closeBar = (): void => {
    bars.push([
      minute,
      open,
      high,
      low,
      close,
      firstTs,
      typeof firstId === 'number' ? firstId : null,
      typeof firstId === 'string' ? firstId : null,
      lastTs,
      typeof lastId === 'number' ? lastId : null,
      typeof lastId === 'string' ? lastId : null,
      buy,
      sell,
      buyTrades,
      sellTrades,
      minDelta,
      maxDelta,
    ]);
  };
  const add: AddTrade = (ts, id, price, qty, side, count) => {
    if (ts >= minute + US_PER_MINUTE || Number.isNaN(minute)) {
      if (!Number.isNaN(minute)) closeBar();
      minute = minuteOf(ts);
      open = high = low = price;
      firstTs = ts;
      firstId = id;
      buy = sell = buyTrades = sellTrades = 0;
      minDelta = Infinity;
      maxDelta = -Infinity;
    }
    if (price > high) high = price;
    if (price < low) low = price;
    if (side === 1) {
      buy += qty;
      buyTrades += count;
    } else {
      sell += qty;
      sellTrades += count;
    }
    const d = buy - sell;
    if (d < minDelta) minDelta = d;
    if (d > maxDelta) maxDelta = d;
    close = price;
    lastTs = ts;
    lastId = id;
  };
  if (!(await fill(add))) return undefined;
  if (!Number.isNaN(minute)) closeBar();
  return bars;
}

/**
 * Hands rows of (ts, id, price, qty, side, count) to `add` in their order; false when that order is not canonical
 * with unique ids (a time falls, an id repeats).
 */
function inIdOrder(rows: DuckDBMaterializedResult, add: AddTrade): boolean {
  let prevTs = -Infinity;
  let prevId = -Infinity;
  for (let c = 0; c < rows.chunkCount; c++) {
    const chunk = rows.getChunk(c);
    const [ts, ids, price, qty, side, cnt] = [0, 1, 2, 3, 4, 5].map((k) => chunk.getColumnVector(k));
    const n = chunk.rowCount;
    for (let i = 0; i < n; i++) {
      const t = ts!.getItem(i) as number;
      const id = ids!.getItem(i) as number;
      if (t < prevTs || id <= prevId) return false;
      prevTs = t;
      prevId = id;
      add(
        t,
        id,
        price!.getItem(i) as number,
        qty!.getItem(i) as number,
        side!.getItem(i) as number,
        cnt!.getItem(i) as number,
      );
    }
  }
  return true;
}

interface CanonicalBatch {
  /** First occurrence of each id, in canonical (ts, id) order. */
  readonly trades: readonly Trade[];
  readonly minTs: number;
  readonly maxTs: number;
  readonly minId: number;
  readonly maxId: number;
  readonly stringIds: number;
  readonly tickRule: boolean;
  readonly counts: boolean;
  readonly recvTimes: boolean;
}

/**
 * Dedupes a batch (the first occurrence wins) and puts it in canonical order, so SQL can order new rows by
 * their position alone. Exchange batches are usually sorted with growing ids: that path allocates nothing.
 */
function canonicalBatch(trades: readonly Trade[]): CanonicalBatch {
  let minTs = Infinity;
  let maxTs = -Infinity;
  let minId = Infinity;
  let maxId = -Infinity;
  let stringIds = 0;
  let tickRule = false;
  let counts = false;
  let recvTimes = false;
  let increasingIds = true;
  let sorted = true;
  let prev: Trade | undefined;
  for (const t of trades) {
    if (t.ts < minTs) minTs = t.ts;
    if (t.ts > maxTs) maxTs = t.ts;
    if (typeof t.id === 'number') {
      if (t.id < minId) minId = t.id;
      if (t.id > maxId) maxId = t.id;
      if (prev !== undefined && (typeof prev.id !== 'number' || prev.id >= t.id)) increasingIds = false;
    } else {
      stringIds++;
      increasingIds = false;
    }
    if (prev !== undefined && compareTradeOrder(prev, t) > 0) sorted = false;
    if (t.sideSource === 'tick-rule') tickRule = true;
    if (t.count !== undefined) counts = true;
    if (t.recvTs !== undefined) recvTimes = true;
    prev = t;
  }
  let out = trades;
  if (!increasingIds) {
    const seen = new Set<string>();
    out = trades.filter((t) => {
      const k = idKey(t.id);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }
  if (!sorted) out = [...out].sort(compareTradeOrder);
  return { trades: out, minTs, maxTs, minId, maxId, stringIds, tickRule, counts, recvTimes };
}

const TRADE_COLUMNS = `ts::DOUBLE, id_num::DOUBLE, id_str, price::DOUBLE, qty::DOUBLE, side, side_source, cnt, recv_ts::DOUBLE`;

const num = (v: DuckDBValue | undefined): number => {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new StoreError('STORE_FAILED', `expected a number from DuckDB, got ${String(v)}`);
};
/** Whether a failed bulk read is about the file's content (rows DuckDB refuses or cannot cast), not the store. */
const isInputError = (e: unknown): boolean =>
  /^(Conversion|Invalid Input|Out of Range) Error|\bCSV Error\b|Could not convert/.test(
    String((e as Error).message),
  );
const numOrNull = (v: DuckDBValue | undefined): number | null =>
  v === null || v === undefined ? null : num(v);
const str = (v: DuckDBValue | undefined): string => {
  if (typeof v === 'string') return v;
  throw new StoreError('STORE_FAILED', `expected a string from DuckDB, got ${String(v)}`);
};
const idOf = (n: DuckDBValue | undefined, s: DuckDBValue | undefined): TradeId =>
  n === null ? str(s) : num(n);

export class DuckDbTradeStore implements TradeStore, RollupAggregates {
  readonly path: string;
  private instance: DuckDBInstance | undefined;
  private conn: DuckDBConnection | undefined;
  private readonly instIds = new Map<string, number>();
  /** Cell grid (ticks per minute_cells cell) per instrument that has one (see cellTicksFor). */
  private readonly cellGrids = new Map<number, number>();
  /** Memo of whole-day rollup reads, invalidated by this store's inserts. */
  private readonly cache = new RollupCache();
  /** Every statement on the main connection runs through this chain, so transactions never interleave. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DuckDbStoreOptions = {}) {
    this.path = options.path ?? join(options.dataDir ?? './data', DATABASE_FILE);
  }

  private exclusive<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const run = this.tail.then(() => {
      if (this.conn === undefined)
        throw new StoreError('STORE_CLOSED', `the DuckDB store ${this.path} is not open`);
      return fn(this.conn);
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  async open(): Promise<void> {
    if (this.conn !== undefined) return;
    if (this.path !== ':memory:') mkdirSync(dirname(this.path), { recursive: true });
    const instance = await DuckDBInstance.create(this.path, this.options.settings);
    const conn = await instance.connect();
    for (const sql of CREATE_TABLES) await conn.run(sql);
    const version = (
      await conn.runAndReadAll(`SELECT value FROM meta WHERE key = 'schema_version'`)
    ).getRows()[0]?.[0];
    if (version === '1') {
      // Version-1 stores hold cells one tick wide.
      await conn.run(`INSERT INTO cell_grids SELECT inst, 1 FROM instruments ON CONFLICT DO NOTHING`);
      await conn.run(`UPDATE meta SET value = '${SCHEMA_VERSION}' WHERE key = 'schema_version'`);
    }
    await conn.run(`INSERT INTO meta VALUES ('schema_version', '${SCHEMA_VERSION}') ON CONFLICT DO NOTHING`);
    const rows = (await conn.runAndReadAll('SELECT inst, exchange, symbol FROM instruments')).getRows();
    for (const r of rows) this.instIds.set(instrumentKey(str(r[1]), str(r[2])), num(r[0]));
    for (const r of (await conn.runAndReadAll('SELECT inst, cell_ticks::DOUBLE FROM cell_grids')).getRows())
      this.cellGrids.set(num(r[0]), num(r[1]));
    this.instance = instance;
    this.conn = conn;
  }

  async close(): Promise<void> {
    if (this.conn === undefined) return;
    await this.exclusive(async (conn) => {
      if (this.path !== ':memory:') await conn.run('CHECKPOINT');
    });
    this.conn.closeSync();
    this.instance?.closeSync();
    this.conn = undefined;
    this.instance = undefined;
    this.instIds.clear();
    this.cellGrids.clear();
    this.cache.clear();
  }

  /** Writes everything to the database file (compression happens here). */
  checkpoint(): Promise<void> {
    return this.exclusive(async (conn) => {
      await conn.run('CHECKPOINT');
    });
  }

  private instId(exchange: string, symbol: string): number {
    const id = this.instIds.get(instrumentKey(exchange, symbol));
    if (id === undefined) {
      throw new StoreError(
        'UNKNOWN_INSTRUMENT',
        `instrument ${instrumentKey(exchange, symbol)} is not in the store`,
      );
    }
    return id;
  }

  /** A new instrument's row under the next free integer id; returns the id. */
  private async insertInstrument(conn: DuckDBConnection, i: Instrument): Promise<number> {
    const next = (await conn.runAndReadAll('SELECT coalesce(max(inst), 0) + 1 FROM instruments')).getRows();
    const inst = num(next[0]?.[0]);
    await conn.run(
      `INSERT INTO instruments VALUES (${inst}, $1, $2, $3, $4, $5, $6::BIGINT, $7::INTEGER, $8::BIGINT, $9::INTEGER, $10, $11, $12)`,
      instrumentRow(i),
    );
    this.instIds.set(instrumentKey(i.exchange, i.symbol), inst);
    return inst;
  }

  upsertInstrument(i: Instrument): Promise<void> {
    return this.exclusive(async (conn) => {
      const key = instrumentKey(i.exchange, i.symbol);
      const values = instrumentRow(i);
      const existing = this.instIds.get(key);
      if (existing === undefined) {
        await this.insertInstrument(conn, i);
        return;
      }
      const old = (
        await conn.runAndReadAll(
          `SELECT price_mantissa::DOUBLE, price_decimals, qty_mantissa::DOUBLE, qty_decimals, volume_unit,
                  EXISTS (SELECT 1 FROM trades WHERE inst = ${existing})
           FROM instruments WHERE inst = ${existing}`,
        )
      ).getRows()[0];
      const same =
        old !== undefined &&
        num(old[0]) === i.price.mantissa &&
        num(old[1]) === i.price.decimals &&
        num(old[2]) === i.qty.mantissa &&
        num(old[3]) === i.qty.decimals &&
        old[4] === i.volumeUnit;
      if (!same && old?.[5] === true) {
        throw new StoreError(
          'SCALE_CHANGED',
          `instrument ${key} has stored trades; its increments cannot change`,
        );
      }
      await conn.run(
        `UPDATE instruments SET kind = $3, base = $4, quote = $5, price_mantissa = $6::BIGINT, price_decimals = $7::INTEGER,
           qty_mantissa = $8::BIGINT, qty_decimals = $9::INTEGER, volume_unit = $10, contract_multiplier = $11, source = $12
         WHERE exchange = $1 AND symbol = $2`,
        values,
      );
    });
  }

  private async readInstruments(where: string, values: DuckDBValue[] = []): Promise<Instrument[]> {
    return this.exclusive(async (conn) => {
      const rows = (
        await conn.runAndReadAll(
          `SELECT exchange, symbol, kind, base, quote, price_mantissa::DOUBLE, price_decimals, qty_mantissa::DOUBLE,
                  qty_decimals, volume_unit, contract_multiplier, source
           FROM instruments ${where} ORDER BY exchange, symbol`,
          values,
        )
      ).getRows();
      return rows.map((r) => instrumentFromRow(r, { num, numOrNull, str }));
    });
  }

  async getInstrument(exchange: string, symbol: string): Promise<Instrument | undefined> {
    return (await this.readInstruments('WHERE exchange = $1 AND symbol = $2', [exchange, symbol]))[0];
  }

  listInstruments(): Promise<Instrument[]> {
    return this.readInstruments('');
  }

  insertTrades(exchange: string, symbol: string, trades: readonly Trade[]): Promise<InsertResult> {
    return this.exclusive(async (conn) => {
      const inst = this.instId(exchange, symbol);
      trades.forEach((t, i) => checkTrade(exchange, symbol, t, i));
      const batch = canonicalBatch(trades);
      if (batch.trades.length === 0) return { inserted: 0, duplicates: trades.length };
      await this.stage(conn, batch);
      const lo = minuteOf(batch.minTs);
      const hi = minuteOf(batch.maxTs);
      const inMinutes = (col: string): string => `${col} BETWEEN ${lo} AND ${hi}`;
      // Zone maps prune the scans to the batch's id range (ids grow with time on every exchange we import).
      const notStored = [
        batch.minId <= batch.maxId
          ? `NOT EXISTS (SELECT 1 FROM trades AS t WHERE t.inst = ${inst} AND t.id_num BETWEEN ${batch.minId} AND ${batch.maxId}
                         AND t.id_num = s.id_num)`
          : 'true',
        batch.stringIds > 0
          ? `NOT EXISTS (SELECT 1 FROM trades AS t WHERE t.inst = ${inst}
                         AND t.id_str IN (SELECT id_str FROM staged WHERE id_str IS NOT NULL) AND t.id_str = s.id_str)`
          : 'true',
      ].join(' AND ');
      const hadGrid = this.cellGrids.has(inst);
      await conn.run('BEGIN TRANSACTION');
      try {
        // Bulk imports in id order find nothing stored in the batch's id range: the staged rows are the new
        // rows, read through a view instead of being copied once more.
        const clash =
          batch.stringIds > 0 ||
          (batch.minId <= batch.maxId &&
            (
              await conn.runAndReadAll(
                `SELECT EXISTS (SELECT 1 FROM trades WHERE inst = ${inst} AND id_num BETWEEN ${batch.minId} AND ${batch.maxId})`,
              )
            ).getRows()[0]?.[0] === true);
        if (clash) {
          await conn.run(`
            CREATE OR REPLACE TEMP TABLE fresh_rows AS
            SELECT s.* FROM staged AS s WHERE ${notStored} ORDER BY seq`);
          await conn.run('CREATE OR REPLACE TEMP VIEW fresh AS SELECT * FROM fresh_rows');
        } else {
          await conn.run('CREATE OR REPLACE TEMP VIEW fresh AS SELECT * FROM staged');
        }
        const inserted = clash
          ? num((await conn.runAndReadAll('SELECT count(*) FROM fresh')).getRows()[0]?.[0])
          : batch.trades.length;
        if (inserted > 0) {
          await conn.run(`
            INSERT INTO trades
            SELECT ${inst}, ts, id_num, id_str, price, qty, side, side_source, cnt, recv_ts FROM fresh`);
          await this.updateCells(conn, inst, inMinutes);
          // When every staged trade is new, the batch in hand is exactly the new rows, in canonical order.
          await this.updateBars(conn, inst, inMinutes, () =>
            inserted === batch.trades.length
              ? this.appendMinuteBars(conn, (add) => {
                  for (const t of batch.trades) add(t.ts, t.id, t.price, t.qty, t.side, t.count ?? 1);
                  return true;
                })
              : conn.run(`CREATE OR REPLACE TEMP TABLE nb AS ${minuteBarsOf('SELECT * FROM fresh', 'seq')}`),
          );
        }
        await conn.run('COMMIT');
        if (inserted > 0) this.cache.touch(inst, lo, hi);
        return { inserted, duplicates: trades.length - inserted };
      } catch (e) {
        await conn.run('ROLLBACK').catch(() => undefined);
        if (!hadGrid) this.cellGrids.delete(inst);
        throw new StoreError(
          'STORE_FAILED',
          `inserting ${trades.length} trades of ${exchange}:${symbol} failed`,
          {
            cause: e,
          },
        );
      }
    });
  }

  /**
   * Appends the batch to a fresh staging table through DuckDB data chunks, column by column, staging only the
   * columns the batch uses; the `staged` view gives every column its stored type and fills the rest.
   */
  private async stage(conn: DuckDBConnection, batch: CanonicalBatch): Promise<void> {
    const { trades } = batch;
    const cols = STAGE_COLUMNS.filter((c) => c.needed(batch));
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE stage (${cols.map((c) => `${c.name} ${c.stageType}`).join(', ')})`,
    );
    const appender = await conn.createAppender('stage', null, 'temp');
    try {
      const chunk = DuckDBDataChunk.create(
        cols.map((c) => c.type),
        CHUNK_ROWS,
      );
      for (let base = 0; base < trades.length; base += CHUNK_ROWS) {
        const n = Math.min(CHUNK_ROWS, trades.length - base);
        chunk.rowCount = n;
        cols.forEach((c, k) => {
          const vec = chunk.getColumnVector(k);
          const value = c.value;
          for (let i = 0; i < n; i++) vec.setItem(i, value(trades[base + i]!, base + i));
          vec.flush();
        });
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    const staged = STAGE_COLUMNS.map(
      (c) => (cols.includes(c) ? `${c.name}::${c.storedType}` : c.absent) + ` AS ${c.name}`,
    );
    await conn.run(`CREATE OR REPLACE TEMP VIEW staged AS SELECT ${staged.join(', ')} FROM stage`);
  }

  /** The instrument's cell grid, fixed from the first price of `fresh` when it has none yet. */
  private async cellGrid(conn: DuckDBConnection, inst: number): Promise<number> {
    const have = this.cellGrids.get(inst);
    if (have !== undefined) return have;
    const first = (await conn.runAndReadAll('SELECT price::DOUBLE FROM fresh LIMIT 1')).getRows()[0];
    const grid = cellTicksFor(first === undefined ? 0 : num(first[0]));
    await conn.run(`INSERT INTO cell_grids VALUES (${inst}, ${grid})`);
    // Forgotten again when the transaction rolls back (insertTrades).
    this.cellGrids.set(inst, grid);
    return grid;
  }

  /** Cells are sums: add the new trades' sums to existing cells, insert the rest. */
  private async updateCells(
    conn: DuckDBConnection,
    inst: number,
    inMinutes: (col: string) => string,
  ): Promise<void> {
    await DuckDbTradeStore.sumNewCells(conn, await this.cellGrid(conn, inst));
    await DuckDbTradeStore.mergeCells(conn, inst, inMinutes);
  }

  /** The new trades' cell sums (table dcell). */
  private static sumNewCells(conn: DuckDBConnection, grid: number): Promise<unknown> {
    return conn.run(`CREATE OR REPLACE TEMP TABLE dcell AS ${minuteCellsOf('SELECT * FROM fresh', grid)}`);
  }

  private static async mergeCells(
    conn: DuckDBConnection,
    inst: number,
    inMinutes: (col: string) => string,
  ): Promise<void> {
    await conn.run(`
      UPDATE minute_cells AS c
      SET buy = c.buy + d.buy, sell = c.sell + d.sell,
          buy_trades = c.buy_trades + d.buy_trades, sell_trades = c.sell_trades + d.sell_trades
      FROM dcell AS d
      WHERE c.inst = ${inst} AND ${inMinutes('c.minute')} AND c.minute = d.minute AND c.tick = d.tick`);
    await conn.run(`
      INSERT INTO minute_cells
      SELECT ${inst}, d.minute, d.tick, d.buy, d.sell, d.buy_trades, d.sell_trades FROM dcell AS d
      WHERE NOT EXISTS (
        SELECT 1 FROM minute_cells AS c
        WHERE c.inst = ${inst} AND ${inMinutes('c.minute')} AND c.minute = d.minute AND c.tick = d.tick)
      ORDER BY d.minute, d.tick`);
  }

  /** Minute bar statistics of trades in canonical order, computed in one pass, as table nb (false: `fill` refused). */
  private async appendMinuteBars(
    conn: DuckDBConnection,
    fill: (add: AddTrade) => boolean | Promise<boolean>,
  ): Promise<boolean> {
    const bars = await minuteBarRows(fill);
    if (bars === undefined) return false;
    await DuckDbTradeStore.stageMinuteBars(conn, bars);
    return true;
  }

  /** Minute bars (rows of NB_STAGE_COLUMNS) as table nb. */
  private static async stageMinuteBars(conn: DuckDBConnection, bars: readonly BarRow[]): Promise<void> {
    await conn.run(`CREATE OR REPLACE TEMP TABLE nb_stage (${NB_STAGE_COLUMNS})`);
    const appender = await conn.createAppender('nb_stage', null, 'temp');
    try {
      const chunk = DuckDBDataChunk.create(NB_STAGE_TYPES, CHUNK_ROWS);
      const v = NB_STAGE_TYPES.map((_, c) => chunk.getColumnVector(c));
      for (let base = 0; base < bars.length; base += CHUNK_ROWS) {
        const n = Math.min(CHUNK_ROWS, bars.length - base);
        for (let i = 0; i < n; i++) bars[base + i]!.forEach((x, c) => v[c]!.setItem(i, x));
        chunk.rowCount = n;
        for (const vec of v) vec.flush();
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    await conn.run(`
      CREATE OR REPLACE TEMP TABLE nb AS
      SELECT minute::BIGINT AS minute, open::BIGINT AS open, high::BIGINT AS high, low::BIGINT AS low,
             close::BIGINT AS close, first_ts::BIGINT AS first_ts, first_id_num::BIGINT AS first_id_num, first_id_str,
             last_ts::BIGINT AS last_ts, last_id_num::BIGINT AS last_id_num, last_id_str, buy::BIGINT AS buy,
             sell::BIGINT AS sell, buy_trades::BIGINT AS buy_trades, sell_trades::BIGINT AS sell_trades,
             min_delta::BIGINT AS min_delta, max_delta::BIGINT AS max_delta
      FROM nb_stage`);
  }

  /** The trades of `fresh` as stored (the bulk insert keeps the file's order), or sorted by id. */
  private static freshRows(conn: DuckDBConnection, sorted: boolean): Promise<DuckDBMaterializedResult> {
    return conn.run(
      `SELECT ts::DOUBLE, id_num::DOUBLE, price::DOUBLE, qty::DOUBLE, side::DOUBLE, coalesce(cnt, 1)::DOUBLE
       FROM fresh ${sorted ? 'ORDER BY id_num' : ''}`,
    );
  }

  /**
   * Bar statistics are path dependent. `buildNb` leaves the new trades' minute bars in table nb. A minute whose
   * new trades all come after its stored last trade is merged arithmetically (the running delta continues from
   * the stored delta); a minute that received a trade in its middle (late/backfill) is recomputed from its
   * stored trades.
   */
  private async updateBars(
    conn: DuckDBConnection,
    inst: number,
    inMinutes: (col: string) => string,
    buildNb: () => Promise<unknown>,
  ): Promise<void> {
    await buildNb();
    await conn.run(`
      CREATE OR REPLACE TEMP TABLE ob AS
      SELECT * FROM minute_bars WHERE inst = ${inst} AND ${inMinutes('minute')} AND minute IN (SELECT minute FROM nb)`);
    await conn.run(`
      CREATE OR REPLACE TEMP TABLE redo AS
      SELECT o.minute FROM ob AS o JOIN nb AS n USING (minute)
      WHERE ${orderKey('n.first_ts', 'n.first_id_num', 'n.first_id_str')}
         <= ${orderKey('o.last_ts', 'o.last_id_num', 'o.last_id_str')}`);
    await conn.run(
      `DELETE FROM minute_bars WHERE inst = ${inst} AND ${inMinutes('minute')} AND minute IN (SELECT minute FROM nb)`,
    );
    await conn.run(`
      INSERT INTO minute_bars (inst, ${BAR_COLUMNS})
      SELECT ${inst}, ${BAR_COLUMNS} FROM nb WHERE minute NOT IN (SELECT minute FROM ob)
      UNION ALL
      SELECT ${inst}, o.minute, o.open, greatest(o.high, n.high), least(o.low, n.low), n.close,
             o.first_ts, o.first_id_num, o.first_id_str, n.last_ts, n.last_id_num, n.last_id_str,
             o.buy + n.buy, o.sell + n.sell, o.buy_trades + n.buy_trades, o.sell_trades + n.sell_trades,
             least(o.min_delta, o.buy - o.sell + n.min_delta), greatest(o.max_delta, o.buy - o.sell + n.max_delta)
      FROM ob AS o JOIN nb AS n USING (minute)
      WHERE o.minute NOT IN (SELECT minute FROM redo)`);
    const redo = (
      await conn.runAndReadAll('SELECT count(*), min(minute)::DOUBLE, max(minute)::DOUBLE FROM redo')
    ).getRows()[0];
    if (redo === undefined || num(redo[0]) === 0) return;
    const from = num(redo[1]);
    const to = num(redo[2]) + 60_000_000;
    await conn.run(`
      INSERT INTO minute_bars (inst, ${BAR_COLUMNS})
      SELECT ${inst}, ${BAR_COLUMNS} FROM (${minuteBarsOf(
        `
        SELECT * FROM trades
        WHERE inst = ${inst} AND ts >= ${from} AND ts < ${to} AND ${MINUTE('ts')} IN (SELECT minute FROM redo)`,
        orderKey('ts', 'id_num', 'id_str'),
      )})`);
  }

  /**
   * Bulk import of one CSV file that DuckDB parses itself (SQL in duckdb-csv-import.ts), in one transaction:
   * the instrument when `create` is given, the file's trades not yet stored, and the rollups. Resolves
   * undefined, having written nothing, when the file fails any check (the caller then takes the JS path).
   * Stored ids in the file's id range are skipped by an anti-join; otherwise the rows go straight from
   * read_csv into trades.
   */
  importCsv(
    exchange: string,
    symbol: string,
    create: Instrument | undefined,
    spec: CsvImportSpec,
    /** Called once the file is read, before the rollups and the commit (progress). */
    onRead?: () => void,
  ): Promise<CsvImportResult | undefined> {
    return this.exclusive(async (conn) => {
      const key = instrumentKey(exchange, symbol);
      const existing = this.instIds.get(key);
      if (existing === undefined && create === undefined) this.instId(exchange, symbol);
      const idRange = `id_num BETWEEN ${spec.firstId} AND ${spec.lastId}`;
      const hadGrid = existing !== undefined && this.cellGrids.has(existing);
      // The line check reads only the file: on a connection of its own it runs beside the insert (the insert's
      // ordered write leaves a core idle), and decides before the commit.
      const linesChecked = this.csvLinesChecked(spec);
      await conn.run('BEGIN TRANSACTION');
      let inst = existing;
      try {
        inst ??= await this.insertInstrument(conn, create!);
        const overlap =
          existing !== undefined &&
          (
            await conn.runAndReadAll(
              `SELECT EXISTS (SELECT 1 FROM trades WHERE inst = ${inst} AND ${idRange})`,
            )
          ).getRows()[0]?.[0] === true;
        const rows = overlap ? 'csv_rows' : 'fresh';
        try {
          if (overlap) {
            await conn.run(`CREATE OR REPLACE TEMP TABLE csv_rows AS ${csvTradesSql(spec)}`);
          } else {
            await conn.run(`
              INSERT INTO trades
              SELECT ${inst}, ts, id_num, NULL, price, qty, side, 0, cnt, NULL FROM (${csvTradesSql(spec)})`);
          }
        } catch (e) {
          await linesChecked;
          await this.rollbackImport(conn, key, existing, hadGrid);
          if (isInputError(e)) return undefined;
          throw e;
        }
        const lines = await linesChecked;
        if (lines instanceof Error) throw lines;
        if (overlap) {
          await conn.run(`
            CREATE OR REPLACE TEMP TABLE fresh_rows AS
            SELECT ts, id_num, NULL::VARCHAR AS id_str, price, qty, side, cnt FROM csv_rows AS s
            WHERE NOT EXISTS (SELECT 1 FROM trades AS t WHERE t.inst = ${inst} AND t.${idRange} AND t.id_num = s.id_num)
            ORDER BY id_num`);
          await conn.run('CREATE OR REPLACE TEMP VIEW fresh AS SELECT * FROM fresh_rows');
          await conn.run(`
            INSERT INTO trades
            SELECT ${inst}, ts, id_num, NULL, price, qty, side, 0, cnt, NULL FROM fresh_rows`);
        } else {
          await conn.run(`
            CREATE OR REPLACE TEMP VIEW fresh AS
            SELECT ts, id_num, id_str, price, qty, side, cnt FROM trades WHERE inst = ${inst} AND ${idRange}`);
        }
        const s = (
          await conn.runAndReadAll(
            `SELECT count(*)::DOUBLE, min(ts)::DOUBLE, max(ts)::DOUBLE, min(id_num)::DOUBLE, max(id_num)::DOUBLE,
                    count(*) FILTER (WHERE side = ${REFUSED_SIDE})::DOUBLE
             FROM ${rows}`,
          )
        ).getRows()[0];
        const [count, firstTs, lastTs, firstId, lastId, refused] = (s ?? []).map((v) => numOrNull(v));
        // the first and last lines bound the ids the anti-join and the view looked at
        if (
          !count ||
          count !== lines ||
          refused !== 0 ||
          firstId !== spec.firstId ||
          lastId !== spec.lastId
        ) {
          await this.rollbackImport(conn, key, existing, hadGrid);
          return undefined;
        }
        const inserted = overlap
          ? num((await conn.runAndReadAll('SELECT count(*) FROM fresh_rows')).getRows()[0]?.[0])
          : count;
        onRead?.();
        const lo = minuteOf(firstTs!);
        const hi = minuteOf(lastTs!);
        const inMinutes = (c: string): string => `${c} BETWEEN ${lo} AND ${hi}`;
        if (inserted > 0) {
          // The bars come from one pass in id order, which also proves that order canonical; DuckDB sums the
          // cells meanwhile.
          const grid = await this.cellGrid(conn, inst);
          const stored = await DuckDbTradeStore.freshRows(conn, false);
          const cells = DuckDbTradeStore.sumNewCells(conn, grid);
          let bars = await minuteBarRows((add) => inIdOrder(stored, add));
          await cells;
          bars ??= await minuteBarRows(async (add) =>
            inIdOrder(await DuckDbTradeStore.freshRows(conn, true), add),
          );
          if (bars === undefined) {
            await this.rollbackImport(conn, key, existing, hadGrid);
            return undefined;
          }
          await DuckDbTradeStore.stageMinuteBars(conn, bars);
          await DuckDbTradeStore.mergeCells(conn, inst, inMinutes);
          await this.updateBars(conn, inst, inMinutes, () => Promise.resolve());
        }
        await conn.run('COMMIT');
        if (inserted > 0) this.cache.touch(inst, lo, hi);
        return {
          rows: count,
          inserted,
          duplicates: count - inserted,
          firstTs: firstTs!,
          lastTs: lastTs!,
          firstId,
          lastId,
        };
      } catch (e) {
        await this.rollbackImport(conn, key, existing, hadGrid);
        throw new StoreError('STORE_FAILED', `importing ${spec.path} into ${key} failed`, { cause: e });
      }
    });
  }

  /**
   * The file's line count when every line passes csvLinesSql; undefined when one does not or DuckDB cannot read
   * the file as lines; any other failure as the Error (returned, so that it never goes unhandled while the insert
   * runs).
   */
  private async csvLinesChecked(spec: CsvImportSpec): Promise<number | undefined | Error> {
    const instance = this.instance;
    if (instance === undefined)
      return new StoreError('STORE_CLOSED', `the DuckDB store ${this.path} is not open`);
    const conn = await instance.connect();
    try {
      const [lines, bad] = (await conn.runAndReadAll(csvLinesSql(spec))).getRows()[0]!.map(num);
      return bad === 0 ? lines : undefined;
    } catch (e) {
      return isInputError(e) ? undefined : (e as Error);
    } finally {
      conn.closeSync();
    }
  }

  /** Undoes a bulk import, and what it taught the store's memos (a new instrument, its cell grid). */
  private async rollbackImport(
    conn: DuckDBConnection,
    key: string,
    existing: number | undefined,
    hadGrid: boolean,
  ): Promise<void> {
    await conn.run('ROLLBACK').catch(() => undefined);
    const inst = this.instIds.get(key);
    if (!hadGrid && inst !== undefined) this.cellGrids.delete(inst);
    if (existing === undefined) this.instIds.delete(key);
  }

  private static tradeOf(exchange: string, symbol: string, r: readonly DuckDBValue[]): Trade {
    const cnt = r[7];
    const recv = r[8];
    const t: Trade = {
      exchange,
      symbol,
      id: idOf(r[1], r[2]),
      ts: micros(num(r[0])),
      price: ticks(num(r[3])),
      qty: lots(num(r[4])),
      side: num(r[5]) as Side,
      sideSource: num(r[6]) === 1 ? 'tick-rule' : 'exchange',
      ...(cnt === null || cnt === undefined ? {} : { count: num(cnt) }),
      ...(recv === null || recv === undefined ? {} : { recvTs: micros(num(recv)) }),
    };
    return t;
  }

  private tradesSql(inst: number, fromUs: number, toUs: number): string {
    return `SELECT ${TRADE_COLUMNS} FROM trades
            WHERE inst = ${inst} AND ts >= ${intLiteral(fromUs)} AND ts < ${intLiteral(toUs)}
            ORDER BY ${ORDER_KEY}`;
  }

  readTrades(exchange: string, symbol: string, fromUs: number, toUs: number): Promise<Trade[]> {
    return this.exclusive(async (conn) => {
      const inst = this.instId(exchange, symbol);
      const rows = (await conn.runAndReadAll(this.tradesSql(inst, fromUs, toUs))).getRows();
      return rows.map((r) => DuckDbTradeStore.tradeOf(exchange, symbol, r));
    });
  }

  /** Streams on a connection of its own: one consistent snapshot, and writes are not held up meanwhile. */
  async *iterateTrades(
    exchange: string,
    symbol: string,
    fromUs: number,
    toUs: number,
    batchSize = DEFAULT_ITERATE_BATCH,
  ): AsyncIterable<Trade[]> {
    const inst = await this.exclusive(() => Promise.resolve(this.instId(exchange, symbol)));
    const instance = this.instance;
    if (instance === undefined)
      throw new StoreError('STORE_CLOSED', `the DuckDB store ${this.path} is not open`);
    const conn = await instance.connect();
    try {
      const result = await conn.stream(this.tradesSql(inst, fromUs, toUs));
      let batch: Trade[] = [];
      for await (const chunk of result) {
        for (const r of chunk.getRows()) {
          batch.push(DuckDbTradeStore.tradeOf(exchange, symbol, r));
          if (batch.length >= batchSize) {
            yield batch;
            batch = [];
          }
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      conn.closeSync();
    }
  }

  /**
   * SQL yielding (minute, row, buy, sell, buy_trades, sell_trades) for the minutes of inst starting in
   * [fromUs, toUs), row = floor(price / rowTicks), one line per stored cell (callers sum per row): the cells when
   * rows are whole cells of the instrument's grid, else the trades themselves.
   */
  private cellRows(inst: number, fromUs: number, toUs: number, rowTicks: number): string {
    const grid = this.cellGrids.get(inst) ?? 1;
    if (rowTicks % grid === 0) {
      return `SELECT minute, ${floorDiv('tick', rowTicks / grid)} AS row, buy, sell, buy_trades, sell_trades
              FROM minute_cells
              WHERE inst = ${inst} AND minute >= ${intLiteral(fromUs)} AND minute < ${intLiteral(toUs)}`;
    }
    const ceil = (us: number): string => intLiteral(Math.ceil(us / US_PER_MINUTE) * US_PER_MINUTE);
    return `SELECT ${MINUTE('ts')} AS minute, ${floorDiv('price', rowTicks)} AS row,
              CASE WHEN side = 1 THEN qty ELSE 0 END AS buy, CASE WHEN side = -1 THEN qty ELSE 0 END AS sell,
              CASE WHEN side = 1 THEN coalesce(cnt, 1) ELSE 0 END AS buy_trades,
              CASE WHEN side = -1 THEN coalesce(cnt, 1) ELSE 0 END AS sell_trades
            FROM trades WHERE inst = ${inst} AND ts >= ${ceil(fromUs)} AND ts < ${ceil(toUs)}`;
  }

  /** Rollups of [fromUs, toUs) straight from SQL (no cache). */
  private async rollupsSql(
    conn: DuckDBConnection,
    inst: number,
    fromUs: number,
    toUs: number,
    rowTicks: number,
  ): Promise<MinuteRollup[]> {
    const where = `inst = ${inst} AND minute >= ${intLiteral(fromUs)} AND minute < ${intLiteral(toUs)}`;
    const cellsSql =
      rowTicks === 1 && (this.cellGrids.get(inst) ?? 1) === 1
        ? `SELECT minute::DOUBLE, tick::DOUBLE, buy::DOUBLE, sell::DOUBLE, buy_trades::DOUBLE, sell_trades::DOUBLE
           FROM minute_cells WHERE ${where} ORDER BY minute, tick`
        : `SELECT minute::DOUBLE, (row * ${rowTicks})::DOUBLE AS r, sum(buy)::DOUBLE, sum(sell)::DOUBLE,
                  sum(buy_trades)::DOUBLE, sum(sell_trades)::DOUBLE
           FROM (${this.cellRows(inst, fromUs, toUs, rowTicks)}) GROUP BY minute, r ORDER BY minute, r`;
    const bars = (
      await conn.runAndReadAll(
        `SELECT minute::DOUBLE, open::DOUBLE, high::DOUBLE, low::DOUBLE, close::DOUBLE, first_ts::DOUBLE,
                first_id_num::DOUBLE, first_id_str, last_ts::DOUBLE, last_id_num::DOUBLE, last_id_str,
                buy::DOUBLE, sell::DOUBLE, buy_trades::DOUBLE, sell_trades::DOUBLE, min_delta::DOUBLE, max_delta::DOUBLE
         FROM minute_bars WHERE ${where} ORDER BY minute`,
      )
    ).getRows();
    const cellCols = (await conn.runAndReadAll(cellsSql)).getColumns();
    const [cm = [], ct = [], cb = [], cs = [], cbt = [], cst = []] = cellCols;
    let j = 0;
    return bars.map((r): MinuteRollup => {
      const minute = num(r[0]);
      const cells: RollupCell[] = [];
      while (j < cm.length && num(cm[j]) < minute) j++;
      for (; j < cm.length && num(cm[j]) === minute; j++) {
        cells.push({
          tick: num(ct[j]),
          buy: num(cb[j]),
          sell: num(cs[j]),
          buyTrades: num(cbt[j]),
          sellTrades: num(cst[j]),
        });
      }
      return minuteBarFromRow(r, { num, numOrNull, str, idOf }, cells);
    });
  }

  /** [first minute, last minute + 1 minute) holding rollups of inst, or undefined when it has none. */
  private async minuteBounds(
    conn: DuckDBConnection,
    inst: number,
  ): Promise<readonly [number, number] | undefined> {
    const key = `bounds:${inst}`;
    const stamp = this.cache.instStamp(inst);
    const hit = this.cache.get<readonly [number, number] | null>(key, stamp);
    if (hit !== undefined) return hit ?? undefined;
    const r = (
      await conn.runAndReadAll(
        `SELECT min(minute)::DOUBLE, max(minute)::DOUBLE FROM minute_bars WHERE inst = ${inst}`,
      )
    ).getRows()[0];
    const lo = numOrNull(r?.[0]);
    const hi = numOrNull(r?.[1]);
    const bounds = lo === null || hi === null ? null : ([lo, hi + US_PER_MINUTE] as const);
    this.cache.set(key, stamp, bounds, 1);
    return bounds ?? undefined;
  }

  /**
   * Items of [fromUs, toUs) (ordered by time within one load) read chunk by chunk: whole chunks of chunkUs come
   * from the cache when no write touched their days since, the rest from one load over the missing span; edges
   * that are not whole chunks are always loaded.
   */
  private async chunked<T>(
    conn: DuckDBConnection,
    inst: number,
    fromUs: number,
    toUs: number,
    chunkUs: number,
    key: string,
    load: (from: number, to: number) => Promise<T[]>,
    timeOf: (x: T) => number,
    sizeOf: (x: T) => number,
  ): Promise<T[]> {
    const bounds = await this.minuteBounds(conn, inst);
    if (bounds === undefined) return [];
    // Clamped to whole chunks around the data, so the chunks of the data stay whole (and cacheable).
    const from = Math.max(fromUs, Math.floor(bounds[0] / chunkUs) * chunkUs);
    const to = Math.min(toUs, Math.ceil(bounds[1] / chunkUs) * chunkUs);
    if (from >= to) return [];
    const plan = planChunks(from, to, chunkUs);
    const out: T[][] = [];
    if (plan.head !== undefined) out.push(await load(plan.head[0], plan.head[1]));
    const got = new Map<number, T[]>();
    const missing: number[] = [];
    for (const c of plan.chunks) {
      const hit = this.cache.get<T[]>(`${key}:${c}`, this.cache.stamp(inst, c, c + chunkUs));
      if (hit === undefined) missing.push(c);
      else got.set(c, hit);
    }
    const lo = missing[0];
    const hi = missing[missing.length - 1];
    if (lo !== undefined && hi !== undefined) {
      const loaded = new Map<number, T[]>(missing.map((c) => [c, []]));
      for (const x of await load(lo, hi + chunkUs)) {
        loaded.get(Math.floor(timeOf(x) / chunkUs) * chunkUs)?.push(x);
      }
      for (const [c, items] of loaded) {
        got.set(c, items);
        const size = items.reduce((s, x) => s + sizeOf(x), 1);
        this.cache.set(`${key}:${c}`, this.cache.stamp(inst, c, c + chunkUs), items, size);
      }
    }
    for (const c of plan.chunks) out.push(got.get(c)!);
    if (plan.tail !== undefined) out.push(await load(plan.tail[0], plan.tail[1]));
    return out.length === 1 ? out[0]! : out.flat();
  }

  /** Whole UTC days are memoized (see RollupCache); the result is fresh arrays of shared, frozen-by-type rollups. */
  readMinuteRollups(
    exchange: string,
    symbol: string,
    fromUs: number,
    toUs: number,
    rowTicks = 1,
  ): Promise<MinuteRollup[]> {
    return this.exclusive(async (conn) => {
      checkRowTicks(rowTicks);
      const inst = this.instId(exchange, symbol);
      const list = await this.chunked(
        conn,
        inst,
        fromUs,
        toUs,
        US_PER_DAY,
        `rollups:${inst}:${rowTicks}`,
        (from, to) => this.rollupsSql(conn, inst, from, to, rowTicks),
        (m) => m.minute,
        (m) => 1 + m.cells.length,
      );
      return [...list];
    });
  }

  readRowTotals(
    exchange: string,
    symbol: string,
    fromUs: number,
    toUs: number,
    rowTicks: number,
  ): Promise<ProfileRow[]> {
    return this.exclusive(async (conn) => {
      checkRowTicks(rowTicks);
      const inst = this.instId(exchange, symbol);
      const perDay = await this.chunked(
        conn,
        inst,
        fromUs,
        toUs,
        US_PER_DAY,
        `rows:${inst}:${rowTicks}`,
        async (from, to) => {
          const [d = [], r = [], b = [], s = [], bt = [], st = []] = (
            await conn.runAndReadAll(`
              SELECT (minute // ${US_PER_DAY} * ${US_PER_DAY})::DOUBLE AS day, row::DOUBLE AS row,
                     sum(buy)::DOUBLE, sum(sell)::DOUBLE, sum(buy_trades)::DOUBLE, sum(sell_trades)::DOUBLE
              FROM (${this.cellRows(inst, from, to, rowTicks)})
              GROUP BY day, row ORDER BY day, row`)
          ).getColumns();
          return d.map((day, i) => ({
            day: num(day),
            row: num(r[i]),
            buy: num(b[i]),
            sell: num(s[i]),
            buyTrades: num(bt[i]),
            sellTrades: num(st[i]),
          }));
        },
        (x) => x.day,
        () => 1,
      );
      const rows = new Map<
        number,
        { row: number; buy: number; sell: number; buyTrades: number; sellTrades: number }
      >();
      for (const c of perDay) {
        const x = rows.get(c.row);
        if (x === undefined)
          rows.set(c.row, {
            row: c.row,
            buy: c.buy,
            sell: c.sell,
            buyTrades: c.buyTrades,
            sellTrades: c.sellTrades,
          });
        else {
          x.buy += c.buy;
          x.sell += c.sell;
          x.buyTrades += c.buyTrades;
          x.sellTrades += c.sellTrades;
        }
      }
      return [...rows.values()].sort((a, b) => a.row - b.row);
    });
  }

  /**
   * Gaps and islands in SQL: per (bar, row) sums, the one-sided rows with volume, and each run of consecutive
   * rows as one island (row − its rank within the bar is constant along a run). Chunks are whole bars.
   */
  readOneSidedRuns(
    exchange: string,
    symbol: string,
    fromUs: number,
    toUs: number,
    rowTicks: number,
    barUs: number,
  ): Promise<OneSidedRun[]> {
    return this.exclusive(async (conn) => {
      checkRowTicks(rowTicks);
      checkBarUs(barUs);
      const inst = this.instId(exchange, symbol);
      const chunkUs = barUs * Math.max(1, Math.round(US_PER_DAY / barUs));
      return this.chunked(
        conn,
        inst,
        fromUs,
        toUs,
        chunkUs,
        `onesided:${inst}:${rowTicks}:${barUs}`,
        async (from, to) => {
          const [bar = [], lo = [], hi = []] = (
            await conn.runAndReadAll(`
              WITH cells AS (
                SELECT ${floorDiv('minute', barUs)} * ${barUs} AS bar, row, sum(buy) AS b, sum(sell) AS s
                FROM (${this.cellRows(inst, from, to, rowTicks)})
                GROUP BY bar, row
              ), one AS (
                SELECT bar, row, row - row_number() OVER (PARTITION BY bar ORDER BY row) AS island
                FROM cells WHERE b + s > 0 AND (b = 0) <> (s = 0)
              )
              SELECT bar::DOUBLE, min(row)::DOUBLE AS lo, max(row)::DOUBLE FROM one
              GROUP BY bar, island ORDER BY bar, lo`)
          ).getColumns();
          return bar.map((b, i): OneSidedRun => ({
            barStart: num(b),
            lowRow: num(lo[i]),
            highRow: num(hi[i]),
          }));
        },
        (x) => x.barStart,
        () => 1,
      );
    });
  }

  readLastClose(exchange: string, symbol: string, fromUs: number, toUs: number): Promise<number | undefined> {
    return this.exclusive(async (conn) => {
      const inst = this.instId(exchange, symbol);
      const r = (
        await conn.runAndReadAll(
          `SELECT close::DOUBLE FROM minute_bars
           WHERE inst = ${inst} AND minute >= ${intLiteral(fromUs)} AND minute < ${intLiteral(toUs)}
           ORDER BY minute DESC LIMIT 1`,
        )
      ).getRows()[0];
      return r === undefined ? undefined : num(r[0]);
    });
  }

  stats(options: StatsOptions = {}): Promise<InstrumentStats[]> {
    const maxRanges = Math.max(0, Math.floor(options.maxGapRanges ?? DEFAULT_MAX_GAP_RANGES));
    return this.exclusive(async (conn) => {
      const main = (
        await conn.runAndReadAll(`
          SELECT i.inst, i.exchange, i.symbol, count(t.ts)::DOUBLE, coalesce(sum(CASE WHEN t.ts IS NULL THEN 0 ELSE coalesce(t.cnt, 1) END), 0)::DOUBLE,
                 min(t.ts)::DOUBLE, max(t.ts)::DOUBLE, min(t.id_num)::DOUBLE, max(t.id_num)::DOUBLE, count(t.id_str)::DOUBLE
          FROM instruments AS i LEFT JOIN trades AS t ON t.inst = i.inst
          GROUP BY i.inst, i.exchange, i.symbol ORDER BY i.exchange, i.symbol`)
      ).getRows();
      const gapsSql = `
        WITH g AS (
          SELECT inst, id_num AS prev, lead(id_num) OVER (PARTITION BY inst ORDER BY id_num) AS next
          FROM trades WHERE id_num IS NOT NULL
        ) SELECT * FROM g WHERE next - prev > 1`;
      const totals = (
        await conn.runAndReadAll(
          `SELECT inst, count(*)::DOUBLE, sum(next - prev - 1)::DOUBLE FROM (${gapsSql}) GROUP BY inst`,
        )
      ).getRows();
      const ranges = (
        await conn.runAndReadAll(`
          SELECT inst, (prev + 1)::DOUBLE, (next - 1)::DOUBLE FROM (${gapsSql})
          QUALIFY row_number() OVER (PARTITION BY inst ORDER BY prev) <= ${maxRanges}
          ORDER BY inst, prev`)
      ).getRows();
      return statsFromRows(main, totals, ranges, { num, numOrNull, str });
    });
  }
}
