// Test fixtures for the importers: single-entry zip archives as Binance publishes them (built here with node:zlib's
// raw deflate and crc32, no archive library needed), sha256 checksum lines, a loopback HTTP server, and dump rows.

import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateRawSync } from 'node:zlib';

/** A zip holding one entry, deflated (method 8) like Binance's dumps. */
export function zipOne(name: string, content: Buffer | string): Buffer {
  const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
  const packed = deflateRawSync(data);
  const nameBytes = Buffer.from(name);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(packed.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(packed.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  central.writeUInt32LE(0, 42);
  const cdOffset = local.length + nameBytes.length + packed.length;
  const cdSize = central.length + nameBytes.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(cdSize, 12);
  end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, nameBytes, packed, central, nameBytes, end]);
}

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** The .CHECKSUM text Binance serves beside each zip. */
export const checksumLine = (body: Buffer, name: string): string => `${sha256(body)}  ${name}\n`;

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** An HTTP server on 127.0.0.1, port 0; returns its base URL and a closer. */
export async function serve(handler: Handler): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

/** Spot dump rows (no header, ms times): id, price, qty, quoteQty, time, isBuyerMaker, isBestMatch. */
export function spotRows(firstId: number, n: number, t0Ms: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const price = (40_000 + (i % 37) * 0.01 + Math.floor(i / 37)).toFixed(8);
    const qty = (0.001 + (i % 11) * 0.00001).toFixed(8);
    lines.push(`${firstId + i},${price},${qty},1.0,${t0Ms + i * 250},${i % 3 === 0 ? 'True' : 'False'},True`);
  }
  return lines.join('\n') + '\n';
}
