// The scale-out commands as processes: `collector --source replay:FILE` publishes and exits, `worker` stores it all,
// and `serve` gains --bus/--store (the gateway) without losing its own options.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { Command } from 'commander';
import { registerScaleCommands } from '../../src/cli/scale-commands.ts';
import { registerServeCommand } from '../../src/cli/serve-command.ts';
import { lagOf, shardDurable } from '../../src/scale/bus.ts';
import { assertSameAsSingleProcess, ETH_STREAM, recorded, scaleEnv, waitFor } from './harness.ts';
import { needServices, PG_URL } from './services.ts';
import { sharedDataPath } from '../real-data.ts';

const CLI = fileURLToPath(new URL('./scale-cli.ts', import.meta.url));

it('serve keeps its options and gains --bus/--store; collector, worker and gateway are registered', () => {
  const program = new Command('orderflow');
  registerServeCommand(program);
  registerScaleCommands(program);
  const names = program.commands.map((c) => c.name());
  for (const n of ['serve', 'collector', 'worker', 'gateway']) assert.ok(names.includes(n), n);
  const serve = program.commands.find((c) => c.name() === 'serve')!;
  const flags = serve.options.map((o) => o.long);
  for (const f of ['--bus', '--store', '--schema', '--port', '--source', '--data-dir'])
    assert.ok(flags.includes(f), f);
});

it('collector (replay file) and worker processes: the stream is stored as one process would store it', async (t) => {
  if (!(await needServices(t, ['pg', 'nats']))) return;
  const eth = await recorded(t, ETH_STREAM);
  if (eth === undefined) return;
  const env = scaleEnv();
  try {
    const common = [
      '--nats',
      env.config.nats.servers.join(','),
      '--stream',
      env.config.stream.name,
      '--prefix',
      env.config.stream.subjectPrefix,
    ];
    const collector = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        CLI,
        'collector',
        '--source',
        `replay:${sharedDataPath(ETH_STREAM)}`,
        '--speed',
        'max',
        ...common,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const [code] = (await once(collector, 'exit')) as [number | null];
    assert.equal(code, 0, 'the collector exits 0 once the replay is published');
    const worker = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        CLI,
        'worker',
        ...common,
        '--store',
        PG_URL,
        '--schema',
        env.schema,
        '--shard',
        'binance:*',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    try {
      const bus = await env.bus('test');
      const total = eth.trades.length;
      await waitFor(
        'the worker to store every trade',
        async () => {
          // Until the worker has created its consumer, there is none to ask about.
          const info = await bus.jsm.consumers
            .info(bus.streamName, shardDurable({ exchange: 'binance', symbol: '*' }))
            .catch(() => undefined);
          if (info === undefined) return false;
          const l = lagOf(info);
          return info.delivered.stream_seq === total && l.pending === 0 && l.ackPending === 0;
        },
        60_000,
      );
      const reader = env.store();
      await reader.open();
      await assertSameAsSingleProcess(reader, [eth]);
    } finally {
      worker.kill('SIGTERM');
      const [wcode] = (await once(worker, 'exit')) as [number | null];
      assert.equal(wcode, 0, 'the worker exits 0 on SIGTERM');
    }
  } finally {
    await env.dispose();
  }
});
