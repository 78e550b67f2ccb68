import type { DB } from '@baton/db';
import type { MailConfig } from './mail/send-mail.ts';

export interface CoreConfig {
  /** Public base URL, used in links sent by mail (reset links). */
  publicUrl: string;
  mail: MailConfig;
}

export interface Logger {
  info(msg: string, extra?: Record<string, unknown>): void;
  warn(msg: string, extra?: Record<string, unknown>): void;
  error(msg: string, extra?: Record<string, unknown>): void;
}

export interface CoreContext {
  db: DB;
  config: CoreConfig;
  logger: Logger;
  /** Injected clock so expiry logic is testable without sleeping. */
  now: () => Date;
}

/** Who is acting: a signed-in user, or a user acting through one of their API keys. */
export interface Actor {
  userId: string;
  via: 'session' | 'mk_key' | 'fr_key';
  keyId?: string;
  /** For mk_* keys: the only org the key may touch. */
  keyOrgId?: string | null;
}

export function createConsoleLogger(level: 'silent' | 'error' | 'info' = 'info'): Logger {
  const write = (lvl: string, msg: string, extra?: Record<string, unknown>) =>
    process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...extra }) + '\n');
  return {
    info: (m, e) => level === 'info' && write('info', m, e),
    warn: (m, e) => level !== 'silent' && write('warn', m, e),
    error: (m, e) => level !== 'silent' && write('error', m, e),
  };
}

/**
 * Runs fn in a transaction, joining an outer one if there is one. better-sqlite3 transactions are
 * synchronous, which is what makes "event + side effects + outbox in one commit" cheap and safe.
 */
export function withTransaction<T>(ctx: CoreContext, fn: (ctx: CoreContext) => T): T {
  const client = ctx.db.$client;
  if (client.inTransaction) return fn(ctx);
  return client.transaction(() => fn(ctx)).immediate();
}
