export * as schema from './schema/index.ts';
export * from './schema/index.ts';
export { openDatabase, closeDatabase, type DB, type SynchronousMode, type OpenDatabaseOptions } from './client.ts';
export { runMigrations, migrationsFolderFor, NewerDatabaseError, DEFAULT_MIGRATIONS_DIR } from './migrate.ts';
export { openPostgres, closePostgres, migratePostgres, type PgDB, type OpenPostgresOptions } from './postgres.ts';
export { dialectOf, SCHEMA_DIALECT, type Dialect } from './dialect.ts';
export { openStore, type Store, type OpenStoreOptions } from './store.ts';
export { SqliteWriterLane, type LaneOptions } from './sqlite-lane.ts';
export { accessEpoch, handoffEpoch, readCachesEnabled, runListKey, runListVersion, setReadCaches } from './change-epochs.ts';
