// Runs the store contract suite on the machine's PostgreSQL, each test in its own random schema dropped afterwards;
// plus the PostgreSQL-only parts: COPY and array paths agree, partitions appear per month, writers in two pools.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { micros } from '../../src/core/units.ts';
import { PostgresTradeStore } from '../../src/store/postgres-store.ts';
import { needServices, PG_URL, pgProblem, uniqueName } from '../scale/services.ts';
import { expectedRollups, instrument, storeContract, tr } from './store-contract.ts';

const problem = await pgProblem;

if (problem === undefined) {
  storeContract(
    'postgres',
    async () => {
      const schema = uniqueName('of_test');
      // copyMinRows 50: the contract's bigger batches go through COPY, the small ones through arrays.
      const make = (): PostgresTradeStore =>
        new PostgresTradeStore({ connectionString: PG_URL, schema, poolSize: 4, copyMinRows: 50 });
      let store = make();
      await store.open();
      return {
        store,
        reopen: async () => {
          await store.close();
          store = make();
          await store.open();
          return store;
        },
        dispose: async () => {
          await store.dropSchema();
          await store.close();
        },
      };
    },
    25,
  );
} else {
  it('TradeStore contract: postgres', async (t) => {
    await needServices(t, ['pg']);
  });
}

const T0 = 1_704_067_200_000_000; // 2024-01-01T00:00:00Z
const DAY = 86_400_000_000;

describe('PostgresTradeStore specifics', () => {
  it('stores the same trades through COPY and through arrays, and creates month partitions on demand', async (t) => {
    if (!(await needServices(t, ['pg']))) return;
    const schema = uniqueName('of_test');
    const bulk = new PostgresTradeStore({ connectionString: PG_URL, schema, copyMinRows: 1 });
    const small = new PostgresTradeStore({ connectionString: PG_URL, schema, copyMinRows: 1e9 });
    await bulk.open();
    await small.open();
    try {
      await bulk.upsertInstrument(instrument('C'));
      await bulk.upsertInstrument(instrument('V'));
      // 40 days: Jan 2024 and Feb 2024 (+ March ahead) ⇒ 3 partitions; odd string ids with tab/backslash survive COPY escaping.
      const mk = (s: string) =>
        Array.from({ length: 400 }, (_, i) =>
          tr(
            s,
            i % 10 === 0 ? `id\t${i}\\x` : i,
            T0 + Math.floor(i / 10) * DAY + i,
            100 + (i % 13),
            1 + (i % 4),
            i % 3 ? 1 : -1,
            {
              ...(i % 7 === 0 ? { count: 2 } : {}),
              ...(i % 5 === 0 ? { recvTs: micros(T0 + i * 7) } : {}),
            },
          ),
        );
      const viaCopy = mk('C');
      const viaArrays = mk('V');
      assert.deepEqual(await bulk.insertTrades('test', 'C', viaCopy), { inserted: 400, duplicates: 0 });
      assert.deepEqual(await small.insertTrades('test', 'V', viaArrays), { inserted: 400, duplicates: 0 });
      const a = await bulk.readTrades('test', 'C', 0, Infinity);
      const b = await bulk.readTrades('test', 'V', 0, Infinity);
      assert.deepEqual(
        a.map((x) => ({ ...x, symbol: 'V' })),
        b,
      );
      assert.deepEqual(await bulk.readMinuteRollups('test', 'C', 0, Infinity), expectedRollups(a));
      const parts = (await import('pg')).default;
      const c = new parts.Client({ connectionString: PG_URL });
      await c.connect();
      const r = await c.query<{ relname: string }>(
        `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 1`,
        [schema],
      );
      await c.end();
      assert.deepEqual(
        r.rows.map((x) => x.relname),
        // January and February hold the trades; March is created ahead of the newest trade's month.
        ['trades_202401', 'trades_202402', 'trades_202403'],
      );
    } finally {
      await bulk.dropSchema();
      await bulk.close();
      await small.close();
    }
  });

  it('two stores (two pools, as two worker processes) writing overlapping batches store each trade once', async (t) => {
    if (!(await needServices(t, ['pg']))) return;
    const schema = uniqueName('of_test');
    const s1 = new PostgresTradeStore({ connectionString: PG_URL, schema, poolSize: 3 });
    const s2 = new PostgresTradeStore({ connectionString: PG_URL, schema, poolSize: 3 });
    await Promise.all([s1.open(), s2.open()]);
    try {
      await s1.upsertInstrument(instrument('A'));
      const all = Array.from({ length: 300 }, (_, i) =>
        tr('A', i + 1, T0 + ((i * 7919) % 300) * 250_000, 100 + (i % 9), 1 + (i % 5), i % 2 ? 1 : -1),
      );
      const parts = [0, 50, 100, 150, 200, 250].map((from) => all.slice(from, from + 120));
      const results = await Promise.all(parts.map((p, k) => (k % 2 ? s1 : s2).insertTrades('test', 'A', p)));
      assert.equal(
        results.reduce((s, r) => s + r.inserted, 0),
        300,
      );
      const stored = await s2.readTrades('test', 'A', 0, Infinity);
      assert.equal(stored.length, 300);
      assert.deepEqual(await s1.readMinuteRollups('test', 'A', 0, Infinity), expectedRollups(stored));
    } finally {
      await s1.dropSchema();
      await Promise.all([s1.close(), s2.close()]);
    }
  });

  it('fails with STORE_FAILED, not a hang, when the server cannot be reached', async () => {
    const s = new PostgresTradeStore({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      connectTimeoutMs: 1000,
    });
    await assert.rejects(s.open(), { code: 'STORE_FAILED' });
  });
});
