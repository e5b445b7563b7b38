// Streams a trade file (plain, gzip, or a single-entry zip such as Binance's daily dumps) as line-aligned text
// batches of bounded size, so a multi-gigabyte dump is never held in memory at once.

import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip, createInflateRaw } from 'node:zlib';
import type { Readable } from 'node:stream';
import { OrderflowError } from '../core/errors.ts';
import { containerOf, type Container } from '../sources/files/archive.ts';

/** Text handed to one parser batch: about this many bytes, cut at a line end (≈ 200k Binance CSV rows). */
export const DEFAULT_BATCH_BYTES = 16 * 1024 * 1024;

export interface TextBatch {
  /** Whole lines (the last one ends with "\n" unless it is the file's last line). */
  readonly text: string;
  /** Lines before this batch in the file, so batch line numbers can be made file line numbers. */
  readonly lineOffset: number;
  /** Compressed bytes of the file read so far (for progress). */
  readonly bytesRead: number;
}

export interface OpenedTradeFile {
  readonly path: string;
  readonly container: Container;
  /** Size of the file on disk. */
  readonly size: number;
  /** Name of the zip entry (its official name carries the instrument). */
  readonly innerName?: string;
  /** The path whose base name detection should read (the zip entry's name beside the zip). */
  readonly detectName: string;
  batches(batchBytes?: number): AsyncIterable<TextBatch>;
  /** The file's bytes after decompression (the zip entry, the gunzipped data, or the file itself). */
  content(): Readable;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly start: number;
  readonly compressed: number;
}

/** Locates the one entry of a zip through its central directory, reading only the file's tail and headers. */
async function zipEntry(path: string, size: number): Promise<ZipEntry> {
  const fh = await open(path, 'r');
  try {
    const tailLen = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new OrderflowError('UNKNOWN_FORMAT', `${path}: zip without end of central directory`);
    const entries = tail.readUInt16LE(eocd + 10);
    if (entries !== 1) {
      throw new OrderflowError(
        'UNKNOWN_FORMAT',
        `${path}: zip holds ${entries} entries; expected exactly one trade file`,
      );
    }
    const cdOffset = tail.readUInt32LE(eocd + 16);
    const cd = Buffer.alloc(46 + 0xffff);
    const { bytesRead } = await fh.read(cd, 0, cd.length, cdOffset);
    if (bytesRead < 46 || cd.readUInt32LE(0) !== CENTRAL)
      throw new OrderflowError('UNKNOWN_FORMAT', `${path}: bad zip central directory`);
    const method = cd.readUInt16LE(10);
    const compressed = cd.readUInt32LE(20);
    const nameLen = cd.readUInt16LE(28);
    const local = cd.readUInt32LE(42);
    if (compressed === 0xffffffff || local === 0xffffffff)
      throw new OrderflowError('UNKNOWN_FORMAT', `${path}: zip64 archives are not supported`);
    const name = cd.toString('utf8', 46, 46 + nameLen);
    const lh = Buffer.alloc(30);
    await fh.read(lh, 0, 30, local);
    if (lh.readUInt32LE(0) !== LOCAL)
      throw new OrderflowError('UNKNOWN_FORMAT', `${path}: bad zip local header`);
    const start = local + 30 + lh.readUInt16LE(26) + lh.readUInt16LE(28);
    if (method !== 0 && method !== 8)
      throw new OrderflowError(
        'UNKNOWN_FORMAT',
        `${path}: zip compression method ${method} is not supported`,
      );
    return { name, method, start, compressed };
  } finally {
    await fh.close();
  }
}

async function magicOf(path: string): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(4);
    const { bytesRead } = await fh.read(b, 0, 4, 0);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Opens a trade file for streaming; the container is recognized by its magic bytes, not its extension. */
export async function openTradeFile(path: string): Promise<OpenedTradeFile> {
  const size = (await stat(path)).size;
  const container = containerOf(await magicOf(path));
  const entry = container === 'zip' ? await zipEntry(path, size) : undefined;
  const slash = path.lastIndexOf('/');
  const detectName = entry === undefined ? path : `${path.slice(0, slash + 1)}${entry.name}`;
  let bytesRead = 0;
  const source = (): Readable => {
    const raw =
      entry === undefined
        ? createReadStream(path)
        : createReadStream(path, { start: entry.start, end: entry.start + entry.compressed - 1 });
    raw.on('data', (b: Buffer | string) => {
      bytesRead += b.length;
    });
    if (container === 'gzip') return raw.pipe(createGunzip());
    if (entry !== undefined && entry.method === 8) return raw.pipe(createInflateRaw());
    return raw;
  };
  async function* batches(batchBytes = DEFAULT_BATCH_BYTES): AsyncIterable<TextBatch> {
    bytesRead = 0;
    const stream = source();
    let parts: Buffer[] = [];
    let held = 0;
    let lineOffset = 0;
    const cut = (all: Buffer, end: number): TextBatch => {
      const text = all.toString('utf8', 0, end);
      const batch = { text, lineOffset, bytesRead };
      for (let i = all.indexOf(10, 0); i >= 0 && i < end; i = all.indexOf(10, i + 1)) lineOffset++;
      return batch;
    };
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        parts.push(chunk);
        held += chunk.length;
        if (held < batchBytes) continue;
        const all = Buffer.concat(parts, held);
        const nl = all.lastIndexOf(10);
        if (nl < 0) {
          parts = [all];
          continue;
        }
        yield cut(all, nl + 1);
        const rest = all.subarray(nl + 1);
        parts = rest.length > 0 ? [Buffer.from(rest)] : [];
        held = rest.length;
      }
    } catch (e) {
      if (e instanceof OrderflowError) throw e;
      throw new OrderflowError('UNKNOWN_FORMAT', `${path}: corrupt ${container} data (${String(e)})`, {
        cause: e,
      });
    } finally {
      stream.destroy();
    }
    if (held > 0) yield cut(Buffer.concat(parts, held), held);
  }
  return {
    path,
    container,
    size,
    ...(entry === undefined ? {} : { innerName: entry.name }),
    detectName,
    batches,
    content: source,
  };
}
