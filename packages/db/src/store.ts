import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { Logger } from 'drizzle-orm';
import * as schema from './schema/index.ts';
import { openDatabase, closeDatabase, type DB, type SynchronousMode } from './client.ts';
import { dialectOf, SCHEMA_DIALECT, type Dialect } from './dialect.ts';
import { runMigrations } from './migrate.ts';
import { closePostgres, migratePostgres, openPostgres, PgListener, runPgUnit, type PgDB } from './postgres.ts';
import { SqliteWriterLane } from './sqlite-lane.ts';
import { isTransientConflict } from './query.ts';
import { linkReadCaches, noteCommit } from './change-epochs.ts';

/**
 * One database, either engine, as the core sees it: a connection (or pool) for reads outside a
 * unit of work, and `unit(fn)`, which runs fn as one transaction and settles once it is durable.
 *
 * Query code is written once against `DB` (drizzle's builders, always awaited); on Postgres the
 * same builders run on node-postgres, with the tables declared in the Postgres dialect
 * (schema/kit.ts), so `DB` is the SQLite type in name only there.
 */
export interface Store {
  readonly dialect: Dialect;
  /**
   * One process owns this database (SQLite: the server holds the file). Its state in memory (rate
   * counters, leases found at start) is then the whole truth; on a shared database (Postgres, any
   * number of nodes) it is not.
   */
  readonly exclusive: boolean;
  /** Reads outside a unit: SQLite's read-only connection (committed data only) or the Postgres pool. */
  readonly reader: DB;
  /**
   * Runs fn as one unit of work on its own transaction handle; settles after the commit. On
   * Postgres fn may run more than once: a unit that Postgres aborts to break a deadlock (or for a
   * serialization conflict) wrote nothing, and runs again (UNIT_ATTEMPTS). So fn does database work
   * only, and whatever else it does must bear a second run (results set afresh each time, effects
   * after the commit).
   */
  unit<T>(fn: (tx: DB) => Promise<T>, label?: string): Promise<T>;
  /** SQLite only: the writer connection (the unit's handle), for the few engine-specific paths. */
  readonly sqliteWriter: DB | null;
  /**
   * Calls fn with the payload of every notification on `channel` (notify() in query.ts), from any
   * node, after the notifying unit commits. onResume runs after a lost listening connection is back
   * (what was sent meanwhile was missed). On SQLite, where one process owns the database and tells
   * itself directly, nothing is ever delivered.
   */
  listen(channel: string, fn: (payload: string) => void, onResume?: () => void): Promise<() => void>;
  /** Resolves when the database answers a trivial query (readiness probes); rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** postgres://… selects Postgres; otherwise SQLite at `file`. */
  databaseUrl?: string | null;
  /** The SQLite file (ignored on Postgres). */
  file: string;
  synchronous?: SynchronousMode;
  /** Apply the committed migrations first (under an advisory lock on Postgres). */
  migrate?: boolean;
  /** Postgres pool size per node, for each of its two pools (reads, and units of work). */
  poolSize?: number;
  applicationName?: string;
  logger?: Logger;
  onSlowUnit?: (ms: number, label: string | undefined) => void;
  /** Postgres aborted a unit to break a deadlock or a serialization conflict; it runs again. */
  onUnitRetry?: (attempt: number, label: string | undefined, error: unknown) => void;
  /** The listening connection failed (it reconnects by itself). */
  onListenError?: (e: unknown) => void;
}

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const dialect = dialectOf(opts.databaseUrl);
  if (dialect !== SCHEMA_DIALECT) {
    // The tables were declared in the other dialect when the schema loaded (dialect.ts).
    throw new Error(`This process declared its tables for ${SCHEMA_DIALECT}; set BATON_DATABASE_URL before start-up to use ${dialect}.`);
  }
  return dialect === 'postgres' ? openPostgresStore(opts) : openSqliteStore(opts);
}

function openSqliteStore(opts: OpenStoreOptions): Store {
  const writer = openDatabase({ file: opts.file, synchronous: opts.synchronous, logger: opts.logger });
  if (opts.migrate !== false) runMigrations(writer);
  // A second connection for reads: it sees only committed data, never a unit's writes in flight,
  // and being read-only it cannot write outside the lane by mistake.
  const readConn = new Database(opts.file, { readonly: true, fileMustExist: true });
  readConn.pragma('busy_timeout = 5000');
  const reader = drizzle({ client: readConn, schema, ...(opts.logger ? { logger: opts.logger } : {}) }) as DB;
  // The reader's caches follow the writer's change triggers (change-epochs.ts).
  linkReadCaches(reader, writer);
  const lane = new SqliteWriterLane(writer.$client, { onSlowUnit: opts.onSlowUnit, onTransactionEnd: () => noteCommit(writer) });
  return {
    dialect: 'sqlite',
    exclusive: true,
    reader,
    sqliteWriter: writer,
    unit: (fn, label) => lane.run(() => fn(writer), label),
    listen: async () => () => {},
    async ping() {
      readConn.prepare('SELECT 1').get();
    },
    async close() {
      if (readConn.open) readConn.close();
      closeDatabase(writer);
    },
  };
}

/** How many times a Postgres unit runs before a deadlock or serialization failure is the caller's. */
const UNIT_ATTEMPTS = 4;

async function openPostgresStore(opts: OpenStoreOptions): Promise<Store> {
  const url = opts.databaseUrl!;
  if (opts.migrate !== false) await migratePostgres(url);
  const db: PgDB = await openPostgres({ url, max: opts.poolSize, applicationName: opts.applicationName });
  const writer: PgDB = await openPostgres({ url, max: opts.poolSize, applicationName: opts.applicationName, readOnly: false });
  const listener = new PgListener(url, `${opts.applicationName ?? 'baton'} listen`, opts.onListenError);
  const slowMs = 50;
  return {
    dialect: 'postgres',
    exclusive: false,
    reader: db as unknown as DB,
    sqliteWriter: null,
    async unit(fn, label) {
      const started = performance.now();
      try {
        for (let attempt = 1; ; attempt++) {
          try {
            return await runPgUnit(writer, (tx) => fn(tx as DB));
          } catch (error) {
            // Units that take the same rows in opposite orders can wait on each other; Postgres then
            // aborts one of them, which wrote nothing. Where core knows such a meeting it orders the
            // locks (deleteProject and deleteOrg take the runs first, as an engine step does), but
            // not every writer's order can be known up front (a run's project is known only once the
            // run is read), so an aborted unit runs again after a short, jittered pause.
            if (attempt >= UNIT_ATTEMPTS || !isTransientConflict(error)) throw error;
            opts.onUnitRetry?.(attempt, label, error);
            await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
          }
        }
      } finally {
        const ms = performance.now() - started;
        if (ms >= slowMs) opts.onSlowUnit?.(ms, label);
      }
    },
    listen: (channel, fn, onResume) => listener.listen(channel, fn, onResume),
    async ping() {
      await db.$client.query('SELECT 1');
    },
    async close() {
      await listener.close();
      await Promise.all([closePostgres(db), closePostgres(writer)]);
    },
  };
}
