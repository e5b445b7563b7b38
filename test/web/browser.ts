// Shared by the browser tests and the UI benchmark: Debian's Chromium (never a downloaded browser), its flags,
// and the production build of the UI through Vite's JS API (the same build as `npm run build:web`).
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
export const WEB_DIST = `${ROOT}web/dist`;

export async function buildWeb(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: `${ROOT}web/vite.config.ts`, logLevel: 'warn' });
}
