// TradeStore on PostgreSQL for the scale-out deployment: month-partitioned trades, idempotent on (exchange, symbol,
// id), minute rollups kept in the same transaction as the trades, COPY for big batches; safe for many writer processes.
//
// Choices (docs/analytics-choices.md, "Scale-out"): writers of one instrument are serialized by a transaction-level
// advisory lock (so rollup read-modify-write and the (inst, id) anti-join are exact across processes); partitions are
// per UTC month of trade time, created on demand and one month ahead; rollup bars are merged arithmetically when the new trades of a minute all come after
// its stored last trade, and recomputed from the stored trades of that minute otherwise (as the DuckDB store does).

import { instrumentFromRow, instrumentRow, minuteBarFromRow, statsFromRows } from './stats-rows.ts';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { instrumentKey, type Instrument } from '../core/instrument.ts';
import type { Trade, TradeId } from '../core/trade.ts';
import { lots, micros, ticks, type Side } from '../core/units.ts';
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
import {
  BAR_COLS,
  checkIdentifier,
  createTables,
  monthPartitionOf,
  pgBound,
  PG_ORDER,
  TRADE_SELECT,
} from './postgres-schema.ts';
import { minuteOf, minuteRollupOf } from './rollups.ts';
import { checkTrade, compareTradeOrder, idKey } from './trade-order.ts';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database (default: PG* environment variables, as libpq). */
  readonly connectionString?: string;
  /** Schema holding the tables (default "orderflow"); created when missing. */
  readonly schema?: string;
  /** Connections in the pool (default 8). */
  readonly poolSize?: number;
  /** Give up connecting after this long (default 5000 ms), so an unreachable server fails a write instead of hanging. */
  readonly connectTimeoutMs?: number;
  /** Client-side limit of one statement (default 120000 ms). */
  readonly queryTimeoutMs?: number;
  /** Batches at least this big are loaded with COPY into a staging table; smaller ones travel as arrays. */
  readonly copyMinRows?: number;
  /** Readers (gateways) with SELECT rights only: open() creates nothing and expects the schema to exist. */
  readonly readOnly?: boolean;
}

export const DEFAULT_PG_SCHEMA = 'orderflow';
const DEFAULT_COPY_MIN_ROWS = 2000;

/** bigint and numeric arrive as JS numbers: every value the store keeps is a safe integer. */
const toNumber = (v: string): number => Number(v);
const defaultParser = pg.types.getTypeParser.bind(pg.types) as (
  oid: number,
  format: 'text',
) => (v: string) => unknown;
const TYPES = {
  getTypeParser: ((oid: number) =>
    oid === 20 || oid === 1700 ? toNumber : defaultParser(oid, 'text')) as typeof pg.types.getTypeParser,
};

type Row = readonly unknown[];

const num = (v: unknown): number => {
  if (typeof v === 'number') return v;
  throw new StoreError('STORE_FAILED', `expected a number from PostgreSQL, got ${String(v)}`);
};
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));
const str = (v: unknown): string => {
  if (typeof v === 'string') return v;
  throw new StoreError('STORE_FAILED', `expected a string from PostgreSQL, got ${String(v)}`);
};
const idOf = (n: unknown, s: unknown): TradeId => (n === null ? str(s) : num(n));
const idNum = (id: TradeId): number | null => (typeof id === 'number' ? id : null);
const idStr = (id: TradeId): string | null => (typeof id === 'string' ? id : null);

const sameScale = (a: Instrument, b: Instrument): boolean =>
  a.price.mantissa === b.price.mantissa &&
  a.price.decimals === b.price.decimals &&
  a.qty.mantissa === b.qty.mantissa &&
  a.qty.decimals === b.qty.decimals &&
  a.volumeUnit === b.volumeUnit;

/** First occurrence of each id, in canonical (ts, id) order. */
function canonical(trades: readonly Trade[]): Trade[] {
  const seen = new Set<string>();
  const out: Trade[] = [];
  for (const t of trades) {
    const k = idKey(t.id);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(t);
  }
  return out.sort(compareTradeOrder);
}

