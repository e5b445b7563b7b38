// `orderflow serve --config DIR/file.json` loads indicator modules relative to DIR (the config file's directory),
// not the working directory: the service starts from another cwd and lists the indicator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/orderflow.js', import.meta.url));

test('serve --config resolves indicator modules against the config file directory', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-serve-cfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'one-indicator.mjs'),
    "export default { name: 'one', inputs: [], init: () => null, onBar: () => ({ one: 1 }) };\n",
  );
  writeFileSync(
    join(dir, 'orderflow.json'),
    JSON.stringify({ indicators: [{ module: 'one-indicator.mjs', as: 'one_here' }] }),
  );
  // The working directory is not the config's: a cwd-relative lookup would fail to load the module.
  const cwd = mkdtempSync(join(tmpdir(), 'orderflow-serve-cwd-'));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--config', join(dir, 'orderflow.json'), '--source', 'simulator', '--port', '0'],
    { cwd, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  t.after(() => child.kill('SIGTERM'));
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      log += chunk;
      const m = /orderflow service on (\S+)/.exec(log);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`serve exited (${String(code)}) before listening:\n${log}`)));
  });
  const res = await fetch(`${url}/api/v1/orderflow/indicators/BTC?timeframe=1m`);
  const body = (await res.json()) as { success: boolean; data?: { indicators: string[] } };
  assert.equal(body.success, true, JSON.stringify(body));
  assert.deepEqual(body.data?.indicators, ['one_here']);
});
