// Runs the store contract suite on the in-memory reference store.
import { MemoryTradeStore } from '../../src/store/memory-store.ts';
import { storeContract } from './store-contract.ts';

storeContract(
  'memory',
  async () => {
    const store = new MemoryTradeStore();
    await store.open();
    return { store, dispose: () => store.close() };
  },
  100,
);
