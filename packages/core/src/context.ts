import { AsyncLocalStorage } from 'node:async_hooks';
import type { DB, Store } from '@baton/db';
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

export interface CoreContextInit {
  /** The database, on either engine (packages/db/src/store.ts). */
  store: Store;
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

export interface CoreContext extends CoreContextInit {
  /**
   * Where a query goes: inside withTransaction, the unit's transaction (it sees its own writes);
   * anywhere else, the store's reader, which sees committed data only (on SQLite a read-only
   * connection, so a write outside a unit fails loudly instead of joining someone else's).
   */
  readonly db: DB;
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

interface Unit {
  store: Store;
  db: DB;
  /** Run after the commit, never if the unit rolls back. */
  after: Array<() => void>;
  /** False once the unit has finished: work it started that outlives it must not use its handle. */
  open: boolean;
}

// The unit of work the current async call chain runs in. No module-level transaction state: each
// request, job and step carries its own, and concurrent units never see each other's.
const units = new AsyncLocalStorage<Unit>();

const currentUnit = (store: Store): Unit | undefined => {
  const u = units.getStore();
  return u && u.open && u.store === store ? u : undefined;
};

class Context implements CoreContext {
  store!: Store;
  config!: CoreConfig;
  logger!: Logger;
  now!: () => Date;
  bus?: RunEventBus;
  wakeWorker?: () => void;
  runAborts?: Map<string, AbortController>;

  constructor(init: CoreContextInit) {
    Object.assign(this, init);
  }

  // A getter on the prototype: a copy of the context made with a spread would have no `db` at all
  // (and fail at once), rather than a stale handle.
  get db(): DB {
    return currentUnit(this.store)?.db ?? this.store.reader;
  }
}

export function createCoreContext(init: CoreContextInit): CoreContext {
  return new Context(init);
}

/** True inside a unit of work: reads see its uncommitted writes, so nothing read may be cached. */
export const inUnit = (ctx: CoreContext): boolean => currentUnit(ctx.store) !== undefined;

/**
 * Runs fn as one unit of work: its rows, events, outbox messages and jobs commit together or not at
 * all, and the promise settles only once the commit is durable. Inside a unit already, fn joins it.
 * A unit does database work only: no model call, HTTP request or file I/O is awaited inside one (on
 * SQLite it would stall every writer, on Postgres it would hold locks): fetch first, then open it.
 */
export async function withTransaction<T>(ctx: CoreContext, fn: (ctx: CoreContext) => Promise<T> | T, label?: string): Promise<T> {
  if (currentUnit(ctx.store)) return fn(ctx);
  let unit: Unit | undefined;
  const result = await ctx.store.unit(async (db) => {
    unit = { store: ctx.store, db, after: [], open: true };
    try {
      return await units.run(unit, () => fn(ctx));
    } finally {
      unit.open = false;
    }
  }, label);
  // Committed: now the world may hear of it (SSE wake-ups, worker nudges), outside any unit.
  for (const cb of unit!.after) {
    try {
      cb();
    } catch (e) {
      ctx.logger.error('after-commit callback failed', { error: String(e) });
    }
  }
  return result;
}

/** Runs cb after the current unit commits (never if it rolls back), or now outside one. */
export function afterCommit(cb: () => void): void {
  const u = units.getStore();
  if (u?.open) u.after.push(cb);
  else cb();
}
