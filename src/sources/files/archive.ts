// Unwraps the containers trade files come in: gzip (recorded streams) and single-entry zip (official Binance
// dumps are `.zip` holding one CSV), recognized by their magic bytes rather than by the file extension.

import { gunzipSync, inflateRawSync } from 'node:zlib';
import { OrderflowError } from '../../core/errors.ts';

export type Container = 'plain' | 'gzip' | 'zip';

export function containerOf(bytes: Uint8Array): Container {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip';
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'zip';
  return 'plain';
}

export interface Unpacked {
  readonly bytes: Uint8Array;
  readonly container: Container;
  /** Name of the entry inside a zip (its official name carries the instrument). */
  readonly innerName?: string;
}

export function unpack(bytes: Uint8Array, path: string): Unpacked {
  const container = containerOf(bytes);
  try {
    if (container === 'gzip') return { bytes: gunzipSync(bytes), container };
    if (container === 'zip') return unzipSingle(bytes, path);
  } catch (e) {
    if (e instanceof OrderflowError) throw e;
    throw new OrderflowError('UNKNOWN_FORMAT', `${path}: corrupt ${container} data (${String(e)})`, {
      cause: e,
    });
  }
  return { bytes, container };
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** The one entry of a zip archive, located through the central directory (local sizes may be deferred). */
function unzipSingle(bytes: Uint8Array, path: string): Unpacked {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new OrderflowError('UNKNOWN_FORMAT', `${path}: zip without end of central directory`);
  const entries = view.getUint16(eocd + 10, true);
  if (entries !== 1) {
    throw new OrderflowError(
      'UNKNOWN_FORMAT',
      `${path}: zip holds ${entries} entries; expected exactly one trade file`,
    );
  }
  const cd = view.getUint32(eocd + 16, true);
  if (view.getUint32(cd, true) !== CENTRAL)
    throw new OrderflowError('UNKNOWN_FORMAT', `${path}: bad zip central directory`);
  const method = view.getUint16(cd + 10, true);
  const compressed = view.getUint32(cd + 20, true);
  const nameLen = view.getUint16(cd + 28, true);
  const local = view.getUint32(cd + 42, true);
  const innerName = new TextDecoder().decode(bytes.subarray(cd + 46, cd + 46 + nameLen));
  if (view.getUint32(local, true) !== LOCAL)
    throw new OrderflowError('UNKNOWN_FORMAT', `${path}: bad zip local header`);
  const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
  const data = bytes.subarray(start, start + compressed);
  if (method === 0) return { bytes: data, container: 'zip', innerName };
  if (method === 8) return { bytes: inflateRawSync(data), container: 'zip', innerName };
  throw new OrderflowError('UNKNOWN_FORMAT', `${path}: zip compression method ${method} is not supported`);
}
