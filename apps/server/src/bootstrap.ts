import { closeDatabase, openDatabase, runMigrations, type DB } from '@baton/db';
import { createConsoleLogger, type CoreContext, type Logger } from '@baton/core';
import { createSessionAuth, LoginThrottle, RateLimiter } from '@baton/auth';
import type { ApiDeps } from '@baton/api';
import type { Env } from './env.ts';

export interface Baton {
  db: DB;
  core: CoreContext;
  deps: ApiDeps;
  close(): void;
}

/** Opens the database, applies migrations and wires the long-lived services. Shared by the server, the CLI and tests. */
export function bootstrap(env: Env, opts: { logger?: Logger } = {}): Baton {
  const db = openDatabase({ file: env.databaseFile, synchronous: env.BATON_SQLITE_SYNCHRONOUS });
  runMigrations(db);
  const core: CoreContext = {
    db,
    logger: opts.logger ?? createConsoleLogger(env.BATON_LOG_LEVEL),
    now: () => new Date(),
    config: {
      publicUrl: env.publicUrl,
      mail: { smtpUrl: env.BATON_SMTP_URL ?? null, from: env.BATON_MAIL_FROM },
    },
  };
  const deps: ApiDeps = {
    core,
    sessions: createSessionAuth(db),
    loginThrottle: new LoginThrottle(),
    relayLimiter: new RateLimiter(env.BATON_RELAY_RATE_LIMIT),
    trustProxy: env.BATON_TRUST_PROXY,
  };
  return { db, core, deps, close: () => closeDatabase(db) };
}
