/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- assertions on parsed JSON messages */
// The WebSocket stream on a real port: the spec's subscribe message, snapshot, tick / footprint_update /
// delta_update, unsubscribe; bad frames, floods and slow clients get clear errors or a close with a reason while
// other clients are unaffected; the per-client byte budget coalesces and drops as documented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { decodeTickBatch } from '../../src/client/tick-batch.ts';
import { unitsToString } from '../../src/core/decimal.ts';
import { ApiKeyStore } from '../../src/api/api-keys.ts';
import {
  CLIENT_BUFFER_BUDGET,
  CLOSE_SLOW_CONSUMER,
  COALESCE_AT_BYTES,
  MAX_PENDING_MESSAGES,
  SLOW_CLIENT_GRACE_MS,
  StreamClient,
} from '../../src/api/ws-streamer.ts';
import { framed } from '../../src/api/ws-frame.ts';
import { ETH_FILE, listen, serviceFixture } from './fixture.ts';
import { Peer, setup } from './ws-fixture.ts';

/** Waits (on the event loop, bounded) until a condition about the server holds. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !cond(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(cond(), 'condition reached');
}

const SUB = { type: 'subscribe', data: { channel: 'orderflow', symbol: 'binance:ETHUSDT', timeframe: '1m' } };

test('subscribe (spec message): subscribed, snapshot, then tick, footprint_update and delta_update; unsubscribe stops them', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const a = new Peer(s.server.wsUrl);
  try {
    await a.opened;
    const subscribed = a.next('subscribed');
    const snapshot = a.next('snapshot');
    a.send(SUB);
    const sub = await subscribed;
    assert.deepEqual(
      {
        channel: sub.data.channel,
        symbol: sub.data.symbol,
        timeframe: sub.data.timeframe,
        aggregation: sub.data.aggregation,
      },
      { channel: 'orderflow', symbol: 'binance:ETHUSDT', timeframe: '1m', aggregation: 'TIME' },
    );
    const snap = await snapshot;
    assert.ok(snap.data.footprint.bars.length > 0, 'the snapshot holds the stored bars');
    assert.equal(typeof snap.data.delta_profile.cumulative_delta, 'number');

    const tick = a.next('tick');
    const fp = a.next('footprint_update');
    const delta = a.next('delta_update');
    const batch = s.rest.slice(0, 50);
    s.f.source.push(s.inst, batch);
    const tk = await tick;
    assert.equal(tk.data.count, batch.length, 'one batched tick');
    // The columnar batch decodes to exactly the pushed trades, in order, prices and sizes as exact decimals.
    assert.deepEqual(
      decodeTickBatch(tk.data).map((x) => [
        x.exchange,
        x.symbol,
        x.id,
        x.time_us,
        x.price_text,
        x.qty_text,
        x.side,
      ]),
      batch.map((x) => [
        x.exchange,
        x.symbol,
        x.id,
        x.ts,
        unitsToString(x.price, s.inst.price),
        unitsToString(x.qty, s.inst.qty),
        x.side === 1 ? 'buy' : 'sell',
      ]),
      'the trades in order',
    );
    const up = await fp;
    for (const c of up.data.bars) {
      for (const k of ['price_level', 'buy_volume', 'sell_volume', 'total_volume', 'delta'])
        assert.equal(typeof c[k], 'number');
      for (const k of ['is_imbalanced', 'is_point_of_control']) assert.equal(typeof c[k], 'boolean');
      assert.equal(c.start_time, up.data.bar.start_time);
    }
    assert.equal(typeof (await delta).data.delta_profile.cumulative_delta, 'number');

    const unsub = a.next('unsubscribed');
    a.send({ ...SUB, type: 'unsubscribe' });
    await unsub;
    const mark = a.received.length;
    s.f.source.push(s.inst, s.rest.slice(50, 60));
    const hb = a.next('heartbeat');
    a.send({ type: 'ping' });
    await hb;
    assert.deepEqual(
      a.received.slice(mark).map((m) => m.type),
      ['heartbeat'],
      'nothing after unsubscribing',
    );
  } finally {
    a.ws.close();
    await s.server.close();
    await s.f.close();
  }
});

test('bad frames get error messages, never a crash; other clients keep streaming', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const a = new Peer(s.server.wsUrl);
  const b = new Peer(s.server.wsUrl);
  try {
    await Promise.all([a.opened, b.opened]);
    const bsub = b.next('snapshot');
    b.send(SUB);
    await bsub;
    const expectError = async (frame: unknown, code: string) => {
      const e = a.next('error');
      a.send(frame);
      const m = await e;
      assert.equal(m.data.code, code, JSON.stringify(m));
      assert.equal(typeof m.data.message, 'string');
    };
    await expectError('not json {', 'INVALID_JSON');
    await expectError(Buffer.from([0, 1, 2, 255]), 'BINARY_NOT_SUPPORTED');
    await expectError(
      { type: 'subscribe', data: { channel: 'orderflow', symbol: 'x'.repeat(5000) } },
      'MESSAGE_TOO_LARGE',
    );
    await expectError({ type: 'subscribe' }, 'INVALID_PARAMETER');
    await expectError({ type: 'subscribe', data: { channel: 'orderflow' } }, 'INVALID_PARAMETER');
    await expectError({ type: 'subscribe', data: { channel: 'trades', symbol: 'BTC' } }, 'INVALID_PARAMETER');
    await expectError(
      { type: 'subscribe', data: { channel: 'orderflow', symbol: 'BTC', timeframe: 'soon' } },
      'INVALID_PARAMETER',
    );
    await expectError(
      { type: 'subscribe', data: { channel: 'orderflow', symbol: 'DOGE' } },
      'UNKNOWN_SYMBOL',
    );
    await expectError({ type: 'hello' }, 'INVALID_MESSAGE');
    await expectError([1, 2, 3], 'INVALID_MESSAGE');
    await expectError(
      { type: 'unsubscribe', data: { channel: 'orderflow', symbol: 'ETH' } },
      'NOT_SUBSCRIBED',
    );
    // A frame above the protocol limit closes that connection (1009), and only that one.
    const closed = a.closed;
    a.send('x'.repeat(70 * 1024));
    assert.equal((await closed).code, 1009);
    const tick = b.next('tick');
    s.f.source.push(s.inst, s.rest.slice(0, 5));
    assert.equal(decodeTickBatch((await tick).data).length, 5);
  } finally {
    b.ws.close();
    await s.server.close();
    await s.f.close();
  }
});

test('subscribe/unsubscribe floods are rate limited, then the flooding client is closed; others are unaffected', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const a = new Peer(s.server.wsUrl);
  const b = new Peer(s.server.wsUrl);
  try {
    await Promise.all([a.opened, b.opened]);
    const bsub = b.next('snapshot');
    b.send(SUB);
    await bsub;
    const closed = a.closed;
    for (let i = 0; i < 200; i++) a.send({ ...SUB, type: i % 2 === 0 ? 'subscribe' : 'unsubscribe' });
    const c = await closed;
    assert.equal(c.code, 1008);
    assert.match(c.reason, /flood/);
    assert.ok(a.received.some((m) => m.type === 'error' && m.data.code === 'RATE_LIMITED'));
    await until(() => s.server.streamer.clientCount === 1);
    const tick = b.next('tick');
    s.f.source.push(s.inst, s.rest.slice(0, 3));
    assert.equal(decodeTickBatch((await tick).data).length, 3);
    // The flooder's subscriptions were released: the channel has B only.
    assert.equal(s.f.service.hub.counts.channels, 1);
  } finally {
    b.ws.close();
    await s.server.close();
    await s.f.close();
  }
});

test('a client that never reads is closed once over its budget; the others keep receiving', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const slow = new Peer(s.server.wsUrl);
  const fast = new Peer(s.server.wsUrl);
  try {
    await Promise.all([slow.opened, fast.opened]);
    for (const p of [slow, fast]) {
      const snap = p.next('snapshot');
      p.send(SUB);
      await snap;
    }
    slow.ws.pause();
    const big = Buffer.from(
      JSON.stringify({ type: 'imbalance_detected', data: { pad: 'x'.repeat(256 * 1024) } }),
    );
    const sub = (await s.f.service.hub.subscribe({ symbol: 'binance:ETHUSDT', config: { timePerRow: '1m' } }))
      .channelTopic;
    let received = 0;
    fast.ws.on('message', () => received++);
    // Until the kernel buffers are full nothing is queued in the process; then the budget applies.
    for (let i = 0; i < 400 && s.server.streamer.clientCount === 2; i++) {
      s.server.streamer.publish(sub, big);
      await new Promise((resolve) => setImmediate(resolve));
    }
    // A client that does not read cannot finish the closing handshake: it is terminated shortly after.
    await until(() => s.server.streamer.clientCount === 1);
    assert.ok(received > 0, 'the fast client kept receiving');
    slow.ws.resume();
    const c = await slow.closed;
    assert.ok([CLOSE_SLOW_CONSUMER, 1006].includes(c.code), `closed with ${c.code}`);
  } finally {
    fast.ws.close();
    await s.server.close();
    await s.f.close();
  }
});

test('byte budget of one client: coalesce keyed updates to the latest, drop ticks with a notice, close when over budget', () => {
  const sent: string[] = [];
  let closed: [number, string] | undefined;
  const fake = {
    readyState: 1,
    bufferedAmount: 0,
    send: (b: Buffer) => sent.push(b.toString()),
    close: (code: number, reason: string) => (closed = [code, reason]),
    terminate: () => undefined,
  };
  const c = new StreamClient(fake as unknown as WebSocket, '127.0.0.1', null);
  const msg = (s: string) => framed(Buffer.from(s));
  c.deliver(msg('first'), 'k', false);
  assert.deepEqual(sent, ['first'], 'under the threshold: sent at once');
  fake.bufferedAmount = COALESCE_AT_BYTES + 1;
  c.deliver(msg('tick1'), undefined, true);
  c.deliver(msg('bar v1'), 'bar', false);
  c.deliver(msg('delta v1'), 'delta', false);
  c.deliver(msg('bar v2'), 'bar', false);
  c.deliver(msg('tick2'), undefined, true);
  assert.deepEqual(sent, ['first'], 'congested: nothing sent');
  c.drain(Date.now());
  assert.deepEqual(sent, ['first'], 'still congested');
  fake.bufferedAmount = 0;
  c.drain(Date.now());
  assert.equal(JSON.parse(sent[1]!).type, 'notice');
  assert.equal(JSON.parse(sent[1]!).data.dropped_messages, 2);
  assert.deepEqual(
    sent.slice(2),
    ['delta v1', 'bar v2'],
    'the latest state per key, in order of last update',
  );
  // Congested too long.
  fake.bufferedAmount = COALESCE_AT_BYTES + 1;
  c.deliver(msg('x'), 'x', false);
  c.drain(Date.now() + SLOW_CLIENT_GRACE_MS + 1);
  assert.equal(closed?.[0], CLOSE_SLOW_CONSUMER);
  // Over the hard budget.
  const c2 = new StreamClient(
    { ...fake, bufferedAmount: CLIENT_BUFFER_BUDGET } as unknown as WebSocket,
    'ip',
    null,
  );
  closed = undefined;
  c2.deliver(msg('y'), 'y', false);
  assert.equal(closed?.[0], CLOSE_SLOW_CONSUMER);
  // Too many distinct pending updates.
  closed = undefined;
  const c3 = new StreamClient(
    { ...fake, bufferedAmount: COALESCE_AT_BYTES + 1 } as unknown as WebSocket,
    'ip',
    null,
  );
  for (let i = 0; i <= MAX_PENDING_MESSAGES; i++) c3.deliver(msg('z'), `k${i}`, false);
  assert.equal(closed?.[0], CLOSE_SLOW_CONSUMER);
});

test('stream auth: with keys, no token ⇒ HTTP 401 at upgrade; ?token= or the header is accepted; subscriptions are audited', async (t) => {
  const f = await serviceFixture(t, { files: [ETH_FILE] });
  if (!f) return;
  const keys = new ApiKeyStore();
  const { key, record } = keys.add('streamer', ['stream']);
  const server = await listen(f, {}, keys);
  try {
    const refused = new WebSocket(server.wsUrl);
    const status = await new Promise<number>((resolve) =>
      refused.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    assert.equal(status, 401);
    refused.on('error', () => undefined);
    const p = new Peer(`${server.wsUrl}?token=${encodeURIComponent(key)}`);
    await p.opened;
    const snap = p.next('snapshot');
    p.send({ type: 'subscribe', data: { channel: 'orderflow', symbol: 'ETH' } });
    await snap;
    p.ws.close();
    await p.closed;
    const h = new Peer(server.wsUrl, { headers: { authorization: `Bearer ${key}` } });
    await h.opened;
    h.ws.close();
    await h.closed;
    await server.audit.close();
    const lines = readFileSync(join(f.dir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.ok(lines.some((l) => l.action === 'ws connect' && l.status === 401 && l.key === null));
    assert.ok(
      lines.some((l) => l.action.startsWith('ws subscribe ETH') && l.status === 'ok' && l.key === record.id),
    );
  } finally {
    await server.close();
    await f.close();
  }
});
