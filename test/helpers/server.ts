import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseEnv } from '../../apps/server/src/env.ts';
import { bootstrap, type Baton } from '../../apps/server/src/bootstrap.ts';
import { createApp } from '../../apps/server/src/app.ts';
import type { Logger } from '@baton/core';

export interface TestServer {
  url: string;
  baton: Baton;
  dataDir: string;
  /** Errors the server logged; tests assert that a bad request did not log a 500. */
  loggedErrors: Array<{ msg: string; extra?: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** A real Baton on 127.0.0.1 with a random port and its own fresh SQLite file (migrations applied). */
export async function startTestServer(env: Record<string, string> = {}, opts: { sseHeartbeatMs?: number } = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-test-'));
  const loggedErrors: TestServer['loggedErrors'] = [];
  const logger: Logger = {
    info() {},
    warn() {},
    error: (msg, extra) => loggedErrors.push({ msg, ...(extra ? { extra } : {}) }),
  };
  const baton = await bootstrap(parseEnv({ BATON_DATA_DIR: dataDir, BATON_SQLITE_SYNCHRONOUS: 'NORMAL', BATON_LOG_LEVEL: 'silent', ...env }), { logger });
  const server: Server = createServer(createApp({ deps: baton.deps, webDist: null, sseHeartbeatMs: opts.sseHeartbeatMs }));
  baton.start();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    baton,
    dataDir,
    loggedErrors,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await baton.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
