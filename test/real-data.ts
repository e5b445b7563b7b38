// Locates the shared real market data (../shared/data beside the repository) for tests; never copied in.
// Missing data skips a test locally and fails it on CI, so a broken checkout cannot pass silently.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

const DATA_ROOT = new URL('../../shared/data/', import.meta.url);

/** Absolute path of a file or directory under the shared data directory. */
export function sharedDataPath(rel: string): string {
  return fileURLToPath(new URL(rel, DATA_ROOT));
}

/**
 * The absolute path of `rel` when it exists. Otherwise: on CI (process.env.CI set) throws; locally marks the
 * test skipped and returns undefined, so the caller returns early.
 */
export function requireData(t: TestContext, rel: string): string | undefined {
  const path = sharedDataPath(rel);
  if (existsSync(path)) return path;
  const msg = `shared data missing: ${path}`;
  if (process.env.CI) throw new Error(`${msg} (CI must have the shared data)`);
  t.skip(msg);
  return undefined;
}
