// Scale-out on the machine's NATS JetStream and PostgreSQL, over recorded real Binance trades: every run ends with
// the stored trades, rollups and footprints equal to a single-process run, also through the faults DESIGN.md §6
// promises to survive (redundant collectors, a worker SIGKILLed mid-stream, NATS restarted, PostgreSQL away).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import type { Trade } from '../../src/core/trade.ts';
import {
  decodeJson,
  lagOf,
  shardDurable,
  tradeOfWire,
  type Bus,
  type Shard,
  type TradeUpdate,
} from '../../src/scale/bus.ts';
import { ScaleCollector } from '../../src/scale/collector-role.ts';
import { ScaleWorker } from '../../src/scale/worker-role.ts';
import { PostgresTradeStore } from '../../src/store/postgres-store.ts';
import {
  assertSameAsSingleProcess,
  BTC_STREAM,
  ETH_STREAM,
  PrivateNats,
  recorded,
  replayOf,
  scaleEnv,
  TcpProxy,
  waitFor,
  type Recorded,
} from './harness.ts';
import { needNatsServerBinary, needServices, PG_URL } from './services.ts';

const shardOf = (r: Recorded): Shard => ({ exchange: r.instrument.exchange, symbol: r.instrument.symbol });

/** Every message of every shard committed and acked, and the stream holds `total` messages. */
async function drained(bus: Bus, shards: readonly Shard[], total: number, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `stream of ${total} messages fully consumed`,
    async () => {
      const s = await bus.jsm.streams.info(bus.streamName);
      if (s.state.messages !== total) return false;
      for (const sh of shards) {
        const l = lagOf(await bus.jsm.consumers.info(bus.streamName, shardDurable(sh)));
        if (l.pending !== 0 || l.ackPending !== 0) return false;
      }
      return true;
    },
    timeoutMs,
  );
}

async function publishAll(bus: Bus, sets: readonly Recorded[], batch = 500): Promise<ScaleCollector> {
  const c = new ScaleCollector(bus, replayOf(sets, batch));
  await c.start();
  await c.sourceEnded;
  await c.idle();
  return c;
}

const count = async (store: PostgresTradeStore): Promise<number> =>
  (await store.stats()).reduce((s, x) => s + x.count, 0);

