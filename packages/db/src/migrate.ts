import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { fileURLToPath } from 'node:url';
import type { DB } from './client.ts';

/**
 * The committed migrations live in <repo>/drizzle. This file sits three levels below the repo root
 * both as source (packages/db/src) and when bundled (apps/server/dist), so one relative URL serves both.
 */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../../drizzle', import.meta.url));

export function runMigrations(db: DB, migrationsFolder = process.env.BATON_MIGRATIONS_DIR ?? DEFAULT_MIGRATIONS_DIR): void {
  migrate(db, { migrationsFolder });
}
