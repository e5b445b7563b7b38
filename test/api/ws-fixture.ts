/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- parsed JSON messages */
// The WebSocket stream's test fixture: a service on a real port with half of the real ETH trades stored, and a
// client of /ws/orderflow that lets a test wait for the next message of a type.
import { WebSocket } from 'ws';
import { requireData } from '../real-data.ts';
import { ETH_FILE, listen, serviceFixture, storedGridTrades } from './fixture.ts';

/** A test client that queues every message and lets the test wait for the next one of a type. */
export class Peer {
  readonly ws: WebSocket;
  readonly received: any[] = [];
  private waiters: { type: string; resolve: (m: any) => void; from: number }[] = [];
  closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;

  constructor(url: string, opts: { headers?: Record<string, string> } = {}) {
    this.ws = new WebSocket(url, opts);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    this.ws.on('message', (d: Buffer) => {
      const m = JSON.parse(d.toString());
      this.received.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (m.type !== w.type) return true;
        w.resolve(m);
        return false;
      });
    });
  }

  next(type: string): Promise<any> {
    return new Promise((resolve) => this.waiters.push({ type, resolve, from: this.received.length }));
  }

  send(obj: unknown): void {
    this.ws.send(typeof obj === 'string' || Buffer.isBuffer(obj) ? obj : JSON.stringify(obj));
  }
}

/** The service listening, with the file's first 8,000 trades stored; `rest` are the others, to stream. */
export async function setup(t: Parameters<typeof requireData>[0]) {
  const path = requireData(t, ETH_FILE);
  if (!path) return undefined;
  const f = (await serviceFixture(t))!;
  const { inst, all } = await storedGridTrades(f, path);
  await f.store.insertTrades(inst.exchange, inst.symbol, all.slice(0, 8000));
  const server = await listen(f);
  return { f, inst, all, server, rest: all.slice(8000) };
}