describe('scale-out: collector → JetStream → worker → PostgreSQL', () => {
  it('two redundant collectors: JetStream keeps one copy of each trade; store, footprints and updates as one process', async (t) => {
    if (!(await needServices(t, ['pg', 'nats']))) return;
    const btc = await recorded(t, BTC_STREAM);
    const eth = await recorded(t, ETH_STREAM);
    if (btc === undefined || eth === undefined) return;
    const env = scaleEnv();
    try {
      const total = btc.trades.length + eth.trades.length;
      const shards = [shardOf(btc), shardOf(eth)];
      const bus = await env.bus('test');
      // A gateway's view: count the trades the workers announce.
      const announced = new Map<string, number>();
      const sub = bus.nc.subscribe(`${env.config.stream.subjectPrefix}.updates.>`, {
        callback: (_e, m) => {
          const u = decodeJson(m.data) as TradeUpdate;
          for (const w of u.trades) {
            const tr = tradeOfWire(w) as Trade;
            const k = `${tr.symbol}:${tr.id}`;
            announced.set(k, (announced.get(k) ?? 0) + 1);
          }
        },
      });
      await bus.nc.flush();
      const worker = new ScaleWorker(await env.bus('worker'), env.store(), { shards });
      await worker.start();
      // Same trades, different batching and start times: the copies interleave in the stream's window.
      const [c1, c2] = await Promise.all([
        publishAll(await env.bus('c1'), [btc, eth], 500),
        publishAll(await env.bus('c2'), [eth, btc], 137),
      ]);
      const h1 = c1.health();
      const h2 = c2.health();
      assert.equal(h1.published + h2.published, total, 'each trade stored in the stream once');
      assert.equal(h1.duplicates + h2.duplicates, total, 'the other copy dropped as a duplicate');
      await drained(bus, shards, total);
      const reader = env.store();
      await reader.open();
      await assertSameAsSingleProcess(reader, [btc, eth]);
      await waitFor('every update', () => announced.size === total, 10_000);
      assert.ok(
        [...announced.values()].every((n) => n === 1),
        'no trade announced twice',
      );
      const h = worker.health();
      assert.equal(h.insertedTrades, total);
      assert.equal(h.status, 'ok');
      assert.deepEqual(
        (await worker.lag()).map((l) => [l.pending, l.ackPending]),
        [
          [0, 0],
          [0, 0],
        ],
      );
      sub.unsubscribe();
      await worker.stop();
    } finally {
      await env.dispose();
    }
  });

  it('a worker killed with SIGKILL mid-stream and restarted: nothing lost, nothing counted twice', async (t) => {
    if (!(await needServices(t, ['pg', 'nats']))) return;
    const btc = await recorded(t, BTC_STREAM);
    if (btc === undefined) return;
    const env = scaleEnv();
    const children: ChildProcess[] = [];
    try {
      const total = btc.trades.length;
      const shard = shardOf(btc);
      const bus = await env.bus('test');
      await publishAll(await env.bus('collector'), [btc]);
      const cli = fileURLToPath(new URL('./scale-cli.ts', import.meta.url));
      const startWorker = (): { child: ChildProcess; commits: AsyncIterator<string> } => {
        const child = spawn(
          process.execPath,
          [
            '--import',
            'tsx',
            cli,
            'worker',
            '--nats',
            env.config.nats.servers.join(','),
            '--store',
            PG_URL,
            '--schema',
            env.schema,
            '--stream',
            env.config.stream.name,
            '--prefix',
            env.config.stream.subjectPrefix,
            '--shard',
            `${shard.exchange}:${shard.symbol}`,
            '--batch',
            '150',
            '--ack-wait',
            '2000',
            '--progress',
          ],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        );
        children.push(child);
        const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
        return { child, commits: lines };
      };
      const first = startWorker();
      // Wait for its commits (events on its stdout) to pass a quarter of the stream, then kill it without warning.
      let acked = 0;
      while (acked < total / 4) {
        const line = await first.commits.next();
        assert.equal(line.done, false, 'the worker exited before committing');
        const j = JSON.parse(String(line.value)) as { commit?: { messages: number } };
        acked += j.commit?.messages ?? 0;
      }
      first.child.kill('SIGKILL');
      await once(first.child, 'exit');
      const reader = env.store();
      await reader.open();
      const atKill = await count(reader);
      assert.ok(atKill > 0 && atKill < total, `killed mid-stream (${atKill} of ${total} stored)`);
      const second = startWorker();
      let redelivered = 0;
      const tally = (async () => {
        for (;;) {
          const line = await second.commits.next();
          if (line.done === true) return;
          redelivered +=
            (JSON.parse(String(line.value)) as { commit?: { redelivered: number } }).commit?.redelivered ?? 0;
        }
      })();
      await drained(bus, [shard], total);
      assert.equal(await count(reader), total);
      await assertSameAsSingleProcess(reader, [btc]);
      second.child.kill('SIGTERM');
      await once(second.child, 'exit');
      await tally;
      t.diagnostic(`stored at kill: ${atKill}/${total}; messages redelivered after the kill: ${redelivered}`);
    } finally {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await env.dispose();
    }
  });

  it('NATS restarted mid-stream: collector and worker reconnect and finish', async (t) => {
    if (!(await needServices(t, ['pg'])) || !needNatsServerBinary(t)) return;
    const btc = await recorded(t, BTC_STREAM);
    if (btc === undefined) return;
    // The machine's NATS is shared: restart a private server instead.
    const nats = await PrivateNats.start();
    const env = scaleEnv(nats.url);
    try {
      const total = btc.trades.length;
      const shard = shardOf(btc);
      let committed = 0;
      let resolveHalf: () => void = () => {};
      const half = new Promise<void>((r) => (resolveHalf = r));
      const worker = new ScaleWorker(await env.bus('worker'), env.store(), {
        shards: [shard],
        onCommit: (e) => {
          committed += e.messages;
          if (committed >= 2000) resolveHalf();
        },
      });
      await worker.start();
      // ×100 the recorded pace (~6.6 s): the collector is still publishing when NATS goes down.
      const collector = new ScaleCollector(await env.bus('collector'), replayOf([btc], 200, 100));
      await collector.start();
      await half;
      const publishedBefore = collector.health().published;
      await nats.stop();
      await waitFor('the worker to notice', () => worker.health().nats === 'disconnected', 10_000);
      await nats.start();
      await collector.sourceEnded;
      await collector.idle();
      const bus = await env.bus('test');
      await drained(bus, [shard], total);
      const reader = env.store();
      await reader.open();
      await assertSameAsSingleProcess(reader, [btc]);
      assert.ok(
        publishedBefore < total,
        `the collector was mid-stream (${publishedBefore} of ${total} published)`,
      );
      t.diagnostic(
        `published before the restart: ${publishedBefore}; collector retries: ${collector.health().retries}; ` +
          `messages committed in all, redeliveries included: ${committed}`,
      );
      await worker.stop();
      await collector.stop();
    } finally {
      await env.dispose();
      await nats.dispose();
    }
  });

  it('PostgreSQL unreachable for a while: the worker stops acking, then catches up', async (t) => {
    if (!(await needServices(t, ['pg', 'nats']))) return;
    const btc = await recorded(t, BTC_STREAM);
    if (btc === undefined) return;
    const pgPort = Number(new URL(PG_URL).port || 5432);
    const proxy = await TcpProxy.start(pgPort);
    const env = scaleEnv();
    try {
      const total = btc.trades.length;
      const shard = shardOf(btc);
      const bus = await env.bus('test');
      const viaProxy = new URL(PG_URL);
      viaProxy.port = String(proxy.port);
      let commits = 0;
      let resolveFirst: () => void = () => {};
      const first = new Promise<void>((r) => (resolveFirst = r));
      const worker = new ScaleWorker(await env.bus('worker'), env.store(2, viaProxy.toString()), {
        shards: [shard],
        onCommit: () => {
          if (++commits === 1) resolveFirst();
        },
      });
      await worker.start();
      const collector = new ScaleCollector(await env.bus('collector'), replayOf([btc], 200));
      await collector.start();
      await first;
      proxy.takeDown();
      await waitFor('failed commits', () => worker.health().failedCommits > 0, 10_000);
      assert.equal(worker.health().status, 'degraded');
      const reader = env.store();
      await reader.open();
      const stored = await count(reader);
      const floor = lagOf(await bus.jsm.consumers.info(bus.streamName, shardDurable(shard))).ackFloorSeq;
      const failed = worker.health().failedCommits;
      // Several more failed attempts: nothing was acked meanwhile, and nothing more stored.
      await waitFor('retries during the outage', () => worker.health().failedCommits >= failed + 3, 10_000);
      const during = lagOf(await bus.jsm.consumers.info(bus.streamName, shardDurable(shard)));
      assert.equal(during.ackFloorSeq, floor, 'no ack while PostgreSQL is away');
      assert.ok(during.ackPending > 0, 'messages held unacked');
      assert.equal(await count(reader), stored);
      proxy.bringUp();
      await collector.sourceEnded;
      await collector.idle();
      await drained(bus, [shard], total);
      assert.equal(worker.health().status, 'ok');
      await assertSameAsSingleProcess(reader, [btc]);
      await worker.stop();
      await collector.stop();
    } finally {
      await env.dispose();
      await proxy.close();
    }
  });
});
