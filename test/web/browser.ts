// Shared by the browser tests and the UI benchmark: Debian's Chromium (never a downloaded browser), its flags,
// and the production build of the UI through Vite's JS API (the same build as `npm run build:web`).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Builds the UI into a fresh directory of its own and returns it: test files run in parallel, and two builds into
 * one web/dist would empty it under each other's server.
 */
export async function buildWeb(): Promise<string> {
  const { build } = await import('vite');
  const outDir = mkdtempSync(join(tmpdir(), 'orderflow-web-'));
  await build({
    configFile: `${ROOT}web/vite.config.ts`,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}
