import type { DB } from '@baton/db';

const caches = new WeakMap<DB, Map<string, unknown>>();

/**
 * A drizzle prepared statement, built once per database and reused. Hot paths (auth, list and
 * detail reads, event appends) use these: building the SQL and re-preparing it in SQLite on every
 * request cost more than running the query.
 */
export function prepared<T>(db: DB, key: string, build: (db: DB) => T): T {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let stmt = cache.get(key) as T | undefined;
  if (stmt === undefined) {
    stmt = build(db);
    cache.set(key, stmt);
  }
  return stmt;
}
