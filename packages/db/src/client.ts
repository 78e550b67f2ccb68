import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { Logger } from 'drizzle-orm';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import * as schema from './schema/index.ts';

export type DB = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export type SynchronousMode = 'FULL' | 'NORMAL';

export interface OpenDatabaseOptions {
  /** File path, or ':memory:'. */
  file: string;
  /**
   * FULL (the default) fsyncs the WAL on every commit, so a power loss cannot drop an acknowledged
   * run event or webhook delivery. NORMAL is faster but may lose the last commits on power loss.
   */
  synchronous?: SynchronousMode;
  /** Drizzle's query logger: sees every SQL statement issued through the query builder (tests, diagnostics). */
  logger?: Logger;
}

export function openDatabase({ file, synchronous = 'FULL', logger }: OpenDatabaseOptions): DB {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`synchronous = ${synchronous}`);
  return drizzle({ client: sqlite, schema, ...(logger ? { logger } : {}) }) as DB;
}

export function closeDatabase(db: DB): void {
  if (db.$client.open) db.$client.close();
}
