/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return -- assertions on parsed JSON messages */
// A bar's footprint updates after its first carry only the changed cells: per client, the streamer sends those
// to a subscriber that got the bar's previous update and keeps up, and the full bar to everyone else (a late
// subscriber, a congested one, one that asked for `footprint_updates: "bars"`). Merged by the client, they give
// exactly the full bar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WebSocket } from 'ws';
import { FootprintUpdateAssembler, FootprintUpdateGap } from '../../src/client/footprint-updates.ts';
import { COALESCE_AT_BYTES, StreamClient } from '../../src/api/ws-streamer.ts';
import { framed } from '../../src/api/ws-frame.ts';
import { Peer, setup } from './ws-fixture.ts';

/** A bar update of `seq` on top of `base`, as the streamer gets it (the payloads just name their form). */
function barUpdate(seq: number, base: number | undefined) {
  const full = framed(Buffer.from(`full ${seq}`));
  return {
    seq,
    base,
    cells: base === undefined ? undefined : framed(Buffer.from(`cells ${seq}`)),
    full: () => full,
  };
}

test('per client: cells only on top of the update it was handed; full after a gap, congestion, a new subscription or when asked', () => {
  const sent: string[] = [];
  const fake = {
    readyState: 1,
    bufferedAmount: 0,
    send: (b: Buffer) => sent.push(b.toString()),
    close: () => undefined,
    terminate: () => undefined,
  };
  const c = new StreamClient(fake as unknown as WebSocket, '127.0.0.1', null);
  const key = 'ch:X|fp:1';
  c.deliverBar(key, 'ch:X', barUpdate(1, undefined));
  c.deliverBar(key, 'ch:X', barUpdate(2, 1));
  c.deliverBar(key, 'ch:X', barUpdate(4, 3)); // update 3 never reached this client
  c.deliverBar(key, 'ch:X', barUpdate(5, 4));
  assert.deepEqual(sent, ['full 1', 'cells 2', 'full 4', 'cells 5']);

  // Congested: the queue holds the full bar, replaced by the next one; after the drain, cells again.
  sent.length = 0;
  fake.bufferedAmount = COALESCE_AT_BYTES + 1;
  c.deliverBar(key, 'ch:X', barUpdate(6, 5));
  c.deliverBar(key, 'ch:X', barUpdate(7, 6));
  assert.deepEqual(sent, []);
  fake.bufferedAmount = 0;
  c.drain(Date.now());
  c.deliverBar(key, 'ch:X', barUpdate(8, 7));
  assert.deepEqual(sent, ['full 7', 'cells 8']);

  // Leaving the topic forgets its bars; a topic asked in full never gets cells.
  sent.length = 0;
  c.forgetBars('ch:X');
  c.deliverBar(key, 'ch:X', barUpdate(9, 8));
  c.fullBarTopics.add('ch:X');
  c.deliverBar(key, 'ch:X', barUpdate(10, 9));
  assert.deepEqual(sent, ['full 9', 'full 10']);
});

test('the assembler refuses cells that do not follow the bar it holds, and passes full bars through', () => {
  const a = new FootprintUpdateAssembler();
  const info = { symbol: 'X', timeframe: '1m' };
  const bar = { start_time: '2024-01-01T00:00:00Z' };
  const cell = (price_level: number, v: number) => ({ price_level, buy_volume: v });
  const full = { ...info, update: 'bar' as const, seq: 1, bar, bars: [cell(1, 1), cell(2, 1)] };
  assert.equal(a.apply(full), full);
  const next = a.apply({
    ...info,
    update: 'cells',
    seq: 2,
    base_seq: 1,
    bar,
    bars: [cell(3, 1), cell(1, 5)],
  });
  assert.deepEqual(next.bars, [cell(1, 5), cell(2, 1), cell(3, 1)]);
  assert.equal(next.update, 'bar');
  assert.throws(
    () => a.apply({ ...info, update: 'cells', seq: 4, base_seq: 3, bar, bars: [] }),
    FootprintUpdateGap,
  );
  assert.throws(
    () => a.apply({ ...info, update: 'cells', seq: 2, base_seq: 1, bar: { start_time: 'other' }, bars: [] }),
    FootprintUpdateGap,
  );
});

test('over a real port: cells to a subscriber that keeps up, full to a late one and to one that asks; all merge to the same bars', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const sub = (extra: Record<string, unknown> = {}) => ({
    type: 'subscribe',
    data: { channel: 'orderflow', symbol: 'binance:ETHUSDT', timeframe: '1m', ...extra },
  });
  const early = new Peer(s.server.wsUrl);
  const bars = new Peer(s.server.wsUrl);
  const late = new Peer(s.server.wsUrl);
  const peers = [early, bars, late];
  try {
    await Promise.all(peers.map((p) => p.opened));
    const subscribed = async (p: Peer, extra?: Record<string, unknown>) => {
      const snap = p.next('snapshot');
      p.send(sub(extra));
      await snap;
    };
    await subscribed(early);
    await subscribed(bars, { footprint_updates: 'bars' });
    // Chunks of 20 trades, each waited for until `early` got its update: the open bar changes a little each time.
    let at = 0;
    const push = async (waitFor: Peer[]) => {
      const got = waitFor.map((p) => p.next('footprint_update'));
      s.f.source.push(s.inst, s.rest.slice(at, (at += 20)));
      return Promise.all(got);
    };
    for (let i = 0; i < 4; i++) await push([early, bars]);
    await subscribed(late);
    for (let i = 0; i < 4; i++) await push([early, bars, late]);

    const updates = (p: Peer) => p.received.filter((m) => m.type === 'footprint_update').map((m) => m.data);
    const forms = (p: Peer) => updates(p).map((d) => d.update);
    assert.ok(
      updates(early).some((d) => d.update === 'cells'),
      `the early subscriber gets cells: ${forms(early).join()}`,
    );
    assert.ok(
      forms(bars).every((f) => f === 'bar'),
      `footprint_updates "bars" gets whole bars: ${forms(bars).join()}`,
    );
    const lateFirst = new Map<string, string>();
    for (const d of updates(late))
      if (!lateFirst.has(d.bar.start_time)) lateFirst.set(d.bar.start_time, d.update);
    assert.ok(
      [...lateFirst.values()].every((f) => f === 'bar'),
      'a late subscriber starts every bar with a whole one',
    );
    // Cells are what changed: fewer bytes than the whole bar sent with the same seq.
    const bySeq = new Map(updates(bars).map((d) => [d.seq, d]));
    for (const d of updates(early).filter((x) => x.update === 'cells')) {
      const whole = bySeq.get(d.seq);
      if (whole !== undefined) assert.ok(d.bars.length < whole.bars.length || whole.bars.length <= 2);
    }
    // Merged, every subscriber holds exactly the whole bars the "bars" subscriber got, update by update.
    for (const p of [early, late]) {
      const a = new FootprintUpdateAssembler();
      for (const d of updates(p)) {
        const merged = a.apply(d);
        const whole = bySeq.get(d.seq);
        assert.ok(whole, `update ${d.seq} went to every subscriber`);
        assert.deepEqual(merged.bars, whole.bars, `update ${d.seq}`);
        assert.deepEqual(merged.bar, whole.bar);
      }
    }
  } finally {
    for (const p of peers) p.ws.close();
    await Promise.all(peers.map((p) => p.closed));
    await s.server.close();
  }
});
