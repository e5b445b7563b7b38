// Finds every *.test.ts under test/ and runs them in one node:test run (Node 20 has no --test glob support).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('../test/', import.meta.url).pathname;
const filter = process.argv[2];
const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts') && (!filter || f.includes(filter)))
  .sort()
  .map((f) => join('test', f));
const reporter = process.env.TEST_REPORTER ?? 'spec';
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-reporter=${reporter}`, '--test-concurrency=2', ...files],
  { stdio: 'inherit' },
);
process.exit(res.status ?? 1);
