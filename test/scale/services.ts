// The machine's PostgreSQL and NATS for integration tests: probed once; unreachable ⇒ a clear failure on CI
// (.ci/run starts them) and a skip naming the reason locally, never a silent pass.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import type { TestContext } from 'node:test';

export const PG_URL = process.env.ORDERFLOW_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const NATS_URL = process.env.ORDERFLOW_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** Why host:port cannot be reached, or undefined when it can. */
export function probe(url: string, defaultPort: number): Promise<string | undefined> {
  const u = new URL(url);
  const host = u.hostname;
  const port = u.port === '' ? defaultPort : Number(u.port);
  return new Promise((resolve) => {
    const s = tcpConnect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      resolve(`${host}:${port}: timeout`);
    }, 2000);
    s.once('connect', () => {
      clearTimeout(timer);
      s.destroy();
      resolve(undefined);
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(`${host}:${port}: ${e.code ?? e.message}`);
    });
  });
}

export const pgProblem = probe(PG_URL, 5432).then((p) =>
  p === undefined ? undefined : `PostgreSQL not reachable at ${p}`,
);
export const natsProblem = probe(NATS_URL, 4222).then((p) =>
  p === undefined ? undefined : `NATS not reachable at ${p}`,
);

/** True when the services are there; else fails on CI, or skips the test with the reason and returns false. */
export async function needServices(t: TestContext, which: readonly ('pg' | 'nats')[]): Promise<boolean> {
  for (const w of which) {
    const problem = await (w === 'pg' ? pgProblem : natsProblem);
    if (problem === undefined) continue;
    if (process.env.CI) throw new Error(`${problem} (CI: .ci/run is expected to have started it)`);
    t.skip(problem);
    return false;
  }
  return true;
}

/** A fresh lower-case name for a schema, stream or consumer of one test. */
export const uniqueName = (prefix: string): string => `${prefix}_${randomBytes(5).toString('hex')}`;

export const NATS_SERVER_BIN = '/usr/sbin/nats-server';

/** A nats-server binary to run a private, restartable server (same skip/fail rule as the services). */
export function needNatsServerBinary(t: TestContext): boolean {
  if (existsSync(NATS_SERVER_BIN)) return true;
  const problem = `${NATS_SERVER_BIN} not installed`;
  if (process.env.CI) throw new Error(`${problem} (CI: the machine's NATS package provides it)`);
  t.skip(problem);
  return false;
}
