export * as schema from './schema/index.ts';
export * from './schema/index.ts';
export { openDatabase, closeDatabase, type DB, type SynchronousMode, type OpenDatabaseOptions } from './client.ts';
export { runMigrations, DEFAULT_MIGRATIONS_DIR } from './migrate.ts';
export { accessEpoch, handoffEpoch, readCachesEnabled, runListKey, runListVersion, setReadCaches } from './change-epochs.ts';
