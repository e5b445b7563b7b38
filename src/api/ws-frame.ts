// Frame once, send many: an update becomes one complete WebSocket text frame (RFC 6455 §5.2, unmasked as a server
// sends it), and that same Buffer is written to every subscriber's socket — one write each, no per-client header.

import type { Socket } from 'node:net';
import { WebSocket } from 'ws';

/** FIN + opcode 0x1 (text). */
const FIN_TEXT = 0x81;

/** The whole frame of one unfragmented text message (payload: UTF-8 JSON). */
export function textFrame(payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + n);
  frame[0] = FIN_TEXT;
  if (n < 126) frame[1] = n;
  else if (n < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    frame.writeUInt32BE(n >>> 0, 6);
  }
  payload.copy(frame, head);
  return frame;
}

/**
 * The socket under a server-side `ws` connection, when frames may be written to it directly: no extension
 * negotiated (permessage-deflate would set RSV1 and queue sends). `ws` writes its own frames synchronously to the
 * same socket, so raw frames and `ws.send` interleave whole, in call order, and `bufferedAmount` counts both.
 */
export function rawSocketOf(ws: WebSocket): Socket | undefined {
  if (ws.extensions !== '') return undefined;
  const socket = (ws as unknown as { _socket?: Socket | null })._socket;
  return socket !== null && socket !== undefined && typeof socket.write === 'function' ? socket : undefined;
}

/** A message as its payload and its complete frame, both built once for every subscriber. */
export interface Framed {
  readonly payload: Buffer;
  readonly frame: Buffer;
}

export const framed = (payload: Buffer): Framed => ({ payload, frame: textFrame(payload) });

/** Writes a framed message to an open connection: the frame on the raw socket, else `ws.send` of the payload. */
export function writeFramed(ws: WebSocket, socket: Socket | undefined, m: Framed): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  if (socket !== undefined && !socket.destroyed) socket.write(m.frame);
  else ws.send(m.payload, { binary: false });
}
