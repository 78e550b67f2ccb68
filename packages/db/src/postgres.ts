import type pg from 'pg';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import * as schema from './schema/index.ts';
import { migrationsFolderFor, NewerDatabaseError, newestKnownMigration } from './migrate.ts';

export type PgDB = NodePgDatabase<typeof schema> & { $client: pg.Pool };

export interface OpenPostgresOptions {
  url: string;
  /** Pool size per node. */
  max?: number;
  /** Name shown in pg_stat_activity, so an operator can tell the nodes apart. */
  applicationName?: string;
}

/**
 * The Postgres driver, loaded on first use: a node on SQLite (the default) never pays for it at
 * start-up (about 50 ms of module loading here).
 */
let driver: Promise<{ pg: typeof pg; drizzle: typeof import('drizzle-orm/node-postgres').drizzle; migrate: typeof import('drizzle-orm/node-postgres/migrator').migrate }> | undefined;
const loadDriver = () =>
  (driver ??= Promise.all([import('pg'), import('drizzle-orm/node-postgres'), import('drizzle-orm/node-postgres/migrator')]).then(([p, d, m]) => ({
    pg: p.default,
    drizzle: d.drizzle,
    migrate: m.migrate,
  })));

/** A connection pool on the database; every node of a cluster opens its own. */
export async function openPostgres({ url, max = 10, applicationName = 'baton' }: OpenPostgresOptions): Promise<PgDB> {
  const { pg, drizzle } = await loadDriver();
  const pool = new pg.Pool({ connectionString: url, max, application_name: applicationName, connectionTimeoutMillis: 10_000 });
  // An idle client that loses its connection (the server restarts) is dropped from the pool; the
  // error must not crash the process.
  pool.on('error', () => {});
  return drizzle({ client: pool, schema }) as PgDB;
}

export async function closePostgres(db: PgDB): Promise<void> {
  await db.$client.end();
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
  const client = new pg.Client({ connectionString: url, application_name: 'baton-migrate' });
  await client.connect();
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
