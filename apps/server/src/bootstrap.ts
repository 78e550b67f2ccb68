import { openStore, setReadCaches, type Store } from '@baton/db';
import { join } from 'node:path';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import {
  createConsoleLogger,
  createCoreContext,
  DEFAULT_COMMAND_ALLOWLIST,
  DEFAULT_PRICES,
  ENGINE_JOB_HANDLERS,
  RELAY_JOB_HANDLERS,
  onRelayJobDead,
  JobWorker,
  JOBS_CHANNEL,
  relayRunEventsAcrossNodes,
  onEngineJobDead,
  RunEventBus,
  type CoreContext,
  type Logger,
} from '@baton/core';
import { createSessionAuth, DbLoginThrottle, DbRateLimiter, LoginThrottle, RateLimiter } from '@baton/auth';
import type { ApiDeps } from '@baton/api';
import type { Env } from './env.ts';

export interface Baton {
  store: Store;
  core: CoreContext;
  deps: ApiDeps;
  worker: JobWorker;
  /** Starts the durable worker (unless BATON_ENGINE_PAUSED): runs advance, approvals expire. */
  start(): Promise<void>;
  /** Stops the worker (running steps are put back in the queue) and closes the database. */
  close(): Promise<void>;
}

/**
 * A single SQLite node keeps its secret beside its database, generated on first start (0600). A
 * cluster cannot: each node would make its own, so Postgres requires BATON_SECRET_KEY (env.ts).
 */
function localSecretKey(dataDir: string): string {
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}

/** Opens the database, applies migrations and wires the long-lived services. Shared by the server, the CLI and tests. */
export async function bootstrap(env: Env, opts: { logger?: Logger } = {}): Promise<Baton> {
  const logger = opts.logger ?? createConsoleLogger(env.BATON_LOG_LEVEL);
  const store = await openStore({
    databaseUrl: env.BATON_DATABASE_URL ?? null,
    file: env.databaseFile,
    poolSize: env.BATON_DB_POOL_SIZE,
    applicationName: `baton ${env.nodeId}`,
    synchronous: env.BATON_SQLITE_SYNCHRONOUS,
    onSlowUnit: (ms, label) => logger.warn('slow unit of work', { ms: Math.round(ms), unit: label ?? null }),
    onUnitRetry: (attempt, label) => logger.warn('the database aborted a unit of work to break a deadlock; running it again', { attempt, unit: label ?? null }),
    onListenError: (e) => logger.warn('the database notification connection failed; reconnecting', { error: String(e) }),
  });
  setReadCaches(store.reader, env.BATON_READ_CACHES);
  if (store.sqliteWriter) setReadCaches(store.sqliteWriter, env.BATON_READ_CACHES);
  const core: CoreContext = createCoreContext({
    store,
    logger,
    now: () => new Date(),
    bus: new RunEventBus(),
    runAborts: new Map(),
    config: {
      publicUrl: env.publicUrl,
      nodeId: env.nodeId,
      secretKey: env.BATON_SECRET_KEY ?? localSecretKey(env.dataDir),
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
  });
  const onEngineDead = onEngineJobDead(core);
  const onRelayDead = onRelayJobDead(core);
  const worker = new JobWorker(core, { ...ENGINE_JOB_HANDLERS, ...RELAY_JOB_HANDLERS }, {
    concurrency: env.BATON_WORKER_CONCURRENCY,
    retryBaseMs: env.BATON_JOB_RETRY_BASE_MS,
    leaseMs: env.BATON_JOB_LEASE_MS,
    onDead: async (job, error) => {
      await onEngineDead(job, error);
      await onRelayDead(job, error);
    },
  });
  core.wakeWorker = worker.wake;
  // Across nodes (Postgres): run events reach this node's streams, due jobs wake this node's worker.
  const unlisten = [await relayRunEventsAcrossNodes(core), await store.listen(JOBS_CHANNEL, () => worker.wake(), () => worker.wake())];
  const deps: ApiDeps = {
    core,
    sessions: createSessionAuth(store),
    // One process owning its database counts in memory (exact there, no write per request); nodes
    // sharing one count in it, so the limits hold across the cluster.
    ...(store.exclusive
      ? {
          loginThrottle: new LoginThrottle(),
          relayLimiter: new RateLimiter(env.BATON_RELAY_RATE_LIMIT),
          relayUserLimiter: new RateLimiter(env.BATON_RELAY_USER_RATE_LIMIT),
          resetMailLimiter: new RateLimiter(3, 15 * 60_000),
        }
      : {
          loginThrottle: new DbLoginThrottle(store),
          relayLimiter: new DbRateLimiter(store, 'relay-key', env.BATON_RELAY_RATE_LIMIT),
          relayUserLimiter: new DbRateLimiter(store, 'relay-user', env.BATON_RELAY_USER_RATE_LIMIT),
          resetMailLimiter: new DbRateLimiter(store, 'reset-mail', 3, 15 * 60_000),
        }),
    trustProxy: env.BATON_TRUST_PROXY,
    devErrors: env.BATON_DEV,
  };
  return {
    store,
    core,
    deps,
    worker,
    start: async () => {
      if (!env.BATON_ENGINE_PAUSED) await worker.start();
    },
    close: async () => {
      for (const stop of unlisten) stop();
      await worker.stop();
      await store.close();
    },
  };
}
