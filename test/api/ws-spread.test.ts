// Spreading big messages: a message above SPREAD_ABOVE_BYTES reaches every subscriber over several turns, later
// messages of its topic stay behind it for every client, and other topics (ticks) are not held behind it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { AuditLog } from '../../src/api/audit-log.ts';
import type { Authenticator } from '../../src/api/auth.ts';
import { SPREAD_ABOVE_BYTES, SPREAD_BYTES_PER_TURN, WsStreamer, WS_PATH } from '../../src/api/ws-streamer.ts';
import type { LiveHub, Subscription } from '../../src/service/live-hub.ts';

const SUB: Subscription = {
  channelKey: 'X|TIME|60000000|1',
  tickTopic: 'tick:X',
  channelTopic: 'ch:X|TIME|60000000|1',
  info: { channel: 'orderflow', symbol: 'X', timeframe: '1m', aggregation: 'TIME', price_tick_size: 0.01 },
};

test('a big message is spread over turns, in order within its topic, without holding other topics', async () => {
  const hub = {
    subscribe: () => Promise.resolve(SUB),
    snapshot: () => undefined,
    release: () => undefined,
  } as unknown as LiveHub;
  const auth = { check: () => ({ ok: true }) } as unknown as Authenticator;
  const streamer = new WsStreamer({
    hub,
    sourceKind: 'live',
    auth,
    audit: new AuditLog(undefined),
    clientIp: () => '127.0.0.1',
  });
  const http = createServer();
  http.on('upgrade', (req, socket, head: Buffer) => streamer.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}${WS_PATH}`;
  const n = 12;
  const got: string[][] = Array.from({ length: n }, () => []);
  const clients: WebSocket[] = [];
  try {
    await Promise.all(
      got.map(
        (log) =>
          new Promise<void>((resolve, reject) => {
            const ws = new WebSocket(url);
            clients.push(ws);
            ws.on('error', reject);
            ws.on('open', () =>
              ws.send(JSON.stringify({ type: 'subscribe', data: { channel: 'orderflow', symbol: 'X' } })),
            );
            ws.on('message', (d: Buffer) => {
              const m = JSON.parse(d.toString()) as { type: string; data: { n?: number } };
              if (m.type === 'subscribed') return resolve();
              log.push(`${m.type}${m.data.n === undefined ? '' : ` ${m.data.n}`}`);
            });
          }),
      ),
    );
    // Three subscribers per turn at most: the message needs several turns to reach all twelve.
    const bigSize = Math.ceil(SPREAD_BYTES_PER_TURN / 3);
    assert.ok(bigSize > SPREAD_ABOVE_BYTES);
    const msg = (type: string, k: number, pad = 0) =>
      Buffer.from(JSON.stringify({ type, data: { n: k, pad: 'x'.repeat(pad) } }));
    const turns = streamer.spreadTurns;
    streamer.publish(SUB.channelTopic, msg('footprint_update', 1, bigSize), 'fp:1');
    streamer.publish(SUB.channelTopic, msg('delta_update', 2), 'delta');
    streamer.publish(SUB.tickTopic, msg('tick', 3));
    const all = (): boolean => got.every((l) => l.length === 3);
    await new Promise<void>((resolve) => {
      const check = (): void => (all() ? resolve() : void setImmediate(check));
      check();
    });
    assert.ok(streamer.spreadTurns - turns >= 4, `spread over ${streamer.spreadTurns - turns} turns`);
    for (const log of got) {
      // Within the channel topic, the order of publishing; the tick was not held behind the big message.
      assert.deepEqual(
        log.filter((x) => x !== 'tick 3'),
        ['footprint_update 1', 'delta_update 2'],
      );
      assert.ok(log.includes('tick 3'));
    }
    // The tick went out at once; the big message, queued for its turns, reached everyone after it.
    for (const log of got) assert.equal(log[0], 'tick 3');
  } finally {
    for (const ws of clients) ws.terminate();
    await streamer.close();
    await new Promise((resolve) => http.close(resolve));
  }
});
