import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseEnv } from '../../apps/server/src/env.ts';
import { bootstrap, type Baton } from '../../apps/server/src/bootstrap.ts';
import { createApp } from '../../apps/server/src/app.ts';
import type { Logger } from '@baton/core';
import { openStore, rawStatement, SCHEMA_DIALECT, type DB, type Store } from '@baton/db';
import { inject } from 'vitest';
import { createTestDatabase } from './embedded-postgres.ts';

/**
 * The database settings for a fresh Baton on the engine this test project runs (vite.config.ts
 * projects): nothing on SQLite (a new file in the data dir), a new database on the run's PostgreSQL.
 */
export async function testDatabaseEnv(): Promise<Record<string, string>> {
  if (SCHEMA_DIALECT !== 'postgres') return {};
  return {
    BATON_DATABASE_URL: await createTestDatabase(inject('pgAdminUrl'), 'baton_t'),
    BATON_SECRET_KEY: 'test-secret-key-0123456789abcdef0123456789',
    BATON_DB_POOL_SIZE: '4',
  };
}

export interface TestServer {
  url: string;
  baton: Baton;
  dataDir: string;
  /** The Postgres database's URL, or null on SQLite (the file is dataDir/baton.db). */
  databaseUrl: string | null;
  /** The environment the server was started with (to start another process on the same database). */
  env: Record<string, string>;
  /** Errors the server logged; tests assert that a bad request did not log a 500. */
  loggedErrors: Array<{ msg: string; extra?: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** A real Baton on 127.0.0.1 with a random port and its own fresh database (migrations applied) on the project's engine. */
export async function startTestServer(env: Record<string, string> = {}, opts: { sseHeartbeatMs?: number } = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-test-'));
  const loggedErrors: TestServer['loggedErrors'] = [];
  const logger: Logger = {
    info() {},
    warn() {},
    error: (msg, extra) => {
      loggedErrors.push({ msg, ...(extra ? { extra } : {}) });
      // For diagnosing a failing test: BATON_TEST_LOG_ERRORS=1 prints what the server logged.
      if (process.env.BATON_TEST_LOG_ERRORS === '1') process.stderr.write(`server error: ${msg} ${JSON.stringify(extra ?? {})}\n`);
    },
  };
  const fullEnv: Record<string, string> = { BATON_DATA_DIR: dataDir, BATON_SQLITE_SYNCHRONOUS: 'NORMAL', BATON_LOG_LEVEL: 'silent', ...(await testDatabaseEnv()), ...env };
  const baton = await bootstrap(parseEnv(fullEnv), { logger });
  const server: Server = createServer(createApp({ deps: baton.deps, webDist: null, sseHeartbeatMs: opts.sseHeartbeatMs }));
  baton.start();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    baton,
    dataDir,
    databaseUrl: fullEnv.BATON_DATABASE_URL ?? null,
    env: fullEnv,
    loggedErrors,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await baton.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Another connection to a test server's database, as another process (or node) has it: the same
 * SQLite file, or the same Postgres database. Writes through it are invisible to the server's
 * in-process triggers, which is what the cache tests need. Close it when done.
 */
export function openSideStore(srv: Pick<TestServer, 'databaseUrl' | 'dataDir'>): Promise<Store> {
  return openStore({ databaseUrl: srv.databaseUrl, file: join(srv.dataDir, 'baton.db'), synchronous: 'NORMAL', migrate: false });
}

/**
 * Plain SQL on a database handle, the same on both engines (rawStatement: `?` placeholders; keep
 * to syntax both share). Booleans read back as 0/1 on SQLite and true/false on Postgres, JSON as
 * text on SQLite and parsed on Postgres.
 */
export function sqlOn(db: DB) {
  return {
    get: <R = Record<string, unknown>>(text: string, ...params: unknown[]) => rawStatement<R>(text).get(db, ...params),
    all: <R = Record<string, unknown>>(text: string, ...params: unknown[]) => rawStatement<R>(text).all(db, ...params),
    run: (text: string, ...params: unknown[]) => rawStatement(text).run(db, ...params),
  };
}

/** Reads through the server's reader (committed data). */
export const serverSql = (srv: TestServer) => sqlOn(srv.baton.store.reader);

/** Writes as the server itself would: one unit of work on the server's store (its triggers see it). */
export function serverWrite(srv: TestServer, text: string, ...params: unknown[]): Promise<void> {
  return srv.baton.store.unit((tx) => rawStatement(text).run(tx, ...params));
}
