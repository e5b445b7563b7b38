// `npm start` / `npm run demo`: builds the web UI once if it is missing, then runs `orderflow serve` with the flags.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(`${root}web/dist/index.html`) && existsSync(`${root}web/index.html`)) {
  console.error('building the web UI (first start only)…');
  const { build } = await import('vite');
  await build({ configFile: `${root}web/vite.config.ts`, logLevel: 'warn' });
}
process.argv = [process.argv[0], 'orderflow', 'serve', ...process.argv.slice(2)];
await import('../src/cli/main.ts');
