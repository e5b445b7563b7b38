// The append-only audit log: one JSON line per request and per stream subscription (who, what, when, status).
// The file is opened for appending only; a write backlog beyond its budget is counted, not held in memory.

import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

/** Bytes of audit lines waiting for the disk before further lines are dropped (and counted). */
export const AUDIT_BACKLOG_BYTES = 8 * 1024 * 1024;

export interface AuditRecord {
  readonly time: string;
  /** Client address. */
  readonly ip: string;
  /** API key id, or null for anonymous access. */
  readonly key: string | null;
  /** e.g. "GET /api/v1/orderflow/footprint/BTC?timeframe=1h", "ws subscribe BTC 1m". */
  readonly action: string;
  /** HTTP status, or a stream outcome ("ok", an error code). */
  readonly status: number | string;
  readonly ms?: number;
}

export class AuditLog {
  private readonly out: WriteStream | undefined;
  written = 0;
  dropped = 0;

  constructor(readonly path: string | undefined) {
    if (path !== undefined) {
      mkdirSync(dirname(path), { recursive: true });
      this.out = createWriteStream(path, { flags: 'a', mode: 0o600 });
      this.out.on('error', () => {
        this.dropped++;
      });
    }
  }

  record(r: AuditRecord): void {
    if (this.out === undefined) return;
    if (this.out.writableLength > AUDIT_BACKLOG_BYTES) {
      this.dropped++;
      return;
    }
    this.out.write(JSON.stringify(r) + '\n');
    this.written++;
  }

  close(): Promise<void> {
    const out = this.out;
    if (out === undefined) return Promise.resolve();
    return new Promise((resolve) => out.end(resolve));
  }
}
