import type { DB, memberships, organizations, Store } from '@baton/db';
import type { MailConfig } from './mail/send-mail.ts';
import type { RunEventBus } from './runs/event-bus.ts';
import type { EngineConfig } from './engine/engine-config.ts';

type OrgRow = typeof organizations.$inferSelect;
type MembershipRow = typeof memberships.$inferSelect;

export interface CoreConfig {
  /** Public base URL, used in links sent by mail (reset links). */
  publicUrl: string;
  /** This process's name in logs and job leases (BATON_NODE_ID). */
  nodeId: string;
  /** The cluster-wide secret (BATON_SECRET_KEY, or the SQLite data dir's generated key). */
  secretKey: string;
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
   * Where a query goes. The context withTransaction hands its callback carries the unit's
   * transaction (it sees its own writes); every other context reads through the store's reader,
   * which sees committed data only (on SQLite a read-only connection, so a write outside a unit
   * fails loudly instead of joining someone else's).
   */
  readonly db: DB;
  /** Set on the context of a unit of work (withTransaction); absent elsewhere. */
  readonly unit?: Unit;
}

/** Who is acting: a signed-in user, or a user acting through one of their API keys. */
export interface Actor {
  userId: string;
  via: 'session' | 'mk_key' | 'fr_key';
  keyId?: string;
  /** For mk_* keys: the only org the key may touch. */
  keyOrgId?: string | null;
  /**
   * For an mk key: its org and the owner's membership, read with the key in the same query
   * (@baton/auth credentials.ts); null when the owner is no longer a member, absent when unknown.
   */
  keyAccess?: { org: OrgRow; membership: MembershipRow } | null;
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
  /** Run after the commit, never if the unit rolls back. */
  after: Array<() => void>;
  /** False once the unit has finished: work it started that outlives it must not use its handle. */
  open: boolean;
}

// The unit is carried by the context object itself, passed down explicitly: withTransaction hands
// its callback a context whose `db` is the unit's transaction, and every call inside passes that
// context on. (AsyncLocalStorage would find the unit without passing it, but on Node 20 it turns on
// promise hooks for the whole process, which made every await about three times dearer.)

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

  get db(): DB {
    return this.store.reader;
  }
}

export function createCoreContext(init: CoreContextInit): CoreContext {
  return new Context(init);
}

const openUnit = (ctx: CoreContext): Unit | undefined => (ctx.unit?.open ? ctx.unit : undefined);

/** True inside a unit of work: reads see its uncommitted writes, so nothing read may be cached. */
export const inUnit = (ctx: CoreContext): boolean => openUnit(ctx) !== undefined;

/**
 * Runs fn as one unit of work: its rows, events, outbox messages and jobs commit together or not at
 * all, and the promise settles only once the commit is durable. fn gets the unit's context: use it
 * (not the outer one) for everything inside, and pass it on. Called with a unit's context, fn joins
 * that unit. A unit does database work only: no model call, HTTP request or file I/O is awaited
 * inside one (on SQLite it would stall every writer, on Postgres it would hold locks): fetch first,
 * then open it. On Postgres fn may run twice (a deadlock's victim runs again, Store.unit): what it
 * does besides database work must bear that, and anything the world should hear goes through
 * afterCommit.
 */
export async function withTransaction<T>(ctx: CoreContext, fn: (ctx: CoreContext) => Promise<T> | T, label?: string): Promise<T> {
  if (openUnit(ctx)) return fn(ctx);
  // The run of fn that committed. On Postgres a unit aborted by a deadlock runs again (Store.unit),
  // each run with a fresh Unit, so that the callbacks of an aborted run never fire.
  let committed: Unit | undefined;
  const result = await ctx.store.unit(async (db) => {
    const unit: Unit = { after: [], open: true };
    committed = unit;
    // The unit's context: everything of the outer one, with the unit's transaction as its db.
    const inner = Object.create(ctx, { db: { value: db }, unit: { value: unit } }) as CoreContext;
    try {
      return await fn(inner);
    } finally {
      unit.open = false;
    }
  }, label);
  // Committed: now the world may hear of it (SSE wake-ups, worker nudges).
  for (const cb of committed?.after ?? []) {
    try {
      cb();
    } catch (e) {
      ctx.logger.error('after-commit callback failed', { error: String(e) });
    }
  }
  return result;
}

/** Runs cb after ctx's unit commits (never if it rolls back), or now outside a unit. */
export function afterCommit(ctx: CoreContext, cb: () => void): void {
  const u = openUnit(ctx);
  if (u) u.after.push(cb);
  else cb();
}
