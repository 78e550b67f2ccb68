import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DB } from './client.ts';
import type { Dialect } from './dialect.ts';

/**
 * The committed migrations live in <repo>/drizzle. This file sits three levels below the repo root
 * both as source (packages/db/src) and when bundled (apps/server/dist), so one relative URL serves both.
 */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../../drizzle', import.meta.url));

/** BATON_MIGRATIONS_DIR (or <repo>/drizzle) holds one folder per dialect: sqlite/ and postgres/. */
export function migrationsFolderFor(dialect: Dialect, root = process.env.BATON_MIGRATIONS_DIR ?? DEFAULT_MIGRATIONS_DIR): string {
  return join(root, dialect);
}

export class NewerDatabaseError extends Error {
  override name = 'NewerDatabaseError';
  constructor() {
    super('This database was migrated by a newer version of Baton (it has migrations this version does not know). Upgrade Baton, or use another database.');
  }
}

/** The newest migration this build knows (drizzle records each applied one by its journal time). */
export function newestKnownMigration(folder: string): number {
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ when: number }> };
  return Math.max(0, ...journal.entries.map((e) => e.when));
}

export function runMigrations(db: DB, migrationsFolder = migrationsFolderFor('sqlite')): void {
  const client = db.$client;
  const hasTable = client.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
  if (hasTable) {
    const last = client.prepare('SELECT max(created_at) FROM __drizzle_migrations').pluck().get() as number | null;
    if ((last ?? 0) > newestKnownMigration(migrationsFolder)) throw new NewerDatabaseError();
  }
  migrate(db, { migrationsFolder });
}
