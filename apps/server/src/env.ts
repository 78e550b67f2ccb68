import { z } from 'zod';
import { resolve } from 'node:path';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

const ZEnv = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  BATON_DATA_DIR: z.string().default('./data'),
  /** postgres://user:password@host:5432/database runs Baton on Postgres; unset, on SQLite under BATON_DATA_DIR. */
  BATON_DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || isPostgresUrl(v), {
      message: 'must be a postgres:// URL such as postgres://baton:secret@db.internal:5432/baton (unset it to use SQLite under BATON_DATA_DIR)',
    }),
  /** Connections each node keeps to Postgres. */
  BATON_DB_POOL_SIZE: z.coerce.number().int().min(2).max(500).default(10),
  /**
   * The key secrets are derived from (signed links, stored credentials). Required on Postgres, where
   * every node must hold the same one; on SQLite it is generated once into BATON_DATA_DIR/secret.key.
   */
  BATON_SECRET_KEY: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -hex 32)').optional(),
  /** This process's name in logs, leases and /readyz; defaults to host name and process id. */
  BATON_NODE_ID: z.string().trim().min(1).max(100).optional(),
  BATON_PUBLIC_URL: z.string().url().optional(),
  BATON_SMTP_URL: z.string().url().optional(),
  BATON_MAIL_FROM: z.string().default('Baton <baton@localhost>'),
  BATON_TRUST_PROXY: z.stringbool().default(false),
  BATON_SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  BATON_RELAY_RATE_LIMIT: z.coerce.number().int().min(0).default(60),
  /** Flow Relay requests a minute per user, across all of their keys (minting keys does not lift it). */
  BATON_RELAY_USER_RATE_LIMIT: z.coerce.number().int().min(0).default(300),
  /** `off` runs agent commands without the OS sandbox (only when set explicitly; warned at every start). */
  BATON_SANDBOX: z.enum(['on', 'off']).default('on'),
  /** Let user-entered outbound URLs (deploy hooks, health checks, webhooks) reach private, loopback and link-local addresses. */
  BATON_ALLOW_PRIVATE_URLS: z.stringbool().default(false),
  /** Development diagnostics: stack traces in tRPC error responses. Never set in production. */
  BATON_DEV: z.stringbool().default(false),
  BATON_LOG_LEVEL: z.enum(['silent', 'error', 'info']).default('info'),
  BATON_DRIVER: z.enum(['local', 'openai']).optional(),
  BATON_LLM_URL: z.string().url().optional(),
  BATON_LLM_API_KEY: z.string().optional(),
  BATON_LLM_MODEL: z.string().default('gpt-4o-mini'),
  BATON_LLM_TIMEOUT_MS: z.coerce.number().int().min(1000).default(120_000),
  BATON_MODEL_PRICES: z
    .string()
    .optional()
    .transform((v, c) => {
      if (!v) return undefined;
      try {
        const parsed = z.record(z.string(), z.object({ input: z.number().min(0), output: z.number().min(0) })).parse(JSON.parse(v));
        return parsed;
      } catch {
        c.addIssue({ code: 'custom', message: 'must be JSON like {"gpt-4o-mini": {"input": 0.15, "output": 0.6}, "*": {"input": 3, "output": 15}}' });
        return z.NEVER;
      }
    }),
  BATON_ENFORCE_CREDITS: z.stringbool().default(false),
  BATON_APPROVAL_TTL_SECONDS: z.coerce.number().int().min(1).default(24 * 3600),
  BATON_COMMAND_ALLOWLIST: z.string().optional(),
  BATON_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(100).default(120_000),
  BATON_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  BATON_ENGINE_PAUSED: z.stringbool().default(false),
  BATON_READ_CACHES: z.stringbool().default(true),
  BATON_JOB_RETRY_BASE_MS: z.coerce.number().int().min(1).default(1000),
  /** How long a job's lease lasts without a heartbeat (every third of it): a dead node's jobs are taken over after this. */
  BATON_JOB_LEASE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  BATON_COSTLY_ACTION_CREDITS: z.coerce.number().min(0).default(5),
});

export type Env = z.infer<typeof ZEnv> & {
  dataDir: string;
  databaseFile: string;
  /** Where the database is, for messages: the SQLite file, or the Postgres URL without its password. */
  databaseLabel: string;
  publicUrl: string;
  driver: 'local' | 'openai';
  nodeId: string;
};

/** A postgres:// or postgresql:// URL naming a host (BATON_DATABASE_URL, `db copy --to`). */
export function isPostgresUrl(v: string): boolean {
  if (!/^postgres(ql)?:\/\//i.test(v)) return false;
  try {
    const u = new URL(v);
    return Boolean(u.hostname || u.searchParams.get('host'));
  } catch {
    return false;
  }
}

/** The URL with its password replaced, safe for logs and error messages. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

/** Parsed once at start-up; every default is chosen so that `npm start` needs no configuration. */
export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = ZEnv.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid environment:\n${lines}`);
  }
  const env = parsed.data;
  const dataDir = resolve(env.BATON_DATA_DIR);
  const driver = env.BATON_DRIVER ?? (env.BATON_LLM_URL ? 'openai' : 'local');
  if (driver === 'openai' && !env.BATON_LLM_URL) throw new Error('Invalid environment:\n  BATON_DRIVER=openai needs BATON_LLM_URL');
  if (env.BATON_DATABASE_URL && !env.BATON_SECRET_KEY) {
    throw new Error(
      'Invalid environment:\n  BATON_SECRET_KEY: required with BATON_DATABASE_URL: every node of a cluster must use the same key (at least 32 characters, e.g. openssl rand -hex 32)',
    );
  }
  return {
    driver,
    ...env,
    dataDir,
    databaseFile: resolve(dataDir, 'baton.db'),
    databaseLabel: env.BATON_DATABASE_URL ? redactDatabaseUrl(env.BATON_DATABASE_URL) : resolve(dataDir, 'baton.db'),
    nodeId: env.BATON_NODE_ID ?? `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`,
    publicUrl: env.BATON_PUBLIC_URL ?? `http://localhost:${env.PORT}`,
  };
}
