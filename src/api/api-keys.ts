// API keys: 32 random bytes shown once at creation; only their SHA-256 is stored (a random 256-bit key needs no
// slow hash), in a JSON file. Lookup hashes the presented key and compares in constant time.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';

export type KeyScope = 'rest' | 'stream';

export interface StoredKey {
  readonly id: string;
  readonly name: string;
  /** hex SHA-256 of the full key text. */
  readonly sha256: string;
  readonly scopes: readonly KeyScope[];
  readonly created: string;
  readonly revoked?: string;
}

interface KeyFile {
  readonly version: 1;
  readonly keys: StoredKey[];
}

const KEY_PREFIX = 'ofk_';
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export class ApiKeyStore {
  private keys: StoredKey[] = [];
  private readonly byHash = new Map<string, StoredKey>();

  constructor(readonly path?: string) {
    if (path !== undefined && existsSync(path)) this.load(path);
  }

  private load(path: string): void {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<KeyFile>;
    if (!Array.isArray(parsed.keys))
      throw new Error(`${path}: not an API key file (expected {"version":1,"keys":[...]})`);
    this.keys = parsed.keys;
    this.index();
  }

  private index(): void {
    this.byHash.clear();
    for (const k of this.keys) if (k.revoked === undefined) this.byHash.set(k.sha256, k);
  }

  /** Keys that can be used (not revoked). */
  get activeCount(): number {
    return this.byHash.size;
  }

  list(): readonly StoredKey[] {
    return this.keys;
  }

  /** Creates a key; returns its text (shown once) and the stored record. */
  add(name: string, scopes: readonly KeyScope[] = ['rest', 'stream']): { key: string; record: StoredKey } {
    const id = randomBytes(4).toString('hex');
    const key = `${KEY_PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
    const record: StoredKey = {
      id,
      name,
      sha256: sha256(key),
      scopes: [...scopes],
      created: new Date().toISOString(),
    };
    this.keys.push(record);
    this.index();
    this.save();
    return { key, record };
  }

  revoke(id: string): boolean {
    const i = this.keys.findIndex((k) => k.id === id && k.revoked === undefined);
    if (i < 0) return false;
    this.keys[i] = { ...this.keys[i]!, revoked: new Date().toISOString() };
    this.index();
    this.save();
    return true;
  }

  /** The record of a presented key, or undefined. */
  verify(presented: string): StoredKey | undefined {
    if (presented.length === 0 || presented.length > 256) return undefined;
    const h = sha256(presented);
    const k = this.byHash.get(h);
    // The map lookup already matched; the constant-time compare keeps timing independent of the stored text.
    if (k === undefined || !timingSafeEqual(Buffer.from(k.sha256, 'hex'), Buffer.from(h, 'hex')))
      return undefined;
    return k;
  }

  private save(): void {
    if (this.path === undefined) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, keys: this.keys } satisfies KeyFile, null, 2) + '\n', {
      mode: 0o600,
    });
    renameSync(tmp, this.path);
  }
}

/** The key a request presents: `Authorization: Bearer KEY`, `X-API-Key: KEY`, or (WebSocket) `?token=KEY`. */
export function presentedKey(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  token?: string | null,
): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  const x = headers['x-api-key'];
  if (typeof x === 'string' && x.length > 0) return x.trim();
  if (typeof token === 'string' && token.length > 0) return token;
  return undefined;
}
