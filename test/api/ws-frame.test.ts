// Frame once, send many: frames built by textFrame, written straight to the socket and interleaved with ws.send,
// reach a real `ws` client whole and in order at every length class of the header (7-bit, 16-bit, 64-bit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { framed, rawSocketOf, textFrame, writeFramed } from '../../src/api/ws-frame.ts';

const SIZES = [0, 1, 125, 126, 127, 65_535, 65_536, 70_000, 300_000];
/** JSON-ish text of n bytes, different per size so a misplaced boundary shows. */
const text = (n: number): string =>
  Array.from({ length: n }, (_, i) => String.fromCharCode(97 + ((i * 7 + n) % 26))).join('');

test('textFrame headers follow RFC 6455 §5.2 (FIN, text opcode, unmasked, shortest length form)', () => {
  for (const n of SIZES) {
    const f = textFrame(Buffer.from(text(n)));
    assert.equal(f[0], 0x81);
    const len7 = f[1]! & 0x7f;
    assert.equal(f[1]! & 0x80, 0, 'servers do not mask');
    const [len, head] =
      len7 < 126 ? [len7, 2] : len7 === 126 ? [f.readUInt16BE(2), 4] : [Number(f.readBigUInt64BE(2)), 10];
    assert.equal(len, n);
    assert.equal(head, n < 126 ? 2 : n < 65536 ? 4 : 10);
    assert.equal(f.subarray(head).toString(), text(n));
  }
});

test('raw frames and ws.send interleave whole and in order on a real connection', async () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await new Promise((resolve) => wss.once('listening', resolve));
  const port = (wss.address() as AddressInfo).port;
  const served = new Promise<void>((resolve) =>
    wss.once('connection', (ws) => {
      const socket = rawSocketOf(ws);
      assert.ok(socket, 'no extension negotiated: frames go to the socket');
      for (const n of SIZES) {
        writeFramed(ws, socket, framed(Buffer.from(text(n))));
        ws.send(`sent-by-ws-${n}`);
      }
      resolve();
    }),
  );
  const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
  const got: string[] = [];
  const all = new Promise<void>((resolve, reject) => {
    client.on('message', (d: Buffer, isBinary: boolean) => {
      if (isBinary) reject(new Error('binary frame'));
      got.push(d.toString());
      if (got.length === SIZES.length * 2) resolve();
    });
    client.once('error', reject);
  });
  await served;
  await all;
  assert.deepEqual(
    got,
    SIZES.flatMap((n) => [text(n), `sent-by-ws-${n}`]),
  );
  client.close();
  await new Promise((resolve) => wss.close(resolve));
});

test('with permessage-deflate negotiated, frames go through ws.send (RSV1 must be ws’s to set)', async () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: true });
  await new Promise((resolve) => wss.once('listening', resolve));
  const port = (wss.address() as AddressInfo).port;
  const served = new Promise<void>((resolve) =>
    wss.once('connection', (ws) => {
      assert.equal(rawSocketOf(ws), undefined);
      writeFramed(ws, rawSocketOf(ws), framed(Buffer.from(text(1000))));
      resolve();
    }),
  );
  const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: true });
  const got = new Promise<string>((resolve) => client.once('message', (d: Buffer) => resolve(d.toString())));
  await served;
  assert.equal(await got, text(1000));
  client.close();
  await new Promise((resolve) => wss.close(resolve));
});
