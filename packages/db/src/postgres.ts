import type pg from 'pg';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import * as schema from './schema/index.ts';
import { migrationsFolderFor, NewerDatabaseError, newestKnownMigration } from './migrate.ts';
import { pgChainQuery, pgUnits, type PgUnit } from './query.ts';

export type PgDB = NodePgDatabase<typeof schema> & { $client: pg.Pool };

export interface OpenPostgresOptions {
  url: string;
  /** Pool size per node. */
  max?: number;
  /** Name shown in pg_stat_activity, so an operator can tell the nodes apart. */
  applicationName?: string;
  /**
   * The reader pool (true, the default) serves reads outside a unit, and refuses writes; the writer
   * pool serves units (runPgUnit) only.
   */
  readOnly?: boolean;
}

/**
 * The Postgres driver, loaded on first use: a node on SQLite (the default) never pays for it at
 * start-up (about 50 ms of module loading here).
 */
type DrizzlePg = typeof import('drizzle-orm/node-postgres');
let driver:
  | Promise<{
      pg: typeof pg;
      drizzle: DrizzlePg['drizzle'];
      NodePgSession: DrizzlePg['NodePgSession'];
      NodePgTransaction: DrizzlePg['NodePgTransaction'];
      migrate: typeof import('drizzle-orm/node-postgres/migrator').migrate;
    }>
  | undefined;
const loadDriver = () =>
  (driver ??= Promise.all([import('pg'), import('drizzle-orm/node-postgres'), import('drizzle-orm/node-postgres/migrator')]).then(([p, d, m]) => ({
    pg: p.default,
    drizzle: d.drizzle,
    NodePgSession: d.NodePgSession,
    NodePgTransaction: d.NodePgTransaction,
    migrate: m.migrate,
  })));

/**
 * Runs fn as one unit of work on a connection of the writer pool (openPostgres), as drizzle's
 * db.transaction does, with two differences that each save round trips, which are most of what a
 * Postgres unit costs (in a profile of POST /runs, socket writes to the pool's connections led the
 * node's CPU time, and a batch spent ~0.7 ms on each of BEGIN, its statement and COMMIT):
 * - BEGIN is sent with the unit's first statement, and inserts made before any other statement are
 *   held back (query.ts PgUnit) until then. A unit that only inserts and notifies (a batch of
 *   POST /runs) is thus one statement, which Postgres runs and commits as a transaction of its own:
 *   all of it or none of it, durable when it returns, its notifications delivered on commit.
 * - A unit's notifications (query.ts notify) are sent in the same round trip as its COMMIT
 *   ("SELECT pg_notify(…); COMMIT", one simple query), instead of one round trip each. An engine step
 *   sends two (its events and its next job). Postgres still delivers them only if the COMMIT
 *   succeeds, in commit order.
 */
export async function runPgUnit<T>(db: PgDB, fn: (tx: unknown) => Promise<T>): Promise<T> {
  const { NodePgSession, NodePgTransaction } = await loadDriver();
  const internal = db as unknown as { dialect: ConstructorParameters<typeof NodePgSession>[1]; session: { schema: ConstructorParameters<typeof NodePgSession>[2]; options: ConstructorParameters<typeof NodePgSession>[3] } };
  const client = await db.$client.connect();
  const unit: PgUnit = { notifications: [], held: [], begun: false };
  let beginning: Promise<unknown> | undefined;
  const begin = () => {
    if (!beginning) {
      unit.begun = true;
      const held = unit.held.splice(0);
      beginning = client.query('BEGIN').then(() => (held.length ? client.query(pgChainQuery(held, [])) : undefined));
    }
    return beginning;
  };
  // The unit's statements (drizzle's, and query.ts's raw ones, which use session.client) go through
  // here, so that BEGIN and the held inserts precede the first of them.
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  const gated = { query: (...args: unknown[]) => begin().then(() => query(...args)) } as unknown as pg.PoolClient;
  const session = new NodePgSession(gated, internal.dialect, internal.session.schema, internal.session.options);
  const tx = new NodePgTransaction(internal.dialect, session, internal.session.schema);
  pgUnits.set(tx, unit);
  let broken: Error | undefined;
  try {
    const result = await fn(tx);
    if (unit.begun) {
      await beginning;
      const notes = unit.notifications.map(([channel, payload]) => `SELECT pg_notify(${client.escapeLiteral(channel)}, ${client.escapeLiteral(payload)});`);
      await client.query(notes.length ? `${notes.join(' ')} COMMIT` : 'COMMIT');
    } else if (unit.held.length || unit.notifications.length) {
      await client.query(pgChainQuery(unit.held, unit.notifications));
    }
    return result;
  } catch (error) {
    // A connection that cannot even roll back is dropped from the pool rather than reused. A unit
    // that never began has nothing to roll back (its one statement failed whole).
    if (unit.begun) await client.query('ROLLBACK').catch((e: unknown) => (broken = e instanceof Error ? e : new Error(String(e))));
    throw error;
  } finally {
    pgUnits.delete(tx);
    client.release(broken);
  }
}

/** A connection pool on the database; every node of a cluster opens its own. */
export async function openPostgres({ url, max = 10, applicationName = 'baton', readOnly = true }: OpenPostgresOptions): Promise<PgDB> {
  const { pg, drizzle } = await loadDriver();
  readNumbersAsNumbers(pg);
  const pool = new pg.Pool({
    connectionString: url,
    max,
    application_name: applicationName,
    connectionTimeoutMillis: 10_000,
    // Outside a unit of work the reader only reads: a write there is a bug (it would commit on its
    // own, apart from the unit it belongs with), so it fails loudly, as on SQLite's read-only
    // connection. Units run on the writer pool, whose one-statement units (runPgUnit) need writes
    // outside BEGIN.
    // A unit does database work only, so a transaction idle for long is a stalled or frozen node:
    // Postgres ends it, releasing its row locks (a job it held can then be taken over).
    options: `${readOnly ? '-c default_transaction_read_only=on ' : ''}-c idle_in_transaction_session_timeout=15000`,
  });
  // An idle client that loses its connection (the server restarts) is dropped from the pool; the
  // error must not crash the process. A checked-out client (a unit of work holds one for its whole
  // transaction) has no pool listener meanwhile: its next query fails instead (a 503), and without
  // a listener of its own the connection's end would be an unhandled 'error' event.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return drizzle({ client: pool, schema }) as PgDB;
}

