import type { DB } from '@baton/db';
import type { MailConfig } from './mail/send-mail.ts';
import type { RunEventBus } from './runs/event-bus.ts';
import type { EngineConfig } from './engine/engine-config.ts';

export interface CoreConfig {
  /** Public base URL, used in links sent by mail (reset links). */
  publicUrl: string;
  mail: MailConfig;
  engine: EngineConfig;
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
  /** Fan-out of committed run events to live subscribers (SSE); absent in one-shot tools. */
  bus?: RunEventBus;
  /** Nudges the job worker when work is enqueued for now. */
  wakeWorker?: () => void;
  /** Kill switches for tool processes running on behalf of a run (cancel kills them). */
  runAborts?: Map<string, AbortController>;
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

// Callbacks to run once the outermost transaction commits (e.g. waking SSE subscribers). Module
// state is safe: better-sqlite3 transactions are synchronous, so only one is ever open at a time.
let afterCommitQueue: Array<() => void> | null = null;

/**
 * Runs fn in a transaction, joining an outer one if there is one. better-sqlite3 transactions are
 * synchronous, which is what makes "event + side effects + outbox in one commit" cheap and safe.
 */
export function withTransaction<T>(ctx: CoreContext, fn: (ctx: CoreContext) => T): T {
  const client = ctx.db.$client;
  if (client.inTransaction) return fn(ctx);
  const queue: Array<() => void> = [];
  afterCommitQueue = queue;
  let result: T;
  try {
    result = client.transaction(() => fn(ctx)).immediate();
  } finally {
    afterCommitQueue = null;
  }
  for (const cb of queue) {
    try {
      cb();
    } catch (e) {
      ctx.logger.error('after-commit callback failed', { error: String(e) });
    }
  }
  return result;
}

/**
 * Runs fn in a savepoint inside the current transaction: if it throws, only its own writes and its
 * own after-commit callbacks are undone, and the error is rethrown. Used to commit several
 * independent units of work together (group commit).
 */
export function withSavepoint<T>(ctx: CoreContext, fn: () => T): T {
  const client = ctx.db.$client;
  if (!client.inTransaction || !afterCommitQueue) throw new Error('withSavepoint needs an open transaction');
  const queue = afterCommitQueue;
  const mark = queue.length;
  try {
    return client.transaction(fn)();
  } catch (e) {
    queue.length = mark;
    throw e;
  }
}

/** Runs cb after the current transaction commits (never if it rolls back), or now outside one. */
export function afterCommit(cb: () => void): void {
  if (afterCommitQueue) afterCommitQueue.push(cb);
  else cb();
}
