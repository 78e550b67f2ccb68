import { table, text, integer } from './kit.ts';

/**
 * Numbers that the nodes of a Postgres cluster validate their read caches against
 * (packages/db/src/change-epochs.ts): a row's `n` moves, by trigger, in the same transaction as any
 * change the cache depends on, so a node that reads it before the cached data knows whether that
 * data still stands. Today one row, `handoffs` (any handoff written or deleted, or a project
 * renamed: the Flow Relay handoff pages). A missing row reads as 0.
 *
 * On SQLite the table stays empty: one process writes there, and its TEMP triggers and
 * `PRAGMA data_version` keep the same numbers in memory.
 */
export const cacheEpochs = table('cache_epochs', {
  name: text('name').primaryKey(),
  n: integer('n').notNull(),
});
