// Runs the store contract suite on a real DuckDB file in a fresh temporary data directory per test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbTradeStore } from '../../src/store/duckdb-store.ts';
import { storeContract } from './store-contract.ts';

storeContract(
  'duckdb',
  async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'orderflow-store-'));
    let store = new DuckDbTradeStore({ dataDir, settings: { threads: '2' } });
    await store.open();
    return {
      store,
      reopen: async () => {
        await store.close();
        store = new DuckDbTradeStore({ dataDir });
        await store.open();
        return store;
      },
      dispose: async () => {
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
  25,
);