/** COPY text format: backslash, tab and line breaks escaped, \N for NULL. */
const copyText = (v: string | number | null | undefined): string =>
  v === null || v === undefined
    ? '\\N'
    : typeof v === 'number'
      ? String(v)
      : v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

function tradeOf(exchange: string, symbol: string, r: Row): Trade {
  const cnt = r[7];
  const recv = r[8];
  return {
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
}

/** A stored bar merged with the rollup of trades that all come after its last trade. */
function appendToBar(o: MinuteRollup, n: MinuteRollup): MinuteRollup {
  return {
    ...o,
    high: Math.max(o.high, n.high),
    low: Math.min(o.low, n.low),
    close: n.close,
    lastTs: n.lastTs,
    lastId: n.lastId,
    buy: o.buy + n.buy,
    sell: o.sell + n.sell,
    buyTrades: o.buyTrades + n.buyTrades,
    sellTrades: o.sellTrades + n.sellTrades,
    // The running delta of the new trades starts from the stored minute's final delta.
    minDelta: Math.min(o.minDelta, o.buy - o.sell + n.minDelta),
    maxDelta: Math.max(o.maxDelta, o.buy - o.sell + n.maxDelta),
  };
}

function barOf(r: Row): MinuteRollup {
  return minuteBarFromRow(r, { num, numOrNull, str, idOf });
}

export class PostgresTradeStore implements TradeStore {
  readonly schema: string;
  private pool: pg.Pool | undefined;
  private readonly instIds = new Map<string, number>();
  private readonly partitions = new Set<string>();
  private readonly copyMinRows: number;

  constructor(private readonly options: PostgresStoreOptions = {}) {
    this.schema = checkIdentifier(options.schema ?? DEFAULT_PG_SCHEMA);
    this.copyMinRows = options.copyMinRows ?? DEFAULT_COPY_MIN_ROWS;
  }

  /** Where the store is, without credentials (for logs and health). */
  get description(): string {
    const cs = this.options.connectionString ?? '';
    return `postgres ${cs.replace(/\/\/[^@/]*@/, '//')} schema ${this.schema}`;
  }

  async open(): Promise<void> {
    if (this.pool !== undefined) return;
    const pool = new pg.Pool({
      ...(this.options.connectionString === undefined
        ? {}
        : { connectionString: this.options.connectionString }),
      max: this.options.poolSize ?? 8,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 5000,
      query_timeout: this.options.queryTimeoutMs ?? 120_000,
      options: `-c search_path=${this.schema}`,
      types: TYPES,
    });
    // An idle connection the server drops must not crash the process; the next query gets a fresh one.
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      if (this.options.readOnly === true) {
        client.release();
        this.pool = pool;
        return;
      }
      try {
        // Concurrent first opens of one schema would race on CREATE ... IF NOT EXISTS.
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1), 0)', [this.schema]);
        for (const sql of createTables(this.schema)) await client.query(sql);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw new StoreError('STORE_FAILED', `cannot open ${this.description}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    this.pool = pool;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    if (pool === undefined) return;
    this.pool = undefined;
    this.instIds.clear();
    this.partitions.clear();
    await pool.end();
  }

  /** Drops the store's schema and everything in it (tests, teardown). */
  async dropSchema(): Promise<void> {
    await this.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
  }

  private live(): pg.Pool {
    if (this.pool === undefined) throw new StoreError('STORE_CLOSED', `${this.description} is not open`);
    return this.pool;
  }

  private async query(text: string, values: unknown[] = []): Promise<Row[]> {
    const pool = this.live();
    try {
      return (await pool.query<unknown[]>({ text, values, rowMode: 'array' })).rows;
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError('STORE_FAILED', `${this.description}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Runs fn in one transaction on one connection; a broken connection is discarded, not returned to the pool. */
  private async transaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const pool = this.live();
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (e) {
      throw new StoreError('STORE_FAILED', `${this.description}: ${(e as Error).message}`, { cause: e });
    }
    let broken: Error | undefined;
    // A connection cut between two statements is reported as an 'error' event, which must not crash the process;
    // the next statement fails and the connection is discarded.
    const onError = (e: Error): void => {
      broken = e;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch((re: unknown) => {
        broken = re as Error;
      });
      if (e instanceof StoreError) throw e;
      throw new StoreError('STORE_FAILED', `${this.description}: ${(e as Error).message}`, { cause: e });
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  private async instId(exchange: string, symbol: string): Promise<number> {
    const key = instrumentKey(exchange, symbol);
    const cached = this.instIds.get(key);
    if (cached !== undefined) return cached;
    // Another process may have added it.
    const rows = await this.query('SELECT inst FROM instruments WHERE exchange = $1 AND symbol = $2', [
      exchange,
      symbol,
    ]);
    const inst = rows[0]?.[0];
    if (inst === undefined) {
      throw new StoreError('UNKNOWN_INSTRUMENT', `instrument ${key} is not in the store`);
    }
    this.instIds.set(key, num(inst));
    return num(inst);
  }

  async upsertInstrument(i: Instrument): Promise<void> {
    const key = instrumentKey(i.exchange, i.symbol);
    const values = instrumentRow(i);
    const inst = await this.transaction(async (c) => {
      await c.query(
        `INSERT INTO instruments (exchange, symbol, kind, base, quote, price_mantissa, price_decimals, qty_mantissa,
                                  qty_decimals, volume_unit, contract_multiplier, source)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (exchange, symbol) DO NOTHING`,
        values,
      );
      const row = (
        await c.query<unknown[]>({
          text: `SELECT inst FROM instruments WHERE exchange = $1 AND symbol = $2 FOR UPDATE`,
          values: [i.exchange, i.symbol],
          rowMode: 'array',
        })
      ).rows[0];
      const inst = num(row?.[0]);
      const old = await this.readInstrumentsOn(c, 'WHERE inst = $1', [inst]);
      if (old[0] !== undefined && !sameScale(old[0], i)) {
        const has = await c.query<unknown[]>({
          text: 'SELECT EXISTS (SELECT 1 FROM trades WHERE inst = $1)',
          values: [inst],
          rowMode: 'array',
        });
        if (has.rows[0]?.[0] === true) {
          throw new StoreError(
            'SCALE_CHANGED',
            `instrument ${key} has stored trades; its increments cannot change`,
          );
        }
      }
      await c.query(
        `UPDATE instruments SET kind = $3, base = $4, quote = $5, price_mantissa = $6, price_decimals = $7,
           qty_mantissa = $8, qty_decimals = $9, volume_unit = $10, contract_multiplier = $11, source = $12
         WHERE exchange = $1 AND symbol = $2`,
        values,
      );
      return inst;
    });
    this.instIds.set(key, inst);
  }

  private async readInstrumentsOn(
    c: pg.Pool | pg.PoolClient,
    where: string,
    values: unknown[],
  ): Promise<Instrument[]> {
    const rows = (
      await c.query<unknown[]>({
        text: `SELECT exchange, symbol, kind, base, quote, price_mantissa, price_decimals, qty_mantissa, qty_decimals,
                      volume_unit, contract_multiplier, source
               FROM instruments ${where} ORDER BY exchange COLLATE "C", symbol COLLATE "C"`,
        values,
        rowMode: 'array',
      })
    ).rows;
    return rows.map((r) => instrumentFromRow(r, { num, numOrNull, str }));
  }

  private async readInstruments(where: string, values: unknown[] = []): Promise<Instrument[]> {
    try {
      return await this.readInstrumentsOn(this.live(), where, values);
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError('STORE_FAILED', `${this.description}: ${(e as Error).message}`, { cause: e });
    }
  }

  async getInstrument(exchange: string, symbol: string): Promise<Instrument | undefined> {
    return (await this.readInstruments('WHERE exchange = $1 AND symbol = $2', [exchange, symbol]))[0];
  }

  listInstruments(): Promise<Instrument[]> {
    return this.readInstruments('');
  }

  /** Creates the month partitions the trades fall in, once per process (DDL serialized across processes). */
  private async ensurePartitions(trades: readonly Trade[]): Promise<void> {
    const wanted = new Map<string, { from: number; to: number }>();
    let cur: { from: number; to: number } | undefined;
    for (const t of trades) {
      if (cur !== undefined && t.ts >= cur.from && t.ts < cur.to) continue;
      const p = monthPartitionOf(t.ts);
      if (!this.partitions.has(p.name)) wanted.set(p.name, p);
      cur = p;
    }
    // The month after the newest trade too: creating a partition locks the parent table, better a month ahead
    // than at the live stream's month rollover.
    if (cur !== undefined) {
      const next = monthPartitionOf(cur.to);
      if (!this.partitions.has(next.name)) wanted.set(next.name, next);
    }
    if (wanted.size === 0) return;
    await this.transaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1), -1)', [this.schema]);
      for (const [name, p] of wanted) {
        await c.query(
          `CREATE TABLE IF NOT EXISTS ${this.schema}.${name} PARTITION OF ${this.schema}.trades
           FOR VALUES FROM (${p.from}) TO (${p.to})`,
        );
      }
    });
    for (const name of wanted.keys()) this.partitions.add(name);
  }

  async insertTrades(exchange: string, symbol: string, trades: readonly Trade[]): Promise<InsertResult> {
    const fresh = await this.insertNewTrades(exchange, symbol, trades);
    return { inserted: fresh.length, duplicates: trades.length - fresh.length };
  }

  /**
   * insertTrades that returns the trades this call stored for the first time, in canonical order: what a
   * scale-out worker publishes as live updates, so a redelivered message never reaches a chart twice.
   */
  async insertNewTrades(exchange: string, symbol: string, trades: readonly Trade[]): Promise<Trade[]> {
    const inst = await this.instId(exchange, symbol);
    trades.forEach((t, i) => checkTrade(exchange, symbol, t, i));
    const batch = canonical(trades);
    if (batch.length === 0) return [];
    await this.ensurePartitions(batch);
    return this.transaction(async (c) => {
      // One writer per instrument at a time, in every process: the anti-join and the rollup merge are exact.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1), $2)', [this.schema, inst]);
      // Only the id kinds the batch has: each check is an index probe on the key's leading columns.
      // Only the id kinds the batch has, and only the batch's numeric id range: fresh partitions have no
      // statistics, and the planner would otherwise hash every stored id of the instrument (ids grow with time on
      // every exchange, so the range is narrow).
      let minId = Infinity;
      let maxId = -Infinity;
      let strings = false;
      for (const t of batch) {
        if (typeof t.id === 'string') strings = true;
        else {
          if (t.id < minId) minId = t.id;
          if (t.id > maxId) maxId = t.id;
        }
      }
      const notStored = [
        minId <= maxId
          ? `NOT EXISTS (SELECT 1 FROM trades AS t WHERE t.inst = $1 AND t.id_num BETWEEN ${minId} AND ${maxId}
                         AND t.id_num = s.id_num)`
          : 'true',
        strings
          ? 'NOT EXISTS (SELECT 1 FROM trades AS t WHERE t.inst = $1 AND t.id_num IS NULL AND t.id_str = s.id_str)'
          : 'true',
      ].join(' AND ');
      const src = batch.length >= this.copyMinRows ? await this.copyStage(c, batch) : this.arrayStage(batch);
      const res = await c.query<unknown[]>({
        text: `
          INSERT INTO trades (inst, ts, id_num, id_str, price, qty, side, side_source, cnt, recv_ts)
          SELECT $1, s.ts, s.id_num, s.id_str, s.price, s.qty, s.side, s.side_source, s.cnt, s.recv_ts
          FROM ${src.from} AS s
          WHERE ${notStored}
          ON CONFLICT DO NOTHING
          RETURNING id_num, id_str`,
        values: [inst, ...src.values],
        rowMode: 'array',
      });
      const stored = new Set(res.rows.map((r) => idKey(idOf(r[0], r[1]))));
      const fresh = stored.size === batch.length ? batch : batch.filter((t) => stored.has(idKey(t.id)));
      if (fresh.length > 0) await this.updateRollups(c, inst, fresh);
      return fresh;
    });
  }

  private arrayStage(batch: readonly Trade[]): { from: string; values: unknown[] } {
    return {
      from: `(SELECT * FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::bigint[], $6::bigint[], $7::smallint[],
                                   $8::smallint[], $9::integer[], $10::bigint[])
               AS u(ts, id_num, id_str, price, qty, side, side_source, cnt, recv_ts))`,
      values: [
        batch.map((t) => t.ts),
        batch.map((t) => idNum(t.id)),
        batch.map((t) => idStr(t.id)),
        batch.map((t) => t.price),
        batch.map((t) => t.qty),
        batch.map((t) => t.side),
        batch.map((t) => (t.sideSource === 'tick-rule' ? 1 : 0)),
        batch.map((t) => t.count ?? null),
        batch.map((t) => t.recvTs ?? null),
      ],
    };
  }

  /** Bulk path: COPY the batch into a transaction-scoped staging table. */
  private async copyStage(
    c: pg.PoolClient,
    batch: readonly Trade[],
  ): Promise<{ from: string; values: unknown[] }> {
    await c.query(`CREATE TEMP TABLE stage (ts bigint, id_num bigint, id_str text COLLATE "C", price bigint,
                     qty bigint, side smallint, side_source smallint, cnt integer, recv_ts bigint) ON COMMIT DROP`);
    const rows = function* (): Generator<string> {
      let buf = '';
      for (const t of batch) {
        buf +=
          [
            t.ts,
            idNum(t.id),
            idStr(t.id),
            t.price,
            t.qty,
            t.side,
            t.sideSource === 'tick-rule' ? 1 : 0,
            t.count,
            t.recvTs,
          ]
            .map(copyText)
            .join('\t') + '\n';
        if (buf.length > 65_536) {
          yield buf;
          buf = '';
        }
      }
      if (buf.length > 0) yield buf;
    };
    await pipeline(Readable.from(rows()), c.query(copyFrom('COPY stage FROM STDIN')));
    return { from: 'stage', values: [] };
  }

  /** Cells are sums (added); bars are merged when the new trades come after the minute's last one, else redone. */
  private async updateRollups(c: pg.PoolClient, inst: number, fresh: readonly Trade[]): Promise<void> {
    const groups: Trade[][] = [];
    for (const t of fresh) {
      const g = groups[groups.length - 1];
      if (g !== undefined && minuteOf(g[0]!.ts) === minuteOf(t.ts)) g.push(t);
      else groups.push([t]);
    }
    const minutes = groups.map((g) => minuteOf(g[0]!.ts));
    const stored = new Map(
      (
        await c.query<unknown[]>({
          text: `SELECT ${BAR_COLS.join(', ')} FROM minute_bars WHERE inst = $1 AND minute = ANY($2::bigint[])`,
          values: [inst, minutes],
          rowMode: 'array',
        })
      ).rows.map((r) => [num(r[0]), barOf(r)]),
    );
    const bars: MinuteRollup[] = [];
    const cells: { minute: number; cell: RollupCell }[] = [];
    const redo: number[] = [];
    for (const g of groups) {
      const n = minuteRollupOf(g);
      for (const cell of n.cells) cells.push({ minute: n.minute, cell });
      const o = stored.get(n.minute);
      if (o === undefined) bars.push(n);
      else if (compareTradeOrder(g[0]!, { ...g[0]!, ts: micros(o.lastTs), id: o.lastId }) > 0)
        bars.push(appendToBar(o, n));
      else redo.push(n.minute);
    }
    if (redo.length > 0) {
      const rows = (
        await c.query<unknown[]>({
          text: `SELECT ${TRADE_SELECT} FROM trades
                 WHERE inst = $1 AND ts >= $2 AND ts < $3 AND (ts / 60000000) * 60000000 = ANY($4::bigint[])
                 ORDER BY ${PG_ORDER}`,
          values: [inst, Math.min(...redo), Math.max(...redo) + 60_000_000, redo],
          rowMode: 'array',
        })
      ).rows;
      const byMinute = new Map<number, Trade[]>();
      for (const r of rows) {
        const t = tradeOf('', '', r);
        const m = minuteOf(t.ts);
        let list = byMinute.get(m);
        if (list === undefined) byMinute.set(m, (list = []));
        list.push(t);
      }
      for (const list of byMinute.values()) bars.push(minuteRollupOf(list.sort(compareTradeOrder)));
    }
    await c.query({
      text: `
        INSERT INTO minute_bars (inst, ${BAR_COLS.join(', ')})
        SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[],
                                 $8::bigint[], $9::text[], $10::bigint[], $11::bigint[], $12::text[], $13::bigint[],
                                 $14::bigint[], $15::bigint[], $16::bigint[], $17::bigint[], $18::bigint[])
        ON CONFLICT (inst, minute) DO UPDATE SET
          ${BAR_COLS.filter((x) => x !== 'minute')
            .map((x) => `${x} = EXCLUDED.${x}`)
            .join(', ')}`,
      values: [
        inst,
        bars.map((b) => b.minute),
        bars.map((b) => b.open),
        bars.map((b) => b.high),
        bars.map((b) => b.low),
        bars.map((b) => b.close),
        bars.map((b) => b.firstTs),
        bars.map((b) => idNum(b.firstId)),
        bars.map((b) => idStr(b.firstId)),
        bars.map((b) => b.lastTs),
        bars.map((b) => idNum(b.lastId)),
        bars.map((b) => idStr(b.lastId)),
        bars.map((b) => b.buy),
        bars.map((b) => b.sell),
        bars.map((b) => b.buyTrades),
        bars.map((b) => b.sellTrades),
        bars.map((b) => b.minDelta),
        bars.map((b) => b.maxDelta),
      ],
    });
    await c.query({
      text: `
        INSERT INTO minute_cells (inst, minute, tick, buy, sell, buy_trades, sell_trades)
        SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[])
        ON CONFLICT (inst, minute, tick) DO UPDATE SET
          buy = minute_cells.buy + EXCLUDED.buy, sell = minute_cells.sell + EXCLUDED.sell,
          buy_trades = minute_cells.buy_trades + EXCLUDED.buy_trades,
          sell_trades = minute_cells.sell_trades + EXCLUDED.sell_trades`,
      values: [
        inst,
        cells.map((x) => x.minute),
        cells.map((x) => x.cell.tick),
        cells.map((x) => x.cell.buy),
        cells.map((x) => x.cell.sell),
        cells.map((x) => x.cell.buyTrades),
        cells.map((x) => x.cell.sellTrades),
      ],
    });
  }

  async readTrades(exchange: string, symbol: string, fromUs: number, toUs: number): Promise<Trade[]> {
    const inst = await this.instId(exchange, symbol);
    const rows = await this.query(
      `SELECT ${TRADE_SELECT} FROM trades WHERE inst = $1 AND ts >= $2 AND ts < $3 ORDER BY ${PG_ORDER}`,
      [inst, pgBound(fromUs), pgBound(toUs)],
    );
    return rows.map((r) => tradeOf(exchange, symbol, r));
  }

  /** A server-side cursor in one REPEATABLE READ transaction: one consistent snapshot, bounded memory. */
  async *iterateTrades(
    exchange: string,
    symbol: string,
    fromUs: number,
    toUs: number,
    batchSize = DEFAULT_ITERATE_BATCH,
  ): AsyncIterable<Trade[]> {
    const inst = await this.instId(exchange, symbol);
    const client = await this.live().connect();
    let broken: Error | undefined;
    const onError = (e: Error): void => {
      broken = e;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query({
        text: `DECLARE iter NO SCROLL CURSOR FOR
               SELECT ${TRADE_SELECT} FROM trades WHERE inst = $1 AND ts >= $2 AND ts < $3 ORDER BY ${PG_ORDER}`,
        values: [inst, pgBound(fromUs), pgBound(toUs)],
      });
      for (;;) {
        const res = await client.query<unknown[]>({
          text: `FETCH ${Math.max(1, Math.floor(batchSize))} FROM iter`,
          rowMode: 'array',
        });
        if (res.rows.length === 0) break;
        yield res.rows.map((r) => tradeOf(exchange, symbol, r));
      }
    } finally {
      await client.query('ROLLBACK').catch((e: unknown) => {
        broken = e as Error;
      });
      client.off('error', onError);
      client.release(broken);
    }
  }

  async readMinuteRollups(
    exchange: string,
    symbol: string,
    fromUs: number,
    toUs: number,
    rowTicks = 1,
  ): Promise<MinuteRollup[]> {
    checkRowTicks(rowTicks);
    const inst = await this.instId(exchange, symbol);
    const values = [inst, pgBound(fromUs), pgBound(toUs)];
    const where = 'inst = $1 AND minute >= $2 AND minute < $3';
    const bars = await this.query(
      `SELECT ${BAR_COLS.join(', ')} FROM minute_bars WHERE ${where} ORDER BY minute`,
      values,
    );
    // Exact integer floor to the row's lowest tick (also for negative ticks).
    const rowTick = `(tick - ((tick % ${rowTicks}) + ${rowTicks}) % ${rowTicks})`;
    const cellRows = await this.query(
      rowTicks === 1
        ? `SELECT minute, tick, buy, sell, buy_trades, sell_trades FROM minute_cells WHERE ${where}
           ORDER BY minute, tick`
        : `SELECT minute, ${rowTick} AS r, sum(buy)::bigint, sum(sell)::bigint, sum(buy_trades)::bigint,
                  sum(sell_trades)::bigint
           FROM minute_cells WHERE ${where} GROUP BY minute, r ORDER BY minute, r`,
      values,
    );
    let j = 0;
    return bars.map((r): MinuteRollup => {
      const bar = barOf(r);
      const cells: RollupCell[] = [];
      while (j < cellRows.length && num(cellRows[j]![0]) < bar.minute) j++;
      for (; j < cellRows.length && num(cellRows[j]![0]) === bar.minute; j++) {
        const c = cellRows[j]!;
        cells.push({
          tick: num(c[1]),
          buy: num(c[2]),
          sell: num(c[3]),
          buyTrades: num(c[4]),
          sellTrades: num(c[5]),
        });
      }
      return { ...bar, cells };
    });
  }

  async stats(options: StatsOptions = {}): Promise<InstrumentStats[]> {
    const maxRanges = Math.max(0, Math.floor(options.maxGapRanges ?? DEFAULT_MAX_GAP_RANGES));
    const main = await this.query(`
      SELECT i.inst, i.exchange, i.symbol, count(t.ts), coalesce(sum(CASE WHEN t.ts IS NULL THEN 0 ELSE coalesce(t.cnt, 1) END), 0)::bigint,
             min(t.ts), max(t.ts), min(t.id_num), max(t.id_num), count(t.id_str)
      FROM instruments AS i LEFT JOIN trades AS t ON t.inst = i.inst
      GROUP BY i.inst, i.exchange, i.symbol ORDER BY i.exchange COLLATE "C", i.symbol COLLATE "C"`);
    const gapsSql = `
      SELECT inst, prev, next FROM (
        SELECT inst, id_num AS prev, lead(id_num) OVER (PARTITION BY inst ORDER BY id_num) AS next
        FROM trades WHERE id_num IS NOT NULL) AS g
      WHERE next - prev > 1`;
    const totals = await this.query(
      `SELECT inst, count(*), sum(next - prev - 1)::bigint FROM (${gapsSql}) AS x GROUP BY inst`,
    );
    const ranges = await this.query(`
      SELECT inst, prev + 1, next - 1 FROM (
        SELECT *, row_number() OVER (PARTITION BY inst ORDER BY prev) AS k FROM (${gapsSql}) AS x) AS y
      WHERE k <= ${maxRanges} ORDER BY inst, prev`);
    return statsFromRows(main, totals, ranges, { num, numOrNull, str });
  }
}
