import { closeDatabase, openDatabase, runMigrations, setReadCaches, type DB } from '@baton/db';
import { join } from 'node:path';
import {
  createConsoleLogger,
  DEFAULT_COMMAND_ALLOWLIST,
  DEFAULT_PRICES,
  ENGINE_JOB_HANDLERS,
  RELAY_JOB_HANDLERS,
  onRelayJobDead,
  JobWorker,
  onEngineJobDead,
  RunEventBus,
  type CoreContext,
  type Logger,
} from '@baton/core';
import { createSessionAuth, LoginThrottle, RateLimiter } from '@baton/auth';
import type { ApiDeps } from '@baton/api';
import type { Env } from './env.ts';

export interface Baton {
  db: DB;
  core: CoreContext;
  deps: ApiDeps;
  worker: JobWorker;
  /** Starts the durable worker (unless BATON_ENGINE_PAUSED): runs advance, approvals expire. */
  start(): void;
  /** Stops the worker (running steps are put back in the queue) and closes the database. */
  close(): Promise<void>;
}

/** Opens the database, applies migrations and wires the long-lived services. Shared by the server, the CLI and tests. */
export function bootstrap(env: Env, opts: { logger?: Logger } = {}): Baton {
  const db = openDatabase({ file: env.databaseFile, synchronous: env.BATON_SQLITE_SYNCHRONOUS });
  setReadCaches(db, env.BATON_READ_CACHES);
  runMigrations(db);
  const core: CoreContext = {
    db,
    logger: opts.logger ?? createConsoleLogger(env.BATON_LOG_LEVEL),
    now: () => new Date(),
    bus: new RunEventBus(),
    runAborts: new Map(),
    config: {
      publicUrl: env.publicUrl,
      mail: { smtpUrl: env.BATON_SMTP_URL ?? null, from: env.BATON_MAIL_FROM },
      engine: {
        workspacesDir: join(env.dataDir, 'workspaces'),
        driver: env.driver,
        llm: { url: env.BATON_LLM_URL ?? null, apiKey: env.BATON_LLM_API_KEY ?? null, model: env.BATON_LLM_MODEL, timeoutMs: env.BATON_LLM_TIMEOUT_MS },
        prices: { ...DEFAULT_PRICES, ...env.BATON_MODEL_PRICES },
        enforceCredits: env.BATON_ENFORCE_CREDITS,
        approvalTtlMs: env.BATON_APPROVAL_TTL_SECONDS * 1000,
        commandAllowlist: env.BATON_COMMAND_ALLOWLIST ? env.BATON_COMMAND_ALLOWLIST.split(',').map((s) => s.trim()).filter(Boolean) : DEFAULT_COMMAND_ALLOWLIST,
        commandTimeoutMs: env.BATON_COMMAND_TIMEOUT_MS,
        maxOutputBytes: 64 * 1024,
        httpTimeoutMs: 15_000,
        costlyActionMicros: Math.round(env.BATON_COSTLY_ACTION_CREDITS * 1_000_000),
        sandbox: env.BATON_SANDBOX !== 'off',
        allowPrivateUrls: env.BATON_ALLOW_PRIVATE_URLS,
      },
    },
  };
  const onEngineDead = onEngineJobDead(core);
  const onRelayDead = onRelayJobDead(core);
  const worker = new JobWorker(core, { ...ENGINE_JOB_HANDLERS, ...RELAY_JOB_HANDLERS }, {
    concurrency: env.BATON_WORKER_CONCURRENCY,
    retryBaseMs: env.BATON_JOB_RETRY_BASE_MS,
    onDead: (job, error) => {
      onEngineDead(job, error);
      onRelayDead(job, error);
    },
  });
  core.wakeWorker = worker.wake;
  const deps: ApiDeps = {
    core,
    sessions: createSessionAuth(db),
    loginThrottle: new LoginThrottle(),
    relayLimiter: new RateLimiter(env.BATON_RELAY_RATE_LIMIT),
    relayUserLimiter: new RateLimiter(env.BATON_RELAY_USER_RATE_LIMIT),
    resetMailLimiter: new RateLimiter(3, 15 * 60_000),
    trustProxy: env.BATON_TRUST_PROXY,
    devErrors: env.BATON_DEV,
  };
  return {
    db,
    core,
    deps,
    worker,
    start: () => {
      if (!env.BATON_ENGINE_PAUSED) worker.start();
    },
    close: async () => {
      await worker.stop();
      closeDatabase(db);
    },
  };
}
