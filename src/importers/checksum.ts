// Binance's `.CHECKSUM` companions (`<sha256 hex>  <file name>`): parsing them and verifying a file against one,
// streaming, before anything of the file is written to the store.

import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ImportError } from './import-error.ts';

export interface ChecksumLine {
  readonly sha256: string;
  readonly name: string;
}

/** The first `<hash>  <name>` line of a .CHECKSUM text (sha256sum format; one or two spaces, optional `*`). */
export function parseChecksum(text: string, source = 'CHECKSUM'): ChecksumLine {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '');
  const m = line === undefined ? null : /^([0-9a-fA-F]{64})\s+\*?(.+?)\s*$/.exec(line);
  if (m === null) {
    throw new ImportError(
      'BAD_CHECKSUM_FILE',
      `${source}: not a sha256 checksum line (${JSON.stringify(line ?? '')})`,
    );
  }
  return { sha256: m[1]!.toLowerCase(), name: m[2]! };
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

export type ChecksumStatus = 'verified' | 'absent';

/**
 * Verifies `path` against `<path>.CHECKSUM` when that file exists; throws CHECKSUM_MISMATCH (naming both hashes)
 * when it does not match, or when it names another file.
 */
export async function verifyChecksumBeside(path: string): Promise<ChecksumStatus> {
  const sumPath = `${path}.CHECKSUM`;
  if (!existsSync(sumPath)) return 'absent';
  const expected = parseChecksum(readFileSync(sumPath, 'utf8'), sumPath);
  if (basename(expected.name) !== basename(path)) {
    throw new ImportError(
      'CHECKSUM_MISMATCH',
      `${sumPath} is the checksum of ${expected.name}, not of ${basename(path)}`,
    );
  }
  const actual = await sha256File(path);
  if (actual !== expected.sha256) {
    throw new ImportError(
      'CHECKSUM_MISMATCH',
      `${path}: sha256 ${actual} does not match ${expected.sha256} in ${sumPath} (corrupt or incomplete download)`,
    );
  }
  return 'verified';
}