/**
 * Baton's integers are 64-bit columns (bigint) holding values below 2^53, and its sums are numeric:
 * read both as JS numbers, as SQLite gives them, instead of node-postgres's strings. Set on the
 * driver's shared parsers, which drizzle falls back to for these types.
 */
function readNumbersAsNumbers(driver: typeof pg): void {
  driver.types.setTypeParser(driver.types.builtins.INT8, (v) => Number(v));
  driver.types.setTypeParser(driver.types.builtins.NUMERIC, (v) => Number(v));
}

export async function closePostgres(db: PgDB): Promise<void> {
  await db.$client.end();
}

/** Postgres could not be reached or refused the login: said plainly, with the password left out. */
export class PostgresUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    const why = (cause as { code?: string; message?: string })?.message ?? String(cause);
    super(`cannot connect to PostgreSQL at ${describePostgresTarget(url)}: ${why}. Is it running, and is BATON_DATABASE_URL right?`);
    this.name = 'PostgresUnreachableError';
  }
}

/** host:port/database of a Postgres URL, with no user or password: safe for messages. */
export function describePostgresTarget(url: string, unparsable = 'the configured address'): string {
  try {
    const u = new URL(url);
    return `${u.hostname || u.searchParams.get('host') || 'localhost'}:${u.port || 5432}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return unparsable;
  }
}

/** Any fixed 64-bit number: the advisory lock that lets one of N starting nodes migrate at a time. */
const MIGRATION_LOCK = 0x6261746f6e; // "baton"

/**
 * Applies the committed Postgres migrations (drizzle/postgres) under an advisory lock, so nodes that
 * start together on a fresh database migrate it once: the first takes the lock and migrates, the
 * others wait, then find nothing left to do. Refuses a database that a newer Baton has migrated.
 */
export async function migratePostgres(url: string, folder = migrationsFolderFor('postgres')): Promise<void> {
  const { pg, drizzle, migrate } = await loadDriver();
  const client = new pg.Client({ connectionString: url, application_name: 'baton-migrate', connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (e) {
    throw new PostgresUnreachableError(url, e);
  }
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await refuseNewerDatabase(client, folder);
      await migrate(drizzle({ client }), { migrationsFolder: folder });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
}

async function refuseNewerDatabase(client: pg.Client, folder: string): Promise<void> {
  const exists = await client.query(`SELECT to_regclass('drizzle.__drizzle_migrations') AS t`);
  if (!exists.rows[0]?.t) return;
  const last = await client.query('SELECT max(created_at) AS at FROM drizzle.__drizzle_migrations');
  if (Number(last.rows[0]?.at ?? 0) > newestKnownMigration(folder)) throw new NewerDatabaseError();
}

type NotifyHandler = (payload: string) => void;

/**
 * One LISTEN connection per node, shared by every channel and subscriber on it: a waiting SSE
 * stream holds no connection of its own. A lost connection is re-established with backoff; then
 * `onResume` handlers run, since notifications sent meanwhile were missed.
 */
export class PgListener {
  private client: pg.Client | null = null;
  private readonly channels = new Map<string, Set<NotifyHandler>>();
  private readonly resumers = new Set<() => void>();
  private connecting: Promise<void> | null = null;
  private closed = false;
  private retryMs = 250;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly applicationName: string,
    private readonly onError: (e: unknown) => void = () => {},
  ) {}

  async listen(channel: string, fn: NotifyHandler, onResume?: () => void): Promise<() => void> {
    let set = this.channels.get(channel);
    const fresh = !set;
    if (!set) this.channels.set(channel, (set = new Set()));
    set.add(fn);
    if (onResume) this.resumers.add(onResume);
    await this.ensure();
    if (fresh && this.client) await this.client.query(`LISTEN ${quoteIdent(channel)}`).catch((e) => this.onError(e));
    return () => {
      set.delete(fn);
      if (onResume) this.resumers.delete(onResume);
    };
  }

  private ensure(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    return (this.connecting ??= this.connect().finally(() => (this.connecting = null)));
  }

  private async connect(): Promise<void> {
    const { pg } = await loadDriver();
    const client = new pg.Client({ connectionString: this.url, application_name: this.applicationName, connectionTimeoutMillis: 10_000 });
    client.on('notification', (n) => {
      const set = this.channels.get(n.channel);
      if (set) for (const fn of set) fn(n.payload ?? '');
    });
    const lost = (e?: unknown) => {
      if (this.client !== client) return;
      this.client = null;
      if (e) this.onError(e);
      client.end().catch(() => {});
      this.reconnectLater();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      for (const channel of this.channels.keys()) await client.query(`LISTEN ${quoteIdent(channel)}`);
    } catch (e) {
      client.end().catch(() => {});
      this.onError(e);
      this.reconnectLater();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    const resumed = this.retryMs > 250;
    this.client = client;
    this.retryMs = 250;
    if (resumed) for (const r of this.resumers) r();
  }

  private reconnectLater(): void {
    if (this.closed || this.timer) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(5000, this.retryMs * 2);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.ensure();
    }, wait);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => {});
  }
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
